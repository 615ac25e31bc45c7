package dev.myelin.nn;

/**
 * The least and greatest input value of the data a model was trained on, as the data reached it (an IDX folder's
 * pixels already divided by 255, a CSV file's values as written, before the model's own {@link InputScaling}). A
 * model file keeps it so that {@code predict} and {@code eval} can say when they are given inputs on another scale:
 * a model trained on an IDX folder (pixels in [0, 1]) and given a CSV export of the raw pixels (0 to 255) computes
 * confident nonsense, with nothing else to show for it.
 *
 * @param min the least training input, finite
 * @param max the greatest, finite and at least {@code min}
 */
public record InputRange(float min, float max) {

    /** How many spans of the training range data may lie beyond it before {@link #farOutside} says so. */
    public static final float SPANS_BEYOND = 10;

    public InputRange {
        if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
            throw new IllegalArgumentException("an input range needs finite min ≤ max, got [" + min + ", " + max + "]");
        }
    }

    /** The range of the finite values of {@code x} (NaN and ±∞ left out), or null when it has none. */
    public static InputRange of(float[] x) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            if (Float.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return lo <= hi ? new InputRange(lo, hi) : null;
    }

    /**
     * Whether {@code data} reaches more than {@link #SPANS_BEYOND} times this range's span (at least 1, so that a
     * constant training input does not make every change look far) below its min or above its max: inputs on
     * another scale, not the ordinary spread of new data.
     */
    public boolean farOutside(InputRange data) {
        double margin = SPANS_BEYOND * Math.max(1.0, (double) max - min);
        return data.min < min - margin || data.max > max + margin;
    }

    @Override
    public String toString() {
        return "[" + min + ", " + max + "]";
    }
}
