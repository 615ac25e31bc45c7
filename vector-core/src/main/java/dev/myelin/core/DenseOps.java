package dev.myelin.core;

import dev.myelin.core.dispatch.KernelRegistry;
import java.util.Objects;

/**
 * The public, checked entry to the dense-layer kernels: it validates every operand once (names, shapes,
 * strides, offsets, array lengths) and hands the call to a {@link DenseKernel} variant, which trusts it.
 *
 * <p>All matrices are float32, row-major, given as array + offset + row stride, or as a {@link MatrixView}.
 * Shapes: {@code X[m×k]}, {@code W[k×n]}, {@code b[n]}, {@code Y[m×n]}; every size at least 1. An output must
 * not share an element with another operand (refused with {@link IllegalArgumentException}, naming both and
 * an element they share), except that an elementwise step's output ({@code dZ}) may be the very same view
 * (array, offset and row stride) as the input it is computed from ({@code dY}, {@code Y}, {@code T} or
 * {@code P}). Views that interleave in one array without sharing an element are fine. A DenseOps is immutable
 * and thread-safe.
 *
 * <pre>{@code
 * DenseOps ops = DenseOps.defaults();              // -Dmyelin.kernel=NAME, else the best available
 * ops.forward(X, W, b, Activation.SIGMOID, Y);      // Y = sigmoid(X·W + b), one pass
 * }</pre>
 */
public final class DenseOps {

    private final DenseKernel kernel;

    private DenseOps(DenseKernel kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel is null");
    }

    /** The default variant: {@code -Dmyelin.kernel=NAME} if set, otherwise the best one available. */
    public static DenseOps defaults() {
        return new DenseOps(KernelRegistry.defaultKernel());
    }

    /** The variant registered under {@code name} ({@code scalar}, {@code vector}, or one of your own). */
    public static DenseOps of(String name) {
        return new DenseOps(KernelRegistry.get(name));
    }

    /** Checked access to a kernel instance you built yourself. */
    public static DenseOps of(DenseKernel kernel) {
        return new DenseOps(kernel);
    }

    public DenseKernel kernel() {
        return kernel;
    }

    /** {@link DenseKernel#parallelFor}: {@code body} over {@code [0, n)} on the kernel's threads. */
    public void parallelFor(int n, int grain, IndexRange body) {
        if (n < 0) {
            throw new IllegalArgumentException("n (indices of the loop) must be at least 0, got " + n);
        }
        if (grain < 1) {
            throw new IllegalArgumentException("grain must be at least 1, got " + grain);
        }
        Objects.requireNonNull(body, "body is null");
        kernel.parallelFor(n, grain, body);
    }

    // ---------------------------------------------------------------- forward

    /**
     * {@code Y[m×n] = act(X[m×k]·W[k×n] + b)}: bias and activation fused into the GEMM's store.
     * {@code b} may be null (no bias). Softmax is applied row-wise after the fused {@code X·W + b}.
     */
    public void forward(int m, int n, int k,
                        float[] x, int xOff, int ldx,
                        float[] w, int wOff, int ldw,
                        float[] b, int bOff,
                        Activation act,
                        float[] y, int yOff, int ldy) {
        Checks.dimension("m", "rows of X and Y", m);
        Checks.dimension("n", "columns of W and Y", n);
        Checks.dimension("k", "columns of X, rows of W", k);
        Checks.matrix("X", x, xOff, m, k, ldx);
        Checks.matrix("W", w, wOff, k, n, ldw);
        if (b != null) {
            Checks.vector("b", b, bOff, n, "one per column of W");
        }
        Objects.requireNonNull(act, "activation is null");
        Checks.matrix("Y", y, yOff, m, n, ldy);
        Checks.disjoint("Y", y, yOff, m, n, ldy, "X", x, xOff, m, k, ldx, false);
        Checks.disjoint("Y", y, yOff, m, n, ldy, "W", w, wOff, k, n, ldw, false);
        Checks.disjoint("Y", y, yOff, m, n, ldy, "b", b, bOff, 1, n, n, false);
        if (act.isElementwise()) {
            kernel.forward(m, n, k, x, xOff, ldx, w, wOff, ldw, b, bOff, act, y, yOff, ldy);
        } else {
            kernel.forward(m, n, k, x, xOff, ldx, w, wOff, ldw, b, bOff, Activation.IDENTITY, y, yOff, ldy);
            kernel.softmaxRows(m, n, y, yOff, ldy);
        }
    }

    /**
     * {@link #forward(int, int, int, float[], int, int, float[], int, int, float[], int, Activation, float[], int,
     * int)} on views; {@code b}, when given, has exactly one element per column of W (the views carry the shapes,
     * so a bias of another layer is an error here, where the array form cannot tell it from a longer buffer).
     */
    public void forward(MatrixView x, MatrixView w, float[] b, Activation act, MatrixView y) {
        Checks.view("X", x);
        Checks.view("W", w);
        Checks.view("Y", y);
        // W against X first: a W given transposed is named as such, not blamed on the bias
        Checks.same(w.rows(), "W has %d rows", x.cols(), "X has %d columns");
        if (b != null) {
            Checks.same(b.length, "b has %d elements", w.cols(), "W has %d columns");
        }
        Checks.same(y.rows(), "Y has %d rows", x.rows(), "X has %d rows");
        Checks.same(y.cols(), "Y has %d columns", w.cols(), "W has %d columns");
        forward(x.rows(), w.cols(), x.cols(), x.data(), x.offset(), x.stride(), w.data(), w.offset(), w.stride(),
                b, 0, act, y.data(), y.offset(), y.stride());
    }

    // ---------------------------------------------------------------- backward

    /**
     * The whole backward pass of {@code Y = act(X·W + b)} given {@code dY}: {@code dZ = dY ⊙ act'(Y)} once
     * (with {@code db = Σ_rows dZ} in the same pass), {@code dW = Xᵀ·dZ}, and {@code dX = dZ·Wᵀ} when
     * {@code dx} is not null (the first layer needs none). {@code dz} is the caller's work buffer
     * {@code [m×n]}; it may be {@code dy} itself. With {@code accumulate}, {@code dW} and {@code db} are
     * added to; otherwise their old contents are never read. {@code db} may be null.
     */
    public void backward(int m, int n, int k, Activation act,
                         float[] x, int xOff, int ldx,
                         float[] w, int wOff, int ldw,
                         float[] y, int yOff, int ldy,
                         float[] dy, int dyOff, int lddy,
                         float[] dz, int dzOff, int lddz,
                         float[] dw, int dwOff, int lddw,
                         float[] db, int dbOff,
                         float[] dx, int dxOff, int lddx,
                         boolean accumulate) {
        // the three steps check their own operands; what one step writes and a later one reads (dZ, dW before
        // dX reads W) is checked here, before anything is written
        Checks.dimension("m", "rows of X and Y", m);
        Checks.dimension("n", "columns of W and Y", n);
        Checks.dimension("k", "columns of X, rows of W", k);
        Checks.matrix("X", x, xOff, m, k, ldx);
        Checks.matrix("W", w, wOff, k, n, ldw);
        Checks.matrix("dZ", dz, dzOff, m, n, lddz);
        Checks.matrix("dW", dw, dwOff, k, n, lddw);
        Checks.matrix("Y", y, yOff, m, n, ldy); // every operand the overlap checks below measure is checked first
        Checks.matrix("dY", dy, dyOff, m, n, lddy);
        Checks.disjoint("dZ", dz, dzOff, m, n, lddz, "X", x, xOff, m, k, ldx, false);
        Checks.disjoint("dZ", dz, dzOff, m, n, lddz, "W", w, wOff, k, n, ldw, false);
        Checks.disjoint("dW", dw, dwOff, k, n, lddw, "X", x, xOff, m, k, ldx, false);
        Checks.disjoint("dW", dw, dwOff, k, n, lddw, "dZ", dz, dzOff, m, n, lddz, false);
        Checks.disjoint("dW", dw, dwOff, k, n, lddw, "W", w, wOff, k, n, ldw, false);
        Checks.disjoint("dW", dw, dwOff, k, n, lddw, "Y", y, yOff, m, n, ldy, false);
        Checks.disjoint("dW", dw, dwOff, k, n, lddw, "dY", dy, dyOff, m, n, lddy, false);
        if (db != null) {
            Checks.vector("db", db, dbOff, n, "one per column of Y");
            Checks.disjoint("db", db, dbOff, 1, n, n, "X", x, xOff, m, k, ldx, false);
            Checks.disjoint("db", db, dbOff, 1, n, n, "W", w, wOff, k, n, ldw, false);
            Checks.disjoint("db", db, dbOff, 1, n, n, "dW", dw, dwOff, k, n, lddw, false);
        }
        if (dx != null) {
            Checks.matrix("dX", dx, dxOff, m, k, lddx);
            Checks.disjoint("dX", dx, dxOff, m, k, lddx, "dZ", dz, dzOff, m, n, lddz, false);
            Checks.disjoint("dX", dx, dxOff, m, k, lddx, "W", w, wOff, k, n, ldw, false);
            Checks.disjoint("dX", dx, dxOff, m, k, lddx, "X", x, xOff, m, k, ldx, false);
            Checks.disjoint("dX", dx, dxOff, m, k, lddx, "Y", y, yOff, m, n, ldy, false);
            Checks.disjoint("dX", dx, dxOff, m, k, lddx, "dY", dy, dyOff, m, n, lddy, false);
            Checks.disjoint("dX", dx, dxOff, m, k, lddx, "dW", dw, dwOff, k, n, lddw, false);
            if (db != null) {
                Checks.disjoint("dX", dx, dxOff, m, k, lddx, "db", db, dbOff, 1, n, n, false);
            }
        }
        activationBackward(m, n, act, y, yOff, ldy, dy, dyOff, lddy, dz, dzOff, lddz, db, dbOff, accumulate);
        weightGradient(m, n, k, x, xOff, ldx, dz, dzOff, lddz, dw, dwOff, lddw, accumulate);
        if (dx != null) {
            inputGradient(m, n, k, dz, dzOff, lddz, w, wOff, ldw, dx, dxOff, lddx);
        }
    }

    /**
     * The whole backward pass on views ({@code dX} and {@code db} may be null; {@code db}, when given, has
     * exactly one element per column of W); see the array form.
     */
    public void backward(Activation act, MatrixView x, MatrixView w, MatrixView y, MatrixView dy, MatrixView dz,
                         MatrixView dw, float[] db, MatrixView dx, boolean accumulate) {
        Checks.view("X", x);
        Checks.view("W", w);
        Checks.view("Y", y);
        Checks.view("dY", dy);
        Checks.view("dZ", dz);
        Checks.view("dW", dw);
        Checks.same(w.rows(), "W has %d rows", x.cols(), "X has %d columns"); // first: see forward
        if (db != null) {
            Checks.same(db.length, "db has %d elements", w.cols(), "W has %d columns");
        }
        Checks.same(y.rows(), "Y has %d rows", x.rows(), "X has %d rows");
        Checks.same(y.cols(), "Y has %d columns", w.cols(), "W has %d columns");
        sameShape("dY", dy, "Y", y);
        sameShape("dZ", dz, "Y", y);
        sameShape("dW", dw, "W", w);
        if (dx != null) {
            Checks.view("dX", dx);
            sameShape("dX", dx, "X", x);
        }
        backward(x.rows(), w.cols(), x.cols(), act, x.data(), x.offset(), x.stride(), w.data(), w.offset(),
                w.stride(), y.data(), y.offset(), y.stride(), dy.data(), dy.offset(), dy.stride(), dz.data(),
                dz.offset(), dz.stride(), dw.data(), dw.offset(), dw.stride(), db, 0,
                dx == null ? null : dx.data(), dx == null ? 0 : dx.offset(), dx == null ? 0 : dx.stride(),
                accumulate);
    }

    /** {@code dZ[m×n] = dY ⊙ act'(Y)}, and {@code db[n] = Σ_rows dZ} (or {@code +=}) in the same pass. */
    public void activationBackward(int m, int n, Activation act,
                                   float[] y, int yOff, int ldy,
                                   float[] dy, int dyOff, int lddy,
                                   float[] dz, int dzOff, int lddz,
                                   float[] db, int dbOff, boolean accumulate) {
        Checks.dimension("m", "rows of Y", m);
        Checks.dimension("n", "columns of Y", n);
        Checks.elementwise(act);
        Checks.matrix("Y", y, yOff, m, n, ldy);
        Checks.matrix("dY", dy, dyOff, m, n, lddy);
        Checks.matrix("dZ", dz, dzOff, m, n, lddz);
        Checks.disjoint("dZ", dz, dzOff, m, n, lddz, "Y", y, yOff, m, n, ldy, true);
        Checks.disjoint("dZ", dz, dzOff, m, n, lddz, "dY", dy, dyOff, m, n, lddy, true);
        if (db != null) {
            Checks.vector("db", db, dbOff, n, "one per column of Y");
            Checks.disjoint("db", db, dbOff, 1, n, n, "Y", y, yOff, m, n, ldy, false);
            Checks.disjoint("db", db, dbOff, 1, n, n, "dY", dy, dyOff, m, n, lddy, false);
            Checks.disjoint("db", db, dbOff, 1, n, n, "dZ", dz, dzOff, m, n, lddz, false);
        }
        kernel.activationBackward(m, n, act, y, yOff, ldy, dy, dyOff, lddy, dz, dzOff, lddz, db, dbOff, accumulate);
    }

    /** {@code dW[k×n] = X[m×k]ᵀ·dZ[m×n]} (or {@code +=} when {@code accumulate}). */
    public void weightGradient(int m, int n, int k,
                               float[] x, int xOff, int ldx,
                               float[] dz, int dzOff, int lddz,
                               float[] dw, int dwOff, int lddw, boolean accumulate) {
        weightProductOperands(m, n, k, x, xOff, ldx, dz, dzOff, lddz, "dW", "columns of dZ and dW",
                "columns of X, rows of dW", dw, dwOff, lddw);
        kernel.weightGradient(m, n, k, x, xOff, ldx, dz, dzOff, lddz, dw, dwOff, lddw, accumulate);
    }

    /**
     * Whether {@link #sgdWeightUpdate} can fuse plain SGD's update into the weight gradient's product for a batch of
     * m rows: this kernel computes general products ({@link GemmKernel}) and sums m rows in one pass
     * ({@link GemmKernel#onePassDepth}), so the fused store gives the bits of {@link #weightGradient} followed by
     * {@code W[i] −= rate·dW[i]} in float. The engine ({@code blocked}, {@code parallel}) does up to 256 rows, the
     * scalar kernel any number; {@code vector} has no such product.
     */
    public boolean fusesSgdUpdate(int m) {
        return kernel instanceof GemmKernel g && m >= 1 && m <= g.onePassDepth();
    }

    /**
     * {@code W[k×n] −= rate·X[m×k]ᵀ·dZ[m×n]}: plain SGD's step on a layer's weights fused into the product of their
     * gradient, which is then not stored — the product's tiles are added to W as they leave the registers
     * ({@code alpha = −rate}, {@code beta = 1}), where the unfused step writes dW and a second pass reads it back
     * with W. The same bits as {@link #weightGradient} then {@code W[i] −= rate·dW[i]} (in float, the product rounded
     * first), for the batches {@link #fusesSgdUpdate} accepts, NaN where that gives NaN (which of two NaNs' payloads
     * survives may differ).
     *
     * @throws IllegalArgumentException as {@link #weightGradient} does for the operands (W in dW's place), or when
     *                                  the rate is not finite and greater than 0 (with 0 the product would not be
     *                                  formed at all, as BLAS skips it, so a NaN in it would not reach W as the
     *                                  unfused step carries it)
     * @throws UnsupportedOperationException when {@link #fusesSgdUpdate} is false for m
     */
    public void sgdWeightUpdate(int m, int n, int k,
                                float[] x, int xOff, int ldx,
                                float[] dz, int dzOff, int lddz,
                                float rate, float[] w, int wOff, int ldw) {
        weightProductOperands(m, n, k, x, xOff, ldx, dz, dzOff, lddz, "W", "columns of dZ and W",
                "columns of X, rows of W", w, wOff, ldw);
        if (!(rate > 0) || !Float.isFinite(rate)) {
            throw new IllegalArgumentException("rate must be finite and greater than 0, got " + rate);
        }
        if (!fusesSgdUpdate(m)) {
            throw new UnsupportedOperationException(kernel.name() + " cannot fuse the update into a weight gradient"
                    + " of " + m + " rows with the bits of the unfused step (see fusesSgdUpdate)");
        }
        ((GemmKernel) kernel).sgemm(true, false, k, n, m, -rate, x, xOff, ldx, dz, dzOff, lddz, 1f, w, wOff, ldw,
                null, 0, Activation.IDENTITY);
    }

    /**
     * The operands of a product {@code Xᵀ·dZ} into the k×n matrix {@code out} ({@code dW}, or {@code W} for the fused
     * SGD step): sizes, views, and {@code out} sharing no element with X or dZ. The meanings of n and k come as
     * literals: a string built here would be allocated on every call of a training step.
     */
    private static void weightProductOperands(int m, int n, int k, float[] x, int xOff, int ldx, float[] dz,
                                              int dzOff, int lddz, String outName, String nMeaning, String kMeaning,
                                              float[] out, int outOff, int ldo) {
        Checks.dimension("m", "rows of X and dZ", m);
        Checks.dimension("n", nMeaning, n);
        Checks.dimension("k", kMeaning, k);
        Checks.matrix("X", x, xOff, m, k, ldx);
        Checks.matrix("dZ", dz, dzOff, m, n, lddz);
        Checks.matrix(outName, out, outOff, k, n, ldo);
        Checks.disjoint(outName, out, outOff, k, n, ldo, "X", x, xOff, m, k, ldx, false);
        Checks.disjoint(outName, out, outOff, k, n, ldo, "dZ", dz, dzOff, m, n, lddz, false);
    }

    /** {@code dX[m×k] = dZ[m×n]·W[k×n]ᵀ}, overwriting {@code dX}. */
    public void inputGradient(int m, int n, int k,
                              float[] dz, int dzOff, int lddz,
                              float[] w, int wOff, int ldw,
                              float[] dx, int dxOff, int lddx) {
        Checks.dimension("m", "rows of dZ and dX", m);
        Checks.dimension("n", "columns of dZ and W", n);
        Checks.dimension("k", "rows of W, columns of dX", k);
        Checks.matrix("dZ", dz, dzOff, m, n, lddz);
        Checks.matrix("W", w, wOff, k, n, ldw);
        Checks.matrix("dX", dx, dxOff, m, k, lddx);
        Checks.disjoint("dX", dx, dxOff, m, k, lddx, "dZ", dz, dzOff, m, n, lddz, false);
        Checks.disjoint("dX", dx, dxOff, m, k, lddx, "W", w, wOff, k, n, ldw, false);
        kernel.inputGradient(m, n, k, dz, dzOff, lddz, w, wOff, ldw, dx, dxOff, lddx);
    }

    // ---------------------------------------------------------------- fused output heads

    /**
     * Sigmoid + binary cross-entropy head (also identity + squared error): {@code dZ = (Y − T)·scale}
     * without forming {@code dY}, and {@code db = Σ_rows dZ} (or {@code +=}) in the same pass.
     * {@code db} may be null. For the mean loss over a batch of m rows, {@code scale = 1/m}.
     */
    public void outputMinusTarget(int m, int n,
                                  float[] y, int yOff, int ldy,
                                  float[] t, int tOff, int ldt,
                                  float scale,
                                  float[] dz, int dzOff, int lddz,
                                  float[] db, int dbOff, boolean accumulate) {
        Checks.dimension("m", "rows of Y and T", m);
        Checks.dimension("n", "columns of Y and T", n);
        Checks.matrix("Y", y, yOff, m, n, ldy);
        Checks.matrix("T", t, tOff, m, n, ldt);
        Checks.matrix("dZ", dz, dzOff, m, n, lddz);
        Checks.disjoint("dZ", dz, dzOff, m, n, lddz, "Y", y, yOff, m, n, ldy, true);
        Checks.disjoint("dZ", dz, dzOff, m, n, lddz, "T", t, tOff, m, n, ldt, true);
        if (db != null) {
            Checks.vector("db", db, dbOff, n, "one per column of Y");
            Checks.disjoint("db", db, dbOff, 1, n, n, "Y", y, yOff, m, n, ldy, false);
            Checks.disjoint("db", db, dbOff, 1, n, n, "T", t, tOff, m, n, ldt, false);
            Checks.disjoint("db", db, dbOff, 1, n, n, "dZ", dz, dzOff, m, n, lddz, false);
        }
        kernel.outputMinusTarget(m, n, y, yOff, ldy, t, tOff, ldt, scale, dz, dzOff, lddz, db, dbOff, accumulate);
    }

    /** Row-wise softmax of {@code Z[m×n]} in place. */
    public void softmaxRows(int m, int n, float[] z, int zOff, int ldz) {
        Checks.dimension("m", "rows of Z", m);
        Checks.dimension("n", "columns of Z", n);
        Checks.matrix("Z", z, zOff, m, n, ldz);
        kernel.softmaxRows(m, n, z, zOff, ldz);
    }

    /**
     * Softmax + cross-entropy head: {@code dZ = (P − onehot(labels))·scale} and {@code db = Σ_rows dZ}
     * (or {@code +=}), where {@code P} is the softmax output and {@code labels[labelsOff + i]} in [0, n).
     */
    public void softmaxCrossEntropyBackward(int m, int n,
                                            float[] p, int pOff, int ldp,
                                            int[] labels, int labelsOff,
                                            float scale,
                                            float[] dz, int dzOff, int lddz,
                                            float[] db, int dbOff, boolean accumulate) {
        checkSoftmaxHead(m, n, p, pOff, ldp, labels, labelsOff, dz, dzOff, lddz, db, dbOff);
        kernel.softmaxCrossEntropyBackward(m, n, p, pOff, ldp, labels, labelsOff, scale, dz, dzOff, lddz, db,
                dbOff, accumulate);
    }

    /**
     * The whole softmax + cross-entropy head of a training step: {@link #softmaxCrossEntropyBackward} and, from the
     * same operands, the loss {@code −mean_i ln P[i][label_i]} ({@link Losses#crossEntropy}), which it returns. The
     * labels are checked once for both, so a step reads them twice (loss and gradient), not four times.
     */
    public double softmaxCrossEntropy(int m, int n,
                                      float[] p, int pOff, int ldp,
                                      int[] labels, int labelsOff,
                                      float scale,
                                      float[] dz, int dzOff, int lddz,
                                      float[] db, int dbOff, boolean accumulate) {
        checkSoftmaxHead(m, n, p, pOff, ldp, labels, labelsOff, dz, dzOff, lddz, db, dbOff);
        double loss = Losses.checkedCrossEntropy(m, p, pOff, ldp, labels, labelsOff);
        kernel.softmaxCrossEntropyBackward(m, n, p, pOff, ldp, labels, labelsOff, scale, dz, dzOff, lddz, db,
                dbOff, accumulate);
        return loss;
    }

    private static void checkSoftmaxHead(int m, int n, float[] p, int pOff, int ldp, int[] labels, int labelsOff,
                                         float[] dz, int dzOff, int lddz, float[] db, int dbOff) {
        Checks.dimension("m", "rows of P", m);
        Checks.dimension("n", "classes, columns of P", n);
        Checks.matrix("P", p, pOff, m, n, ldp);
        Checks.labels(labels, labelsOff, m, n);
        Checks.matrix("dZ", dz, dzOff, m, n, lddz);
        Checks.disjoint("dZ", dz, dzOff, m, n, lddz, "P", p, pOff, m, n, ldp, true);
        if (db != null) {
            Checks.vector("db", db, dbOff, n, "one per class");
            Checks.disjoint("db", db, dbOff, 1, n, n, "P", p, pOff, m, n, ldp, false);
            Checks.disjoint("db", db, dbOff, 1, n, n, "dZ", dz, dzOff, m, n, lddz, false);
        }
    }

    private static void sameShape(String name, MatrixView v, String refName, MatrixView ref) {
        if (v.rows() != ref.rows() || v.cols() != ref.cols()) {
            throw new IllegalArgumentException(name + " is " + v.shape() + " but " + refName + " is " + ref.shape());
        }
    }

    @Override
    public String toString() {
        return "DenseOps[" + kernel.describe() + "]";
    }
}
