package dev.myelin.core.simd;

import static dev.myelin.core.simd.ExpConstants.EXP_C3;
import static dev.myelin.core.simd.ExpConstants.EXP_C4;
import static dev.myelin.core.simd.ExpConstants.EXP_C5;
import static dev.myelin.core.simd.ExpConstants.EXP_C6;
import static dev.myelin.core.simd.ExpConstants.EXP_C7;
import static dev.myelin.core.simd.ExpConstants.EXP_MAX;
import static dev.myelin.core.simd.ExpConstants.EXP_MIN;
import static dev.myelin.core.simd.ExpConstants.LN2_HI;
import static dev.myelin.core.simd.ExpConstants.LN2_LO;
import static dev.myelin.core.simd.ExpConstants.LOG2E;
import static dev.myelin.core.simd.ExpConstants.ROUNDER;
import static dev.myelin.core.simd.ExpConstants.TANH_C11;
import static dev.myelin.core.simd.ExpConstants.TANH_C13;
import static dev.myelin.core.simd.ExpConstants.TANH_C15;
import static dev.myelin.core.simd.ExpConstants.TANH_C3;
import static dev.myelin.core.simd.ExpConstants.TANH_C5;
import static dev.myelin.core.simd.ExpConstants.TANH_C7;
import static dev.myelin.core.simd.ExpConstants.TANH_C9;
import static dev.myelin.core.simd.ExpConstants.TANH_POLY_MAX;
import static jdk.incubator.vector.VectorOperators.FMA;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels for one species {@link #F}, reached only through {@link VectorKernel}, which loads
 * one hidden copy of this class per vector width.
 *
 * <p>Rules this code keeps, because C2 punishes breaking them (VECTOR-API-NOTES): the species is a
 * {@code static final}; no method takes or returns a {@code FloatVector} or a {@code VectorMask}, so every
 * vector lives and dies inside one method and stays in registers (the bias + relu epilogue is written out in
 * each tile, not called; masks are made where they are used); no lambdas, enum switches or nested
 * classes, which javac would compile into separate classes tied to the original class, not to its copies.
 *
 * <p>Tails: columns past the last full vector use masked loads and stores ({@code F.indexInRange}), so
 * nothing outside a view is read or written; rows past the last full tile go through one-row edge tiles.
 * Outputs that are overwritten are only stored, never loaded. All methods allocate nothing once compiled
 * by C2 ({@code VectorKernelAllocationTest}).
 *
 * <h2>Same bits interpreted and compiled</h2>
 * A method runs in the interpreter (the Vector API's Java fallback, lane by lane) until C2 compiles it, and
 * when that happens depends on timing; for training to be reproducible the two must give identical bits
 * ({@code KernelDeterminismTest}). So this class uses only operations that IEEE 754 defines exactly and
 * both paths implement alike: add, sub, mul, div, fma, neg, abs, min/max, compare and blend, rearrange with
 * a fixed shuffle, lane extraction, float↔int conversion of integral values, integer adds and shifts, and
 * reinterpretation. Not {@code lanewise(EXP)} or {@code lanewise(TANH)} (the fallback calls
 * {@code Math.exp}/{@code Math.tanh}, C2 a SIMD math library: they differ in the last bits), nor
 * {@code reduceLanes(ADD)} (the fallback adds lanes in order, C2 in a tree). Instead:
 * <ul>
 * <li><b>exp(x)</b>, written out in each GEMM tile's epilogue (sigmoid and tanh) and softmaxRows: clamp x to
 *     [{@link ExpConstants#EXP_MIN}, {@link ExpConstants#EXP_MAX}] (min/max keep NaN); n = round(x / ln 2) by adding and subtracting
 *     {@link ExpConstants#ROUNDER}; r = x − n·ln 2 in two parts ({@link ExpConstants#LN2_HI}, {@link ExpConstants#LN2_LO}), so |r| ≤ ln 2 / 2
 *     (Cody–Waite); e^r by the degree-7
 *     Taylor polynomial in Horner form with fma (truncation r⁸/8! ≤ 5.3·10⁻⁹, relative ≤ 7.5·10⁻⁹); then
 *     e^x = e^r·2^n1·2^n2 with n1 = ⌊n/2⌋, n2 = n − n1, both in [−75, 64] so that each 2^k is a normal float
 *     built from its bits: the first product is exact and the second rounds once, correctly into the
 *     subnormals or to +Inf. exp(+Inf) = +Inf, exp(−Inf) = 0, exp(NaN) = NaN. Error ≤ 1 ulp.</li>
 * <li><b>sigmoid(z)</b> = 1 / (1 + exp(−z)): exactly 0 for z below about −88.7 (exp overflows to +Inf), as in
 *     {@link Activation#apply}; ≤ 1.3 ε relative error (ε = 2⁻²³, measured).</li>
 * <li><b>tanh(z)</b> = z·(1 + s·(c3 + s·(c5 + … + s·c15))), s = z², the odd Taylor series to z¹⁵, for
 *     |z| &lt; ½ (truncation ≤ 10⁻⁸ relative at ½; the sign of −0 kept); otherwise ±(1 − e) / (1 + e) with
 *     e = exp(−2|z|) and z's sign, so ±Inf gives ±1 and NaN gives NaN; ≤ 1.5 ε relative error (measured).</li>
 * <li><b>Lane sums</b>: v += v rotated by L/2 lanes, then by L/4, …, by 1 (constant shuffles, straight-line
 *     code: a loop over an array of shuffles left dot1x1 in boxing C1 code for good, measured); then every
 *     lane holds the sum, added in one fixed tree order, and lane 0 is read.</li>
 * </ul>
 */
final class FloatKernels implements DenseKernel {

    /** The species of this copy, from its class data; a constant, so every FloatVector op compiles to SIMD. */
    private static final VectorSpecies<Float> F = HiddenCopies.floatSpecies(MethodHandles.lookup());

    /** Float lanes per vector. */
    private static final int L = F.length();

    /**
     * Micro-kernel tile of the GEMMs (forward, dW): 4 rows × 2 vectors = 8 accumulators, loading 2 vectors
     * and broadcasting 4 scalars per step for 8 FMAs; small enough to stay in registers on 16-register ISAs.
     */
    private static final int TILE_ROWS = 4;
    private static final int TILE_COLS = 2 * L;

    /** Lane rotations for lane sums: lane i takes lane (i + k) mod L; those with k ≥ L are never used. */
    private static final VectorShuffle<Float> ROTATE_32 = rotation(32), ROTATE_16 = rotation(16),
            ROTATE_8 = rotation(8), ROTATE_4 = rotation(4), ROTATE_2 = rotation(2), ROTATE_1 = rotation(1);

    FloatKernels() {
    }

    private static VectorShuffle<Float> rotation(int k) {
        return VectorShuffle.iota(F, k % L, 1, true);
    }

    @Override
    public String name() {
        return VectorKernel.NAME;
    }

    // =================================================================================== GEMM: forward, dW

    @Override
    public void forward(int m, int n, int k, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                        float[] b, int bOff, Activation act, float[] y, int yOff, int ldy) {
        requireElementwise(act);
        // Y = act(X·W + b): A = X walked along its rows, A(i, p) = x[xOff + i·ldx + p]; B = W.
        gemm(m, n, k, x, xOff, ldx, 1, w, wOff, ldw, b, bOff, act, false, y, yOff, ldy);
    }

    @Override
    public void weightGradient(int m, int n, int k, float[] x, int xOff, int ldx, float[] dz, int dzOff,
                               int lddz, float[] dw, int dwOff, int lddw, boolean accumulate) {
        // dW = Xᵀ·dZ: A = Xᵀ read in place, A(p, i) = x[xOff + i·ldx + p] (no transposed copy); B = dZ,
        // whose rows are contiguous along n like dW's. The reduction runs over the m batch rows.
        gemm(k, n, m, x, xOff, 1, ldx, dz, dzOff, lddz, null, 0, Activation.IDENTITY, accumulate, dw, dwOff, lddw);
    }

    /**
     * {@code C[rows×cols] = act(A[rows×depth]·B[depth×cols] + bias)}, or {@code C += A·B} with
     * {@code accumulate}; {@code A(r, q) = a[aOff + r·ars + q·acs]} (a matrix or a transposed view), B and C
     * row-major. Full 4-row × 2-vector tiles first; then the column edge: one full vector of 4 rows, then
     * the last {@code cols % L} columns masked, one row at a time; then the row edge, one row at a time.
     * Bias and every activation are applied on the tiles' registers before the tile's single store; C is
     * never swept a second time. Sigmoid and tanh (some 25–45 vector operations each, with the
     * deterministic exp) are written once per tile and activation, in a short loop over the tile's rows
     * (tile4x2: 4 steps of 2 independent vectors, so the two exp chains overlap; tile4x1: 2 steps of 2),
     * each step picking its accumulators with a conditional chain and storing its results at once. No
     * helper takes or returns a vector (a non-inlined one boxes). Measured before this layout: one copy per
     * accumulator (8 per tile) made C1's tile code ~150 KB and C2's compile time 70 % longer; a loop of
     * one vector per step made tanh ~15 % slower at 64³ (one latency-bound chain per step).
     *
     * <p>Masks stay out of the 4-row tiles on purpose: C1 compiled a masked 4-row tile at tier 2 but ran
     * out of registers at tier 3, and HotSpot then left it in (boxing) tier-2 code for good instead of
     * handing it to C2 (measured: half the JVM runs allocated 1.6 MB per 61³ forward after 12 000 calls).
     * Unmasked 4-row tiles and masked 1-row tiles both go through the normal tiers to C2.
     */
    private static void gemm(int rows, int cols, int depth, float[] a, int aOff, int ars, int acs,
                             float[] b, int bOff, int ldb, float[] bias, int biasOff, Activation act,
                             boolean accumulate, float[] c, int cOff, int ldc) {
        int r = 0;
        for (; r + TILE_ROWS <= rows; r += TILE_ROWS) {
            int aRow = aOff + r * ars;
            int cRow = cOff + r * ldc;
            int j = 0;
            for (; j + TILE_COLS <= cols; j += TILE_COLS) {
                tile4x2(depth, a, aRow, ars, acs, b, bOff + j, ldb, bias, biasOff + j, act, accumulate,
                        c, cRow + j, ldc);
            }
            if (j + L <= cols) { // column edge: one full vector left
                tile4x1(depth, a, aRow, ars, acs, b, bOff + j, ldb, bias, biasOff + j, act, accumulate,
                        c, cRow + j, ldc);
                j += L;
            }
            if (j < cols) { // column edge: under one vector left, masked, row by row
                for (int i = 0; i < TILE_ROWS; i++) {
                    tile1x1(depth, a, aRow + i * ars, acs, b, bOff + j, ldb, bias, biasOff + j, act, accumulate,
                            c, cRow + i * ldc + j, cols - j);
                }
            }
        }
        for (; r < rows; r++) { // row edge: the last rows % 4 rows, one at a time
            int aRow = aOff + r * ars;
            int cRow = cOff + r * ldc;
            int j = 0;
            for (; j + TILE_COLS <= cols; j += TILE_COLS) {
                tile1x2(depth, a, aRow, acs, b, bOff + j, ldb, bias, biasOff + j, act, accumulate, c, cRow + j);
            }
            for (; j < cols; j += L) { // a full vector, then the masked rest (or either alone)
                tile1x1(depth, a, aRow, acs, b, bOff + j, ldb, bias, biasOff + j, act, accumulate, c, cRow + j,
                        cols - j);
            }
        }
    }

    /**
     * Micro-kernel: the 4 × 2L block of C at {@code c0} as {@code depth} rank-1 updates (column q of A,
     * 4 broadcasts, times row q of B, 2 vectors), then the epilogue on the 8 accumulators and one store
     * (for sigmoid and tanh, see gemm).
     */
    private static void tile4x2(int depth, float[] a, int a0, int ars, int acs, float[] b, int b0, int ldb,
                                float[] bias, int bias0, Activation act, boolean accumulate,
                                float[] c, int c0, int ldc) {
        FloatVector acc00 = FloatVector.zero(F), acc01 = FloatVector.zero(F);
        FloatVector acc10 = FloatVector.zero(F), acc11 = FloatVector.zero(F);
        FloatVector acc20 = FloatVector.zero(F), acc21 = FloatVector.zero(F);
        FloatVector acc30 = FloatVector.zero(F), acc31 = FloatVector.zero(F);
        for (int q = 0; q < depth; q++) {
            int bq = b0 + q * ldb;
            FloatVector b0v = FloatVector.fromArray(F, b, bq);
            FloatVector b1v = FloatVector.fromArray(F, b, bq + L);
            int aq = a0 + q * acs;
            FloatVector a0v = FloatVector.broadcast(F, a[aq]);
            acc00 = a0v.fma(b0v, acc00);
            acc01 = a0v.fma(b1v, acc01);
            FloatVector a1v = FloatVector.broadcast(F, a[aq + ars]);
            acc10 = a1v.fma(b0v, acc10);
            acc11 = a1v.fma(b1v, acc11);
            FloatVector a2v = FloatVector.broadcast(F, a[aq + 2 * ars]);
            acc20 = a2v.fma(b0v, acc20);
            acc21 = a2v.fma(b1v, acc21);
            FloatVector a3v = FloatVector.broadcast(F, a[aq + 3 * ars]);
            acc30 = a3v.fma(b0v, acc30);
            acc31 = a3v.fma(b1v, acc31);
        }
        // epilogue: C = acc + bias (relu'd) or C = C + acc, on the registers, then the tile's single store
        int c1 = c0 + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        if (accumulate) { // the only mode that reads C
            acc00 = acc00.add(FloatVector.fromArray(F, c, c0));
            acc01 = acc01.add(FloatVector.fromArray(F, c, c0 + L));
            acc10 = acc10.add(FloatVector.fromArray(F, c, c1));
            acc11 = acc11.add(FloatVector.fromArray(F, c, c1 + L));
            acc20 = acc20.add(FloatVector.fromArray(F, c, c2));
            acc21 = acc21.add(FloatVector.fromArray(F, c, c2 + L));
            acc30 = acc30.add(FloatVector.fromArray(F, c, c3));
            acc31 = acc31.add(FloatVector.fromArray(F, c, c3 + L));
        }
        if (bias != null) {
            FloatVector bias0v = FloatVector.fromArray(F, bias, bias0);
            FloatVector bias1v = FloatVector.fromArray(F, bias, bias0 + L);
            acc00 = acc00.add(bias0v);
            acc01 = acc01.add(bias1v);
            acc10 = acc10.add(bias0v);
            acc11 = acc11.add(bias1v);
            acc20 = acc20.add(bias0v);
            acc21 = acc21.add(bias1v);
            acc30 = acc30.add(bias0v);
            acc31 = acc31.add(bias1v);
        }
        if (act == Activation.RELU) { // max(z, 0) keeps NaN, like Math.max; sigmoid and tanh below
            acc00 = acc00.max(0f);
            acc01 = acc01.max(0f);
            acc10 = acc10.max(0f);
            acc11 = acc11.max(0f);
            acc20 = acc20.max(0f);
            acc21 = acc21.max(0f);
            acc30 = acc30.max(0f);
            acc31 = acc31.max(0f);
        }
        // sigmoid, tanh: one row (two independent vectors) per step, each stored right after it
        if (act == Activation.SIGMOID) {
            for (int i = 0; i < 4; i++) {
                FloatVector z0 = i == 0 ? acc00 : i == 1 ? acc10 : i == 2 ? acc20 : acc30;
                FloatVector z1 = i == 0 ? acc01 : i == 1 ? acc11 : i == 2 ? acc21 : acc31;
                FloatVector y0, y1;
                {
                    FloatVector z = z0;
                    FloatVector y;
                    // e = exp(−z): clamp (NaN stays NaN); n = round(x / ln 2); r = x − n·ln 2, |r| ≤ ln 2 / 2;
                    // e^r by Horner; then ·2^n1 (exact) ·2^n2 (one rounding), n1 = ⌊n/2⌋, n2 = n − n1, each
                    // 2^k built from its bits, (k + 127) << 23
                    FloatVector x = z.neg().max(EXP_MIN).min(EXP_MAX);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    y = FloatVector.broadcast(F, 1f).div(e.add(1f));
                    y0 = y;
                }
                {
                    FloatVector z = z1;
                    FloatVector y;
                    // e = exp(−z), as in the class comment
                    FloatVector x = z.neg().max(EXP_MIN).min(EXP_MAX);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    y = FloatVector.broadcast(F, 1f).div(e.add(1f));
                    y1 = y;
                }
                int ci = c0 + i * ldc;
                y0.intoArray(c, ci);
                y1.intoArray(c, ci + L);
            }
            return;
        }
        if (act == Activation.TANH) {
            for (int i = 0; i < 4; i++) {
                FloatVector z0 = i == 0 ? acc00 : i == 1 ? acc10 : i == 2 ? acc20 : acc30;
                FloatVector z1 = i == 0 ? acc01 : i == 1 ? acc11 : i == 2 ? acc21 : acc31;
                FloatVector y0, y1;
                {
                    FloatVector z = z0;
                    FloatVector y;
                    // |z| < ½: z·(1 + s·(c3 + … + s·c15)), s = z²
                    FloatVector s = z.mul(z);
                    FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)
                            .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)
                            .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(z);
                    FloatVector absz = z.abs();
                    // e = exp(−2|z|), as for sigmoid
                    FloatVector x = absz.mul(-2f).max(EXP_MIN);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    FloatVector big = e.neg().add(1f).div(e.add(1f)); // (1 − e) / (1 + e), z's sign next
                    y = big.blend(big.neg(), z.compare(VectorOperators.LT, 0f))
                            .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));
                    y0 = y;
                }
                {
                    FloatVector z = z1;
                    FloatVector y;
                    // |z| < ½: z·(1 + s·(c3 + … + s·c15)), s = z²
                    FloatVector s = z.mul(z);
                    FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)
                            .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)
                            .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(z);
                    FloatVector absz = z.abs();
                    // e = exp(−2|z|), as for sigmoid
                    FloatVector x = absz.mul(-2f).max(EXP_MIN);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    FloatVector big = e.neg().add(1f).div(e.add(1f)); // (1 − e) / (1 + e), z's sign next
                    y = big.blend(big.neg(), z.compare(VectorOperators.LT, 0f))
                            .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));
                    y1 = y;
                }
                int ci = c0 + i * ldc;
                y0.intoArray(c, ci);
                y1.intoArray(c, ci + L);
            }
            return;
        }
        acc00.intoArray(c, c0);
        acc01.intoArray(c, c0 + L);
        acc10.intoArray(c, c1);
        acc11.intoArray(c, c1 + L);
        acc20.intoArray(c, c2);
        acc21.intoArray(c, c2 + L);
        acc30.intoArray(c, c3);
        acc31.intoArray(c, c3 + L);
    }

    /** Column-edge tile: 4 rows × one full vector. */
    private static void tile4x1(int depth, float[] a, int a0, int ars, int acs, float[] b, int b0, int ldb,
                                float[] bias, int bias0, Activation act, boolean accumulate,
                                float[] c, int c0, int ldc) {
        FloatVector acc00 = FloatVector.zero(F);
        FloatVector acc10 = FloatVector.zero(F);
        FloatVector acc20 = FloatVector.zero(F);
        FloatVector acc30 = FloatVector.zero(F);
        for (int q = 0; q < depth; q++) {
            FloatVector b0v = FloatVector.fromArray(F, b, b0 + q * ldb);
            int aq = a0 + q * acs;
            acc00 = FloatVector.broadcast(F, a[aq]).fma(b0v, acc00);
            acc10 = FloatVector.broadcast(F, a[aq + ars]).fma(b0v, acc10);
            acc20 = FloatVector.broadcast(F, a[aq + 2 * ars]).fma(b0v, acc20);
            acc30 = FloatVector.broadcast(F, a[aq + 3 * ars]).fma(b0v, acc30);
        }
        // epilogue, as in tile4x2
        int c1 = c0 + ldc;
        int c2 = c1 + ldc;
        int c3 = c2 + ldc;
        if (accumulate) {
            acc00 = acc00.add(FloatVector.fromArray(F, c, c0));
            acc10 = acc10.add(FloatVector.fromArray(F, c, c1));
            acc20 = acc20.add(FloatVector.fromArray(F, c, c2));
            acc30 = acc30.add(FloatVector.fromArray(F, c, c3));
        }
        if (bias != null) {
            FloatVector bias0v = FloatVector.fromArray(F, bias, bias0);
            acc00 = acc00.add(bias0v);
            acc10 = acc10.add(bias0v);
            acc20 = acc20.add(bias0v);
            acc30 = acc30.add(bias0v);
        }
        if (act == Activation.RELU) {
            acc00 = acc00.max(0f);
            acc10 = acc10.max(0f);
            acc20 = acc20.max(0f);
            acc30 = acc30.max(0f);
        }
        if (act == Activation.SIGMOID) {
            for (int i = 0; i < 2; i++) {
                FloatVector z0 = i == 0 ? acc00 : acc20;
                FloatVector z1 = i == 0 ? acc10 : acc30;
                FloatVector y0, y1;
                {
                    FloatVector z = z0;
                    FloatVector y;
                    // e = exp(−z), as in the class comment
                    FloatVector x = z.neg().max(EXP_MIN).min(EXP_MAX);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    y = FloatVector.broadcast(F, 1f).div(e.add(1f));
                    y0 = y;
                }
                {
                    FloatVector z = z1;
                    FloatVector y;
                    // e = exp(−z), as in the class comment
                    FloatVector x = z.neg().max(EXP_MIN).min(EXP_MAX);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    y = FloatVector.broadcast(F, 1f).div(e.add(1f));
                    y1 = y;
                }
                int ci = c0 + 2 * i * ldc;
                y0.intoArray(c, ci);
                y1.intoArray(c, ci + ldc);
            }
            return;
        }
        if (act == Activation.TANH) {
            for (int i = 0; i < 2; i++) {
                FloatVector z0 = i == 0 ? acc00 : acc20;
                FloatVector z1 = i == 0 ? acc10 : acc30;
                FloatVector y0, y1;
                {
                    FloatVector z = z0;
                    FloatVector y;
                    // |z| < ½: z·(1 + s·(c3 + … + s·c15)), s = z²
                    FloatVector s = z.mul(z);
                    FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)
                            .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)
                            .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(z);
                    FloatVector absz = z.abs();
                    // e = exp(−2|z|), as for sigmoid
                    FloatVector x = absz.mul(-2f).max(EXP_MIN);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    FloatVector big = e.neg().add(1f).div(e.add(1f)); // (1 − e) / (1 + e), z's sign next
                    y = big.blend(big.neg(), z.compare(VectorOperators.LT, 0f))
                            .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));
                    y0 = y;
                }
                {
                    FloatVector z = z1;
                    FloatVector y;
                    // |z| < ½: z·(1 + s·(c3 + … + s·c15)), s = z²
                    FloatVector s = z.mul(z);
                    FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)
                            .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)
                            .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(z);
                    FloatVector absz = z.abs();
                    // e = exp(−2|z|), as for sigmoid
                    FloatVector x = absz.mul(-2f).max(EXP_MIN);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    FloatVector big = e.neg().add(1f).div(e.add(1f)); // (1 − e) / (1 + e), z's sign next
                    y = big.blend(big.neg(), z.compare(VectorOperators.LT, 0f))
                            .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));
                    y1 = y;
                }
                int ci = c0 + 2 * i * ldc;
                y0.intoArray(c, ci);
                y1.intoArray(c, ci + ldc);
            }
            return;
        }
        acc00.intoArray(c, c0);
        acc10.intoArray(c, c1);
        acc20.intoArray(c, c2);
        acc30.intoArray(c, c3);
    }

    /** Row-edge tile: one row × 2 full vectors. */
    private static void tile1x2(int depth, float[] a, int a0, int acs, float[] b, int b0, int ldb,
                                float[] bias, int bias0, Activation act, boolean accumulate, float[] c, int c0) {
        FloatVector acc00 = FloatVector.zero(F);
        FloatVector acc01 = FloatVector.zero(F);
        for (int q = 0; q < depth; q++) {
            int bq = b0 + q * ldb;
            FloatVector a0v = FloatVector.broadcast(F, a[a0 + q * acs]);
            acc00 = a0v.fma(FloatVector.fromArray(F, b, bq), acc00);
            acc01 = a0v.fma(FloatVector.fromArray(F, b, bq + L), acc01);
        }
        // epilogue, as in tile4x2
        if (accumulate) {
            acc00 = acc00.add(FloatVector.fromArray(F, c, c0));
            acc01 = acc01.add(FloatVector.fromArray(F, c, c0 + L));
        }
        if (bias != null) {
            acc00 = acc00.add(FloatVector.fromArray(F, bias, bias0));
            acc01 = acc01.add(FloatVector.fromArray(F, bias, bias0 + L));
        }
        if (act == Activation.RELU) {
            acc00 = acc00.max(0f);
            acc01 = acc01.max(0f);
        }
        if (act == Activation.SIGMOID) {
            FloatVector y0, y1;
            {
                FloatVector z = acc00;
                FloatVector y;
                // e = exp(−z), as in the class comment
                FloatVector x = z.neg().max(EXP_MIN).min(EXP_MAX);
                FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                        .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                        .lanewise(FMA, r, 1f);
                IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                y = FloatVector.broadcast(F, 1f).div(e.add(1f));
                y0 = y;
            }
            {
                FloatVector z = acc01;
                FloatVector y;
                // e = exp(−z), as in the class comment
                FloatVector x = z.neg().max(EXP_MIN).min(EXP_MAX);
                FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                        .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                        .lanewise(FMA, r, 1f);
                IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                y = FloatVector.broadcast(F, 1f).div(e.add(1f));
                y1 = y;
            }
            y0.intoArray(c, c0);
            y1.intoArray(c, c0 + L);
            return;
        }
        if (act == Activation.TANH) {
            FloatVector y0, y1;
            {
                FloatVector z = acc00;
                FloatVector y;
                // |z| < ½: z·(1 + s·(c3 + … + s·c15)), s = z²
                FloatVector s = z.mul(z);
                FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)
                        .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)
                        .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(z);
                FloatVector absz = z.abs();
                // e = exp(−2|z|), as for sigmoid
                FloatVector x = absz.mul(-2f).max(EXP_MIN);
                FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                        .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                        .lanewise(FMA, r, 1f);
                IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                FloatVector big = e.neg().add(1f).div(e.add(1f)); // (1 − e) / (1 + e), z's sign next
                y = big.blend(big.neg(), z.compare(VectorOperators.LT, 0f))
                        .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));
                y0 = y;
            }
            {
                FloatVector z = acc01;
                FloatVector y;
                // |z| < ½: z·(1 + s·(c3 + … + s·c15)), s = z²
                FloatVector s = z.mul(z);
                FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)
                        .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)
                        .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(z);
                FloatVector absz = z.abs();
                // e = exp(−2|z|), as for sigmoid
                FloatVector x = absz.mul(-2f).max(EXP_MIN);
                FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                        .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                        .lanewise(FMA, r, 1f);
                IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                FloatVector big = e.neg().add(1f).div(e.add(1f)); // (1 − e) / (1 + e), z's sign next
                y = big.blend(big.neg(), z.compare(VectorOperators.LT, 0f))
                        .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));
                y1 = y;
            }
            y0.intoArray(c, c0);
            y1.intoArray(c, c0 + L);
            return;
        }
        acc00.intoArray(c, c0);
        acc01.intoArray(c, c0 + L);
    }

    /**
     * Edge tile: one row × one vector, lanes from {@code width} (the columns left) on masked off. The mask
     * is made here: a mask passed into a method that is not inlined is boxed.
     */
    private static void tile1x1(int depth, float[] a, int a0, int acs, float[] b, int b0, int ldb,
                                float[] bias, int bias0, Activation act, boolean accumulate, float[] c, int c0,
                                int width) {
        VectorMask<Float> cols = F.indexInRange(0, width);
        FloatVector acc00 = FloatVector.zero(F);
        for (int q = 0; q < depth; q++) {
            acc00 = FloatVector.broadcast(F, a[a0 + q * acs]).fma(FloatVector.fromArray(F, b, b0 + q * ldb, cols), acc00);
        }
        // epilogue, as in tile4x2, on masked lanes
        if (accumulate) {
            acc00 = acc00.add(FloatVector.fromArray(F, c, c0, cols));
        }
        if (bias != null) {
            acc00 = acc00.add(FloatVector.fromArray(F, bias, bias0, cols));
        }
        if (act == Activation.RELU) {
            acc00 = acc00.max(0f);
        }
        if (act == Activation.SIGMOID) {
            FloatVector y0;
            {
                FloatVector z = acc00;
                FloatVector y;
                // e = exp(−z), as in the class comment
                FloatVector x = z.neg().max(EXP_MIN).min(EXP_MAX);
                FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                        .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                        .lanewise(FMA, r, 1f);
                IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                y = FloatVector.broadcast(F, 1f).div(e.add(1f));
                y0 = y;
            }
            y0.intoArray(c, c0, cols);
            return;
        }
        if (act == Activation.TANH) {
            FloatVector y0;
            {
                FloatVector z = acc00;
                FloatVector y;
                // |z| < ½: z·(1 + s·(c3 + … + s·c15)), s = z²
                FloatVector s = z.mul(z);
                FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)
                        .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)
                        .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(z);
                FloatVector absz = z.abs();
                // e = exp(−2|z|), as for sigmoid
                FloatVector x = absz.mul(-2f).max(EXP_MIN);
                FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                        .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                        .lanewise(FMA, r, 1f);
                IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                FloatVector big = e.neg().add(1f).div(e.add(1f)); // (1 − e) / (1 + e), z's sign next
                y = big.blend(big.neg(), z.compare(VectorOperators.LT, 0f))
                        .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));
                y0 = y;
            }
            y0.intoArray(c, c0, cols);
            return;
        }
        acc00.intoArray(c, c0, cols);
    }

    // =================================================================================== GEMM: dX = dZ·Wᵀ

    @Override
    public void inputGradient(int m, int n, int k, float[] dz, int dzOff, int lddz, float[] w, int wOff,
                              int ldw, float[] dx, int dxOff, int lddx) {
        // dX[i][p] = Σ_j dZ[i][j]·W[p][j]: row i of dZ and row p of W are both contiguous in j, so each
        // output is a dot product along j, read in place (no transposed copy of W). A 2×4 tile reuses each
        // dZ load for 4 rows of W and each W load for 2 rows of dZ, and reduces its 8 lane sums once.
        int i = 0;
        for (; i + 2 <= m; i += 2) {
            int p = 0;
            for (; p + 4 <= k; p += 4) {
                dot2x4(n, dz, dzOff + i * lddz, lddz, w, wOff + p * ldw, ldw, dx, dxOff + i * lddx + p, lddx);
            }
            for (; p < k; p++) { // edge: the last k % 4 rows of W
                dot2x1(n, dz, dzOff + i * lddz, lddz, w, wOff + p * ldw, dx, dxOff + i * lddx + p, lddx);
            }
        }
        for (; i < m; i++) { // edge: the last row of dZ when m is odd
            int p = 0;
            for (; p + 4 <= k; p += 4) {
                dot1x4(n, dz, dzOff + i * lddz, w, wOff + p * ldw, ldw, dx, dxOff + i * lddx + p);
            }
            for (; p < k; p++) {
                dot1x1(n, dz, dzOff + i * lddz, w, wOff + p * ldw, dx, dxOff + i * lddx + p);
            }
        }
    }

    /**
     * Dot-product tile: {@code dX[i+r][p+q] = Σ_j dZ[i+r][j]·W[p+q][j]} for r < 2, q < 4; {@code accRQ}
     * holds the lane-wise partial sums. Vector body over full vectors, then one masked vector tail (masked
     * lanes load 0 and add nothing), then the 8 horizontal sums.
     */
    private static void dot2x4(int n, float[] dz, int z0, int lddz, float[] w, int w0, int ldw,
                               float[] dx, int x0, int lddx) {
        FloatVector acc00 = FloatVector.zero(F), acc01 = FloatVector.zero(F);
        FloatVector acc02 = FloatVector.zero(F), acc03 = FloatVector.zero(F);
        FloatVector acc10 = FloatVector.zero(F), acc11 = FloatVector.zero(F);
        FloatVector acc12 = FloatVector.zero(F), acc13 = FloatVector.zero(F);
        int z1 = z0 + lddz;
        int w1 = w0 + ldw;
        int w2 = w1 + ldw;
        int w3 = w2 + ldw;
        int j = 0;
        for (int full = F.loopBound(n); j < full; j += L) { // vector body
            FloatVector z0v = FloatVector.fromArray(F, dz, z0 + j);
            FloatVector z1v = FloatVector.fromArray(F, dz, z1 + j);
            FloatVector wv = FloatVector.fromArray(F, w, w0 + j);
            acc00 = z0v.fma(wv, acc00);
            acc10 = z1v.fma(wv, acc10);
            wv = FloatVector.fromArray(F, w, w1 + j);
            acc01 = z0v.fma(wv, acc01);
            acc11 = z1v.fma(wv, acc11);
            wv = FloatVector.fromArray(F, w, w2 + j);
            acc02 = z0v.fma(wv, acc02);
            acc12 = z1v.fma(wv, acc12);
            wv = FloatVector.fromArray(F, w, w3 + j);
            acc03 = z0v.fma(wv, acc03);
            acc13 = z1v.fma(wv, acc13);
        }
        if (j < n) { // vector tail: the last n % L columns
            VectorMask<Float> tail = F.indexInRange(j, n);
            FloatVector z0v = FloatVector.fromArray(F, dz, z0 + j, tail);
            FloatVector z1v = FloatVector.fromArray(F, dz, z1 + j, tail);
            FloatVector wv = FloatVector.fromArray(F, w, w0 + j, tail);
            acc00 = z0v.fma(wv, acc00);
            acc10 = z1v.fma(wv, acc10);
            wv = FloatVector.fromArray(F, w, w1 + j, tail);
            acc01 = z0v.fma(wv, acc01);
            acc11 = z1v.fma(wv, acc11);
            wv = FloatVector.fromArray(F, w, w2 + j, tail);
            acc02 = z0v.fma(wv, acc02);
            acc12 = z1v.fma(wv, acc12);
            wv = FloatVector.fromArray(F, w, w3 + j, tail);
            acc03 = z0v.fma(wv, acc03);
            acc13 = z1v.fma(wv, acc13);
        }
        // lane sums in one fixed order (class comment): fold by L/2, L/4, …, 1 lanes; lane 0 holds the sum
        if (L > 32) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_32));
            acc01 = acc01.add(acc01.rearrange(ROTATE_32));
            acc02 = acc02.add(acc02.rearrange(ROTATE_32));
            acc03 = acc03.add(acc03.rearrange(ROTATE_32));
            acc10 = acc10.add(acc10.rearrange(ROTATE_32));
            acc11 = acc11.add(acc11.rearrange(ROTATE_32));
            acc12 = acc12.add(acc12.rearrange(ROTATE_32));
            acc13 = acc13.add(acc13.rearrange(ROTATE_32));
        }
        if (L > 16) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_16));
            acc01 = acc01.add(acc01.rearrange(ROTATE_16));
            acc02 = acc02.add(acc02.rearrange(ROTATE_16));
            acc03 = acc03.add(acc03.rearrange(ROTATE_16));
            acc10 = acc10.add(acc10.rearrange(ROTATE_16));
            acc11 = acc11.add(acc11.rearrange(ROTATE_16));
            acc12 = acc12.add(acc12.rearrange(ROTATE_16));
            acc13 = acc13.add(acc13.rearrange(ROTATE_16));
        }
        if (L > 8) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_8));
            acc01 = acc01.add(acc01.rearrange(ROTATE_8));
            acc02 = acc02.add(acc02.rearrange(ROTATE_8));
            acc03 = acc03.add(acc03.rearrange(ROTATE_8));
            acc10 = acc10.add(acc10.rearrange(ROTATE_8));
            acc11 = acc11.add(acc11.rearrange(ROTATE_8));
            acc12 = acc12.add(acc12.rearrange(ROTATE_8));
            acc13 = acc13.add(acc13.rearrange(ROTATE_8));
        }
        if (L > 4) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_4));
            acc01 = acc01.add(acc01.rearrange(ROTATE_4));
            acc02 = acc02.add(acc02.rearrange(ROTATE_4));
            acc03 = acc03.add(acc03.rearrange(ROTATE_4));
            acc10 = acc10.add(acc10.rearrange(ROTATE_4));
            acc11 = acc11.add(acc11.rearrange(ROTATE_4));
            acc12 = acc12.add(acc12.rearrange(ROTATE_4));
            acc13 = acc13.add(acc13.rearrange(ROTATE_4));
        }
        if (L > 2) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_2));
            acc01 = acc01.add(acc01.rearrange(ROTATE_2));
            acc02 = acc02.add(acc02.rearrange(ROTATE_2));
            acc03 = acc03.add(acc03.rearrange(ROTATE_2));
            acc10 = acc10.add(acc10.rearrange(ROTATE_2));
            acc11 = acc11.add(acc11.rearrange(ROTATE_2));
            acc12 = acc12.add(acc12.rearrange(ROTATE_2));
            acc13 = acc13.add(acc13.rearrange(ROTATE_2));
        }
        acc00 = acc00.add(acc00.rearrange(ROTATE_1));
        acc01 = acc01.add(acc01.rearrange(ROTATE_1));
        acc02 = acc02.add(acc02.rearrange(ROTATE_1));
        acc03 = acc03.add(acc03.rearrange(ROTATE_1));
        acc10 = acc10.add(acc10.rearrange(ROTATE_1));
        acc11 = acc11.add(acc11.rearrange(ROTATE_1));
        acc12 = acc12.add(acc12.rearrange(ROTATE_1));
        acc13 = acc13.add(acc13.rearrange(ROTATE_1));
        int x1 = x0 + lddx;
        dx[x0] = acc00.lane(0);
        dx[x0 + 1] = acc01.lane(0);
        dx[x0 + 2] = acc02.lane(0);
        dx[x0 + 3] = acc03.lane(0);
        dx[x1] = acc10.lane(0);
        dx[x1 + 1] = acc11.lane(0);
        dx[x1 + 2] = acc12.lane(0);
        dx[x1 + 3] = acc13.lane(0);
    }

    /** Edge tile: 2 rows of dZ against one row of W. */
    private static void dot2x1(int n, float[] dz, int z0, int lddz, float[] w, int w0, float[] dx, int x0,
                               int lddx) {
        FloatVector acc00 = FloatVector.zero(F);
        FloatVector acc10 = FloatVector.zero(F);
        int z1 = z0 + lddz;
        int j = 0;
        for (int full = F.loopBound(n); j < full; j += L) { // vector body
            FloatVector wv = FloatVector.fromArray(F, w, w0 + j);
            acc00 = FloatVector.fromArray(F, dz, z0 + j).fma(wv, acc00);
            acc10 = FloatVector.fromArray(F, dz, z1 + j).fma(wv, acc10);
        }
        if (j < n) { // vector tail
            VectorMask<Float> tail = F.indexInRange(j, n);
            FloatVector wv = FloatVector.fromArray(F, w, w0 + j, tail);
            acc00 = FloatVector.fromArray(F, dz, z0 + j, tail).fma(wv, acc00);
            acc10 = FloatVector.fromArray(F, dz, z1 + j, tail).fma(wv, acc10);
        }
        // lane sums, as in dot2x4
        if (L > 32) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_32));
            acc10 = acc10.add(acc10.rearrange(ROTATE_32));
        }
        if (L > 16) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_16));
            acc10 = acc10.add(acc10.rearrange(ROTATE_16));
        }
        if (L > 8) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_8));
            acc10 = acc10.add(acc10.rearrange(ROTATE_8));
        }
        if (L > 4) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_4));
            acc10 = acc10.add(acc10.rearrange(ROTATE_4));
        }
        if (L > 2) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_2));
            acc10 = acc10.add(acc10.rearrange(ROTATE_2));
        }
        acc00 = acc00.add(acc00.rearrange(ROTATE_1));
        acc10 = acc10.add(acc10.rearrange(ROTATE_1));
        dx[x0] = acc00.lane(0);
        dx[x0 + lddx] = acc10.lane(0);
    }

    /** Edge tile: one row of dZ against 4 rows of W. */
    private static void dot1x4(int n, float[] dz, int z0, float[] w, int w0, int ldw, float[] dx, int x0) {
        FloatVector acc00 = FloatVector.zero(F), acc01 = FloatVector.zero(F);
        FloatVector acc02 = FloatVector.zero(F), acc03 = FloatVector.zero(F);
        int w1 = w0 + ldw;
        int w2 = w1 + ldw;
        int w3 = w2 + ldw;
        int j = 0;
        for (int full = F.loopBound(n); j < full; j += L) { // vector body
            FloatVector z0v = FloatVector.fromArray(F, dz, z0 + j);
            acc00 = z0v.fma(FloatVector.fromArray(F, w, w0 + j), acc00);
            acc01 = z0v.fma(FloatVector.fromArray(F, w, w1 + j), acc01);
            acc02 = z0v.fma(FloatVector.fromArray(F, w, w2 + j), acc02);
            acc03 = z0v.fma(FloatVector.fromArray(F, w, w3 + j), acc03);
        }
        if (j < n) { // vector tail
            VectorMask<Float> tail = F.indexInRange(j, n);
            FloatVector z0v = FloatVector.fromArray(F, dz, z0 + j, tail);
            acc00 = z0v.fma(FloatVector.fromArray(F, w, w0 + j, tail), acc00);
            acc01 = z0v.fma(FloatVector.fromArray(F, w, w1 + j, tail), acc01);
            acc02 = z0v.fma(FloatVector.fromArray(F, w, w2 + j, tail), acc02);
            acc03 = z0v.fma(FloatVector.fromArray(F, w, w3 + j, tail), acc03);
        }
        // lane sums, as in dot2x4
        if (L > 32) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_32));
            acc01 = acc01.add(acc01.rearrange(ROTATE_32));
            acc02 = acc02.add(acc02.rearrange(ROTATE_32));
            acc03 = acc03.add(acc03.rearrange(ROTATE_32));
        }
        if (L > 16) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_16));
            acc01 = acc01.add(acc01.rearrange(ROTATE_16));
            acc02 = acc02.add(acc02.rearrange(ROTATE_16));
            acc03 = acc03.add(acc03.rearrange(ROTATE_16));
        }
        if (L > 8) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_8));
            acc01 = acc01.add(acc01.rearrange(ROTATE_8));
            acc02 = acc02.add(acc02.rearrange(ROTATE_8));
            acc03 = acc03.add(acc03.rearrange(ROTATE_8));
        }
        if (L > 4) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_4));
            acc01 = acc01.add(acc01.rearrange(ROTATE_4));
            acc02 = acc02.add(acc02.rearrange(ROTATE_4));
            acc03 = acc03.add(acc03.rearrange(ROTATE_4));
        }
        if (L > 2) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_2));
            acc01 = acc01.add(acc01.rearrange(ROTATE_2));
            acc02 = acc02.add(acc02.rearrange(ROTATE_2));
            acc03 = acc03.add(acc03.rearrange(ROTATE_2));
        }
        acc00 = acc00.add(acc00.rearrange(ROTATE_1));
        acc01 = acc01.add(acc01.rearrange(ROTATE_1));
        acc02 = acc02.add(acc02.rearrange(ROTATE_1));
        acc03 = acc03.add(acc03.rearrange(ROTATE_1));
        dx[x0] = acc00.lane(0);
        dx[x0 + 1] = acc01.lane(0);
        dx[x0 + 2] = acc02.lane(0);
        dx[x0 + 3] = acc03.lane(0);
    }

    /** Corner tile: one row of dZ against one row of W. */
    private static void dot1x1(int n, float[] dz, int z0, float[] w, int w0, float[] dx, int x0) {
        FloatVector acc00 = FloatVector.zero(F);
        int j = 0;
        for (int full = F.loopBound(n); j < full; j += L) { // vector body
            acc00 = FloatVector.fromArray(F, dz, z0 + j).fma(FloatVector.fromArray(F, w, w0 + j), acc00);
        }
        if (j < n) { // vector tail
            VectorMask<Float> tail = F.indexInRange(j, n);
            acc00 = FloatVector.fromArray(F, dz, z0 + j, tail).fma(FloatVector.fromArray(F, w, w0 + j, tail), acc00);
        }
        // lane sum, as in dot2x4
        if (L > 32) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_32));
        }
        if (L > 16) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_16));
        }
        if (L > 8) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_8));
        }
        if (L > 4) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_4));
        }
        if (L > 2) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_2));
        }
        acc00 = acc00.add(acc00.rearrange(ROTATE_1));
        dx[x0] = acc00.lane(0);
    }

    // =================================================================================== elementwise backward

    // The three heads below share one shape: one vector of columns outside, the rows inside, so that the
    // column block of db stays in a register for its whole sum over rows and dZ is written exactly once.
    // The mask covers the last n % L columns; masked-off lanes are neither loaded nor stored.

    @Override
    public void activationBackward(int m, int n, Activation act, float[] y, int yOff, int ldy,
                                   float[] dy, int dyOff, int lddy, float[] dz, int dzOff, int lddz,
                                   float[] db, int dbOff, boolean accumulate) {
        requireElementwise(act);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> cols = F.indexInRange(j, n);
            FloatVector sum = db != null && accumulate
                    ? FloatVector.fromArray(F, db, dbOff + j, cols) : FloatVector.zero(F);
            for (int i = 0; i < m; i++) {
                FloatVector yv = FloatVector.fromArray(F, y, yOff + i * ldy + j, cols);
                FloatVector g = FloatVector.fromArray(F, dy, dyOff + i * lddy + j, cols);
                // dZ = dY·act'(Y), act' from the output, in Activation.gradient's operation order
                if (act == Activation.SIGMOID) {
                    g = g.mul(yv.mul(one.sub(yv)));              // y(1 − y)
                } else if (act == Activation.TANH) {
                    g = g.mul(one.sub(yv.mul(yv)));              // 1 − y²
                } else if (act == Activation.RELU) {
                    g = g.blend(0f, yv.compare(VectorOperators.LE, 0f)); // [y > 0]; a NaN y lets dY through
                }
                g.intoArray(dz, dzOff + i * lddz + j, cols); // after the dY load: dz may be dy itself
                sum = sum.add(g);
            }
            if (db != null) {
                sum.intoArray(db, dbOff + j, cols);
            }
        }
    }

    @Override
    public void outputMinusTarget(int m, int n, float[] y, int yOff, int ldy, float[] t, int tOff, int ldt,
                                  float scale, float[] dz, int dzOff, int lddz, float[] db, int dbOff,
                                  boolean accumulate) {
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> cols = F.indexInRange(j, n);
            FloatVector sum = db != null && accumulate
                    ? FloatVector.fromArray(F, db, dbOff + j, cols) : FloatVector.zero(F);
            for (int i = 0; i < m; i++) {
                FloatVector yv = FloatVector.fromArray(F, y, yOff + i * ldy + j, cols);
                FloatVector tv = FloatVector.fromArray(F, t, tOff + i * ldt + j, cols);
                FloatVector g = yv.sub(tv).mul(scale); // (Y − T)·scale
                g.intoArray(dz, dzOff + i * lddz + j, cols);
                sum = sum.add(g);
            }
            if (db != null) {
                sum.intoArray(db, dbOff + j, cols);
            }
        }
    }

    @Override
    public void softmaxCrossEntropyBackward(int m, int n, float[] p, int pOff, int ldp, int[] labels,
                                            int labelsOff, float scale, float[] dz, int dzOff, int lddz,
                                            float[] db, int dbOff, boolean accumulate) {
        FloatVector lane = FloatVector.zero(F).addIndex(1); // 0, 1, 2, ... L−1
        for (int j = 0; j < n; j += L) {
            VectorMask<Float> cols = F.indexInRange(j, n);
            FloatVector sum = db != null && accumulate
                    ? FloatVector.fromArray(F, db, dbOff + j, cols) : FloatVector.zero(F);
            for (int i = 0; i < m; i++) {
                // the one-hot lane: j + lane == label (none when the label lies in another block); lane
                // numbers are small integers, exact in float
                VectorMask<Float> hot = lane.compare(VectorOperators.EQ, (float) (labels[labelsOff + i] - j));
                FloatVector pv = FloatVector.fromArray(F, p, pOff + i * ldp + j, cols);
                FloatVector g = pv.sub(1f, hot).mul(scale); // (P − onehot)·scale
                g.intoArray(dz, dzOff + i * lddz + j, cols);
                sum = sum.add(g);
            }
            if (db != null) {
                sum.intoArray(db, dbOff + j, cols);
            }
        }
    }

    // =================================================================================== softmax

    @Override
    public void softmaxRows(int m, int n, float[] z, int zOff, int ldz) {
        // Four sweeps per row: max (so exp cannot overflow), e = exp(z − max) stored in place, their sum in
        // column order (the same bits at every width), then e / sum. Masked lanes keep the running max untouched. A NaN anywhere in the row makes the
        // max NaN (MAX keeps NaN), hence the whole row NaN, as in the scalar kernel.
        for (int i = 0; i < m; i++) {
            int row = zOff + i * ldz;
            FloatVector maxv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < n; j += L) {
                VectorMask<Float> cols = F.indexInRange(j, n);
                maxv = maxv.lanewise(VectorOperators.MAX, FloatVector.fromArray(F, z, row + j, cols), cols);
            }
            float max = maxv.reduceLanes(VectorOperators.MAX);
            for (int j = 0; j < n; j += L) {
                VectorMask<Float> cols = F.indexInRange(j, n);
                // e = exp(z − max) as in the tiles' sigmoid (z − max ≤ 0, except in masked-off lanes)
                FloatVector x = FloatVector.fromArray(F, z, row + j, cols).sub(max).max(EXP_MIN).min(EXP_MAX);
                FloatVector nv = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                FloatVector r = x.sub(nv.mul(LN2_HI)).sub(nv.mul(LN2_LO));
                FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                        .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f).lanewise(FMA, r, 1f);
                IntVector n0 = (IntVector) nv.convert(VectorOperators.F2I, 0);
                IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                        .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                e.intoArray(z, row + j, cols);
            }
            // the sum of the row's e, added one by one in column order: the same bits at every vector width
            // (a lane sum's order depends on the number of lanes), for the price of n scalar adds per row
            float sum = 0f;
            for (int j = 0; j < n; j++) {
                sum += z[row + j];
            }
            for (int j = 0; j < n; j += L) {
                VectorMask<Float> cols = F.indexInRange(j, n);
                FloatVector.fromArray(F, z, row + j, cols).div(sum).intoArray(z, row + j, cols);
            }
        }
    }

    private static void requireElementwise(Activation act) {
        if (!act.isElementwise()) {
            throw new UnsupportedOperationException(act + " is not elementwise: softmax acts on rows"
                    + " (softmaxRows) and is differentiated only through the softmax cross-entropy head");
        }
    }
}
