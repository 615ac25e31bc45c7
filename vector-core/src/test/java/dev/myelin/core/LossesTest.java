package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Loss values against numbers worked out by hand (natural logarithms to 10 digits, from tables, not from
 * the code under test). The float inputs differ from the decimals by up to 2⁻²⁵ relative, hence 1e-7.
 */
class LossesTest {

    private static final double TOL = 1e-7;

    @Test
    void binaryCrossEntropyIsTheMeanOverAllOutputs() {
        // −(ln 0.8 + ln(1 − 0.3) + ln 0.6 + ln(1 − 0.1)) / 4
        //   = (0.2231435513 + 0.3566749439 + 0.5108256238 + 0.1053605157) / 4 = 0.2990011587
        float[] y = {0.8f, 0.3f, 0.6f, 0.1f};
        float[] t = {1, 0, 1, 0};
        assertEquals(0.2990011587, Losses.binaryCrossEntropy(2, 2, y, 0, 2, t, 0, 2), TOL);
    }

    @Test
    void binaryCrossEntropyWithSoftTargetsAndAView() {
        // one element, t = 0.25, y = 0.5: −(0.25·ln 0.5 + 0.75·ln 0.5) = ln 2 = 0.6931471806
        float[] y = {9, 9, 0.5f, 9};
        float[] t = {0.25f};
        assertEquals(0.6931471806, Losses.binaryCrossEntropy(1, 1, y, 2, 1, t, 0, 1), TOL);
    }

    @Test
    void binaryCrossEntropyClampsTheLogAtMinus100() {
        // y = 0 with t = 1 and y = 1 with t = 0: ln 0 = −Inf clamped to −100, so the mean loss is 100
        assertEquals(100.0, Losses.binaryCrossEntropy(1, 2, new float[] {0, 1}, 0, 2, new float[] {1, 0}, 0, 2), 0);
        assertEquals(-100.0, Losses.LOG_FLOOR);
    }

    @Test
    void aPerfectPredictionIsALossOfPlusZeroAndAnOutputOutsideZeroOneIsNaN() {
        // PyTorch: BCELoss()(tensor([1., 0.]), tensor([1., 0.])) and cross_entropy of a one-hot are 0.0, not −0.0
        assertEquals(0x0L, Double.doubleToRawLongBits(
                Losses.binaryCrossEntropy(1, 2, new float[] {1, 0}, 0, 2, new float[] {1, 0}, 0, 2)));
        assertEquals(0x0L, Double.doubleToRawLongBits(
                Losses.crossEntropy(1, 2, new float[] {1, 0}, 0, 2, new int[] {0}, 0)));
        assertTrue(Double.isNaN(Losses.binaryCrossEntropy(1, 1, new float[] {1.5f}, 0, 1, new float[] {1}, 0, 1)));
        assertTrue(Double.isNaN(Losses.binaryCrossEntropy(1, 1, new float[] {-0.5f}, 0, 1, new float[] {0}, 0, 1)));
    }

    @Test
    void crossEntropyIsTheMeanNegativeLogOfTheLabelledProbability() {
        // −(ln 0.7 + ln 0.3) / 2 = (0.3566749439 + 1.2039728043) / 2 = 0.7803238741
        float[] p = {0.7f, 0.2f, 0.1f, 0.1f, 0.6f, 0.3f};
        assertEquals(0.7803238741, Losses.crossEntropy(2, 3, p, 0, 3, new int[] {0, 2}, 0), TOL);
        // a zero probability for the label is clamped too
        assertEquals(100.0, Losses.crossEntropy(1, 2, new float[] {0, 1}, 0, 2, new int[] {0}, 0), 0);
    }

    @Test
    void meanSquaredErrorIsTheMeanOverAllOutputs() {
        // differences 1, 0, −2, 3 → (1 + 0 + 4 + 9) / 4 = 3.5
        float[] y = {1, 2, 3, 4};
        float[] t = {0, 2, 5, 1};
        assertEquals(3.5, Losses.meanSquaredError(2, 2, y, 0, 2, t, 0, 2), 0);
    }

    @Test
    void nanPropagates() {
        float[] nan = {Float.NaN, 0.5f};
        float[] t = {0, 1};
        assertTrue(Double.isNaN(Losses.binaryCrossEntropy(1, 2, nan, 0, 2, t, 0, 2)));
        assertTrue(Double.isNaN(Losses.meanSquaredError(1, 2, nan, 0, 2, t, 0, 2)));
        assertTrue(Double.isNaN(Losses.crossEntropy(1, 2, nan, 0, 2, new int[] {0}, 0)));
    }

    @Test
    void argumentsAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Losses.meanSquaredError(2, 2, new float[3], 0, 2, new float[4], 0, 2));
        assertTrue(e.getMessage().contains("Y") && e.getMessage().contains("4"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(1, 2, new float[2], 0, 2, new int[] {2}, 0));
    }
}
