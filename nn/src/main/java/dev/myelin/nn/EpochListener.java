package dev.myelin.nn;

/**
 * Called by {@link Trainer#fit} as training goes: {@link #onEpoch} once per epoch, after that epoch's parameter
 * updates, so the model seen there holds the parameters after the epoch. The other hooks do nothing unless
 * overridden; {@code fit} calls them in this order per epoch: {@code onEpochStart}, {@code onBatch} after each
 * step, {@code onEpoch}, {@code onEpochEnd}.
 */
@FunctionalInterface
public interface EpochListener {

    /**
     * @param epoch 1-based epoch number
     * @param loss  the epoch's loss: for full batch, the loss of the epoch's forward pass (before its update, as
     *              the document prints it); for mini-batches, the mean of the batch losses weighted by batch rows
     */
    void onEpoch(int epoch, double loss);

    /**
     * What {@link Trainer#fit} calls: {@link #onEpoch(int, double)} plus the learning rate the epoch's updates
     * used (from the schedule). Override this one to see the rate; by default it drops it.
     */
    default void onEpoch(int epoch, double loss, double learningRate) {
        onEpoch(epoch, loss);
    }

    /**
     * Before the first step of an epoch (also of an epoch resumed in its middle, whose first
     * {@code onBatch} then has a batch number above 1).
     *
     * @param batches steps in an epoch: ⌈rows / batch size⌉, 1 for full batch
     */
    default void onEpochStart(int epoch, int batches) {
    }

    /**
     * After each step (parameter update), e.g. for a progress bar.
     *
     * @param batch   1-based number of the step within the epoch
     * @param batches steps in an epoch, as in {@link #onEpochStart}
     */
    default void onBatch(int epoch, int batch, int batches) {
    }

    /**
     * After {@link #onEpoch}, at the epoch boundary. {@code checkpoint.get()} exports a copy of the run's state
     * there ({@link TrainingCheckpoint}; the model seen now holds the matching parameters), e.g. to write a
     * {@link CheckpointFile} every few epochs; nothing is copied unless it is called.
     */
    default void onEpochEnd(int epoch, CheckpointExport checkpoint) {
    }
}
