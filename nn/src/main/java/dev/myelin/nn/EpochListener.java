package dev.myelin.nn;

/**
 * Called once per epoch by {@link Trainer#fit}, after that epoch's parameter updates, so the model seen here
 * holds the parameters after the epoch.
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
}
