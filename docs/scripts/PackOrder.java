import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

// What packing a 784×256 W for the forward costs (512-bit vectors, kc = 196, 32-column panels as the engine packs
// them), three ways: every panel of a k block into a block-sized buffer (the engine's order before the seventeenth
// session: 200 KiB written to L2, read back by the kernels), row by row into the same block, and every panel into one
// panel-sized buffer (25 KiB, which stays in L1: the packing of PackedGemm.panelAtATime). Best of 5 batches of 200
// packings, µs per packing of all of W; rounds 4-8 printed. docs/kernels.md, seventeenth session.
//   java --add-modules jdk.incubator.vector docs/scripts/PackOrder.java
public class PackOrder {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final int L = 16, NR = 32;

    static void panels(int kc, int nc, float[] b, int b0, int brs, float[] pb) {
        for (int j = 0; j < nc; j += NR) {
            int dst = j * kc, src = b0 + j;
            for (int q = 0; q < kc; q++, dst += NR) {
                int s = src + q * brs;
                FloatVector.fromArray(F, b, s).intoArray(pb, dst);
                FloatVector.fromArray(F, b, s + L).intoArray(pb, dst + L);
            }
        }
    }

    static void rows(int kc, int nc, float[] b, int b0, int brs, float[] pb) {
        for (int q = 0; q < kc; q++) {
            int s = b0 + q * brs, dst = q * NR;
            for (int j = 0; j < nc; j += NR, dst += NR * kc) {
                FloatVector.fromArray(F, b, s + j).intoArray(pb, dst);
                FloatVector.fromArray(F, b, s + j + L).intoArray(pb, dst + L);
            }
        }
    }

    static void onePanel(int kc, int nc, float[] b, int b0, int brs, float[] pb) {
        for (int j = 0; j < nc; j += NR) {
            int dst = 0, src = b0 + j;
            for (int q = 0; q < kc; q++, dst += NR) {
                int s = src + q * brs;
                FloatVector.fromArray(F, b, s).intoArray(pb, dst);
                FloatVector.fromArray(F, b, s + L).intoArray(pb, dst + L);
            }
        }
    }

    public static void main(String[] a) {
        int k = 784, n = 256, kc = 196;
        float[] w = new float[k * n], pb = new float[kc * n + 64];
        for (int i = 0; i < w.length; i++) w[i] = i;
        for (int round = 0; round < 8; round++) {
            long[] best = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
            for (int which = 0; which < 3; which++) {
                for (int t = 0; t < 5; t++) {
                    long t0 = System.nanoTime();
                    for (int rep = 0; rep < 200; rep++) {
                        for (int pc = 0; pc < k; pc += kc) {
                            if (which == 0) panels(kc, n, w, pc * n, n, pb);
                            else if (which == 1) rows(kc, n, w, pc * n, n, pb);
                            else onePanel(kc, n, w, pc * n, n, pb);
                        }
                    }
                    best[which] = Math.min(best[which], (System.nanoTime() - t0) / 200);
                }
            }
            if (round >= 3) System.out.printf("panels into the block %.1f us, rows into the block %.1f us, every panel into one %.1f us%n",
                    best[0] / 1e3, best[1] / 1e3, best[2] / 1e3);
        }
    }
}
