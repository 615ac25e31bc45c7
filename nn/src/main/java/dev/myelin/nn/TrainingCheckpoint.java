package dev.myelin.nn;

import java.util.Objects;

/**
 * Where a training run stands, beyond the model's parameters: given the model as it was then,
 * {@link Trainer#fit(Mlp, Dataset, TrainingConfig, TrainingCheckpoint, EpochListener, TrainingControl)} continues
 * the run and ends with the same bits (parameters and reported losses) as a run that was never interrupted.
 *
 * <p>A checkpoint lies at a step boundary: {@code epochs} whole epochs and then {@code batches} steps of epoch
 * {@code epochs + 1}. At an epoch boundary {@code batches} is 0 (a checkpoint is never written as "all batches of
 * an epoch done": that is the next epoch boundary). Inside an epoch, {@code shuffle} is the stream as of the
 * start of that epoch, so a resumed run re-draws the same permutation and skips the batches already done; at an
 * epoch boundary it is the stream after the finished epochs — the same thing, the stream before the shuffle of
 * epoch {@code epochs + 1}.
 *
 * @param epochs    epochs finished
 * @param batches   steps done in epoch {@code epochs + 1}; 0 at an epoch boundary (always for full batch)
 * @param lossSum   Σ rows·(batch loss) over those steps, the running sum of that epoch's reported loss; 0 at an
 *                  epoch boundary
 * @param optimizer the optimizer's step count and buffers
 * @param shuffle   the mini-batch shuffling stream before the shuffle of epoch {@code epochs + 1}; null for a
 *                  full-batch run (no stream)
 * @param firstLoss the loss at the start of the run, the divergence rule's baseline
 *                  ({@link TrainingDivergedException}), so that a resumed run applies the rule as the run never
 *                  interrupted does; NaN when not known (a checkpoint file written without it: the resumed run
 *                  then takes its own start as the baseline)
 */
public record TrainingCheckpoint(int epochs, int batches, double lossSum, OptimizerState optimizer,
                                 NumpyRandom.State shuffle, double firstLoss) {

    public TrainingCheckpoint {
        if (epochs < 0) {
            throw new IllegalArgumentException("a checkpoint's epoch count must be at least 0, got " + epochs);
        }
        if (batches < 0) {
            throw new IllegalArgumentException("a checkpoint's batch count must be at least 0, got " + batches);
        }
        if (!Double.isFinite(lossSum) || (batches == 0 && lossSum != 0)) {
            throw new IllegalArgumentException("a checkpoint's loss sum must be finite, and 0 at an epoch boundary,"
                    + " got " + lossSum + " after " + batches + " batches");
        }
        Objects.requireNonNull(optimizer, "optimizer state is null");
        if (Double.isInfinite(firstLoss)) {
            throw new IllegalArgumentException("a checkpoint's loss at the start of the run must be finite (or NaN"
                    + " when not known), got " + firstLoss);
        }
        if (batches > 0 && shuffle == null) {
            throw new IllegalArgumentException("a checkpoint inside an epoch (after " + batches + " batches) needs"
                    + " the shuffle stream");
        }
    }

    /** A checkpoint at the end of epoch {@code epochs}. */
    public TrainingCheckpoint(int epochs, OptimizerState optimizer, NumpyRandom.State shuffle, double firstLoss) {
        this(epochs, 0, 0, optimizer, shuffle, firstLoss);
    }

    /** Whether this checkpoint lies between two epochs ({@code batches == 0}). */
    public boolean atEpochBoundary() {
        return batches == 0;
    }
}
