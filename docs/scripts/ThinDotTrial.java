// docs/scripts/ThinDotTrial.java: the thin forward (128×128×10) with lanes along k, tried in the twenty-first session
// against the engine's kernel (lanes along n, 8 rows × 1 vector, 10 of 16 lanes used). Each output is 16 partial
// sums (k mod 16, the same at every width) reduced by a fixed transpose-add tree: 8 rows × 2 columns of
// accumulators, W transposed first, the 16 accumulators of a tile folded into one vector by 15 steps of two
// two-vector permutes (FloatVector.selectFrom(v1, v2), vpermi2ps) and an add, then stored by lane. "floor" is the
// same k loop with the tree replaced by plain adds (a wrong result): what the loop and the stores cost alone.
// 512-bit species; µs per call, plain loops of 20 000 calls, 6 rounds.
// Run: java --add-modules jdk.incubator.vector -cp vector-core/target/myelin-vector-core-0.1.0-SNAPSHOT.jar \
//          docs/scripts/ThinDotTrial.java
import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.dispatch.KernelRegistry;
import jdk.incubator.vector.*;
import java.util.Random;

public class ThinDotTrial {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int M = 128, K = 128, N = 10, CALLS = 20_000, ROUNDS = 6;
    static final FloatVector[] LO = new FloatVector[4], HI = new FloatVector[4];
    static final int[] LANE_OUT = new int[16]; // final lane -> accumulator index
    static {
        for (int level = 0; level < 4; level++) {
            int h = 8 >> level; // half block size
            float[] lo = new float[16], hi = new float[16];
            // output lane layout: blocks of h lanes: [a block0, b block0, a block1, b block1 ...]
            int blocks = 16 / (2 * h);
            for (int bl = 0; bl < blocks; bl++) {
                for (int i = 0; i < h; i++) {
                    lo[bl * 2 * h + i] = bl * 2 * h + i;            // a's first half of block
                    hi[bl * 2 * h + i] = bl * 2 * h + h + i;        // a's second half
                    lo[bl * 2 * h + h + i] = 16 + bl * 2 * h + i;   // b's
                    hi[bl * 2 * h + h + i] = 16 + bl * 2 * h + h + i;
                }
            }
            LO[level] = FloatVector.fromArray(S, lo, 0);
            HI[level] = FloatVector.fromArray(S, hi, 0);
        }
        // which accumulator each lane of the folded vector holds: the tree run on accumulator numbers
        int[][] v = new int[16][16];
        for (int a = 0; a < 16; a++) for (int l = 0; l < 16; l++) v[a][l] = a;
        int count = 16;
        for (int level = 0; level < 4; level++) {
            int h = 8 >> level;
            int[][] nv = new int[count / 2][16];
            for (int t = 0; t < count / 2; t++) {
                int[] a = v[2 * t], b = v[2 * t + 1];
                for (int bl = 0; bl < 16 / (2 * h); bl++) for (int i = 0; i < h; i++) {
                    nv[t][bl * 2 * h + i] = a[bl * 2 * h + i];
                    nv[t][bl * 2 * h + h + i] = b[bl * 2 * h + i];
                }
            }
            v = nv; count /= 2;
        }
        System.arraycopy(v[0], 0, LANE_OUT, 0, 16);
    }

    static final FloatVector L0 = LO[0], L1 = LO[1], L2 = LO[2], L3 = LO[3], H0 = HI[0], H1 = HI[1], H2 = HI[2],
            H3 = HI[3];

    /** Y[m x n] = X[m x k] * W, with wt = W transposed (n x k). m % 8 == 0, n % 2 == 0, k % 16 == 0. */
    static void forward(int m, int n, int k, float[] x, float[] wt, float[] bias, boolean sigmoid, float[] y,
                        float[] lanes, boolean floor) {
        // accumulator a = 2·r + c: row r of the 8, column c of the 2
        for (int i0 = 0; i0 < m; i0 += 8) {
            for (int j0 = 0; j0 < n; j0 += 2) {
                FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                        c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00,
                        c70 = c00, c71 = c00;
                int x0 = i0 * k, w0 = j0 * k;
                for (int p = 0; p < k; p += 16) {
                    FloatVector b0 = FloatVector.fromArray(S, wt, w0 + p);
                    FloatVector b1 = FloatVector.fromArray(S, wt, w0 + k + p);
                    FloatVector a = FloatVector.fromArray(S, x, x0 + p);
                    c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
                    a = FloatVector.fromArray(S, x, x0 + k + p);
                    c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
                    a = FloatVector.fromArray(S, x, x0 + 2 * k + p);
                    c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
                    a = FloatVector.fromArray(S, x, x0 + 3 * k + p);
                    c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
                    a = FloatVector.fromArray(S, x, x0 + 4 * k + p);
                    c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
                    a = FloatVector.fromArray(S, x, x0 + 5 * k + p);
                    c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
                    a = FloatVector.fromArray(S, x, x0 + 6 * k + p);
                    c60 = a.fma(b0, c60); c61 = a.fma(b1, c61);
                    a = FloatVector.fromArray(S, x, x0 + 7 * k + p);
                    c70 = a.fma(b0, c70); c71 = a.fma(b1, c71);
                }
                FloatVector z;
                if (floor) { // the tree's cost left out: a wrong sum, the same loads, FMAs and stores
                    z = c00.add(c01).add(c10).add(c11).add(c20).add(c21).add(c30).add(c31).add(c40).add(c41).add(c50)
                            .add(c51).add(c60).add(c61).add(c70).add(c71);
                } else { // level l pairs lane i with lane i + 8 >> l; written out (a helper taking vectors boxes them)
                    FloatVector s0 = L0.selectFrom(c00, c01).add(H0.selectFrom(c00, c01));
                    FloatVector s1 = L0.selectFrom(c10, c11).add(H0.selectFrom(c10, c11));
                    FloatVector s2 = L0.selectFrom(c20, c21).add(H0.selectFrom(c20, c21));
                    FloatVector s3 = L0.selectFrom(c30, c31).add(H0.selectFrom(c30, c31));
                    FloatVector s4 = L0.selectFrom(c40, c41).add(H0.selectFrom(c40, c41));
                    FloatVector s5 = L0.selectFrom(c50, c51).add(H0.selectFrom(c50, c51));
                    FloatVector s6 = L0.selectFrom(c60, c61).add(H0.selectFrom(c60, c61));
                    FloatVector s7 = L0.selectFrom(c70, c71).add(H0.selectFrom(c70, c71));
                    FloatVector t0 = L1.selectFrom(s0, s1).add(H1.selectFrom(s0, s1));
                    FloatVector t1 = L1.selectFrom(s2, s3).add(H1.selectFrom(s2, s3));
                    FloatVector t2 = L1.selectFrom(s4, s5).add(H1.selectFrom(s4, s5));
                    FloatVector t3 = L1.selectFrom(s6, s7).add(H1.selectFrom(s6, s7));
                    FloatVector u0 = L2.selectFrom(t0, t1).add(H2.selectFrom(t0, t1));
                    FloatVector u1 = L2.selectFrom(t2, t3).add(H2.selectFrom(t2, t3));
                    z = L3.selectFrom(u0, u1).add(H3.selectFrom(u0, u1));
                }
                z.intoArray(lanes, 0);
                for (int l = 0; l < 16; l++) {
                    int acc = LANE_OUT[l];
                    int r = acc >> 1, c = acc & 1;
                    float v = lanes[l] + bias[j0 + c];
                    y[(i0 + r) * n + j0 + c] = sigmoid ? 1f / (1f + (float) Math.exp(-v)) : v;
                }
            }
        }
    }

    public static void main(String[] args) {
        Random r = new Random(1);
        float[] x = fill(r, M * K), w = fill(r, K * N), b = fill(r, N);
        float[] y = new float[M * N], y2 = new float[M * N], wt = new float[N * K], lanes = new float[16];
        DenseKernel engine = KernelRegistry.get("blocked");
        // correctness vs double
        for (int p = 0; p < K; p++) for (int j = 0; j < N; j++) wt[j * K + p] = w[p * N + j];
        forward(M, N, K, x, wt, b, false, y, lanes, false);
        double maxErr = 0;
        for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) {
            double s = b[j];
            for (int p = 0; p < K; p++) s += (double) x[i * K + p] * w[p * N + j];
            maxErr = Math.max(maxErr, Math.abs(s - y[i * N + j]));
        }
        System.out.println("max abs err vs double " + maxErr);
        if (!(maxErr < 1e-5)) { // |x|, |w| < 0.5 and k = 128: float sums stay far inside this; a wrong fold does not
            throw new AssertionError("the lanes-along-k forward disagrees with the double reference: " + maxErr);
        }
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < CALLS; i++) {
                engine.forward(M, N, K, x, 0, K, w, 0, N, b, 0, Activation.IDENTITY, y, 0, N);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < CALLS; i++) {
                engine.forward(M, N, K, x, 0, K, w, 0, N, b, 0, Activation.SIGMOID, y, 0, N);
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < CALLS; i++) { // W transposed in each call, as a forward would have to
                for (int p = 0; p < K; p++) {
                    for (int j = 0; j < N; j++) {
                        wt[j * K + p] = w[p * N + j];
                    }
                }
                forward(M, N, K, x, wt, b, false, y2, lanes, false);
            }
            long t3 = System.nanoTime();
            for (int i = 0; i < CALLS; i++) {
                forward(M, N, K, x, wt, b, false, y2, lanes, true);
            }
            long t4 = System.nanoTime();
            System.out.printf("engine identity %.2f  sigmoid %.2f | lanes along k, identity %.2f  its floor %.2f µs%n",
                    us(t1 - t0), us(t2 - t1), us(t3 - t2), us(t4 - t3));
        }
    }

    static double us(long n) { return n / 1e3 / CALLS; }
    static float[] fill(Random r, int size) { float[] a = new float[size]; for (int i = 0; i < size; i++) a[i] = r.nextFloat() - 0.5f; return a; }
}
