package dev.myelin.core;

/**
 * How far a correct kernel's output may lie from the scalar kernel's on the same operands, element by element: the
 * check {@code myelin bench} and the JMH benchmarks run before they time a variant (and again after), so that a
 * wrong variant is never reported with a speed. Operands are dense row-major ({@code ld} = column count).
 *
 * <p>ε = 2⁻²³, c = 2, γᵣ = r·(ε/2) / (1 − r·ε/2). A variant's error against the exact result is at most (all
 * magnitudes in double; Z, db, dW and dX on the right are the exact, signed results):
 * <pre>
 *  Y   D·(c·√k·ε·(|X|·|W| + |b|) + γₖ₊₁·|X·W| + γ₁·|Z|) + 4ε·|y| + τ   (k products and adds, the bias, 4 ulps)
 *  dZ  c·3·ε·|dY|·A(Y) + τ                 A = 1, |y|(1+|y|), 1+y², (y > 0) (identity, sigmoid, tanh, relu)
 *  db  c·(√m+3)·ε·Σᵢ |dY|·A(Y) + γₘ₊₁·|db| + τ
 *  dW  c·√m·ε·(|X|ᵀ·|dZ|) + γₘ₊₁·|dW| + τ                   the reduction runs over the m rows
 *  dX  c·√n·ε·(|dZ|·|W|ᵀ) + γₙ₊₁·|dX| + τ                   the reduction runs over the n outputs
 * </pre>
 * τ = 2⁻¹²⁶ covers results that underflow; D is the activation's largest slope (¼ for sigmoid, 1 for the others),
 * which carries an error of Z into Y. A sum's rounding errors have two parts. Where its terms have mixed signs they
 * add like a random walk (Higham and Mary's probabilistic rounding error analysis: √r·ε·Σ|terms| with high
 * probability for r terms), which the c·√r·ε term covers. Where the partial sums keep one sign and size (terms of
 * one sign: a constant row, activations and weights all positive) every rounding can go the same way, and the
 * error grows like r, not √r: a sum of 10 000 copies of 0.1f in order is 999.90, off by 0.097, where c·√r·ε·Σ|terms|
 * allows 0.024. The γ·|result| term covers that part: for terms of one sign it is the classical worst case of any
 * order of additions (γ of the depth, at most r + 1 roundings with the products'), and on mixed signs, whose
 * result is small against Σ|terms|, it adds little (about a third more on the benchmarks' uniform [−1, 1]
 * operands, whose results are about √r times smaller than Σ|terms|). For Y it is taken of X·W, before the bias,
 * which the kernels add once to the finished sum: a bias that cancels the sum does not cancel its error (γ₁·|Z|
 * is that last addition). Neither covers a sum built to defeat both,
 * large terms that cancel with small ones between them; the conformance tests use the worst case r·ε·Σ|terms|
 * for that, which at 128×784×256 would let a forward that adds 0.05 to every output pass (a bound of 0.073). The
 * scalar kernel is within the same bound of the exact result, so the two may differ by twice the bound
 * ({@link #ALLOWANCE}), which is what these methods return.
 *
 * <p>When a product's input is the variant's own output of an earlier step (dW and dX from the variant's dZ, as a
 * whole backward computes them), pass that input's allowed differences: their effect, |X|ᵀ·δdZ or δdZ·|W|ᵀ, is added.
 */
public final class ErrorBounds {

    /** Float's machine epsilon, the spacing of floats at 1 (twice the unit roundoff). */
    static final double EPS = 0x1p-23;
    /** The constant in front of √r·ε. */
    static final double C = 2;
    /** The activations' own error, in ulps of the result. */
    static final double ACTIVATION_ULPS = 4;
    /** Covers results that underflow. */
    static final double TINY = Float.MIN_NORMAL;
    /** Both the variant and the scalar kernel lie within the bound of the exact value. */
    public static final double ALLOWANCE = 2;

    private ErrorBounds() {
    }

    /**
     * Allowed differences of {@code Y[m×n] = act(X[m×k]·W[k×n] + b)}, given the scalar kernel's {@code y}; {@code b}
     * may be null. Softmax is refused: its bound is not element-wise.
     *
     * @throws IllegalArgumentException naming the operand when a size is negative or an array too short for its
     *                                  matrix, or the activation is softmax
     */
    public static double[] forward(int m, int n, int k, float[] x, float[] w, float[] b, Activation act, float[] y) {
        sizes(m, n, k);
        operand("X", x, m, k);
        operand("W", w, k, n);
        if (b != null) {
            operand("b", b, 1, n);
        }
        elementwise(act);
        operand("Y", y, m, n);
        double[] allowed = new double[m * n];
        double[] row = new double[n];
        double[] dot = new double[n];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(row, 0);
            java.util.Arrays.fill(dot, 0);
            for (int p = 0; p < k; p++) {
                double xv = x[i * k + p];
                for (int j = 0; j < n; j++) {
                    row[j] += Math.abs(xv) * Math.abs(w[p * n + j]);
                    dot[j] += xv * w[p * n + j];
                }
            }
            for (int j = 0; j < n; j++) {
                double mag = row[j] + (b == null ? 0 : Math.abs(b[j]));
                // the bias is added to the finished dot product: its one-signed drift is the dot's, then one rounding
                double z = dot[j] + (b == null ? 0 : b[j]);
                allowed[i * n + j] = ALLOWANCE * (largestSlope(act) * (C * reduction(k) * EPS * mag
                        + coherent(k + 1) * Math.abs(dot[j]) + coherent(1) * Math.abs(z))
                        + ACTIVATION_ULPS * EPS * Math.abs(y[i * n + j]) + TINY);
            }
        }
        return allowed;
    }

    /** Allowed differences of {@code dZ[m×n] = dY ⊙ act'(Y)}. */
    public static double[] activationBackward(int m, int n, Activation act, float[] y, float[] dy) {
        sizes(m, n, 0);
        elementwise(act);
        operand("Y", y, m, n);
        operand("dY", dy, m, n);
        double[] allowed = new double[m * n];
        for (int t = 0; t < m * n; t++) {
            allowed[t] = ALLOWANCE * (C * 3 * EPS * dzMagnitude(act, y[t], dy[t]) + TINY);
        }
        return allowed;
    }

    /** Allowed differences of {@code db[n] = Σ_rows dY ⊙ act'(Y)}. */
    public static double[] biasGradient(int m, int n, Activation act, float[] y, float[] dy) {
        sizes(m, n, 0);
        elementwise(act);
        operand("Y", y, m, n);
        operand("dY", dy, m, n);
        double[] mag = new double[n];
        double[] db = new double[n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                mag[j] += dzMagnitude(act, y[i * n + j], dy[i * n + j]);
                db[j] += act.gradient(y[i * n + j], dy[i * n + j]); // the kernels' own dZ, relu's select too
            }
        }
        double[] allowed = new double[n];
        for (int j = 0; j < n; j++) {
            allowed[j] = ALLOWANCE * (C * (reduction(m) + 3) * EPS * mag[j] + coherent(m + 1) * Math.abs(db[j])
                    + TINY);
        }
        return allowed;
    }

    /**
     * Allowed differences of {@code dW[k×n] = X[m×k]ᵀ·dZ[m×n]}; {@code dzAllowed} (or null) is how far the variant's
     * own dZ may differ from {@code dz}.
     */
    public static double[] weightGradient(int m, int n, int k, float[] x, float[] dz, double[] dzAllowed) {
        sizes(m, n, k);
        operand("X", x, m, k);
        operand("dZ", dz, m, n);
        allowance(dzAllowed, m, n);
        double[] allowed = new double[k * n];
        double[] dw = new double[k * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double xv = x[i * k + p];
                for (int j = 0; j < n; j++) {
                    double carried = dzAllowed == null ? 0 : dzAllowed[i * n + j] / ALLOWANCE;
                    allowed[p * n + j] += Math.abs(xv) * (C * reduction(m) * EPS * Math.abs(dz[i * n + j])
                            + carried);
                    dw[p * n + j] += xv * dz[i * n + j];
                }
            }
        }
        for (int t = 0; t < allowed.length; t++) {
            allowed[t] = ALLOWANCE * (allowed[t] + coherent(m + 1) * Math.abs(dw[t]) + TINY);
        }
        return allowed;
    }

    /**
     * Allowed differences of {@code dX[m×k] = dZ[m×n]·W[k×n]ᵀ}; {@code dzAllowed} (or null) is how far the variant's
     * own dZ may differ from {@code dz}.
     */
    public static double[] inputGradient(int m, int n, int k, float[] dz, float[] w, double[] dzAllowed) {
        sizes(m, n, k);
        operand("dZ", dz, m, n);
        operand("W", w, k, n);
        allowance(dzAllowed, m, n);
        double[] allowed = new double[m * k];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double sum = 0;
                double dx = 0;
                for (int j = 0; j < n; j++) {
                    double carried = dzAllowed == null ? 0 : dzAllowed[i * n + j] / ALLOWANCE;
                    sum += (C * reduction(n) * EPS * Math.abs(dz[i * n + j]) + carried) * Math.abs(w[p * n + j]);
                    dx += (double) dz[i * n + j] * w[p * n + j];
                }
                allowed[i * k + p] = ALLOWANCE * (sum + coherent(n + 1) * Math.abs(dx) + TINY);
            }
        }
        return allowed;
    }

    /**
     * How {@code actual} stands against {@code expected} within {@code allowed}, element by element. An element
     * agrees when it equals the expected value (the same infinity included), or is NaN where NaN is expected (NaN
     * propagates), or both are finite and within a finite bound. Anything else is outside: NaN for a number or a
     * number for NaN, an infinity for anything but the same infinity, any difference where the bound is infinite
     * or NaN (an infinite operand makes it so, and the right result is then exact: sigmoid(∞) = 1, relu(−∞) = 0).
     *
     * @param outside    the elements outside their bounds
     * @param worst      the index of the worst element outside (largest error over its bound, the first of
     *                   those infinitely outside), or −1 when none
     * @param worstRatio the largest error over its bound: of the elements outside when there are any (∞ for an
     *                   element outside by NaN, an infinity or an infinite or NaN bound), else of all (at most 1)
     */
    public record Comparison(int outside, int worst, double worstRatio) {

        /** Every element agrees. */
        public boolean agrees() {
            return outside == 0;
        }
    }

    /** Compares {@code actual} with {@code expected} element by element ({@link Comparison} says how). */
    public static Comparison compare(float[] expected, float[] actual, double[] allowed) {
        java.util.Objects.requireNonNull(expected, "expected is null");
        java.util.Objects.requireNonNull(actual, "actual is null");
        java.util.Objects.requireNonNull(allowed, "allowed is null");
        if (actual.length != expected.length || allowed.length != expected.length) {
            throw new IllegalArgumentException("expected, actual and allowed must have one length, got "
                    + expected.length + ", " + actual.length + " and " + allowed.length);
        }
        int outside = 0;
        int worst = -1;
        double worstOutside = -1;
        double worstInside = 0;
        for (int t = 0; t < expected.length; t++) {
            float e = expected[t], a = actual[t];
            if (e == a || (Float.isNaN(e) && Float.isNaN(a))) {
                continue;
            }
            double error = Math.abs((double) a - e); // NaN or ∞ when either is not finite
            // an infinite bound (an infinite operand) lets no finite difference through: sigmoid(∞) is 1, not 0.5
            if (Double.isFinite(error) && error <= allowed[t] && allowed[t] < Double.POSITIVE_INFINITY) {
                worstInside = Math.max(worstInside, error / allowed[t]); // allowed > 0 here: error > 0
                continue;
            }
            outside++;
            double ratio = Double.isFinite(error) && allowed[t] > 0 && allowed[t] < Double.POSITIVE_INFINITY
                    ? error / allowed[t] : Double.POSITIVE_INFINITY;
            if (worst < 0 || ratio > worstOutside) {
                worstOutside = ratio;
                worst = t;
            }
        }
        return new Comparison(outside, worst, outside > 0 ? worstOutside : worstInside);
    }

    /**
     * The worst element of {@code actual} outside its bound ({@link #compare}), described as {@code what[i][j] =
     * actual vs expected (bound b; e of t elements outside)} for a matrix of {@code cols} columns ({@code what[j]}
     * for one row); null when every element agrees.
     */
    public static String disagreement(String what, int cols, float[] expected, float[] actual, double[] allowed) {
        columns(cols, expected);
        Comparison c = compare(expected, actual, allowed);
        return c.agrees() ? null : describe(what, cols, expected, actual, allowed, c);
    }

    /** {@link #disagreement}'s text for a comparison already made that found elements outside. */
    public static String describe(String what, int cols, float[] expected, float[] actual, double[] allowed,
                                  Comparison c) {
        columns(cols, expected);
        if (c.agrees() || c.worst() >= expected.length) {
            throw new IllegalArgumentException("the comparison " + c + " names no element outside of "
                    + expected.length);
        }
        int t = c.worst();
        String at = expected.length == cols ? what + "[" + t + "]" : what + "[" + t / cols + "][" + t % cols + "]";
        return String.format(java.util.Locale.ROOT, "%s = %s vs %s (bound %.3g; %d of %d elements outside)", at,
                actual[t], expected[t], allowed[t], c.outside(), expected.length);
    }

    /** m and n at least 1, k at least 0 (a product over nothing is the bias alone). */
    private static void sizes(int m, int n, int k) {
        Checks.dimension("m", "rows", m);
        Checks.dimension("n", "outputs", n);
        if (k < 0) {
            throw new IllegalArgumentException("k (inputs) must be at least 0, got " + k);
        }
    }

    /** A dense row-major {@code rows×cols} operand: at least that many elements (more are not read). */
    private static void operand(String name, float[] a, int rows, int cols) {
        Checks.matrix(name, a, 0, rows, cols, cols);
    }

    private static void elementwise(Activation act) {
        java.util.Objects.requireNonNull(act, "activation is null");
        if (!act.isElementwise()) {
            throw new IllegalArgumentException("activation " + act.id() + ": the bounds are element-wise; softmax"
                    + " acts on whole rows");
        }
    }

    private static void allowance(double[] dzAllowed, int m, int n) {
        if (dzAllowed != null && dzAllowed.length < (long) m * n) {
            throw new IllegalArgumentException("dzAllowed has " + dzAllowed.length + " elements, dZ (" + m + "×" + n
                    + ") " + (long) m * n);
        }
    }

    /** A matrix of {@code cols} columns: at least 1, and a whole number of rows in {@code expected}. */
    private static void columns(int cols, float[] expected) {
        java.util.Objects.requireNonNull(expected, "expected is null");
        if (cols < 1 || expected.length % cols != 0) {
            throw new IllegalArgumentException("cols " + cols + " does not divide " + expected.length
                    + " elements into rows");
        }
    }

    /** The error factor of a sum of {@code terms} terms, in units of c·ε·Σ|terms| (the class comment says why √). */
    public static double reduction(int terms) {
        return Math.sqrt(terms);
    }

    /**
     * γᵣ = r·u / (1 − r·u), u = ε/2: the worst-case relative error of r roundings that all go the same way, the
     * bound of a sum whose partial sums keep one sign (the class comment); infinite once r·u reaches 1.
     */
    static double coherent(int roundings) {
        double ru = roundings * (EPS / 2);
        return ru < 1 ? ru / (1 - ru) : Double.POSITIVE_INFINITY;
    }

    /** The activation's largest slope, which bounds how far an error of Z moves Y. */
    static double largestSlope(Activation act) {
        return act == Activation.SIGMOID ? 0.25 : 1;
    }

    /**
     * |dY|·A(Y), A = |act'| on absolute values: the magnitude of dY·act'(Y) that the rounding bounds scale. relu
     * selects as the kernels do ({@link Activation#gradient}): 0 where y ≤ 0, whatever dY (an infinite one included).
     */
    static double dzMagnitude(Activation act, double y, double dy) {
        return switch (act) {
            case IDENTITY -> Math.abs(dy);
            case RELU -> y <= 0 ? 0 : Math.abs(dy);
            case SIGMOID -> Math.abs(dy) * (Math.abs(y) * (1 + Math.abs(y)));
            case TANH -> Math.abs(dy) * (1 + y * y);
            case SOFTMAX -> throw new IllegalArgumentException("softmax is not elementwise");
        };
    }
}
