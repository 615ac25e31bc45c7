package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A run resumed from exported state ends with the same bits as the run never interrupted: {@link OptimizerState}
 * through {@link Optimizer#restore}, and whole runs through {@link TrainingCheckpoint}. Comparisons are exact
 * ({@code assertArrayEquals} on floats compares bit patterns).
 */
class CheckpointTest {

    static Stream<Arguments> specs() {
        return Stream.of(
                Arguments.of(OptimizerSpec.sgd(0.5)),
                Arguments.of(OptimizerSpec.momentum(0.3, 0.9).withWeightDecay(0.01)),
                Arguments.of(OptimizerSpec.nesterov(0.3, 0.9)),
                Arguments.of(OptimizerSpec.adam(0.05).withWeightDecay(0.01)),
                Arguments.of(OptimizerSpec.adamW(0.05).withWeightDecay(0.01)));
    }

    private static Mlp start() {
        Mlp m = Mlp.of(new int[] {2, 4, 1}, Activation.TANH, Activation.SIGMOID);
        Init.XAVIER.initialize(m, 3);
        return m;
    }

    private static void assertSameParameters(Mlp expected, Mlp actual, String what) {
        for (int l = 0; l < expected.layers().size(); l++) {
            assertArrayEquals(expected.layers().get(l).weights(), actual.layers().get(l).weights(),
                    what + ": layer " + (l + 1) + " weights");
            assertArrayEquals(expected.layers().get(l).bias(), actual.layers().get(l).bias(),
                    what + ": layer " + (l + 1) + " bias");
        }
    }

    private static void train(Mlp m, Optimizer opt, int steps) {
        Trainer gradients = new Trainer(DenseOps.of("scalar"));
        for (int s = 0; s < steps; s++) {
            gradients.computeGradients(m, Dataset.xor(), Loss.BCE, GradientConvention.MEAN);
            opt.step(opt.spec().learningRate(s));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void anOptimizerRestoredFromItsStateContinuesBitForBit(OptimizerSpec spec) {
        Mlp straight = start();
        Optimizer one = new Optimizer(spec, straight);
        train(straight, one, 7);

        Mlp resumed = start();
        Optimizer first = new Optimizer(spec, resumed);
        train(resumed, first, 3);
        OptimizerState saved = first.exportState();
        Mlp reloaded = resumed.copy(); // the parameters, as a model file would carry them
        Optimizer second = new Optimizer(spec, reloaded);
        second.restore(saved);
        assertEquals(3, second.stepCount());
        Trainer gradients = new Trainer(DenseOps.of("scalar"));
        for (int s = 3; s < 7; s++) {
            gradients.computeGradients(reloaded, Dataset.xor(), Loss.BCE, GradientConvention.MEAN);
            second.step(spec.learningRate(s));
        }
        assertSameParameters(straight, reloaded, spec.kind().id());
        OptimizerState a = one.exportState();
        OptimizerState b = second.exportState();
        assertEquals(a.step(), b.step());
        assertEquals(a.buffers().size(), b.buffers().size());
        for (int i = 0; i < a.buffers().size(); i++) {
            assertArrayEquals(a.buffers().get(i), b.buffers().get(i), "buffer " + (i + 1));
        }
    }

    @Test
    void stateHoldsTheDocumentedBuffers() {
        Mlp m = start(); // 2→4 (8 weights, 4 biases), 4→1 (4 weights, 1 bias)
        int[] lengths = {8, 4, 4, 1};
        assertEquals(0, new Optimizer(OptimizerSpec.sgd(0.1), m).exportState().buffers().size());
        OptimizerState momentum = new Optimizer(OptimizerSpec.momentum(0.1, 0.9), m).exportState();
        OptimizerState adam = new Optimizer(OptimizerSpec.adam(0.1), m).exportState();
        assertEquals("momentum", momentum.kind());
        assertEquals("adam", adam.kind());
        for (int i = 0; i < 4; i++) {
            assertEquals(lengths[i], momentum.buffers().get(i).length, "momentum buffer " + (i + 1));
            assertEquals(lengths[i], adam.buffers().get(2 * i).length, "m of parameter array " + (i + 1));
            assertEquals(lengths[i], adam.buffers().get(2 * i + 1).length, "v of parameter array " + (i + 1));
        }
    }

    private static Dataset points() {
        Random r = new Random(12);
        float[] x = new float[22];
        float[] t = new float[11];
        for (int i = 0; i < 11; i++) {
            x[2 * i] = (float) r.nextGaussian();
            x[2 * i + 1] = (float) r.nextGaussian();
            t[i] = x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0;
        }
        return Dataset.regression(x, 11, 2, t, 1);
    }

    /** 10 epochs straight, against 4 epochs, then 6 more from the checkpoint on a copy of the 4-epoch model. */
    private static void assertResumeIsExact(int batchSize, OptimizerSpec spec) {
        Dataset data = points();
        Trainer trainer = new Trainer(DenseOps.of("scalar"));
        Mlp straight = start();
        List<Double> lossStraight = new ArrayList<>();
        TrainingResult all = trainer.fit(straight, data, new TrainingConfig(Loss.BCE, 10, batchSize, spec, 7,
                GradientConvention.MEAN), (e, l) -> lossStraight.add(l));

        Mlp part = start();
        List<Double> lossResumed = new ArrayList<>();
        TrainingResult four = trainer.fit(part, data, new TrainingConfig(Loss.BCE, 4, batchSize, spec, 7,
                GradientConvention.MEAN), (e, l) -> lossResumed.add(l));
        assertEquals(4, four.checkpoint().epochs());
        Mlp reloaded = part.copy();
        TrainingResult rest = trainer.fit(reloaded, data, new TrainingConfig(Loss.BCE, 10, batchSize, spec, 7,
                GradientConvention.MEAN), four.checkpoint(), (e, l) -> lossResumed.add(l));

        assertSameParameters(straight, reloaded, spec.kind().id() + ", batch size " + batchSize);
        assertEquals(lossStraight, lossResumed);
        assertEquals(all.finalLoss(), rest.finalLoss());
        assertEquals(10, rest.epochs());
    }

    @Test
    void aMiniBatchRunResumesBitForBit() {
        // Adam with a cosine schedule: the checkpoint must carry t, m, v and the shuffle stream; the schedule
        // follows from the epoch count.
        assertResumeIsExact(3, OptimizerSpec.adam(0.05).withWeightDecay(0.01).withSchedule(
                new LrSchedule.Cosine(10, 0.001)));
        assertResumeIsExact(4, OptimizerSpec.nesterov(0.2, 0.9).withSchedule(new LrSchedule.Step(3, 0.5)));
    }

    @Test
    void aFullBatchRunResumesBitForBit() {
        assertResumeIsExact(0, OptimizerSpec.momentum(0.3, 0.9));
        assertNull(new Trainer().fit(start(), points(), new TrainingConfig(Loss.BCE, 1, 0, 0.1f, 0), null)
                .checkpoint().shuffle(), "no shuffle stream in a full-batch run");
        assertNotNull(new Trainer().fit(start(), points(), new TrainingConfig(Loss.BCE, 1, 2, 0.1f, 0), null)
                .checkpoint().shuffle());
    }

    private static void assertMessage(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void aMismatchedStateIsRefused() {
        Mlp m = start();
        Optimizer adam = new Optimizer(OptimizerSpec.adam(0.1), m);
        OptimizerState momentum = new Optimizer(OptimizerSpec.momentum(0.1, 0.9), m).exportState();
        assertMessage("the optimizer state is for momentum but this optimizer is adam", () -> adam.restore(momentum));
        OptimizerState small = new Optimizer(OptimizerSpec.adam(0.1),
                Mlp.of(new int[] {2, 3, 1}, Activation.TANH, Activation.SIGMOID)).exportState();
        assertMessage("optimizer state buffer 1 has 6 values but this model's parameter array needs 8",
                () -> adam.restore(small));
        OptimizerState few = new OptimizerState("adam", 1, small.buffers().subList(0, 2));
        assertMessage("the optimizer state has 2 buffers but adam on this model needs 8", () -> adam.restore(few));
        assertMessage("optimizer state step must be at least 0, got -1", () -> new OptimizerState("sgd", -1, List.of()));

        Trainer trainer = new Trainer();
        TrainingCheckpoint fullBatch = trainer.fit(start(), points(), new TrainingConfig(Loss.BCE, 2, 0, 0.1f, 0), null)
                .checkpoint();
        assertMessage("the checkpoint is after epoch 2, so --epochs 2 leaves nothing to run", () -> trainer.fit(start(),
                points(), new TrainingConfig(Loss.BCE, 2, 0, 0.1f, 0), fullBatch, null));
        assertMessage("the checkpoint comes from a full-batch run, but --batch-size 3 needs its shuffle stream",
                () -> trainer.fit(start(), points(), new TrainingConfig(Loss.BCE, 5, 3, 0.1f, 0), fullBatch, null));
    }
}
