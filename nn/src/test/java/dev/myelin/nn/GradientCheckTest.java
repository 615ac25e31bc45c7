package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gradients of a whole MLP, for every loss and both conventions, against central finite differences of an
 * independent double-precision re-implementation of the forward pass and the loss (this class; it shares no code
 * with Myelin's, only the definitions: PyTorch's mean BCE over m·n outputs, mean CE over m rows, mean squared
 * error over m·n outputs; DOCUMENT_SUM is m times the mean loss).
 *
 * <p>Finite differences: {@code (L(p+h) − L(p−h)) / 2h} with h = 1e-6, in double, at the very float parameters
 * Myelin uses. Truncation error is O(h²·L''') ≈ 1e-12 and rounding error ≈ 1e-16·|L|/h ≈ 1e-10, so the reference
 * is good to ~1e-9. Myelin's gradient is computed in float32: each entry is a short sum (≤ 7 rows × ≤ 5 units)
 * of products with ulp-level relative errors (~6e-8) on values of order 1, through three layers. Measured worst
 * {@code |g − g_fd| / max(1, |g_fd|)} over all 48 cases (both kernels): 2.0e-7, with gradients up to ~8 under
 * DOCUMENT_SUM. The bound {@code |g − g_fd| ≤ 2e-6·max(1, |g_fd|)} keeps a 10× margin and is tight enough to catch
 * a real bug: scaling the head's gradient by 1.0001 made every case fail; a wrong derivative, a missing 1/m (a
 * factor of 7) or 1/n (a factor of 2), or a sign is off by far more, on gradients whose norm is asserted to be at
 * least 1e-2.
 *
 * <p>ReLU's kink: the data are drawn again (next seed) until every pre-activation of a relu layer is at least
 * 1e-2 away from 0, far beyond the 1e-6 perturbation and float/double differences.
 */
class GradientCheckTest {

    private static final double H = 1e-6;
    private static final double RELATIVE_TOLERANCE = 2e-6;
    private static final int ROWS = 7;
    private static final int INPUTS = 3;
    private static final double RELU_MARGIN = 1e-2;

    /** Output heads: the loss and the output activation it is checked with. */
    enum Head {
        BCE_SIGMOID(Loss.BCE, Activation.SIGMOID, 2),
        CE_SOFTMAX(Loss.CE, Activation.SOFTMAX, 3),
        MSE_IDENTITY(Loss.MSE, Activation.IDENTITY, 2),
        MSE_TANH(Loss.MSE, Activation.TANH, 2);

        final Loss loss;
        final Activation output;
        final int outputs;

        Head(Loss loss, Activation output, int outputs) {
            this.loss = loss;
            this.output = output;
            this.outputs = outputs;
        }
    }

    static Stream<Arguments> cases() {
        Activation[][] hidden = {{Activation.TANH, Activation.SIGMOID}, {Activation.RELU, Activation.TANH},
                {Activation.SIGMOID, Activation.RELU}};
        List<Arguments> list = new ArrayList<>();
        for (String kernel : new String[] {"scalar", "default"}) {
            for (Head head : Head.values()) {
                for (Activation[] h : hidden) {
                    for (GradientConvention c : GradientConvention.values()) {
                        list.add(Arguments.of(kernel, head, h[0], h[1], c));
                    }
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} kernel, {1}, hidden {2}/{3}, {4}")
    @MethodSource("cases")
    void matchesFiniteDifferences(String kernel, Head head, Activation h1, Activation h2, GradientConvention conv) {
        int[] sizes = {INPUTS, 5, 4, head.outputs};
        Activation[] acts = {h1, h2, head.output};
        long seed = 1000;
        Problem p;
        while (true) {
            p = Problem.random(seed, sizes, acts, head);
            if (p.reluMargin() >= RELU_MARGIN) {
                break;
            }
            seed++;
        }
        DenseOps ops = kernel.equals("scalar") ? DenseOps.of("scalar") : DenseOps.defaults();
        double loss = new Trainer(ops).computeGradients(p.model, p.data, head.loss, conv);
        double scale = conv == GradientConvention.DOCUMENT_SUM ? ROWS : 1;

        double meanLoss = p.referenceLoss();
        if (Math.abs(loss - meanLoss) > 1e-6 * Math.max(1, Math.abs(meanLoss))) {
            fail("seed " + seed + ": loss " + loss + " but the double reference gives " + meanLoss);
        }
        double worst = 0;
        double norm = 0;
        StringBuilder failures = new StringBuilder();
        for (int l = 0; l < sizes.length - 1; l++) {
            Dense d = p.model.layers().get(l);
            for (int i = 0; i < d.weights().length; i++) {
                double fd = scale * p.finiteDifference(l, false, i);
                worst = Math.max(worst, check(failures, "layer " + (l + 1) + " dW[" + i + "]", d.weightGradient()[i],
                        fd));
                norm += fd * fd;
            }
            for (int j = 0; j < d.bias().length; j++) {
                double fd = scale * p.finiteDifference(l, true, j);
                worst = Math.max(worst, check(failures, "layer " + (l + 1) + " db[" + j + "]", d.biasGradient()[j],
                        fd));
                norm += fd * fd;
            }
        }
        if (!failures.isEmpty()) {
            fail("seed " + seed + ", tolerance " + RELATIVE_TOLERANCE + "·max(1, |g_fd|):\n" + failures);
        }
        assertTrue(Math.sqrt(norm) > 1e-2, "gradient norm " + Math.sqrt(norm) + " too small to test anything");
        System.out.printf("gradient check %s %s %s/%s %s: worst |g − g_fd|/max(1, |g_fd|) %.2e, |g| %.3f%n",
                kernel, head, h1, h2, conv, worst, Math.sqrt(norm));
    }

    private static double check(StringBuilder failures, String what, float g, double fd) {
        double err = Math.abs(g - fd) / Math.max(1, Math.abs(fd));
        if (!(err <= RELATIVE_TOLERANCE)) {
            failures.append("  ").append(what).append(": Myelin ").append(g).append(", finite difference ")
                    .append(fd).append('\n');
        }
        return err;
    }

    /** A random model and data set, plus the double-precision reference. */
    private static final class Problem {
        final Mlp model;
        final Dataset data;
        final Head head;
        final Activation[] acts;
        final int[] sizes;
        final double[][] w;   // double copies of the float parameters, perturbed in place
        final double[][] b;
        final double[] x;

        private Problem(Mlp model, Dataset data, Head head, Activation[] acts, int[] sizes) {
            this.model = model;
            this.data = data;
            this.head = head;
            this.acts = acts;
            this.sizes = sizes;
            int layers = sizes.length - 1;
            w = new double[layers][];
            b = new double[layers][];
            for (int l = 0; l < layers; l++) {
                w[l] = toDouble(model.layers().get(l).weights());
                b[l] = toDouble(model.layers().get(l).bias());
            }
            x = toDouble(data.features());
        }

        static Problem random(long seed, int[] sizes, Activation[] acts, Head head) {
            Random r = new Random(seed);
            List<Dense> layers = new ArrayList<>();
            for (int l = 0; l + 1 < sizes.length; l++) {
                Dense d = new Dense(sizes[l], sizes[l + 1], acts[l]);
                for (int i = 0; i < d.weights().length; i++) {
                    d.weights()[i] = (float) (1.8 * r.nextDouble() - 0.9);
                }
                for (int j = 0; j < d.bias().length; j++) {
                    d.bias()[j] = (float) (r.nextDouble() - 0.5);
                }
                layers.add(d);
            }
            float[] features = new float[ROWS * sizes[0]];
            for (int i = 0; i < features.length; i++) {
                features[i] = (float) (2 * r.nextDouble() - 1);
            }
            int n = sizes[sizes.length - 1];
            Dataset data;
            if (head.loss == Loss.CE) {
                int[] labels = new int[ROWS];
                for (int i = 0; i < ROWS; i++) {
                    labels[i] = r.nextInt(n);
                }
                data = Dataset.classes(features, ROWS, sizes[0], labels, n);
            } else {
                float[] t = new float[ROWS * n];
                for (int i = 0; i < t.length; i++) {
                    t[i] = head.loss == Loss.BCE ? r.nextInt(2) : (float) (2 * r.nextDouble() - 1);
                }
                data = Dataset.regression(features, ROWS, sizes[0], t, n);
            }
            return new Problem(new Mlp(layers), data, head, acts, sizes);
        }

        private static double[] toDouble(float[] a) {
            double[] d = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                d[i] = a[i];
            }
            return d;
        }

        /** The smallest |pre-activation| of any relu layer over all rows (∞ without relu). */
        double reluMargin() {
            double[] margin = {Double.POSITIVE_INFINITY};
            forward(margin);
            return margin[0];
        }

        double finiteDifference(int layer, boolean bias, int index) {
            double[] p = bias ? b[layer] : w[layer];
            double saved = p[index];
            p[index] = saved + H;
            double plus = referenceLoss();
            p[index] = saved - H;
            double minus = referenceLoss();
            p[index] = saved;
            return (plus - minus) / (2 * H);
        }

        /** The mean loss of the double model. */
        double referenceLoss() {
            double[] y = forward(null);
            int n = sizes[sizes.length - 1];
            double sum = 0;
            switch (head.loss) {
                case BCE -> {
                    float[] t = data.targets();
                    for (int i = 0; i < ROWS * n; i++) {
                        sum -= t[i] * Math.log(y[i]) + (1 - t[i]) * Math.log(1 - y[i]);
                    }
                    return sum / (ROWS * n);
                }
                case CE -> {
                    for (int i = 0; i < ROWS; i++) {
                        sum -= Math.log(y[i * n + data.labels()[i]]);
                    }
                    return sum / ROWS;
                }
                case MSE -> {
                    float[] t = data.targets();
                    for (int i = 0; i < ROWS * n; i++) {
                        sum += (y[i] - t[i]) * (y[i] - t[i]);
                    }
                    return sum / (ROWS * n);
                }
                default -> throw new AssertionError();
            }
        }

        /** Forward pass in double; records the smallest relu pre-activation magnitude in {@code margin[0]}. */
        private double[] forward(double[] margin) {
            double[] in = x;
            for (int l = 0; l + 1 < sizes.length; l++) {
                int k = sizes[l];
                int n = sizes[l + 1];
                double[] out = new double[ROWS * n];
                for (int i = 0; i < ROWS; i++) {
                    for (int j = 0; j < n; j++) {
                        double z = b[l][j];
                        for (int p = 0; p < k; p++) {
                            z += in[i * k + p] * w[l][p * n + j];
                        }
                        if (acts[l] == Activation.RELU && margin != null) {
                            margin[0] = Math.min(margin[0], Math.abs(z));
                        }
                        out[i * n + j] = switch (acts[l]) {
                            case IDENTITY, SOFTMAX -> z;
                            case SIGMOID -> 1 / (1 + Math.exp(-z));
                            case TANH -> Math.tanh(z);
                            case RELU -> Math.max(0, z);
                        };
                    }
                    if (acts[l] == Activation.SOFTMAX) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < n; j++) {
                            max = Math.max(max, out[i * n + j]);
                        }
                        double s = 0;
                        for (int j = 0; j < n; j++) {
                            out[i * n + j] = Math.exp(out[i * n + j] - max);
                            s += out[i * n + j];
                        }
                        for (int j = 0; j < n; j++) {
                            out[i * n + j] /= s;
                        }
                    }
                }
                in = out;
            }
            return in;
        }
    }
}
