package dev.myelin.core.simd;

import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The input gradient of a few rows, {@code dX[m×k] = dZ[m×n]·Wᵀ} with W {@code [k×n]} read in place, as dot
 * products along n that give the same bits at every vector width (one hidden copy per width, as
 * {@link FloatKernels}). The engine's packed path would copy all of W for a handful of rows (8× slower at one
 * row, measured); the {@code vector} kernel's dot products are fast but sum their lanes in a width-dependent
 * tree.
 *
 * <p><b>The fixed order.</b> Every dot product is computed as {@value #VIRTUAL_LANES} partial sums, partial sum
 * s holding the products of the elements j ≡ s (mod 16) in increasing j, each by one fma — so on 512-bit
 * vectors one accumulator, on 256 bits two (elements j..j+7 and j+8..j+15 of each 16), on 128 bits four. The
 * 16 sums are then added in one tree: s + s⊕8, then ⊕4, ⊕2, ⊕1 (512 bits: rotations by 8, 4, 2, 1; 256: the
 * two accumulators added, then rotations by 4, 2, 1; 128: (a0 + a2) + (a1 + a3), then 2, 1). Every step adds
 * the same two numbers at every width, so the result has the same bits. Masked tail lanes load 0 and add
 * {@code fma(0, 0, s) = s} exactly (a partial sum is never −0: it starts at +0, and x + (+0) is −0 only for
 * x = −0).
 *
 * <p>The tile: one row of dZ against 4 rows of W (4·G accumulators, G = 16 / lanes: at most 16 vectors), then
 * single rows of W for k % 4. Written out per accumulator as the other kernels are (vectors never cross a method
 * boundary); the branches on {@code G} fold away, {@code L} being a constant of each copy.
 */
final class FixedOrderDot implements FewRowsInputGradient {

    /** Partial sums per dot product, whatever the width: the lanes of the widest vector (512 bits). */
    static final int VIRTUAL_LANES = 16;

    private static final VectorSpecies<Float> F = HiddenCopies.floatSpecies(MethodHandles.lookup());
    private static final int L = F.length();
    /** Accumulators per dot product. */
    private static final int G = VIRTUAL_LANES / L;

    private static final VectorShuffle<Float> ROTATE_8 = rotation(8), ROTATE_4 = rotation(4),
            ROTATE_2 = rotation(2), ROTATE_1 = rotation(1);

    FixedOrderDot() {
        if (!supports(L)) {
            throw new IllegalStateException(L + " lanes: the fixed order is written for 4, 8 or 16 lanes");
        }
    }

    /** The lane counts the accumulator groups are written out for (G = 4, 2, 1): 128-, 256- and 512-bit vectors. */
    static boolean supports(int lanes) {
        return lanes == 4 || lanes == 8 || lanes == 16;
    }

    private static VectorShuffle<Float> rotation(int k) {
        return VectorShuffle.iota(F, k % L, 1, true);
    }

    @Override
    public void inputGradient(int m, int n, int k, float[] dz, int dzOff, int lddz, float[] w, int wOff, int ldw,
                              float[] dx, int dxOff, int lddx) {
        for (int i = 0; i < m; i++) {
            int z0 = dzOff + i * lddz;
            int x0 = dxOff + i * lddx;
            int p = 0;
            for (; p + 4 <= k; p += 4) {
                dot1x4(n, dz, z0, w, wOff + p * ldw, ldw, dx, x0 + p);
            }
            for (; p < k; p++) {
                dot1x1(n, dz, z0, w, wOff + p * ldw, dx, x0 + p);
            }
        }
    }

    /** {@code dx[x0 + q] = Σ_j dZ[j]·W[q][j]} for q < 4: 4 dot products, G accumulators each. */
    private static void dot1x4(int n, float[] dz, int z0, float[] w, int w0, int ldw, float[] dx, int x0) {
        // accRG: row R of W, accumulator group G (elements j ≡ G·L .. G·L + L − 1 mod 16)
        FloatVector acc00 = FloatVector.zero(F), acc01 = FloatVector.zero(F);
        FloatVector acc02 = FloatVector.zero(F), acc03 = FloatVector.zero(F);
        FloatVector acc10 = FloatVector.zero(F), acc11 = FloatVector.zero(F);
        FloatVector acc12 = FloatVector.zero(F), acc13 = FloatVector.zero(F);
        FloatVector acc20 = FloatVector.zero(F), acc21 = FloatVector.zero(F);
        FloatVector acc22 = FloatVector.zero(F), acc23 = FloatVector.zero(F);
        FloatVector acc30 = FloatVector.zero(F), acc31 = FloatVector.zero(F);
        FloatVector acc32 = FloatVector.zero(F), acc33 = FloatVector.zero(F);
        int w1 = w0 + ldw;
        int w2 = w1 + ldw;
        int w3 = w2 + ldw;
        int j = 0;
        for (int full = n - n % VIRTUAL_LANES; j < full; j += VIRTUAL_LANES) { // whole groups of 16
            FloatVector z = FloatVector.fromArray(F, dz, z0 + j);
            acc00 = z.fma(FloatVector.fromArray(F, w, w0 + j), acc00);
            acc10 = z.fma(FloatVector.fromArray(F, w, w1 + j), acc10);
            acc20 = z.fma(FloatVector.fromArray(F, w, w2 + j), acc20);
            acc30 = z.fma(FloatVector.fromArray(F, w, w3 + j), acc30);
            if (G > 1) {
                int j1 = j + L;
                z = FloatVector.fromArray(F, dz, z0 + j1);
                acc01 = z.fma(FloatVector.fromArray(F, w, w0 + j1), acc01);
                acc11 = z.fma(FloatVector.fromArray(F, w, w1 + j1), acc11);
                acc21 = z.fma(FloatVector.fromArray(F, w, w2 + j1), acc21);
                acc31 = z.fma(FloatVector.fromArray(F, w, w3 + j1), acc31);
            }
            if (G > 2) {
                int j2 = j + 2 * L;
                z = FloatVector.fromArray(F, dz, z0 + j2);
                acc02 = z.fma(FloatVector.fromArray(F, w, w0 + j2), acc02);
                acc12 = z.fma(FloatVector.fromArray(F, w, w1 + j2), acc12);
                acc22 = z.fma(FloatVector.fromArray(F, w, w2 + j2), acc22);
                acc32 = z.fma(FloatVector.fromArray(F, w, w3 + j2), acc32);
                int j3 = j + 3 * L;
                z = FloatVector.fromArray(F, dz, z0 + j3);
                acc03 = z.fma(FloatVector.fromArray(F, w, w0 + j3), acc03);
                acc13 = z.fma(FloatVector.fromArray(F, w, w1 + j3), acc13);
                acc23 = z.fma(FloatVector.fromArray(F, w, w2 + j3), acc23);
                acc33 = z.fma(FloatVector.fromArray(F, w, w3 + j3), acc33);
            }
        }
        if (j < n) { // the last, partial group of 16: each accumulator's vector masked to the columns left
            VectorMask<Float> m0 = F.indexInRange(j, n);
            FloatVector z = FloatVector.fromArray(F, dz, z0 + j, m0);
            acc00 = z.fma(FloatVector.fromArray(F, w, w0 + j, m0), acc00);
            acc10 = z.fma(FloatVector.fromArray(F, w, w1 + j, m0), acc10);
            acc20 = z.fma(FloatVector.fromArray(F, w, w2 + j, m0), acc20);
            acc30 = z.fma(FloatVector.fromArray(F, w, w3 + j, m0), acc30);
            if (G > 1) {
                int j1 = j + L;
                VectorMask<Float> m1 = F.indexInRange(j1, n);
                z = FloatVector.fromArray(F, dz, z0 + j1, m1);
                acc01 = z.fma(FloatVector.fromArray(F, w, w0 + j1, m1), acc01);
                acc11 = z.fma(FloatVector.fromArray(F, w, w1 + j1, m1), acc11);
                acc21 = z.fma(FloatVector.fromArray(F, w, w2 + j1, m1), acc21);
                acc31 = z.fma(FloatVector.fromArray(F, w, w3 + j1, m1), acc31);
            }
            if (G > 2) {
                int j2 = j + 2 * L;
                VectorMask<Float> m2 = F.indexInRange(j2, n);
                z = FloatVector.fromArray(F, dz, z0 + j2, m2);
                acc02 = z.fma(FloatVector.fromArray(F, w, w0 + j2, m2), acc02);
                acc12 = z.fma(FloatVector.fromArray(F, w, w1 + j2, m2), acc12);
                acc22 = z.fma(FloatVector.fromArray(F, w, w2 + j2, m2), acc22);
                acc32 = z.fma(FloatVector.fromArray(F, w, w3 + j2, m2), acc32);
                int j3 = j + 3 * L;
                VectorMask<Float> m3 = F.indexInRange(j3, n);
                z = FloatVector.fromArray(F, dz, z0 + j3, m3);
                acc03 = z.fma(FloatVector.fromArray(F, w, w0 + j3, m3), acc03);
                acc13 = z.fma(FloatVector.fromArray(F, w, w1 + j3, m3), acc13);
                acc23 = z.fma(FloatVector.fromArray(F, w, w2 + j3, m3), acc23);
                acc33 = z.fma(FloatVector.fromArray(F, w, w3 + j3, m3), acc33);
            }
        }
        // the groups folded into one vector whose lane l holds s_l + s_{l+8} (+ s_{l+4} + s_{l+12} at 128 bits)
        if (G == 2) {
            acc00 = acc00.add(acc01);
            acc10 = acc10.add(acc11);
            acc20 = acc20.add(acc21);
            acc30 = acc30.add(acc31);
        } else if (G == 4) {
            acc00 = acc00.add(acc02).add(acc01.add(acc03));
            acc10 = acc10.add(acc12).add(acc11.add(acc13));
            acc20 = acc20.add(acc22).add(acc21.add(acc23));
            acc30 = acc30.add(acc32).add(acc31.add(acc33));
        }
        // then the rest of the tree inside the vector: ⊕8 (only at 16 lanes), ⊕4 (at 8 or more), ⊕2, ⊕1
        if (L == 16) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_8));
            acc10 = acc10.add(acc10.rearrange(ROTATE_8));
            acc20 = acc20.add(acc20.rearrange(ROTATE_8));
            acc30 = acc30.add(acc30.rearrange(ROTATE_8));
        }
        if (L >= 8) {
            acc00 = acc00.add(acc00.rearrange(ROTATE_4));
            acc10 = acc10.add(acc10.rearrange(ROTATE_4));
            acc20 = acc20.add(acc20.rearrange(ROTATE_4));
            acc30 = acc30.add(acc30.rearrange(ROTATE_4));
        }
        acc00 = acc00.add(acc00.rearrange(ROTATE_2));
        acc10 = acc10.add(acc10.rearrange(ROTATE_2));
        acc20 = acc20.add(acc20.rearrange(ROTATE_2));
        acc30 = acc30.add(acc30.rearrange(ROTATE_2));
        acc00 = acc00.add(acc00.rearrange(ROTATE_1));
        acc10 = acc10.add(acc10.rearrange(ROTATE_1));
        acc20 = acc20.add(acc20.rearrange(ROTATE_1));
        acc30 = acc30.add(acc30.rearrange(ROTATE_1));
        dx[x0] = acc00.lane(0);
        dx[x0 + 1] = acc10.lane(0);
        dx[x0 + 2] = acc20.lane(0);
        dx[x0 + 3] = acc30.lane(0);
    }

    /** One dot product, {@code dx[x0] = Σ_j dZ[j]·W[j]}, in the same order as each of {@link #dot1x4}'s. */
    private static void dot1x1(int n, float[] dz, int z0, float[] w, int w0, float[] dx, int x0) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
        int j = 0;
        for (int full = n - n % VIRTUAL_LANES; j < full; j += VIRTUAL_LANES) {
            acc0 = FloatVector.fromArray(F, dz, z0 + j).fma(FloatVector.fromArray(F, w, w0 + j), acc0);
            if (G > 1) {
                int j1 = j + L;
                acc1 = FloatVector.fromArray(F, dz, z0 + j1).fma(FloatVector.fromArray(F, w, w0 + j1), acc1);
            }
            if (G > 2) {
                int j2 = j + 2 * L;
                int j3 = j + 3 * L;
                acc2 = FloatVector.fromArray(F, dz, z0 + j2).fma(FloatVector.fromArray(F, w, w0 + j2), acc2);
                acc3 = FloatVector.fromArray(F, dz, z0 + j3).fma(FloatVector.fromArray(F, w, w0 + j3), acc3);
            }
        }
        if (j < n) {
            VectorMask<Float> m0 = F.indexInRange(j, n);
            acc0 = FloatVector.fromArray(F, dz, z0 + j, m0).fma(FloatVector.fromArray(F, w, w0 + j, m0), acc0);
            if (G > 1) {
                int j1 = j + L;
                VectorMask<Float> m1 = F.indexInRange(j1, n);
                acc1 = FloatVector.fromArray(F, dz, z0 + j1, m1).fma(FloatVector.fromArray(F, w, w0 + j1, m1), acc1);
            }
            if (G > 2) {
                int j2 = j + 2 * L;
                int j3 = j + 3 * L;
                VectorMask<Float> m2 = F.indexInRange(j2, n);
                VectorMask<Float> m3 = F.indexInRange(j3, n);
                acc2 = FloatVector.fromArray(F, dz, z0 + j2, m2).fma(FloatVector.fromArray(F, w, w0 + j2, m2), acc2);
                acc3 = FloatVector.fromArray(F, dz, z0 + j3, m3).fma(FloatVector.fromArray(F, w, w0 + j3, m3), acc3);
            }
        }
        if (G == 2) {
            acc0 = acc0.add(acc1);
        } else if (G == 4) {
            acc0 = acc0.add(acc2).add(acc1.add(acc3));
        }
        if (L == 16) {
            acc0 = acc0.add(acc0.rearrange(ROTATE_8));
        }
        if (L >= 8) {
            acc0 = acc0.add(acc0.rearrange(ROTATE_4));
        }
        acc0 = acc0.add(acc0.rearrange(ROTATE_2));
        acc0 = acc0.add(acc0.rearrange(ROTATE_1));
        dx[x0] = acc0.lane(0);
    }
}
