package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * through {@link Optimizer#restore}, and whole runs through {@link TrainingCheckpoint}, at epoch ends and at
 * steps where a {@link TrainingControl} stopped them (also through a {@link CheckpointFile}). Comparisons are exact
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

    static Mlp start() {
        Mlp m = Mlp.of(new int[] {2, 4, 1}, Activation.TANH, Activation.SIGMOID);
        Init.XAVIER.initialize(m, 3);
        return m;
    }

    static void assertSameParameters(Mlp expected, Mlp actual, String what) {
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

    static Dataset points() {
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

    /**
     * An interrupt of the training thread (a cancelled task) stops the run as a requested stop does: after the step
     * in progress, with a checkpoint that resumes to the bits of the run never stopped, and the flag left set for
     * the caller. It had been ignored: an interrupted fit ran to its end.
     */
    @Test
    void anInterruptStopsTheRunAsARequestedStopDoes() throws InterruptedException {
        Dataset data = points();
        Trainer trainer = new Trainer(DenseOps.of("scalar"));
        TrainingConfig config = new TrainingConfig(Loss.BCE, 6, 2, OptimizerSpec.adam(0.05), 7,
                GradientConvention.MEAN);
        Mlp straight = start();
        trainer.fit(straight, data, config, null);
        Mlp part = start();
        TrainingResult[] stopped = new TrainingResult[1];
        boolean[] flagAfter = new boolean[1];
        Thread worker = new Thread(() -> {
            stopped[0] = trainer.fit(part, data, config, null, new EpochListener() {
                @Override
                public void onEpoch(int epoch, double loss) {
                }

                @Override
                public void onBatch(int epoch, int batch, int batches) {
                    if (epoch == 2 && batch == 1) {
                        Thread.currentThread().interrupt(); // as a task's cancel would, from another thread
                    }
                }
            }, null);
            flagAfter[0] = Thread.currentThread().isInterrupted();
        });
        worker.start();
        worker.join(60_000);
        assertTrue(stopped[0].stopped(), "the interrupted run stopped");
        assertEquals(1, stopped[0].checkpoint().epochs());
        assertEquals(1, stopped[0].checkpoint().batches());
        assertTrue(flagAfter[0], "the interrupt flag is left for the caller");
        TrainingResult rest = trainer.fit(part, data, config, stopped[0].checkpoint(), null, null);
        assertFalse(rest.stopped());
        assertSameParameters(straight, part, "interrupted at 2/1, resumed");
    }

    /** Records epoch losses, and asks {@code control} to stop when step {@code batch} of {@code epoch} is done. */
    private static EpochListener stopAt(TrainingControl control, int epoch, int batch, List<Double> losses) {
        return new EpochListener() {
            @Override
            public void onEpoch(int e, double loss) {
                losses.add(loss);
            }

            @Override
            public void onBatch(int e, int b, int batches) {
                if (e == epoch && b == batch) {
                    control.requestStop();
                }
            }
        };
    }

    /**
     * 6 epochs straight, against a run stopped after step {@code batch} of {@code epoch}, whose checkpoint must be
     * {@code (epochs, batches)}, then resumed on a copy of the stopped model — through a {@link CheckpointFile}'s
     * bytes when {@code viaFile}.
     */
    static void assertStopAndResumeIsExact(int batchSize, OptimizerSpec spec, int epoch, int batch, int epochs,
                                           int batches, boolean viaFile) {
        String what = spec.kind().id() + ", batch size " + batchSize + ", stop at " + epoch + "/" + batch;
        Dataset data = points();
        Trainer trainer = new Trainer(DenseOps.of("scalar"));
        TrainingConfig config = new TrainingConfig(Loss.BCE, 6, batchSize, spec, 7, GradientConvention.MEAN);
        Mlp straight = start();
        List<Double> lossStraight = new ArrayList<>();
        TrainingResult all = trainer.fit(straight, data, config, (e, l) -> lossStraight.add(l));

        Mlp part = start();
        List<Double> lossResumed = new ArrayList<>();
        TrainingControl control = new TrainingControl();
        TrainingResult stopped = trainer.fit(part, data, config, null, stopAt(control, epoch, batch, lossResumed),
                control);
        assertTrue(stopped.stopped(), what);
        assertEquals(epochs, stopped.checkpoint().epochs(), what + ": epochs");
        assertEquals(batches, stopped.checkpoint().batches(), what + ": batches");
        assertEquals(epochs, stopped.epochs(), what);
        assertEquals(epochs, lossResumed.size(), what + ": epochs reported before the stop");

        Mlp reloaded = part.copy();
        TrainingCheckpoint from = stopped.checkpoint();
        if (viaFile) {
            CheckpointFile file = CheckpointFile.parse(new CheckpointFile(part, config, from).toBytes(), "c.json");
            reloaded = file.model();
            from = file.checkpoint();
        }
        TrainingResult rest = trainer.fit(reloaded, data, config, from, (e, l) -> lossResumed.add(l), null);

        assertFalse(rest.stopped(), what);
        assertSameParameters(straight, reloaded, what);
        assertEquals(lossStraight, lossResumed, what);
        assertEquals(all.finalLoss(), rest.finalLoss(), what);
        assertEquals(6, rest.epochs());
    }

    @Test
    void aMiniBatchRunStoppedInsideAnEpochResumesBitForBit() {
        // 11 rows in batches of 3: 4 steps per epoch (3, 3, 3, 2).
        for (boolean viaFile : new boolean[] {false, true}) {
            assertStopAndResumeIsExact(3, OptimizerSpec.sgd(0.5), 3, 2, 2, 2, viaFile);
            assertStopAndResumeIsExact(3, OptimizerSpec.adam(0.05).withSchedule(new LrSchedule.Cosine(6, 0.001)),
                    1, 1, 0, 1, viaFile);
            assertStopAndResumeIsExact(3, OptimizerSpec.adam(0.05), 4, 3, 3, 3, viaFile);
        }
    }

    @Test
    void aRunStoppedAtAnEpochEndResumesBitForBit() {
        assertStopAndResumeIsExact(3, OptimizerSpec.sgd(0.5), 2, 4, 2, 0, false);
        assertStopAndResumeIsExact(3, OptimizerSpec.adam(0.05), 5, 4, 5, 0, true);
        assertStopAndResumeIsExact(0, OptimizerSpec.sgd(0.5), 3, 1, 3, 0, false);
        assertStopAndResumeIsExact(0, OptimizerSpec.adam(0.05), 1, 1, 1, 0, true);
    }

    @Test
    void aStopInTheLastStepIsAFinishedRun() {
        TrainingControl control = new TrainingControl();
        control.requestStop(); // before the run: it stops after its first step
        TrainingResult first = new Trainer().fit(start(), points(), new TrainingConfig(Loss.BCE, 2, 3, 0.1f, 0), null,
                null, control);
        assertTrue(first.stopped());
        assertEquals(1, first.checkpoint().batches());
        assertTrue(Double.isNaN(first.finalLoss()), "no epoch finished");
        TrainingResult last = new Trainer().fit(start(), points(), new TrainingConfig(Loss.BCE, 1, 0, 0.1f, 0), null,
                null, control);
        assertFalse(last.stopped());
        assertEquals(1, last.epochs());
    }

    @Test
    void anExportIntoAnEarlierOneReusesItsArraysAndEqualsAFreshCopy() {
        List<TrainingCheckpoint> fresh = new ArrayList<>();
        List<TrainingCheckpoint> reused = new ArrayList<>();
        List<List<float[]>> reusedThen = new ArrayList<>(); // the reused arrays' contents when exported
        EpochListener both = new EpochListener() {
            @Override
            public void onEpoch(int epoch, double loss) {
            }

            @Override
            public void onEpochEnd(int epoch, CheckpointExport checkpoint) {
                fresh.add(checkpoint.get());
                TrainingCheckpoint r = checkpoint.get(reused.isEmpty() ? null : reused.get(reused.size() - 1));
                reused.add(r);
                reusedThen.add(r.optimizer().buffers().stream().map(float[]::clone).toList());
            }
        };
        new Trainer().fit(start(), points(), new TrainingConfig(Loss.BCE, 3, 2, OptimizerSpec.adam(0.05), 0,
                GradientConvention.MEAN), both);
        assertEquals(3, reused.size());
        for (int e = 0; e < 3; e++) {
            OptimizerState want = fresh.get(e).optimizer();
            OptimizerState got = reused.get(e).optimizer();
            assertEquals(e + 1, reused.get(e).epochs());
            assertEquals(want.step(), got.step());
            assertEquals(8, got.buffers().size(), "Adam: m and v for 4 parameter arrays");
            for (int i = 0; i < want.buffers().size(); i++) {
                assertArrayEquals(want.buffers().get(i), reusedThen.get(e).get(i), "epoch " + (e + 1) + " buffer " + i);
                assertTrue(got.buffers().get(i) == reused.get(0).optimizer().buffers().get(i),
                        "epoch " + (e + 1) + " buffer " + i + " is the first export's array");
            }
        }
        // the fresh copies are distinct arrays, and the state moved between epochs (the reuse is not vacuous)
        assertFalse(fresh.get(0).optimizer().buffers().get(0) == fresh.get(1).optimizer().buffers().get(0));
        assertFalse(java.util.Arrays.equals(fresh.get(0).optimizer().buffers().get(0),
                fresh.get(1).optimizer().buffers().get(0)));
    }

    @Test
    void anExportIntoStateThatDoesNotFitTakesNewArrays() {
        Mlp m = start();
        Optimizer adam = new Optimizer(OptimizerSpec.adam(0.1), m);
        OptimizerState momentum = new Optimizer(OptimizerSpec.momentum(0.1, 0.9), m).exportState();
        OptimizerState otherShape = new Optimizer(OptimizerSpec.adam(0.1),
                Mlp.of(new int[] {2, 3, 1}, Activation.TANH, Activation.SIGMOID)).exportState();
        for (OptimizerState reuse : new OptimizerState[] {null, momentum, otherShape}) {
            OptimizerState got = adam.exportState(reuse);
            assertEquals("adam", got.kind());
            assertEquals(List.of(8, 8, 4, 4, 4, 4, 1, 1), got.buffers().stream().map(b -> b.length).toList());
            for (float[] b : got.buffers()) {
                if (reuse != null) {
                    assertFalse(reuse.buffers().stream().anyMatch(r -> r == b), "a new array");
                }
            }
        }
    }

    @Test
    void listenersSeeEveryStepAndTheBatchCount() {
        List<String> events = new ArrayList<>();
        List<TrainingCheckpoint> ends = new ArrayList<>();
        EpochListener log = new EpochListener() {
            @Override
            public void onEpoch(int epoch, double loss) {
                events.add("end " + epoch);
            }

            @Override
            public void onEpochStart(int epoch, int batches) {
                events.add("start " + epoch + " of " + batches);
            }

            @Override
            public void onBatch(int epoch, int batch, int batches) {
                events.add(epoch + ":" + batch + "/" + batches);
            }

            @Override
            public void onEpochEnd(int epoch, CheckpointExport checkpoint) {
                if (epoch == 1) {
                    ends.add(checkpoint.get());
                }
            }
        };
        new Trainer().fit(start(), points(), new TrainingConfig(Loss.BCE, 2, 5, 0.1f, 0), log);
        assertEquals(List.of("start 1 of 3", "1:1/3", "1:2/3", "1:3/3", "end 1", "start 2 of 3", "2:1/3", "2:2/3",
                "2:3/3", "end 2"), events);
        assertEquals(1, ends.get(0).epochs());
        assertEquals(3, ends.get(0).optimizer().step());
        events.clear();
        new Trainer().fit(start(), points(), new TrainingConfig(Loss.BCE, 1, 0, 0.1f, 0), log);
        assertEquals(List.of("start 1 of 1", "1:1/1", "end 1"), events);
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
        // values no update leaves behind, which the next step would spread to every parameter as NaN: refused, and
        // nothing restored (a checkpoint file refuses them as well)
        float[] weightsBefore = m.layers().get(0).weights().clone();
        OptimizerState good = adam.exportState();
        java.util.List<float[]> nan = new java.util.ArrayList<>(good.buffers());
        nan.set(0, nan.get(0).clone());
        nan.get(0)[0] = Float.NaN;
        assertMessage("optimizer state buffer 1, element 0, is NaN; an optimizer's state is finite",
                () -> adam.restore(new OptimizerState("adam", 3, nan)));
        java.util.List<float[]> negative = new java.util.ArrayList<>(good.buffers());
        negative.set(1, negative.get(1).clone());
        negative.get(1)[2] = -1;
        assertMessage("optimizer state buffer 2, element 2, is -1.0; Adam's second moment (v), a mean of squares, is"
                + " never NaN or negative", () -> adam.restore(new OptimizerState("adam", 3, negative)));
        // +Infinity in v is reachable (a gradient whose square overflowed), and restored
        java.util.List<float[]> overflowed = new java.util.ArrayList<>(good.buffers());
        overflowed.set(1, overflowed.get(1).clone());
        overflowed.get(1)[0] = Float.POSITIVE_INFINITY;
        Optimizer other = new Optimizer(OptimizerSpec.adam(0.1), m);
        other.restore(new OptimizerState("adam", 3, overflowed));
        assertEquals(Float.POSITIVE_INFINITY, other.exportState().buffers().get(1)[0]);
        assertEquals(0, adam.exportState().step(), "nothing restored");
        // a momentum buffer may be negative
        Optimizer heavyBall = new Optimizer(OptimizerSpec.momentum(0.1, 0.9), m);
        java.util.List<float[]> signed = new java.util.ArrayList<>(momentum.buffers());
        signed.set(1, signed.get(1).clone());
        signed.get(1)[0] = -1;
        heavyBall.restore(new OptimizerState("momentum", 1, signed));
        assertEquals(-1f, heavyBall.exportState().buffers().get(1)[0]);
        org.junit.jupiter.api.Assertions.assertArrayEquals(weightsBefore, m.layers().get(0).weights());
        assertMessage("optimizer state step must be 0 to 9007199254740992 (2^53), got -1",
                () -> new OptimizerState("sgd", -1, List.of()));
        assertMessage("optimizer state step must be 0 to 9007199254740992 (2^53), got 9223372036854775807",
                () -> new OptimizerState("adam", Long.MAX_VALUE, List.of()));
        assertEquals("optimizer state buffers is null", assertThrows(NullPointerException.class,
                () -> new OptimizerState("adam", 0, null)).getMessage());
        assertEquals("optimizer state buffer 2 of 2 is null", assertThrows(NullPointerException.class,
                () -> new OptimizerState("adam", 0, java.util.Arrays.asList(new float[2], null))).getMessage());

        Trainer trainer = new Trainer();
        TrainingCheckpoint fullBatch = trainer.fit(start(), points(), new TrainingConfig(Loss.BCE, 2, 0, 0.1f, 0), null)
                .checkpoint();
        assertMessage("the checkpoint is after epoch 2, so --epochs 2 leaves nothing to run", () -> trainer.fit(start(),
                points(), new TrainingConfig(Loss.BCE, 2, 0, 0.1f, 0), fullBatch, null));
        assertMessage("the checkpoint comes from a full-batch run, but --batch-size 3 needs its shuffle stream",
                () -> trainer.fit(start(), points(), new TrainingConfig(Loss.BCE, 5, 3, 0.1f, 0), fullBatch, null));
        TrainingControl control = new TrainingControl();
        control.requestStop();
        TrainingCheckpoint inside = trainer.fit(start(), points(), new TrainingConfig(Loss.BCE, 5, 2, 0.1f, 0), null,
                null, control).checkpoint(); // after step 1 of 6 of epoch 1
        assertMessage("the checkpoint is after batch 1 of epoch 1, but this run has 1 (full batch) batches per epoch",
                () -> trainer.fit(start(), points(), new TrainingConfig(Loss.BCE, 5, 0, 0.1f, 0), inside, null));
        assertMessage("a checkpoint inside an epoch (after 2 batches) needs the shuffle stream",
                () -> new TrainingCheckpoint(0, 2, 1.5, inside.optimizer(), null, Double.NaN));
        assertMessage("a checkpoint's loss sum must be finite, and 0 at an epoch boundary, got 1.5 after 0 batches",
                () -> new TrainingCheckpoint(0, 0, 1.5, inside.optimizer(), null, Double.NaN));
    }
}
