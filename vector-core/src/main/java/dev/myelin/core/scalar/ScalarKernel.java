package dev.myelin.core.scalar;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.GemmKernel;

/**
 * The reference variant: plain Java loops in float, one output element at a time, in the textbook
 * summation order. It is the fallback when the Vector API is absent and the oracle the other variants are
 * tested against, so it stays short and obviously right; speed is the other variants' job. It implements
 * {@link GemmKernel#sgemm} in the same spirit.
 */
public final class ScalarKernel implements DenseKernel, GemmKernel {

    public static final String NAME = "scalar";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String describe() {
        return NAME + " (plain Java loops, no Vector API: the reference)";
    }

    @Override
    public void forward(int m, int n, int k, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                        float[] b, int bOff, Activation act, float[] y, int yOff, int ldy) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    acc += x[xOff + i * ldx + p] * w[wOff + p * ldw + j];
                }
                if (b != null) {
                    acc += b[bOff + j];
                }
                y[yOff + i * ldy + j] = act.apply(acc);
            }
        }
    }

    /**
     * For each {@code (i, j)}: {@code acc = Σ_p op(A)(i, p)·op(B)(p, j)} in float, p ascending;
     * {@code z = alpha·acc}; {@code z += beta·C(i, j)} only when {@code beta ≠ 0} (so C is never read with
     * {@code beta == 0}); {@code z += bias[j]}; {@code C(i, j) = act(z)}. With {@code alpha == 0} A and B are
     * not read at all.
     */
    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                      int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc,
                      float[] bias, int biasOff, Activation act) {
        // op(A)(i, p) = a[aOff + i·ars + p·acs], op(B)(p, j) = b[bOff + p·brs + j·bcs]
        int ars = transA ? 1 : lda, acs = transA ? lda : 1;
        int brs = transB ? 1 : ldb, bcs = transB ? ldb : 1;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float z = 0f;
                if (alpha != 0f && k > 0) { // no product term otherwise (GemmKernel)
                    float acc = 0f;
                    for (int p = 0; p < k; p++) {
                        acc += a[aOff + i * ars + p * acs] * b[bOff + p * brs + j * bcs];
                    }
                    z = alpha * acc;
                }
                int at = cOff + i * ldc + j;
                if (beta != 0f) {
                    z += beta * c[at];
                }
                if (bias != null) {
                    z += bias[biasOff + j];
                }
                c[at] = act.apply(z);
            }
        }
    }

    /** Every k: sgemm's sum over k is weightGradient's, and its epilogue {@code alpha·acc} then {@code + beta·C}. */
    @Override
    public int onePassDepth() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void activationBackward(int m, int n, Activation act, float[] y, int yOff, int ldy,
                                   float[] dy, int dyOff, int lddy, float[] dz, int dzOff, int lddz,
                                   float[] db, int dbOff, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float g = act.gradient(y[yOff + i * ldy + j], dy[dyOff + i * lddy + j]);
                dz[dzOff + i * lddz + j] = g;
                addToBias(db, dbOff + j, g, i == 0 && !accumulate);
            }
        }
    }

    @Override
    public void weightGradient(int m, int n, int k, float[] x, int xOff, int ldx, float[] dz, int dzOff,
                               int lddz, float[] dw, int dwOff, int lddw, boolean accumulate) {
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int i = 0; i < m; i++) {
                    acc += x[xOff + i * ldx + p] * dz[dzOff + i * lddz + j];
                }
                int at = dwOff + p * lddw + j;
                dw[at] = accumulate ? dw[at] + acc : acc;
            }
        }
    }

    @Override
    public void inputGradient(int m, int n, int k, float[] dz, int dzOff, int lddz, float[] w, int wOff,
                              int ldw, float[] dx, int dxOff, int lddx) {
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                float acc = 0f;
                for (int j = 0; j < n; j++) {
                    acc += dz[dzOff + i * lddz + j] * w[wOff + p * ldw + j];
                }
                dx[dxOff + i * lddx + p] = acc;
            }
        }
    }

    @Override
    public void outputMinusTarget(int m, int n, float[] y, int yOff, int ldy, float[] t, int tOff, int ldt,
                                  float scale, float[] dz, int dzOff, int lddz, float[] db, int dbOff,
                                  boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float g = (y[yOff + i * ldy + j] - t[tOff + i * ldt + j]) * scale;
                dz[dzOff + i * lddz + j] = g;
                addToBias(db, dbOff + j, g, i == 0 && !accumulate);
            }
        }
    }

    @Override
    public void softmaxRows(int m, int n, float[] z, int zOff, int ldz) {
        for (int i = 0; i < m; i++) {
            int row = zOff + i * ldz;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, z[row + j]); // Math.max keeps NaN, so a NaN row stays NaN
            }
            float sum = 0f;
            for (int j = 0; j < n; j++) {
                float e = (float) Math.exp(z[row + j] - max);
                z[row + j] = e;
                sum += e;
            }
            for (int j = 0; j < n; j++) {
                z[row + j] /= sum;
            }
        }
    }

    @Override
    public void softmaxCrossEntropyBackward(int m, int n, float[] p, int pOff, int ldp, int[] labels,
                                            int labelsOff, float scale, float[] dz, int dzOff, int lddz,
                                            float[] db, int dbOff, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            int label = labels[labelsOff + i];
            for (int j = 0; j < n; j++) {
                float g = (p[pOff + i * ldp + j] - (j == label ? 1f : 0f)) * scale;
                dz[dzOff + i * lddz + j] = g;
                addToBias(db, dbOff + j, g, i == 0 && !accumulate);
            }
        }
    }

    /** {@code db[at] = g} for the first row when overwriting, otherwise {@code db[at] += g}; no-op without db. */
    private static void addToBias(float[] db, int at, float g, boolean overwrite) {
        if (db != null) {
            db[at] = overwrite ? g : db[at] + g;
        }
    }
}
