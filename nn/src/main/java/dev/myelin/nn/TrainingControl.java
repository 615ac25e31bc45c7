package dev.myelin.nn;

/**
 * Lets another thread ask a running {@link Trainer#fit} to stop: after {@link #requestStop()} the run finishes the
 * step it is in, then returns a {@link TrainingResult} with {@link TrainingResult#stopped()} set and a checkpoint of
 * exactly that point (see {@link TrainingCheckpoint}). A signal handler or a UI thread calls {@code requestStop};
 * the training thread reads one volatile flag per step.
 *
 * <p>One control per run; a stop requested before the run starts takes effect after its first step.
 */
public final class TrainingControl {

    private volatile boolean stop;

    /** Asks the run to stop after its current step; safe from any thread, idempotent. */
    public void requestStop() {
        stop = true;
    }

    /** Whether {@link #requestStop()} was called. */
    public boolean stopRequested() {
        return stop;
    }
}
