package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;

/**
 * A matrix view {@code (i, j) → a[off + i·ld + j]} with an offset and a row stride of the test's choosing
 * ({@code ld = cols + pad}), inside an array whose every cell outside the view holds {@link #SENTINEL} (the
 * {@code pad} cells after the last row too). Unlike {@link Mat}, whose guarded layout draws offset and stride
 * at random, the engine tests pick odd strides such as {@code cols + 3} and {@code cols + 7}.
 */
final class Strided {

    /** A NaN with its own payload, distinct from {@link Float#NaN}: the guard cells of every array. */
    static final float SENTINEL = Float.intBitsToFloat(0x7fc0_5e47);

    final float[] a;
    final int off;
    final int rows;
    final int cols;
    final int ld;

    private Strided(float[] a, int off, int rows, int cols, int ld) {
        this.a = a;
        this.off = off;
        this.rows = rows;
        this.cols = cols;
        this.ld = ld;
    }

    /** A {@code rows×cols} view at {@code off} with stride {@code cols + pad}, zero inside, sentinels around. */
    static Strided of(int rows, int cols, int off, int pad) {
        int ld = cols + pad;
        float[] a = new float[off + Math.max(rows - 1, 0) * ld + cols + pad];
        Arrays.fill(a, SENTINEL);
        return new Strided(a, off, rows, cols, ld).fill(0f);
    }

    float get(int i, int j) {
        return a[off + i * ld + j];
    }

    void set(int i, int j, float v) {
        a[off + i * ld + j] = v;
    }

    Strided fill(float v) {
        for (int i = 0; i < rows; i++) {
            Arrays.fill(a, off + i * ld, off + i * ld + cols, v);
        }
        return this;
    }

    /** Uniform values in [lo, hi) drawn from {@code r}. */
    Strided random(Random r, float lo, float hi) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                set(i, j, lo + (hi - lo) * r.nextFloat());
            }
        }
        return this;
    }

    /** The same layout and contents in a fresh array. */
    Strided copy() {
        return new Strided(a.clone(), off, rows, cols, ld);
    }

    /** The view, dense row-major, in double. */
    double[] toDouble() {
        double[] d = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                d[i * cols + j] = get(i, j);
            }
        }
        return d;
    }

    /** The absolute values of the view, dense, in double. */
    double[] absDouble() {
        double[] d = toDouble();
        for (int t = 0; t < d.length; t++) {
            d[t] = Math.abs(d[t]);
        }
        return d;
    }

    boolean inView(int index) {
        int rel = index - off;
        return rel >= 0 && rel / ld < rows && rel % ld < cols;
    }

    /** Every cell, view included, has the bits it had in {@code before}: an input left alone. */
    void assertUnchanged(Strided before, String what) {
        for (int t = 0; t < a.length; t++) {
            if (Float.floatToRawIntBits(a[t]) != Float.floatToRawIntBits(before.a[t])) {
                fail(what + ": an input was written at array index " + t + (inView(t) ? " (inside" : " (outside")
                        + " its view " + this + "): " + before.a[t] + " became " + a[t]);
            }
        }
    }

    /** Every cell outside the view has the bits it had in {@code before}: the sentinels survived. */
    void assertOutsideUnchanged(Strided before, String what) {
        for (int t = 0; t < a.length; t++) {
            if (!inView(t) && Float.floatToRawIntBits(a[t]) != Float.floatToRawIntBits(before.a[t])) {
                fail(what + ": wrote outside the output view " + this + " at array index " + t + " (row "
                        + Math.floorDiv(t - off, ld) + ", column " + Math.floorMod(t - off, ld) + "): "
                        + before.a[t] + " became " + a[t]);
            }
        }
    }

    /**
     * The view holds exactly the bits of {@code expected}'s view (same shape); fails naming the first differing
     * element and how many differ.
     */
    void assertSameBits(Strided expected, String what) {
        int differing = 0;
        int firstI = -1, firstJ = -1;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                if (Float.floatToRawIntBits(get(i, j)) != Float.floatToRawIntBits(expected.get(i, j))) {
                    if (differing++ == 0) {
                        firstI = i;
                        firstJ = j;
                    }
                }
            }
        }
        if (differing > 0) {
            float e = expected.get(firstI, firstJ), g = get(firstI, firstJ);
            fail(what + ": " + differing + " of " + rows * cols + " elements differ in their bits; first at ("
                    + firstI + ", " + firstJ + ") = index " + (firstI * cols + firstJ) + " of the " + rows + "×"
                    + cols + " view: expected " + e + " (0x" + Integer.toHexString(Float.floatToRawIntBits(e))
                    + "), got " + g + " (0x" + Integer.toHexString(Float.floatToRawIntBits(g)) + ")");
        }
    }

    @Override
    public String toString() {
        return rows + "×" + cols + " at offset " + off + ", stride " + ld + ", array " + a.length;
    }
}
