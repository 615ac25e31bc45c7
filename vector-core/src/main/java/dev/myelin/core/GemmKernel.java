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
     * The longest k for which this variant promises that {@code sgemm} with a transposed A, no bias and identity
     * computes each element of C as the sum over k, in order, that its {@link DenseKernel#weightGradient} forms for
     * the same element, then {@code alpha·sum} rounded to float and, with {@code beta = 1}, C added with one more
     * rounding (an FMA of {@code 1·C} adds exactly so): so that {@code beta = 1, alpha = −rate} gives the bits of
     * the gradient stored first and {@code C − rate·dW} after
     * ({@link DenseOps#sgdWeightUpdate}, plain SGD's step fused into the product). 0, the default: no such promise,
     * no fusion. The packed engine keeps it up to its k block (256: beyond, alpha scales each block's sum), the scalar
     * kernel for every k.
     */
    default int onePassDepth() {
        return 0;
    }
}
