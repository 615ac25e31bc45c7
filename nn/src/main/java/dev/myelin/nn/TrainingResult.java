package dev.myelin.nn;

/**
 * What {@link Trainer#fit} returns.
 *
 * @param finalLoss the loss reported for the last epoch (see {@link EpochListener#onEpoch})
 * @param epochs    the number of epochs run
 */
public record TrainingResult(double finalLoss, int epochs) {
}
