package dev.myelin.core;

import java.util.Objects;

/**
 * Argument checks shared by the public entry points. Each message names the operand and the sizes that
 * disagree, so a caller can fix the call without reading Myelin's code.
 */
final class Checks {

    private Checks() {
    }

    /** A dimension such as m, n or k: at least 1. */
    static void dimension(String name, String meaning, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " (" + meaning + ") must be at least 1, got " + value);
        }
    }

    /** A {@code rows×cols} matrix with row stride {@code ld} at {@code off}: fits inside {@code a}. */
    static void matrix(String name, float[] a, int off, int rows, int cols, int ld) {
        Objects.requireNonNull(a, () -> name + " is null");
        if (off < 0) {
            throw new IllegalArgumentException(name + " offset " + off + " is negative");
        }
        if (ld < cols) {
            throw new IllegalArgumentException(name + " row stride " + ld + " is smaller than its " + cols
                    + " columns (" + name + " is " + rows + "×" + cols + ")");
        }
        long end = off + (long) (rows - 1) * ld + cols;
        if (end > a.length) {
            throw new IllegalArgumentException(name + " (" + rows + "×" + cols + ", row stride " + ld + ", offset "
                    + off + ") needs an array of at least " + end + " elements but its array has " + a.length);
        }
    }

    /** A vector of {@code length} elements at {@code off}; {@code owner} says where the length comes from. */
    static void vector(String name, float[] a, int off, int length, String owner) {
        Objects.requireNonNull(a, () -> name + " is null");
        if (off < 0) {
            throw new IllegalArgumentException(name + " offset " + off + " is negative");
        }
        if (off + (long) length > a.length) {
            throw new IllegalArgumentException(name + " needs " + length + " elements (" + owner + ") from offset "
                    + off + " but its array has " + a.length);
        }
    }

    /** Class labels {@code labels[off .. off+m)} each in {@code [0, n)}. */
    static void labels(int[] labels, int off, int m, int n) {
        Objects.requireNonNull(labels, "labels is null");
        if (off < 0 || off + (long) m > labels.length) {
            throw new IllegalArgumentException("labels needs " + m + " elements (one per row) from offset " + off
                    + " but its array has " + labels.length);
        }
        for (int i = 0; i < m; i++) {
            int c = labels[off + i];
            if (c < 0 || c >= n) {
                throw new IllegalArgumentException("label of row " + i + " is " + c
                        + " but must be a class index in [0, " + n + ")");
            }
        }
    }

    /** A view's own fields are sane (non-null data, non-negative sizes). */
    static void view(String name, MatrixView v) {
        Objects.requireNonNull(v, () -> name + " is null");
        if (v.rows() < 1 || v.cols() < 1) {
            throw new IllegalArgumentException(name + " must have at least one row and one column, got "
                    + v.shape());
        }
        matrix(name, v.data(), v.offset(), v.rows(), v.cols(), v.stride());
    }

    /** Two sizes that must agree, e.g. {@code W has 3 rows but X has 4 columns}. */
    static void same(int a, String aText, int b, String bText) {
        if (a != b) {
            throw new IllegalArgumentException(aText.formatted(a) + " but " + bText.formatted(b));
        }
    }

    static void elementwise(Activation act) {
        Objects.requireNonNull(act, "activation is null");
        if (!act.isElementwise()) {
            throw new IllegalArgumentException("activation " + act + " has no elementwise derivative: use the"
                    + " softmax cross-entropy head (DenseOps.softmaxCrossEntropyBackward)");
        }
    }
}
