package dev.myelin.core;

/**
 * Every kernel operation computed in double from the same float inputs, in the textbook order: the
 * "exact" result the float kernels are measured against (double's 2^-53 rounding is 2^-30 of a float
 * ulp, far below every bound). Matrices are dense row-major {@code double[]}; the same methods applied
 * to absolute values give the magnitudes that scale the error bounds (see {@link Conformance}).
 */
final class DoubleReference {

    private DoubleReference() {
    }

    /** {@code C[m×n] = A[m×k]·B[k×n]}. */
    static double[] gemm(int m, int n, int k, double[] a, double[] b) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double aip = a[i * k + p];
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += aip * b[p * n + j];
                }
            }
        }
        return c;
    }

    /** {@code Aᵀ} of a dense {@code rows×cols} matrix. */
    static double[] transpose(int rows, int cols, double[] a) {
        double[] t = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    /** {@code Z[m×n] = X·W + b} (b may be null), before the activation. */
    static double[] preActivation(int m, int n, int k, double[] x, double[] w, double[] b) {
        double[] z = gemm(m, n, k, x, w);
        if (b != null) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    z[i * n + j] += b[j];
                }
            }
        }
        return z;
    }

    /** {@code act(z)} in double. */
    static double activate(Activation act, double z) {
        return switch (act) {
            case IDENTITY -> z;
            case SIGMOID -> 1 / (1 + Math.exp(-z));
            case TANH -> Math.tanh(z);
            case RELU -> Math.max(0, z);
            case SOFTMAX -> throw new IllegalArgumentException("row-wise");
        };
    }

    /** {@code Y = act(X·W + b)}. */
    static double[] forward(int m, int n, int k, double[] x, double[] w, double[] b, Activation act) {
        double[] y = preActivation(m, n, k, x, w, b);
        for (int t = 0; t < y.length; t++) {
            y[t] = activate(act, y[t]);
        }
        return y;
    }

    /** {@code act'} as a function of the output y (relu: [y > 0], NaN passing). */
    static double derivative(Activation act, double y) {
        return switch (act) {
            case IDENTITY -> 1;
            case SIGMOID -> y * (1 - y);
            case TANH -> 1 - y * y;
            case RELU -> y <= 0 ? 0 : 1;
            case SOFTMAX -> throw new IllegalArgumentException("row-wise");
        };
    }

    /** {@code dZ = dY ⊙ act'(Y)}. */
    static double[] activationBackward(Activation act, double[] y, double[] dy) {
        double[] dz = new double[y.length];
        for (int t = 0; t < y.length; t++) {
            dz[t] = dy[t] * derivative(act, y[t]);
        }
        return dz;
    }

    /** {@code db[n] = prior + Σ_rows dZ} (prior may be null). */
    static double[] columnSums(int m, int n, double[] dz, double[] prior) {
        double[] db = prior == null ? new double[n] : prior.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                db[j] += dz[i * n + j];
            }
        }
        return db;
    }

    /** {@code dW[k×n] = prior + Xᵀ·dZ} (prior may be null). */
    static double[] weightGradient(int m, int n, int k, double[] x, double[] dz, double[] prior) {
        double[] dw = gemm(k, n, m, transpose(m, k, x), dz);
        if (prior != null) {
            for (int t = 0; t < dw.length; t++) {
                dw[t] += prior[t];
            }
        }
        return dw;
    }

    /** {@code dX[m×k] = dZ·Wᵀ}. */
    static double[] inputGradient(int m, int n, int k, double[] dz, double[] w) {
        return gemm(m, k, n, dz, transpose(k, n, w));
    }

    /** {@code dZ = (Y − T)·scale}. */
    static double[] outputMinusTarget(double[] y, double[] t, double scale) {
        double[] dz = new double[y.length];
        for (int e = 0; e < y.length; e++) {
            dz[e] = (y[e] - t[e]) * scale;
        }
        return dz;
    }

    /** Row-wise {@code exp(z − max) / Σ exp(z − max)}. */
    static double[] softmaxRows(int m, int n, double[] z) {
        double[] p = new double[m * n];
        for (int i = 0; i < m; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, z[i * n + j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += Math.exp(z[i * n + j] - max);
            }
            for (int j = 0; j < n; j++) {
                p[i * n + j] = Math.exp(z[i * n + j] - max) / sum;
            }
        }
        return p;
    }

    /** The one-hot matrix of {@code labels}, {@code m×n}. */
    static double[] oneHot(int m, int n, int[] labels) {
        double[] t = new double[m * n];
        for (int i = 0; i < m; i++) {
            t[i * n + labels[i]] = 1;
        }
        return t;
    }

    static double[] abs(double[] a) {
        double[] r = new double[a.length];
        for (int t = 0; t < a.length; t++) {
            r[t] = Math.abs(a[t]);
        }
        return r;
    }
}
