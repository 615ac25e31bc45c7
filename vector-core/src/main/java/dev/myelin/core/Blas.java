package dev.myelin.core;

import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.core.scalar.ScalarKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The BLAS-style, checked entry to the general matrix product: {@code sgemm} with the reference BLAS's
 * argument rules and quick returns (netlib's {@code SGEMM}/{@code XERBLA}, translated to row-major), handed to
 * a {@link GemmKernel} variant, which trusts it. A Blas is immutable and thread-safe.
 *
 * <p>Row-major, float32: each matrix is an array, an offset and a row stride. {@code op(A)} is {@code m×k},
 * stored {@code m×k} ({@link Transpose#NO_TRANS}, {@code A(i, p) = a[aOff + i·lda + p]}) or {@code k×m}
 * ({@link Transpose#TRANS}, {@code A(i, p) = a[aOff + p·lda + i]}); likewise {@code op(B)} is {@code k×n},
 * stored {@code k×n} or {@code n×k}; C is {@code m×n}, {@code C(i, j) = c[cOff + i·ldc + j]}. C must not
 * share an element with A, B or the bias (refused, naming the two and an element they share; views that
 * interleave in one array without sharing an element are fine).
 *
 * <pre>{@code
 * Blas blas = Blas.defaults();                       // the default kernel if it has sgemm, else scalar
 * // C[m×n] = A[m×k] · B[n×k]ᵀ, tightly packed arrays, C only written (beta = 0)
 * blas.sgemm(Transpose.NO_TRANS, Transpose.TRANS, m, n, k,
 *            1f, a, 0, k,
 *                b, 0, k,
 *            0f, c, 0, n);
 * // Y = relu(X·W + b) in one pass: the fused epilogue
 * blas.sgemm(Transpose.NO_TRANS, Transpose.NO_TRANS, m, n, k, 1f, x, 0, k, w, 0, n, 0f, y, 0, n,
 *            bias, 0, Activation.RELU);
 * }</pre>
 *
 * <h2>Argument errors</h2>
 * As XERBLA does, a bad argument is reported by its position in the signature and its value, e.g.
 * {@code sgemm: parameter 9 (lda) = 3 must be at least max(1, k) = 5 (A is stored m×k = 4×5)}. Positions:
 * transA 1, transB 2, m 3, n 4, k 5, alpha 6, a 7, aOff 8, lda 9, b 10, bOff 11, ldb 12, beta 13, c 14,
 * cOff 15, ldc 16, bias 17, biasOff 18, act 19. The parameters are checked in that order (an array's length
 * right after its stride, which it depends on), and the first bad one is reported: a null transpose, array or
 * activation with {@link NullPointerException}, anything else with {@link IllegalArgumentException}. The
 * rules: m, n, k ≥ 0; {@code lda ≥ max(1, transA ? m : k)}, {@code ldb ≥ max(1, transB ? k : n)},
 * {@code ldc ≥ max(1, n)} (always, as in the reference, even when the matrix is not referenced); every offset
 * ≥ 0; an array that is referenced is non-null and long enough for its stored shape at its offset; the bias,
 * when given, has n elements from {@code biasOff}; the activation is elementwise. Not referenced, and so not
 * required: A and B when {@code alpha == 0} or {@code k == 0}; every array when {@code m == 0} or
 * {@code n == 0}.
 *
 * <h2>Quick returns</h2>
 * As in the reference: nothing is done when {@code m == 0} or {@code n == 0}, nor when
 * ({@code alpha == 0} or {@code k == 0}) and {@code beta == 1} with no epilogue (no bias, identity): C is
 * left bit-for-bit as it was; with another beta and no epilogue, {@code C = beta·C} element by element as the
 * reference computes it (a −0 in C stays −0 for a positive beta; beta = 0 writes +0). Otherwise, with
 * {@code alpha == 0} or {@code k == 0},
 * {@code C = act(beta·C + bias)} without reading A or B. With {@code beta == 0} C is only written, never
 * read: a NaN in it does not propagate.
 */
public final class Blas {

    private final GemmKernel kernel;

    private Blas(GemmKernel kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel is null");
    }

    /** The registry's default kernel ({@link KernelRegistry#defaultKernel()}) if it has sgemm, else the scalar one. */
    public static Blas defaults() {
        DenseKernel preferred = KernelRegistry.defaultKernel();
        return new Blas(preferred instanceof GemmKernel g ? g : new ScalarKernel());
    }

    /**
     * The kernel registered as {@code name} ({@link KernelRegistry#get}).
     *
     * @throws IllegalArgumentException for an unknown name, or a kernel without sgemm (the message lists the
     *                                  names that have one)
     */
    public static Blas of(String name) {
        DenseKernel k = KernelRegistry.get(name);
        if (k instanceof GemmKernel g) {
            return new Blas(g);
        }
        throw new IllegalArgumentException("kernel '" + k.name() + "' has no sgemm: use one of "
                + String.join(", ", gemmKernelNames()));
    }

    /** Checked access to a kernel instance you built yourself. */
    public static Blas of(GemmKernel kernel) {
        return new Blas(kernel);
    }

    /** The kernel the checked calls go to. */
    public GemmKernel kernel() {
        return kernel;
    }

    /** The registered names whose kernels implement {@link GemmKernel}, in {@link KernelRegistry#names()} order. */
    private static List<String> gemmKernelNames() {
        List<String> names = new ArrayList<>();
        for (String n : KernelRegistry.names()) {
            try {
                if (KernelRegistry.get(n) instanceof GemmKernel) {
                    names.add(n);
                }
            } catch (RuntimeException e) {
                // a variant that cannot be made here is not one to suggest
            }
        }
        return names;
    }

    /**
     * {@code C = alpha·op(A)·op(B) + beta·C}: the BLAS {@code SGEMM}, row-major. See the class comment for the
     * shapes, the argument rules and the quick returns.
     *
     * @throws NullPointerException     for a null transpose, or a null array that is referenced
     * @throws IllegalArgumentException for any other bad argument; the message names it by position and value
     */
    public void sgemm(Transpose transA, Transpose transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, null, 0,
                Activation.IDENTITY);
    }

    /**
     * {@code C = act(alpha·op(A)·op(B) + beta·C + bias)}: sgemm with the fused epilogue, one pass over C.
     * {@code bias} ({@code n} elements from {@code biasOff}, one per column of C) may be null; {@code act}
     * must be elementwise ({@link Activation#SOFTMAX} is refused: apply it afterwards with
     * {@link DenseOps#softmaxRows}).
     *
     * @throws NullPointerException     for a null transpose or activation, or a null array that is referenced
     * @throws IllegalArgumentException for any other bad argument; the message names it by position and value
     */
    public void sgemm(Transpose transA, Transpose transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc,
                      float[] bias, int biasOff, Activation act) {
        if (transA == null) {
            throw new NullPointerException("sgemm: parameter 1 (transA) is null: use Transpose.NO_TRANS or"
                    + " Transpose.TRANS");
        }
        if (transB == null) {
            throw new NullPointerException("sgemm: parameter 2 (transB) is null: use Transpose.NO_TRANS or"
                    + " Transpose.TRANS");
        }
        boolean ta = transA.isTransposed(), tb = transB.isTransposed();
        dimension(3, "m", m, "rows of op(A) and C");
        dimension(4, "n", n, "columns of op(B) and C");
        dimension(5, "k", k, "columns of op(A), rows of op(B)");

        boolean cReferenced = m > 0 && n > 0;
        boolean abReferenced = cReferenced && k > 0 && alpha != 0f;

        // A: stored m×k, or k×m when transposed
        int aRows = ta ? k : m, aCols = ta ? m : k;
        String aShape = ta ? "k×m" : "m×k";
        if (abReferenced && a == null) {
            throw referencedNull(7, "a", "A", alpha, m, n, k);
        }
        offset(8, "aOff", aOff);
        if (strideTooSmall(lda, aCols)) { // the message only then: a call that is right builds no string
            throw strideError(9, "lda", lda, ta ? "m" : "k", aCols, "A is stored " + aShape + " = " + aRows + "×"
                    + aCols + (ta ? ", transposed" : ""));
        }
        if (abReferenced) {
            length(7, "a", a, "A", aShape, aRows, aCols, "lda", lda, "aOff", aOff);
        }

        // B: stored k×n, or n×k when transposed
        int bRows = tb ? n : k, bCols = tb ? k : n;
        String bShape = tb ? "n×k" : "k×n";
        if (abReferenced && b == null) {
            throw referencedNull(10, "b", "B", alpha, m, n, k);
        }
        offset(11, "bOff", bOff);
        if (strideTooSmall(ldb, bCols)) {
            throw strideError(12, "ldb", ldb, tb ? "k" : "n", bCols, "B is stored " + bShape + " = " + bRows + "×"
                    + bCols + (tb ? ", transposed" : ""));
        }
        if (abReferenced) {
            length(10, "b", b, "B", bShape, bRows, bCols, "ldb", ldb, "bOff", bOff);
        }

        // C: m×n
        if (cReferenced && c == null) {
            throw new NullPointerException("sgemm: parameter 14 (c) is null but C is " + m + "×" + n
                    + " (m×n) and is written");
        }
        offset(15, "cOff", cOff);
        if (strideTooSmall(ldc, n)) {
            throw strideError(16, "ldc", ldc, "n", n, "C is m×n = " + m + "×" + n);
        }
        if (cReferenced) {
            length(14, "c", c, "C", "m×n", m, n, "ldc", ldc, "cOff", cOff);
        }

        // the epilogue
        offset(18, "biasOff", biasOff);
        if (cReferenced && bias != null && biasOff + (long) n > bias.length) {
            throw new IllegalArgumentException("sgemm: parameter 17 (bias) has " + elements(bias.length) + " but"
                    + " the bias needs n = " + n + " (one per column of C) from offset biasOff = " + biasOff
                    + ": " + (biasOff + (long) n) + " elements");
        }
        if (act == null) {
            throw new NullPointerException("sgemm: parameter 19 (act) is null: use Activation.IDENTITY for none");
        }
        if (!act.isElementwise()) {
            throw new IllegalArgumentException("sgemm: parameter 19 (act) = " + act + " is not elementwise: the"
                    + " fused epilogue takes identity, sigmoid, tanh or relu; apply softmax to C afterwards"
                    + " (DenseOps.softmaxRows)");
        }

        // quick returns, as in the reference
        if (!cReferenced) {
            return;
        }
        if (abReferenced) {
            overlap(c, cOff, m, n, ldc, 7, "a", "A", a, aOff, aRows, aCols, lda);
            overlap(c, cOff, m, n, ldc, 10, "b", "B", b, bOff, bRows, bCols, ldb);
        }
        if (bias != null) {
            overlap(c, cOff, m, n, ldc, 17, "bias", "the bias", bias, biasOff, 1, n, n);
        }
        boolean noProduct = alpha == 0f || k == 0;
        if (noProduct && bias == null && act == Activation.IDENTITY) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        // with no product term the kernel computes C = act(beta·C + bias) without reading A or B (GemmKernel)
        kernel.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
                bias, biasOff, act);
    }

    /**
     * The reference's {@code C = beta·C} when there is no product term and no epilogue: C untouched for beta = 1, set
     * to +0 for beta = 0 (never read), else each element times beta, so that the sign of a zero and a NaN stay as
     * IEEE gives them (a kernel's {@code alpha·0 + beta·C} would turn −0 into +0).
     */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) {
            return;
        }
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = row; j < row + n; j++) {
                c[j] = beta == 0f ? 0f : beta * c[j];
            }
        }
    }

    private static void dimension(int position, String name, int value, String meaning) {
        if (value < 0) {
            throw new IllegalArgumentException("sgemm: parameter " + position + " (" + name + ") = " + value
                    + " must be at least 0 (" + meaning + ")");
        }
    }

    private static void offset(int position, String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("sgemm: parameter " + position + " (" + name + ") = " + value
                    + " must be at least 0");
        }
    }

    /** A row stride below max(1, cols), as the reference BLAS refuses it. */
    private static boolean strideTooSmall(int ld, int cols) {
        return ld < Math.max(1, cols);
    }

    /** The refusal of a row stride below max(1, cols); {@code colsName} names the stored matrix's column count. */
    private static IllegalArgumentException strideError(int position, String name, int ld, String colsName,
                                                        int cols, String storage) {
        return new IllegalArgumentException("sgemm: parameter " + position + " (" + name + ") = " + ld
                + " must be at least max(1, " + colsName + ") = " + Math.max(1, cols) + " (" + storage + ")");
    }

    private static NullPointerException referencedNull(int position, String name, String operand, float alpha,
                                                       int m, int n, int k) {
        return new NullPointerException("sgemm: parameter " + position + " (" + name + ") is null but " + operand
                + " is read (alpha = " + alpha + ", m×n×k = " + m + "×" + n + "×" + k + "); it may be null only"
                + " when alpha = 0, k = 0, m = 0 or n = 0");
    }

    /** "1 element", "3 elements". */
    private static String elements(int count) {
        return count + (count == 1 ? " element" : " elements");
    }

    /** A stored {@code rows×cols} matrix (both ≥ 1) with row stride {@code ld} at {@code off} fits in its array. */
    private static void length(int position, String name, float[] array, String operand, String shape, int rows,
                               int cols, String ldName, int ld, String offName, int off) {
        long needed = off + (long) (rows - 1) * ld + cols;
        if (needed > array.length) {
            throw new IllegalArgumentException("sgemm: parameter " + position + " (" + name + ") has "
                    + elements(array.length) + " but " + operand + ", stored " + shape + " = " + rows + "×" + cols
                    + " with row stride " + ldName + " = " + ld + " at offset " + offName + " = " + off
                    + ", needs " + off + " + " + (rows - 1) + "·" + ld + " + " + cols + " = " + needed);
        }
    }

    /**
     * C (m×n at cOff, row stride ldc) shares no element with the stored input {@code operand}: the kernels read
     * A, B and the bias while they write C, tile by tile, so an overlap would give a result that depends on
     * the order of the tiles. Views that interleave in one array without sharing an element are fine.
     */
    private static void overlap(float[] c, int cOff, int m, int n, int ldc, int position, String name,
                                String operand, float[] in, int inOff, int rows, int cols, int ld) {
        if (in != c) {
            return;
        }
        long shared = Checks.firstShared(cOff, m, n, ldc, inOff, rows, cols, ld);
        if (shared >= 0) {
            throw new IllegalArgumentException("sgemm: parameter 14 (c) overlaps parameter " + position + " ("
                    + name + "): C (m×n = " + m + "×" + n + ", ldc = " + ldc + ", cOff = " + cOff + ") and "
                    + operand + " (stored " + rows + "×" + cols + ", row stride " + ld + ", offset " + inOff
                    + ") are in the same array and share its element " + shared + "; C must not overlap A, B or"
                    + " the bias");
        }
    }

    @Override
    public String toString() {
        return "Blas[" + (kernel instanceof DenseKernel d ? d.describe() : kernel.name()) + "]";
    }
}
