package dev.myelin.core.simd;

/**
 * The door into one vector width's copy of {@link FixedOrderDot}: the input gradient of a few rows with the
 * same bits at every width. Only ints and arrays cross it, never a vector.
 */
interface FewRowsInputGradient {

    /** {@code dX[m×k] = dZ[m×n]·Wᵀ}, W {@code [k×n]} row-major read in place; dx is only written. */
    void inputGradient(int m, int n, int k, float[] dz, int dzOff, int lddz, float[] w, int wOff, int ldw,
                       float[] dx, int dxOff, int lddx);
}
