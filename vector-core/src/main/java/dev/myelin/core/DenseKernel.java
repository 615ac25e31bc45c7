package dev.myelin.core;

/**
 * The contract every kernel variant implements: the fused forward and the backward pieces of a dense
 * layer, float32, row-major.
 *
 * <p>Each matrix is an array, an offset and a row stride ({@code ld}, ≥ its column count), so views into
 * larger arrays work. Shapes: {@code X[m×k]}, {@code W[k×n]}, {@code b[n]}, {@code Y[m×n]}. Operands whose
 * old contents are overwritten are never read (a NaN left in an output buffer cannot leak).
 *
 * <p>Implementations trust their arguments: {@link DenseOps} checks shapes, strides, offsets and array
 * lengths once, then calls them. They must be stateless and thread-safe, must not touch anything outside
 * the views, and must let NaN and Inf propagate. A new variant implements this interface and is made
 * known through {@link dev.myelin.core.dispatch.KernelRegistry}; callers do not change.
 */
public interface DenseKernel {

    /** The name the variant is selected by ({@code scalar}, {@code vector}, ...). */
    String name();

    /** One line for logs and {@code myelin info}: the variant and, for SIMD ones, species and lanes. */
    default String describe() {
        return name();
    }

    /**
     * How many threads one call may use: 1 for the single-threaded variants; a multithreaded one returns its
     * configured count (its results are the same bits for every count).
     */
    default int threads() {
        return 1;
    }

    /**
     * Runs {@code body} over {@code [0, n)}, cut into contiguous ranges of at least {@code grain} indices that this
     * variant's threads run at once (the single-threaded variants run {@code body.run(0, n)}): the elementwise parts
     * of a training step (gathering a batch, an update) on the same threads as the products. The cut depends on n,
     * grain and the thread count (or is one range while another caller holds the threads); a body whose indices do
     * not interact gives the same bits for every cut.
     */
    default void parallelFor(int n, int grain, IndexRange body) {
        if (n > 0) {
            body.run(0, n);
        }
    }

    /**
     * {@code Y[m×n] = act(X[m×k]·W[k×n] + b)}, bias and elementwise activation applied to the accumulators
     * before the single store. {@code b} may be null (no bias). {@code act} is elementwise.
     */
    void forward(int m, int n, int k,
                 float[] x, int xOff, int ldx,
                 float[] w, int wOff, int ldw,
                 float[] b, int bOff,
                 Activation act,
                 float[] y, int yOff, int ldy);

    /**
     * {@code dZ[m×n] = dY ⊙ act'(Y)} and, in the same pass, {@code db[n] = Σ_rows dZ} (or {@code +=} when
     * {@code accumulate}); {@code db} may be null. {@code dz} may be the very same view as {@code dy}.
     */
    void activationBackward(int m, int n, Activation act,
                            float[] y, int yOff, int ldy,
                            float[] dy, int dyOff, int lddy,
                            float[] dz, int dzOff, int lddz,
                            float[] db, int dbOff, boolean accumulate);

    /** {@code dW[k×n] = X[m×k]ᵀ·dZ[m×n]} (or {@code +=} when {@code accumulate}). */
    void weightGradient(int m, int n, int k,
                        float[] x, int xOff, int ldx,
                        float[] dz, int dzOff, int lddz,
                        float[] dw, int dwOff, int lddw, boolean accumulate);

    /** {@code dX[m×k] = dZ[m×n]·W[k×n]ᵀ}, overwriting {@code dX}. */
    void inputGradient(int m, int n, int k,
                       float[] dz, int dzOff, int lddz,
                       float[] w, int wOff, int ldw,
                       float[] dx, int dxOff, int lddx);

    /**
     * The fused output head for sigmoid + binary cross-entropy (and identity + squared error):
     * {@code dZ[m×n] = (Y − T)·scale} without forming {@code dY}, and {@code db[n] = Σ_rows dZ} (or
     * {@code +=}) in the same pass; {@code db} may be null.
     */
    void outputMinusTarget(int m, int n,
                           float[] y, int yOff, int ldy,
                           float[] t, int tOff, int ldt,
                           float scale,
                           float[] dz, int dzOff, int lddz,
                           float[] db, int dbOff, boolean accumulate);

    /** Row-wise softmax in place: {@code P[i][j] = exp(Z[i][j] − max_j Z[i]) / Σ_j exp(Z[i][j] − max_j Z[i])}. */
    void softmaxRows(int m, int n, float[] z, int zOff, int ldz);

    /**
     * The fused softmax + cross-entropy head: {@code dZ[m×n] = (P − onehot(labels))·scale} and
     * {@code db[n] = Σ_rows dZ} (or {@code +=}); {@code labels[labelsOff + i]} is row i's class in [0, n).
     */
    void softmaxCrossEntropyBackward(int m, int n,
                                     float[] p, int pOff, int ldp,
                                     int[] labels, int labelsOff,
                                     float scale,
                                     float[] dz, int dzOff, int lddz,
                                     float[] db, int dbOff, boolean accumulate);
}
