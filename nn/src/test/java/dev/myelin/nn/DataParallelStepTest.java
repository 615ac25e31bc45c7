package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The model's parameters and gradients as one flat vector ({@link Mlp#copyParametersTo} and its kin), and the
 * data-parallel step {@link TrainingStep}'s javadoc describes with them: workers' gradients on shares of a batch,
 * weighted by their rows and added, then one update, equal the step on the whole batch up to float rounding.
 */
class DataParallelStepTest {

    private static final DenseOps OPS = DenseOps.defaults();

    private static Mlp model(long seed) {
        Mlp m = Mlp.of(new int[] {7, 11, 4}, Activation.TANH, Activation.SOFTMAX);
        Init.TORCH.initialize(m, seed);
        return m;
    }

    @Test
    void theFlatVectorIsEachLayersWeightsThenBiasAndRoundTrips() {
        Mlp m = model(1);
        int count = (int) m.parameterCount();
        assertEquals(7 * 11 + 11 + 11 * 4 + 4, count);
        float[] flat = new float[count + 5];
        flat[0] = -1;
        flat[count + 4] = -2;
        m.copyParametersTo(flat, 3);
        Dense first = m.layers().get(0);
        Dense second = m.layers().get(1);
        assertEquals(-1, flat[0]); // nothing written outside [offset, offset + count)
        assertEquals(-2, flat[count + 4]);
        assertEquals(first.weights()[0], flat[3]);
        assertEquals(first.weights()[7 * 11 - 1], flat[3 + 7 * 11 - 1]);
        assertEquals(first.bias()[0], flat[3 + 7 * 11]);
        assertEquals(second.weights()[0], flat[3 + 7 * 11 + 11]);
        assertEquals(second.bias()[3], flat[3 + count - 1]);

        Mlp other = model(2);
        other.setParameters(flat, 3);
        for (int l = 0; l < 2; l++) {
            assertArrayEquals(m.layers().get(l).weights(), other.layers().get(l).weights(), "W of layer " + l);
            assertArrayEquals(m.layers().get(l).bias(), other.layers().get(l).bias(), "b of layer " + l);
        }

        float[] gradients = new float[count];
        for (int i = 0; i < count; i++) {
            gradients[i] = i * 0.5f - 3;
        }
        other.setGradients(gradients, 0);
        assertEquals(gradients[7 * 11], other.layers().get(0).biasGradient()[0]);
        assertEquals(gradients[count - 1], other.layers().get(1).biasGradient()[3]);
        float[] back = new float[count];
        other.copyGradientsTo(back, 0);
        assertArrayEquals(gradients, back);
    }

    @Test
    void aVectorTooShortForItsOffsetIsRefusedNamingBoth() {
        Mlp m = model(1);
        int count = (int) m.parameterCount();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.copyParametersTo(new float[count], 1));
        assertEquals("dst must hold the model's " + count + " parameters from offset 1, but it has " + count
                + " values", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.setGradients(new float[count], -1));
        assertEquals("src must hold the model's " + count + " parameters from offset -1, but it has " + count
                + " values (a negative offset)", e.getMessage());
        assertThrows(NullPointerException.class, () -> m.setParameters(null, 0));
        // a refused call changes nothing
        float[] before = m.layers().get(0).weights().clone();
        assertThrows(IllegalArgumentException.class, () -> m.setParameters(new float[count - 1], 0));
        assertArrayEquals(before, m.layers().get(0).weights());
    }

    /**
     * Two workers on 4 and 9 rows of a 13-row batch, their MEAN gradients weighted 4/13 and 9/13, added and set
     * into the model one step updates: the same gradients and the same Adam update as the step on all 13 rows, to
     * within float rounding (the sums over rows are split in another place). Weighting the two equally, as a plain
     * average would, is off by far more than the bound.
     */
    @Test
    void workersGradientsWeightedByRowsGiveTheWholeBatchsStep() {
        Random r = new Random(5);
        int rows = 13, inputs = 7, classes = 4;
        Dataset data = EvaluationTest.classes(r, rows, inputs, classes);
        float[] x = data.features();
        int[] labels = data.labels();
        OptimizerSpec adam = OptimizerSpec.adam(0.01);
        Mlp whole = model(9);
        TrainingStep wholeStep = new TrainingStep(whole, Loss.CE, adam, rows, OPS);
        Mlp driver = whole.copy();
        TrainingStep driverStep = new TrainingStep(driver, Loss.CE, adam, rows, OPS);
        Mlp[] workers = {whole.copy(), whole.copy()};
        TrainingStep[] workerSteps = {new TrainingStep(workers[0], Loss.CE, adam, 9, OPS),
                new TrainingStep(workers[1], Loss.CE, adam, 9, OPS)};
        int[] from = {0, 4};
        int[] share = {4, 9};
        int count = (int) whole.parameterCount();

        for (int step = 0; step < 3; step++) {
            wholeStep.step(x, 0, labels, 0, rows, 0.01);
            float[] sum = new float[count];
            float[] equal = new float[count];
            float[] one = new float[count];
            for (int w = 0; w < 2; w++) {
                workerSteps[w].gradients(x, from[w] * inputs, labels, from[w], share[w]);
                workers[w].copyGradientsTo(one, 0);
                for (int i = 0; i < count; i++) {
                    sum[i] += one[i] * share[w] / rows;
                    equal[i] += one[i] / 2;
                }
            }
            float[] expected = new float[count];
            whole.copyGradientsTo(expected, 0); // the whole batch's, left by its step (no weight decay here)
            double largest = 0;
            double off = 0;
            double offEqual = 0;
            for (int i = 0; i < count; i++) {
                largest = Math.max(largest, Math.abs(expected[i]));
                off = Math.max(off, Math.abs(expected[i] - sum[i]));
                offEqual = Math.max(offEqual, Math.abs(expected[i] - equal[i]));
            }
            // 13 rows' terms in float, summed in two parts: a few units of float rounding of the largest gradient
            double bound = 1e-5 * largest;
            assertTrue(off <= bound, "step " + step + ": combined gradients off by " + off + ", bound " + bound);
            assertTrue(offEqual > 100 * bound, "step " + step + ": an unweighted average should not pass: "
                    + offEqual);

            driver.setGradients(sum, 0);
            driverStep.update(0.01);
            float[] params = new float[count];
            float[] wholeParams = new float[count];
            driver.copyParametersTo(params, 0);
            whole.copyParametersTo(wholeParams, 0);
            for (int i = 0; i < count; i++) {
                assertEquals(wholeParams[i], params[i], 1e-5 * Math.max(1, Math.abs(wholeParams[i])),
                        "step " + step + ", parameter " + i);
            }
            for (Mlp worker : workers) {
                worker.setParameters(params, 0); // the driver's parameters back to the workers
            }
        }
    }
}
