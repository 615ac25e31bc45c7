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
        if (off < 0) {
            throw new IllegalArgumentException("labels offset " + off + " is negative");
        }
        if (off + (long) m > labels.length) {
            throw new IllegalArgumentException("labels needs " + m + " elements (one per row) from offset " + off
                    + " but its array has " + labels.length);
        }
        for (int i = 0; i < m; i++) {
            int c = labels[off + i];
            if (c < 0 || c >= n) {
                // the array index and the row counted from 1, as the data readers count rows
                throw new IllegalArgumentException("labels[" + (off + i) + "], the label of row " + (i + 1) + " of "
                        + m + ", is " + c + " but must be a class index in [0, " + n + ")");
            }
        }
    }

    /** A view's own fields are sane (non-null data, non-negative sizes). */
    static void view(String name, MatrixView v) {
        Objects.requireNonNull(v, () -> name + " is null");
        Objects.requireNonNull(v.data(), () -> name + " is a view of a null array"); // the view itself is there
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

    /**
     * Refuses an output that shares an element with another operand: the kernels read their inputs while
     * they write their outputs, tile by tile, so with an overlap the result would depend on the order of the
     * tiles. Both are {@code rows×cols} matrices with a row stride ({@link #matrix}, already checked); a
     * vector is one row. {@code sameViewAllowed}: an elementwise operation may write over the very same view
     * (same array, offset and row stride) it reads, each element read before it is written.
     */
    static void disjoint(String out, float[] o, int oOff, int oRows, int oCols, int oLd,
                         String in, float[] i, int iOff, int iRows, int iCols, int iLd, boolean sameViewAllowed) {
        if (o != i || o == null) {
            return;
        }
        if (sameViewAllowed && oOff == iOff && (oLd == iLd || oRows == 1)) {
            return;
        }
        long shared = firstShared(oOff, oRows, oCols, oLd, iOff, iRows, iCols, iLd);
        if (shared >= 0) {
            throw new IllegalArgumentException(out + " overlaps " + in + ": both are in the same array and share"
                    + " its element " + shared + " (" + out + " " + oRows + "×" + oCols + " at offset " + oOff
                    + ", row stride " + oLd + "; " + in + " " + iRows + "×" + iCols + " at offset " + iOff
                    + ", row stride " + iLd + "); an output must not share elements with "
                    + (sameViewAllowed ? "another operand, unless it is the very same view" : "another operand"));
        }
    }

    /**
     * The first element that two blocks of one array share, or −1 when none. A block is {@code count} runs of
     * {@code len} consecutive elements, run r starting at {@code off + r·stride} ({@code stride ≥ len} when
     * {@code count > 1}): the elements of a row-major matrix view. Exact, also for views that interleave (two
     * column blocks of one wide array share no element though their spans cross); O(min(count1, count2)).
     */
    static long firstShared(long off1, int count1, int len1, int stride1, long off2, int count2, int len2,
                            int stride2) {
        if (count1 > count2) { // walk the block with fewer runs
            return firstShared(off2, count2, len2, stride2, off1, count1, len1, stride1);
        }
        long end2 = off2 + (long) (count2 - 1) * stride2 + len2;
        long step2 = count2 == 1 ? 1 : stride2; // with one run the stride means nothing; 1 keeps the division sane
        for (int r = 0; r < count1; r++) {
            long s = off1 + (long) r * stride1;
            long e = s + len1;
            if (e <= off2) {
                continue;
            }
            if (s >= end2) {
                break;
            }
            // the runs t of block 2 with off2 + t·step2 < e and off2 + t·step2 + len2 > s
            long lo = Math.max(0, Math.floorDiv(s - len2 - off2, step2) + 1);
            long hi = Math.min(count2 - 1, Math.floorDiv(e - 1 - off2, step2));
            if (lo <= hi) {
                return Math.max(s, off2 + lo * step2);
            }
        }
        return -1;
    }
}
