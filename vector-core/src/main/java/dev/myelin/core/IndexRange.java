package dev.myelin.core;

/**
 * A loop body over a range of indices, {@code [from, to)}, for {@link DenseKernel#parallelFor}: the bodies of one
 * call run on disjoint ranges, possibly at the same time on different threads, so a body must only write what its
 * own indices own. Keep one instance and reuse it: a call then allocates nothing.
 */
@FunctionalInterface
public interface IndexRange {

    /** Runs the loop body for every index in {@code [from, to)}. */
    void run(int from, int to);
}
