package dev.myelin.nn;

/**
 * A training run's state at an epoch boundary, handed to {@link EpochListener#onEpochEnd}: nothing is copied
 * unless asked.
 */
@FunctionalInterface
public interface CheckpointExport {

    /** A copy of the state, in new arrays. */
    default TrainingCheckpoint get() {
        return get(null);
    }

    /**
     * As {@link #get()}, copying the optimizer's state into the arrays of {@code reuse} (an earlier export, which
     * is overwritten and must not be used again) where they fit, and into new ones where not (also for null). A
     * listener that exports at every epoch end, to write a checkpoint file, thus allocates that state once: new
     * arrays of megabytes at every epoch end would outlive a young collection and stay in the old generation.
     */
    TrainingCheckpoint get(TrainingCheckpoint reuse);
}
