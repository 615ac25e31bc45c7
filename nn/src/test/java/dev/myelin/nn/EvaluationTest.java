package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Evaluation} against the same quantities computed here row by row in double from one whole-set
 * {@link Mlp#predict} (no batching): 601 rows, so its batches of {@link Evaluation#BATCH_ROWS} end in a partial
 * one, and a wrong row offset or a dropped batch changes the result.
 */
class EvaluationTest {

    private static final DenseOps OPS = DenseOps.of("scalar");
    private static final int ROWS = 2 * Evaluation.BATCH_ROWS + 89;

    @Test
    void crossEntropyAccuracyAndConfusionMatchARowByRowCount() {
        Random r = new Random(4);
        Dataset data = classes(r, ROWS, 6, 4);
        Mlp model = Mlp.of(new int[] {6, 9, 4}, Activation.TANH, Activation.SOFTMAX);
        Init.XAVIER.initialize(model, 3);
        Evaluation e = Evaluation.of(model, data, Loss.CE, OPS);

        float[] p = model.predict(data.features(), ROWS, OPS);
        double loss = 0;
        long correct = 0;
        long[][] confusion = new long[4][4];
        for (int i = 0; i < ROWS; i++) {
            int label = data.labels()[i];
            loss -= Math.log(p[i * 4 + label]);
            int best = 0;
            for (int j = 1; j < 4; j++) {
                best = p[i * 4 + j] > p[i * 4 + best] ? j : best;
            }
            confusion[label][best]++;
            correct += best == label ? 1 : 0;
        }
        assertEquals(loss / ROWS, e.loss(), 1e-9 * Math.abs(loss));
        assertEquals(correct, e.correct());
        assertEquals((double) correct / ROWS, e.accuracy(), 0);
        assertEquals(ROWS, e.rows());
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                assertEquals(confusion[a][b], e.confusion()[a][b], "confusion[" + a + "][" + b + "]");
            }
            long total = confusion[a][0] + confusion[a][1] + confusion[a][2] + confusion[a][3];
            assertEquals((double) confusion[a][a] / total, e.classAccuracy(a), 1e-15);
        }
        assertTrue(correct > 0 && correct < ROWS, "a random model should be right on some rows and wrong on others");
    }

    @Test
    void binaryAccuracyUsesThresholdOneHalfAndMseHasNoClasses() {
        Random r = new Random(8);
        float[] x = new float[ROWS * 3];
        float[] t = new float[ROWS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < ROWS; i++) {
            t[i] = r.nextInt(2);
        }
        Dataset data = Dataset.regression(x, ROWS, 3, t, 1);
        Mlp model = Mlp.of(new int[] {3, 5, 1}, Activation.RELU, Activation.SIGMOID);
        Init.XAVIER.initialize(model, 1);
        Evaluation e = Evaluation.of(model, data, Loss.BCE, OPS);
        float[] y = model.predict(x, ROWS, OPS);
        long correct = 0;
        double loss = 0;
        for (int i = 0; i < ROWS; i++) {
            correct += (y[i] >= 0.5f ? 1 : 0) == (int) t[i] ? 1 : 0;
            loss -= t[i] == 1 ? Math.log(y[i]) : Math.log(1 - (double) y[i]);
        }
        assertEquals(correct, e.correct());
        assertEquals(loss / ROWS, e.loss(), 1e-6 * loss / ROWS);
        assertEquals(2, e.confusion().length);

        Mlp linear = Mlp.of(new int[] {3, 1}, Activation.IDENTITY, Activation.IDENTITY);
        Init.XAVIER.initialize(linear, 1);
        Evaluation mse = Evaluation.of(linear, data, Loss.MSE, OPS);
        float[] z = linear.predict(x, ROWS, OPS);
        double sq = 0;
        for (int i = 0; i < ROWS; i++) {
            sq += ((double) z[i] - t[i]) * ((double) z[i] - t[i]);
        }
        assertEquals(sq / ROWS, mse.loss(), 1e-9 * sq / ROWS);
        assertTrue(Double.isNaN(mse.accuracy()));
        assertNull(mse.confusion());
    }

    @Test
    void aRowWithANanOutputHasNoClassAndIsNeverRight() {
        // 2 → 2 softmax whose first input scales both logits: an Inf input makes that row's logits NaN
        Mlp model = Mlp.of(new int[] {2, 2}, Activation.IDENTITY, Activation.SOFTMAX);
        Dense layer = model.layers().get(0);
        layer.weights()[0] = 1;  // W[0][0]
        layer.weights()[1] = -1; // W[0][1]
        float[] x = {Float.POSITIVE_INFINITY, 0, 1, 0, -1, 0, Float.NaN, 0};
        Dataset data = Dataset.classes(x, 4, 2, new int[] {0, 0, 1, 1}, 2);
        Evaluation e = Evaluation.of(model, data, Loss.CE, OPS);
        assertEquals(2, e.correct(), "rows 1 and 2 are right; the NaN rows 0 and 3 are not, whatever their label");
        assertEquals(0.5, e.accuracy(), 0);
        assertEquals(2, e.noClassRows());
        assertEquals(1, e.noClass()[0]);
        assertEquals(1, e.noClass()[1]);
        assertEquals(0, e.confusion()[0][0] + e.confusion()[0][1] - 1, "row 1 only in class 0's row of the matrix");
        assertEquals(0.5, e.classAccuracy(0), 0, "class 0: one right of two rows");
        assertEquals(-1, Evaluation.argmax(new float[] {0.2f, Float.NaN, 0.9f}, 0, 3));
        assertEquals(2, Evaluation.argmax(new float[] {0.2f, 0.1f, 0.9f}, 0, 3));
        assertEquals(-1, Evaluation.threshold(Float.NaN));
        assertEquals(1, Evaluation.threshold(0.5f));

        Mlp sigmoid = Mlp.of(new int[] {2, 1}, Activation.IDENTITY, Activation.SIGMOID);
        sigmoid.layers().get(0).weights()[0] = 1;
        Dataset binary = Dataset.regression(new float[] {Float.NaN, 0, 3, 0}, 2, 2, new float[] {0, 1}, 1);
        Evaluation b = Evaluation.of(sigmoid, binary, Loss.BCE, OPS);
        assertEquals(1, b.correct(), "a NaN output is not class 0: only the second row is right");
        assertEquals(1, b.noClassRows());
        assertTrue(Double.isNaN(b.loss()), "the loss of a NaN output stays NaN");
    }

    @Test
    void dataThatDoesNotFitTheModelIsRejected() {
        Dataset data = classes(new Random(1), 10, 6, 4);
        Mlp model = Mlp.of(new int[] {5, 4}, Activation.IDENTITY, Activation.SOFTMAX);
        assertThrows(IllegalArgumentException.class, () -> Evaluation.of(model, data, Loss.CE, OPS));
    }

    /** {@code rows} rows of standard normal inputs with uniform labels in [0, classes). */
    static Dataset classes(Random r, int rows, int inputs, int classes) {
        float[] x = new float[rows * inputs];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = r.nextInt(classes);
        }
        return Dataset.classes(x, rows, inputs, labels, classes);
    }

    /** classAccuracy keeps its javadoc: NaN without classes, a clear refusal outside them; argmax of no score is -1. */
    @Test
    void classAccuracyWithoutClassesAndOutsideThem() {
        Mlp linear = Mlp.of(new int[] {1, 1}, dev.myelin.core.Activation.IDENTITY, dev.myelin.core.Activation.IDENTITY);
        Evaluation mse = Evaluation.of(linear, Dataset.regression(new float[] {1, 2}, 2, 1, new float[] {1, 2}, 1),
                Loss.MSE, OPS);
        assertTrue(Double.isNaN(mse.classAccuracy(0)));
        Mlp classes = Mlp.of(new int[] {1, 3}, dev.myelin.core.Activation.IDENTITY, dev.myelin.core.Activation.SOFTMAX);
        Evaluation ce = Evaluation.of(classes, Dataset.classes(new float[] {1, 2}, 2, 1, new int[] {0, 2}, 3), Loss.CE,
                OPS);
        assertEquals("class 3 is outside [0, 3)", assertThrows(IllegalArgumentException.class,
                () -> ce.classAccuracy(3)).getMessage());
        assertEquals(-1, Evaluation.argmax(new float[] {1}, 0, 0));
        // a row beyond the array is named, not read past its end
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Evaluation.argmax(new float[3], 2, 3));
        assertTrue(e.getMessage().contains("2") && e.getMessage().contains("3"), e.getMessage());
        assertEquals("v is null", assertThrows(NullPointerException.class, () -> Evaluation.argmax(null, 0, 3))
                .getMessage());
        assertEquals("1 rows × 3 targets from offset 2 do not fit in an array of 3", assertThrows(
                IllegalArgumentException.class, () -> Loss.requireProbabilities(new float[3], 2, 1, 3, "row"))
                .getMessage());
    }

    /**
     * A Dataset keeps the caller's label array: a label changed after it was made is named by its row in the data
     * (it had been named by its place in a shuffled batch, or in an evaluation batch).
     */
    @Test
    void aLabelChangedAfterTheDatasetWasMadeIsNamedByItsRow() {
        Dataset data = classes(new Random(5), 600, 4, 3);
        data.labels()[400] = 7;
        Mlp model = Mlp.of(new int[] {4, 3}, Activation.IDENTITY, Activation.SOFTMAX);
        String expected = "the data's label of row 401 is 7, outside [0, 3) (changed since the Dataset was made)";
        assertEquals(expected, assertThrows(IllegalArgumentException.class,
                () -> Evaluation.of(model, data, Loss.CE, OPS)).getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> new Trainer(OPS).fit(model, data,
                new TrainingConfig(Loss.CE, 1, 64, 0.1f, 0), null)).getMessage());
    }
}
