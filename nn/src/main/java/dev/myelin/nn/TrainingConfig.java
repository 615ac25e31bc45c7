package dev.myelin.nn;

import java.util.Objects;

/**
 * The settings of one training run.
 *
 * @param loss         the loss (it must match the model's output activation, see {@link Trainer#fit})
 * @param epochs       passes over the data, at least 1
 * @param batchSize    rows per step; 0 (or at least the row count) means one full batch in file order
 * @param learningRate SGD step size, finite and positive
 * @param seed         seeds the per-epoch shuffle of mini-batches ({@link NumpyRandom}, so in [0, 2³²−1] when
 *                     mini-batches are used); unused for full batch
 * @param convention   how batch gradients are scaled ({@link GradientConvention})
 */
public record TrainingConfig(Loss loss, int epochs, int batchSize, float learningRate, long seed,
                             GradientConvention convention) {

    /** Validates every field; messages name the field as the command line spells it. */
    public TrainingConfig {
        Objects.requireNonNull(loss, "loss is null");
        Objects.requireNonNull(convention, "convention is null");
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("batch-size must be at least 0 (0 = full batch), got " + batchSize);
        }
        if (!Float.isFinite(learningRate) || learningRate <= 0f) {
            throw new IllegalArgumentException("learning-rate must be finite and greater than 0, got "
                    + learningRate);
        }
    }

    /** A configuration with the default {@link GradientConvention#MEAN}. */
    public TrainingConfig(Loss loss, int epochs, int batchSize, float learningRate, long seed) {
        this(loss, epochs, batchSize, learningRate, seed, GradientConvention.MEAN);
    }

    /** Whether every step uses all rows in file order. */
    public boolean fullBatch(int rows) {
        return batchSize == 0 || batchSize >= rows;
    }
}
