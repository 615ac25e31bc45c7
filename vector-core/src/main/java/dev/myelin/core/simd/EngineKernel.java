package dev.myelin.core.simd;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.GemmKernel;

/**
 * What {@code blocked} and {@code parallel} share: every product of the dense layer, and {@link GemmKernel#sgemm},
 * expressed as one strided GEMM of {@link PackedGemm} ({@link #gemm}); the elementwise operations (dZ with db,
 * the loss heads, softmax) go to the {@code vector} kernel of the same width, which already streams them at
 * memory speed, and so does the forward of a few rows ({@link BlockSizes#SMALL_ROWS}); the input gradient of
 * a few rows takes the dot products of {@link FixedOrderDot},
 * where packing costs more than it saves. The choice depends on the shape alone, never on the thread count.
 *
 * <p><b>The same bits at every vector width.</b> Every operation here gives identical results with 128-, 256-
 * and 512-bit vectors (so on a NEON or AVX2 machine as on AVX-512; {@code EngineWidthBitsTest}): the engine
 * sums along k one element at a time in every lane, and so does the unpacked forward; the elementwise
 * operations work lane by lane, with sums over rows (db) in row order and softmax's row sum in column order.
 * What would break it is a lane sum in a width-dependent order (a dot product reduced across lanes, as the
 * {@code vector} kernel's input gradient does); {@link FixedOrderDot} sums every dot product as 16 partial
 * sums in one fixed tree at every width.
 *
 * <ul>
 * <li>forward: {@code Y = act(X·W + b)}, the fused epilogue on the last k block;</li>
 * <li>weight gradient: {@code dW = Xᵀ·dZ}, A = X read transposed through its strides (no transposed copy of
 *     X), {@code beta = 1} to accumulate;</li>
 * <li>input gradient: {@code dX = dZ·Wᵀ}, B = W read transposed: the packing gathers W's rows as columns.</li>
 * </ul>
 */
abstract class EngineKernel implements DenseKernel, GemmKernel {

    private final VectorKernel elementwise;
    private final FewRowsInputGradient fewRows;
    final GemmEngine engine;

    EngineKernel(int bits) {
        this.elementwise = new VectorKernel(bits);
        this.engine = HiddenCopies.forWidth(PackedGemm.class, GemmEngine.class, elementwise.bits());
        // FixedOrderDot is written for 4, 8 and 16 lanes (the widths whose bits are promised to agree); another
        // preferred width (2 lanes without C2, an SVE 1024-bit vector) takes the vector kernel's dot products
        this.fewRows = FixedOrderDot.supports(elementwise.lanes())
                ? HiddenCopies.forWidth(FixedOrderDot.class, FewRowsInputGradient.class, elementwise.bits())
                : elementwise::inputGradient;
    }

    /** The vector width in bits. */
    public int bits() {
        return elementwise.bits();
    }

    /** Float lanes per vector. */
    public int lanes() {
        return elementwise.lanes();
    }

    /** {@link GemmEngine#gemm}, on one thread or several. */
    abstract void gemm(int m, int n, int k, float alpha, float[] a, int aOff, int ars, int acs,
                       float[] b, int bOff, int brs, int bcs, float beta, float[] c, int cOff, int ldc,
                       float[] bias, int biasOff, Activation act);

    @Override
    public String toString() {
        return describe();
    }

    /** k blocks of at most {@link BlockSizes#KC}: one pass up to KC. */
    @Override
    public int onePassDepth() {
        return BlockSizes.KC;
    }

    @Override
    public void forward(int m, int n, int k, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                        float[] b, int bOff, Activation act, float[] y, int yOff, int ldy) {
        if (!act.isElementwise()) {
            throw new UnsupportedOperationException(act + " is not elementwise: softmax acts on rows"
                    + " (softmaxRows) and is differentiated only through the softmax cross-entropy head");
        }
        if (m <= BlockSizes.SMALL_ROWS) { // a few rows: unpacked is faster (BlockSizes.SMALL_ROWS)
            elementwise.forward(m, n, k, x, xOff, ldx, w, wOff, ldw, b, bOff, act, y, yOff, ldy);
            return;
        }
        gemm(m, n, k, 1f, x, xOff, ldx, 1, w, wOff, ldw, 1, 0f, y, yOff, ldy, b, bOff, act);
    }

    @Override
    public void weightGradient(int m, int n, int k, float[] x, int xOff, int ldx, float[] dz, int dzOff,
                               int lddz, float[] dw, int dwOff, int lddw, boolean accumulate) {
        gemm(k, n, m, 1f, x, xOff, 1, ldx, dz, dzOff, lddz, 1, accumulate ? 1f : 0f, dw, dwOff, lddw,
                null, 0, Activation.IDENTITY);
    }

    @Override
    public void inputGradient(int m, int n, int k, float[] dz, int dzOff, int lddz, float[] w, int wOff,
                              int ldw, float[] dx, int dxOff, int lddx) {
        if (m <= BlockSizes.SMALL_ROWS) { // a few rows: W read in place, dot products in a fixed order
            fewRows.inputGradient(m, n, k, dz, dzOff, lddz, w, wOff, ldw, dx, dxOff, lddx);
            return;
        }
        gemm(m, k, n, 1f, dz, dzOff, lddz, 1, w, wOff, 1, ldw, 0f, dx, dxOff, lddx, null, 0, Activation.IDENTITY);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                      int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc,
                      float[] bias, int biasOff, Activation act) {
        // no product term (alpha = 0 or k = 0): an empty k with alpha 0, so A and B are not read and alpha·0
        // cannot turn into NaN for an infinite alpha
        boolean noProduct = alpha == 0f || k == 0;
        gemm(m, n, noProduct ? 0 : k, noProduct ? 0f : alpha, a, aOff, transA ? 1 : lda, transA ? lda : 1,
                b, bOff, transB ? 1 : ldb, transB ? ldb : 1, beta, c, cOff, ldc, bias, biasOff, act);
    }

    @Override
    public void activationBackward(int m, int n, Activation act, float[] y, int yOff, int ldy,
                                   float[] dy, int dyOff, int lddy, float[] dz, int dzOff, int lddz,
                                   float[] db, int dbOff, boolean accumulate) {
        elementwise.activationBackward(m, n, act, y, yOff, ldy, dy, dyOff, lddy, dz, dzOff, lddz, db, dbOff,
                accumulate);
    }

    @Override
    public void outputMinusTarget(int m, int n, float[] y, int yOff, int ldy, float[] t, int tOff, int ldt,
                                  float scale, float[] dz, int dzOff, int lddz, float[] db, int dbOff,
                                  boolean accumulate) {
        elementwise.outputMinusTarget(m, n, y, yOff, ldy, t, tOff, ldt, scale, dz, dzOff, lddz, db, dbOff,
                accumulate);
    }

    @Override
    public void softmaxRows(int m, int n, float[] z, int zOff, int ldz) {
        elementwise.softmaxRows(m, n, z, zOff, ldz);
    }

    @Override
    public void softmaxCrossEntropyBackward(int m, int n, float[] p, int pOff, int ldp, int[] labels,
                                            int labelsOff, float scale, float[] dz, int dzOff, int lddz,
                                            float[] db, int dbOff, boolean accumulate) {
        elementwise.softmaxCrossEntropyBackward(m, n, p, pOff, ldp, labels, labelsOff, scale, dz, dzOff, lddz,
                db, dbOff, accumulate);
    }
}
