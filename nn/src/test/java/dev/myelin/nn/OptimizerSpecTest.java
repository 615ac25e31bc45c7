package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@link OptimizerSpec} is the one place hyper-parameters are checked; messages use the command-line names. */
class OptimizerSpecTest {

    private static void assertMessage(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void defaultsArePyTorchs() {
        OptimizerSpec adam = OptimizerSpec.adam(1e-3);
        assertEquals(OptimizerSpec.Kind.ADAM, adam.kind());
        assertEquals(0.9, adam.beta1());
        assertEquals(0.999, adam.beta2());
        assertEquals(1e-8, adam.epsilon());
        assertEquals(0, adam.weightDecay());
        assertEquals(new LrSchedule.Constant(), adam.schedule());
        assertEquals(OptimizerSpec.Kind.NESTEROV, OptimizerSpec.Kind.parse("Nesterov"));
        assertMessage("unknown optimizer 'rmsprop' (expected one of sgd, momentum, nesterov, adam, adamw)",
                () -> OptimizerSpec.Kind.parse("rmsprop"));
    }

    @Test
    void everyFieldIsChecked() {
        assertMessage("--lr must be finite and greater than 0, got 0.0", () -> OptimizerSpec.adam(0));
        assertMessage("--lr must be finite and greater than 0, got NaN", () -> OptimizerSpec.sgd(Double.NaN));
        assertMessage("--momentum must be in (0, 1) for --optimizer momentum, got 1.0",
                () -> OptimizerSpec.momentum(0.1, 1));
        assertMessage("--momentum must be in (0, 1) for --optimizer nesterov, got 0.0",
                () -> OptimizerSpec.nesterov(0.1, 0));
        assertMessage("--momentum is used by --optimizer momentum and nesterov only, but it is 0.9 with --optimizer"
                + " adam", () -> new OptimizerSpec(OptimizerSpec.Kind.ADAM, 0.1, 0.9, 0.9, 0.999, 1e-8, 0,
                new LrSchedule.Constant()));
        assertMessage("--beta1 must be in [0, 1), got 1.0", () -> OptimizerSpec.adam(0.1).withBetas(1, 0.999));
        assertMessage("--beta2 must be in [0, 1), got -0.5", () -> OptimizerSpec.adam(0.1).withBetas(0.9, -0.5));
        assertMessage("--eps must be finite and greater than 0, got 0.0", () -> OptimizerSpec.adam(0.1).withEpsilon(0));
        // Adam's settings on another optimizer would be ignored, as momentum on Adam would: refused alike
        assertMessage("--beta1 is used by --optimizer adam and adamw only, but it is 0.5 with --optimizer sgd",
                () -> OptimizerSpec.sgd(0.1).withBetas(0.5, 0.999));
        assertMessage("--beta2 is used by --optimizer adam and adamw only, but it is 0.5 with --optimizer momentum",
                () -> OptimizerSpec.momentum(0.1, 0.9).withBetas(0.9, 0.5));
        assertMessage("--eps is used by --optimizer adam and adamw only, but it is 1.0E-6 with --optimizer nesterov",
                () -> OptimizerSpec.nesterov(0.1, 0.9).withEpsilon(1e-6));
        OptimizerSpec.sgd(0.1).withBetas(OptimizerSpec.DEFAULT_BETA1, OptimizerSpec.DEFAULT_BETA2); // the defaults
        assertMessage("--weight-decay must be finite and at least 0, got -0.01",
                () -> OptimizerSpec.sgd(0.1).withWeightDecay(-0.01));
        assertMessage("--weight-decay must be finite and at least 0, got Infinity",
                () -> OptimizerSpec.adamW(0.1).withWeightDecay(Double.POSITIVE_INFINITY));
    }

    /**
     * A setting that is positive and finite as a double but 0 or infinite as the float the updates compute with is
     * refused: {@code --lr 1e-50} trained and changed nothing, {@code 1e39} diverged at once.
     */
    @Test
    void aSettingThatIsZeroOrInfiniteAsAFloatIsRefused() {
        String range = " as a float, the precision training computes in; give a value between 1.4E-45 and 3.4E38";
        assertMessage("--lr 1.0E-50 is 0.0" + range, () -> OptimizerSpec.sgd(1e-50));
        assertMessage("--lr 1.0E39 is Infinity" + range, () -> OptimizerSpec.adam(1e39));
        assertMessage("--eps 1.0E-60 is 0.0" + range, () -> OptimizerSpec.adam(0.1).withEpsilon(1e-60));
        assertMessage("--weight-decay 1.0E-50 is 0.0" + range, () -> OptimizerSpec.sgd(0.1).withWeightDecay(1e-50));
        assertMessage("--weight-decay 1.0E40 is Infinity" + range, () -> OptimizerSpec.sgd(0.1).withWeightDecay(1e40));
        assertMessage("--momentum must be in (0, 1) for --optimizer momentum, got 0.9999999999, which is 1.0 as a"
                + " float, the precision training computes in", () -> OptimizerSpec.momentum(0.1, 0.9999999999));
        // the smallest float rate is a rate
        OptimizerSpec.sgd(Float.MIN_VALUE);
        OptimizerSpec.sgd(0.1).withWeightDecay(0);
    }

    @Test
    void theOldConfigConstructorsMeanPlainSgd() {
        TrainingConfig c = new TrainingConfig(Loss.BCE, 10, 0, 0.1f, 0);
        assertEquals(OptimizerSpec.sgd(0.1f), c.optimizer());
        assertEquals(0.1f, c.learningRate());
        assertEquals(0.1f, (float) c.optimizer().learningRate(9), "constant schedule");
    }

    /** PyTorch's defaults: AdamW decays by 0.01 unless told otherwise; the other kinds do not decay. */
    @Test
    void adamWDecaysByPyTorchsDefault() {
        assertEquals(0.01, OptimizerSpec.adamW(0.001).weightDecay());
        assertEquals(0.0, OptimizerSpec.adam(0.001).weightDecay());
        assertEquals(0.0, OptimizerSpec.adamW(0.001).withWeightDecay(0).weightDecay());
    }
}
