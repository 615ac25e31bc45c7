package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class InitTest {

    @Test
    void uniformDrawsTheDocumentsWeightsThenBias() {
        // python3 -c "import numpy as np; np.random.seed(7); W=np.random.rand(2,1); b=np.random.rand(1,1);
        //   print(repr(W.tolist()), repr(b.tolist()))"
        //   -> [[0.07630828937395717], [0.7799187922401146]] [[0.4384092314408935]]
        Mlp m = Mlp.of(new int[] {2, 1}, Activation.SIGMOID, Activation.SIGMOID);
        Init.UNIFORM01.initialize(m, 7);
        Dense d = m.layers().get(0);
        assertArrayEquals(new float[] {(float) 0.07630828937395717, (float) 0.7799187922401146}, d.weights());
        assertArrayEquals(new float[] {(float) 0.4384092314408935}, d.bias());
    }

    @Test
    void uniformGoesLayerByLayerRowMajor() {
        // python3 -c "import numpy as np; np.random.seed(7); W1=np.random.rand(2,3); b1=np.random.rand(1,3);
        //   W2=np.random.rand(3,1); b2=np.random.rand(1,1); print(repr(W1.tolist()), repr(b1.tolist()),
        //   repr(W2.tolist()), repr(b2.tolist()))"
        double[] w1 = {0.07630828937395717, 0.7799187922401146, 0.4384092314408935, 0.7234651778309412,
                0.9779895119966027, 0.5384958704104337};
        double[] b1 = {0.5011204636599379, 0.07205113335976154, 0.26843898010187117};
        double[] w2 = {0.49988250082555996, 0.6792299961209405, 0.8037390361043755};
        double[] b2 = {0.3809411331485384};
        Mlp m = Mlp.of(new int[] {2, 3, 1}, Activation.TANH, Activation.SIGMOID);
        Init.UNIFORM01.initialize(m, 7);
        assertArrayEquals(toFloat(w1), m.layers().get(0).weights());
        assertArrayEquals(toFloat(b1), m.layers().get(0).bias());
        assertArrayEquals(toFloat(w2), m.layers().get(1).weights());
        assertArrayEquals(toFloat(b2), m.layers().get(1).bias());
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Test
    void xavierAndHeStayInTheirRangesWithZeroBias() {
        Mlp m = Mlp.of(new int[] {50, 30, 10}, Activation.RELU, Activation.IDENTITY);
        for (Init init : new Init[] {Init.XAVIER, Init.HE}) {
            Arrays.fill(m.layers().get(0).bias(), 5f);
            init.initialize(m, 3);
            for (Dense d : m.layers()) {
                double limit = init == Init.XAVIER ? Math.sqrt(6.0 / (d.inputs() + d.outputs()))
                        : Math.sqrt(6.0 / d.inputs());
                double max = 0;
                double sum = 0;
                for (float w : d.weights()) {
                    assertTrue(Math.abs(w) <= (float) limit, init + " " + d + ": " + w + " outside ±" + limit);
                    max = Math.max(max, Math.abs(w));
                    sum += w;
                }
                // Uniform on ±limit: the largest of n ≥ 300 draws is near the limit, the mean near 0.
                assertTrue(max > 0.95 * limit, init + " " + d + ": largest |w| " + max + " of limit " + limit);
                assertEquals(0, sum / d.weights().length, 0.1 * limit, init + " " + d + ": mean");
                for (float b : d.bias()) {
                    assertEquals(0f, b);
                }
            }
        }
    }

    @Test
    void torchDrawsWeightsAndBiasesWithinOneOverSqrtFanIn() {
        // PyTorch's nn.Linear(fan_in, fan_out): weight and bias both U(−1/√fan_in, 1/√fan_in).
        Mlp m = Mlp.of(new int[] {400, 300, 10}, Activation.RELU, Activation.SOFTMAX);
        Init.TORCH.initialize(m, 7);
        for (Dense d : m.layers()) {
            double bound = 1.0 / Math.sqrt(d.inputs());
            for (float[] values : new float[][] {d.weights(), d.bias()}) {
                double max = 0;
                double sumSq = 0;
                for (float v : values) {
                    assertTrue(Math.abs(v) <= (float) bound, d + ": " + v + " outside ±" + bound);
                    max = Math.max(max, Math.abs(v));
                    sumSq += (double) v * v;
                }
                // the variance of U(±a) is a²/3; with n ≥ 10 draws the largest is past half the bound
                assertTrue(max > 0.5 * bound, d + ": largest " + max + " of bound " + bound);
                if (values.length >= 300) {
                    assertEquals(bound * bound / 3, sumSq / values.length, 0.1 * bound * bound, d + ": variance");
                }
            }
        }
    }

    @Test
    void xavierUsesTheSameGenerator() {
        // First draw after np.random.seed(0) is 0.5488135039273248 (see NumpyRandomTest); a 3→5 layer's limit is
        // sqrt(6/8), so W[0][0] = (2·0.5488135039273248 − 1)·sqrt(0.75).
        Mlp m = Mlp.of(new int[] {3, 5}, Activation.TANH, Activation.TANH);
        Init.XAVIER.initialize(m, 0);
        assertEquals((float) ((2 * 0.5488135039273248 - 1) * Math.sqrt(0.75)), m.layers().get(0).weights()[0]);
        Init.HE.initialize(m, 0);
        assertEquals((float) ((2 * 0.5488135039273248 - 1) * Math.sqrt(2.0)), m.layers().get(0).weights()[0]);
    }

    @Test
    void sameSeedSameModelOtherSeedOtherModel() {
        for (Init init : Init.values()) {
            Mlp a = Mlp.of(new int[] {4, 6, 2}, Activation.TANH, Activation.SIGMOID);
            Mlp b = Mlp.of(new int[] {4, 6, 2}, Activation.TANH, Activation.SIGMOID);
            Mlp c = Mlp.of(new int[] {4, 6, 2}, Activation.TANH, Activation.SIGMOID);
            init.initialize(a, 11);
            init.initialize(b, 11);
            init.initialize(c, 12);
            assertEquals(ModelFile.toJson(a), ModelFile.toJson(b), init.id());
            assertFalse(ModelFile.toJson(a).equals(ModelFile.toJson(c)), init.id());
        }
    }

    @Test
    void parseAndIds() {
        assertEquals(Init.UNIFORM01, Init.parse("uniform"));
        assertEquals(Init.XAVIER, Init.parse(" Xavier "));
        assertEquals(Init.HE, Init.parse("he"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.parse("normal"));
        assertEquals("unknown init 'normal' (expected one of uniform, xavier, he, torch)", e.getMessage());
        assertEquals(List.of("uniform", "xavier", "he", "torch"), Arrays.stream(Init.values()).map(Init::id).toList());
        assertThrows(IllegalArgumentException.class, () -> Init.UNIFORM01.initialize(
                Mlp.of(new int[] {1, 1}, Activation.SIGMOID, Activation.SIGMOID), -1));
    }
}
