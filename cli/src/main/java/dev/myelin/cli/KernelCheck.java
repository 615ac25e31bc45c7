package dev.myelin.cli;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code myelin bench}'s correctness check: a variant's outputs against the scalar kernel's on the same inputs,
 * elementwise, with the error bounds of vector-core's conformance tests (vector-core/src/test/.../Conformance).
 *
 * <p>ε = 2⁻²³, c = 2. A variant's error against the exact result is at most (all magnitudes in double):
 * <pre>
 *  Y   D·c·√k·ε·(|X|·|W| + |b|) + 4ε·|y| + τ   (k products and adds, the bias, then the activation's 4 ulps)
 *  dZ  c·3·ε·|dY|·A(Y) + τ                     A = 1, |y|(1+|y|), 1+y², 1 (identity, sigmoid, tanh, relu)
 *  db  c·(√m+3)·ε·Σᵢ |dY|·A(Y) + τ
 *  dW  c·√m·ε·(|X|ᵀ·|dZ|) + τ                  the reduction runs over the m rows
 *  dX  c·√n·ε·(|dZ|·|W|ᵀ) + τ                  the reduction runs over the n outputs
 * </pre>
 * τ = 2⁻¹²⁶ covers results that underflow; D is the activation's largest slope (¼ for sigmoid, 1 for the others),
 * which carries an error of Z into Y. A sum of r terms has the worst-case error r·ε/2·Σ|terms| (every rounding the
 * same way), which c·√r·ε·Σ|terms| covers for r ≤ 16; beyond that it covers the errors that rounding gives, which
 * add like a random walk (Higham and Mary's probabilistic rounding error analysis: √r·ε with high probability),
 * on bench's operands, uniform in [−1, 1] with mixed signs. The worst-case r·ε bound of vector-core's conformance
 * tests, which check r ≤ a few hundred, had been used here too: at 128×784×256 it let a forward that adds 0.05 to
 * every output pass as "ok" (a bound of 0.073); now the bound there is 6.5·10⁻⁴ for sigmoid. The built-in
 * kernels' largest errors are 0.6–1.5 % of the forward's bounds and 2–4 % of the backward's there, at most 12 % at
 * 16×8192×40 ({@code BenchCommandTest} prints them). The scalar kernel is within the same bound of the exact result, so the two may differ by twice the
 * bound, which is what is allowed (and reported as "the bound"). dW and dX are computed by both kernels from the
 * scalar kernel's dZ, so that each product is checked on the same inputs.
 */
final class KernelCheck {

    static final double EPS = 0x1p-23;
    static final double C = 2;
    static final double ACTIVATION_ULPS = 4;
    static final double TINY = Float.MIN_NORMAL;
    /** Both the variant and the scalar kernel lie within the bound of the exact value. */
    static final double ALLOWANCE = 2;

    private KernelCheck() {
    }

    /** One output of the scalar kernel: name, shape, values, and the allowed difference per element. */
    record Expected(String name, int rows, int cols, float[] values, double[] allowed) {
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
            double[] allowed = new double[rows * n];
            double[] row = new double[n];
            for (int i = 0; i < rows; i++) {
                java.util.Arrays.fill(row, 0);
                for (int p = 0; p < k; p++) {
                    double ax = Math.abs(o.x[i * k + p]);
                    for (int j = 0; j < n; j++) {
                        row[j] += ax * Math.abs(o.w[p * n + j]);
                    }
                }
                for (int j = 0; j < n; j++) {
                    double mag = row[j] + Math.abs(o.b[j]);
                    allowed[i * n + j] = ALLOWANCE * (largestSlope(act) * C * reduction(k) * EPS * mag
                            + ACTIVATION_ULPS * EPS * Math.abs(y[i * n + j]) + TINY);
                }
            }
            list.add(new Expected("Y", rows, n, y, allowed));
            return new Reference(list);
        }

        float[] dz = new float[rows * n];
        float[] db = new float[n];
        scalar.activationBackward(rows, n, act, o.y, 0, n, o.dy, 0, n, dz, 0, n, db, 0, false);
        double[] dzAllowed = new double[rows * n];
        double[] dbMag = new double[n];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < n; j++) {
                int t = i * n + j;
                double mag = Math.abs(o.dy[t]) * derivativeMagnitude(act, o.y[t]);
                dzAllowed[t] = ALLOWANCE * (C * 3 * EPS * mag + TINY);
                dbMag[j] += mag;
            }
        }
        double[] dbAllowed = new double[n];
        for (int j = 0; j < n; j++) {
            dbAllowed[j] = ALLOWANCE * (C * (reduction(rows) + 3) * EPS * dbMag[j] + TINY);
        }
        list.add(new Expected("dZ", rows, n, dz, dzAllowed));
        list.add(new Expected("db", 1, n, db, dbAllowed));

        float[] dw = new float[k * n];
        scalar.weightGradient(rows, n, k, o.x, 0, k, dz, 0, n, dw, 0, n, false);
        double[] dwMag = new double[k * n];
        for (int i = 0; i < rows; i++) {
            for (int p = 0; p < k; p++) {
                double ax = Math.abs(o.x[i * k + p]);
                for (int j = 0; j < n; j++) {
                    dwMag[p * n + j] += ax * Math.abs(dz[i * n + j]);
                }
            }
        }
        for (int t = 0; t < dwMag.length; t++) {
            dwMag[t] = ALLOWANCE * (C * reduction(rows) * EPS * dwMag[t] + TINY);
        }
        list.add(new Expected("dW", k, n, dw, dwMag));

        float[] dx = new float[rows * k];
        scalar.inputGradient(rows, n, k, dz, 0, n, o.w, 0, n, dx, 0, k);
        double[] dxAllowed = new double[rows * k];
        for (int i = 0; i < rows; i++) {
            for (int p = 0; p < k; p++) {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += Math.abs(dz[i * n + j]) * Math.abs(o.w[p * n + j]);
                }
                dxAllowed[i * k + p] = ALLOWANCE * (C * reduction(n) * EPS * sum + TINY);
            }
        }
        list.add(new Expected("dX", rows, k, dx, dxAllowed));
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

    /** Elementwise comparison; the failure names the worst element outside its bound. */
    static Outcome compare(List<Expected> expected, List<float[]> actual) {
        double worstRatio = 0;
        String failure = null;
        double worstBadRatio = -1;
        for (int e = 0; e < expected.size(); e++) {
            Expected ex = expected.get(e);
            float[] got = actual.get(e);
            int bad = 0;
            int worstBad = -1;
            double worstBadHere = -1;
            for (int t = 0; t < ex.values().length; t++) {
                double error = Math.abs((double) got[t] - ex.values()[t]);
                double ratio = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error / ex.allowed()[t];
                if (!(error <= ex.allowed()[t])) {
                    bad++;
                    if (ratio > worstBadHere || worstBad < 0) {
                        worstBad = t;
                        worstBadHere = ratio;
                    }
                } else {
                    worstRatio = Math.max(worstRatio, ratio);
                }
            }
            if (bad > 0 && worstBadHere > worstBadRatio) {
                worstBadRatio = worstBadHere;
                int i = worstBad / ex.cols(), j = worstBad % ex.cols();
                String at = ex.rows() == 1 && ex.name().equals("db") ? ex.name() + "[" + j + "]"
                        : ex.name() + "[" + i + "][" + j + "]";
                failure = String.format(Locale.ROOT, "%s = %s vs %s (bound %.3g; %d of %d elements outside)", at,
                        got[worstBad], ex.values()[worstBad], ex.allowed()[worstBad], bad, ex.values().length);
            }
        }
        return new Outcome(failure == null ? worstRatio : worstBadRatio, failure);
    }

    /** The error factor of a sum of {@code terms} terms, in units of c·ε·Σ|terms| (the class comment says why √). */
    static double reduction(int terms) {
        return Math.sqrt(terms);
    }

    /** The activation's largest slope, which bounds how far an error of Z moves Y. */
    static double largestSlope(Activation act) {
        return act == Activation.SIGMOID ? 0.25 : 1;
    }

    /** |act'(y)| on absolute values: the magnitude of dY·act'(Y). */
    private static double derivativeMagnitude(Activation act, double y) {
        return switch (act) {
            case IDENTITY, RELU -> 1;
            case SIGMOID -> Math.abs(y) * (1 + Math.abs(y));
            case TANH -> 1 + y * y;
            case SOFTMAX -> throw new IllegalArgumentException("softmax is not elementwise");
        };
    }
}
