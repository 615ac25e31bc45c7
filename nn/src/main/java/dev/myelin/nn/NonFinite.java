package dev.myelin.nn;

/**
 * Where a block of row-major values holds its first NaN or infinity: the one scan behind "training needs finite
 * inputs" ({@link Trainer}) and a refused step ({@link TrainingStep}), each of which words its own message.
 */
final class NonFinite {

    private NonFinite() {
    }

    /** The index (from {@code from}) of the first NaN or infinite value of {@code a[from .. from+count)}, or −1. */
    static int first(float[] a, int from, int count) {
        for (int i = 0; i < count; i++) {
            if (!Float.isFinite(a[from + i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether {@code a[from .. from+count)} holds no NaN and no infinity: one pass that keeps no position (the
     * largest magnitude; a NaN makes it NaN), so that C2 may vectorise it; {@link #first} finds the place after.
     */
    static boolean allFinite(float[] a, int from, int count) {
        float largest = 0;
        for (int i = 0; i < count; i++) {
            largest = Math.max(largest, Math.abs(a[from + i]));
        }
        return largest <= Float.MAX_VALUE;
    }

    /** "row R, column C" (from 1) of the value at {@code index} of a matrix of {@code cols} columns. */
    static String place(int index, int cols) {
        return "row " + (index / cols + 1) + ", column " + (index % cols + 1);
    }
}
