package dev.myelin.core;

import java.util.Objects;

/**
 * A variant that passes every operation to another kernel: extend it, name it, and override the operations you
 * change (a new {@code forward} over the {@code blocked} kernel's backward, say). The name must be the variant's
 * own: the registry refuses a kernel whose {@link #name()} is not the name it is selected by, because checkpoints,
 * {@code myelin bench} and logs know a kernel by its {@code name()}, and a wrapper that answered with its delegate's
 * name would let a model trained on one variant resume on another.
 */
public abstract class ForwardingKernel implements DenseKernel {

    private final DenseKernel delegate;

    protected ForwardingKernel(DenseKernel delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * The kernel the operations not overridden go to (public: a checkpoint records the vector width of a wrapper over
     * {@code vector}, whose bits depend on it, as it does for {@code vector}).
     */
    public final DenseKernel delegate() {
        return delegate;
    }

    @Override
    public abstract String name();

    @Override
    public String describe() {
        return name() + " (forwarding to " + delegate.describe() + ")";
    }

    @Override
    public int threads() {
        return delegate.threads();
    }

    @Override
    public void parallelFor(int n, int grain, IndexRange body) {
        delegate.parallelFor(n, grain, body);
    }

    @Override
    public void forward(int m, int n, int k, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                        float[] b, int bOff, Activation act, float[] y, int yOff, int ldy) {
        delegate.forward(m, n, k, x, xOff, ldx, w, wOff, ldw, b, bOff, act, y, yOff, ldy);
    }

    @Override
    public void activationBackward(int m, int n, Activation act, float[] y, int yOff, int ldy, float[] dy,
                                   int dyOff, int lddy, float[] dz, int dzOff, int lddz, float[] db, int dbOff,
                                   boolean accumulate) {
        delegate.activationBackward(m, n, act, y, yOff, ldy, dy, dyOff, lddy, dz, dzOff, lddz, db, dbOff,
                accumulate);
    }

    @Override
    public void weightGradient(int m, int n, int k, float[] x, int xOff, int ldx, float[] dz, int dzOff, int lddz,
                               float[] dw, int dwOff, int lddw, boolean accumulate) {
        delegate.weightGradient(m, n, k, x, xOff, ldx, dz, dzOff, lddz, dw, dwOff, lddw, accumulate);
    }

    @Override
    public void inputGradient(int m, int n, int k, float[] dz, int dzOff, int lddz, float[] w, int wOff, int ldw,
                              float[] dx, int dxOff, int lddx) {
        delegate.inputGradient(m, n, k, dz, dzOff, lddz, w, wOff, ldw, dx, dxOff, lddx);
    }

    @Override
    public void outputMinusTarget(int m, int n, float[] y, int yOff, int ldy, float[] t, int tOff, int ldt,
                                  float scale, float[] dz, int dzOff, int lddz, float[] db, int dbOff,
                                  boolean accumulate) {
        delegate.outputMinusTarget(m, n, y, yOff, ldy, t, tOff, ldt, scale, dz, dzOff, lddz, db, dbOff, accumulate);
    }

    @Override
    public void softmaxRows(int m, int n, float[] z, int zOff, int ldz) {
        delegate.softmaxRows(m, n, z, zOff, ldz);
    }

    @Override
    public void softmaxCrossEntropyBackward(int m, int n, float[] p, int pOff, int ldp, int[] labels,
                                            int labelsOff, float scale, float[] dz, int dzOff, int lddz, float[] db,
                                            int dbOff, boolean accumulate) {
        delegate.softmaxCrossEntropyBackward(m, n, p, pOff, ldp, labels, labelsOff, scale, dz, dzOff, lddz, db,
                dbOff, accumulate);
    }
}
