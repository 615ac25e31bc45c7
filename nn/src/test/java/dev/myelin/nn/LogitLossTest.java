package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import dev.myelin.core.Losses;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Cross-entropy losses where the float outputs have lost the digits of their logarithm: a class probability that
 * underflows, a sigmoid output that rounds to 1 against a target 0. The oracle is the loss written from the logits
 * in double here, as PyTorch's {@code CrossEntropyLoss} and {@code BCEWithLogitsLoss} (and numpy in float64) give
 * it; before {@link LogitLoss} the reported losses were 50 for an oracle of 60, and 33.3 for 6.67 (the clamp of
 * each logarithm at −100). Rows that kept their digits keep the float value bit for bit.
 */
class LogitLossTest {

    private static final DenseOps OPS = DenseOps.defaults();

    /** A 1 → 2 softmax layer with weights [[w, 0]], bias 0: on x = 1 the logits are (w, 0). */
    private static Mlp softmaxUnit(float w) {
        Mlp m = Mlp.of(new int[] {1, 2}, Activation.SIGMOID, Activation.SOFTMAX);
        m.layers().get(0).weights()[0] = w;
        m.layers().get(0).weights()[1] = 0;
        m.layers().get(0).bias()[0] = 0;
        m.layers().get(0).bias()[1] = 0;
        return m;
    }

    /** −log softmax(z)[label], in double. */
    private static double ceOracle(double[] z, int label) {
        double max = Math.max(z[0], z[1]);
        return max + Math.log(Math.exp(z[0] - max) + Math.exp(z[1] - max)) - z[label];
    }

    @Test
    void crossEntropyOfAnUnderflowedClassIsTakenFromTheLogits() {
        for (float w : new float[] {120, 200, 1000}) {
            Dataset data = Dataset.classes(new float[] {1, 1}, 2, 1, new int[] {1, 0}, 2);
            double expected = (ceOracle(new double[] {w, 0}, 1) + ceOracle(new double[] {w, 0}, 0)) / 2;
            double evaluated = Evaluation.of(softmaxUnit(w), data, Loss.CE, OPS).loss();
            assertEquals(expected, evaluated, 1e-9 * expected, "evaluation, w = " + w);

            Mlp model = softmaxUnit(w);
            ForwardBackward step = new ForwardBackward(model, 2, true);
            double trained = step.lossAndGradients(OPS, data.features(), 0, null, data.labels(), 0, 2, Loss.CE,
                    GradientConvention.MEAN);
            assertEquals(expected, trained, 1e-9 * expected, "training step, w = " + w);
        }
    }

    @Test
    void binaryCrossEntropyOfAConfidentWrongOutputIsTakenFromTheLogits() {
        // 1 → 1 sigmoid with weight 20: z = 20, −20, 20 against targets 0, 0, 1
        Mlp model = Mlp.of(new int[] {1, 1}, Activation.SIGMOID, Activation.SIGMOID);
        model.layers().get(0).weights()[0] = 20;
        model.layers().get(0).bias()[0] = 0;
        Dataset data = Dataset.regression(new float[] {1, -1, 1}, 3, 1, new float[] {0, 0, 1}, 1);
        double expected = (softplus(20) + softplus(-20) + softplus(-20)) / 3; // t·sp(−z) + (1 − t)·sp(z)
        assertEquals(expected, Evaluation.of(model, data, Loss.BCE, OPS).loss(), 1e-9 * expected);
        ForwardBackward step = new ForwardBackward(model, 3, true);
        assertEquals(expected, step.lossAndGradients(OPS, data.features(), 0, data.targets(), null, 0, 3, Loss.BCE,
                GradientConvention.MEAN), 1e-9 * expected);
    }

    /** Through a hidden layer: the logits are recomputed from the hidden activations, not from the input. */
    @Test
    void theOutputLayersInputIsTheHiddenLayer() {
        Mlp model = Mlp.of(new int[] {1, 1, 2}, Activation.IDENTITY, Activation.SOFTMAX);
        model.layers().get(0).weights()[0] = 3;
        model.layers().get(0).bias()[0] = 1; // h = 3x + 1 = 4 on x = 1
        float[] w = model.layers().get(1).weights();
        w[0] = 50;
        w[1] = -10;
        model.layers().get(1).bias()[0] = 0;
        model.layers().get(1).bias()[1] = 0; // z = (200, −40)
        Dataset data = Dataset.classes(new float[] {1}, 1, 1, new int[] {1}, 2);
        assertEquals(240, Evaluation.of(model, data, Loss.CE, OPS).loss(), 1e-9 * 240);
    }

    /** Random models and data far from saturation: the value is Losses' from the float outputs, bit for bit. */
    @Test
    void rowsThatKeptTheirDigitsKeepTheFloatValue() {
        Random r = new Random(4);
        Mlp model = Mlp.of(new int[] {5, 7, 3}, Activation.TANH, Activation.SOFTMAX);
        Init.XAVIER.initialize(model, 3);
        float[] x = new float[40 * 5];
        int[] labels = new int[40];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < labels.length; i++) {
            labels[i] = r.nextInt(3);
        }
        Dataset data = Dataset.classes(x, 40, 5, labels, 3);
        float[] p = model.predict(x, 40, OPS);
        double fromFloats = Losses.crossEntropy(40, 3, p, 0, 3, labels, 0);
        assertEquals(Double.doubleToLongBits(fromFloats),
                Double.doubleToLongBits(Evaluation.of(model, data, Loss.CE, OPS).loss()));
    }

    @Test
    void nanPropagates() {
        Dataset data = Dataset.classes(new float[] {Float.NaN, 1}, 2, 1, new int[] {1, 0}, 2);
        assertTrue(Double.isNaN(Evaluation.of(softmaxUnit(150), data, Loss.CE, OPS).loss()));
    }

    private static double softplus(double x) {
        return Math.log1p(Math.exp(x)); // small |x| here: no overflow
    }
}
