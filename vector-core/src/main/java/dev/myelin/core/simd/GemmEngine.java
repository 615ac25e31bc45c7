package dev.myelin.core.simd;

import dev.myelin.core.Activation;

/**
 * The door into one vector width's copy of {@link PackedGemm}: a general strided GEMM with the fused epilogue.
 * Only ints, floats, arrays and the activation cross it, never a vector (a vector argument would be boxed).
 */
interface GemmEngine {

    /**
     * {@code C = act(alpha·A·B + beta·C + bias)} with {@code A(r, q) = a[aOff + r·ars + q·acs]} ({@code m×k}),
     * {@code B(q, j) = b[bOff + q·brs + j·bcs]} ({@code k×n}) and C row-major; {@code beta == 0} never reads
     * C, {@code bias} may be null, {@code act} is elementwise. Every output element is computed the same way
     * (same k blocks, same order of operations) wherever it lies in C and whatever sub-view it is computed
     * in: {@link ParallelKernel} relies on it for bit-identical results across thread counts.
     */
    void gemm(int m, int n, int k, float alpha,
              float[] a, int aOff, int ars, int acs,
              float[] b, int bOff, int brs, int bcs,
              float beta, float[] c, int cOff, int ldc,
              float[] bias, int biasOff, Activation act);

    /** Float lanes per vector of this copy. */
    int lanes();

    /** Rows of the register tile (MR): the unit a row split between threads respects. */
    int tileRows();

    /** Columns of the register tile (NR, a multiple of lanes): the unit a column split between threads respects. */
    int tileColumns();

    /** Whether the panels of B go outside the strips of A ({@code dev.myelin.core.dispatch.LoopOrder}), fixed at load. */
    boolean panelsOutside();
}
