package dev.myelin.nn;

import java.util.Arrays;
import java.util.Objects;

/**
 * Training data in memory: {@code features [rows×inputs]} row-major, and either {@code targets [rows×outputs]}
 * (for {@link Loss#BCE} and {@link Loss#MSE}) or class {@code labels [rows]} in [0, classes) (for {@link Loss#CE},
 * where {@link #outputs()} is the number of classes). The arrays are kept, not copied; do not change them while
 * a {@link Trainer} uses them.
 */
public final class Dataset {

    private final float[] features;
    private final int rows;
    private final int inputs;
    private final float[] targets;
    private final int[] labels;
    private final int outputs;

    private Dataset(float[] features, int rows, int inputs, float[] targets, int[] labels, int outputs) {
        this.features = features;
        this.rows = rows;
        this.inputs = inputs;
        this.targets = targets;
        this.labels = labels;
        this.outputs = outputs;
    }

    /** Features with real-valued targets {@code [rows×outputs]}, for BCE (targets in [0, 1]) and MSE. */
    public static Dataset regression(float[] features, int rows, int inputs, float[] targets, int outputs) {
        checkFeatures(features, rows, inputs);
        Objects.requireNonNull(targets, "targets is null");
        if (outputs < 1) {
            throw new IllegalArgumentException("outputs must be at least 1, got " + outputs);
        }
        if ((long) rows * outputs != targets.length) {
            throw new IllegalArgumentException("targets has " + Messages.count(targets.length, "value") + " but "
                    + rows + " rows × " + outputs + " outputs = " + (long) rows * outputs);
        }
        return new Dataset(features, rows, inputs, targets, null, outputs);
    }

    /** Features with one class label per row, each in [0, classes), for CE. */
    public static Dataset classes(float[] features, int rows, int inputs, int[] labels, int classes) {
        checkFeatures(features, rows, inputs);
        Objects.requireNonNull(labels, "labels is null");
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be at least 1, got " + classes);
        }
        if (labels.length != rows) {
            throw new IllegalArgumentException("labels has " + Messages.count(labels.length, "value")
                    + " but there are " + Messages.count(rows, "row"));
        }
        for (int i = 0; i < rows; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label of row " + (i + 1) + " is " + labels[i]
                        + ", outside [0, " + classes + ")");
            }
        }
        return new Dataset(features, rows, inputs, null, labels, classes);
    }

    /** The document's four XOR points: X = [[0,0],[0,1],[1,0],[1,1]], T = [[0],[1],[1],[0]] (fresh arrays). */
    public static Dataset xor() {
        return regression(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2, new float[] {0, 1, 1, 0}, 1);
    }

    private static void checkFeatures(float[] features, int rows, int inputs) {
        Objects.requireNonNull(features, "features is null");
        if (rows < 1) {
            throw new IllegalArgumentException("a data set needs at least 1 row, got " + rows);
        }
        if (inputs < 1) {
            throw new IllegalArgumentException("inputs must be at least 1, got " + inputs);
        }
        if ((long) rows * inputs != features.length) {
            throw new IllegalArgumentException("features has " + Messages.count(features.length, "value")
                    + " but " + rows + " rows × " + inputs + " inputs = " + (long) rows * inputs);
        }
    }

    public int rows() {
        return rows;
    }

    /** A copy of the first {@code n} rows (1 ≤ n ≤ rows), features with their targets or labels. */
    Dataset firstRows(int n) {
        if (n < 1 || n > rows) {
            throw new IllegalArgumentException("rows " + n + " of a data set of " + rows);
        }
        float[] x = Arrays.copyOf(features, n * inputs);
        return labels != null ? new Dataset(x, n, inputs, null, Arrays.copyOf(labels, n), outputs)
                : new Dataset(x, n, inputs, Arrays.copyOf(targets, n * outputs), null, outputs);
    }

    public int inputs() {
        return inputs;
    }

    /** Target columns, or the number of classes for a labelled (CE) data set. */
    public int outputs() {
        return outputs;
    }

    /** The live features array {@code [rows×inputs]}. */
    public float[] features() {
        return features;
    }

    /** The live targets array {@code [rows×outputs]}, or null for a labelled data set. */
    public float[] targets() {
        return targets;
    }

    /** The live labels array {@code [rows]}, or null for a data set with targets. */
    public int[] labels() {
        return labels;
    }

    /** Whether this set has class labels (CE) rather than targets. */
    public boolean hasLabels() {
        return labels != null;
    }

    @Override
    public String toString() {
        return "Dataset[" + rows + " rows, " + inputs + " inputs, "
                + (hasLabels() ? outputs + " classes]" : outputs + " outputs]");
    }
}
