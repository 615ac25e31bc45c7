package dev.myelin.core.simd;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A small persistent pool: {@code size − 1} daemon worker threads plus the calling thread run the parts
 * {@code 0 .. size−1} of one job at a time. Nothing is allocated per call: the job is an object the caller
 * owns, the hand-off is a volatile generation counter, and waiting is a short spin, then park/unpark.
 *
 * <p>One call at a time: {@link #tryAcquire} fails while another thread's call holds the pool, and the
 * caller then runs the whole problem itself (the results are the same bits, see {@link ParallelKernel}).
 * Every worker acknowledges every generation, whether it has a part or not, so no worker can fall a
 * generation behind.
 */
final class WorkerPool {

    /** Spins before parking: long enough to catch back-to-back calls of a training loop, short on idle cores. */
    private static final int SPINS = 20_000;

    private final int size;
    private final String name;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();
    private Thread[] workers;
    private volatile int generation;
    private volatile Thread caller;
    private IntConsumer job;
    private int parts;
    private volatile Throwable failure;

    /** A pool of {@code size} threads in all, the caller included; its workers start on first use. */
    WorkerPool(int size, String name) {
        this.size = size;
        this.name = name;
    }

    int size() {
        return size;
    }

    /** Takes the pool for one call; false when another call holds it. */
    boolean tryAcquire() {
        return busy.compareAndSet(false, true);
    }

    void release() {
        busy.set(false);
    }

    /**
     * Runs {@code job.accept(p)} for p in {@code [0, parts)}, part 0 on this thread, and returns when all are
     * done, rethrowing the first failure. Only while the pool is held ({@link #tryAcquire}); parts ≤ size.
     */
    void run(int parts, IntConsumer job) {
        startWorkers();
        this.job = job;
        this.parts = parts;
        this.failure = null;
        this.caller = Thread.currentThread();
        pending.set(workers.length);
        generation++; // volatile write: publishes job and parts to the workers
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        Throwable own = null;
        try {
            job.accept(0);
        } catch (Throwable t) {
            own = t;
        }
        for (int spin = 0; pending.get() != 0; spin++) {
            if (spin < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        this.job = null;
        Throwable failed = own != null ? own : failure;
        if (failed instanceof RuntimeException e) {
            throw e;
        }
        if (failed instanceof Error e) {
            throw e;
        }
        if (failed != null) {
            throw new IllegalStateException(failed);
        }
    }

    private void startWorkers() {
        if (workers != null) {
            return;
        }
        workers = new Thread[size - 1];
        for (int w = 0; w < workers.length; w++) {
            int part = w + 1;
            workers[w] = Thread.ofPlatform().daemon().name(name + "-" + part).unstarted(() -> workLoop(part));
            workers[w].start();
        }
    }

    private void workLoop(int part) {
        int seen = 0;
        while (true) {
            for (int spin = 0; generation == seen; spin++) {
                if (spin < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            seen = generation;
            if (part < parts) {
                try {
                    job.accept(part);
                } catch (Throwable t) {
                    failure = t;
                }
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }
}
