package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.scalar.ScalarKernel;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The checked facade: every bad argument is refused before a kernel runs, with a message naming it. */
class DenseOpsChecksTest {

    private final DenseOps ops = DenseOps.of(new ScalarKernel());

    // X[2×4]·W[4×3]: the dense, valid arrays that each test spoils in one way
    private final float[] x = new float[8];
    private final float[] w = new float[12];
    private final float[] b = new float[3];
    private final float[] y = new float[6];

    private static void refused(Class<? extends RuntimeException> type, Executable call, String... fragments) {
        RuntimeException e = assertThrows(type, call);
        for (String fragment : fragments) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(fragment),
                    "message '" + e.getMessage() + "' should contain '" + fragment + "'");
        }
    }

    @Test
    void viewShapesThatDoNotChainAreNamed() {
        MatrixView xv = MatrixView.allocate(2, 4);
        refused(IllegalArgumentException.class,
                () -> ops.forward(xv, MatrixView.allocate(3, 5), null, Activation.RELU, MatrixView.allocate(2, 5)),
                "W has 3 rows but X has 4 columns");
        refused(IllegalArgumentException.class,
                () -> ops.forward(xv, MatrixView.allocate(4, 5), null, Activation.RELU, MatrixView.allocate(3, 5)),
                "Y has 3 rows but X has 2 rows");
        refused(IllegalArgumentException.class,
                () -> ops.forward(xv, MatrixView.allocate(4, 5), null, Activation.RELU, MatrixView.allocate(2, 6)),
                "Y has 6 columns but W has 5 columns");
        // a bias of another layer: the views know n, so its length must be n
        refused(IllegalArgumentException.class,
                () -> ops.forward(xv, MatrixView.allocate(4, 5), new float[7], Activation.TANH,
                        MatrixView.allocate(2, 5)),
                "b has 7 elements but W has 5 columns");
        ops.forward(xv, MatrixView.allocate(4, 5), new float[5], Activation.TANH, MatrixView.allocate(2, 5));
    }

    @Test
    void shortArrayNamesTheOperandAndBothSizes() {
        refused(IllegalArgumentException.class,
                () -> ops.forward(2, 3, 4, new float[7], 0, 4, w, 0, 3, b, 0, Activation.IDENTITY, y, 0, 3),
                "X", "2×4", "at least 8", "has 7");
        refused(IllegalArgumentException.class,
                () -> ops.forward(2, 3, 4, x, 0, 4, w, 0, 3, new float[2], 0, Activation.IDENTITY, y, 0, 3),
                "b needs 3 elements", "has 2");
        refused(IllegalArgumentException.class,
                () -> ops.forward(2, 3, 4, x, 0, 4, w, 0, 3, b, 0, Activation.IDENTITY, y, 1, 3),
                "Y", "at least 7", "has 6");
    }

    @Test
    void negativeOffsetAndShortStrideAreRefused() {
        refused(IllegalArgumentException.class,
                () -> ops.forward(2, 3, 4, x, -1, 4, w, 0, 3, b, 0, Activation.IDENTITY, y, 0, 3),
                "X offset -1 is negative");
        refused(IllegalArgumentException.class,
                () -> ops.forward(2, 3, 4, x, 0, 3, w, 0, 3, b, 0, Activation.IDENTITY, y, 0, 3),
                "X row stride 3 is smaller than its 4 columns");
        refused(IllegalArgumentException.class,
                () -> ops.weightGradient(2, 3, 4, x, 0, 4, y, 0, 3, w, 0, 2, false),
                "dW row stride 2 is smaller than its 3 columns");
    }

    @Test
    void nullOperandsAreNamed() {
        refused(NullPointerException.class,
                () -> ops.forward(2, 3, 4, null, 0, 4, w, 0, 3, b, 0, Activation.IDENTITY, y, 0, 3), "X is null");
        refused(NullPointerException.class,
                () -> ops.forward(2, 3, 4, x, 0, 4, null, 0, 3, b, 0, Activation.IDENTITY, y, 0, 3), "W is null");
        refused(NullPointerException.class,
                () -> ops.inputGradient(2, 3, 4, y, 0, 3, w, 0, 3, null, 0, 4), "dX is null");
        refused(NullPointerException.class,
                () -> ops.forward(MatrixView.allocate(2, 4), null, null, Activation.RELU, MatrixView.allocate(2, 3)),
                "W is null");
        refused(NullPointerException.class, () -> ops.forward(new MatrixView(null, 0, 2, 4, 4),
                MatrixView.allocate(4, 3), null, Activation.RELU, MatrixView.allocate(2, 3)),
                "X is a view of a null array");
        refused(NullPointerException.class,
                () -> ops.forward(2, 3, 4, x, 0, 4, w, 0, 3, b, 0, null, y, 0, 3), "activation is null");
    }

    @Test
    void emptyDimensionsAreNamed() {
        refused(IllegalArgumentException.class,
                () -> ops.forward(0, 3, 4, x, 0, 4, w, 0, 3, b, 0, Activation.IDENTITY, y, 0, 3),
                "m (rows of X and Y) must be at least 1, got 0");
        refused(IllegalArgumentException.class,
                () -> ops.forward(2, 3, -1, x, 0, 4, w, 0, 3, b, 0, Activation.IDENTITY, y, 0, 3), "k", "got -1");
        refused(IllegalArgumentException.class,
                () -> ops.softmaxRows(2, 0, y, 0, 3), "n (columns of Z) must be at least 1, got 0");
    }

    @Test
    void labelsOutOfRangeAreRefused() {
        float[] dz = new float[6];
        refused(IllegalArgumentException.class,
                () -> ops.softmaxCrossEntropyBackward(2, 3, y, 0, 3, new int[] {0, 3}, 0, 1f, dz, 0, 3, null, 0, false),
                "labels[1], the label of row 2 of 2, is 3 but must be a class index in [0, 3)");
        refused(IllegalArgumentException.class,
                () -> ops.softmaxCrossEntropyBackward(2, 3, y, 0, 3, new int[] {-1, 0}, 0, 1f, dz, 0, 3, null, 0, false),
                "labels[0], the label of row 1 of 2, is -1");
        refused(IllegalArgumentException.class,
                () -> ops.softmaxCrossEntropyBackward(2, 3, y, 0, 3, new int[] {0}, 0, 1f, dz, 0, 3, null, 0, false),
                "labels needs 2 elements", "has 1");
    }

    @Test
    void combinedSoftmaxHeadRefusesWhatTheGradientRefuses() {
        float[] dz = new float[6];
        refused(IllegalArgumentException.class,
                () -> ops.softmaxCrossEntropy(2, 3, y, 0, 3, new int[] {0, 3}, 0, 1f, dz, 0, 3, null, 0, false),
                "labels[1], the label of row 2 of 2, is 3 but must be a class index in [0, 3)");
        refused(IllegalArgumentException.class,
                () -> ops.softmaxCrossEntropy(2, 3, y, 0, 3, new int[] {0}, 0, 1f, dz, 0, 3, null, 0, false),
                "labels needs 2 elements", "has 1");
        refused(IllegalArgumentException.class,
                () -> ops.softmaxCrossEntropy(2, 3, y, 0, 3, new int[] {0, 1}, 0, 1f, dz, 1, 3, null, 0, false),
                "dZ");
        refused(IllegalArgumentException.class,
                () -> ops.softmaxCrossEntropy(2, 3, y, 0, 3, new int[] {0, 1}, 0, 1f, dz, 0, 3, new float[2], 0,
                        false), "db");
    }

    /** The combined head is the loss of {@link Losses#crossEntropy} and the gradient of the separate call. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.myelin.core.Variants#all")
    void combinedSoftmaxHeadGivesTheSeparateCallsBits(DenseKernel kernel) {
        Random r = new Random(11);
        int m = 7, n = 10;
        float[] z = SpecialValuesTest.random(r, m * n);
        DenseOps.of(kernel).softmaxRows(m, n, z, 0, n);
        int[] labels = new int[m];
        for (int i = 0; i < m; i++) {
            labels[i] = r.nextInt(n);
        }
        float[] dzApart = new float[m * n], dbApart = new float[n], dz = new float[m * n], db = new float[n];
        double lossApart = Losses.crossEntropy(m, n, z, 0, n, labels, 0);
        DenseOps.of(kernel).softmaxCrossEntropyBackward(m, n, z, 0, n, labels, 0, 1f / m, dzApart, 0, n, dbApart, 0,
                false);
        double loss = DenseOps.of(kernel).softmaxCrossEntropy(m, n, z, 0, n, labels, 0, 1f / m, dz, 0, n, db, 0,
                false);
        assertEquals(lossApart, loss, 0.0, kernel.describe() + ": loss");
        assertTrue(lossApart > 0, "a random head has a positive loss: " + lossApart);
        for (int i = 0; i < dz.length; i++) {
            assertEquals(Float.floatToRawIntBits(dzApart[i]), Float.floatToRawIntBits(dz[i]), "dZ[" + i + "]");
        }
        for (int j = 0; j < n; j++) {
            assertEquals(Float.floatToRawIntBits(dbApart[j]), Float.floatToRawIntBits(db[j]), "db[" + j + "]");
        }
    }

    @Test
    void softmaxHasNoElementwiseDerivative() {
        float[] dz = new float[6];
        refused(IllegalArgumentException.class,
                () -> ops.activationBackward(2, 3, Activation.SOFTMAX, y, 0, 3, y, 0, 3, dz, 0, 3, null, 0, false),
                "softmax", "softmaxCrossEntropyBackward");
    }

    @Test
    void backwardViewsNameMismatchedGradients() {
        MatrixView xv = MatrixView.allocate(2, 4), wv = MatrixView.allocate(4, 3), yv = MatrixView.allocate(2, 3);
        refused(IllegalArgumentException.class,
                () -> ops.backward(Activation.TANH, xv, wv, yv, MatrixView.allocate(2, 3), MatrixView.allocate(2, 3),
                        MatrixView.allocate(3, 3), null, null, false),
                "dW is 3×3 but W is 4×3");
        refused(IllegalArgumentException.class,
                () -> ops.backward(Activation.RELU, xv, wv, yv, MatrixView.allocate(2, 3), MatrixView.allocate(2, 3),
                        MatrixView.allocate(4, 3), new float[7], null, false),
                "db has 7 elements but W has 3 columns");
    }

    /** A W given transposed (3×5 where X has 5 columns) is named as such, not blamed on a right bias. */
    @Test
    void aTransposedWIsNamedBeforeTheBias() {
        MatrixView xv = MatrixView.allocate(2, 5), wt = MatrixView.allocate(3, 5), yv = MatrixView.allocate(2, 3);
        refused(IllegalArgumentException.class, () -> ops.forward(xv, wt, new float[3], Activation.TANH, yv),
                "W has 3 rows but X has 5 columns");
        refused(IllegalArgumentException.class,
                () -> ops.backward(Activation.TANH, xv, wt, yv, MatrixView.allocate(2, 3), MatrixView.allocate(2, 3),
                        MatrixView.allocate(3, 5), new float[3], null, false),
                "W has 3 rows but X has 5 columns");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.myelin.core.Variants#all")
    void softmaxThroughForwardGivesRowsThatSumToOne(DenseKernel kernel) {
        Random r = new Random(3);
        int m = 5, n = 19, k = 7;
        float[] xs = SpecialValuesTest.random(r, m * k), ws = SpecialValuesTest.random(r, k * n);
        float[] bs = SpecialValuesTest.random(r, n), ys = new float[m * n];
        DenseOps.of(kernel).forward(m, n, k, xs, 0, k, ws, 0, n, bs, 0, Activation.SOFTMAX, ys, 0, n);
        for (int i = 0; i < m; i++) {
            double sum = 0;
            for (int j = 0; j < n; j++) {
                float p = ys[i * n + j];
                assertTrue(p > 0 && p < 1, kernel.describe() + ": P[" + i + "][" + j + "] = " + p);
                sum += p;
            }
            assertEquals(1.0, sum, 1e-5, kernel.describe() + ": row " + i + " of softmax(X·W + b)");
        }
    }

    /** Found by an API probe: from + count and the new offset wrapped around int instead of being refused. */
    @Test
    void aRowRangeBeyondTheViewIsRefusedWithoutWrappingAround() {
        refused(IndexOutOfBoundsException.class,
                () -> new MatrixView(new float[12], 0, 4, 3, 3).rowRange(1, Integer.MAX_VALUE),
                "rows [1, 2147483648) of a view with 4 rows");
        refused(IndexOutOfBoundsException.class,
                () -> new MatrixView(new float[12], 0, 4, 3, 1_000_000_000).rowRange(3, 1),
                "row 3 of a view at offset 0 with row stride 1000000000 starts at element 3000000000");
        MatrixView ok = new MatrixView(new float[12], 0, 4, 3, 3).rowRange(1, 2);
        assertEquals(new MatrixView(ok.data(), 3, 2, 3, 3), ok);
    }

    @Test
    void aNegativeLabelsOffsetIsNamedAsSuch() {
        float[] p = {0.2f, 0.3f, 0.5f, 0.1f, 0.1f, 0.8f};
        refused(IllegalArgumentException.class, () -> Losses.crossEntropy(2, 3, p, 0, 3, new int[] {0, 1}, -1),
                "labels offset -1 is negative");
        refused(IllegalArgumentException.class, () -> ops.softmaxCrossEntropyBackward(2, 3, p, 0, 3,
                new int[] {0, 1}, -1, 0.5f, new float[6], 0, 3, null, 0, false), "labels offset -1 is negative");
    }

    /** MatrixView.get computes its index in long: 4·2^30 must not wrap around to element 0. */
    @Test
    void aViewIndexBeyondAnIntIsOutOfBoundsNotWrappedAround() {
        MatrixView v = new MatrixView(new float[] {10, 11, 12, 13}, 0, 1, 1, 1 << 30);
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> v.get(4, 2));
        org.junit.jupiter.api.Assertions.assertEquals(12f, MatrixView.of(new float[] {10, 11, 12, 13}, 2, 2).get(1, 0));
    }
}
