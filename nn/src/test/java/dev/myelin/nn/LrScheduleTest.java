package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The schedules at chosen epochs, with expected values worked out from PyTorch's definitions (epoch = epochs
 * finished, 0 for the first). Tolerance 1e-12: the closed forms are a handful of double operations.
 */
class LrScheduleTest {

    private static final double EPS = 1e-12;

    @Test
    void constantNeverChanges() {
        LrSchedule s = new LrSchedule.Constant();
        assertEquals(0.1, s.learningRate(0.1, 0));
        assertEquals(0.1, s.learningRate(0.1, 12345));
    }

    @Test
    void stepDropsByGammaAtEveryBoundary() {
        // StepLR(step_size=3, gamma=0.1): epochs 0–2 → lr0, 3–5 → lr0/10, 6 → lr0/100.
        LrSchedule s = new LrSchedule.Step(3, 0.1);
        assertEquals(0.5, s.learningRate(0.5, 0), EPS);
        assertEquals(0.5, s.learningRate(0.5, 2), EPS);
        assertEquals(0.05, s.learningRate(0.5, 3), EPS);
        assertEquals(0.05, s.learningRate(0.5, 5), EPS);
        assertEquals(0.005, s.learningRate(0.5, 6), EPS);
    }

    @Test
    void cosineGoesFromLr0ToEtaMin() {
        // CosineAnnealingLR(T_max=10, eta_min=0.01), lr0 = 0.1: cos(0) = 1 → lr0; cos(π/2) = 0 → the midpoint;
        // cos(π) = −1 → eta_min; at 2.5, cos(π/4) = √2/2.
        LrSchedule s = new LrSchedule.Cosine(10, 0.01);
        assertEquals(0.1, s.learningRate(0.1, 0), EPS);
        assertEquals(0.055, s.learningRate(0.1, 5), EPS);
        assertEquals(0.01, s.learningRate(0.1, 10), EPS);
        assertEquals(0.01 + 0.09 * (1 + Math.sqrt(0.5)) / 2, new LrSchedule.Cosine(4, 0.01).learningRate(0.1, 1), EPS);
    }

    @Test
    void warmupRampsThenHandsOver() {
        // 3 warm-up epochs before StepLR(2, 0.5), lr0 = 1: 1/4, 2/4, 3/4 of the step rate (1, 1, 0.5), then 0.5, …
        LrSchedule s = new LrSchedule.Warmup(3, new LrSchedule.Step(2, 0.5));
        assertEquals(0.25, s.learningRate(1, 0), EPS);
        assertEquals(0.5, s.learningRate(1, 1), EPS);
        assertEquals(0.375, s.learningRate(1, 2), EPS);
        assertEquals(0.5, s.learningRate(1, 3), EPS);
        assertEquals(0.25, s.learningRate(1, 4), EPS);
    }

    @Test
    void theTrainerUsesTheScheduleAndReportsTheRate() {
        // Epoch e (1-based) trains at schedule(lr0, e − 1) and tells the listener; with a one-weight model and a
        // fixed gradient the parameter change shows the rate used too.
        OptimizerSpec spec = OptimizerSpec.sgd(0.1).withSchedule(new LrSchedule.Step(2, 0.5));
        List<Double> rates = new ArrayList<>();
        new Trainer().fit(Mlp.of(new int[] {2, 1}, Activation.SIGMOID, Activation.SIGMOID), Dataset.xor(),
                new TrainingConfig(Loss.BCE, 5, 0, spec, 0, GradientConvention.MEAN), new EpochListener() {
                    @Override
                    public void onEpoch(int epoch, double loss) {
                        throw new AssertionError("the trainer calls the three-argument method");
                    }

                    @Override
                    public void onEpoch(int epoch, double loss, double learningRate) {
                        rates.add(learningRate);
                    }
                });
        assertEquals(List.of(0.1, 0.1, 0.05, 0.05, 0.025), rates);
    }

    private static void assertMessage(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void schedulesCheckTheirFields() {
        assertMessage("--lr-step-size must be at least 1, got 0", () -> new LrSchedule.Step(0, 0.1));
        assertMessage("--lr-gamma must be finite and greater than 0, got 0.0", () -> new LrSchedule.Step(1, 0));
        assertMessage("--lr-t-max must be at least 1, got 0", () -> new LrSchedule.Cosine(0, 0));
        assertMessage("--lr-min must be finite and at least 0, got -1.0", () -> new LrSchedule.Cosine(5, -1));
        assertMessage("--lr-warmup must be at least 1, got 0", () -> new LrSchedule.Warmup(0, new LrSchedule.Constant()));
        // epoch counts finished epochs: the closed forms would extrapolate -1 (a step schedule gave 2·lr0)
        for (LrSchedule s : List.of(new LrSchedule.Constant(), new LrSchedule.Step(1, 0.5), new LrSchedule.Cosine(10, 0),
                new LrSchedule.Warmup(3, new LrSchedule.Constant()))) {
            assertMessage("epoch counts the finished epochs, so it is at least 0, got -1", () -> s.learningRate(0.1, -1));
        }
    }

    /** The warm-up's ramp in double: the longest warm-up an int holds gives a tiny positive rate, not a negative one. */
    @Test
    void theLongestWarmupDoesNotOverflow() {
        LrSchedule s = new LrSchedule.Warmup(Integer.MAX_VALUE, new LrSchedule.Constant());
        double lr = s.learningRate(0.1, 0);
        assertTrue(lr > 0 && lr < 1e-9, "lr " + lr);
        assertEquals(0.1 * 2 / (Integer.MAX_VALUE + 1.0), s.learningRate(0.1, 1), 1e-25);
    }
}
