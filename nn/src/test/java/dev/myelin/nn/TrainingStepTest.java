package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The public training step: its public entry points give what {@link Trainer#fit} (which runs its batches through
 * the same step) gives, bit for bit; batches are read where their offsets say; loss and gradient agree with a
 * double-precision oracle; bad batches are refused clearly.
 */
class TrainingStepTest {

    private static final DenseOps OPS = DenseOps.defaults();

    private static float[] uniform(Random r, int size, float lo, float hi) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = lo + (hi - lo) * r.nextFloat();
        }
        return a;
    }

    private static int[] labels(Random r, int size, int classes) {
        int[] a = new int[size];
        for (int i = 0; i < size; i++) {
            a[i] = r.nextInt(classes);
        }
        return a;
    }

    private static Mlp model(int[] sizes, Activation hidden, Activation output, long seed) {
        Mlp m = Mlp.of(sizes, hidden, output);
        Init.TORCH.initialize(m, seed);
        return m;
    }

    private static void assertSameParameters(Mlp expected, Mlp actual) {
        for (int l = 0; l < expected.layers().size(); l++) {
            assertArrayEquals(expected.layers().get(l).weights(), actual.layers().get(l).weights(), "W of layer " + l);
            assertArrayEquals(expected.layers().get(l).bias(), actual.layers().get(l).bias(), "b of layer " + l);
        }
    }

    @Test
    void stepsOnTheWholeDataAreTheTrainersFullBatchEpochs() {
        Random r = new Random(11);
        int rows = 37, inputs = 9, classes = 4;
        Dataset data = Dataset.classes(uniform(r, rows * inputs, -1, 1), rows, inputs, labels(r, rows, classes),
                classes);
        OptimizerSpec adam = OptimizerSpec.adam(0.01);
        Mlp viaTrainer = model(new int[] {inputs, 17, classes}, Activation.TANH, Activation.SOFTMAX, 5);
        Mlp viaStep = viaTrainer.copy();
        TrainingResult result = new Trainer(OPS).fit(viaTrainer, data,
                new TrainingConfig(Loss.CE, 3, 0, adam, 0, GradientConvention.MEAN), null);

        TrainingStep step = new TrainingStep(viaStep, Loss.CE, adam, rows, OPS);
        double last = Double.NaN;
        for (int epoch = 0; epoch < 3; epoch++) {
            last = step.step(data.features(), 0, data.labels(), 0, rows, adam.learningRate(epoch));
        }
        assertSameParameters(viaTrainer, viaStep);
        assertEquals(result.finalLoss(), last, "the last epoch's loss");
        assertEquals(3, step.optimizer().stepCount());
    }

    @Test
    void aBatchIsReadFromItsOffsetsAndNothingAroundIt() {
        Random r = new Random(12);
        int m = 6, inputs = 5, outputs = 3, before = 4, after = 3;
        float[] x = uniform(r, m * inputs, -2, 2);
        float[] t = uniform(r, m * outputs, 0, 1);
        int[] lab = labels(r, m, outputs);
        // The same batch inside larger arrays whose other rows would poison any result they reached.
        float[] xBig = new float[(before + m + after) * inputs];
        Arrays.fill(xBig, Float.NaN);
        System.arraycopy(x, 0, xBig, before * inputs, x.length);
        float[] tBig = new float[(before + m + after) * outputs];
        Arrays.fill(tBig, Float.NaN);
        System.arraycopy(t, 0, tBig, before * outputs, t.length);
        int[] labBig = new int[before + m + after];
        Arrays.fill(labBig, -1);
        System.arraycopy(lab, 0, labBig, before, m);

        for (Loss loss : Loss.values()) {
            Mlp a = model(new int[] {inputs, 7, outputs}, Activation.RELU, loss.outputActivation(), 3);
            Mlp b = a.copy();
            TrainingStep alone = new TrainingStep(a, loss, OptimizerSpec.sgd(0.1), 16, OPS);
            TrainingStep inside = new TrainingStep(b, loss, OptimizerSpec.sgd(0.1), 16, OPS);
            double expected = loss == Loss.CE ? alone.gradients(x, 0, lab, 0, m) : alone.gradients(x, 0, t, 0, m);
            double actual = loss == Loss.CE ? inside.gradients(xBig, before * inputs, labBig, before, m)
                    : inside.gradients(xBig, before * inputs, tBig, before * outputs, m);
            assertEquals(expected, actual, "loss " + loss);
            assertTrue(Double.isFinite(actual), "loss " + loss + ": " + actual);
            for (int l = 0; l < 2; l++) {
                assertArrayEquals(a.layers().get(l).weightGradient(), b.layers().get(l).weightGradient(),
                        loss + ", dW of layer " + l);
                assertArrayEquals(a.layers().get(l).biasGradient(), b.layers().get(l).biasGradient(),
                        loss + ", db of layer " + l);
            }
        }
    }

    /**
     * One softmax layer, so the oracle is short: in double, P = softmax(X·W + b), loss = −mean ln P[label],
     * dW = Xᵀ·(P − onehot)/m, db = Σ (P − onehot)/m; then SGD moves every parameter by −lr·gradient. Bounds: the
     * loss to 1e-6 relative and each gradient element to 1e-5 of the gradient's largest magnitude (float
     * arithmetic over k = 37 or m = 41 terms: a wrong row, a missing 1/m or a sign slip is off by far more).
     * 41 rows: more than the engine's few-rows threshold, so the packed forward and weight gradient are what is
     * checked. (The multi-layer passes, with dX, are checked by finite differences: GradientCheckTest.)
     */
    @Test
    void lossGradientAndUpdateAgreeWithADoubleOracle() {
        Random r = new Random(13);
        int m = 41, k = 37, n = 5;
        float[] x = uniform(r, m * k, -1, 1);
        int[] lab = labels(r, m, n);
        Mlp model = model(new int[] {k, n}, Activation.SIGMOID, Activation.SOFTMAX, 8);
        Dense layer = model.layers().get(0);
        float[] w0 = layer.weights().clone();
        float[] b0 = layer.bias().clone();

        double[] dW = new double[k * n];
        double[] db = new double[n];
        double loss = 0;
        for (int i = 0; i < m; i++) {
            double[] z = new double[n];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                z[j] = b0[j];
                for (int p = 0; p < k; p++) {
                    z[j] += (double) x[i * k + p] * w0[p * n + j];
                }
                max = Math.max(max, z[j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                sum += Math.exp(z[j] - max);
            }
            loss += (max + Math.log(sum) - z[lab[i]]) / m;
            for (int j = 0; j < n; j++) {
                double g = (Math.exp(z[j] - max) / sum - (j == lab[i] ? 1 : 0)) / m;
                db[j] += g;
                for (int p = 0; p < k; p++) {
                    dW[p * n + j] += x[i * k + p] * g;
                }
            }
        }

        double lr = 0.5;
        TrainingStep step = new TrainingStep(model, Loss.CE, OptimizerSpec.sgd(lr), m, OPS);
        double value = step.gradients(x, 0, lab, 0, m);
        assertEquals(loss, value, 1e-6 * loss, "loss");
        double scale = Arrays.stream(dW).map(Math::abs).max().orElseThrow();
        for (int i = 0; i < dW.length; i++) {
            assertEquals(dW[i], layer.weightGradient()[i], 1e-5 * scale, "dW[" + i + "]");
        }
        for (int j = 0; j < n; j++) {
            assertEquals(db[j], layer.biasGradient()[j], 1e-5 * scale, "db[" + j + "]");
        }
        step.update(lr);
        for (int i = 0; i < dW.length; i++) {
            assertEquals(w0[i] - lr * dW[i], layer.weights()[i], 1e-5 * lr * scale + 1e-6, "W[" + i + "] after");
        }
        for (int j = 0; j < n; j++) {
            assertEquals(b0[j] - lr * db[j], layer.bias()[j], 1e-5 * lr * scale + 1e-6, "b[" + j + "] after");
        }
    }

    @Test
    void aNaNInputGivesANaNLossAndIsNotRefused() {
        Mlp model = model(new int[] {3, 2}, Activation.SIGMOID, Activation.IDENTITY, 1);
        TrainingStep step = new TrainingStep(model, Loss.MSE, OptimizerSpec.sgd(0.1), 4, OPS);
        float[] x = {1, Float.NaN, 0, 0.5f, 0.5f, 0.5f};
        float[] t = {0, 1, 1, 0};
        assertTrue(Double.isNaN(step.gradients(x, 0, t, 0, 2)));
        assertTrue(Float.isNaN(model.layers().get(0).weightGradient()[2]), "dW from the NaN input's row");
    }

    /**
     * A step whose loss is not finite updates nothing: it names the first non-finite input or target, or the
     * model's overflow, and leaves the parameters and Adam's moments as they were, so the next batch steps as
     * from the start (a review found a NaN target poisoning the moments for good).
     */
    @Test
    void aStepWithANonFiniteLossUpdatesNothingAndSaysWhy() {
        for (Object[] c : new Object[][] {
                {new float[] {1, 2, 3, 4, 5, 6}, new float[] {0, Float.NaN, 1, 1},
                        "targets: the batch's row 1, column 2 is NaN; the batch's loss is NaN, so nothing was updated"},
                {new float[] {1, 2, 3, 4, Float.POSITIVE_INFINITY, 6}, new float[] {0, 0, 1, 1},
                        "x: the batch's row 2, column 2 is Infinity, so nothing was updated (a step needs finite"
                                + " inputs"},
                {new float[] {1, Float.NaN, 3, 4, 5, 6}, new float[] {0, 0, 1, 1},
                        "x: the batch's row 1, column 2 is NaN, so nothing was updated"},
                {new float[] {1, 2, 3, 4, 5, 6}, new float[] {0, Float.NEGATIVE_INFINITY, 1, 1},
                        "targets: the batch's row 1, column 2 is -Infinity; "}}) {
            Mlp model = model(new int[] {3, 2}, Activation.SIGMOID, Activation.IDENTITY, 2);
            Mlp untouched = model.copy();
            TrainingStep step = new TrainingStep(model, Loss.MSE, OptimizerSpec.adam(0.01), 2, OPS);
            String message = refusal(() -> step.step((float[]) c[0], 0, (float[]) c[1], 0, 2, 0.01));
            assertTrue(message.startsWith((String) c[2]), message);
            assertSameParameters(untouched, model);
            // the moments are untouched too: a clean batch now steps exactly as a fresh step's first one
            Mlp fresh = untouched.copy();
            float[] x = {1, 2, 3, 4, 5, 6};
            float[] t = {0, 0, 1, 1};
            new TrainingStep(fresh, Loss.MSE, OptimizerSpec.adam(0.01), 2, OPS).step(x, 0, t, 0, 2, 0.01);
            step.step(x, 0, t, 0, 2, 0.01);
            assertSameParameters(fresh, model);
        }
        // finite data, a model whose outputs overflow: said as such, nothing updated
        Mlp huge = model(new int[] {2, 1}, Activation.SIGMOID, Activation.IDENTITY, 3);
        java.util.Arrays.fill(huge.layers().get(0).weights(), 3e38f);
        Mlp before = huge.copy();
        TrainingStep overflowing = new TrainingStep(huge, Loss.MSE, OptimizerSpec.sgd(0.1), 1, OPS);
        String message = assertThrows(IllegalStateException.class,
                () -> overflowing.step(new float[] {2, 2}, 0, new float[] {0}, 0, 1, 0.1)).getMessage();
        assertTrue(message.startsWith("the batch's loss is Infinity, so nothing was updated: its inputs and targets"
                + " are finite, so the model's outputs overflow"), message);
        assertSameParameters(before, huge);
    }

    /**
     * An infinite input into sigmoid hidden units leaves the loss finite (the unit saturates) while its weights'
     * gradients are ∞·0 = NaN: a step had taken it, turned parameters into NaN, and blamed the next, clean batch.
     */
    @Test
    void anInfiniteInputThatASaturatingLayerHidesFromTheLossIsRefused() {
        for (OptimizerSpec spec : new OptimizerSpec[] {OptimizerSpec.sgd(0.1), OptimizerSpec.adam(0.01)}) {
            Mlp model = model(new int[] {4, 8, 3}, Activation.SIGMOID, Activation.SOFTMAX, 1);
            Mlp untouched = model.copy();
            float[] x = {0.1f, 0.2f, Float.POSITIVE_INFINITY, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
            TrainingStep probe = new TrainingStep(model.copy(), Loss.CE, spec, 2, OPS);
            assertTrue(Double.isFinite(probe.gradients(x, 0, new int[] {0, 1}, 0, 2)),
                    "the case in point: the loss stays finite");
            TrainingStep step = new TrainingStep(model, Loss.CE, spec, 2, OPS);
            String message = refusal(() -> step.step(x, 0, new int[] {0, 1}, 0, 2, 0.1));
            assertTrue(message.startsWith("x: the batch's row 1, column 3 is Infinity, so nothing was updated"),
                    message);
            assertSameParameters(untouched, model);
        }
    }

    private static String refusal(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    @Test
    void badBatchesAreRefusedNamingWhatIsWrong() {
        Mlp ce = model(new int[] {4, 3}, Activation.SIGMOID, Activation.SOFTMAX, 1);
        TrainingStep ceStep = new TrainingStep(ce, Loss.CE, OptimizerSpec.sgd(0.1), 8, OPS);
        float[] x = new float[8 * 4];
        int[] lab = new int[8];
        assertEquals("a batch of 0 rows; this step takes 1 to 8", refusal(() -> ceStep.gradients(x, 0, lab, 0, 0)));
        assertEquals("a batch of 9 rows; this step takes 1 to 8", refusal(() -> ceStep.gradients(x, 0, lab, 0, 9)));
        assertEquals("x: 8 rows of 4 from offset 4 need 36 elements, but the array has 32",
                refusal(() -> ceStep.gradients(x, 4, lab, 0, 8)));
        assertEquals("x offset -4 is negative", refusal(() -> ceStep.gradients(x, -4, lab, 0, 1)));
        assertEquals("labels offset -1 is negative", refusal(() -> ceStep.gradients(x, 0, lab, -1, 2)));
        assertEquals("labels: 8 rows of 1 from offset 1 need 9 elements, but the array has 8",
                refusal(() -> ceStep.gradients(x, 0, lab, 1, 8)));
        int[] bad = {0, 1, 3, 0};
        assertEquals("labels[2], the label of row 3 of 4, is 3 but must be a class index in [0, 3)",
                refusal(() -> ceStep.gradients(x, 0, bad, 0, 4)));
        int[] badLater = {0, 0, 0, 1, 7};
        assertEquals("labels[4], the label of row 2 of 2, is 7 but must be a class index in [0, 3)",
                refusal(() -> ceStep.gradients(x, 0, badLater, 3, 2)));
        assertEquals("loss ce takes class labels (an int[] of m labels in [0, 3)), not target columns",
                refusal(() -> ceStep.gradients(x, 0, new float[24], 0, 8)));

        Mlp bce = model(new int[] {4, 2}, Activation.SIGMOID, Activation.SIGMOID, 1);
        TrainingStep bceStep = new TrainingStep(bce, Loss.BCE, OptimizerSpec.sgd(0.1), 8, OPS);
        assertEquals("loss bce takes target columns (a float[] of m × 2), not class labels",
                refusal(() -> bceStep.gradients(x, 0, lab, 0, 8)));
        float[] t = new float[16];
        assertEquals("targets offset -2 is negative", refusal(() -> bceStep.gradients(x, 0, t, -2, 2)));
        t[5] = 1.5f;
        assertEquals("loss bce needs targets in [0, 1], but the batch's row 3 column 2 is 1.5",
                refusal(() -> bceStep.gradients(x, 0, t, 0, 8)));
        t[5] = Float.NaN;
        assertEquals("loss bce needs targets in [0, 1], but the batch's row 3 column 2 is NaN",
                refusal(() -> bceStep.gradients(x, 0, t, 0, 8)));
        // targets may start anywhere in their array, as x may: the same targets one float later, the same pass
        t[5] = 1f;
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 7) * 0.1f;
        }
        float[] shifted = new float[t.length + 1];
        System.arraycopy(t, 0, shifted, 1, t.length);
        double atZero = bceStep.gradients(x, 0, t, 4, 2);
        float[] gradient = bce.layers().get(0).weightGradient().clone();
        assertEquals(atZero, bceStep.gradients(x, 0, shifted, 5, 2));
        assertArrayEquals(gradient, bce.layers().get(0).weightGradient());

        assertEquals("loss ce needs a softmax output layer, but the model's last layer is sigmoid (its loss would be bce)",
                refusal(() -> new TrainingStep(bce, Loss.CE, OptimizerSpec.sgd(0.1), 8, OPS)));
        assertEquals("maxRows must be at least 1, got 0",
                refusal(() -> new TrainingStep(bce, Loss.BCE, OptimizerSpec.sgd(0.1), 0, OPS)));
        assertTrue(refusal(() -> bceStep.update(Double.NaN)).contains("finite"));
        // a finite double that is infinite as the float the update multiplies by: refused, not NaN weights
        assertEquals("the learning rate of a step must be finite and at least 0, got 1.0E39, which is Infinity as a"
                + " float, the precision training computes in", refusal(() -> bceStep.update(1e39)));
        float[] before = bce.layers().get(0).weights().clone();
        assertThrows(IllegalArgumentException.class, () -> bceStep.update(3.5e38));
        assertArrayEquals(before, bce.layers().get(0).weights(), "nothing updated");
    }
}
