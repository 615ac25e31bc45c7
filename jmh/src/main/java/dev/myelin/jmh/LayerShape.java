package dev.myelin.jmh;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.DenseOps;
import dev.myelin.core.ErrorBounds;
import dev.myelin.core.ProductShape;
import dev.myelin.core.dispatch.KernelRegistry;
import java.util.Random;

/**
 * One dense layer's operands for a benchmark: {@code X[m×k]}, {@code W[k×n]}, {@code b[n]} and the outputs,
 * filled from a seeded {@code Random(42)}. Shapes are written {@code m×k×n} ("128x784x256"), as in the
 * anchors' tables and {@code myelin bench} ({@link ProductShape#parse}).
 */
final class LayerShape {
    final int m;
    final int k;
    final int n;
    final float[] x;
    final float[] w;
    final float[] b;
    final float[] y;

    LayerShape(String shape) {
        ProductShape sizes;
        try {
            sizes = ProductShape.parse(shape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("shape " + e.getMessage(), e);
        }
        m = sizes.m();
        k = sizes.k();
        n = sizes.n();
        x = new float[m * k];
        w = new float[k * n];
        b = new float[n];
        y = new float[m * n];
        refill(new Random(42));
    }

    /**
     * New values for X, W and b in place, the arrays unchanged: the checks after timing run on the timed arrays
     * so refilled, so that a variant keeping a result or a packed W by array identity (right the first time, stale
     * once the weights change in place, as training changes them) is caught.
     */
    void refill(Random random) {
        fill(random, x, 1f);
        fill(random, w, (float) Math.sqrt(3.0 / k)); // keeps |X·W| ~ 1, so sigmoid is not saturated
        fill(random, b, 0.1f);
    }

    /** {@code a} in place: uniform in [−scale, scale]. */
    static void fill(Random random, float[] a, float scale) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (random.nextFloat() * 2 - 1) * scale;
        }
    }

    /** A new array of {@code size}: uniform in [−scale, scale]. */
    static float[] fill(Random random, int size, float scale) {
        float[] a = new float[size];
        fill(random, a, scale);
        return a;
    }

    /**
     * The variant {@code kernel}, with {@code threads} threads if it is {@code parallel}; the single-threaded
     * variants ignore {@code threads}.
     *
     * @throws IllegalArgumentException for a variant that runs on more than one thread, but not on {@code threads}
     *                                  (one of one's own over {@code parallel}, made with its own count): its rows
     *                                  would be labelled with a count it does not run on
     */
    static DenseOps ops(String kernel, int threads) {
        DenseKernel made = KernelRegistry.withThreads(kernel, threads);
        if (made.threads() > 1 && made.threads() != threads) {
            throw new IllegalArgumentException("-p threads=" + threads + ": kernel " + made.name() + " runs on "
                    + made.threads() + " threads whatever -p threads says (only parallel takes a thread count): run"
                    + " it with -p threads=" + made.threads() + " so that its rows say so");
        }
        return DenseOps.of(made);
    }

    /** {@code Y = act(X·W + b)} with {@code ops}, into {@code out}. */
    void forward(DenseOps ops, Activation act, float[] out) {
        ops.forward(m, n, k, x, 0, k, w, 0, n, b, 0, act, out, 0, n);
    }

    /**
     * Agreement check run in {@code @Setup} before anything is timed, and again in {@code @TearDown}: {@code actual},
     * a {@code cols}-column output of the variant, must match the scalar kernel's {@code expected} within
     * {@code allowed}, the elementwise bounds of {@link ErrorBounds} (the bounds {@code myelin bench} checks). A fixed
     * tolerance (10⁻⁴) had let a forward that adds 8·10⁻⁵ to every output be timed as correct.
     */
    static void requireAgreement(String what, int cols, float[] expected, float[] actual, double[] allowed) {
        String disagreement = ErrorBounds.disagreement("element", cols, expected, actual, allowed);
        if (disagreement != null) {
            throw new IllegalStateException(what + " disagrees with scalar at " + disagreement);
        }
    }

    /** The allowed differences of this layer's forward, given the scalar kernel's {@code y}. */
    double[] forwardBounds(Activation act, float[] y) {
        return ErrorBounds.forward(m, n, k, x, w, b, act, y);
    }
}
