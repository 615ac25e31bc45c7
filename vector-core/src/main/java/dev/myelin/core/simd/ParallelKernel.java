package dev.myelin.core.simd;

import dev.myelin.core.Activation;
import java.util.function.IntConsumer;

/**
 * The blocked kernel split over threads ({@code parallel}).
 *
 * <p><b>Partition.</b> C is cut into as many contiguous slices as there are threads, along the dimension with
 * more register tiles: column slices of whole NR-column panels (each thread packs only its own columns of B
 * and reads the shared A), or row slices of whole MR-row panels. Each thread runs {@link PackedGemm} on its
 * slice as on a smaller problem. The split is fixed by the shape and the thread count alone.
 *
 * <p><b>Same bits for every thread count.</b> Every element of C is computed by one thread, with the same k
 * blocks and the same sequence of operations whatever slice it falls in ({@link GemmEngine#gemm}), so 1, 2, 3
 * or 8 threads give identical results, and so does the fall-back to one thread below {@link #MIN_FLOPS} or
 * while another caller holds the pool.
 *
 * <p><b>No allocation per call.</b> The pool's threads persist ({@link WorkerPool}); the call's arguments go
 * into a task object this kernel owns (used only while the pool is held); each thread's packing buffers are
 * its own and reused ({@link GemmWorkspace}).
 */
public final class ParallelKernel extends EngineKernel {

    public static final String NAME = "parallel";

    /**
     * Below this many flops (2·m·n·k) one thread does the whole product: waking another one costs a few
     * microseconds, the time of a 64×64×128 product.
     */
    static final long MIN_FLOPS = 1L << 21;

    private final WorkerPool pool;
    private final Task task = new Task();

    /**
     * A kernel with {@code bits}-wide vectors (0 for the preferred width, or 128, 256, 512) on {@code threads}
     * threads, the calling one included.
     */
    public ParallelKernel(int bits, int threads) {
        super(bits);
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + threads);
        }
        this.pool = new WorkerPool(threads, "myelin-gemm");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int threads() {
        return pool.size();
    }

    @Override
    public String describe() {
        return NAME + " (" + threads() + (threads() == 1 ? " thread" : " threads") + ", FloatVector " + bits() + "-bit, " + BlockSizes.MR + "×"
                + engine.tileColumns() + " tiles)";
    }

    @Override
    void gemm(int m, int n, int k, float alpha, float[] a, int aOff, int ars, int acs, float[] b, int bOff,
              int brs, int bcs, float beta, float[] c, int cOff, int ldc, float[] bias, int biasOff,
              Activation act) {
        int colTiles = (n + engine.tileColumns() - 1) / engine.tileColumns();
        int rowTiles = (m + BlockSizes.MR - 1) / BlockSizes.MR;
        boolean byColumns = colTiles >= pool.size() || colTiles >= rowTiles;
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
            int from = (int) ((long) tiles * part / parts);
            int to = (int) ((long) tiles * (part + 1) / parts);
            if (byColumns) {
                int unit = engine.tileColumns();
                int j0 = from * unit;
                int j1 = Math.min(n, to * unit);
                engine.gemm(m, j1 - j0, k, alpha, a, aOff, ars, acs, b, bOff + j0 * bcs, brs, bcs, beta,
                        c, cOff + j0, ldc, bias, biasOff + j0, act);
            } else {
                int i0 = from * BlockSizes.MR;
                int i1 = Math.min(m, to * BlockSizes.MR);
                engine.gemm(i1 - i0, n, k, alpha, a, aOff + i0 * ars, ars, acs, b, bOff, brs, bcs, beta,
                        c, cOff + i0 * ldc, ldc, bias, biasOff, act);
            }
        }
    }
}
