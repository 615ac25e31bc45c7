package dev.myelin.core;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sizes of one dense layer's product, {@code Y[m×n] = act(X[m×k]·W[k×n] + b)}, written {@code m×k×n}
 * ({@code 128x784x256}) as the benchmarks, {@code myelin bench} and the anchors' tables write them: one parser,
 * so that a shape given to JMH and to {@code myelin bench} means the same and is refused for the same reasons.
 *
 * @param m rows of X and Y (the batch)
 * @param k columns of X, rows of W (the inputs)
 * @param n columns of W and Y (the outputs)
 */
public record ProductShape(int m, int k, int n) {

    /** The most values a Java array holds here (some JVMs refuse the last few below {@code Integer.MAX_VALUE}). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final Pattern TEXT = Pattern.compile("(\\d+)[x×X](\\d+)[x×X](\\d+)");
    private static final String[] NAMES = {"m", "k", "n"};

    /**
     * Every size at least 1, and every operand (X, W, Y) at most {@link #MAX_ELEMENTS} values.
     *
     * @throws IllegalArgumentException naming the size or the operand, as {@link #parse} words it
     */
    public ProductShape {
        check(new long[] {m, k, n}, m + "x" + k + "x" + n);
    }

    /**
     * {@code 128x784x256}, {@code 128×784×256} or {@code 128X784X256}: three positive integers; white space
     * around them is the caller's to strip.
     *
     * @throws IllegalArgumentException saying what is wrong, starting with the text in quotes: {@code '128x784' is
     *                                  not m×k×n (three positive integers, e.g. 128x784x256)}, {@code '0x4x4': m is
     *                                  0, every size must be at least 1}, {@code '…' is too large: X would have …}
     */
    public static ProductShape parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("the shape is null; expected m×k×n, e.g. 128x784x256");
        }
        Matcher match = TEXT.matcher(text);
        if (!match.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not m×k×n (three positive integers, e.g."
                    + " 128x784x256)");
        }
        long[] sizes = new long[3];
        for (int i = 0; i < 3; i++) {
            try {
                sizes[i] = Long.parseLong(match.group(i + 1));
            } catch (NumberFormatException tooLong) { // more digits than a long: too large, said with its digits
                throw new IllegalArgumentException("'" + text + "' is too large: " + NAMES[i] + " is "
                        + match.group(i + 1) + ", a Java array holds at most " + MAX_ELEMENTS + " elements");
            }
        }
        check(sizes, text);
        return new ProductShape((int) sizes[0], (int) sizes[1], (int) sizes[2]);
    }

    private static void check(long[] sizes, String shown) {
        for (int i = 0; i < 3; i++) {
            if (sizes[i] < 1) {
                throw new IllegalArgumentException("'" + shown + "': " + NAMES[i] + " is " + sizes[i]
                        + ", every size must be at least 1");
            }
        }
        fits(shown, "X", sizes[0], sizes[1]);
        fits(shown, "W", sizes[1], sizes[2]);
        fits(shown, "Y", sizes[0], sizes[2]);
    }

    private static void fits(String shape, String operand, long rows, long cols) {
        if (rows > MAX_ELEMENTS || cols > MAX_ELEMENTS || rows * cols > MAX_ELEMENTS) {
            throw new IllegalArgumentException("'" + shape + "' is too large: " + operand + " would have " + rows
                    + "×" + cols + " elements, a Java array holds at most " + MAX_ELEMENTS);
        }
    }

    /** The GEMM's floating-point operations: {@code 2·m·k·n} (a multiply and an add per term). */
    public double flops() {
        return 2.0 * m * k * n;
    }

    /** {@code 128x784x256}: what {@link #parse} reads. */
    @Override
    public String toString() {
        return m + "x" + k + "x" + n;
    }
}
