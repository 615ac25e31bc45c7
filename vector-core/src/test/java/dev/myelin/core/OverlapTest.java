package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.dispatch.KernelRegistry;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An output that shares an element with another operand of the same call is refused by both facades, before
 * anything is written; views that interleave in one array without sharing an element, and an elementwise
 * step's output that is the very same view as its input, are accepted.
 */
class OverlapTest {

    /** Brute force: the smallest element both blocks hold, or −1. */
    private static long bruteShared(int off1, int count1, int len1, int stride1, int off2, int count2, int len2,
                                    int stride2, int size) {
        boolean[] first = new boolean[size];
        for (int r = 0; r < count1; r++) {
            for (int t = 0; t < len1; t++) {
                first[off1 + r * stride1 + t] = true;
            }
        }
        for (int e = 0; e < size; e++) {
            if (first[e] && holds(off2, count2, len2, stride2, e)) {
                return e;
            }
        }
        return -1;
    }

    private static boolean holds(int off, int count, int len, int stride, int e) {
        for (int r = 0; r < count; r++) {
            if (e >= off + r * stride && e < off + r * stride + len) {
                return true;
            }
        }
        return false;
    }

    @Test
    void firstSharedAgreesWithBruteForceOnRandomViews() {
        Random random = new Random(5);
        int disjointCount = 0, sharedCount = 0;
        for (int i = 0; i < 20_000; i++) {
            int count1 = 1 + random.nextInt(6), len1 = 1 + random.nextInt(6);
            int stride1 = len1 + random.nextInt(6), off1 = random.nextInt(40);
            int count2 = 1 + random.nextInt(6), len2 = 1 + random.nextInt(6);
            int stride2 = len2 + random.nextInt(6), off2 = random.nextInt(40);
            long expected = bruteShared(off1, count1, len1, stride1, off2, count2, len2, stride2, 200);
            long got = Checks.firstShared(off1, count1, len1, stride1, off2, count2, len2, stride2);
            String what = off1 + "/" + count1 + "×" + len1 + "/" + stride1 + " vs " + off2 + "/" + count2 + "×"
                    + len2 + "/" + stride2;
            assertEquals(expected >= 0, got >= 0, what);
            if (got >= 0) {
                assertTrue(holds(off1, count1, len1, stride1, (int) got)
                        && holds(off2, count2, len2, stride2, (int) got), what + ": " + got + " is not shared");
                sharedCount++;
            } else {
                disjointCount++;
            }
        }
        assertTrue(disjointCount > 2000 && sharedCount > 2000, disjointCount + " disjoint, " + sharedCount);
    }

    @Test
    void interleavedColumnBlocksOfOneArrayAreAccepted() {
        // X = columns 0..3 and Y = columns 4..6 of one 5×8 array: their spans cross, no element is shared
        float[] big = new float[40];
        float[] w = new float[12];
        for (int i = 0; i < 40; i++) {
            big[i] = i % 8 < 4 ? 0.25f * (i % 7) : Float.NaN;
        }
        for (int i = 0; i < 12; i++) {
            w[i] = 0.5f - 0.1f * i;
        }
        DenseOps.of("scalar").forward(5, 3, 4, big, 0, 8, w, 0, 3, null, 0, Activation.IDENTITY, big, 4, 8);
        float[] separate = new float[15];
        float[] x = new float[20];
        for (int r = 0; r < 5; r++) {
            System.arraycopy(big, r * 8, x, r * 4, 4);
        }
        DenseOps.of("scalar").forward(5, 3, 4, x, 0, 4, w, 0, 3, null, 0, Activation.IDENTITY, separate, 0, 3);
        for (int r = 0; r < 5; r++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(separate[r * 3 + j], big[r * 8 + 4 + j], "row " + r + ", column " + j);
            }
        }
        Blas.of("scalar").sgemm(Transpose.NO_TRANS, Transpose.NO_TRANS, 5, 3, 4, 1f, big, 0, 8, w, 0, 3, 0f,
                big, 4, 8);
    }

    /** Every registered variant: a new one is checked without editing this test. */
    static Set<String> variants() {
        return KernelRegistry.names();
    }

    @ParameterizedTest
    @MethodSource("variants")
    void aForwardWhoseOutputOverlapsAnInputIsRefusedBeforeWriting(String variant) {
        DenseOps ops = DenseOps.of(KernelRegistry.get(variant));
        float[] s = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0};
        float[] before = s.clone();
        float[] w = new float[9];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ops.forward(3, 3, 3, s, 0, 3, w, 0, 3, null, 0, Activation.IDENTITY, s, 1, 3));
        assertTrue(e.getMessage().startsWith("Y overlaps X") && e.getMessage().contains("element 1"),
                e.getMessage());
        assertArrayEquals(before, s);
        e = assertThrows(IllegalArgumentException.class,
                () -> ops.forward(3, 3, 3, new float[9], 0, 3, s, 0, 3, null, 0, Activation.SIGMOID, s, 0, 3));
        assertTrue(e.getMessage().startsWith("Y overlaps W"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ops.forward(3, 3, 3, new float[9], 0, 3, w, 0, 3, s, 7, Activation.RELU, s, 0, 3));
        assertTrue(e.getMessage().startsWith("Y overlaps b"), e.getMessage());
        assertArrayEquals(before, s);
    }

    @Test
    void sgemmRefusesCOverlappingAnOperandItReads() {
        Blas blas = Blas.of("scalar");
        float[] s = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] id = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        float[] before = s.clone();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> blas.sgemm(Transpose.TRANS, Transpose.NO_TRANS, 3, 3, 3, 1f, s, 0, 3, id, 0, 3, 0f, s, 0, 3));
        assertTrue(e.getMessage().contains("parameter 14 (c) overlaps parameter 7 (a)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> blas.sgemm(Transpose.NO_TRANS, Transpose.NO_TRANS, 2, 2, 3, 1f, id, 0, 3, s, 0, 3, 0f, s, 5,
                        2));
        assertTrue(e.getMessage().contains("parameter 14 (c) overlaps parameter 10 (b)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> blas.sgemm(Transpose.NO_TRANS, Transpose.NO_TRANS, 1, 3, 3, 1f, id, 0, 3, id, 0, 3, 0f, s, 0,
                        3, s, 2, Activation.IDENTITY));
        assertTrue(e.getMessage().contains("parameter 14 (c) overlaps parameter 17 (bias)"), e.getMessage());
        assertArrayEquals(before, s);
        // alpha = 0: A and B are not read, so C may be anywhere
        blas.sgemm(Transpose.NO_TRANS, Transpose.NO_TRANS, 3, 3, 3, 0f, s, 0, 3, s, 0, 3, 2f, s, 0, 3);
        assertEquals(2f, s[0]);
    }

    @Test
    void gradientsRefuseOverlapsAndAcceptTheSameViewForElementwiseSteps() {
        DenseOps ops = DenseOps.of("scalar");
        float[] y = {0.2f, 0.4f, 0.6f, 0.8f};
        float[] dy = {1, -1, 0.5f, 2};
        float[] dz = new float[4];
        ops.activationBackward(2, 2, Activation.SIGMOID, y, 0, 2, dy, 0, 2, dz, 0, 2, null, 0, false);
        float[] inPlace = dy.clone();
        ops.activationBackward(2, 2, Activation.SIGMOID, y, 0, 2, inPlace, 0, 2, inPlace, 0, 2, null, 0, false);
        assertArrayEquals(dz, inPlace, "dZ written over dY, the very same view");
        float[] shifted = {1, -1, 0.5f, 2, 0};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ops.activationBackward(2, 2, Activation.SIGMOID, y, 0, 2, shifted, 0, 2, shifted, 1, 2,
                        null, 0, false));
        assertTrue(e.getMessage().startsWith("dZ overlaps dY"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ops.activationBackward(2, 2, Activation.SIGMOID, y, 0, 2, dy, 0, 2, dz, 0, 2, dy, 2, false));
        assertTrue(e.getMessage().startsWith("db overlaps dY"), e.getMessage());

        float[] x = {1, 2, 3, 4, 5, 6}; // X 2×3, dZ 2×2, dW 3×2
        e = assertThrows(IllegalArgumentException.class,
                () -> ops.weightGradient(2, 2, 3, x, 0, 3, dz, 0, 2, x, 0, 2, false));
        assertTrue(e.getMessage().startsWith("dW overlaps X"), e.getMessage());
        float[] w = {1, 2, 3, 4, 5, 6};
        e = assertThrows(IllegalArgumentException.class,
                () -> ops.inputGradient(2, 2, 3, dz, 0, 2, w, 0, 2, w, 0, 3));
        assertTrue(e.getMessage().startsWith("dX overlaps W"), e.getMessage());
        int[] labels = {0, 1};
        float[] p = {0.3f, 0.7f, 0.6f, 0.4f};
        e = assertThrows(IllegalArgumentException.class,
                () -> ops.softmaxCrossEntropyBackward(2, 2, p, 0, 2, labels, 0, 0.5f, dz, 0, 2, p, 1, false));
        assertTrue(e.getMessage().startsWith("db overlaps P"), e.getMessage());
    }

    @Test
    void theWholeBackwardRefusesBeforeWritingAnything() {
        DenseOps ops = DenseOps.of("scalar");
        float[] x = {1, 2, 3, 4, 5, 6}; // X 2×3, W 3×2, Y/dY/dZ 2×2, dW 3×2, dX 2×3
        float[] w = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
        float[] y = {0.2f, 0.4f, 0.6f, 0.8f};
        float[] dy = {1, -1, 0.5f, 2};
        float[] dz = new float[4];
        float[] db = {7, 7};
        // dX over W: only the last step reads W after dW, dZ and db are written; refused up front
        float[] shared = w.clone();
        float[] dw = new float[6];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ops.backward(2, 2, 3, Activation.SIGMOID, x, 0, 3, shared, 0, 2, y, 0, 2, dy, 0, 2, dz, 0, 2,
                        dw, 0, 2, db, 0, shared, 0, 3, false));
        assertTrue(e.getMessage().startsWith("dX overlaps W"), e.getMessage());
        assertArrayEquals(new float[4], dz);
        assertArrayEquals(new float[6], dw);
        assertArrayEquals(new float[] {7, 7}, db);
        assertArrayEquals(w, shared);
    }

    /**
     * Found by an API probe: Y or dY sharing an output's array was measured by the overlap checks before its own
     * shape was checked, so a row stride 0 divided by zero and a negative offset read as an overlap. Each operand
     * is now checked first, and the message is the operand's own.
     */
    @Test
    void theWholeBackwardChecksYAndDyBeforeMeasuringOverlaps() {
        DenseOps ops = DenseOps.of("blocked");
        float[] x = new float[12];
        float[] w = new float[12];
        float[] dz = new float[16];
        float[] dy = new float[16];
        float[] shared = new float[100];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ops.backward(4, 4, 3, Activation.RELU, x, 0, 3, w, 0, 4, shared, 2, 0, dy, 0, 4, dz, 0, 4,
                        shared, 0, 4, null, 0, null, 0, 3, false));
        assertEquals("Y row stride 0 is smaller than its 4 columns (Y is 4×4)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ops.backward(4, 4, 3, Activation.RELU, x, 0, 3, w, 0, 4, new float[16], 0, 4, shared, 50, 0,
                        dz, 0, 4, new float[12], 0, 4, null, 0, shared, 0, 3, false));
        assertEquals("dY row stride 0 is smaller than its 4 columns (dY is 4×4)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ops.backward(4, 4, 3, Activation.RELU, x, 0, 3, w, 0, 4, shared, -5, 4, dy, 0, 4, dz, 0, 4,
                        new float[12], 0, 4, null, 0, shared, 0, 3, false));
        assertEquals("Y offset -5 is negative", e.getMessage());
    }
}
