package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.core.scalar.ScalarKernel;
import java.util.Random;

/**
 * The conformance checks every kernel variant must pass: one call of an operation on seeded random
 * inputs in a given layout, compared elementwise with {@link DoubleReference} and with {@link ScalarKernel},
 * plus checks that inputs and every cell outside the output views are left alone. Outputs that are
 * overwritten start as NaN, so a kernel that reads them fails.
 *
 * <h2>Error bounds</h2>
 * ε = 2⁻²³ (float's machine epsilon, twice the unit roundoff u = 2⁻²⁴) and <b>c = 2</b>. A float expression
 * with at most d roundings on any path from an input to the result is within γ_d·M of the exact value,
 * γ_d = d·u/(1 − d·u), where M is the same expression evaluated on absolute values (subtractions become
 * additions) — Higham, <i>Accuracy and Stability of Numerical Algorithms</i>, §3.1–3.3. A sum of d terms
 * in any order (sequential, FMA, lane-wise partial sums, a {@code reduceLanes} tree) has at most d − 1
 * inexact additions on any path (adding a zero lane is exact), so one bound covers every variant.
 * c·d·ε = 4·d·u ≥ 2·γ_d while d·u ≤ ½: the bound is the worst case with a factor 2 to spare, never
 * more, so it cannot fail by bad luck yet a wrong term or a 10⁻³ perturbation exceeds it
 * ({@code BrokenKernelTest} proves it). Elementwise, with all magnitudes computed in double:
 * <pre>
 *  forward  Y      |y − y*| ≤ c·k·ε·(|X|·|W| + |b|)ᵢⱼ + a·ε·|y*| + τ       k products, k−1 adds, bias: k+1 ≤ 2k roundings
 *  activationBackward dZ  ≤ c·3·ε·|dY|·A(Y)                               A = 1, |y|(1+|y|), 1+y², 1 (id, sigm, tanh, relu)
 *                     db  ≤ c·(m+3)·ε·(Σᵢ |dY|·A(Y) + |db₀|)               m−1 adds over dZ's 3 roundings
 *  weightGradient     dW  ≤ c·m·ε·(|X|ᵀ·|dZ| + |dW₀|)                     reduction over the m batch rows
 *  inputGradient      dX  ≤ c·n·ε·(|dZ|·|W|ᵀ)                             reduction over the n outputs
 *  outputMinusTarget / softmaxCrossEntropyBackward
 *                     dZ  ≤ c·2·ε·(|Y| + |T|)·|s|,  db ≤ c·(m+2)·ε·(Σᵢ (|Y| + |T|)·|s| + |db₀|)
 *  softmaxRows        P   ≤ c·(n + 2R + 5)·ε·p* + τ,  R = max − min of the row
 * </pre>
 * When accumulating, d grows by 1 and the prior contents (·₀) join M. The activations have Lipschitz
 * constants ≤ 1 (sigmoid ¼, tanh and relu 1), so the GEMM term carries through them; a = 4 ulps covers
 * evaluating the activation itself (exp and tanh within 1–2 ulps, then at most two roundings), and
 * τ = 2⁻¹²⁶ (the smallest normal float) covers results that underflow to subnormals. For softmax, the
 * rounding of z − max perturbs exp by a relative u·R, exp adds 2u, the sum n − 1 roundings, the division
 * one: (n + 2R + 4)·u relative. Against the scalar kernel the allowance is twice the bound (both lie
 * within it of the exact value).
 */
final class Conformance {

    /** Float machine epsilon, 2⁻²³. */
    static final double EPS = 0x1p-23;
    /** The bound's safety factor over the γ_d worst case (see the class comment). */
    static final double C = 2;
    /** Ulps allowed for evaluating an activation (sigmoid, tanh) in float. */
    static final double ACTIVATION_ULPS = 4;
    /** Absolute floor for results in the subnormal range. */
    static final double TINY = Float.MIN_NORMAL;

    private Conformance() {
    }

    /** One test case: a shape, a seed for every random input, and where the operands sit in their arrays. */
    record Case(int m, int n, int k, long seed, Mat.Layout layout) {

        Random random(String op) {
            return new Random(seed * 0x9E3779B97F4A7C15L + op.hashCode());
        }

        @Override
        public String toString() {
            return "m=" + m + " n=" + n + " k=" + k + " seed=" + seed + " " + layout;
        }
    }

    // ------------------------------------------------------------------------------------------- forward

    /** {@code Y = act(X·W + b)} against the reference and the scalar kernel. */
    static void forward(DenseKernel kernel, Case c, Activation act, boolean withBias) {
        String what = kernel.describe() + " forward[" + act + (withBias ? "" : ", no bias") + "] " + c;
        Random r = c.random("forward" + act + withBias);
        int m = c.m(), n = c.n(), k = c.k();
        Mat x = Mat.of(c.layout(), m, k, r).random(r, -1, 1);
        Mat w = Mat.of(c.layout(), k, n, r).random(r, -1, 1);
        Mat b = withBias ? Mat.vector(c.layout(), n, r).random(r, -1, 1) : null;
        Mat y = Mat.of(c.layout(), m, n, r).fill(Float.NaN);
        Mat x0 = x.copy(), w0 = w.copy(), b0 = withBias ? b.copy() : null, y0 = y.copy();
        Mat ys = y.copy();

        kernel.forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, withBias ? b.a : null, withBias ? b.off : 0,
                act, y.a, y.off, y.ld);
        new ScalarKernel().forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, withBias ? b.a : null,
                withBias ? b.off : 0, act, ys.a, ys.off, ys.ld);

        x.assertUnchanged(x0, what + ", X");
        w.assertUnchanged(w0, what + ", W");
        if (withBias) {
            b.assertUnchanged(b0, what + ", b");
        }
        y.assertOutsideUnchanged(y0, what + ", Y");

        double[] bd = withBias ? b.toDouble() : null;
        double[] ref = DoubleReference.forward(m, n, k, x.toDouble(), w.toDouble(), bd, act);
        double[] mag = DoubleReference.preActivation(m, n, k, x.toDouble(Math::abs), w.toDouble(Math::abs),
                withBias ? DoubleReference.abs(bd) : null);
        double[] bound = new double[ref.length];
        for (int t = 0; t < ref.length; t++) {
            bound[t] = C * k * EPS * mag[t] + ACTIVATION_ULPS * EPS * Math.abs(ref[t]) + TINY;
        }
        assertWithin(what, y, ref, bound, ys);
    }

    // ------------------------------------------------------------------------------------------- backward

    /** {@code dZ = dY ⊙ act'(Y)} and {@code db (+)= Σ dZ} (db omitted when {@code !withDb}). */
    static void activationBackward(DenseKernel kernel, Case c, Activation act, boolean withDb, boolean accumulate) {
        String what = kernel.describe() + " activationBackward[" + act + (withDb ? "" : ", no db")
                + (accumulate ? ", accumulate" : "") + "] " + c;
        Random r = c.random("activationBackward" + act + withDb + accumulate);
        int m = c.m(), n = c.n();
        Mat y = Mat.of(c.layout(), m, n, r);
        fillOutputs(y, act, r);
        Mat dy = Mat.of(c.layout(), m, n, r).random(r, -1, 1);
        Mat dz = Mat.of(c.layout(), m, n, r).fill(Float.NaN);
        Mat db = withDb ? Mat.vector(c.layout(), n, r) : null;
        if (withDb) {
            if (accumulate) {
                db.random(r, -1, 1);
            } else {
                db.fill(Float.NaN);
            }
        }
        Mat y0 = y.copy(), dy0 = dy.copy(), dz0 = dz.copy(), db0 = withDb ? db.copy() : null;
        Mat dzs = dz.copy(), dbs = withDb ? db.copy() : null;

        kernel.activationBackward(m, n, act, y.a, y.off, y.ld, dy.a, dy.off, dy.ld, dz.a, dz.off, dz.ld,
                withDb ? db.a : null, withDb ? db.off : 0, accumulate);
        new ScalarKernel().activationBackward(m, n, act, y.a, y.off, y.ld, dy.a, dy.off, dy.ld, dzs.a, dzs.off,
                dzs.ld, withDb ? dbs.a : null, withDb ? dbs.off : 0, accumulate);

        y.assertUnchanged(y0, what + ", Y");
        dy.assertUnchanged(dy0, what + ", dY");
        dz.assertOutsideUnchanged(dz0, what + ", dZ");

        double[] yd = y.toDouble(), dyd = dy.toDouble();
        double[] ref = DoubleReference.activationBackward(act, yd, dyd);
        double[] mag = new double[ref.length];
        for (int t = 0; t < ref.length; t++) {
            mag[t] = Math.abs(dyd[t]) * derivativeMagnitude(act, yd[t]);
        }
        assertWithin(what + ", dZ", dz, ref, scaled(C * 3 * EPS, mag), dzs);
        if (withDb) {
            db.assertOutsideUnchanged(db0, what + ", db");
            checkColumnSums(what + ", db", m, n, ref, mag, 3, accumulate, db, db0, dbs);
        }
    }

    /** {@code dW (+)= Xᵀ·dZ}. */
    static void weightGradient(DenseKernel kernel, Case c, boolean accumulate) {
        String what = kernel.describe() + " weightGradient" + (accumulate ? "[accumulate] " : " ") + c;
        Random r = c.random("weightGradient" + accumulate);
        int m = c.m(), n = c.n(), k = c.k();
        Mat x = Mat.of(c.layout(), m, k, r).random(r, -1, 1);
        Mat dz = Mat.of(c.layout(), m, n, r).random(r, -1, 1);
        Mat dw = Mat.of(c.layout(), k, n, r);
        if (accumulate) {
            dw.random(r, -1, 1);
        } else {
            dw.fill(Float.NaN);
        }
        Mat x0 = x.copy(), dz0 = dz.copy(), dw0 = dw.copy(), dws = dw.copy();

        kernel.weightGradient(m, n, k, x.a, x.off, x.ld, dz.a, dz.off, dz.ld, dw.a, dw.off, dw.ld, accumulate);
        new ScalarKernel().weightGradient(m, n, k, x.a, x.off, x.ld, dz.a, dz.off, dz.ld, dws.a, dws.off, dws.ld,
                accumulate);

        x.assertUnchanged(x0, what + ", X");
        dz.assertUnchanged(dz0, what + ", dZ");
        dw.assertOutsideUnchanged(dw0, what + ", dW");

        double[] prior = accumulate ? dw0.toDouble() : null;
        double[] ref = DoubleReference.weightGradient(m, n, k, x.toDouble(), dz.toDouble(), prior);
        double[] mag = DoubleReference.weightGradient(m, n, k, x.toDouble(Math::abs), dz.toDouble(Math::abs),
                accumulate ? DoubleReference.abs(prior) : null);
        assertWithin(what, dw, ref, scaled(C * (m + (accumulate ? 1 : 0)) * EPS, mag), dws);
    }

    /** {@code dX = dZ·Wᵀ}. */
    static void inputGradient(DenseKernel kernel, Case c) {
        String what = kernel.describe() + " inputGradient " + c;
        Random r = c.random("inputGradient");
        int m = c.m(), n = c.n(), k = c.k();
        Mat dz = Mat.of(c.layout(), m, n, r).random(r, -1, 1);
        Mat w = Mat.of(c.layout(), k, n, r).random(r, -1, 1);
        Mat dx = Mat.of(c.layout(), m, k, r).fill(Float.NaN);
        Mat dz0 = dz.copy(), w0 = w.copy(), dx0 = dx.copy(), dxs = dx.copy();

        kernel.inputGradient(m, n, k, dz.a, dz.off, dz.ld, w.a, w.off, w.ld, dx.a, dx.off, dx.ld);
        new ScalarKernel().inputGradient(m, n, k, dz.a, dz.off, dz.ld, w.a, w.off, w.ld, dxs.a, dxs.off, dxs.ld);

        dz.assertUnchanged(dz0, what + ", dZ");
        w.assertUnchanged(w0, what + ", W");
        dx.assertOutsideUnchanged(dx0, what + ", dX");

        double[] ref = DoubleReference.inputGradient(m, n, k, dz.toDouble(), w.toDouble());
        double[] mag = DoubleReference.inputGradient(m, n, k, dz.toDouble(Math::abs), w.toDouble(Math::abs));
        assertWithin(what, dx, ref, scaled(C * n * EPS, mag), dxs);
    }

    // ------------------------------------------------------------------------------------------- heads

    /** {@code dZ = (Y − T)·scale}, {@code db (+)= Σ dZ}. */
    static void outputMinusTarget(DenseKernel kernel, Case c, boolean accumulate) {
        String what = kernel.describe() + " outputMinusTarget" + (accumulate ? "[accumulate] " : " ") + c;
        Random r = c.random("outputMinusTarget" + accumulate);
        int m = c.m(), n = c.n();
        float scale = 1f / m;
        Mat y = Mat.of(c.layout(), m, n, r).random(r, 0, 1);
        Mat t = Mat.of(c.layout(), m, n, r).random(r, 0, 1);
        Mat dz = Mat.of(c.layout(), m, n, r).fill(Float.NaN);
        Mat db = Mat.vector(c.layout(), n, r);
        if (accumulate) {
            db.random(r, -1, 1);
        } else {
            db.fill(Float.NaN);
        }
        Mat y0 = y.copy(), t0 = t.copy(), dz0 = dz.copy(), db0 = db.copy(), dzs = dz.copy(), dbs = db.copy();

        kernel.outputMinusTarget(m, n, y.a, y.off, y.ld, t.a, t.off, t.ld, scale, dz.a, dz.off, dz.ld, db.a, db.off,
                accumulate);
        new ScalarKernel().outputMinusTarget(m, n, y.a, y.off, y.ld, t.a, t.off, t.ld, scale, dzs.a, dzs.off, dzs.ld,
                dbs.a, dbs.off, accumulate);

        y.assertUnchanged(y0, what + ", Y");
        t.assertUnchanged(t0, what + ", T");
        dz.assertOutsideUnchanged(dz0, what + ", dZ");
        db.assertOutsideUnchanged(db0, what + ", db");

        double[] ref = DoubleReference.outputMinusTarget(y.toDouble(), t.toDouble(), scale);
        double[] mag = headMagnitude(y.toDouble(Math::abs), t.toDouble(Math::abs), scale);
        assertWithin(what + ", dZ", dz, ref, scaled(C * 2 * EPS, mag), dzs);
        checkColumnSums(what + ", db", m, n, ref, mag, 2, accumulate, db, db0, dbs);
    }

    /** {@code dZ = (P − onehot(labels))·scale}, {@code db (+)= Σ dZ}. */
    static void softmaxCrossEntropyBackward(DenseKernel kernel, Case c, boolean accumulate) {
        String what = kernel.describe() + " softmaxCrossEntropyBackward" + (accumulate ? "[accumulate] " : " ") + c;
        Random r = c.random("softmaxCrossEntropyBackward" + accumulate);
        int m = c.m(), n = c.n();
        float scale = 1f / m;
        Mat p = Mat.of(c.layout(), m, n, r).random(r, 0, 1);
        int labelsOff = c.layout() == Mat.Layout.TIGHT ? 0 : 1 + r.nextInt(3);
        int[] labels = new int[labelsOff + m + (c.layout() == Mat.Layout.TIGHT ? 0 : 2)];
        java.util.Arrays.fill(labels, -7); // guards: a kernel reading them would index out of range
        int[] rowLabels = new int[m];
        for (int i = 0; i < m; i++) {
            rowLabels[i] = r.nextInt(n);
            labels[labelsOff + i] = rowLabels[i];
        }
        int[] labels0 = labels.clone();
        Mat dz = Mat.of(c.layout(), m, n, r).fill(Float.NaN);
        Mat db = Mat.vector(c.layout(), n, r);
        if (accumulate) {
            db.random(r, -1, 1);
        } else {
            db.fill(Float.NaN);
        }
        Mat p0 = p.copy(), dz0 = dz.copy(), db0 = db.copy(), dzs = dz.copy(), dbs = db.copy();

        kernel.softmaxCrossEntropyBackward(m, n, p.a, p.off, p.ld, labels, labelsOff, scale, dz.a, dz.off, dz.ld,
                db.a, db.off, accumulate);
        new ScalarKernel().softmaxCrossEntropyBackward(m, n, p.a, p.off, p.ld, labels, labelsOff, scale, dzs.a,
                dzs.off, dzs.ld, dbs.a, dbs.off, accumulate);

        p.assertUnchanged(p0, what + ", P");
        if (!java.util.Arrays.equals(labels, labels0)) {
            fail(what + ": labels were written");
        }
        dz.assertOutsideUnchanged(dz0, what + ", dZ");
        db.assertOutsideUnchanged(db0, what + ", db");

        double[] oneHot = DoubleReference.oneHot(m, n, rowLabels);
        double[] ref = DoubleReference.outputMinusTarget(p.toDouble(), oneHot, scale);
        double[] mag = headMagnitude(p.toDouble(Math::abs), oneHot, scale);
        assertWithin(what + ", dZ", dz, ref, scaled(C * 2 * EPS, mag), dzs);
        checkColumnSums(what + ", db", m, n, ref, mag, 2, accumulate, db, db0, dbs);
    }

    /** Row-wise softmax in place; rows shifted by up to ±100 so that skipping the max would overflow exp. */
    static void softmaxRows(DenseKernel kernel, Case c) {
        String what = kernel.describe() + " softmaxRows " + c;
        Random r = c.random("softmaxRows");
        int m = c.m(), n = c.n();
        Mat z = Mat.of(c.layout(), m, n, r).random(r, -6, 6);
        for (int i = 0; i < m; i++) {
            float shift = -100 + 200 * r.nextFloat();
            for (int j = 0; j < n; j++) {
                z.set(i, j, z.get(i, j) + shift);
            }
        }
        Mat z0 = z.copy(), zs = z.copy();

        kernel.softmaxRows(m, n, z.a, z.off, z.ld);
        new ScalarKernel().softmaxRows(m, n, zs.a, zs.off, zs.ld);

        z.assertOutsideUnchanged(z0, what + ", Z");
        double[] zd = z0.toDouble();
        double[] ref = DoubleReference.softmaxRows(m, n, zd);
        double[] bound = new double[ref.length];
        for (int i = 0; i < m; i++) {
            double max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, zd[i * n + j]);
                min = Math.min(min, zd[i * n + j]);
            }
            for (int j = 0; j < n; j++) {
                bound[i * n + j] = C * (n + 2 * (max - min) + 5) * EPS * ref[i * n + j] + TINY;
            }
        }
        assertWithin(what, z, ref, bound, zs);
    }

    // ------------------------------------------------------------------------------------------- checker

    /**
     * Every element of {@code actual}'s view within {@code bound} of {@code ref} (NaN never is), and within
     * twice the bound of the scalar kernel's {@code scalar} (null: skip). Fails naming the first worst
     * elements.
     */
    static void assertWithin(String what, Mat actual, double[] ref, double[] bound, Mat scalar) {
        check(what + " vs double reference", actual, ref, bound, 1);
        if (scalar != null) {
            check(what + " vs scalar kernel", actual, scalar.toDouble(), bound, 2);
        }
    }

    /**
     * Every element of {@code actual}'s view within {@code allowance·bound} of {@code ref} (NaN never is); fails
     * with the count and the worst element.
     */
    static void check(String what, Mat actual, double[] ref, double[] bound, double allowance) {
        int bad = 0;
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < actual.rows; i++) {
            for (int j = 0; j < actual.cols; j++) {
                int t = i * actual.cols + j;
                double err = Math.abs(actual.get(i, j) - ref[t]);
                double allowed = allowance * bound[t];
                if (!(err <= allowed)) {
                    bad++;
                    double ratio = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err / allowed;
                    if (worst < 0 || ratio > worstRatio) {
                        worst = t;
                        worstRatio = ratio;
                    }
                }
            }
        }
        if (bad > 0) {
            int i = worst / actual.cols, j = worst % actual.cols;
            fail(what + ": " + bad + " of " + actual.rows * actual.cols + " elements outside the bound (c = " + C
                    + ", ε = 2^-23); worst at (" + i + ", " + j + "): got " + actual.get(i, j) + ", expected "
                    + ref[worst] + ", |error| " + Math.abs(actual.get(i, j) - ref[worst]) + " > allowed "
                    + allowance * bound[worst]);
        }
    }

    /** db = db₀ + Σᵢ dZ with dZ's own {@code dzRoundings}: bound c·(m + dzRoundings [+1])·ε·(Σ M + |db₀|). */
    private static void checkColumnSums(String what, int m, int n, double[] dzRef, double[] dzMag, int dzRoundings,
                                        boolean accumulate, Mat db, Mat db0, Mat dbScalar) {
        double[] prior = accumulate ? db0.toDouble() : null;
        double[] ref = DoubleReference.columnSums(m, n, dzRef, prior);
        double[] mag = DoubleReference.columnSums(m, n, dzMag, accumulate ? DoubleReference.abs(prior) : null);
        assertWithin(what, db, ref, scaled(C * (m + dzRoundings + (accumulate ? 1 : 0)) * EPS, mag), dbScalar);
    }

    /** |act'(y)| evaluated on absolute values: the M of dY·act'(Y). */
    private static double derivativeMagnitude(Activation act, double y) {
        return switch (act) {
            case IDENTITY, RELU -> 1;
            case SIGMOID -> Math.abs(y) * (1 + Math.abs(y));
            case TANH -> 1 + y * y;
            case SOFTMAX -> throw new IllegalArgumentException("row-wise");
        };
    }

    private static double[] headMagnitude(double[] absY, double[] absT, double scale) {
        double[] mag = new double[absY.length];
        for (int t = 0; t < mag.length; t++) {
            mag[t] = (absY[t] + absT[t]) * Math.abs(scale);
        }
        return mag;
    }

    private static double[] scaled(double factor, double[] mag) {
        double[] b = new double[mag.length];
        for (int t = 0; t < b.length; t++) {
            b[t] = factor * mag[t];
        }
        return b;
    }

    /** Plausible layer outputs for {@code act}: sigmoid in (0, 1), tanh in (−1, 1), relu ≥ 0 with a third exact zeros. */
    static void fillOutputs(Mat y, Activation act, Random r) {
        for (int i = 0; i < y.rows; i++) {
            for (int j = 0; j < y.cols; j++) {
                float v = switch (act) {
                    case SIGMOID -> r.nextFloat();
                    case RELU -> r.nextInt(3) == 0 ? 0f : 2 * r.nextFloat();
                    default -> 2 * r.nextFloat() - 1;
                };
                y.set(i, j, v);
            }
        }
    }
}
