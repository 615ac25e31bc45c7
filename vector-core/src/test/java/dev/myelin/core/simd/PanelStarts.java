package dev.myelin.core.simd;

/**
 * For tests outside this package ({@code dev.myelin.core.PanelStartTest}): forces where the engine's packed B panels
 * start in their buffer ({@link CacheLines#forcedIndex}), whatever the buffer's address.
 */
public final class PanelStarts {

    /** The possible starts, 0 to {@code COUNT} − 1: the floats of a cache line. */
    public static final int COUNT = CacheLines.LINE_FLOATS;

    private PanelStarts() {
    }

    /** Every later block is packed from {@code start} on. */
    public static void force(int start) {
        if (start < 0 || start >= COUNT) {
            throw new IllegalArgumentException("a start in [0, " + COUNT + "), got " + start);
        }
        CacheLines.forcedIndex = start;
    }

    /** Blocks start on a cache line again (or at 0 without native access). */
    public static void release() {
        CacheLines.forcedIndex = -1;
    }
}
