package dev.myelin.nn;

import dev.myelin.core.Losses;

/**
 * The cross-entropy terms that float probabilities cannot give, taken from the logits instead. The losses are
 * computed from the output layer's float outputs ({@link Losses}, which clamps each logarithm at −100 as
 * PyTorch's {@code BCELoss} does); that is exact to float precision except where an output has lost the
 * digits its logarithm needs: a class probability below 10⁻³⁰ (near float's underflow, the clamp at e⁻¹⁰⁰
 * beyond), or a sigmoid output within 10⁻³ of 1 where the target says 0 (float keeps too few digits of
 * {@code 1 − y}). For those rows only, the output layer's logits are recomputed in double from its input and
 * parameters, and the term becomes {@code logsumexp(z) − z[label]} (PyTorch's {@code CrossEntropyLoss}) or
 * {@code softplus(±z)} (PyTorch's {@code BCEWithLogitsLoss}, and the document's float64 formula). Each method
 * returns what to add to the sum of the row terms; 0 when no row needs it, which is the usual case: the cost is a
 * comparison per row.
 */
final class LogitLoss {

    /** A probability below this is too close to float's underflow to take its logarithm from. */
    static final double TINY = 1e-30;
    /** A sigmoid output within this of 1 keeps too few digits of {@code 1 − y}. */
    static final double NEAR_ONE = 1e-3;

    private LogitLoss() {
    }

    /**
     * For softmax outputs {@code p [m×n]} of layer {@code last} on input {@code h [m×k]} (at {@code hOff}, row
     * stride k): Σ over the rows whose {@code p[label]} is below {@link #TINY} of (the logit term − the float term).
     */
    static double crossEntropy(Dense last, float[] h, int hOff, float[] p, int m, int n, int[] labels,
                               int labelsOff) {
        double correction = 0;
        double[] z = null;
        for (int i = 0; i < m; i++) {
            int label = labels[labelsOff + i];
            float pl = p[i * n + label];
            if (!(pl < TINY)) { // NaN too: it propagates as it is
                continue;
            }
            z = logits(last, h, hOff, i, z);
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, z[j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += Math.exp(z[j] - max);
            }
            double exact = max + Math.log(sum) - z[label];
            correction += exact - (-Math.max(Math.log(pl), Losses.LOG_FLOOR));
        }
        return correction;
    }

    /**
     * For sigmoid outputs {@code y [m×n]} of layer {@code last} on input {@code h} with targets
     * {@code t [m×n]} (at {@code tOff}, row stride n): Σ over the elements that lost their digits (a target
     * above 0 with {@code y <} {@link #TINY}, or a target below 1 with {@code 1 − y <} {@link #NEAR_ONE}) of (the
     * logit term − the float term).
     */
    static double binaryCrossEntropy(Dense last, float[] h, int hOff, float[] y, int m, int n, float[] t, int tOff) {
        double correction = 0;
        double[] z = null;
        int zRow = -1;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double p = y[i * n + j];
                double target = t[tOff + i * n + j];
                if (!(target > 0 && p < TINY || target < 1 && 1 - p < NEAR_ONE)) {
                    continue;
                }
                if (zRow != i) {
                    z = logits(last, h, hOff, i, z);
                    zRow = i;
                }
                // −[t·log σ(z) + (1 − t)·log(1 − σ(z))] = t·softplus(−z) + (1 − t)·softplus(z)
                double exact = target * softplus(-z[j]) + (1 - target) * softplus(z[j]);
                double approximate = -(target * Math.max(Math.log(p), Losses.LOG_FLOOR)
                        + (1 - target) * Math.max(Math.log(1 - p), Losses.LOG_FLOOR));
                correction += exact - approximate;
            }
        }
        return correction;
    }

    /** {@code log(1 + e^x)} without overflow or loss of digits. */
    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** Row i of {@code h·W + b} for layer {@code last}, in double, in {@code into} (allocated when null). */
    private static double[] logits(Dense last, float[] h, int hOff, int i, double[] into) {
        int k = last.inputs();
        int n = last.outputs();
        double[] z = into != null ? into : new double[n];
        float[] w = last.weights();
        float[] b = last.bias();
        for (int j = 0; j < n; j++) {
            z[j] = b[j];
        }
        int row = hOff + i * k;
        for (int q = 0; q < k; q++) {
            double hq = h[row + q];
            for (int j = 0; j < n; j++) {
                z[j] += hq * w[q * n + j];
            }
        }
        return z;
    }
}
