package dev.myelin.cli;

import dev.myelin.core.DenseOps;
import dev.myelin.nn.Dataset;
import dev.myelin.nn.Evaluation;
import dev.myelin.nn.Loss;
import dev.myelin.nn.Mlp;
import java.io.PrintWriter;
import java.util.Locale;

/** What {@code train} prints after the epochs: the predictions on the training data and how many are right. */
final class Summary {

    /** Values printed of a row wider than this. */
    static final int SHOWN_VALUES = 8;

    private Summary() {
    }

    /**
     * Prints the predictions row by row when there are at most {@code maxRows} rows (else only the accuracy,
     * counted in batches by {@link Evaluation}), and an accuracy line for bce and ce on their own data; returns
     * the number of rows classified right (threshold 0.5 for one output, argmax for ce), or −1 for several mse
     * outputs, where "right" has no meaning. {@code evaluated}: {@code data}'s evaluation when the caller already
     * has it (then it is not computed again), else null. {@code inputsAsRead}: the features as the file has them,
     * shown in the rows ({@code data}'s own when null; the caller's copy when it standardised them in place).
     */
    static int print(PrintWriter out, Mlp model, Dataset data, Loss loss, DenseOps ops, int maxRows,
                     boolean accuracyLine, Evaluation evaluated, float[] inputsAsRead) {
        int rows = data.rows();
        int n = model.outputs();
        if (rows > maxRows) { // counted in batches: no activation array of the whole set (60 000 rows × widths)
            out.printf(Locale.ROOT, "(%d rows; predictions are printed for up to %d, use myelin predict)%n",
                    rows, maxRows);
            if (!classes(loss, n)) {
                return -1;
            }
            Evaluation e = evaluated != null ? evaluated : Evaluation.of(model, data, loss, ops);
            if (accuracyLine) {
                out.printf(Locale.ROOT, "Accuracy: %d/%d rows right (%s).%n", e.correct(), rows,
                        loss == Loss.CE ? "most probable class" : "threshold 0.5");
            }
            return (int) e.correct();
        }
        float[] y = model.predict(data.features(), rows, ops);
        out.println(loss == Loss.CE ? "Predictions (inputs -> class, probability; target):"
                : n == 1 && loss == Loss.BCE ? "Predictions (inputs -> probability of 1; target):"
                : "Predictions (inputs -> outputs; targets):");
        int correct = 0;
        // "right" at threshold 0.5 means something for an mse output only when its targets are 0 and 1 (XOR); bce
        // with several outputs (several independent 0/1 labels) has no one class to be right about
        boolean judged = classes(loss, n) || loss == Loss.MSE && n == 1 && binary(data.targets());
        for (int i = 0; i < rows; i++) {
            boolean right;
            String shown;
            String target;
            if (loss == Loss.CE) {
                int best = Evaluation.argmax(y, i * n, n);
                right = best == data.labels()[i];
                shown = best < 0 ? "no class (NaN output)"
                        : String.format(Locale.ROOT, "class %d, %.4f", best, y[i * n + best]);
                target = String.valueOf(data.labels()[i]);
            } else if (n == 1) {
                float t = data.targets()[i];
                right = Evaluation.threshold(y[i]) == (t >= 0.5f ? 1 : 0);
                shown = String.format(Locale.ROOT, "%.4f", y[i]);
                target = number(t);
            } else {
                right = false;
                shown = row(y, i * n, n);
                target = row(data.targets(), i * n, n);
            }
            if (right) {
                correct++;
            }
            out.printf(Locale.ROOT, "  %s -> %s  (target %s)%s%n", row(inputsAsRead != null ? inputsAsRead
                    : data.features(), i * data.inputs(), data.inputs()), shown, target, !judged ? ""
                    : right ? "  right" : "  WRONG");
        }
        if (accuracyLine && classes(loss, n)) {
            out.printf(Locale.ROOT, "Accuracy: %d/%d rows right (%s).%n", correct, rows,
                    loss == Loss.CE ? "most probable class" : "threshold 0.5");
        }
        return judged ? correct : -1;
    }

    /** Whether a row has one class to be right about: the most probable (ce) or a single output at 0.5 (bce). */
    private static boolean classes(Loss loss, int outputs) {
        return loss == Loss.CE || loss == Loss.BCE && outputs == 1;
    }

    private static boolean binary(float[] targets) {
        for (float t : targets) {
            if (t != 0f && t != 1f) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code v[off..off+n)} as {@code [a, b, c]}, the first {@link #SHOWN_VALUES} values only for wider rows
     * ({@code [a, …, h, … (992 more)]}): a file with a million columns must not print megabytes per row.
     */
    static String row(float[] v, int off, int n) {
        int shown = Math.min(n, SHOWN_VALUES);
        StringBuilder s = new StringBuilder("[");
        for (int j = 0; j < shown; j++) {
            s.append(j == 0 ? "" : ", ").append(number(v[off + j]));
        }
        if (shown < n) {
            s.append(", … (").append(n - shown).append(" more)");
        }
        return s.append(']').toString();
    }

    /** Whole numbers without ".0" (inputs such as 0 and 1 read better), others as Float.toString. */
    static String number(float v) {
        return v == Math.rint(v) && Math.abs(v) < 1e7f ? String.valueOf((long) v) : Float.toString(v);
    }
}
