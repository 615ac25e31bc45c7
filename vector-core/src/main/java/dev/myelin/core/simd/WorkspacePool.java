package dev.myelin.core.simd;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The free {@link GemmWorkspace}s of one width, lent to one call at a time: {@link #take} one (null when none is
 * free, and the caller makes one), {@link #giveBack} it after. A fixed array of slots, so that lending allocates
 * nothing; a thread starts looking at a slot of its own (by its id), so that a thread that calls again and again
 * gets the workspace it gave back, its buffers still in its core's caches. More workspaces than slots in use at
 * once (more threads in products of one width than twice the processors, and 64) are dropped when given back,
 * for the collector.
 *
 * <p>Not a {@code ThreadLocal}: its values, of this library's classes, would keep the library's class loader for
 * as long as their thread lives (a pooled executor's thread, for good), and each virtual thread would make one.
 */
final class WorkspacePool {

    /** At least 64, and twice the processors: one free workspace for every thread a host can run at once. */
    private static final int SLOTS = Integer.highestOneBit(Math.max(64,
            2 * Runtime.getRuntime().availableProcessors()) - 1) << 1; // the power of two at or above

    private final AtomicReferenceArray<GemmWorkspace> free = new AtomicReferenceArray<>(SLOTS);

    /** A free workspace, now this caller's until {@link #giveBack}; null when none is free. */
    GemmWorkspace take() {
        int start = home();
        for (int i = 0; i < SLOTS; i++) {
            int slot = (start + i) & (SLOTS - 1);
            if (free.get(slot) != null) {
                GemmWorkspace ws = free.getAndSet(slot, null);
                if (ws != null) {
                    return ws;
                }
            }
        }
        return null;
    }

    /** Returns {@code ws} for another call; dropped when every slot holds one. */
    void giveBack(GemmWorkspace ws) {
        int start = home();
        for (int i = 0; i < SLOTS; i++) {
            int slot = (start + i) & (SLOTS - 1);
            if (free.get(slot) == null && free.compareAndSet(slot, null, ws)) {
                return;
            }
        }
    }

    /** The slot this thread looks at first. */
    private static int home() {
        return (int) Thread.currentThread().threadId() & (SLOTS - 1);
    }
}
