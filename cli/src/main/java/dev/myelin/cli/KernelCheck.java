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
 * on the same inputs.
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
        int k = o.shape.k(), n = o.shape.n();
        List<float[]> actual = new ArrayList<>();
        if (op == BenchCommand.Op.FORWARD) {
            float[] y = filled(rows * n);
            kernel.forward(rows, n, k, o.x, 0, k, o.w, 0, n, o.b, 0, act, y, 0, n);
            actual.add(y);
        } else {
            float[] dz = filled(rows * n);
            float[] db = filled(n);
            kernel.activationBackward(rows, n, act, o.y, 0, n, o.dy, 0, n, dz, 0, n, db, 0, false);
            float[] scalarDz = reference.outputs().get(0).values();
            float[] dw = filled(k * n);
            kernel.weightGradient(rows, n, k, o.x, 0, k, scalarDz, 0, n, dw, 0, n, false);
            float[] dx = filled(rows * k);
            kernel.inputGradient(rows, n, k, scalarDz, 0, n, o.w, 0, n, dx, 0, k);
            actual.addAll(List.of(dz, db, dw, dx));
        }
        return compare(reference.outputs(), actual);
    }

    /** Output buffers start as NaN: a kernel that leaves an element unwritten fails the check. */
    private static float[] filled(int size) {
        float[] a = new float[size];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
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
