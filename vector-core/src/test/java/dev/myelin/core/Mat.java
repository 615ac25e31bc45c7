package dev.myelin.core;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.opentest4j.AssertionFailedError;

/**
 * A test matrix inside an array, as the kernels see it: {@code (i, j)} is {@code a[off + i·ld + j]}.
 * A {@link Layout#GUARDED} matrix sits at a nonzero offset with a row stride larger than its column count
 * and spare cells after its end, and every cell outside the view holds {@link #SENTINEL}; a
 * {@link Layout#TIGHT} one fills its array exactly, so a kernel that loads a full vector past the last
 * column throws instead of reading a guard. {@link #strided} builds a guarded matrix whose offset and stride
 * the test chooses (the engine tests use odd strides such as {@code cols + 3} and {@code cols + 7}).
 */
final class Mat {

    /** A NaN with a payload: a kernel that reads a guard cell into a result turns it into NaN. */
    static final float SENTINEL = Float.intBitsToFloat(0x7fc0_beef);

    enum Layout { TIGHT, GUARDED }

    final float[] a;
    final int off;
    final int rows;
    final int cols;
    final int ld;

    private Mat(float[] a, int off, int rows, int cols, int ld) {
        this.a = a;
        this.off = off;
        this.rows = rows;
        this.cols = cols;
        this.ld = ld;
    }

    /** A zero-filled rows×cols matrix in the given layout; guards and gaps drawn from {@code r}. */
    static Mat of(Layout layout, int rows, int cols, Random r) {
        if (layout == Layout.TIGHT) {
            return new Mat(new float[rows * cols], 0, rows, cols, cols);
        }
        int off = 1 + r.nextInt(7);
        int ld = cols + 1 + r.nextInt(5);
        float[] a = new float[off + (rows - 1) * ld + cols + 1 + r.nextInt(5)];
        Arrays.fill(a, SENTINEL);
        Mat m = new Mat(a, off, rows, cols, ld);
        return m.fill(0f);
    }

    /**
     * A zero-filled {@code rows×cols} view at {@code off} with stride {@code ld = cols + pad}, inside an array
     * whose every cell outside the view holds {@link #SENTINEL} ({@code pad} cells after the last row too).
     */
    static Mat strided(int rows, int cols, int off, int pad) {
        int ld = cols + pad;
        float[] a = new float[off + Math.max(rows - 1, 0) * ld + cols + pad];
        Arrays.fill(a, SENTINEL);
        return new Mat(a, off, rows, cols, ld).fill(0f);
    }

    /** A vector of n elements (a 1×n matrix), e.g. a bias. */
    static Mat vector(Layout layout, int n, Random r) {
        return of(layout, 1, n, r);
    }

    float get(int i, int j) {
        return a[off + i * ld + j];
    }

    void set(int i, int j, float v) {
        a[off + i * ld + j] = v;
    }

    Mat fill(float v) {
        for (int i = 0; i < rows; i++) {
            Arrays.fill(a, off + i * ld, off + i * ld + cols, v);
        }
        return this;
    }

    /** Uniform values in [lo, hi). */
    Mat random(Random r, float lo, float hi) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                set(i, j, lo + (hi - lo) * r.nextFloat());
            }
        }
        return this;
    }

    /** The view, row-major and dense, in double. */
    double[] toDouble() {
        double[] d = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                d[i * cols + j] = get(i, j);
            }
        }
        return d;
    }

    /** The view's values with {@code f} applied, dense, in double. */
    double[] toDouble(DoubleUnaryOperator f) {
        double[] d = toDouble();
        for (int i = 0; i < d.length; i++) {
            d[i] = f.applyAsDouble(d[i]);
        }
        return d;
    }

    /** The same layout and contents in a fresh array. */
    Mat copy() {
        return new Mat(a.clone(), off, rows, cols, ld);
    }

    /** Another matrix with this one's exact layout, zero inside the view (guards as in this one). */
    Mat sameLayout() {
        Mat m = copy();
        return m.fill(0f);
    }

    boolean inView(int index) {
        int rel = index - off;
        return rel >= 0 && rel / ld < rows && rel % ld < cols;
    }

    /** Every cell of the array, view included, is bit-for-bit what it was in {@code before}: an input left alone. */
    void assertUnchanged(Mat before, String context) {
        for (int t = 0; t < a.length; t++) {
            if (Float.floatToRawIntBits(a[t]) != Float.floatToRawIntBits(before.a[t])) {
                throw new AssertionFailedError(context + ": an input was written at array index " + t
                        + (inView(t) ? " (inside" : " (outside") + " its view) of " + this + ": " + before.a[t]
                        + " became " + a[t]);
            }
        }
    }

    /** Every cell outside the view is bit-for-bit what it was in {@code before} (the guards survived). */
    void assertOutsideUnchanged(Mat before, String context) {
        for (int t = 0; t < a.length; t++) {
            if (!inView(t) && Float.floatToRawIntBits(a[t]) != Float.floatToRawIntBits(before.a[t])) {
                throw new AssertionFailedError(context + ": wrote outside the output view " + this
                        + " at array index " + t + " (row " + Math.floorDiv(t - off, ld) + ", column "
                        + Math.floorMod(t - off, ld) + "): " + before.a[t] + " became " + a[t]);
            }
        }
    }

    /**
     * The view holds exactly the bits of {@code expected}'s view (same shape); fails naming the first differing
     * element and how many differ.
     */
    void assertSameBits(Mat expected, String context) {
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
            throw new AssertionFailedError(context + ": " + differing + " of " + rows * cols
                    + " elements differ in their bits; first at (" + firstI + ", " + firstJ + ") = index "
                    + (firstI * cols + firstJ) + " of the " + rows + "×" + cols + " view: expected " + e + " (0x"
                    + Integer.toHexString(Float.floatToRawIntBits(e)) + "), got " + g + " (0x"
                    + Integer.toHexString(Float.floatToRawIntBits(g)) + ")");
        }
    }

    @Override
    public String toString() {
        return rows + "×" + cols + " (offset " + off + ", stride " + ld + ", array " + a.length + ")";
    }
}
