package dev.myelin.core;

/**
 * The general matrix product behind {@link Blas#sgemm}, for variants that have one:
 * {@code C = act(alpha·op(A)·op(B) + beta·C + bias)}, float32, row-major, each matrix an array, an offset
 * and a row stride.
 *
 * <p>Shapes: {@code op(A)} is {@code m×k}, stored {@code m×k} ({@code lda ≥ k}) or, with {@code transA},
 * {@code k×m} ({@code lda ≥ m}); {@code op(B)} is {@code k×n}, stored {@code k×n} ({@code ldb ≥ n}) or, with
 * {@code transB}, {@code n×k} ({@code ldb ≥ k}); {@code C} is {@code m×n} ({@code ldc ≥ n}). {@code bias} (n
 * elements, may be null) and {@code act} (elementwise) form the fused epilogue; {@code Activation.IDENTITY}
 * with no bias is the plain BLAS {@code sgemm}. With {@code beta == 0} C is only written, never read (a NaN in
 * it does not propagate); with {@code alpha == 0} or {@code k == 0} there is no product term: A and B are
 * not read and alpha is not used (an infinite alpha times an empty sum gives no NaN), as in the reference BLAS.
 *
 * <p>Implementations trust their arguments: {@link Blas} checks them with the reference BLAS's rules first.
 * They are stateless and thread-safe.
 */
public interface GemmKernel {

    /** The variant's name, as in {@link DenseKernel#name()}. */
    String name();

    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float alpha, float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc,
               float[] bias, int biasOff, Activation act);

    /**
     * The longest k this variant sums in one pass: each element of C one sum over k in order, then
     * {@code alpha·sum + beta·C} formed once ({@link Integer#MAX_VALUE}, the default: every k). A variant that cuts k
     * into blocks applies alpha to each block's sum, so beyond this depth {@code C + alpha·AB} is not always the
     * float {@code C + alpha·(AB)} of a product stored first: what a caller needs to know that fuses an update into
     * the product ({@link DenseOps#sgdWeightUpdate}).
     */
    default int onePassDepth() {
        return Integer.MAX_VALUE;
    }
}
