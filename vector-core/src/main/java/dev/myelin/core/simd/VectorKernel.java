package dev.myelin.core.simd;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API variant ({@code vector}): every {@link DenseKernel} operation with {@code FloatVector}s of
 * one width, 128, 256 or 512 bits, or the platform's preferred one.
 *
 * <p>The arithmetic lives in {@link FloatKernels}. C2 compiles Vector API code into SIMD instructions only
 * when it can prove the species constant: a {@code static final} is. A species kept in an instance field
 * works while a JVM uses one width (type profiles stand in for the constant), but as soon as two widths
 * run — as in the conformance tests, or a benchmark comparing widths — every operation falls back to
 * boxed Java code (measured: 30 KB allocated per call of a 1024-element loop). So that each width gets its
 * own constant without three copies of the source, this class delegates to one hidden copy of
 * {@code FloatKernels} per width ({@link HiddenCopies}).
 */
public final class VectorKernel implements DenseKernel {

    public static final String NAME = "vector";

    private final VectorSpecies<Float> species;
    private final DenseKernel kernels;

    /**
     * A kernel with {@code bits}-wide float vectors: 0 for {@code FloatVector.SPECIES_PREFERRED}, otherwise
     * 128, 256 or 512 (a width the CPU lacks still computes correctly, only slowly).
     */
    public VectorKernel(int bits) {
        this.species = switch (bits) {
            case 0 -> FloatVector.SPECIES_PREFERRED;
            case 128 -> FloatVector.SPECIES_128;
            case 256 -> FloatVector.SPECIES_256;
            case 512 -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("vector width must be 0 (the preferred one), 128, 256"
                    + " or 512 bits, got " + bits);
        };
        this.kernels = HiddenCopies.forWidth(FloatKernels.class, DenseKernel.class, species.vectorBitSize());
    }

    /** The vector width in bits (128, 256, 512, ...). */
    public int bits() {
        return species.vectorBitSize();
    }

    /** The number of float lanes per vector ({@code bits / 32}). */
    public int lanes() {
        return species.length();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String describe() {
        return NAME + " (FloatVector " + bits() + "-bit, " + lanes() + " lanes)";
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * {@code Y[m×n] = act(X[m×k]·W[k×n] + b)}, row-major; bias and activation on the registers before the
     * single store.
     */
    @Override
    public void forward(int m, int n, int k, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                        float[] b, int bOff, Activation act, float[] y, int yOff, int ldy) {
        kernels.forward(m, n, k, x, xOff, ldx, w, wOff, ldw, b, bOff, act, y, yOff, ldy);
    }

    /** {@code dZ[m×n] = dY ⊙ act'(Y)}, {@code db[n] (+)= Σ_rows dZ} in the same pass; dz may be dy. */
    @Override
    public void activationBackward(int m, int n, Activation act, float[] y, int yOff, int ldy,
                                   float[] dy, int dyOff, int lddy, float[] dz, int dzOff, int lddz,
                                   float[] db, int dbOff, boolean accumulate) {
        kernels.activationBackward(m, n, act, y, yOff, ldy, dy, dyOff, lddy, dz, dzOff, lddz, db, dbOff,
                accumulate);
    }

    /** {@code dW[k×n] (+)= X[m×k]ᵀ·dZ[m×n]}, row-major, no transposed copy. */
    @Override
    public void weightGradient(int m, int n, int k, float[] x, int xOff, int ldx, float[] dz, int dzOff,
                               int lddz, float[] dw, int dwOff, int lddw, boolean accumulate) {
        kernels.weightGradient(m, n, k, x, xOff, ldx, dz, dzOff, lddz, dw, dwOff, lddw, accumulate);
    }

    /** {@code dX[m×k] = dZ[m×n]·W[k×n]ᵀ}, row-major, no transposed copy. */
    @Override
    public void inputGradient(int m, int n, int k, float[] dz, int dzOff, int lddz, float[] w, int wOff,
                              int ldw, float[] dx, int dxOff, int lddx) {
        kernels.inputGradient(m, n, k, dz, dzOff, lddz, w, wOff, ldw, dx, dxOff, lddx);
    }

    /** {@code dZ[m×n] = (Y − T)·scale}, {@code db[n] (+)= Σ_rows dZ} in the same pass. */
    @Override
    public void outputMinusTarget(int m, int n, float[] y, int yOff, int ldy, float[] t, int tOff, int ldt,
                                  float scale, float[] dz, int dzOff, int lddz, float[] db, int dbOff,
                                  boolean accumulate) {
        kernels.outputMinusTarget(m, n, y, yOff, ldy, t, tOff, ldt, scale, dz, dzOff, lddz, db, dbOff, accumulate);
    }

    /** {@code Z[i][j] = exp(Z[i][j] − max_j Z[i]) / Σ_j exp(Z[i][j] − max_j Z[i])} in place, row by row. */
    @Override
    public void softmaxRows(int m, int n, float[] z, int zOff, int ldz) {
        kernels.softmaxRows(m, n, z, zOff, ldz);
    }

    /** {@code dZ[m×n] = (P − onehot(labels))·scale}, {@code db[n] (+)= Σ_rows dZ} in the same pass. */
    @Override
    public void softmaxCrossEntropyBackward(int m, int n, float[] p, int pOff, int ldp, int[] labels,
                                            int labelsOff, float scale, float[] dz, int dzOff, int lddz,
                                            float[] db, int dbOff, boolean accumulate) {
        kernels.softmaxCrossEntropyBackward(m, n, p, pOff, ldp, labels, labelsOff, scale, dz, dzOff, lddz, db,
                dbOff, accumulate);
    }
}
