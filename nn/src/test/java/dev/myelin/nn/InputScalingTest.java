package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class InputScalingTest {

    private static Dataset set(float[] features, int inputs) {
        int rows = features.length / inputs;
        return Dataset.regression(features, rows, inputs, new float[rows], 1);
    }

    @Test
    void meanAndPopulationStdPerFeature() {
        // column 0: 1, 3 (mean 2, std 1); column 1: 10, 30 (mean 20, std 10); column 2 constant 5
        Dataset train = set(new float[] {1, 10, 5, 3, 30, 5}, 3);
        InputScaling s = InputScaling.fit(train);
        assertArrayEquals(new float[] {2, 20, 5}, s.mean());
        assertArrayEquals(new float[] {1, 10, 1}, s.std(), "a constant column divides by 1");
        s.apply(train);
        assertArrayEquals(new float[] {-1, -1, 0, 1, 1, 0}, train.features());
    }

    @Test
    void theTestSetUsesTheTrainingStatistics() {
        Dataset train = set(new float[] {1, 10, 3, 30}, 2);
        Dataset test = set(new float[] {2, 40}, 2);
        InputScaling s = InputScaling.fit(train);
        s.apply(train);
        s.apply(test);
        assertArrayEquals(new float[] {0, 2}, test.features());
    }

    @Test
    void scaledTrainingFeaturesHaveMeanZeroAndStdOne() {
        long seed = 3;
        Random random = new Random(seed);
        int rows = 1000;
        int inputs = 7;
        float[] x = new float[rows * inputs];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * (i % inputs + 1) * 3 + 100 * (i % inputs));
        }
        Dataset train = set(x, inputs);
        InputScaling.fit(train).apply(train);
        for (int j = 0; j < inputs; j++) {
            double sum = 0;
            double squares = 0;
            for (int r = 0; r < rows; r++) {
                sum += x[r * inputs + j];
                squares += (double) x[r * inputs + j] * x[r * inputs + j];
            }
            assertEquals(0, sum / rows, 1e-5, "mean of feature " + j + " (seed " + seed + ")");
            assertEquals(1, Math.sqrt(squares / rows), 1e-5, "std of feature " + j + " (seed " + seed + ")");
        }
    }

    @Test
    void featuresNearTheFloatRangeScaleWithoutOverflow() {
        // x − mean in float would be −3.4e38 − 8.5e37 = −∞; in double it is finite, and so is its quotient
        float max = Float.MAX_VALUE;
        float[] x = {-max, 0, max, 1, max, 2, 1, 3};
        Dataset train = set(x, 2);
        InputScaling s = InputScaling.fit(train);
        float[] original = x.clone();
        s.apply(train);
        for (int i = 0; i < x.length; i++) {
            int j = i % 2;
            double expected = (original[i] - (double) s.mean()[j]) / s.std()[j];
            assertTrue(Float.isFinite(x[i]), "value " + i + " is " + x[i]);
            assertEquals((float) expected, x[i], "value " + i);
        }
        // column 0 (−max, max, max, 1): mean max/4, deviations −1.25, 0.75, 0.75, −0.25 (× max), std √0.6875·max
        assertEquals((float) (-1.25 / Math.sqrt(0.6875)), x[0], 1e-6f);
    }

    @Test
    void theArraysRoundTripAndAreCopies() {
        float[] mean = {1, 2};
        float[] std = {3, 4};
        InputScaling s = new InputScaling(mean, std);
        mean[0] = 99;
        assertArrayEquals(new float[] {1, 2}, s.mean());
        s.mean()[1] = 99;
        assertArrayEquals(new float[] {1, 2}, s.mean());
        float[] x = {4, 10};
        s.apply(x, 2);
        assertArrayEquals(new float[] {1, 2}, x);
        assertEquals(2, s.inputs());
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> new InputScaling(new float[] {0}, new float[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new InputScaling(new float[] {0, 1}, new float[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> new InputScaling(new float[] {Float.NaN}, new float[] {1}));
        InputScaling s = new InputScaling(new float[] {0, 0}, new float[] {1, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.apply(new float[6], 3));
        assertEquals("features has 6 values in rows of 3; this scaling is for rows of 2 features", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.apply(new float[5], 2));
        // fitted on a NaN or an infinity: named by row and column, as training names it (it had said "std 1.0")
        Dataset nan = Dataset.regression(new float[] {1, 2, 3, Float.NaN}, 2, 2, new float[] {0, 1}, 1);
        assertEquals("the data's feature at row 2, column 2 is NaN; standardising needs finite inputs (remove the row"
                + " or fill the value)", assertThrows(IllegalArgumentException.class, () -> InputScaling.fit(nan))
                .getMessage());
        Dataset inf = Dataset.regression(new float[] {Float.NEGATIVE_INFINITY, 2}, 1, 2, new float[] {0}, 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InputScaling.fit(inf)).getMessage()
                .startsWith("the data's feature at row 1, column 1 is -Infinity"));
    }
}
