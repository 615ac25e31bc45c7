package dev.myelin.core.simd;

import dev.myelin.core.Activation;
import dev.myelin.core.IndexRange;
import dev.myelin.core.dispatch.ThreadLimit;
import java.util.function.IntConsumer;

/**
 * The blocked kernel split over threads ({@code parallel}).
 *
 * <p><b>Partition.</b> C is cut into as many contiguous slices as there are threads: row slices of whole MR-row
 * panels for a product of two row-major operands (the forward) or a tall one with A transposed (the weight
 * gradient), with a row tile per thread ({@link #rowsFirst}); otherwise column slices of whole NR-column panels
 * whenever there is a panel per thread (each thread packs only its own columns of B and reads the shared A),
 * else along the dimension with more register tiles. Each thread
 * runs {@link PackedGemm} on its slice as on a smaller problem. The split is fixed by the operands' layout, the
 * shape and the thread count alone.
 *
 * <p><b>Same bits for every thread count.</b> Every element of C is computed by one thread, with the same k
 * blocks and the same sequence of operations whatever slice it falls in ({@link GemmEngine#gemm}), so 1, 2, 3
 * or 8 threads give identical results, and so does the fall-back to one thread below {@link #MIN_FLOPS} or
 * while another caller holds the pool.
 *
 * <p><b>No allocation per call.</b> The pool's threads persist while calls come ({@link WorkerPool}); the call's
 * arguments go into a task object this kernel owns (used only while the pool is held); the packing buffers are
 * lent to each call or part and given back ({@link GemmWorkspace}, {@link WorkspacePool}).
 *
 * <p><b>Its threads.</b> They start at the first call; a worker idle for {@link WorkerPool#IDLE_NANOS} ends, and
 * the next call starts another. All end when the kernel is closed ({@link #close}) or, once it is unreachable,
 * when the garbage collector has found it so (the registry's default, {@link #sharedForGood}, is never unreachable
 * first: its workers end only idle). A program that makes kernels as it goes (a Spark task each) closes each when
 * done, or shares one ({@code KernelRegistry.withThreads} keeps one per thread count).
 */
public final class ParallelKernel extends EngineKernel implements AutoCloseable {

    public static final String NAME = "parallel";

    /**
     * Below this many flops (2·m·n·k) one thread does the whole product: waking another one costs a few
     * microseconds, the time of a 64×64×128 product.
     */
    static final long MIN_FLOPS = 1L << 21;

    /** Below this many elements (m·n) the elementwise operations run on one thread: a wake-up costs more. */
    static final int MIN_ELEMENTS = 1 << 14;

    private final WorkerPool pool;
    /** Made to be shared by every caller ({@link #shared}): its threads are not one caller's to end. */
    private final boolean shared;
    private final Task task = new Task();
    private final RangeTask ranges = new RangeTask();
    private final ColumnsTask columns = new ColumnsTask();

    /**
     * A kernel with {@code bits}-wide vectors (0 for the preferred width, or 128, 256, 512) on {@code threads}
     * threads, the calling one included.
     */
    public ParallelKernel(int bits, int threads) {
        this(bits, threads, false);
    }

    private ParallelKernel(int bits, int threads, boolean shared) {
        this(bits, threads, shared, true);
    }

    /** {@code cleaned}: whether the workers stop once this kernel is unreachable ({@link WorkerPool}). */
    private ParallelKernel(int bits, int threads, boolean shared, boolean cleaned) {
        super(bits);
        ThreadLimit.check(threads, "thread count");
        this.pool = new WorkerPool(threads, "myelin-gemm", true, cleaned, WorkerPool.IDLE_NANOS);
        this.shared = shared;
    }

    /**
     * A kernel as {@link #ParallelKernel(int, int)} makes, to be shared by every caller (the registry's:
     * {@code KernelRegistry.get("parallel")}, {@code withThreads}): its {@link #close} is refused, since one caller
     * closing it would put every other one on a single thread.
     */
    public static ParallelKernel shared(int bits, int threads) {
        return new ParallelKernel(bits, threads, true);
    }

    /**
     * {@link #shared}, for a kernel held as long as this library's classes are (the registry's default): no cleaner
     * watches it, since it never becomes unreachable first, and a cleaner's thread holding its workers' code would
     * keep this library's class loader for good (a plugin's or a Spark job's, closed); its idle workers end after
     * {@link WorkerPool#IDLE_NANOS}.
     */
    public static ParallelKernel sharedForGood(int bits, int threads) {
        return new ParallelKernel(bits, threads, true, false);
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Ends this kernel's worker threads now. The kernel stays usable: later calls run on the calling thread alone,
     * with the same bits (one thread's are every thread count's), and {@link #threads} says 1. Idempotent; a call
     * under way finishes. A kernel reached as a {@code DenseKernel} (from
     * {@code VectorSupport.parallelKernel(bits, threads).orElseThrow()}) is closed through
     * {@code if (kernel instanceof AutoCloseable c)}.
     *
     * @throws IllegalStateException for a shared kernel ({@link #shared}: the registry's, from
     *                               {@code KernelRegistry.get} or {@code withThreads}), which stays as it is: closing
     *                               it would run every caller on one thread
     */
    @Override
    public void close() {
        if (shared) {
            throw new IllegalStateException("this parallel kernel (" + pool.size() + " threads) is the registry's,"
                    + " shared by every caller that asks for it: it is not closed. A kernel of your own to close:"
                    + " new ParallelKernel(bits, threads) or VectorSupport.parallelKernel(bits, threads)");
        }
        pool.close();
    }

    /** The pool's worker threads that are alive (tests: none once closed). */
    int liveWorkers() {
        return pool.liveWorkers();
    }

    /** The threads a call runs on: the count it was made with, or 1 once closed ({@link #close}). */
    @Override
    public int threads() {
        return pool.isClosed() ? 1 : pool.size();
    }

    @Override
    public String describe() {
        return NAME + " (" + threads() + (threads() == 1 ? " thread" : " threads") + ", FloatVector " + bits()
                + "-bit, " + engine.tileRows() + "×" + engine.tileColumns() + " tiles, "
                + CacheLines.describe() + ")";
    }

    @Override
    void gemm(int m, int n, int k, float alpha, float[] a, int aOff, int ars, int acs, float[] b, int bOff,
              int brs, int bcs, float beta, float[] c, int cOff, int ldc, float[] bias, int biasOff,
              Activation act) {
        int colTiles = (n + engine.tileColumns() - 1) / engine.tileColumns();
        int rowTiles = (m + engine.tileRows() - 1) / engine.tileRows();
        boolean byColumns = !rowsFirst(m, n, acs, bcs, rowTiles) && (colTiles >= pool.size() || colTiles >= rowTiles);
        int parts = Math.min(pool.size(), byColumns ? colTiles : rowTiles);
        if (parts < 2 || 2L * m * n * Math.max(k, 1) < MIN_FLOPS || !pool.tryAcquire()) {
            engine.gemm(m, n, k, alpha, a, aOff, ars, acs, b, bOff, brs, bcs, beta, c, cOff, ldc, bias, biasOff, act);
            return;
        }
        try {
            task.set(engine, byColumns, byColumns ? colTiles : rowTiles, parts, m, n, k, alpha, a, aOff, ars, acs,
                    b, bOff, brs, bcs, beta, c, cOff, ldc, bias, biasOff, act);
            pool.run(parts, task);
        } finally {
            task.clear();
            pool.release();
        }
    }

    /**
     * Whether C is cut into row slices although it has a column panel per thread, when there is a row tile per
     * thread:
     * <ul>
     * <li>for a product whose A and B are both row-major (the forward {@code X·W}): each thread then packs all of B
     * (a copy, vector by vector) and reads only its rows of A. Measured against column slices, JMH
     * {@code ForwardBenchmark} on 2 threads, three alternating rounds: 314–344 against 371–388 µs at 128×784×256,
     * 1145–1235 against 1288–1455 µs at 256×784×512, even at 1024³ (docs/kernels.md);</li>
     * <li>for a product whose A is transposed and C has at least as many rows as columns (the weight gradient
     * {@code Xᵀ·dZ}, inputs × outputs): the engine copies each tile's rows of a transposed A (MR, or 2·MR in a
     * paired tile) into a panel, so with
     * column slices every thread copied all of A (m·k floats); with row slices each copies its own tiles and
     * packs all of B (k·n floats, no more than A's m·k). With fewer rows than columns the column slices copy
     * less, and keep them: {@code GemmLoop parallel 8} (2 threads), TN 128×784×256, two rounds alternating:
     * 184.1 and 186.5 µs in columns against 185.3 and 210.2 in rows. {@code BackwardBenchmark.backward} on
     * 2 threads, two alternating rounds (Zen 5, 2026-12-03): 335.6 and 308.8 against 350.8 and 343.6 µs at
     * 128×784×256, 1 235 and 1 182 against 1 235 and 1 253 µs at 256×784×512.</li>
     * </ul>
     * The input gradient ({@code dZ·Wᵀ}, B gathered transposed) keeps column slices: each thread gathers only its
     * columns of B (and, at 512 bits on Intel, packs all of dZ, m·n floats, for its paired tiles: a sixth of W's
     * k·n at 128×784×256).
     */
    private boolean rowsFirst(int m, int n, int acs, int bcs, int rowTiles) {
        boolean forward = acs == 1 && bcs == 1;
        boolean tallWithTransposedA = acs != 1 && m >= n;
        return (forward || tallWithTransposedA) && rowTiles >= pool.size();
    }

    @Override
    public void parallelFor(int n, int grain, IndexRange body) {
        int parts = Math.min(pool.size(), n / Math.max(grain, 1));
        if (parts < 2 || !pool.tryAcquire()) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        try {
            ranges.set(body, n, parts);
            pool.run(parts, ranges);
        } finally {
            ranges.body = null;
            pool.release();
        }
    }

    /**
     * {@code dZ = dY ⊙ act'(Y)} with {@code db}, cut into column slices run on the pool: every column's sum over
     * rows stays in one thread, in row order, so the bits are those of one thread (the elementwise kernel works
     * lane by lane, whatever lane a column falls in).
     */
    @Override
    public void activationBackward(int m, int n, Activation act, float[] y, int yOff, int ldy,
                                   float[] dy, int dyOff, int lddy, float[] dz, int dzOff, int lddz,
                                   float[] db, int dbOff, boolean accumulate) {
        int parts = Math.min(pool.size(), n / lanes());
        if (parts < 2 || (long) m * n < MIN_ELEMENTS || !pool.tryAcquire()) {
            super.activationBackward(m, n, act, y, yOff, ldy, dy, dyOff, lddy, dz, dzOff, lddz, db, dbOff,
                    accumulate);
            return;
        }
        try {
            columns.set(parts, m, n, act, y, yOff, ldy, dy, dyOff, lddy, dz, dzOff, lddz, db, dbOff, accumulate);
            pool.run(parts, columns);
        } finally {
            columns.clear();
            pool.release();
        }
    }

    /**
     * {@link #parallelFor}'s call: part p runs {@code [n·p / parts, n·(p+1) / parts)}. Used only while the pool is
     * held.
     */
    private static final class RangeTask implements IntConsumer {
        private IndexRange body;
        private int n, parts;

        void set(IndexRange body, int n, int parts) {
            this.body = body;
            this.n = n;
            this.parts = parts;
        }

        @Override
        public void accept(int part) {
            body.run(cut(n, part, parts), cut(n, part + 1, parts));
        }
    }

    /**
     * {@link #activationBackward}'s call, one column slice per part (whole vectors). Used only while the pool is
     * held.
     */
    private final class ColumnsTask implements IntConsumer {
        private int parts, m, n, yOff, ldy, dyOff, lddy, dzOff, lddz, dbOff;
        private Activation act;
        private float[] y, dy, dz, db;
        private boolean accumulate;

        void set(int parts, int m, int n, Activation act, float[] y, int yOff, int ldy, float[] dy, int dyOff,
                 int lddy, float[] dz, int dzOff, int lddz, float[] db, int dbOff, boolean accumulate) {
            this.parts = parts;
            this.m = m;
            this.n = n;
            this.act = act;
            this.y = y;
            this.yOff = yOff;
            this.ldy = ldy;
            this.dy = dy;
            this.dyOff = dyOff;
            this.lddy = lddy;
            this.dz = dz;
            this.dzOff = dzOff;
            this.lddz = lddz;
            this.db = db;
            this.dbOff = dbOff;
            this.accumulate = accumulate;
        }

        void clear() {
            y = dy = dz = db = null;
        }

        @Override
        public void accept(int part) {
            int lanes = lanes();
            int vectors = (n + lanes - 1) / lanes;
            int j0 = Math.min(n, cut(vectors, part, parts) * lanes);
            int j1 = Math.min(n, cut(vectors, part + 1, parts) * lanes);
            if (j1 > j0) {
                ParallelKernel.super.activationBackward(m, j1 - j0, act, y, yOff + j0, ldy, dy, dyOff + j0, lddy, dz,
                        dzOff + j0, lddz, db, db == null ? 0 : dbOff + j0, accumulate);
            }
        }
    }

    /** The start of slice {@code part} when {@code total} units are cut into {@code parts}: total·part / parts. */
    private static int cut(int total, int part, int parts) {
        return (int) ((long) total * part / parts);
    }

    /** One call's arguments and its partition; {@link #accept} runs one slice. Used only while the pool is held. */
    private static final class Task implements IntConsumer {
        private GemmEngine engine;
        private boolean byColumns;
        private int tiles, parts, m, n, k, aOff, ars, acs, bOff, brs, bcs, cOff, ldc, biasOff;
        private float alpha, beta;
        private float[] a, b, c, bias;
        private Activation act;

        void set(GemmEngine engine, boolean byColumns, int tiles, int parts, int m, int n, int k, float alpha,
                 float[] a, int aOff, int ars, int acs, float[] b, int bOff, int brs, int bcs, float beta,
                 float[] c, int cOff, int ldc, float[] bias, int biasOff, Activation act) {
            this.engine = engine;
            this.byColumns = byColumns;
            this.tiles = tiles;
            this.parts = parts;
            this.m = m;
            this.n = n;
            this.k = k;
            this.alpha = alpha;
            this.a = a;
            this.aOff = aOff;
            this.ars = ars;
            this.acs = acs;
            this.b = b;
            this.bOff = bOff;
            this.brs = brs;
            this.bcs = bcs;
            this.beta = beta;
            this.c = c;
            this.cOff = cOff;
            this.ldc = ldc;
            this.bias = bias;
            this.biasOff = biasOff;
            this.act = act;
        }

        /** Drops the references to the caller's arrays once the call is over. */
        void clear() {
            a = b = c = bias = null;
        }

        @Override
        public void accept(int part) {
            // slice part of the tiles: [tiles·part / parts, tiles·(part + 1) / parts)
            int from = cut(tiles, part, parts);
            int to = cut(tiles, part + 1, parts);
            if (byColumns) {
                int unit = engine.tileColumns();
                int j0 = from * unit;
                int j1 = Math.min(n, to * unit);
                engine.gemm(m, j1 - j0, k, alpha, a, aOff, ars, acs, b, bOff + j0 * bcs, brs, bcs, beta,
                        c, cOff + j0, ldc, bias, biasOff + j0, act);
            } else {
                int i0 = from * engine.tileRows();
                int i1 = Math.min(m, to * engine.tileRows());
                engine.gemm(i1 - i0, n, k, alpha, a, aOff + i0 * ars, ars, acs, b, bOff, brs, bcs, beta,
                        c, cOff + i0 * ldc, ldc, bias, biasOff, act);
            }
        }
    }
}
