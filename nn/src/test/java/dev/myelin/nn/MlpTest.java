package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Validation and small behaviours of Dense, Mlp, Dataset, Loss and TrainingConfig. */
class MlpTest {

    private static void assertMessage(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
    }

    @Test
    void denseValidatesSizes() {
        assertMessage("a dense layer needs at least 1 input, got 0", () -> new Dense(0, 1, Activation.RELU));
        assertMessage("a dense layer needs at least 1 output, got -2", () -> new Dense(3, -2, Activation.RELU));
        assertThrows(NullPointerException.class, () -> new Dense(1, 1, null));
        Dense d = new Dense(3, 2, Activation.TANH);
        assertEquals(6, d.weights().length);
        assertEquals(6, d.weightGradient().length);
        assertEquals(2, d.bias().length);
        assertEquals(2, d.biasGradient().length);
        assertArrayEquals(new float[6], d.weights());
    }

    @Test
    void mlpValidatesTheChain() {
        assertMessage("an MLP needs at least one layer", () -> new Mlp(List.of()));
        assertMessage("layer 2 has 3 inputs but layer 1 has 4 outputs", () -> new Mlp(List.of(
                new Dense(2, 4, Activation.TANH), new Dense(3, 1, Activation.SIGMOID))));
        assertMessage("layer 1 of 2 has softmax activation, which is allowed on the last layer only",
                () -> new Mlp(List.of(new Dense(2, 4, Activation.SOFTMAX), new Dense(4, 1, Activation.SIGMOID))));
        Dense shared = new Dense(3, 3, Activation.TANH);
        assertMessage("layer 2 is the same Dense object as layer 1 (layers must not share parameters)",
                () -> new Mlp(List.of(shared, shared)));
        assertThrows(NullPointerException.class, () -> new Mlp(null));
        assertEquals("layer 2 is null", assertThrows(NullPointerException.class, () -> new Mlp(java.util.Arrays.asList(
                new Dense(2, 4, Activation.TANH), null))).getMessage());
    }

    @Test
    void ofBuildsTheSizes() {
        Mlp m = Mlp.of(new int[] {2, 4, 3, 1}, Activation.RELU, Activation.SIGMOID);
        assertEquals("2→4 relu, 4→3 relu, 3→1 sigmoid", m.describe());
        assertEquals(2, m.inputs());
        assertEquals(1, m.outputs());
        assertEquals(2 * 4 + 4 + 4 * 3 + 3 + 3 + 1, m.parameterCount());
        assertMessage("an MLP needs at least two sizes (inputs and outputs), got 1",
                () -> Mlp.of(new int[] {2}, Activation.RELU, Activation.SIGMOID));
        assertMessage("size 2 of 3 must be at least 1, got 0",
                () -> Mlp.of(new int[] {2, 0, 1}, Activation.RELU, Activation.SIGMOID));
        assertMessage("layer 1 of 2 has softmax activation, which is allowed on the last layer only",
                () -> Mlp.of(new int[] {2, 2, 2}, Activation.SOFTMAX, Activation.SOFTMAX));
        assertMessage("layer 2 has softmax activation over 1 output, which is 1 whatever its input (softmax needs"
                + " at least 2 classes)", () -> Mlp.of(new int[] {2, 3, 1}, Activation.RELU, Activation.SOFTMAX));
        assertEquals(2, Mlp.of(new int[] {2, 3, 2}, Activation.RELU, Activation.SOFTMAX).outputs());
    }

    @Test
    void layersAreUnmodifiableAndCopyIsDeep() {
        List<Dense> list = new ArrayList<>(List.of(new Dense(2, 1, Activation.SIGMOID)));
        Mlp m = new Mlp(list);
        list.add(new Dense(1, 1, Activation.SIGMOID));
        assertEquals(1, m.layers().size());
        assertThrows(UnsupportedOperationException.class, () -> m.layers().add(new Dense(1, 1, Activation.RELU)));
        m.layers().get(0).weights()[1] = 3f;
        Mlp c = m.copy();
        assertNotSame(m.layers().get(0), c.layers().get(0));
        assertArrayEquals(m.layers().get(0).weights(), c.layers().get(0).weights());
        c.layers().get(0).weights()[1] = 4f;
        assertEquals(3f, m.layers().get(0).weights()[1]);
    }

    @Test
    void predictComputesTheNetwork() {
        Dense h = new Dense(2, 2, Activation.RELU);
        System.arraycopy(new float[] {1, -1, 2, 0.5f}, 0, h.weights(), 0, 4); // W[i][j], row-major
        h.bias()[1] = 0.25f;
        Dense o = new Dense(2, 1, Activation.SIGMOID);
        o.weights()[0] = 0.5f;
        o.weights()[1] = -1f;
        o.bias()[0] = 0.125f;
        Mlp m = new Mlp(List.of(h, o));
        float[] x = {1, 2, -1, 0};
        // row 1: z = (1·1 + 2·2, 1·(−1) + 2·0.5 + 0.25) = (5, 0.25); out = σ(2.5 − 0.25 + 0.125)
        // row 2: z = (−1, 1 + 0.25) → relu (0, 1.25); out = σ(−1.25 + 0.125)
        double[] expected = {1 / (1 + Math.exp(-2.375)), 1 / (1 + Math.exp(1.125))};
        for (DenseOps ops : new DenseOps[] {DenseOps.of("scalar"), DenseOps.defaults()}) {
            float[] y = m.predict(x, 2, ops);
            assertEquals(2, y.length);
            assertEquals(expected[0], y[0], 1e-6, ops.toString());
            assertEquals(expected[1], y[1], 1e-6, ops.toString());
        }
        assertMessage("x has 3 values but 2 rows × 2 inputs = 4", () -> m.predict(new float[3], 2));
        assertMessage("rows must be at least 1, got 0", () -> m.predict(new float[0], 0));
    }

    @Test
    void datasetValidates() {
        assertMessage("features has 3 values but 2 rows × 2 inputs = 4",
                () -> Dataset.regression(new float[3], 2, 2, new float[2], 1));
        assertMessage("targets has 3 values but 2 rows × 1 outputs = 2",
                () -> Dataset.regression(new float[4], 2, 2, new float[3], 1));
        assertMessage("label of row 2 is 3, outside [0, 3)",
                () -> Dataset.classes(new float[4], 2, 2, new int[] {0, 3}, 3));
        assertMessage("labels has 1 value but there are 2 rows",
                () -> Dataset.classes(new float[4], 2, 2, new int[] {0}, 3));
        Dataset xor = Dataset.xor();
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, xor.features());
        assertArrayEquals(new float[] {0, 1, 1, 0}, xor.targets());
        assertEquals(4, xor.rows());
        assertEquals(2, xor.inputs());
        assertEquals(1, xor.outputs());
    }

    @Test
    void lossParsesAndPairsWithItsActivation() {
        assertEquals(Loss.BCE, Loss.parse("BCE"));
        assertEquals(Loss.CE, Loss.parse("ce"));
        assertEquals(Loss.MSE, Loss.parse(" mse"));
        assertMessage("unknown loss 'x' (expected one of bce, ce, mse)", () -> Loss.parse("x"));
        // ASCII letters in either case, nothing that only Unicode's case rules equate ('ſ' is 'S' upper-cased)
        assertEquals(Activation.SIGMOID, Activation.parse("SigMoid"));
        for (String lookalike : new String[] {"ſigmoid", "SİGMOİD"}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> Activation.parse(lookalike)).getMessage()
                    .startsWith("unknown activation '" + lookalike + "' (expected one of "), lookalike);
        }
        assertEquals(Activation.SIGMOID, Loss.BCE.outputActivation());
        assertEquals(Activation.SOFTMAX, Loss.CE.outputActivation());
        assertEquals(Activation.IDENTITY, Loss.MSE.outputActivation());
    }

    @Test
    void trainingConfigValidates() {
        assertMessage("--epochs must be at least 1, got 0",
                () -> new TrainingConfig(Loss.BCE, 0, 0, 0.1f, 0, GradientConvention.MEAN));
        assertMessage("--batch-size must be at least 0 (0 = full batch), got -1",
                () -> new TrainingConfig(Loss.BCE, 1, -1, 0.1f, 0, GradientConvention.MEAN));
        assertMessage("--lr must be finite and greater than 0, got 0.0",
                () -> new TrainingConfig(Loss.BCE, 1, 0, 0f, 0, GradientConvention.MEAN));
        assertMessage("--lr must be finite and greater than 0, got NaN",
                () -> new TrainingConfig(Loss.BCE, 1, 0, Float.NaN, 0, GradientConvention.MEAN));
        assertMessage("--lr must be finite and greater than 0, got Infinity",
                () -> new TrainingConfig(Loss.BCE, 1, 0, Float.POSITIVE_INFINITY, 0, GradientConvention.MEAN));
        assertEquals(GradientConvention.MEAN, new TrainingConfig(Loss.CE, 1, 0, 1f, 0).convention());
        assertMessage("--lr must be finite and greater than 0, got -1.0",
                () -> new TrainingConfig(Loss.BCE, 1, 0, -1f, 0));
    }

    /**
     * {@code predict} goes through the rows in equal chunks of at most {@link Mlp#PREDICT_CHUNK}; the outputs are
     * those of one forward pass over all rows, bit for bit, with and without an input scaling: 3 chunks of 2 734 or
     * 2 733 rows, and 5 rows, which take the unpacked few-rows forward (the first layer is deeper than the engine's k
     * block: k = 300).
     */
    @Test
    void predictInChunksGivesTheBitsOfOnePass() {
        for (int rows : new int[] {2 * Mlp.PREDICT_CHUNK + 5, 5}) {
            Mlp m = Mlp.of(new int[] {300, 20, 3}, Activation.SIGMOID, Activation.SOFTMAX);
            Init.UNIFORM01.initialize(m, 3);
            java.util.Random random = new java.util.Random(4);
            float[] x = new float[rows * 300];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            DenseOps ops = DenseOps.defaults();
            float[] whole = new ForwardBackward(m, rows, false).forward(ops, x, rows);
            assertArrayEquals(java.util.Arrays.copyOf(whole, rows * 3), m.predict(x, rows, ops), rows + " rows");
            float[] mean = new float[300];
            float[] std = new float[300];
            java.util.Arrays.fill(mean, 0.25f);
            java.util.Arrays.fill(std, 2f);
            float[] scaledCopy = x.clone();
            InputScaling scaling = new InputScaling(mean, std);
            scaling.apply(scaledCopy, 300);
            float[] wholeScaled = new ForwardBackward(m, rows, false).forward(ops, scaledCopy, rows);
            m.setInputScaling(scaling);
            float[] before = x.clone();
            assertArrayEquals(java.util.Arrays.copyOf(wholeScaled, rows * 3), m.predict(x, rows, ops),
                    rows + " rows, scaled");
            assertArrayEquals(before, x, "predict must not change its input");
        }
    }

    /** Found by an API probe: more outputs than one array holds was a bare "integer overflow". */
    @Test
    void predictingMoreOutputsThanAnArrayHoldsIsNamed() {
        Mlp m = Mlp.of(new int[] {1, 1000}, Activation.RELU, Activation.IDENTITY);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.predict(new float[3_000_000], 3_000_000, DenseOps.of("scalar")));
        assertEquals("3000000 rows × 1000 outputs = 3000000000 values are more than one array holds (2³¹); predict"
                + " fewer rows per call", e.getMessage());
    }
}
