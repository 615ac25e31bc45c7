package dev.myelin.cli;

import dev.myelin.core.Activation;
import dev.myelin.core.Named;
import dev.myelin.nn.Dataset;
import dev.myelin.nn.Dense;
import dev.myelin.nn.Evaluation;
import dev.myelin.nn.Loss;
import dev.myelin.nn.Mlp;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * What {@code predict} prints: a header, then one line per row, every number in the shortest digits that read
 * back to its float ({@link #numbers}).
 *
 * <ul>
 *   <li>A softmax model: the most probable class, then the probability of each class ({@code class,p0,p1,…}).</li>
 *   <li>A one-output sigmoid model: the class at threshold 0.5, then the probability of 1 ({@code class,p1}).</li>
 *   <li>Any other model (regression): its outputs ({@code y}, or {@code y1,y2,…}).</li>
 * </ul>
 * When the data has labels, a {@code label} column (or {@code target}, {@code target1,…} for regression) follows
 * the class or the outputs. {@code --format json} writes one JSON object per row, one per line (JSON Lines:
 * {@code {"class":1,"probabilities":[0.002,0.998],"label":1}}), and no header.
 */
final class PredictionWriter {

    /** {@code --format}: {@code csv} (a header and comma-separated rows) or {@code json} (JSON Lines). */
    enum Format implements Named {
        CSV("csv"), JSON("json");

        private final String id;

        Format(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        static Format parse(String s) {
            return Named.parse(Format.class, "format", s);
        }
    }

    /** How a model's outputs read: classes with probabilities, or plain values. */
    enum Kind {
        SOFTMAX, SIGMOID, VALUES;

        static Kind of(Mlp model) {
            Activation last = Loss.outputOf(model);
            return last == Activation.SOFTMAX ? SOFTMAX
                    : last == Activation.SIGMOID && model.outputs() == 1 ? SIGMOID : VALUES;
        }
    }

    /** Output is written in chunks of about this many characters (PrintWriter flushes on every println). */
    private static final int CHUNK = 1 << 16;

    private PredictionWriter() {
    }

    /**
     * Writes the predictions {@code y[rows×n]} of a {@code kind} model; {@code labelled} holds the data's labels,
     * or is null. Returns how many rows were classified right (−1 for regression or without labels).
     */
    static int write(PrintWriter out, Format format, Kind kind, float[] y, int rows, int n, Dataset labelled) {
        StringBuilder text = new StringBuilder();
        String newline = System.lineSeparator();
        if (format == Format.CSV) {
            text.append(header(kind, n, labelled != null)).append(newline);
        }
        int right = 0;
        for (int i = 0; i < rows; i++) {
            int off = i * n;
            // −1: no class, for a row whose output holds a NaN (written NaN, null in JSON; never right)
            int predicted = kind == Kind.SOFTMAX ? Evaluation.argmax(y, off, n)
                    : kind == Kind.SIGMOID ? Evaluation.threshold(y[off])
                    : -1;
            int label = labelled == null || kind == Kind.VALUES ? -1 : labelOf(labelled, i, kind);
            if (label >= 0 && label == predicted) {
                right++;
            }
            if (format == Format.CSV) {
                csvRow(text, kind, y, off, n, predicted, label, labelled, i);
            } else {
                jsonRow(text, kind, y, off, n, predicted, label, labelled, i);
            }
            text.append(newline);
            if (text.length() >= CHUNK) {
                out.print(text);
                text.setLength(0);
            }
        }
        out.print(text);
        out.flush();
        return labelled == null || kind == Kind.VALUES ? -1 : right;
    }

    /**
     * The line that sums up a labelled run: accuracy for classes, the mean squared error for values.
     */
    static String verdict(Kind kind, float[] y, int rows, int n, Dataset labelled, int right) {
        if (kind != Kind.VALUES) {
            return String.format(Locale.ROOT, "accuracy %d/%d rows right (%.2f%%, %s)", right, rows,
                    100.0 * right / rows, kind == Kind.SOFTMAX ? "most probable class" : "threshold 0.5");
        }
        double sum = 0;
        float[] t = labelled.targets();
        for (int i = 0; i < rows * n; i++) {
            double d = (double) y[i] - t[i];
            sum += d * d;
        }
        return String.format(Locale.ROOT, "mean squared error %.6g over %d rows", sum / ((double) rows * n), rows);
    }

    private static String header(Kind kind, int n, boolean labels) {
        StringBuilder h = new StringBuilder();
        switch (kind) {
            case SOFTMAX -> {
                h.append("class").append(labels ? ",label" : "");
                for (int j = 0; j < n; j++) {
                    h.append(",p").append(j);
                }
            }
            case SIGMOID -> h.append("class").append(labels ? ",label" : "").append(",p1");
            case VALUES -> {
                h.append(names("y", n));
                if (labels) {
                    h.append(',').append(names("target", n));
                }
            }
        }
        return h.toString();
    }

    private static String names(String stem, int n) {
        if (n == 1) {
            return stem;
        }
        StringBuilder s = new StringBuilder();
        for (int j = 1; j <= n; j++) {
            s.append(j == 1 ? "" : ",").append(stem).append(j);
        }
        return s.toString();
    }

    private static void csvRow(StringBuilder text, Kind kind, float[] y, int off, int n, int predicted, int label,
                               Dataset labelled, int row) {
        if (kind == Kind.VALUES) {
            numbers(text, y, off, n, false);
            if (labelled != null) {
                numbers(text.append(','), labelled.targets(), row * n, n, false);
            }
            return;
        }
        text.append(predicted < 0 ? "NaN" : String.valueOf(predicted));
        if (labelled != null) {
            text.append(',').append(label);
        }
        numbers(text.append(','), y, off, n, false);
    }

    private static void jsonRow(StringBuilder text, Kind kind, float[] y, int off, int n, int predicted, int label,
                                Dataset labelled, int row) {
        text.append('{');
        switch (kind) {
            case SOFTMAX -> numbers(text.append("\"class\":").append(predicted < 0 ? "null" : predicted)
                    .append(",\"probabilities\":["), y, off, n, true).append(']');
            case SIGMOID -> numbers(text.append("\"class\":").append(predicted < 0 ? "null" : predicted)
                    .append(",\"probability\":"), y, off, 1, true);
            case VALUES -> numbers(text.append("\"values\":["), y, off, n, true).append(']');
        }
        if (labelled != null) {
            if (kind == Kind.VALUES) {
                numbers(text.append(",\"targets\":["), labelled.targets(), row * n, n, true).append(']');
            } else {
                text.append(",\"label\":").append(label);
            }
        }
        text.append('}');
    }

    /**
     * {@code v[off..off+n)} comma-separated, each float in the shortest digits that read back to it, as numpy
     * writes a float32 ({@link PythonFloat#repr(float)}: {@code 0.8807971}, {@code 4e-07}); NaN and the infinities
     * as {@code NaN}, {@code Infinity}, {@code -Infinity}, strings in JSON (which has no such numbers), as the
     * training log writes them.
     */
    private static StringBuilder numbers(StringBuilder text, float[] v, int off, int n, boolean json) {
        for (int j = 0; j < n; j++) {
            float x = v[off + j];
            text.append(j == 0 ? "" : ",");
            if (Float.isFinite(x)) {
                text.append(PythonFloat.repr(x));
            } else {
                text.append(json ? "\"" : "").append(Float.toString(x)).append(json ? "\"" : "");
            }
        }
        return text;
    }

    private static int labelOf(Dataset labelled, int row, Kind kind) {
        return kind == Kind.SOFTMAX ? labelled.labels()[row] : Math.round(labelled.targets()[row]);
    }

}
