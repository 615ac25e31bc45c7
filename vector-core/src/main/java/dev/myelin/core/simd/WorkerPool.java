package dev.myelin.core.simd;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A small pool: {@code size − 1} daemon worker threads plus the calling thread run the parts
 * {@code 0 .. parts−1} of one job at a time. Nothing is allocated per call while calls come: the job is an object
 * the caller owns, the hand-off is a volatile generation counter, and waiting is a short spin, then park/unpark.
 * A worker that has waited {@link #IDLE_NANOS} ends; the next call starts a new one in its slot (a thread made
 * then, after the idle time, not in calls back to back).
 *
 * <p><b>Parts are claimed, not assigned.</b> Every thread, the caller included, takes the next unclaimed part
 * from a counter until none is left, and the call ends when every part is done. A worker that the operating
 * system has not scheduled (the machine is busy with other work, or the worker is still waking from park) then
 * costs nothing: the caller runs its parts itself, so a loaded machine runs at worst at one thread's speed
 * instead of waiting for a thread that is not running. Which thread runs a part does not change its result:
 * the parts are fixed by the caller, and each is computed the same way on any thread.
 *
 * <p>One call at a time: {@link #tryAcquire} fails while another thread's call holds the pool, and the
 * caller then runs the whole problem itself (the results are the same bits, see {@link ParallelKernel}).
 *
 * <p><b>The workers end with the pool.</b> They run a {@link Crew}, which holds everything they use and nothing
 * that leads back to this object; once this pool (with the kernel that owns it) is unreachable and the garbage
 * collector has found it so, a {@link Cleaner} tells the crew to stop and its threads end (a pool made without
 * one, the registry's default, which is never unreachable first: its workers end only idle). The kernels
 * allocate nothing, so that collection may be long in coming: a program that makes kernels as it goes (one per
 * task, per thread count tried) closes each when done ({@link #close}, through {@link ParallelKernel#close}) or
 * shares one (the registry keeps one per thread count), or its idle workers wait until the next collection or
 * their idle time, whichever comes first.
 */
final class WorkerPool {

    /** Spins before parking: long enough to catch back-to-back calls of a training loop, short on idle cores. */
    private static final int SPINS = 20_000;

    /** The most parts one call can have (the claim word's 16 bits). */
    static final int MAX_PARTS = 0xFFFF;

    /**
     * How long a worker waits for work before it ends (the next call starts it again): a minute, as a
     * {@code ForkJoinPool}'s idle threads. Idle workers of a pool that lives for good (the registry's) then do not
     * live for good, and neither does the class loader their code comes from (a plugin's, a Spark job's).
     */
    static final long IDLE_NANOS = 60_000_000_000L;

    private final int size;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final Crew crew;
    private final Cleaner.Cleanable cleanable;

    /** A pool of {@code size} threads in all, the caller included; its workers start on first use. */
    WorkerPool(int size, String name) {
        this(size, name, true);
    }

    /**
     * As {@link #WorkerPool(int, String)}; with {@code startWorkers} false no worker ever runs, which is what a
     * call sees when the operating system schedules none of them (tests).
     */
    WorkerPool(int size, String name, boolean startWorkers) {
        this(size, name, startWorkers, true, IDLE_NANOS);
    }

    /**
     * @param cleaned   whether the workers stop once this pool is unreachable ({@link Cleaner}); false for a pool
     *                  that is never unreachable while its classes live (the registry's shared ones): registered, it
     *                  would keep the cleaner's thread holding this library's class loader for good
     * @param idleNanos how long a worker waits for a call before it ends ({@link #IDLE_NANOS}; tests shorten it)
     */
    WorkerPool(int size, String name, boolean startWorkers, boolean cleaned, long idleNanos) {
        this.size = size;
        this.crew = new Crew(startWorkers ? size - 1 : 0, name, idleNanos);
        // crew::stop holds the crew only, not this pool
        this.cleanable = cleaned ? Cleaners.CLEANER.register(this, crew::stop) : null;
    }

    int size() {
        return size;
    }

    /** Takes the pool for one call; false when another call holds it, or once the pool is closed. */
    boolean tryAcquire() {
        return !crew.stopped && busy.compareAndSet(false, true);
    }

    /**
     * Ends the workers now instead of when they are idle or the pool is found unreachable; later calls find the pool
     * closed ({@link #tryAcquire} false) and run on their own thread. A call under way finishes: its caller claims
     * the parts the workers leave. Idempotent.
     */
    void close() {
        if (cleanable != null) {
            cleanable.clean(); // stops the crew once, and the Cleaner forgets this pool
        } else {
            crew.stop();
        }
    }

    /** Whether {@link #close} was called (for a pool someone holds, the crew stops only so). */
    boolean isClosed() {
        return crew.stopped;
    }

    void release() {
        busy.set(false);
    }

    /**
     * Runs {@code job.accept(p)} for p in {@code [0, parts)} on this thread and the workers, each part once, and
     * returns when all are done, rethrowing the first failure. Only while the pool is held ({@link #tryAcquire}).
     */
    void run(int parts, IntConsumer job) {
        if (parts < 1 || parts > MAX_PARTS) {
            throw new IllegalArgumentException("a call has 1 to " + MAX_PARTS + " parts, not " + parts);
        }
        crew.run(parts, job);
    }

    /** The workers' threads that are alive (tests: they end idle, closed, or once the pool is unreachable). */
    int liveWorkers() {
        return crew.liveWorkers();
    }

    /**
     * Added, as suppressed, to a failure thrown by a part that ran on a worker: its own stack trace is the calling
     * thread's, so the report shows where the call came from as well as where the part failed.
     */
    static final class CallerStack extends RuntimeException {
        CallerStack(Thread caller) {
            super("the parallel call that ran the failed part, on thread '" + caller.getName() + "'");
        }
    }

    /** One {@link Cleaner} thread for every pool that has one, started with the first. */
    private static final class Cleaners {
        static final Cleaner CLEANER = Cleaner.create();
    }

    /** The workers and the state of the current call: what the worker threads reach, and all they reach. */
    private static final class Crew {
        private final int workerCount;
        private final String name;
        private final long idleNanos;
        /** Workers that ended after waiting {@link #idleNanos}: 1 at their slot until the next call replaces them. */
        private final java.util.concurrent.atomic.AtomicIntegerArray retired;
        private final AtomicInteger retiredCount = new AtomicInteger();
        /**
         * The claim word: the call's generation (bits 32–63), its part count (bits 16–31) and its next unclaimed
         * part (bits 0–15). A claim is a compare-and-set of the whole word, so it names the call and carries the
         * call's own part count: a thread that wakes late can never take a part of one call by another call's
         * count.
         */
        private final AtomicLong claims = new AtomicLong();
        /** Parts finished in the current call. */
        private final AtomicInteger done = new AtomicInteger();
        private volatile Thread[] workers;
        private volatile int generation;
        private volatile boolean stopped;
        private volatile Thread caller;
        private IntConsumer job;
        /** The call's first failure; later ones are added to it as suppressed. */
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** Whether the first failure was thrown on a worker (its stack then does not reach the caller). */
        private volatile boolean failedOnWorker;

        Crew(int workerCount, String name, long idleNanos) {
            this.workerCount = workerCount;
            this.name = name;
            this.idleNanos = idleNanos;
            this.retired = new java.util.concurrent.atomic.AtomicIntegerArray(workerCount);
        }

        void run(int parts, IntConsumer job) {
            startWorkers();
            if (retiredCount.get() > 0) {
                replaceRetired();
            }
            this.job = job;
            this.failure.set(null);
            this.failedOnWorker = false;
            this.caller = Thread.currentThread();
            done.set(0);
            int call = generation + 1;
            claims.set((long) call << 32 | (long) parts << 16); // after the job: a thread that claims a part sees it
            generation = call;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            runClaimedParts(call);
            for (int spin = 0; done.get() != parts; spin++) { // parts a worker claimed and still runs
                if (spin < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            this.job = null; // the job (the kernel's) is not kept past the call
            this.caller = null;
            Throwable failed = failure.getAndSet(null);
            if (failed != null && failedOnWorker && !suppresses(failed, CallerStack.class)) {
                // the worker's stack ends in its run loop: say where the call came from (allocates on failure only;
                // once: a job that throws one shared exception in every call must not grow it call after call)
                failed.addSuppressed(new CallerStack(Thread.currentThread()));
            }
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

        /**
         * Claims and runs parts of call {@code call} until none is left; the one that finishes the last part wakes
         * the caller. The job read after a successful claim is the call's own: the call cannot end, and the next
         * cannot replace the job, while one of its parts is unclaimed.
         */
        private void runClaimedParts(int call) {
            while (true) {
                long claim = claims.get();
                int callParts = (int) (claim >>> 16) & 0xFFFF;
                int part = (int) claim & 0xFFFF;
                if ((int) (claim >>> 32) != call || part >= callParts) {
                    return; // a later call's word, or every part taken
                }
                if (!claims.compareAndSet(claim, claim + 1)) {
                    continue;
                }
                try {
                    job.accept(part);
                } catch (Throwable t) {
                    if (failure.compareAndSet(null, t)) {
                        failedOnWorker = Thread.currentThread() != caller;
                    } else {
                        addOnce(failure.get(), t); // another part failed too: kept, not dropped
                    }
                }
                if (done.incrementAndGet() == callParts) {
                    LockSupport.unpark(caller);
                }
            }
        }

        /** Suppresses {@code t} on {@code first} unless it is {@code first} or suppressed there already. */
        private static void addOnce(Throwable first, Throwable t) {
            synchronized (first) { // the parts that fail add from their own threads
                if (t == first) {
                    return;
                }
                for (Throwable s : first.getSuppressed()) {
                    if (s == t) {
                        return;
                    }
                }
                first.addSuppressed(t);
            }
        }

        /** Whether {@code failed} carries a suppressed exception of {@code kind} already. */
        private static boolean suppresses(Throwable failed, Class<? extends Throwable> kind) {
            for (Throwable s : failed.getSuppressed()) {
                if (kind.isInstance(s)) {
                    return true;
                }
            }
            return false;
        }

        private void startWorkers() {
            if (workers != null || stopped) { // stopped: a call that acquired the pool as it closed runs alone
                return;
            }
            Thread[] started = new Thread[workerCount]; // published whole, once every thread runs
            int w = 0;
            try {
                for (; w < started.length; w++) {
                    started[w] = worker(w, generation);
                }
            } catch (OutOfMemoryError | RuntimeException cannotStart) { // no memory or threads left for another
                // The threads that did start serve as the pool (the caller claims the parts they do not take);
                // the calls go on with fewer threads instead of failing, and stop() still reaches every one.
                started = java.util.Arrays.copyOf(started, w);
            }
            workers = started;
        }

        /**
         * A started worker for {@code slot} that takes part in calls after generation {@code seen}. Neutral: no
         * copy of the starting caller's inheritable thread-locals, and this library's loader as its context (a
         * task's loader, a Spark job's or a plugin's, would otherwise live as long as the worker).
         */
        private Thread worker(int slot, int seen) {
            Thread t = Thread.ofPlatform().daemon().inheritInheritableThreadLocals(false)
                    .name(name + "-" + (slot + 1)).unstarted(() -> workLoop(slot, seen));
            t.setContextClassLoader(WorkerPool.class.getClassLoader());
            t.start();
            return t;
        }

        /**
         * Starts a new worker in each slot whose worker ended idle, before the call's generation is published so
         * that the new one takes part in it. Only the caller holding the pool runs this; allocates (a thread) only
         * after a worker has waited {@link #idleNanos}, never in calls back to back.
         */
        private void replaceRetired() {
            Thread[] current = workers;
            if (stopped || current == null) {
                return;
            }
            Thread[] next;
            try {
                next = current.clone();
            } catch (OutOfMemoryError noRoom) {
                return; // the next call tries again; this one runs with the workers there are
            }
            for (int slot = 0; slot < next.length; slot++) {
                if (retired.compareAndSet(slot, 1, 0)) {
                    retiredCount.decrementAndGet();
                    try {
                        next[slot] = worker(slot, generation);
                    } catch (OutOfMemoryError | RuntimeException cannotStart) {
                        // the caller claims the parts nobody takes, as when workers first failed to start; the slot
                        // stays retired, for the next call to try again
                        retired.set(slot, 1);
                        retiredCount.incrementAndGet();
                        break;
                    }
                }
            }
            workers = next;
            if (stopped) { // closed meanwhile: the new threads must hear it too
                stop();
            }
        }

        private void workLoop(int slot, int firstSeen) {
            int seen = firstSeen;
            long idleSince = System.nanoTime();
            while (!stopped) {
                for (int spin = 0; generation == seen && !stopped; spin++) {
                    if (spin < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        // A set interrupt flag (a job that re-asserts an interrupt, as catch blocks should) makes
                        // park return at once: cleared here, or the idle worker would spin on a core for good.
                        // Nothing in a worker waits for an interrupt.
                        Thread.interrupted();
                        long idle = System.nanoTime() - idleSince;
                        if (idle >= idleNanos) {
                            // ends: a call from now on runs without it (its parts claimed by the others and the
                            // caller) and the next one starts a new worker in its slot
                            retired.set(slot, 1);
                            retiredCount.incrementAndGet();
                            return;
                        }
                        LockSupport.parkNanos(this, idleNanos - idle);
                    }
                }
                seen = generation;
                runClaimedParts(seen);
                idleSince = System.nanoTime();
            }
        }

        /**
         * Ends the workers: the pool is unreachable (no call runs, and none will), or closed ({@link
         * WorkerPool#close}: a call under way finishes, its caller claiming the parts the workers leave, and no
         * later call acquires the pool).
         */
        void stop() {
            stopped = true;
            Thread[] started = workers;
            if (started != null) {
                for (Thread w : started) {
                    LockSupport.unpark(w);
                }
            }
        }

        int liveWorkers() {
            Thread[] started = workers;
            int live = 0;
            for (int w = 0; started != null && w < started.length; w++) {
                live += started[w].isAlive() ? 1 : 0;
            }
            return live;
        }
    }
}
