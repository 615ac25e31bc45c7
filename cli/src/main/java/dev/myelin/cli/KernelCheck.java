package dev.myelin.cli;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.ErrorBounds;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code myelin bench}'s correctness check: a variant's outputs against the scalar kernel's on the same inputs,
 * elementwise, within {@link ErrorBounds} (whose comment gives the bounds and why). On bench's operands, uniform in
 * [−1, 1], the bound at 128×784×256 is 6.5·10⁻⁴ for sigmoid; the built-in kernels' largest errors are 0.6–1.5 % of
 * the forward's bounds and 2–4 % of the backward's there, at most 12 % at 16×8192×40 ({@code BenchCommandTest}
 * prints them). dW and dX are computed by both kernels from the scalar kernel's dZ, so that each product is checked
 * on the same inputs. {@link #check} runs the variant on the operands' own arrays (the ones timed, so that a
 * variant keeping results by array identity is caught after timing); before timing, {@link #placed} also gives
 * it every operand as a view inside a larger array ({@link Placed}): at an offset, its rows further apart than its
 * columns, NaN between them in an input and a sentinel in an output, so that a variant which ignores an offset or
 * a leading dimension, reads outside a view or writes outside one fails here instead of in training; and
 * {@link #concurrent} calls it from two threads at once. Those two run on operands of their own, of the shape
 * checked unless its W is larger than {@link #FULL_PART_WEIGHTS} elements, then of a bounded shape with the same
 * tails ({@link #part}), so that they cost little memory whatever the shape. The whole contract (every operation, accumulation, every activation, the softmax
 * head) is the conformance suite's ({@code KernelConformanceTest}).
 */
final class KernelCheck {

    private KernelCheck() {
    }

    /** One output of the scalar kernel: name, columns, values, and the allowed difference per element. */
    record Expected(String name, int cols, float[] values, double[] allowed) {
    }

    /** The scalar kernel's outputs for one (op, shape) on the checked rows, shared by every variant. */
    record Reference(List<Expected> outputs) {
    }

    /** The worst error over the allowed difference, and the worst disagreement (null when none). */
    record Outcome(double worstRatio, String failure) {
    }

    /** Runs the scalar kernel on rows 0..rows−1 of the operands and computes the allowed differences. */
    static Reference reference(DenseKernel scalar, BenchCommand.Op op, BenchCommand.Operands o, int rows,
                               Activation act) {
        int k = o.shape.k(), n = o.shape.n();
        List<Expected> list = new ArrayList<>();
        if (op == BenchCommand.Op.FORWARD) {
            float[] y = new float[rows * n];
            scalar.forward(rows, n, k, o.x, 0, k, o.w, 0, n, o.b, 0, act, y, 0, n);
            list.add(new Expected("Y", n, y, ErrorBounds.forward(rows, n, k, o.x, o.w, o.b, act, y)));
            return new Reference(list);
        }
        float[] dz = new float[rows * n];
        float[] db = new float[n];
        scalar.activationBackward(rows, n, act, o.y, 0, n, o.dy, 0, n, dz, 0, n, db, 0, false);
        list.add(new Expected("dZ", n, dz, ErrorBounds.activationBackward(rows, n, act, o.y, o.dy)));
        list.add(new Expected("db", n, db, ErrorBounds.biasGradient(rows, n, act, o.y, o.dy)));
        float[] dw = new float[k * n];
        scalar.weightGradient(rows, n, k, o.x, 0, k, dz, 0, n, dw, 0, n, false);
        list.add(new Expected("dW", n, dw, ErrorBounds.weightGradient(rows, n, k, o.x, dz, null)));
        float[] dx = new float[rows * k];
        scalar.inputGradient(rows, n, k, dz, 0, n, o.w, 0, n, dx, 0, k);
        list.add(new Expected("dX", k, dx, ErrorBounds.inputGradient(rows, n, k, dz, o.w, null)));
        return new Reference(list);
    }

    /** Runs {@code kernel} on the reference's inputs and compares every output with the scalar kernel's. */
    static Outcome check(DenseKernel kernel, BenchCommand.Op op, BenchCommand.Operands o, int rows, Activation act,
                         Reference reference) {
        return check(kernel, op, o, rows, act, reference, 0);
    }

    /** {@link #check} with every operand a view inside a larger array ({@link Placed}). */
    static Outcome placed(DenseKernel kernel, BenchCommand.Op op, BenchCommand.Operands o, int rows, Activation act,
                          Reference reference) {
        return check(kernel, op, o, rows, act, reference, Placed.PAD);
    }

    /** The largest W (k·n elements) that {@link #part} keeps: 4 MiB of floats, each copy of it small. */
    static final long FULL_PART_WEIGHTS = 1 << 20;

    /**
     * The shape the checks of {@link #placed} and {@link #concurrent} run on, {@code rows} rows of {@code shape}: the
     * shape itself (its block loops, its column blocks) while its W has at most {@link #FULL_PART_WEIGHTS} elements,
     * else each size {@link #bounded}.
     */
    static dev.myelin.core.ProductShape part(dev.myelin.core.ProductShape shape, int rows) {
        return (long) shape.k() * shape.n() <= FULL_PART_WEIGHTS
                ? new dev.myelin.core.ProductShape(rows, shape.k(), shape.n())
                : new dev.myelin.core.ProductShape(bounded(rows), bounded(shape.k()), bounded(shape.n()));
    }

    /**
     * A size of at most 575 with the same remainder modulo 192 as {@code size}, so that the same tails are met: of
     * every lane count (4, 8, 16), of the 6-row and 12-row tiles and of the 32-column panels ({@code size} itself up to
     * 575).
     */
    static int bounded(int size) {
        return size < 576 ? size : 384 + size % 192;
    }

    /** Calls of the timed operation each of two threads makes in {@link #concurrent}. */
    static final int CONCURRENT_CALLS = 4;

    /**
     * The variant called from two threads at once, {@link #CONCURRENT_CALLS} times each, one on {@code o} and the
     * other on {@code other} (operands of their own), each call's outputs compared with the scalar kernel's for its
     * operands. A kernel that keeps state between calls (a scratch buffer in a field) mixes one call's data into the
     * other's; the contract is stateless and thread-safe. Whether a race shows depends on timing, so a pass shows
     * only that none was seen, while a failure is a real bug (a correct kernel gives the same values on any thread).
     */
    static Outcome concurrent(DenseKernel kernel, BenchCommand.Op op, BenchCommand.Operands o, Reference reference,
                              BenchCommand.Operands other, Reference otherReference, int rows, Activation act) {
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        Outcome[] outcomes = new Outcome[2];
        Thread second = new Thread(() -> outcomes[1] = repeated(kernel, op, other, otherReference, rows, act, start),
                "myelin-bench-check");
        second.setDaemon(true); // one that never returns must not keep the JVM
        second.start();
        outcomes[0] = repeated(kernel, op, o, reference, rows, act, start);
        try {
            second.join(CONCURRENT_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(0, null);
        }
        if (outcomes[0].failure() != null) {
            return outcomes[0];
        }
        return outcomes[1] != null ? outcomes[1] : new Outcome(Double.POSITIVE_INFINITY, "the call on the other"
                + " thread did not return within " + CONCURRENT_WAIT_MILLIS / 1000 + " s");
    }

    /** How long {@link #concurrent} waits for its second thread once its own calls are done. */
    static final long CONCURRENT_WAIT_MILLIS = 120_000;

    /** {@link #CONCURRENT_CALLS} checks on the operands' own arrays, after {@code start}; the first failure. */
    private static Outcome repeated(DenseKernel kernel, BenchCommand.Op op, BenchCommand.Operands o,
                                    Reference reference, int rows, Activation act,
                                    java.util.concurrent.CyclicBarrier start) {
        try {
            start.await();
            Outcome worst = new Outcome(0, null);
            for (int call = 0; call < CONCURRENT_CALLS; call++) {
                Outcome outcome = check(kernel, op, o, rows, act, reference, 0);
                if (outcome.failure() != null) {
                    return outcome;
                }
                worst = outcome.worstRatio() > worst.worstRatio() ? outcome : worst;
            }
            return worst;
        } catch (RuntimeException | Error thrown) { // a variant's failure on either thread is reported, not lost
            return new Outcome(Double.POSITIVE_INFINITY, "threw " + thrown);
        } catch (InterruptedException | java.util.concurrent.BrokenBarrierException e) {
            Thread.currentThread().interrupt();
            return new Outcome(0, null);
        }
    }

    /** One run of the check, on views {@code pad} cells from each other (0: the operands' own arrays). */
    private static Outcome check(DenseKernel kernel, BenchCommand.Op op, BenchCommand.Operands o, int rows,
                                 Activation act, Reference reference, int pad) {
        int k = o.shape.k(), n = o.shape.n();
        List<Placed> outputs = new ArrayList<>();
        if (op == BenchCommand.Op.FORWARD) {
            Placed x = Placed.input(o.x, rows, k, pad), w = Placed.input(o.w, k, n, pad);
            Placed b = Placed.input(o.b, 1, n, pad);
            Placed y = Placed.output("Y", rows, n, pad);
            kernel.forward(rows, n, k, x.array, x.off, x.ld, w.array, w.off, w.ld, b.array, b.off, act,
                    y.array, y.off, y.ld);
            outputs.add(y);
        } else {
            Placed yIn = Placed.input(o.y, rows, n, pad), dy = Placed.input(o.dy, rows, n, pad);
            Placed dz = Placed.output("dZ", rows, n, pad), db = Placed.output("db", 1, n, pad);
            kernel.activationBackward(rows, n, act, yIn.array, yIn.off, yIn.ld, dy.array, dy.off, dy.ld,
                    dz.array, dz.off, dz.ld, db.array, db.off, false);
            Placed scalarDz = Placed.input(reference.outputs().get(0).values(), rows, n, pad);
            Placed x = Placed.input(o.x, rows, k, pad), w = Placed.input(o.w, k, n, pad);
            Placed dw = Placed.output("dW", k, n, pad);
            kernel.weightGradient(rows, n, k, x.array, x.off, x.ld, scalarDz.array, scalarDz.off, scalarDz.ld,
                    dw.array, dw.off, dw.ld, false);
            Placed dx = Placed.output("dX", rows, k, pad);
            kernel.inputGradient(rows, n, k, scalarDz.array, scalarDz.off, scalarDz.ld, w.array, w.off, w.ld,
                    dx.array, dx.off, dx.ld);
            outputs.addAll(List.of(dz, db, dw, dx));
        }
        for (Placed out : outputs) {
            String outside = out.writtenOutside();
            if (outside != null) {
                return new Outcome(Double.POSITIVE_INFINITY, outside);
            }
        }
        return compare(reference.outputs(), outputs.stream().map(Placed::tight).toList());
    }

    /**
     * A rows × cols operand as the variant gets it: a view at offset {@code pad} of a larger array, its rows
     * {@code cols + pad} apart, {@code pad} cells after it. The other cells hold NaN in an input (a variant that
     * reads one makes NaN of its result) and {@link #SENTINEL} in an output (one that writes one is named); an
     * output's own cells start as NaN, so one left unwritten fails the comparison. With {@code pad} 0 an input is its
     * own array, rows packed together.
     */
    record Placed(String name, float[] array, int off, int ld, int rows, int cols) {

        static final int PAD = 3;
        static final float SENTINEL = 12345.75f;

        static Placed input(float[] tight, int rows, int cols, int pad) {
            if (pad == 0) {
                return new Placed(null, tight, 0, cols, rows, cols);
            }
            Placed p = new Placed(null, new float[pad + rows * (cols + pad) + pad], pad, cols + pad, rows, cols);
            java.util.Arrays.fill(p.array, Float.NaN);
            for (int i = 0; i < rows; i++) {
                System.arraycopy(tight, i * cols, p.array, p.off + i * p.ld, cols);
            }
            return p;
        }

        static Placed output(String name, int rows, int cols, int pad) {
            Placed p = new Placed(name, new float[pad + rows * (cols + pad) + pad], pad, cols + pad, rows, cols);
            java.util.Arrays.fill(p.array, SENTINEL);
            for (int i = 0; i < rows; i++) {
                java.util.Arrays.fill(p.array, p.off + i * p.ld, p.off + i * p.ld + cols, Float.NaN);
            }
            return p;
        }

        /** The view's cells, rows packed together. */
        float[] tight() {
            float[] t = new float[rows * cols];
            for (int i = 0; i < rows; i++) {
                System.arraycopy(array, off + i * ld, t, i * cols, cols);
            }
            return t;
        }

        /** What was written outside the view, or null when nothing was. */
        String writtenOutside() {
            for (int index = 0; index < array.length; index++) {
                int rel = index - off;
                boolean inside = rel >= 0 && rel / ld < rows && rel % ld < cols;
                if (!inside && Float.floatToRawIntBits(array[index]) != Float.floatToRawIntBits(SENTINEL)) {
                    return name + " (a " + rows + "×" + cols + " view at offset " + off + ", rows " + ld + " apart)"
                            + " had a cell outside it written: index " + index + " of its array, now " + array[index];
                }
            }
            return null;
        }
    }

    /**
     * Elementwise comparison ({@link ErrorBounds#compare}); the failure names the worst element outside its bound,
     * of the output where it is worst.
     */
    static Outcome compare(List<Expected> expected, List<float[]> actual) {
        double worstRatio = 0;
        String failure = null;
        double worstBadRatio = -1;
        for (int e = 0; e < expected.size(); e++) {
            Expected ex = expected.get(e);
            float[] got = actual.get(e);
            ErrorBounds.Comparison c = ErrorBounds.compare(ex.values(), got, ex.allowed());
            if (c.agrees()) {
                worstRatio = Math.max(worstRatio, c.worstRatio());
            } else if (failure == null || c.worstRatio() > worstBadRatio) {
                worstBadRatio = c.worstRatio();
                failure = ErrorBounds.describe(ex.name(), ex.cols(), ex.values(), got, ex.allowed(), c);
            }
        }
        return new Outcome(failure == null ? worstRatio : worstBadRatio, failure);
    }
}
