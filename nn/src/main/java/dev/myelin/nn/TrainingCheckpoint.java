package dev.myelin.nn;

import java.util.Objects;

/**
 * Where a training run stands after some epochs, beyond the model's parameters: given the model as it was then,
 * {@link Trainer#fit(Mlp, Dataset, TrainingConfig, TrainingCheckpoint, EpochListener)} continues the run and ends
 * with the same bits as a run that was never interrupted.
 *
 * @param epochs    epochs finished
 * @param optimizer the optimizer's step count and buffers
 * @param shuffle   the mini-batch shuffling stream after those epochs; null for a full-batch run (no stream)
 */
public record TrainingCheckpoint(int epochs, OptimizerState optimizer, NumpyRandom.State shuffle) {

    public TrainingCheckpoint {
        if (epochs < 0) {
            throw new IllegalArgumentException("a checkpoint's epoch count must be at least 0, got " + epochs);
        }
        Objects.requireNonNull(optimizer, "optimizer state is null");
    }
}
