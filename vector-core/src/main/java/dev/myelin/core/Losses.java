package dev.myelin.core;

/**
 * Loss values, with PyTorch's default conventions: the mean over the batch (and, for squared error and binary
 * cross-entropy, over every output). Accumulated in double; logarithms are clamped at −100 as PyTorch's
 * {@code BCELoss} does, so a saturated output gives a large finite loss instead of Inf. NaN inputs give a NaN loss.
 *
 * <p>The gradients that go with them are the fused heads of {@link DenseOps}:
 * BCE with sigmoid → {@code dZ = (Y − T)/(m·n)}; CE with softmax → {@code dZ = (P − onehot)/m};
 * MSE → {@code dY = 2(Y − T)/(m·n)}.
 */
public final class Losses {

    /** PyTorch's BCELoss clamps each log term at this value. */
    public static final double LOG_FLOOR = -100.0;

    private Losses() {
    }

    /**
     * Binary cross-entropy {@code −mean(t·ln y + (1−t)·ln(1−y))} over all m·n outputs, each log term clamped at
     * {@link #LOG_FLOOR} as PyTorch's BCELoss does. The outputs y are probabilities: one outside [0, 1] makes the
     * loss NaN (the logarithm of a negative number), where PyTorch refuses it; a perfect prediction gives 0.0,
     * not −0.0.
     */
    public static double binaryCrossEntropy(int m, int n, float[] y, int yOff, int ldy, float[] t, int tOff, int ldt) {
        checkPair(m, n, y, yOff, ldy, t, tOff, ldt);
        double sum = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double p = y[yOff + i * ldy + j];
                double target = t[tOff + i * ldt + j];
                sum += target * clampedLog(p) + (1 - target) * clampedLog(1 - p);
            }
        }
        return 0.0 - sum / ((double) m * n); // 0.0 −: a sum of +0.0 is a loss of 0.0, not −0.0
    }

    /** Cross-entropy {@code −mean_i ln P[i][label_i]} of softmax outputs {@code P[m×n]}. */
    public static double crossEntropy(int m, int n, float[] p, int pOff, int ldp, int[] labels, int labelsOff) {
        Checks.dimension("m", "rows of P", m);
        Checks.dimension("n", "classes, columns of P", n);
        Checks.matrix("P", p, pOff, m, n, ldp);
        Checks.labels(labels, labelsOff, m, n);
        return checkedCrossEntropy(m, p, pOff, ldp, labels, labelsOff);
    }

    /** {@link #crossEntropy} on operands the caller has checked ({@link DenseOps#softmaxCrossEntropy}). */
    static double checkedCrossEntropy(int m, float[] p, int pOff, int ldp, int[] labels, int labelsOff) {
        double sum = 0;
        for (int i = 0; i < m; i++) {
            sum += clampedLog(p[pOff + i * ldp + labels[labelsOff + i]]);
        }
        return 0.0 - sum / m; // as in binaryCrossEntropy: 0.0, not −0.0, for a perfect prediction
    }

    /** Mean squared error {@code mean((y − t)²)} over all m·n outputs. */
    public static double meanSquaredError(int m, int n, float[] y, int yOff, int ldy, float[] t, int tOff, int ldt) {
        checkPair(m, n, y, yOff, ldy, t, tOff, ldt);
        double sum = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double d = (double) y[yOff + i * ldy + j] - t[tOff + i * ldt + j];
                sum += d * d;
            }
        }
        return sum / ((double) m * n);
    }

    private static double clampedLog(double v) {
        return Math.max(Math.log(v), LOG_FLOOR); // Math.max keeps NaN
    }

    private static void checkPair(int m, int n, float[] y, int yOff, int ldy, float[] t, int tOff, int ldt) {
        Checks.dimension("m", "rows of Y and T", m);
        Checks.dimension("n", "columns of Y and T", n);
        Checks.matrix("Y", y, yOff, m, n, ldy);
        Checks.matrix("T", t, tOff, m, n, ldt);
    }
}
