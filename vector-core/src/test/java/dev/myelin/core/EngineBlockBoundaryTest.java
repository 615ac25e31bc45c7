package dev.myelin.core;

import static dev.myelin.core.EngineChecks.SCALAR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.simd.BlockedKernel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * The packed engine ({@code blocked}) on shapes that sit on every block boundary of {@link EngineBlocks}, read
 * from the main code: rows MR ± 1 and TALL ± 1 (edge row tiles after a long run of full ones), columns L − 1, L,
 * L + 1 (the narrow L-wide panel and the first wide partial one), NR ± 1, NC ± 1 (a second NC block of one
 * column), depths KC − 1, KC, KC + 1 and 2·KC + 1 (one, two and three k blocks: the partial sums stored in C
 * between blocks, the epilogue on the last one only).
 *
 * <p>The shapes are GEMM shapes M×N×K <em>as the engine runs them</em>, and each operation is given the layer
 * shape that maps onto it: forward {@code (m, n, k) = (M, N, K)}; the weight gradient, a GEMM of
 * {@code k×n×m} with A = X read transposed, {@code (m, n, k) = (K, N, M)}; the input gradient, a GEMM of
 * {@code m×k×n} with B = W read transposed, {@code (m, n, k) = (M, K, N)}. So every operation crosses every
 * boundary in its own loop nest. The set covers each boundary value in each dimension
 * ({@link #everyBoundaryValueAppearsInEveryDimension}), not the cartesian product: the column blocks (NC ± 1)
 * come with few rows and, but for one, a shallow depth. Rows around {@code PackedGemm.IN_PLACE_B_MAX_ROWS}
 * (when the engine has it) take B in place or packed. Widths: the preferred one, 256 and 128 bits.
 *
 * <p>Every operand is a view at an offset with row stride cols + 3 or cols + 7 inside an array of NaN sentinels
 * (every sentinel must survive); outputs that are overwritten start as NaN (a kernel that reads them fails);
 * the accumulating weight gradient starts from random dW, which it must read and add. Results must lie within
 * the {@link Conformance} bounds ({@link EngineChecks}) of the double reference, and twice that of the scalar
 * kernel (whose forward is called once, with identity, and {@link Activation#apply} gives its result for every
 * activation, as it computes them). {@link #theChecksCatchWrongResults} shows the checks reject one term of the
 * sum dropped or counted twice, an epilogue applied on every k block, the bias added twice, an
 * ignored old dW and an overwritten sentinel.
 * A forward of at most SMALL_ROWS rows runs the unpacked {@code vector} path, and an input gradient the fixed-order
 * dot products of FixedOrderDot (BlockSizes.SMALL_ROWS): those shapes check these paths; the engine's row edges
 * are reached through the weight gradient (whose GEMM rows are the layer's k) and through BlasTest's sgemm,
 * which always use it.
 */
class EngineBlockBoundaryTest {

    /** A GEMM shape as the engine runs it, with the boundary each dimension sits on. */
    record Shape(int m, int n, int k, String mAt, String nAt, String kAt) {

        long seed() {
            return 1_000_003L * m + 1_009L * n + k;
        }

        @Override
        public String toString() {
            return "GEMM " + m + "×" + n + "×" + k + " (M " + mAt + ", N " + nAt + ", K " + kAt + ")";
        }
    }

    /** The covering set for vectors of {@code lanes} floats: every boundary of M, N and K appears. */
    static List<Shape> shapes(int lanes) {
        int mr = EngineBlocks.mr(lanes), mc = EngineBlocks.tall(lanes), kc = EngineBlocks.KC, nc = EngineBlocks.NC;
        int l = lanes, nr = EngineBlocks.nr(lanes);
        List<Shape> s = new ArrayList<>();
        s.add(new Shape(mc + 1, nr + 1, 2 * kc + 1, "TALL+1", "NR+1", "2KC+1"));
        s.add(new Shape(mc, nr, kc + 1, "TALL", "NR", "KC+1"));
        s.add(new Shape(mc - 1, l + 1, kc, "TALL-1", "L+1", "KC"));
        s.add(new Shape(mr + 1, nr - 1, kc - 1, "MR+1", "NR-1", "KC-1"));
        s.add(new Shape(mr, l, 2 * kc + 1, "MR", "L", "2KC+1"));
        s.add(new Shape(mr - 1, l - 1, kc + 1, "MR-1", "L-1", "KC+1"));
        // column blocks: NC ± 1 with few rows, and (but for one) a shallow depth: the engine is slow until C2
        // has compiled it, and the depth boundaries are covered above
        s.add(new Shape(mr - 1, nc + 1, kc + 1, "MR-1", "NC+1", "KC+1"));
        s.add(new Shape(mr, nc, 9, "MR", "NC", "9"));
        s.add(new Shape(mr + 1, nc - 1, 17, "MR+1", "NC-1", "17"));
        // more than 2·NR columns, the weight gradient's transposed A read in place, past TALL rows
        s.add(new Shape(mc + 1, 3 * nr + 1, kc - 1, "TALL+1", "3NR+1", "KC-1"));
        s.add(new Shape(mc - 1, 2 * nr + l, kc + 1, "TALL-1", "2NR+L", "KC+1"));
        // up to IN_PLACE_B_MAX_ROWS rows a row-major B is read in place (a partial last panel copied): both sides
        int t = EngineBlocks.IN_PLACE_B_MAX_ROWS;
        if (t > 0) {
            s.add(new Shape(t, nr + 1, kc + 1, "IN_PLACE_B_MAX_ROWS", "NR+1", "KC+1"));
            s.add(new Shape(t + 1, l + 1, kc - 1, "IN_PLACE_B_MAX_ROWS+1", "L+1", "KC-1"));
            s.add(new Shape(t, l - 1, 2 * kc + 1, "IN_PLACE_B_MAX_ROWS", "L-1", "2KC+1"));
            s.add(new Shape(t - 1, 2 * nr + l, kc, "IN_PLACE_B_MAX_ROWS-1", "2NR+L", "KC"));
        }
        return s;
    }

    /** The widths under test: the preferred one, 256 and 128 bits (each once). */
    static List<Named<BlockedKernel>> kernels() {
        Map<Integer, Named<BlockedKernel>> byBits = new LinkedHashMap<>();
        for (int bits : new int[] {0, 256, 128}) {
            BlockedKernel k = new BlockedKernel(bits);
            byBits.putIfAbsent(k.bits(), Named.of("blocked " + k.bits() + "-bit" + (bits == 0 ? " (preferred)" : ""),
                    k));
        }
        return new ArrayList<>(byBits.values());
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Named<BlockedKernel> kernel : kernels()) {
            for (Shape s : shapes(kernel.getPayload().lanes())) {
                cases.add(Arguments.of(kernel, s));
            }
        }
        return cases.stream();
    }

    /**
     * Thin outputs, the shapes of a classifier's last layer (n = 10) and its gradients: GEMMs whose last column
     * panel is narrow (at most L columns), which the engine computes in groups of T = THIN_ROWS rows
     * ({@code PackedGemm.thinKernel}), and the rows left either as one more group overlapping the one before (a
     * single k block with C only written: the overlapped rows stored twice with the same bits) or one MR tile at
     * a time ({@code narrowKernel}, through the staging tile for an edge). Rows: T (exactly one group; with B read
     * in place while T ≤ IN_PLACE_B_MAX_ROWS), T + 1 (a group and a one-row edge), T + MR (a group and one full
     * MR tile left), T + MR + 1 (a group, an MR tile and a one-row edge, when MR + 1 < T), 2T and 2T + 1, and 128
     * (sixteen groups at T 8, ten and an MR tile and edge rows at T 12). Columns: 1, 5, 10, 16, 17 and L − 1, L, L + 1, NR + 1, NR + L: a partial narrow
     * panel (staged, T × L in the staging tile), a full one (stored straight into C), and a narrow panel after
     * full wide ones. Depths rotate through 9, KC − 1, KC + 1 and 2·KC + 1 (one to three k blocks: a narrow
     * group reading back its partial sums from C through the staging tile). The weight gradient of fewer than L
     * columns over at least NR rows (A read transposed, no bias) is computed as Cᵀ = Bᵀ·Aᵀ instead, its n
     * columns as tile rows (an edge row tile whenever MR does not divide n) and C written transposed through
     * the staging tile, over one and over several k blocks (the accumulating call reads C back the same way).
     * {@link #thinShapesReachEveryEdgeOfTheNarrowGroups} checks this
     * coverage from the block sizes, so a retuning keeps it. The same three operations as above map onto each
     * shape, so the groups are reached with A row-major (forward, for more than SMALL_ROWS rows) and
     * transposed (weight gradient), and B row-major (packed or in place) and transposed (input gradient), at
     * every width, with the same bounds and sentinels.
     */
    static List<Shape> thinShapes(int lanes) {
        int mr = EngineBlocks.mr(lanes), kc = EngineBlocks.KC, l = lanes, nr = EngineBlocks.nr(lanes);
        int t = EngineBlocks.thinRows(lanes);
        int[] ms = {t, t + 1, t + mr, t + mr + 1, 2 * t, 2 * t + 1, 128};
        String[] mAt = {"T", "T+1", "T+MR", "T+MR+1", "2T", "2T+1", "128"};
        int[] ks = {9, kc - 1, kc + 1, 2 * kc + 1};
        String[] kAt = {"9", "KC-1", "KC+1", "2KC+1"};
        Map<Integer, String> ns = new LinkedHashMap<>();
        for (int n : new int[] {1, 5, 10, 16, 17}) {
            ns.put(n, String.valueOf(n));
        }
        ns.putIfAbsent(l - 1, "L-1");
        ns.putIfAbsent(l, "L");
        ns.putIfAbsent(l + 1, "L+1");
        ns.putIfAbsent(nr + 1, "NR+1");
        ns.putIfAbsent(nr + l, "NR+L");
        List<Shape> s = new ArrayList<>();
        int rotation = 0;
        for (int i = 0; i < ms.length; i++) {
            for (Map.Entry<Integer, String> n : ns.entrySet()) {
                int kIndex = rotation++ % ks.length;
                s.add(new Shape(ms[i], n.getKey(), ks[kIndex], mAt[i], n.getValue(), kAt[kIndex]));
            }
        }
        return s;
    }

    static Stream<Arguments> thinCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Named<BlockedKernel> kernel : kernels()) {
            for (Shape s : thinShapes(kernel.getPayload().lanes())) {
                cases.add(Arguments.of(kernel, s));
            }
        }
        return cases.stream();
    }

    /**
     * The thin shapes reach every edge of the narrow groups at every width, counted as the engine tiles them:
     * a narrow last panel (1 ≤ n mod NR ≤ L, or n ≤ L) partial and full, alone and after full wide panels;
     * rows in groups only, a group plus edge rows, a group plus one full MR tile, a group plus an MR tile and
     * edge rows; a forward that takes the engine (more than SMALL_ROWS rows) with a narrow group; a narrow group
     * over two k blocks; rows left after the groups in one k block (an overlapping group) and in several.
     */
    @Test
    void thinShapesReachEveryEdgeOfTheNarrowGroups() {
        int kc = EngineBlocks.KC;
        for (Named<BlockedKernel> kernel : kernels()) {
            int l = kernel.getPayload().lanes(), nr = EngineBlocks.nr(l), mr = EngineBlocks.mr(l);
            int t = EngineBlocks.thinRows(l);
            assertTrue(mr + 1 < t, "the row cases below assume MR + 1 < THIN_ROWS: MR " + mr + ", T " + t);
            List<Shape> shapes = thinShapes(l);
            String what = kernel.getName() + ": " + shapes;
            Set<String> seen = new TreeSet<>();
            for (Shape s : shapes) {
                // the weight gradient (A transposed, no bias, identity) of n < L columns and m ≥ NR rows is
                // computed as Cᵀ = Bᵀ·Aᵀ: its n columns are tile rows, its m rows the vectors
                if (s.n() < l && s.m() >= nr) {
                    seen.add(s.n() % mr == 0 ? "Cᵀ: full row tiles" : "Cᵀ: an edge row tile");
                    seen.add(s.k() > kc ? "Cᵀ: two or more k blocks" : "Cᵀ: one k block");
                }
                int last = s.n() - (s.n() - 1) / nr * nr; // columns of the last panel
                if (last > l || s.m() < t) {
                    continue; // no narrow group
                }
                seen.add(last == l ? "full narrow panel" : "partial narrow panel");
                if (s.n() > nr) {
                    seen.add("narrow panel after wide ones");
                }
                int left = s.m() % t; // rows after the last group
                seen.add(left == 0 ? "groups only" : left < mr ? "group + edge rows" : left == mr
                        ? "group + one MR tile" : "group + MR tile + edge rows");
                if (s.m() > EngineBlocks.SMALL_ROWS) {
                    seen.add("forward through the engine");
                }
                if (s.k() > kc) {
                    seen.add("two or more k blocks");
                }
                if (left != 0) { // rows left after the groups: one overlapping group when C is only written
                    seen.add(s.k() <= kc ? "rows left, one k block" : "rows left, two or more k blocks");
                }
            }
            assertEquals(new TreeSet<>(List.of("full narrow panel", "partial narrow panel",
                    "narrow panel after wide ones", "groups only", "group + edge rows", "group + one MR tile",
                    "group + MR tile + edge rows", "forward through the engine", "two or more k blocks",
                    "rows left, one k block", "rows left, two or more k blocks", "Cᵀ: an edge row tile",
                    "Cᵀ: one k block", "Cᵀ: two or more k blocks")), seen, what);
        }
    }

    /**
     * The thin shapes once more with every operand tight (row stride = columns, no padding; sentinels before the
     * view, the array ending with it): the engine then takes its single-copy paths (a partial narrow B panel
     * copied in one piece when B's rows are contiguous, a staged narrow group copied to and from C in one piece
     * when C's are). The operations and the bits do not depend on the strides, so every output must equal, bit
     * for bit, the strided run's, which the tests above check against the references.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("thinCases")
    void thinShapesGiveTheSameBitsWithTightOperands(BlockedKernel kernel, Shape s) {
        int m = s.m(), n = s.n(), k = s.k();
        Random r = new Random(s.seed() + 3);
        Mat x = Mat.strided(m, k, 5, 3).random(r, -1, 1), w = Mat.strided(k, n, 2, 7).random(r, -1, 1);
        Mat b = Mat.strided(1, n, 3, 3).random(r, -1, 1), dz = Mat.strided(m, n, 6, 3).random(r, -1, 1);
        Mat dw0 = Mat.strided(k, n, 4, 7).random(r, -1, 1);
        Mat xt = tight(x), wt = tight(w), bt = tight(b), dzt = tight(dz), dw0t = tight(dw0);
        String what = kernel.describe() + " tight " + s;
        for (Activation act : KernelConformanceTest.elementwise()) {
            Mat y = Mat.strided(m, n, 7, 7).fill(Float.NaN), yt = Mat.strided(m, n, 4, 0).fill(Float.NaN);
            Mat yt0 = yt.copy();
            kernel.forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, b.a, b.off, act, y.a, y.off, y.ld);
            kernel.forward(m, n, k, xt.a, xt.off, xt.ld, wt.a, wt.off, wt.ld, bt.a, bt.off, act, yt.a, yt.off, yt.ld);
            assertSameBits(what + " forward[" + act + "]", y, yt, yt0);
        }
        // the weight gradient as the engine's GEMM of s: dW[k×n] = Xᵀ·dZ with the layer's m = s.k(), k = s.m()
        Mat xg = Mat.strided(k, m, 3, 7).random(r, -1, 1), xgt = tight(xg);
        Mat dzg = Mat.strided(k, n, 6, 3).random(r, -1, 1), dzgt = tight(dzg);
        Mat dwPrior = Mat.strided(m, n, 4, 7).random(r, -1, 1);
        for (boolean accumulate : new boolean[] {false, true}) {
            Mat dw = accumulate ? dwPrior.copy() : Mat.strided(m, n, 4, 7).fill(Float.NaN);
            Mat dwt = accumulate ? tight(dwPrior) : Mat.strided(m, n, 2, 0).fill(Float.NaN);
            Mat dwt0 = dwt.copy();
            kernel.weightGradient(k, n, m, xg.a, xg.off, xg.ld, dzg.a, dzg.off, dzg.ld, dw.a, dw.off, dw.ld,
                    accumulate);
            kernel.weightGradient(k, n, m, xgt.a, xgt.off, xgt.ld, dzgt.a, dzgt.off, dzgt.ld, dwt.a, dwt.off, dwt.ld,
                    accumulate);
            assertSameBits(what + " weightGradient" + (accumulate ? "[accumulate]" : ""), dw, dwt, dwt0);
        }
        // the input gradient as the GEMM of s: dX[m×n] = dZ·Wᵀ with the layer's n = s.k(), k = s.n()
        Mat dzi = Mat.strided(m, k, 1, 3).random(r, -1, 1), dzit = tight(dzi);
        Mat wi = Mat.strided(n, k, 5, 7).random(r, -1, 1), wit = tight(wi);
        Mat dx = Mat.strided(m, n, 2, 3).fill(Float.NaN), dxt = Mat.strided(m, n, 3, 0).fill(Float.NaN);
        Mat dxt0 = dxt.copy();
        kernel.inputGradient(m, k, n, dzi.a, dzi.off, dzi.ld, wi.a, wi.off, wi.ld, dx.a, dx.off, dx.ld);
        kernel.inputGradient(m, k, n, dzit.a, dzit.off, dzit.ld, wit.a, wit.off, wit.ld, dxt.a, dxt.off, dxt.ld);
        assertSameBits(what + " inputGradient", dx, dxt, dxt0);
        assertUnchangedInputs(what, List.of(xt, wt, bt, dzt, dw0t, xgt, dzgt, dzit, wit),
                List.of(tight(x), tight(w), tight(b), tight(dz), tight(dw0), tight(xg), tight(dzg), tight(dzi),
                        tight(wi)));
    }

    /** A tight copy of {@code m}: offset 2, row stride = columns, the array ending with the view. */
    private static Mat tight(Mat m) {
        Mat t = Mat.strided(m.rows, m.cols, 2, 0);
        for (int i = 0; i < m.rows; i++) {
            for (int j = 0; j < m.cols; j++) {
                t.set(i, j, m.get(i, j));
            }
        }
        return t;
    }

    private static void assertSameBits(String what, Mat expected, Mat actual, Mat actualBefore) {
        actual.assertOutsideUnchanged(actualBefore, what);
        for (int i = 0; i < expected.rows; i++) {
            for (int j = 0; j < expected.cols; j++) {
                assertEquals(Float.floatToIntBits(expected.get(i, j)), Float.floatToIntBits(actual.get(i, j)),
                        what + " at (" + i + ", " + j + "): " + actual.get(i, j) + " vs " + expected.get(i, j));
            }
        }
    }

    private static void assertUnchangedInputs(String what, List<Mat> after, List<Mat> before) {
        for (int t = 0; t < after.size(); t++) {
            after.get(t).assertUnchanged(before.get(t), what + ", input " + t);
        }
    }

    @Test
    void everyBoundaryValueAppearsInEveryDimension() {
        for (Named<BlockedKernel> kernel : kernels()) {
            int l = kernel.getPayload().lanes(), nr = EngineBlocks.nr(l);
            int mr = EngineBlocks.mr(l), mc = EngineBlocks.tall(l), kc = EngineBlocks.KC, nc = EngineBlocks.NC;
            Set<Integer> ms = new TreeSet<>(), ns = new TreeSet<>(), ks = new TreeSet<>();
            for (Shape s : shapes(l)) {
                ms.add(s.m());
                ns.add(s.n());
                ks.add(s.k());
            }
            String what = kernel.getName() + ": " + shapes(l);
            assertTrue(ms.containsAll(List.of(mr - 1, mr, mr + 1, mc - 1, mc, mc + 1)), what);
            assertTrue(ns.containsAll(List.of(l - 1, l, l + 1, nr - 1, nr, nr + 1, nc - 1, nc, nc + 1)), what);
            assertTrue(ks.containsAll(List.of(kc - 1, kc, kc + 1, 2 * kc + 1)), what);
            assertTrue(ns.stream().anyMatch(n -> n > 2 * nr) && ms.stream().anyMatch(m -> m > mc), what);
        }
    }

    // ------------------------------------------------------------------------------------------- forward

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource({"cases", "thinCases"})
    void forwardWithBiasAndEveryActivation(BlockedKernel kernel, Shape s) {
        int m = s.m(), n = s.n(), k = s.k();
        Random r = new Random(s.seed());
        Mat x = Mat.strided(m, k, 5, 3).random(r, -1, 1);
        Mat w = Mat.strided(k, n, 2, 7).random(r, -1, 1);
        Mat b = Mat.strided(1, n, 3, 3).random(r, -1, 1);
        Mat x0 = x.copy(), w0 = w.copy(), b0 = b.copy();
        double[] z = DoubleReference.preActivation(m, n, k, x.toDouble(), w.toDouble(), b.toDouble());
        double[] mag = DoubleReference.preActivation(m, n, k, x.toDouble(Math::abs), w.toDouble(Math::abs),
                b.toDouble(Math::abs));
        // the scalar kernel computes y = act.apply(Σ x·w + b) in float: one identity call gives every activation
        Mat zs = Mat.strided(m, n, 7, 7).fill(Float.NaN);
        SCALAR.forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, b.a, b.off, Activation.IDENTITY, zs.a, zs.off,
                zs.ld);
        for (Activation act : KernelConformanceTest.elementwise()) {
            String what = kernel.describe() + " forward[" + act + ", bias] " + s;
            Mat y = Mat.strided(m, n, 7, 7).fill(Float.NaN);
            Mat y0 = y.copy();
            kernel.forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, b.a, b.off, act, y.a, y.off, y.ld);
            x.assertUnchanged(x0, what + ", X");
            w.assertUnchanged(w0, what + ", W");
            b.assertUnchanged(b0, what + ", b");
            y.assertOutsideUnchanged(y0, what + ", Y");
            Mat ys = zs.copy();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    ys.set(i, j, act.apply(zs.get(i, j)));
                }
            }
            double[] ref = activate(act, z);
            Conformance.assertWithin(what, y, ref, EngineChecks.forwardBound(k, mag, ref), ys);
        }
    }

    // ------------------------------------------------------------------------------------------- weight gradient

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource({"cases", "thinCases"})
    void weightGradientOverwritingAndAccumulating(BlockedKernel kernel, Shape s) {
        int m = s.k(), n = s.n(), k = s.m(); // dW[k×n] = Xᵀ·dZ is the GEMM k×n×m
        Random r = new Random(s.seed() + 1);
        Mat x = Mat.strided(m, k, 3, 7).random(r, -1, 1);
        Mat dz = Mat.strided(m, n, 6, 3).random(r, -1, 1);
        Mat x0 = x.copy(), dz0 = dz.copy();
        double[] product = DoubleReference.weightGradient(m, n, k, x.toDouble(), dz.toDouble(), null);
        double[] mag = DoubleReference.weightGradient(m, n, k, x.toDouble(Math::abs), dz.toDouble(Math::abs), null);
        // the scalar kernel's accumulating result is its overwriting one plus the old dW, in float
        Mat products = Mat.strided(k, n, 4, 7).fill(Float.NaN);
        SCALAR.weightGradient(m, n, k, x.a, x.off, x.ld, dz.a, dz.off, dz.ld, products.a, products.off, products.ld,
                false);
        for (boolean accumulate : new boolean[] {false, true}) {
            String what = kernel.describe() + " weightGradient" + (accumulate ? "[accumulate] " : " ") + s;
            Mat dw = Mat.strided(k, n, 4, 7);
            if (accumulate) {
                dw.random(r, -1, 1);
            } else {
                dw.fill(Float.NaN);
            }
            Mat dw0 = dw.copy(), dws = products.copy();
            if (accumulate) {
                for (int p = 0; p < k; p++) {
                    for (int j = 0; j < n; j++) {
                        dws.set(p, j, dw0.get(p, j) + products.get(p, j));
                    }
                }
            }
            kernel.weightGradient(m, n, k, x.a, x.off, x.ld, dz.a, dz.off, dz.ld, dw.a, dw.off, dw.ld, accumulate);
            x.assertUnchanged(x0, what + ", X");
            dz.assertUnchanged(dz0, what + ", dZ");
            dw.assertOutsideUnchanged(dw0, what + ", dW");
            double[] ref = product.clone(), m2 = mag.clone();
            if (accumulate) {
                double[] prior = dw0.toDouble();
                for (int t = 0; t < ref.length; t++) {
                    ref[t] += prior[t];
                    m2[t] += Math.abs(prior[t]);
                }
            }
            Conformance.assertWithin(what, dw, ref, EngineChecks.reductionBound(m + (accumulate ? 1 : 0), m2), dws);
        }
    }

    // ------------------------------------------------------------------------------------------- input gradient

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource({"cases", "thinCases"})
    void inputGradient(BlockedKernel kernel, Shape s) {
        int m = s.m(), n = s.k(), k = s.n(); // dX[m×k] = dZ·Wᵀ is the GEMM m×k×n
        Random r = new Random(s.seed() + 2);
        Mat dz = Mat.strided(m, n, 1, 3).random(r, -1, 1);
        Mat w = Mat.strided(k, n, 5, 7).random(r, -1, 1);
        Mat dx = Mat.strided(m, k, 2, 3).fill(Float.NaN);
        Mat dz0 = dz.copy(), w0 = w.copy(), dx0 = dx.copy(), dxs = dx.copy();
        String what = kernel.describe() + " inputGradient " + s;
        kernel.inputGradient(m, n, k, dz.a, dz.off, dz.ld, w.a, w.off, w.ld, dx.a, dx.off, dx.ld);
        SCALAR.inputGradient(m, n, k, dz.a, dz.off, dz.ld, w.a, w.off, w.ld, dxs.a, dxs.off, dxs.ld);
        dz.assertUnchanged(dz0, what + ", dZ");
        w.assertUnchanged(w0, what + ", W");
        dx.assertOutsideUnchanged(dx0, what + ", dX");
        double[] ref = DoubleReference.inputGradient(m, n, k, dz.toDouble(), w.toDouble());
        double[] mag = DoubleReference.inputGradient(m, n, k, dz.toDouble(Math::abs), w.toDouble(Math::abs));
        Conformance.assertWithin(what, dx, ref, EngineChecks.reductionBound(n, mag), dxs);
    }

    // ------------------------------------------------------------------------------------------- the checks can fail

    /**
     * On the shape MR+1 × NR+1 × (KC+1) (two k blocks, edge tiles both ways), the checks above reject what the
     * block boundaries could plausibly get wrong: one term of the sum dropped (p = KC − 1) or counted twice
     * (p = KC), as a loop bound or packing off by one would; one element off by 4× its bound; one overwritten sentinel; an epilogue (bias and
     * sigmoid) applied at the end of every k block instead of the last one; the bias added in every k block; an
     * accumulating dW that ignores the old dW.
     */
    @Test
    void theChecksCatchWrongResults() {
        BlockedKernel kernel = new BlockedKernel(0);
        int m = EngineBlocks.mr(kernel.lanes()) + 1, n = EngineBlocks.nr(kernel.lanes()) + 1, k = EngineBlocks.KC + 1;
        int kc = EngineBlocks.KC;
        Random r = new Random(3);
        Mat x = Mat.strided(m, k, 5, 3).random(r, -1, 1);
        Mat w = Mat.strided(k, n, 2, 7).random(r, -1, 1);
        Mat b = Mat.strided(1, n, 3, 3).random(r, -1, 1);
        double[] xd = x.toDouble(), wd = w.toDouble(), bd = b.toDouble();
        double[] mag = DoubleReference.preActivation(m, n, k, x.toDouble(Math::abs), w.toDouble(Math::abs),
                b.toDouble(Math::abs));
        Activation act = Activation.SIGMOID;
        double[] ref = activate(act, DoubleReference.preActivation(m, n, k, xd, wd, bd));
        double[] bound = EngineChecks.forwardBound(k, mag, ref);

        Mat y = Mat.strided(m, n, 7, 7).fill(Float.NaN);
        Mat y0 = y.copy(), ys = y.copy();
        kernel.forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, b.a, b.off, act, y.a, y.off, y.ld);
        SCALAR.forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, b.a, b.off, act, ys.a, ys.off, ys.ld);
        Conformance.assertWithin("unperturbed", y, ref, bound, ys); // the baseline passes

        Mat off = y.copy();
        off.set(3, 5, (float) (ref[3 * n + 5] + 4 * bound[3 * n + 5]));
        assertThrows(AssertionFailedError.class, () -> Conformance.assertWithin("perturbed", off, ref, bound, ys));

        // one term dropped or counted twice (a packing or loop-bound off-by-one at a k block edge)
        double[] zd = DoubleReference.preActivation(m, n, k, xd, wd, bd);
        double[] dropped = new double[ref.length], twice = new double[ref.length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int t = i * n + j;
                dropped[t] = DoubleReference.activate(act, zd[t] - xd[i * k + kc - 1] * wd[(kc - 1) * n + j]);
                twice[t] = DoubleReference.activate(act, zd[t] + xd[i * k + kc] * wd[kc * n + j]);
            }
        }
        assertThrows(AssertionFailedError.class,
                () -> Conformance.check("term KC-1 dropped", asMat(m, n, dropped), ref, bound, 1));
        assertThrows(AssertionFailedError.class,
                () -> Conformance.check("term KC twice", asMat(m, n, twice), ref, bound, 1));

        Mat guard = y.copy();
        guard.a[guard.off + guard.cols] = 0f; // the first pad cell after row 0
        assertThrows(AssertionFailedError.class, () -> guard.assertOutsideUnchanged(y0, "overwritten sentinel"));

        // the first k block's epilogue applied too: y = act(act(z₁ + b) + z₂ + b), z₁ over p < KC
        double[] zFirst = DoubleReference.preActivation(m, n, kc, firstColumns(m, k, kc, xd), firstRows(kc, n, wd), bd);
        double[] zRest = DoubleReference.preActivation(m, n, k - kc, lastColumns(m, k, kc, xd), lastRows(kc, k, n, wd),
                bd);
        double[] everyBlock = new double[ref.length];
        double[] biasTwice = new double[ref.length];
        for (int t = 0; t < ref.length; t++) {
            everyBlock[t] = DoubleReference.activate(act, DoubleReference.activate(act, zFirst[t]) + zRest[t]);
            biasTwice[t] = DoubleReference.activate(act, zFirst[t] + zRest[t]); // b in both blocks
        }
        assertThrows(AssertionFailedError.class,
                () -> Conformance.check("epilogue on every block", asMat(m, n, everyBlock), ref, bound, 1));
        assertThrows(AssertionFailedError.class,
                () -> Conformance.check("bias twice", asMat(m, n, biasTwice), ref, bound, 1));

        // an accumulating dW that overwrote instead
        Mat dz = Mat.strided(m, n, 6, 3).random(r, -1, 1);
        Mat dw = Mat.strided(k, n, 4, 7).random(r, -1, 1);
        double[] prior = dw.toDouble();
        kernel.weightGradient(m, n, k, x.a, x.off, x.ld, dz.a, dz.off, dz.ld, dw.a, dw.off, dw.ld, false);
        double[] accRef = DoubleReference.weightGradient(m, n, k, xd, dz.toDouble(), prior);
        double[] accMag = DoubleReference.weightGradient(m, n, k, x.toDouble(Math::abs), dz.toDouble(Math::abs),
                DoubleReference.abs(prior));
        assertThrows(AssertionFailedError.class, () -> Conformance.check("accumulate ignored", dw, accRef,
                EngineChecks.reductionBound(m + 1, accMag), 1));
        assertEquals(m * n, ref.length);
    }

    // ------------------------------------------------------------------------------------------- helpers

    static double[] activate(Activation act, double[] z) {
        double[] y = new double[z.length];
        for (int t = 0; t < z.length; t++) {
            y[t] = DoubleReference.activate(act, z[t]);
        }
        return y;
    }

    private static Mat asMat(int rows, int cols, double[] values) {
        Mat s = Mat.strided(rows, cols, 1, 3);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                s.set(i, j, (float) values[i * cols + j]);
            }
        }
        return s;
    }

    private static double[] firstColumns(int m, int k, int kc, double[] x) {
        double[] out = new double[m * kc];
        for (int i = 0; i < m; i++) {
            System.arraycopy(x, i * k, out, i * kc, kc);
        }
        return out;
    }

    private static double[] lastColumns(int m, int k, int kc, double[] x) {
        double[] out = new double[m * (k - kc)];
        for (int i = 0; i < m; i++) {
            System.arraycopy(x, i * k + kc, out, i * (k - kc), k - kc);
        }
        return out;
    }

    private static double[] firstRows(int kc, int n, double[] w) {
        double[] out = new double[kc * n];
        System.arraycopy(w, 0, out, 0, kc * n);
        return out;
    }

    private static double[] lastRows(int kc, int k, int n, double[] w) {
        double[] out = new double[(k - kc) * n];
        System.arraycopy(w, kc * n, out, 0, (k - kc) * n);
        return out;
    }
}
