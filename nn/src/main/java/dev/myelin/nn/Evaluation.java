package dev.myelin.nn;

import dev.myelin.core.DenseOps;
import dev.myelin.core.Losses;
import java.util.Objects;

/**
 * A model's loss and accuracy on a data set, computed in batches through buffers allocated once per call (a
 * data set of any size costs {@code batch × (sum of layer widths)} floats, not one activation array per row).
 *
 * <p>Accuracy and the confusion matrix exist for classification: {@link Loss#CE} (the most probable class
 * against the label) and {@link Loss#BCE} with one output (threshold 0.5: class 1 when the output is at least
 * 0.5, against the target rounded the same way). For {@link Loss#MSE}, and BCE with several outputs, accuracy
 * is NaN and there is no confusion matrix. A row whose output holds a NaN has no class: it is never right, and it is
 * counted apart from the matrix ({@code noClass}), not as class 0.
 *
 * @param loss      the mean loss over all rows, as training reports it: {@link Losses}' value from the outputs, taken
 *                  from the logits where the outputs lost the digits (see {@code LogitLoss})
 * @param accuracy  the share of rows classified right, in [0, 1], or NaN where there are no classes
 * @param correct   rows classified right (0 where there are no classes)
 * @param rows      rows evaluated
 * @param confusion {@code confusion[actual][predicted]} row counts, or null where there are no classes
 * @param noClass   {@code noClass[actual]}: rows whose output held a NaN, so no class was predicted (null where
 *                  there are no classes)
 */
public record Evaluation(double loss, double accuracy, long correct, int rows, long[][] confusion, long[] noClass) {

    /** Rows per forward pass: large enough for the packed engine, small enough to stay in cache-sized buffers. */
    public static final int BATCH_ROWS = 256;

    /**
     * Evaluates {@code model} on {@code data} under {@code loss}; the model is not changed. {@code data} holds raw
     * inputs: a model with an {@link Mlp#inputScaling()} scales each batch in a buffer of its own.
     */
    public static Evaluation of(Mlp model, Dataset data, Loss loss, DenseOps ops) {
        Objects.requireNonNull(model, "model is null");
        Objects.requireNonNull(ops, "ops is null");
        Trainer.check(model, data, loss);
        int rows = data.rows();
        int k = data.inputs();
        int n = model.outputs();
        int batch = ForwardBackward.equalBatch(rows, BATCH_ROWS);
        ForwardBackward ws = new ForwardBackward(model, batch, false);
        boolean classes = loss == Loss.CE || (loss == Loss.BCE && n == 1);
        int classCount = loss == Loss.CE ? n : 2;
        long[][] confusion = classes ? new long[classCount][classCount] : null;
        long[] noClass = classes ? new long[classCount] : null;
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < rows; start += batch) {
            int m = Math.min(batch, rows - start);
            float[] y = ws.forwardRaw(ops, data.features(), start * k, m);
            double batchLoss = switch (loss) {
                case CE -> ws.crossEntropy(m, data.labels(), start);
                case BCE -> ws.binaryCrossEntropy(m, data.targets(), start * n);
                case MSE -> Losses.meanSquaredError(m, n, y, 0, n, data.targets(), start * n, n);
            };
            lossSum += batchLoss * m;
            if (classes) {
                for (int i = 0; i < m; i++) {
                    int actual = loss == Loss.CE ? data.labels()[start + i]
                            : data.targets()[start + i] >= 0.5f ? 1 : 0;
                    int predicted = loss == Loss.CE ? argmax(y, i * n, n) : threshold(y[i]);
                    if (predicted < 0) {
                        noClass[actual]++;
                    } else {
                        confusion[actual][predicted]++;
                    }
                    if (actual == predicted) {
                        correct++;
                    }
                }
            }
        }
        return new Evaluation(lossSum / rows, classes ? (double) correct / rows : Double.NaN, correct, rows,
                confusion, noClass);
    }

    /** Rows whose output held a NaN (no class predicted), over all classes; 0 where there are no classes. */
    public long noClassRows() {
        long total = 0;
        if (noClass != null) {
            for (long v : noClass) {
                total += v;
            }
        }
        return total;
    }

    /** Whether this evaluation has classes (accuracy and a confusion matrix). */
    public boolean hasClasses() {
        return confusion != null;
    }

    /**
     * The share of rows of class {@code c} classified right (recall), or NaN when no row has that class, or when
     * this evaluation has no classes (mse).
     *
     * @throws IllegalArgumentException when {@code c} is not one of the classes
     */
    public double classAccuracy(int c) {
        if (confusion == null) {
            return Double.NaN;
        }
        if (c < 0 || c >= confusion.length) {
            throw new IllegalArgumentException("class " + c + " is outside [0, " + confusion.length + ")");
        }
        long total = noClass[c];
        for (long v : confusion[c]) {
            total += v;
        }
        return total == 0 ? Double.NaN : (double) confusion[c][c] / total;
    }

    /**
     * The class of a row of class scores {@code v[off .. off+n)}: the index of the largest, the first on ties;
     * −1 when the row holds a NaN (no class can be read from it, and class 0 would be an invention), or no score.
     */
    public static int argmax(float[] v, int off, int n) {
        Objects.requireNonNull(v, "v is null");
        Objects.checkFromIndexSize(off, Math.max(n, 0), v.length); // names off, n and v's length
        if (n < 1) {
            return -1;
        }
        int best = 0;
        for (int j = 0; j < n; j++) {
            float x = v[off + j];
            if (Float.isNaN(x)) {
                return -1;
            }
            if (x > v[off + best]) {
                best = j;
            }
        }
        return best;
    }

    /** The class of a one-output sigmoid row: 1 from 0.5 up, 0 below, −1 for NaN (no class). */
    public static int threshold(float y) {
        return Float.isNaN(y) ? -1 : y >= 0.5f ? 1 : 0;
    }
}
