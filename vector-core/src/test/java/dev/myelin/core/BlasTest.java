package dev.myelin.core;

import static dev.myelin.core.Transpose.NO_TRANS;
import static dev.myelin.core.Transpose.TRANS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.core.scalar.ScalarKernel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * {@link Blas#sgemm} in the spirit of the reference BLAS test program {@code sblat3}: every
 * {@link GemmVariants variant} through the checked facade, all four (transA, transB) pairs × alpha ∈ {1, −½, 0,
 * 2½} × beta ∈ {0, 1, −1½}, on seeded shapes around the engine's blocks (register tile 6 rows × 8/16/32
 * columns, KC = 256), tight arrays and views inside NaN-sentinel arrays; the special values
 * (beta = 0 never reads C, alpha = 0 never reads A or B, the quick returns); the fused epilogue; and one test
 * per argument rule.
 *
 * <h2>The bound</h2>
 * Each element is compared with a double-precision oracle computed here (each product in double), within
 * <pre>
 *   |c − c*| ≤ C·d·ε·(|alpha|·Σ_p |op(A)(i,p)|·|op(B)(p,j)| + |beta|·|C₀(i,j)| + |bias_j|) + a·ε·|c*| + τ,
 *   d = k + 3 + ⌈k/64⌉
 * </pre>
 * with ε, C = 2, a and τ as in {@link Conformance} (Higham's γ_d with a factor 2 to spare). d counts the
 * roundings on any path from an input to the result: the k products and k − 1 additions of the sum in any
 * order (at most k: an FMA's product is exact), the multiplication by alpha, the addition of beta·C (whose
 * product is one more on the C path, which is short), the bias; and a kernel that keeps partial sums in C
 * between k blocks (the engine, KC = 256) adds one rounding per block, at most ⌈k/64⌉ for any block of at least
 * 64. The activations are 1-Lipschitz, and a covers evaluating them. Against the scalar kernel the allowance
 * is twice the bound. {@link #theBoundCatchesBrokenResults} shows that a wrong transpose, a dropped beta term,
 * one lost k step, a lost bias and a 10⁻³ relative error in one element all exceed it.
 */
class BlasTest {

    static final float[] ALPHAS = {1f, -0.5f, 0f, 2.5f};
    static final float[] BETAS = {0f, 1f, -1.5f};
    static final int[] MS = {1, 5, 7, 193};
    static final int[] NS = {1, 15, 33};
    static final int[] KS = {1, 255, 257, 513};
    static final long SEED = 20_260_311L;

    private static final GemmKernel SCALAR = new ScalarKernel();

    /** How long the probe of {@link #requireReturnsWithoutAProduct} waits for a 1×1 call. */
    private static final long PROBE_MILLIS = 10_000;
    /** Per kernel: null if its product-free call returns, else why it is not called again. */
    private static final Map<GemmKernel, String> PRODUCT_FREE_HANGS = new ConcurrentHashMap<>();
    private static final Set<GemmKernel> PROBED = ConcurrentHashMap.newKeySet();

    /** One call: the transposes, the shape, alpha and beta, where the operands sit, and the seed of their values. */
    record Case(Transpose ta, Transpose tb, int m, int n, int k, float alpha, float beta, Mat.Layout layout,
                long seed) {

        @Override
        public String toString() {
            return ta.letter() + tb.letter() + " m=" + m + " n=" + n + " k=" + k + " alpha=" + alpha + " beta="
                    + beta + " " + layout + " seed=" + seed;
        }
    }

    // ================================================================================================ cases

    /**
     * Each of the 48 (transA, transB, alpha, beta) combinations twice, once in tight arrays and once as guarded
     * views, with (m, n, k) drawn from seeded permutations of {@link #MS}, {@link #NS} and {@link #KS} (each
     * size equally often in its position); plus, for each transpose pair, two shapes that cross every block at
     * once: 193×33×513 (32 row tiles and an edge, the 32-column tile, two KC boundaries; the parallel kernel splits it by rows) and
     * 64×100×300 (split by columns).
     */
    static List<Case> cases() {
        Random r = new Random(SEED);
        int slots = 4 * ALPHAS.length * BETAS.length * 2;
        List<Integer> ms = spread(MS, slots, r), ns = spread(NS, slots, r), ks = spread(KS, slots, r);
        List<Case> cases = new ArrayList<>();
        int t = 0, extra = 0;
        for (Transpose ta : Transpose.values()) {
            for (Transpose tb : Transpose.values()) {
                for (float alpha : ALPHAS) {
                    for (float beta : BETAS) {
                        for (Mat.Layout layout : Mat.Layout.values()) {
                            cases.add(new Case(ta, tb, ms.get(t), ns.get(t), ks.get(t), alpha, beta, layout,
                                    SEED + t));
                            t++;
                        }
                    }
                }
                cases.add(new Case(ta, tb, 193, 33, 513, 2.5f, -1.5f, Mat.Layout.GUARDED, SEED + 1000 + extra++));
                cases.add(new Case(ta, tb, 64, 100, 300, -0.5f, 0f, Mat.Layout.TIGHT, SEED + 1000 + extra++));
            }
        }
        return cases;
    }

    /** {@code values} repeated to {@code slots} entries, shuffled: each value equally often. */
    private static List<Integer> spread(int[] values, int slots, Random r) {
        List<Integer> list = new ArrayList<>();
        for (int s = 0; s < slots; s++) {
            list.add(values[s % values.length]);
        }
        Collections.shuffle(list, r);
        return list;
    }

    static Stream<Arguments> variantsAndCases() {
        List<Arguments> args = new ArrayList<>();
        for (Named<GemmKernel> variant : GemmVariants.all()) {
            for (Case c : cases()) {
                args.add(Arguments.of(variant, c));
            }
        }
        return args.stream();
    }

    static Stream<Named<GemmKernel>> variants() {
        return GemmVariants.all().stream();
    }

    /**
     * A call whose arguments are right allocates nothing for its checks: the messages of the refusals are built only
     * when a refusal is thrown (they had been built on every call: 200 bytes a call interpreted, 800 000 bytes a
     * round of 4 000 calls; 112-136 bytes a call once compiled, as a probe measured). Counted on this thread with the scalar kernel, whose arithmetic allocates nothing
     * even interpreted; every transpose pair, with bias and activation. The JVM itself may allocate once in a while
     * on this thread (200 bytes in one round of one suite run: a compile's deoptimization, say), so the best of
     * five rounds must be 0: any allocation per call puts every round far above it.
     */
    @Test
    void aRightCallAllocatesNothingForItsChecks() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Blas blas = Blas.of(SCALAR);
        int m = 3, n = 4, k = 5;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n], bias = new float[n];
        Transpose[] both = {NO_TRANS, TRANS};
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 6; round++) { // the first round loads classes and fills caches
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int call = 0; call < 1000; call++) {
                for (Transpose ta : both) {
                    for (Transpose tb : both) {
                        blas.sgemm(ta, tb, m, n, k, 1f, a, 0, ta == NO_TRANS ? k : m, b, 0, tb == NO_TRANS ? n : k,
                                0.5f, c, 0, n, bias, 0, Activation.TANH);
                    }
                }
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round > 0) {
                best = Math.min(best, allocated);
            }
        }
        assertEquals(0, best, "bytes allocated by 4 000 right calls, the best of five rounds");
    }

    @Test
    void theCasesCoverEveryCombinationAndSize() {
        Set<String> combos = new TreeSet<>();
        Set<Integer> m = new TreeSet<>(), n = new TreeSet<>(), k = new TreeSet<>();
        for (Case c : cases()) {
            combos.add(c.ta() + " " + c.tb() + " " + c.alpha() + " " + c.beta() + " " + c.layout());
            m.add(c.m());
            n.add(c.n());
            k.add(c.k());
        }
        assertEquals(4 * ALPHAS.length * BETAS.length * 2, combos.size(), "transposes × alpha × beta × layout");
        for (int s : MS) {
            assertTrue(m.contains(s), "m = " + s);
        }
        for (int s : NS) {
            assertTrue(n.contains(s), "n = " + s);
        }
        for (int s : KS) {
            assertTrue(k.contains(s), "k = " + s);
        }
    }

    // ================================================================================================ the check

    /** The operands of one case: A and B as stored, C's prior contents, the bias (or null). */
    record Operands(Case c, Mat a, Mat b, Mat cm, Mat bias) {
    }

    /** Random operands in [−1, 1); C starts as NaN when beta = 0 (so that reading it shows). */
    static Operands operands(Case c, boolean withBias) {
        Random r = new Random(c.seed() * 0x9E3779B97F4A7C15L + 17);
        boolean ta = c.ta().isTransposed(), tb = c.tb().isTransposed();
        Mat a = Mat.of(c.layout(), ta ? c.k() : c.m(), ta ? c.m() : c.k(), r).random(r, -1, 1);
        Mat b = Mat.of(c.layout(), tb ? c.n() : c.k(), tb ? c.k() : c.n(), r).random(r, -1, 1);
        Mat cm = Mat.of(c.layout(), c.m(), c.n(), r);
        if (c.beta() == 0f) {
            cm.fill(Float.NaN);
        } else {
            cm.random(r, -1, 1);
        }
        Mat bias = withBias ? Mat.vector(c.layout(), c.n(), r).random(r, -1, 1) : null;
        return new Operands(c, a, b, cm, bias);
    }

    /** {@code op(A)(i, p)} of a stored A. */
    private static double opA(Case c, Mat a, int i, int p) {
        return c.ta().isTransposed() ? a.get(p, i) : a.get(i, p);
    }

    /** {@code op(B)(p, j)} of a stored B. */
    private static double opB(Case c, Mat b, int p, int j) {
        return c.tb().isTransposed() ? b.get(j, p) : b.get(p, j);
    }

    /**
     * The oracle, {@code act(alpha·op(A)·op(B) + beta·C₀ + bias)} in double, each product in double, and the
     * elementwise bound of the class comment. A and B are not read when alpha = 0, C₀ not when beta = 0.
     * Returns {reference, bound}, dense m×n.
     */
    static double[][] oracle(Operands o, Activation act) {
        Case c = o.c();
        int m = c.m(), n = c.n(), k = c.k();
        // dense copies: op(A) row i at i·k, op(B) column j at j·k
        double[] opA = new double[m * k], opBt = new double[n * k];
        boolean product = c.alpha() != 0f && k > 0;
        if (product) {
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    opA[i * k + p] = opA(c, o.a(), i, p);
                }
            }
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < k; p++) {
                    opBt[j * k + p] = opB(c, o.b(), p, j);
                }
            }
        }
        double d = k + 3 + Math.ceil(k / 64.0);
        double[] ref = new double[m * n], bound = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0, mag = 0;
                if (product) {
                    for (int p = 0; p < k; p++) {
                        double prod = opA[i * k + p] * opBt[j * k + p];
                        sum += prod;
                        mag += Math.abs(prod);
                    }
                }
                double z = c.alpha() * sum;
                mag *= Math.abs(c.alpha());
                if (c.beta() != 0f) {
                    z += c.beta() * (double) o.cm().get(i, j);
                    mag += Math.abs(c.beta() * (double) o.cm().get(i, j));
                }
                if (o.bias() != null) {
                    z += o.bias().get(0, j);
                    mag += Math.abs(o.bias().get(0, j));
                }
                double y = DoubleReference.activate(act, z);
                ref[i * n + j] = y;
                bound[i * n + j] = Conformance.C * d * Conformance.EPS * mag
                        + Conformance.ACTIVATION_ULPS * Conformance.EPS * Math.abs(y) + Conformance.TINY;
            }
        }
        return new double[][] {ref, bound};
    }

    /**
     * Runs the case on {@code kernel} through {@link Blas}, and on the scalar kernel; checks A, B and the bias
     * are untouched (every cell of their arrays), every cell of C's array outside the view is untouched, and C
     * is within the bound of the oracle (and twice it of the scalar result).
     */
    static void check(GemmKernel kernel, Operands o, Activation act) {
        Case c = o.c();
        String what = kernel.name() + " sgemm[" + act + (o.bias() == null ? "" : ", bias") + "] " + c;
        Mat a0 = o.a().copy(), b0 = o.b().copy(), c0 = o.cm().copy(), bias0 = o.bias() == null ? null : o.bias().copy();
        Mat cs = o.cm().copy();
        float[] bias = o.bias() == null ? null : o.bias().a;
        int biasOff = o.bias() == null ? 0 : o.bias().off;
        double[][] oracle = oracle(o, act); // before the call: C is overwritten
        boolean quickReturn = c.beta() == 1f && o.bias() == null && act == Activation.IDENTITY;
        if ((c.alpha() == 0f || c.k() == 0) && !quickReturn) {
            requireReturnsWithoutAProduct(kernel);
        }

        Blas.of(kernel).sgemm(c.ta(), c.tb(), c.m(), c.n(), c.k(), c.alpha(), o.a().a, o.a().off, o.a().ld,
                o.b().a, o.b().off, o.b().ld, c.beta(), o.cm().a, o.cm().off, o.cm().ld, bias, biasOff, act);
        Blas.of(SCALAR).sgemm(c.ta(), c.tb(), c.m(), c.n(), c.k(), c.alpha(), o.a().a, o.a().off, o.a().ld,
                o.b().a, o.b().off, o.b().ld, c.beta(), cs.a, cs.off, cs.ld, bias, biasOff, act);

        o.a().assertUnchanged(a0, what + ", A");
        o.b().assertUnchanged(b0, what + ", B");
        if (bias0 != null) {
            o.bias().assertUnchanged(bias0, what + ", bias");
        }
        o.cm().assertOutsideUnchanged(c0, what + ", C");
        Conformance.assertWithin(what, o.cm(), oracle[0], oracle[1], cs);
    }

    /**
     * Fails at once, instead of hanging the build, for a kernel that does not return from a call without a
     * product (alpha = 0 or k = 0, which the facade passes on as alpha = 0): probed once per kernel, on a
     * daemon thread, with a 1×1×1 call that must return in {@link #PROBE_MILLIS}. A kernel that loops there
     * keeps that one thread busy until it gives up; every later test that needs such a call then fails with
     * the probe's finding.
     */
    static void requireReturnsWithoutAProduct(GemmKernel kernel) {
        synchronized (PROBED) {
            if (PROBED.add(kernel)) {
                float[] c = {2f};
                Throwable[] thrown = new Throwable[1];
                Thread probe = Thread.ofPlatform().daemon().name("blas-test-probe-" + kernel.name()).start(() -> {
                    try {
                        kernel.sgemm(false, false, 1, 1, 1, 0f, null, 0, 1, null, 0, 1, 0.5f, c, 0, 1, null, 0,
                                Activation.IDENTITY);
                    } catch (Throwable t) { // on a fresh thread: its first workspace (a fault there hid once)
                        thrown[0] = t;
                    }
                });
                try {
                    probe.join(PROBE_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (!probe.isAlive() && thrown[0] != null) {
                    PRODUCT_FREE_HANGS.put(kernel, kernel.name() + ": sgemm(m = n = k = 1, alpha = 0, beta = 0.5) on"
                            + " a fresh thread threw " + thrown[0]);
                } else if (probe.isAlive()) {
                    PRODUCT_FREE_HANGS.put(kernel, kernel.name() + ": sgemm(m = n = k = 1, alpha = 0, beta = 0.5)"
                            + " did not return within " + PROBE_MILLIS + " ms (a call without a product, alpha = 0 or"
                            + " k = 0, appears to loop); not called again");
                }
            }
        }
        String hang = PRODUCT_FREE_HANGS.get(kernel);
        if (hang != null) {
            fail(hang);
        }
    }

    // ================================================================================================ values

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("variantsAndCases")
    void sgemm(GemmKernel kernel, Case c) {
        check(kernel, operands(c, false), Activation.IDENTITY);
    }

    /** Small integer matrices: every result is exact in float, so every variant must give it bit for bit. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void aTextbookExampleIsExactForEveryTransposePair(GemmKernel kernel) {
        float[] aRows = {1, 2, 3, 4, 5, 6};          // A = [1 2 3; 4 5 6], 2×3
        float[] aCols = {1, 4, 2, 5, 3, 6};          // Aᵀ stored 3×2
        float[] bRows = {7, 8, 9, 10, 11, 12};       // B = [7 8; 9 10; 11 12], 3×2
        float[] bCols = {7, 9, 11, 8, 10, 12};       // Bᵀ stored 2×3
        // A·B = [58 64; 139 154]; 0.5·A·B + 2·[1 -1; 0.25 3] = [31 30; 70 83]
        float[] expected = {31, 30, 70, 83};
        for (Transpose ta : Transpose.values()) {
            for (Transpose tb : Transpose.values()) {
                float[] c = {1, -1, 0.25f, 3};
                Blas.of(kernel).sgemm(ta, tb, 2, 2, 3, 0.5f,
                        ta == TRANS ? aCols : aRows, 0, ta == TRANS ? 2 : 3,
                        tb == TRANS ? bCols : bRows, 0, tb == TRANS ? 3 : 2,
                        2f, c, 0, 2);
                assertArrayEquals(expected, c, kernel.name() + " " + ta + " " + tb);
            }
        }
    }

    /** beta = 0: C is only written. C full of NaN and infinities gives finite, right results. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void betaZeroNeverReadsC(GemmKernel kernel) {
        int t = 0;
        for (Transpose ta : Transpose.values()) {
            for (Transpose tb : Transpose.values()) {
                for (int[] s : new int[][] {{7, 33, 257}, {193, 15, 1}}) {
                    Case c = new Case(ta, tb, s[0], s[1], s[2], -0.5f, 0f, Mat.Layout.GUARDED, SEED + 77 + t++);
                    Operands o = operands(c, t % 2 == 0);
                    for (int i = 0; i < c.m(); i++) {
                        for (int j = 0; j < c.n(); j++) {
                            o.cm().set(i, j, (i + j) % 3 == 0 ? Float.NaN
                                    : (i + j) % 3 == 1 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY);
                        }
                    }
                    check(kernel, o, Activation.IDENTITY);
                    assertAllFinite(o.cm(), kernel.name() + " " + c);
                }
            }
        }
    }

    /** alpha = 0: A and B are not read. NaN and infinities in them do not reach C, which becomes beta·C. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void alphaZeroNeverReadsAOrB(GemmKernel kernel) {
        int t = 0;
        for (Transpose ta : Transpose.values()) {
            for (Transpose tb : Transpose.values()) {
                for (float beta : new float[] {0f, -1.5f}) {
                    Case c = new Case(ta, tb, 13, 40, 300, 0f, beta, Mat.Layout.GUARDED, SEED + 99 + t++);
                    Operands o = operands(c, false);
                    o.a().fill(Float.NaN);
                    o.b().fill(Float.POSITIVE_INFINITY);
                    check(kernel, o, Activation.IDENTITY);
                    assertAllFinite(o.cm(), kernel.name() + " " + c);
                    // and with no arrays at all: Blas accepts null A and B when they are not referenced
                    requireReturnsWithoutAProduct(kernel);
                    Operands p = operands(c, false);
                    Mat before = p.cm().copy();
                    Blas.of(kernel).sgemm(ta, tb, c.m(), c.n(), c.k(), 0f, null, 0, p.a().ld, null, 0, p.b().ld,
                            beta, p.cm().a, p.cm().off, p.cm().ld);
                    for (int i = 0; i < c.m(); i++) {
                        for (int j = 0; j < c.n(); j++) {
                            // beta·C + 0 has one rounding, that of beta·C: every correct order gives it exactly
                            float want = beta == 0f ? 0f : beta * before.get(i, j);
                            assertEquals(want, p.cm().get(i, j), 0f, kernel.name() + " null A, B, " + c);
                        }
                    }
                    p.cm().assertOutsideUnchanged(before, kernel.name() + " null A, B, " + c);
                }
            }
        }
    }

    /**
     * The quick returns leave C bit for bit as it was: m = 0, n = 0, and (alpha = 0 or k = 0) with beta = 1 and
     * no epilogue. C holds −0, NaN payloads and infinities, which any arithmetic (1·C + 0) would change.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void quickReturnsLeaveCBitForBitUnchanged(GemmKernel kernel) {
        Blas blas = Blas.of(kernel);
        for (Transpose ta : Transpose.values()) {
            for (Transpose tb : Transpose.values()) {
                String what = kernel.name() + " " + ta + " " + tb;
                float[] c = specialValues(6 * 9);
                float[] c0 = c.clone();
                float[] nanA = filled(6 * 9, Float.NaN), nanB = filled(9 * 9, Float.NaN);
                blas.sgemm(ta, tb, 0, 5, 4, 1f, null, 0, 9, null, 0, 9, 0f, c, 0, 9);
                assertBitsEqual(c0, c, what + ", m = 0");
                blas.sgemm(ta, tb, 5, 0, 4, 1f, null, 0, 9, null, 0, 9, 0f, c, 0, 9);
                assertBitsEqual(c0, c, what + ", n = 0");
                blas.sgemm(ta, tb, 5, 0, 4, 1f, null, 0, 9, null, 0, 9, 0f, null, 0, 9);
                blas.sgemm(ta, tb, 5, 6, 4, 0f, nanA, 1, 9, nanB, 2, 9, 1f, c, 3, 8);
                assertBitsEqual(c0, c, what + ", alpha = 0, beta = 1");
                blas.sgemm(ta, tb, 5, 6, 0, 1f, null, 0, 9, null, 0, 9, 1f, c, 3, 8);
                assertBitsEqual(c0, c, what + ", k = 0, beta = 1");
                blas.sgemm(ta, tb, 5, 6, 0, Float.NaN, nanA, 0, 9, nanB, 0, 9, 1f, c, 3, 8, null, 0,
                        Activation.IDENTITY);
                assertBitsEqual(c0, c, what + ", k = 0, alpha = NaN, beta = 1");
            }
        }
    }

    /** The facade returns before calling the kernel at all. */
    @Test
    void quickReturnsDoNotCallTheKernel() {
        Blas blas = Blas.of(new ThrowingKernel());
        float[] c = new float[6 * 8];
        assertDoesNotThrow(() -> blas.sgemm(NO_TRANS, NO_TRANS, 0, 6, 4, 1f, null, 0, 4, null, 0, 6, 0f, c, 0, 8));
        assertDoesNotThrow(() -> blas.sgemm(NO_TRANS, NO_TRANS, 6, 0, 4, 1f, null, 0, 4, null, 0, 1, 0f, c, 0, 1));
        assertDoesNotThrow(() -> blas.sgemm(TRANS, NO_TRANS, 6, 8, 4, 0f, null, 0, 6, null, 0, 8, 1f, c, 0, 8));
        assertDoesNotThrow(() -> blas.sgemm(NO_TRANS, TRANS, 6, 8, 0, 1f, null, 0, 1, null, 0, 1, 1f, c, 0, 8));
        // an epilogue, or beta ≠ 1, is work to do
        assertThrows(UnsupportedOperationException.class,
                () -> blas.sgemm(NO_TRANS, NO_TRANS, 6, 8, 0, 1f, null, 0, 1, null, 0, 8, 1f, c, 0, 8, null, 0,
                        Activation.RELU));
        assertThrows(UnsupportedOperationException.class,
                () -> blas.sgemm(NO_TRANS, NO_TRANS, 6, 8, 0, 1f, null, 0, 1, null, 0, 8, 1f, c, 0, 8,
                        new float[8], 0, Activation.IDENTITY));
        // without an epilogue, another beta is C = beta·C, which the facade computes as the reference does
        assertDoesNotThrow(() -> blas.sgemm(NO_TRANS, NO_TRANS, 6, 8, 4, 0f, null, 0, 4, null, 0, 8, 0.5f, c, 0, 8));
    }

    /**
     * No product and no epilogue: {@code C = beta·C} as the reference computes it, whatever the kernel: −0 stays −0
     * for a positive beta and becomes +0 for a negative one, NaN stays NaN, beta = 0 writes +0 even for a negative
     * alpha (a kernel's {@code alpha·0 + beta·C} would give +0 for −0·0.5, and −0 for alpha < 0 and beta = 0).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void noProductScalesCAsTheReference(GemmKernel kernel) {
        float[] values = {-0f, 0f, 3f, -2f, Float.NaN, Float.NEGATIVE_INFINITY};
        for (float beta : new float[] {0.5f, -2f, 0f}) {
            for (int k : new int[] {0, 3}) { // k = 0, or alpha = 0 with k = 3
                float alpha = k == 0 ? -0.5f : 0f;
                float[] c = new float[2 * 4];
                for (int i = 0; i < values.length; i++) {
                    c[i] = values[i];
                }
                float[] before = c.clone();
                Blas.of(kernel).sgemm(NO_TRANS, NO_TRANS, 2, 3, k, alpha, new float[2 * 3], 0, 3, new float[3 * 3],
                        0, 3, beta, c, 0, 4);
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 4; j++) {
                        float old = before[i * 4 + j];
                        float expected = j == 3 ? old : beta == 0f ? 0f : beta * old; // column 3 is outside C
                        // as text: −0.0 and 0.0 differ, every NaN is "NaN"
                        assertEquals(Float.toString(expected), Float.toString(c[i * 4 + j]), kernel.name() + " beta " + beta + " k " + k + " at ("
                                + i + ", " + j + ") from " + old);
                    }
                }
            }
        }
    }

    /** Not quick returns: alpha = 0 (or k = 0) with beta = 1 but an epilogue is {@code C = act(C + bias)}. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void noProductWithAnEpilogueAppliesIt(GemmKernel kernel) {
        int t = 0;
        for (Transpose ta : Transpose.values()) {
            for (Activation act : elementwise()) {
                Case c = new Case(ta, ta, 9, 37, 20, 0f, 1f, Mat.Layout.GUARDED, SEED + 300 + t++);
                check(kernel, operands(c, true), act);
                Case noBias = new Case(ta, ta, 9, 37, 20, 0f, 1f, Mat.Layout.TIGHT, SEED + 300 + t++);
                check(kernel, operands(noBias, false), act);
            }
        }
    }

    /**
     * k = 0 with beta = 2: C doubled exactly (A and B absent; alpha ±Inf or NaN does not matter, as in the
     * reference, which never forms alpha·0).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void kZeroWithBetaTwoDoublesC(GemmKernel kernel) {
        requireReturnsWithoutAProduct(kernel);
        Random r = new Random(SEED + 5);
        for (Transpose ta : Transpose.values()) {
            for (float alpha : new float[] {1f, 0f, Float.POSITIVE_INFINITY, Float.NaN}) {
                Mat c = Mat.of(Mat.Layout.GUARDED, 19, 70, r).random(r, -100, 100);
                Mat c0 = c.copy();
                Blas.of(kernel).sgemm(ta, NO_TRANS, 19, 70, 0, alpha, null, 0, ta == TRANS ? 19 : 1, null, 0, 70,
                        2f, c.a, c.off, c.ld);
                String what = kernel.name() + " k = 0, beta = 2, alpha = " + alpha + ", " + ta;
                c.assertOutsideUnchanged(c0, what);
                for (int i = 0; i < 19; i++) {
                    for (int j = 0; j < 70; j++) {
                        assertEquals(2 * c0.get(i, j), c.get(i, j), 0f, what + " at (" + i + ", " + j + ")");
                    }
                }
            }
            // and k = 0 with beta = 0 gives zeros even over NaN
            Mat c = Mat.of(Mat.Layout.GUARDED, 7, 9, r).fill(Float.NaN);
            Mat c0 = c.copy();
            Blas.of(kernel).sgemm(ta, TRANS, 7, 9, 0, 1f, null, 0, ta == TRANS ? 7 : 1, null, 0, 1, 0f, c.a, c.off,
                    c.ld);
            c.assertOutsideUnchanged(c0, kernel.name() + " k = 0, beta = 0");
            for (int i = 0; i < 7; i++) {
                for (int j = 0; j < 9; j++) {
                    assertEquals(0f, c.get(i, j), 0f, kernel.name() + " k = 0, beta = 0 at (" + i + ", " + j + ")");
                }
            }
        }
    }

    // ================================================================================================ the epilogue

    static Stream<Arguments> fusedCases() {
        List<Case> shapes = List.of(
                new Case(NO_TRANS, NO_TRANS, 7, 33, 257, 1f, 0f, Mat.Layout.GUARDED, SEED + 400),
                new Case(TRANS, NO_TRANS, 193, 15, 255, -0.5f, -1.5f, Mat.Layout.TIGHT, SEED + 401),
                new Case(NO_TRANS, TRANS, 5, 1, 1, 2.5f, 1f, Mat.Layout.GUARDED, SEED + 402),
                new Case(TRANS, TRANS, 64, 100, 300, 1f, 1f, Mat.Layout.GUARDED, SEED + 403),
                new Case(NO_TRANS, NO_TRANS, 193, 33, 513, 0.25f, 0f, Mat.Layout.TIGHT, SEED + 404));
        List<Arguments> args = new ArrayList<>();
        for (Named<GemmKernel> variant : GemmVariants.all()) {
            for (Case c : shapes) {
                args.add(Arguments.of(variant, c));
            }
        }
        return args.stream();
    }

    /** {@code act(alpha·op(A)·op(B) + beta·C + bias)} for every elementwise act, with and without the bias. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fusedCases")
    void fusedEpilogue(GemmKernel kernel, Case c) {
        for (Activation act : elementwise()) {
            check(kernel, operands(c, true), act);
        }
        check(kernel, operands(c, false), Activation.SIGMOID);
        check(kernel, operands(c, false), Activation.RELU);
    }

    static List<Activation> elementwise() {
        return Stream.of(Activation.values()).filter(Activation::isElementwise).toList();
    }

    // ================================================================================================ the bound bites

    enum Fault {
        /** A read as if its transpose flag were the other one (shapes are square so that it stays in bounds). */
        WRONG_TRANSPOSE_A,
        WRONG_TRANSPOSE_B,
        /** beta·C left out. */
        DROP_BETA,
        /** The last k step left out of every sum. */
        LOST_K_STEP,
        /** The bias left out. */
        DROP_BIAS,
        /** The largest-magnitude element of C multiplied by 1 + 10⁻³. */
        PERTURB_ONE_ELEMENT
    }

    static Stream<Arguments> faults() {
        List<Case> square = List.of(
                new Case(NO_TRANS, NO_TRANS, 17, 17, 17, 2.5f, -1.5f, Mat.Layout.GUARDED, SEED + 500),
                new Case(TRANS, TRANS, 40, 40, 40, -0.5f, 1f, Mat.Layout.TIGHT, SEED + 501),
                new Case(NO_TRANS, TRANS, 64, 64, 64, 1f, -1.5f, Mat.Layout.GUARDED, SEED + 502));
        List<Case> deep = List.of(
                new Case(TRANS, NO_TRANS, 7, 33, 513, 2.5f, -1.5f, Mat.Layout.GUARDED, SEED + 503),
                new Case(NO_TRANS, NO_TRANS, 193, 15, 257, 1f, 1f, Mat.Layout.TIGHT, SEED + 504));
        List<Arguments> args = new ArrayList<>();
        for (Fault f : Fault.values()) {
            boolean needsSquare = f == Fault.WRONG_TRANSPOSE_A || f == Fault.WRONG_TRANSPOSE_B;
            boolean needsShallow = f == Fault.PERTURB_ONE_ELEMENT; // 10⁻³ is below c·d·ε·M/|c| once k ≳ 400
            for (Case c : square) {
                args.add(Arguments.of(f, c));
            }
            if (!needsSquare && !needsShallow) {
                for (Case c : deep) {
                    args.add(Arguments.of(f, c));
                }
            }
        }
        return args.stream();
    }

    /** The same check the variants pass, on the scalar kernel with one fault: it fails, for every act. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("faults")
    void theBoundCatchesBrokenResults(Fault fault, Case c) {
        GemmKernel broken = new Broken(fault);
        for (Activation act : List.of(Activation.IDENTITY, Activation.TANH)) {
            check(SCALAR, operands(c, true), act); // the healthy kernel passes the same check
            assertThrows(AssertionFailedError.class, () -> check(broken, operands(c, true), act),
                    "the bound accepted a kernel with " + fault + ", " + act + ", " + c);
        }
    }

    /** The scalar kernel with one {@link Fault}. */
    private static final class Broken implements GemmKernel {
        private final Fault fault;

        Broken(Fault fault) {
            this.fault = fault;
        }

        @Override
        public String name() {
            return "broken(" + fault + ")";
        }

        @Override
        public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                          int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc,
                          float[] bias, int biasOff, Activation act) {
            switch (fault) {
                case WRONG_TRANSPOSE_A -> SCALAR.sgemm(!transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                        beta, c, cOff, ldc, bias, biasOff, act);
                case WRONG_TRANSPOSE_B -> SCALAR.sgemm(transA, !transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                        beta, c, cOff, ldc, bias, biasOff, act);
                case DROP_BETA -> SCALAR.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                        0f, c, cOff, ldc, bias, biasOff, act);
                // the stored layout does not depend on k: k − 1 drops exactly the last term of each sum
                case LOST_K_STEP -> SCALAR.sgemm(transA, transB, m, n, k - 1, alpha, a, aOff, lda, b, bOff, ldb,
                        beta, c, cOff, ldc, bias, biasOff, act);
                case DROP_BIAS -> SCALAR.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                        beta, c, cOff, ldc, null, 0, act);
                case PERTURB_ONE_ELEMENT -> {
                    SCALAR.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
                            bias, biasOff, act);
                    int worst = cOff;
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            if (Math.abs(c[cOff + i * ldc + j]) > Math.abs(c[worst])) {
                                worst = cOff + i * ldc + j;
                            }
                        }
                    }
                    c[worst] *= 1 + 1e-3f;
                }
            }
        }
    }

    /** Fails the test if the facade ever calls it. */
    private static final class ThrowingKernel implements GemmKernel {
        @Override
        public String name() {
            return "throwing";
        }

        @Override
        public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                          int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc,
                          float[] bias, int biasOff, Activation act) {
            throw new UnsupportedOperationException("the kernel was called");
        }
    }

    // ================================================================================================ argument errors

    /**
     * A valid call, C = 0.5·A·B + 0.5·C with A 4×5 (lda 5), B 5×6 (ldb 6), C 4×6 (ldc 6), all tight; each error
     * test changes one thing. The arrays are exactly as long as needed.
     */
    private static final class Args {
        Transpose ta = NO_TRANS, tb = NO_TRANS;
        int m = 4, n = 6, k = 5;
        float alpha = 0.5f, beta = 0.5f;
        float[] a = new float[4 * 5];
        int aOff = 0, lda = 5;
        float[] b = new float[5 * 6];
        int bOff = 0, ldb = 6;
        float[] c = new float[4 * 6];
        int cOff = 0, ldc = 6;
        float[] bias = null;
        int biasOff = 0;
        Activation act = Activation.IDENTITY;

        void call() {
            Blas.of(SCALAR).sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, bias,
                    biasOff, act);
        }
    }

    /**
     * The call fails with {@code type}, its message names {@code parameter position (name)}, and C was not
     * touched. Returns the message.
     */
    private static String rejects(Class<? extends RuntimeException> type, Args args, int position, String name) {
        float[] c0 = args.c == null ? null : args.c.clone();
        RuntimeException e = assertThrows(type, args::call);
        String msg = e.getMessage();
        assertNotNull(msg);
        assertTrue(msg.startsWith("sgemm: parameter " + position + " (" + name + ")"),
                "message should name parameter " + position + " (" + name + "): " + msg);
        if (c0 != null) {
            assertBitsEqual(c0, args.c, "C after a rejected call");
        }
        return msg;
    }

    @Test
    void theBaselineCallIsValid() {
        Args args = new Args();
        args.a = filled(20, 1f);
        args.b = filled(30, 2f);
        args.c = filled(24, 4f);
        args.call();
        for (float v : args.c) {
            assertEquals(0.5f * 5 * 2 + 0.5f * 4, v, 0f); // 0.5·Σ₅ 1·2 + 0.5·4 = 7
        }
        args.bias = new float[6];
        args.act = Activation.RELU;
        args.call();
    }

    @Test
    void nullTransA() {
        Args args = new Args();
        args.ta = null;
        rejects(NullPointerException.class, args, 1, "transA");
    }

    @Test
    void nullTransB() {
        Args args = new Args();
        args.tb = null;
        rejects(NullPointerException.class, args, 2, "transB");
    }

    @Test
    void negativeM() {
        Args args = new Args();
        args.m = -1;
        assertTrue(rejects(IllegalArgumentException.class, args, 3, "m").contains("= -1"));
    }

    @Test
    void negativeN() {
        Args args = new Args();
        args.n = -2;
        assertTrue(rejects(IllegalArgumentException.class, args, 4, "n").contains("= -2"));
    }

    @Test
    void negativeK() {
        Args args = new Args();
        args.k = -3;
        assertTrue(rejects(IllegalArgumentException.class, args, 5, "k").contains("= -3"));
    }

    @Test
    void nullA() {
        Args args = new Args();
        args.a = null;
        rejects(NullPointerException.class, args, 7, "a");
    }

    @Test
    void negativeAOff() {
        Args args = new Args();
        args.aOff = -1;
        assertTrue(rejects(IllegalArgumentException.class, args, 8, "aOff").contains("= -1"));
    }

    @Test
    void ldaBelowK() {
        Args args = new Args();
        args.lda = 3;
        assertEquals("sgemm: parameter 9 (lda) = 3 must be at least max(1, k) = 5 (A is stored m×k = 4×5)",
                rejects(IllegalArgumentException.class, args, 9, "lda"));
    }

    @Test
    void aShortBiasIsNamedWithItsLength() {
        Args args = new Args();
        args.bias = new float[1];
        assertEquals("sgemm: parameter 17 (bias) has 1 element but the bias needs n = 6 (one per column of C) from"
                + " offset biasOff = 0: 6 elements", rejects(IllegalArgumentException.class, args, 17, "bias"));
    }

    @Test
    void ldaBelowMWhenTransposed() {
        Args args = new Args();
        args.ta = TRANS;
        args.lda = 3; // A stored k×m = 5×4 needs lda ≥ 4
        String msg = rejects(IllegalArgumentException.class, args, 9, "lda");
        assertTrue(msg.contains("max(1, m) = 4") && msg.contains("k×m = 5×4"), msg);
        args.lda = 4;
        args.call(); // 4 is enough, though k = 5
    }

    @Test
    void ldaAtLeastOneEvenForAnEmptyA() {
        Args args = new Args();
        args.k = 0;
        args.lda = 0;
        args.ldb = 6;
        assertTrue(rejects(IllegalArgumentException.class, args, 9, "lda").contains("max(1, k) = 1"));
    }

    @Test
    void ldaIsCheckedEvenWhenAIsNotReferenced() {
        Args args = new Args();
        args.alpha = 0f;
        args.a = null;
        args.lda = 4;
        rejects(IllegalArgumentException.class, args, 9, "lda");
    }

    @Test
    void aTooShort() {
        Args args = new Args();
        args.aOff = 3;
        args.lda = 7;
        args.a = new float[3 + 3 * 7 + 5 - 1]; // one short of aOff + (m − 1)·lda + k = 29
        String msg = rejects(IllegalArgumentException.class, args, 7, "a");
        assertTrue(msg.contains("28") && msg.contains("29") && msg.contains("lda = 7") && msg.contains("aOff = 3")
                && msg.contains("4×5"), msg);
        args.a = new float[29];
        args.call();
    }

    @Test
    void aTooShortWhenTransposed() {
        Args args = new Args();
        args.ta = TRANS; // stored k×m = 5×4
        args.lda = 4;
        args.a = new float[4 * 4 + 4 - 1]; // needs 0 + 4·4 + 4 = 20
        String msg = rejects(IllegalArgumentException.class, args, 7, "a");
        assertTrue(msg.contains("5×4") && msg.contains("20") && msg.contains("19"), msg);
    }

    @Test
    void nullB() {
        Args args = new Args();
        args.b = null;
        rejects(NullPointerException.class, args, 10, "b");
    }

    @Test
    void negativeBOff() {
        Args args = new Args();
        args.bOff = -4;
        assertTrue(rejects(IllegalArgumentException.class, args, 11, "bOff").contains("= -4"));
    }

    @Test
    void ldbBelowN() {
        Args args = new Args();
        args.ldb = 5;
        String msg = rejects(IllegalArgumentException.class, args, 12, "ldb");
        assertTrue(msg.contains("= 5") && msg.contains("max(1, n) = 6") && msg.contains("k×n = 5×6"), msg);
    }

    @Test
    void ldbBelowKWhenTransposed() {
        Args args = new Args();
        args.tb = TRANS; // stored n×k = 6×5: ldb ≥ 5
        args.ldb = 4;
        String msg = rejects(IllegalArgumentException.class, args, 12, "ldb");
        assertTrue(msg.contains("max(1, k) = 5") && msg.contains("n×k = 6×5"), msg);
    }

    @Test
    void bTooShort() {
        Args args = new Args();
        args.bOff = 2;
        args.b = new float[2 + 4 * 6 + 6 - 1]; // needs 32
        String msg = rejects(IllegalArgumentException.class, args, 10, "b");
        assertTrue(msg.contains("32") && msg.contains("31") && msg.contains("ldb = 6") && msg.contains("bOff = 2"),
                msg);
    }

    @Test
    void nullC() {
        Args args = new Args();
        args.c = null;
        rejects(NullPointerException.class, args, 14, "c");
    }

    @Test
    void negativeCOff() {
        Args args = new Args();
        args.cOff = -1;
        rejects(IllegalArgumentException.class, args, 15, "cOff");
    }

    @Test
    void ldcBelowN() {
        Args args = new Args();
        args.ldc = 5;
        String msg = rejects(IllegalArgumentException.class, args, 16, "ldc");
        assertTrue(msg.contains("max(1, n) = 6") && msg.contains("4×6"), msg);
    }

    @Test
    void ldcAtLeastOneEvenForAnEmptyC() {
        Args args = new Args();
        args.n = 0;
        args.ldb = 1;
        args.ldc = 0;
        assertTrue(rejects(IllegalArgumentException.class, args, 16, "ldc").contains("max(1, n) = 1"));
    }

    @Test
    void cTooShort() {
        Args args = new Args();
        args.cOff = 1;
        args.ldc = 8;
        args.c = new float[1 + 3 * 8 + 6 - 1]; // needs 31
        String msg = rejects(IllegalArgumentException.class, args, 14, "c");
        assertTrue(msg.contains("31") && msg.contains("30") && msg.contains("ldc = 8") && msg.contains("cOff = 1"),
                msg);
    }

    @Test
    void biasTooShort() {
        Args args = new Args();
        args.bias = new float[5];
        String msg = rejects(IllegalArgumentException.class, args, 17, "bias");
        assertTrue(msg.contains("n = 6") && msg.contains("5 elements"), msg);
        args.bias = new float[8];
        args.biasOff = 3; // needs 9
        assertTrue(rejects(IllegalArgumentException.class, args, 17, "bias").contains("9"));
        args.biasOff = 2;
        args.call();
    }

    @Test
    void negativeBiasOff() {
        Args args = new Args();
        args.bias = new float[6];
        args.biasOff = -1;
        rejects(IllegalArgumentException.class, args, 18, "biasOff");
    }

    @Test
    void nullActivation() {
        Args args = new Args();
        args.act = null;
        rejects(NullPointerException.class, args, 19, "act");
    }

    @Test
    void softmaxIsNotElementwise() {
        Args args = new Args();
        args.act = Activation.SOFTMAX;
        String msg = rejects(IllegalArgumentException.class, args, 19, "act");
        assertTrue(msg.contains("softmax") && msg.contains("elementwise"), msg);
    }

    /** Sizes whose product overflows an int: the check uses long arithmetic and refuses, instead of wrapping. */
    @Test
    void lengthsAreComputedWithoutIntOverflow() {
        Args args = new Args();
        args.lda = 1 << 30; // (m − 1)·lda = 3·2³⁰ wraps to a negative int
        rejects(IllegalArgumentException.class, args, 7, "a");
        args = new Args();
        args.bOff = Integer.MAX_VALUE - 3; // bOff + 4·6 + 6 wraps
        rejects(IllegalArgumentException.class, args, 10, "b");
        args = new Args();
        args.bias = new float[6];
        args.biasOff = Integer.MAX_VALUE; // biasOff + n wraps
        rejects(IllegalArgumentException.class, args, 17, "bias");
        args = new Args();
        args.cOff = Integer.MAX_VALUE - 10;
        args.ldc = Integer.MAX_VALUE;
        rejects(IllegalArgumentException.class, args, 14, "c");
    }

    /** The first bad parameter in signature order is the one reported. */
    @Test
    void theFirstBadParameterIsReported() {
        Args args = new Args();
        args.m = -1;
        args.lda = 0;
        rejects(IllegalArgumentException.class, args, 3, "m");
        args = new Args();
        args.lda = 0;
        args.ldb = 0;
        args.ldc = 0;
        rejects(IllegalArgumentException.class, args, 9, "lda");
        args = new Args();
        args.ldb = 0;
        args.c = null;
        rejects(IllegalArgumentException.class, args, 12, "ldb");
        args = new Args();
        args.a = null;
        args.ldb = 0;
        rejects(NullPointerException.class, args, 7, "a");
        args = new Args();
        args.c = new float[1];
        args.act = null;
        rejects(IllegalArgumentException.class, args, 14, "c");
    }

    /** A and B when alpha = 0 or k = 0, and everything when m = 0 or n = 0, may be null or short. */
    @Test
    void unreferencedArraysAreNotRequired() {
        Args args = new Args();
        args.alpha = 0f;
        args.a = null;
        args.b = new float[1];
        args.call();
        args = new Args();
        args.k = 0;
        args.lda = 1;
        args.a = new float[0];
        args.b = null;
        args.call();
        args = new Args();
        args.m = 0;
        args.a = args.b = args.c = null;
        args.bias = new float[0];
        args.call();
        args = new Args();
        args.n = 0;
        args.ldb = 1;
        args.ldc = 1;
        args.a = args.b = args.c = null;
        args.call();
    }

    // ================================================================================================ factories

    @Test
    void ofVectorSaysItHasNoSgemmAndListsThoseThatDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Blas.of("vector"));
        String prefix = "kernel 'vector' has no sgemm: use one of ";
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        List<String> listed = Arrays.asList(e.getMessage().substring(prefix.length()).split(", "));
        assertTrue(listed.containsAll(List.of("parallel", "blocked", "scalar")), e.getMessage());
        assertFalse(listed.contains("vector"), e.getMessage());
        for (String name : listed) {
            assertInstanceOf(GemmKernel.class, KernelRegistry.get(name), name);
            assertNotNull(Blas.of(name).kernel());
        }
    }

    @Test
    void ofScalar() {
        Blas blas = Blas.of("scalar");
        assertInstanceOf(ScalarKernel.class, blas.kernel());
        float[] c = new float[1];
        blas.sgemm(NO_TRANS, NO_TRANS, 1, 1, 2, 1f, new float[] {3, 4}, 0, 2, new float[] {5, 6}, 0, 1, 0f, c, 0, 1);
        assertEquals(39f, c[0], 0f);
    }

    @Test
    void ofUnknownNameFails() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Blas.of("no-such-kernel"));
        assertTrue(e.getMessage().contains("no-such-kernel"), e.getMessage());
    }

    @Test
    void ofNullKernelFails() {
        assertThrows(NullPointerException.class, () -> Blas.of((GemmKernel) null));
    }

    @Test
    void ofAKernelInstance() {
        GemmKernel k = new ScalarKernel();
        assertSame(k, Blas.of(k).kernel());
    }

    @Test
    void defaults() {
        Blas blas = Blas.defaults();
        assertNotNull(blas.kernel());
        DenseKernel preferred = KernelRegistry.defaultKernel();
        if (preferred instanceof GemmKernel g) {
            assertSame(g, blas.kernel());
        } else {
            assertInstanceOf(ScalarKernel.class, blas.kernel());
        }
        float[] c = {1, 1};
        // [1 2]·[3 4; 5 6] = [13 16]; 2·that − C = [25 31]
        blas.sgemm(NO_TRANS, NO_TRANS, 1, 2, 2, 2f, new float[] {1, 2}, 0, 2, new float[] {3, 4, 5, 6}, 0, 2, -1f,
                c, 0, 2);
        assertArrayEquals(new float[] {25, 31}, c, 0f);
        assertTrue(blas.toString().startsWith("Blas["), blas.toString());
    }

    // ================================================================================================ helpers

    private static float[] filled(int length, float v) {
        float[] a = new float[length];
        Arrays.fill(a, v);
        return a;
    }

    /** Random values with −0, a NaN payload, ±Inf and a subnormal sprinkled in. */
    private static float[] specialValues(int length) {
        Random r = new Random(SEED + 11);
        float[] specials = {-0f, Mat.SENTINEL, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE};
        float[] a = new float[length];
        for (int t = 0; t < length; t++) {
            a[t] = t % 3 == 0 ? specials[(t / 3) % specials.length] : r.nextFloat() * 2 - 1;
        }
        return a;
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String what) {
        for (int t = 0; t < expected.length; t++) {
            if (Float.floatToRawIntBits(expected[t]) != Float.floatToRawIntBits(actual[t])) {
                fail(what + ": element " + t + " changed from " + expected[t] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(expected[t])) + ") to " + actual[t] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(actual[t])) + ")");
            }
        }
    }

    private static void assertAllFinite(Mat c, String what) {
        for (int i = 0; i < c.rows; i++) {
            for (int j = 0; j < c.cols; j++) {
                if (!Float.isFinite(c.get(i, j))) {
                    fail(what + ": C(" + i + ", " + j + ") = " + c.get(i, j));
                }
            }
        }
    }
}
