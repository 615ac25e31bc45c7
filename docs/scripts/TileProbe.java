// docs/scripts/TileProbe.java: the FMA rate of register tiles in isolation, outside the engine (512-bit vectors).
// What a loop of 12 FMA chains reaches with its operands in registers, a 6 x 2-vector tile with A packed (six
// broadcasts at constant offsets) and B in L1, and 6 x 2 and 8 x 3 tiles with A read in place (rows ars apart),
// as the engine's forward reads X, and 6 x 2 with A's rows a constant 256 floats apart (kernel6x2RowStride).
// GFLOP/s per round; compare with the anchors' peak.c in the same sitting.
// Run: java --add-modules jdk.incubator.vector docs/scripts/TileProbe.java [K M]   (default 256 600: A 600 x 256)
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

public class TileProbe {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static float[] sink = new float[16 * 12];

    // 12 independent FMA chains, operands in registers: what the JVM reaches without loads
    static void regs(int depth, float x, float[] b) {
        FloatVector b0 = FloatVector.fromArray(F, b, 0), b1 = FloatVector.fromArray(F, b, 16);
        FloatVector x0 = FloatVector.broadcast(F, x), x1 = FloatVector.broadcast(F, x * 0.5f);
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int q = 0; q < depth; q++) {
            c0 = x0.fma(b0, c0); c1 = x0.fma(b1, c1); c2 = x1.fma(b0, c2); c3 = x1.fma(b1, c3);
            c4 = x0.fma(b0, c4); c5 = x0.fma(b1, c5); c6 = x1.fma(b0, c6); c7 = x1.fma(b1, c7);
            c8 = x0.fma(b0, c8); c9 = x0.fma(b1, c9); c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
        }
        c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).intoArray(sink, 0);
    }
    // the same with 6 broadcasts from memory and 2 vector loads a step (the 6x2 micro-kernel's loads, all in L1)
    static void packed6x2(int depth, float[] a, float[] b) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int q = 0; q < depth; q++) {
            FloatVector b0 = FloatVector.fromArray(F, b, q * 32), b1 = FloatVector.fromArray(F, b, q * 32 + 16);
            FloatVector x0 = FloatVector.broadcast(F, a[q * 6]), x1 = FloatVector.broadcast(F, a[q * 6 + 1]), x2 = FloatVector.broadcast(F, a[q * 6 + 2]);
            FloatVector x3 = FloatVector.broadcast(F, a[q * 6 + 3]), x4 = FloatVector.broadcast(F, a[q * 6 + 4]), x5 = FloatVector.broadcast(F, a[q * 6 + 5]);
            c0 = x0.fma(b0, c0); c1 = x0.fma(b1, c1); c2 = x1.fma(b0, c2); c3 = x1.fma(b1, c3);
            c4 = x2.fma(b0, c4); c5 = x2.fma(b1, c5); c6 = x3.fma(b0, c6); c7 = x3.fma(b1, c7);
            c8 = x4.fma(b0, c8); c9 = x4.fma(b1, c9); c10 = x5.fma(b0, c10); c11 = x5.fma(b1, c11);
        }
        c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).intoArray(sink, 0);
    }
    /** A 6-row × 2-vector tile, A read in place (rows {@code ars} apart), B packed 32 wide, as the engine's forward. */
    static void inPlace6x2(int depth, float[] a, int base, int ars, float[] b, float[] t) {
        FloatVector c00 = FloatVector.zero(F); FloatVector c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F); FloatVector c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F); FloatVector c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F); FloatVector c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F); FloatVector c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F); FloatVector c51 = FloatVector.zero(F);
        int a0 = base + 0 * ars, a1 = base + 1 * ars, a2 = base + 2 * ars, a3 = base + 3 * ars, a4 = base + 4 * ars, a5 = base + 5 * ars;
        for (int q = 0; q < depth; q++) {
            int bq = q * 32;
            FloatVector b0 = FloatVector.fromArray(F, b, bq + 0);
            FloatVector b1 = FloatVector.fromArray(F, b, bq + 16);
            FloatVector x0 = FloatVector.broadcast(F, a[a0 + q]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(F, a[a1 + q]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(F, a[a2 + q]);
            c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(F, a[a3 + q]);
            c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(F, a[a4 + q]);
            c40 = x4.fma(b0, c40); c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(F, a[a5 + q]);
            c50 = x5.fma(b0, c50); c51 = x5.fma(b1, c51);
        }
        c00.intoArray(t, 0); c01.intoArray(t, 16);
        c10.intoArray(t, 32); c11.intoArray(t, 48);
        c20.intoArray(t, 64); c21.intoArray(t, 80);
        c30.intoArray(t, 96); c31.intoArray(t, 112);
        c40.intoArray(t, 128); c41.intoArray(t, 144);
        c50.intoArray(t, 160); c51.intoArray(t, 176);
    }

    /** A 8-row × 3-vector tile, A read in place (rows {@code ars} apart), B packed 48 wide, as the engine's forward. */
    static void inPlace8x3(int depth, float[] a, int base, int ars, float[] b, float[] t) {
        FloatVector c00 = FloatVector.zero(F); FloatVector c01 = FloatVector.zero(F); FloatVector c02 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F); FloatVector c11 = FloatVector.zero(F); FloatVector c12 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F); FloatVector c21 = FloatVector.zero(F); FloatVector c22 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F); FloatVector c31 = FloatVector.zero(F); FloatVector c32 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F); FloatVector c41 = FloatVector.zero(F); FloatVector c42 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F); FloatVector c51 = FloatVector.zero(F); FloatVector c52 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F); FloatVector c61 = FloatVector.zero(F); FloatVector c62 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F); FloatVector c71 = FloatVector.zero(F); FloatVector c72 = FloatVector.zero(F);
        int a0 = base + 0 * ars, a1 = base + 1 * ars, a2 = base + 2 * ars, a3 = base + 3 * ars, a4 = base + 4 * ars, a5 = base + 5 * ars, a6 = base + 6 * ars, a7 = base + 7 * ars;
        for (int q = 0; q < depth; q++) {
            int bq = q * 48;
            FloatVector b0 = FloatVector.fromArray(F, b, bq + 0);
            FloatVector b1 = FloatVector.fromArray(F, b, bq + 16);
            FloatVector b2 = FloatVector.fromArray(F, b, bq + 32);
            FloatVector x0 = FloatVector.broadcast(F, a[a0 + q]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01); c02 = x0.fma(b2, c02);
            FloatVector x1 = FloatVector.broadcast(F, a[a1 + q]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11); c12 = x1.fma(b2, c12);
            FloatVector x2 = FloatVector.broadcast(F, a[a2 + q]);
            c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21); c22 = x2.fma(b2, c22);
            FloatVector x3 = FloatVector.broadcast(F, a[a3 + q]);
            c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31); c32 = x3.fma(b2, c32);
            FloatVector x4 = FloatVector.broadcast(F, a[a4 + q]);
            c40 = x4.fma(b0, c40); c41 = x4.fma(b1, c41); c42 = x4.fma(b2, c42);
            FloatVector x5 = FloatVector.broadcast(F, a[a5 + q]);
            c50 = x5.fma(b0, c50); c51 = x5.fma(b1, c51); c52 = x5.fma(b2, c52);
            FloatVector x6 = FloatVector.broadcast(F, a[a6 + q]);
            c60 = x6.fma(b0, c60); c61 = x6.fma(b1, c61); c62 = x6.fma(b2, c62);
            FloatVector x7 = FloatVector.broadcast(F, a[a7 + q]);
            c70 = x7.fma(b0, c70); c71 = x7.fma(b1, c71); c72 = x7.fma(b2, c72);
        }
        c00.intoArray(t, 0); c01.intoArray(t, 16); c02.intoArray(t, 32);
        c10.intoArray(t, 48); c11.intoArray(t, 64); c12.intoArray(t, 80);
        c20.intoArray(t, 96); c21.intoArray(t, 112); c22.intoArray(t, 128);
        c30.intoArray(t, 144); c31.intoArray(t, 160); c32.intoArray(t, 176);
        c40.intoArray(t, 192); c41.intoArray(t, 208); c42.intoArray(t, 224);
        c50.intoArray(t, 240); c51.intoArray(t, 256); c52.intoArray(t, 272);
        c60.intoArray(t, 288); c61.intoArray(t, 304); c62.intoArray(t, 320);
        c70.intoArray(t, 336); c71.intoArray(t, 352); c72.intoArray(t, 368);
    }

    /** A 6-row × 2-vector tile, A's rows 256 floats apart (a constant: the rows at constant offsets, as the engine's
     * kernel6x2RowStride reads them), B packed 32 wide. */
    static void strided6x2(int depth, float[] a, int base, float[] b, float[] t) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int q = 0; q < depth; q++) {
            int bq = q * 32, aq = base + q;
            FloatVector b0 = FloatVector.fromArray(F, b, bq), b1 = FloatVector.fromArray(F, b, bq + 16);
            FloatVector x0 = FloatVector.broadcast(F, a[aq]);
            c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
            FloatVector x1 = FloatVector.broadcast(F, a[aq + 256]);
            c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
            FloatVector x2 = FloatVector.broadcast(F, a[aq + 512]);
            c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21);
            FloatVector x3 = FloatVector.broadcast(F, a[aq + 768]);
            c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31);
            FloatVector x4 = FloatVector.broadcast(F, a[aq + 1024]);
            c40 = x4.fma(b0, c40); c41 = x4.fma(b1, c41);
            FloatVector x5 = FloatVector.broadcast(F, a[aq + 1280]);
            c50 = x5.fma(b0, c50); c51 = x5.fma(b1, c51);
        }
        c00.intoArray(t, 0); c01.intoArray(t, 16); c10.intoArray(t, 32); c11.intoArray(t, 48); c20.intoArray(t, 64);
        c21.intoArray(t, 80); c30.intoArray(t, 96); c31.intoArray(t, 112); c40.intoArray(t, 128); c41.intoArray(t, 144);
        c50.intoArray(t, 160); c51.intoArray(t, 176);
    }

    public static void main(String[] args) {
        int k = args.length > 0 ? Integer.parseInt(args[0]) : 256, m = args.length > 1 ? Integer.parseInt(args[1]) : 600;
        float[] a = new float[m * k], b = new float[Math.max(k, 256) * 48], packedA = new float[256 * 6], t = new float[24 * 16];
        float[] a256 = new float[m * 256]; // A's rows 256 apart (k ≤ 256)
        java.util.Arrays.fill(a, 1e-6f);
        java.util.Arrays.fill(b, 1e-6f);
        java.util.Arrays.fill(packedA, 1e-6f);
        java.util.Arrays.fill(a256, 1e-6f);
        int reps = Math.max(1, 180_000_000 / (m * k));
        for (int round = 0; round < 6; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 20_000; i++) {
                regs(2560, 1e-6f, b);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < 200_000; i++) {
                packed6x2(256, packedA, b);
            }
            long t2 = System.nanoTime();
            for (int rep = 0; rep < reps; rep++) {
                for (int i = 0; i + 6 <= m; i += 6) {
                    inPlace6x2(k, a, i * k, k, b, t);
                }
            }
            long t3 = System.nanoTime();
            for (int rep = 0; rep < reps; rep++) {
                for (int i = 0; i + 8 <= m; i += 8) {
                    inPlace8x3(k, a, i * k, k, b, t);
                }
            }
            long t4 = System.nanoTime();
            for (int rep = 0; rep < reps; rep++) {
                for (int i = 0; i + 6 <= m; i += 6) {
                    strided6x2(Math.min(k, 256), a256, i * 256, b, t);
                }
            }
            long t5 = System.nanoTime();
            double flop = 2 * 16;
            System.out.printf("registers %.1f  packed A 6x2 %.1f  in place 6x2 %.1f  in place 8x3 %.1f  rows 256 apart 6x2 %.1f GFLOP/s%n",
                    20_000.0 * 2560 * 12 * flop / (t1 - t0), 200_000.0 * 256 * 12 * flop / (t2 - t1),
                    (double) reps * (m / 6) * 12 * k * flop / (t3 - t2), (double) reps * (m / 8) * 24 * k * flop / (t4 - t3),
                    (double) reps * (m / 6) * 12 * Math.min(k, 256) * flop / (t5 - t4));
        }
    }
}
