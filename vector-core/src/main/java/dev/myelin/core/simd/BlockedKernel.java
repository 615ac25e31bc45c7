package dev.myelin.core.simd;

import dev.myelin.core.Activation;

/**
 * The packed, cache-blocked variant on one thread ({@code blocked}): {@link PackedGemm}'s GotoBLAS structure
 * (packed B panels, KC/NC blocks, a 6 × 2-vector register tile, the fused epilogue on the last k block) for the
 * forward, both backward products and {@code sgemm}.
 */
public final class BlockedKernel extends EngineKernel {

    public static final String NAME = "blocked";

    /** A kernel with {@code bits}-wide vectors: 0 for the platform's preferred width, or 128, 256, 512. */
    public BlockedKernel(int bits) {
        super(bits);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String describe() {
        return NAME + " (FloatVector " + bits() + "-bit, " + engine.tileRows() + "×" + engine.tileColumns()
                + " tiles, KC " + BlockSizes.KC + ", NC " + BlockSizes.NC + ", "
                + (engine.panelsOutside() ? "panels" : "rows") + " outside, "
                + CacheLines.describe() + ")";
    }

    @Override
    void gemm(int m, int n, int k, float alpha, float[] a, int aOff, int ars, int acs, float[] b, int bOff,
              int brs, int bcs, float beta, float[] c, int cOff, int ldc, float[] bias, int biasOff,
              Activation act) {
        engine.gemm(m, n, k, alpha, a, aOff, ars, acs, b, bOff, brs, bcs, beta, c, cOff, ldc, bias, biasOff, act);
    }
}
