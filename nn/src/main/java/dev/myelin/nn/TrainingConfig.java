package dev.myelin.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The settings of one training run.
 *
 * @param loss       the loss (it must match the model's output activation, see {@link Trainer#fit})
 * @param epochs     passes over the data, at least 1
 * @param batchSize  rows per step; 0 (or at least the row count) means one full batch in file order
 * @param optimizer  the update rule, its hyper-parameters and the learning-rate schedule (checked there)
 * @param seed       seeds the per-epoch shuffle of mini-batches ({@link NumpyRandom}, so in [0, 2³²−1] when
 *                   mini-batches are used); unused for full batch
 * @param convention how batch gradients are scaled ({@link GradientConvention})
 */
public record TrainingConfig(Loss loss, int epochs, int batchSize, OptimizerSpec optimizer, long seed,
                             GradientConvention convention) {

    /** Validates every field; messages name the field as the command line spells it. */
    public TrainingConfig {
        Objects.requireNonNull(loss, "loss is null");
        Objects.requireNonNull(optimizer, "optimizer is null");
        Objects.requireNonNull(convention, "convention is null");
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 0) {
            throw new IllegalArgumentException("--batch-size must be at least 0 (0 = full batch), got " + batchSize);
        }
    }

    /** Plain SGD at the constant rate {@code learningRate} (checked by {@link OptimizerSpec}). */
    public TrainingConfig(Loss loss, int epochs, int batchSize, float learningRate, long seed,
                          GradientConvention convention) {
        this(loss, epochs, batchSize, OptimizerSpec.sgd(learningRate), seed, convention);
    }

    /** Plain SGD with the default {@link GradientConvention#MEAN}. */
    public TrainingConfig(Loss loss, int epochs, int batchSize, float learningRate, long seed) {
        this(loss, epochs, batchSize, learningRate, seed, GradientConvention.MEAN);
    }

    /** The optimizer's base rate lr0 as a float (the rate of every epoch under a constant schedule). */
    public float learningRate() {
        return (float) optimizer.learningRate();
    }

    /**
     * Every setting that shapes the run's bits besides its model and data — what a resume must keep — keyed by
     * its name on the command line, in a fixed order: loss, batch size, seed, gradient convention, the
     * optimizer's kind, hyper-parameters and schedule. {@code --epochs} is not one of them: a resume may run
     * longer. The one list that {@link CheckpointFile#requireCompatible} checks and {@link #describeRun} prints.
     */
    public Map<String, Object> resumeSettings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("--loss", loss);
        s.put("--batch-size", batchSize);
        s.put("--seed", seed);
        s.put("--gradients", convention.id());
        s.put("--optimizer", optimizer.kind());
        s.put("--lr", optimizer.learningRate());
        s.put("--momentum", optimizer.momentum());
        s.put("--beta1", optimizer.beta1());
        s.put("--beta2", optimizer.beta2());
        s.put("--eps", optimizer.epsilon());
        s.put("--weight-decay", optimizer.weightDecay());
        s.put("learning-rate schedule", optimizer.schedule());
        return s;
    }

    /**
     * {@link #resumeSettings} on one line, {@code --loss ce, --batch-size 128, …, learning-rate schedule constant}:
     * two runs with the same line (and model and data) are the same run.
     */
    public String describeRun() {
        return resumeSettings().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /** Whether every step uses all rows in file order. */
    public boolean fullBatch(int rows) {
        return batchSize == 0 || batchSize >= rows;
    }
}
