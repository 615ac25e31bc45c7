package dev.myelin.nn;

/**
 * What {@link Trainer#fit} returns.
 *
 * @param finalLoss  the loss reported for the last epoch finished by this call (see {@link EpochListener#onEpoch});
 *                   NaN if the call was stopped before it finished an epoch
 * @param epochs     the number of the last epoch finished ({@link TrainingConfig#epochs()} unless stopped)
 * @param checkpoint the state where the run ended: after the last epoch, to continue later with more epochs; or,
 *                   when stopped, the step where it stopped
 * @param stopped    whether a {@link TrainingControl} stopped the run before its last epoch ended
 */
public record TrainingResult(double finalLoss, int epochs, TrainingCheckpoint checkpoint, boolean stopped) {

    /** A run that ran to its end. */
    public TrainingResult(double finalLoss, int epochs, TrainingCheckpoint checkpoint) {
        this(finalLoss, epochs, checkpoint, false);
    }
}
