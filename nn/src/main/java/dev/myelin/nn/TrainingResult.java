package dev.myelin.nn;

/**
 * What {@link Trainer#fit} returns.
 *
 * @param finalLoss  the loss reported for the last epoch (see {@link EpochListener#onEpoch})
 * @param epochs     the number of the last epoch run ({@link TrainingConfig#epochs()})
 * @param checkpoint the state after the last epoch, to continue the run later with more epochs
 */
public record TrainingResult(double finalLoss, int epochs, TrainingCheckpoint checkpoint) {
}
