package dev.myelin.nn;

import java.util.Objects;

/**
 * Per-feature standardisation {@code x' = (x - mean[j]) / std[j]}, fitted on a training set and applied in place
 * to it and to every set the model sees later (test data, prediction inputs), so all share the training set's
 * statistics.
 *
 * <p>{@code mean[j]} is the column's mean and {@code std[j]} its population standard deviation (divided by
 * {@code rows}), both summed in double. A constant column (std 0) gets {@code std[j] = 1}: it is only centred,
 * to 0, instead of dividing by zero; so {@code std} is always the divisor actually used, and the two arrays are
 * all a model file needs to store to repeat the scaling.
 */
public final class InputScaling {

    private final float[] mean;
    private final float[] std;

    /** The scaling with these arrays (copied); {@code std} must be positive and finite. */
    public InputScaling(float[] mean, float[] std) {
        Objects.requireNonNull(mean, "mean is null");
        Objects.requireNonNull(std, "std is null");
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("mean has " + mean.length + " values and std " + std.length
                    + "; expected the same number, at least 1");
        }
        for (int j = 0; j < std.length; j++) {
            if (!(std[j] > 0) || !Float.isFinite(std[j]) || !Float.isFinite(mean[j])) {
                throw new IllegalArgumentException("feature " + (j + 1) + ": mean " + mean[j] + ", std " + std[j]
                        + "; expected a finite mean and a finite std > 0");
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /**
     * The mean and standard deviation of each feature of {@code train}.
     *
     * @throws IllegalArgumentException if a feature is NaN or infinite (named by row and column), as training
     *                                  refuses it
     */
    public static InputScaling fit(Dataset train) {
        Objects.requireNonNull(train, "train is null");
        Trainer.requireFiniteFeatures(train, "the data", "standardising");
        int rows = train.rows();
        int inputs = train.inputs();
        float[] x = train.features();
        double[] sum = new double[inputs];
        for (int r = 0; r < rows; r++) {
            for (int j = 0, o = r * inputs; j < inputs; j++) {
                sum[j] += x[o + j];
            }
        }
        double[] mean = new double[inputs];
        for (int j = 0; j < inputs; j++) {
            mean[j] = sum[j] / rows;
        }
        // Second pass over the deviations: exact 0 for a constant column, no cancellation as in E[x²] - E[x]².
        double[] squares = new double[inputs];
        for (int r = 0; r < rows; r++) {
            for (int j = 0, o = r * inputs; j < inputs; j++) {
                double d = x[o + j] - mean[j];
                squares[j] += d * d;
            }
        }
        float[] m = new float[inputs];
        float[] s = new float[inputs];
        for (int j = 0; j < inputs; j++) {
            m[j] = (float) mean[j];
            float std = (float) Math.sqrt(squares[j] / rows);
            s[j] = std > 0 ? std : 1f;
        }
        return new InputScaling(m, s);
    }

    /** Scales {@code data}'s features in place. */
    public void apply(Dataset data) {
        Objects.requireNonNull(data, "data is null");
        apply(data.features(), data.inputs());
    }

    /**
     * Scales {@code features [rows×inputs]} (row-major, {@code inputs} = this scaling's features) in place. Each
     * value is computed in double and rounded to float at the end: in float, {@code x − mean} overflows for features
     * near ±3.4·10³⁸ (a column −3.4·10³⁸, 3.4·10³⁸, 3.4·10³⁸, 1 scales to −1.51, 0.90, 0.90, −0.30, not to −∞). A training set's scaled
     * values lie within ±√rows; a value of other data that lies beyond the float range after scaling becomes
     * infinite, as any float overflow does. (Builds before 2026-12-05 computed in float: their scaled values can
     * differ from these in the last bit, so a run resumed from their checkpoints goes on from slightly other inputs.)
     */
    public void apply(float[] features, int inputs) {
        Objects.requireNonNull(features, "features is null");
        if (inputs != mean.length || features.length % inputs != 0) {
            throw new IllegalArgumentException("features has " + features.length + " values in rows of " + inputs
                    + "; this scaling is for rows of " + mean.length + " features");
        }
        for (int o = 0; o < features.length; o += inputs) {
            for (int j = 0; j < inputs; j++) {
                features[o + j] = (float) ((features[o + j] - (double) mean[j]) / std[j]);
            }
        }
    }

    /** How many features this scaling is for. */
    public int inputs() {
        return mean.length;
    }

    /** Each feature's mean (a copy). */
    public float[] mean() {
        return mean.clone();
    }

    /** Each feature's divisor: its standard deviation, or 1 for a constant feature (a copy). */
    public float[] std() {
        return std.clone();
    }

    @Override
    public String toString() {
        return "InputScaling[" + mean.length + " features]";
    }
}
