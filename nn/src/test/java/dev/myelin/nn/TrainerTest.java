package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrainerTest {

    private static DenseOps ops(String kernel) {
        return kernel.equals("scalar") ? DenseOps.of("scalar") : DenseOps.defaults();
    }

    @ParameterizedTest(name = "{0} kernel")
    @ValueSource(strings = {"scalar", "default"})
    void aHiddenLayerLearnsXor(String kernel) {
        // 2→4→1 sigmoid, numpy-uniform init with seed 42, mean BCE, lr 1, 5000 full-batch epochs. (A one-layer net
        // cannot learn XOR: the document's own run converges to W, b → 0 and loss ln 2.)
        Mlp m = Mlp.of(new int[] {2, 4, 1}, Activation.SIGMOID, Activation.SIGMOID);
        Init.UNIFORM01.initialize(m, 42);
        Dataset xor = Dataset.xor();
        TrainingResult r = new Trainer(ops(kernel)).fit(m, xor,
                new TrainingConfig(Loss.BCE, 5000, 0, 1f, 0, GradientConvention.MEAN), null);
        float[] y = m.predict(xor.features(), 4, ops(kernel));
        for (int i = 0; i < 4; i++) {
            assertEquals(xor.targets()[i], y[i] > 0.5f ? 1f : 0f, "row " + i + ": output " + y[i]);
        }
        assertTrue(r.finalLoss() < 0.05, "final loss " + r.finalLoss());
        assertEquals(5000, r.epochs());
    }

    @Test
    void aLinearlySeparableProblemReachesLowLoss() {
        // 200 points in [−1, 1]², class 1 iff x0 + 2·x1 > 0.25, none within 0.2 of the boundary.
        Random r = new Random(3);
        float[] x = new float[400];
        float[] t = new float[200];
        for (int i = 0; i < 200; ) {
            float a = (float) (2 * r.nextDouble() - 1);
            float b = (float) (2 * r.nextDouble() - 1);
            double s = a + 2 * b - 0.25;
            if (Math.abs(s) < 0.2) {
                continue;
            }
            x[2 * i] = a;
            x[2 * i + 1] = b;
            t[i++] = s > 0 ? 1 : 0;
        }
        Dataset data = Dataset.regression(x, 200, 2, t, 1);
        Mlp m = Mlp.of(new int[] {2, 1}, Activation.SIGMOID, Activation.SIGMOID);
        double[] first = new double[1];
        TrainingResult res = new Trainer().fit(m, data,
                new TrainingConfig(Loss.BCE, 2000, 0, 2f, 0, GradientConvention.MEAN), (e, loss) -> {
                    if (e == 1) {
                        first[0] = loss;
                    }
                });
        assertEquals(Math.log(2), first[0], 1e-6, "zero weights: every output is 1/2");
        assertTrue(res.finalLoss() < 0.05, "final loss " + res.finalLoss());
        float[] y = m.predict(x, 200);
        for (int i = 0; i < 200; i++) {
            assertEquals(t[i], y[i] > 0.5f ? 1f : 0f, "point " + i);
        }
    }

    /** Three well separated blobs in 2-D, labels 0..2. */
    private static Dataset blobs(int rows, long seed) {
        Random r = new Random(seed);
        double[][] centres = {{-2, 0}, {2, 0}, {0, 2.5}};
        float[] x = new float[rows * 2];
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            int c = i % 3;
            labels[i] = c;
            x[2 * i] = (float) (centres[c][0] + 0.5 * r.nextGaussian());
            x[2 * i + 1] = (float) (centres[c][1] + 0.5 * r.nextGaussian());
        }
        return Dataset.classes(x, rows, 2, labels, 3);
    }

    @Test
    void softmaxClassifierLearnsWithMiniBatches() {
        Dataset data = blobs(150, 5);
        Mlp m = Mlp.of(new int[] {2, 8, 3}, Activation.TANH, Activation.SOFTMAX);
        Init.XAVIER.initialize(m, 1);
        TrainingResult r = new Trainer().fit(m, data, new TrainingConfig(Loss.CE, 100, 16, 0.5f, 9), null);
        assertTrue(r.finalLoss() < 0.1, "final loss " + r.finalLoss());
        float[] p = m.predict(data.features(), data.rows());
        int correct = 0;
        for (int i = 0; i < data.rows(); i++) {
            int best = 0;
            for (int c = 1; c < 3; c++) {
                if (p[i * 3 + c] > p[i * 3 + best]) {
                    best = c;
                }
            }
            correct += best == data.labels()[i] ? 1 : 0;
        }
        assertTrue(correct >= 145, correct + "/150 correct");
    }

    @Test
    void linearRegressionFindsTheCoefficients() {
        // y = 2·x0 − x1 + 0.5 exactly; MSE with an identity output must recover W = (2, −1), b = 0.5.
        Random r = new Random(4);
        float[] x = new float[2 * 50];
        float[] t = new float[50];
        for (int i = 0; i < 50; i++) {
            x[2 * i] = (float) (2 * r.nextDouble() - 1);
            x[2 * i + 1] = (float) (2 * r.nextDouble() - 1);
            t[i] = 2 * x[2 * i] - x[2 * i + 1] + 0.5f;
        }
        Mlp m = Mlp.of(new int[] {2, 1}, Activation.IDENTITY, Activation.IDENTITY);
        TrainingResult res = new Trainer().fit(m, Dataset.regression(x, 50, 2, t, 1),
                new TrainingConfig(Loss.MSE, 300, 7, 0.2f, 0), null);
        assertTrue(res.finalLoss() < 1e-8, "final loss " + res.finalLoss());
        assertArrayEquals(new float[] {2, -1}, m.layers().get(0).weights(), 1e-4f);
        assertEquals(0.5f, m.layers().get(0).bias()[0], 1e-4f);
    }

    @Test
    void miniBatchRunsAreDeterministicPerSeed() {
        Dataset data = blobs(30, 2);
        Mlp start = Mlp.of(new int[] {2, 5, 3}, Activation.RELU, Activation.SOFTMAX);
        Init.HE.initialize(start, 8);
        Mlp a = start.copy();
        Mlp b = start.copy();
        Mlp c = start.copy();
        List<Double> lossA = new ArrayList<>();
        List<Double> lossB = new ArrayList<>();
        new Trainer().fit(a, data, new TrainingConfig(Loss.CE, 20, 4, 0.3f, 77), (e, l) -> lossA.add(l));
        new Trainer().fit(b, data, new TrainingConfig(Loss.CE, 20, 4, 0.3f, 77), (e, l) -> lossB.add(l));
        new Trainer().fit(c, data, new TrainingConfig(Loss.CE, 20, 4, 0.3f, 78), null);
        assertEquals(lossA, lossB);
        assertEquals(ModelFile.toJson(a), ModelFile.toJson(b));
        assertFalse(ModelFile.toJson(a).equals(ModelFile.toJson(c)), "another seed, another order");
    }

    @Test
    void miniBatchesFollowNumpysPermutationsAndUseThePartialBatch() {
        // Replays a mini-batch run by hand: epoch e takes rows in the order of the e-th np.random.permutation(10)
        // after np.random.seed(seed) (NumpyRandomTest ties that to numpy), in batches of 3, 3, 3 and 1, each one a
        // full-batch step on a data set of just those rows. Results must agree bit for bit, and the reported loss
        // must be the row-weighted mean of the batch losses.
        int rows = 10;
        int batch = 3;
        long seed = 42;
        Random r = new Random(6);
        float[] x = new float[rows * 2];
        float[] t = new float[rows * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            t[i] = (float) r.nextGaussian();
        }
        Dataset data = Dataset.regression(x, rows, 2, t, 2);
        Mlp start = Mlp.of(new int[] {2, 3, 2}, Activation.TANH, Activation.IDENTITY);
        Init.XAVIER.initialize(start, 5);

        Mlp trained = start.copy();
        List<Double> losses = new ArrayList<>();
        new Trainer(DenseOps.of("scalar")).fit(trained, data,
                new TrainingConfig(Loss.MSE, 3, batch, 0.05f, seed), (e, l) -> losses.add(l));

        Mlp replay = start.copy();
        NumpyRandom numpy = new NumpyRandom(seed);
        Trainer step = new Trainer(DenseOps.of("scalar"));
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] order = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
            numpy.shuffle(order);
            double weighted = 0;
            for (int s = 0; s < rows; s += batch) {
                int m = Math.min(batch, rows - s);
                float[] bx = new float[m * 2];
                float[] bt = new float[m * 2];
                for (int i = 0; i < m; i++) {
                    System.arraycopy(x, order[s + i] * 2, bx, i * 2, 2);
                    System.arraycopy(t, order[s + i] * 2, bt, i * 2, 2);
                }
                TrainingResult one = step.fit(replay, Dataset.regression(bx, m, 2, bt, 2),
                        new TrainingConfig(Loss.MSE, 1, 0, 0.05f, 0), null);
                weighted += m * one.finalLoss();
            }
            assertEquals(weighted / rows, losses.get(epoch), 1e-15, "epoch " + (epoch + 1));
        }
        assertEquals(ModelFile.toJson(replay), ModelFile.toJson(trained));
    }

    @Test
    void theDocumentConventionIsTheMeanTimesTheBatchSize() {
        // Same start, same data: DOCUMENT_SUM with lr/4 on the 4 XOR rows takes the same steps as MEAN with lr.
        Mlp start = Mlp.of(new int[] {2, 3, 1}, Activation.TANH, Activation.SIGMOID);
        Init.XAVIER.initialize(start, 4);
        Mlp mean = start.copy();
        Mlp sum = start.copy();
        new Trainer().fit(mean, Dataset.xor(), new TrainingConfig(Loss.BCE, 50, 0, 0.4f, 0, GradientConvention.MEAN),
                null);
        new Trainer().fit(sum, Dataset.xor(), new TrainingConfig(Loss.BCE, 50, 0, 0.1f, 0,
                GradientConvention.DOCUMENT_SUM), null);
        for (int l = 0; l < 2; l++) {
            assertArrayEquals(mean.layers().get(l).weights(), sum.layers().get(l).weights(), 1e-5f);
            assertArrayEquals(mean.layers().get(l).bias(), sum.layers().get(l).bias(), 1e-5f);
        }
    }

    /**
     * Allocation, not time: the bytes this thread allocates between two epochs late in a long run, through
     * {@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}. Full batch (one step per epoch) and
     * batch size 3 on the 4 XOR rows (two steps per epoch, one of them partial, with gathering).
     *
     * <p>Warm-up: 150,000 steps, so that C2 has compiled the step and scalar-replaced the argument-check lambdas of
     * {@code DenseOps} (with 30,000 steps the full-batch run still allocated ~400 bytes per step on a 2-core
     * machine, all of it in not-yet-compiled checks; after 100,000, 0). Bound: < 1 KB per 100 steps; a single
     * buffer allocated per step (≥ 16 bytes) would exceed it.
     *
     * <p>With the scalar kernel only: this tests nn's orchestration. The vector kernel of vector-core, at the time
     * of writing, allocates ~20 KB per step on these tiny shapes in the Vector API's Java fallback paths
     * (FloatVector broadcast/bOp/tOp not intrinsified), which is that module's concern.
     */
    @ParameterizedTest(name = "batch size {0}")
    @ValueSource(ints = {0, 3})
    void stepsAllocateNothingAfterWarmUp(int batchSize) {
        // Runs of many epochs, each measured over its second half, until one allocates (almost) nothing or the time
        // budget is spent: when C2 has compiled the step depends on the machine's load, not on a step count.
        int stepsPerEpoch = batchSize == 0 ? 1 : 2;
        final int half = 50_000 / stepsPerEpoch;
        com.sun.management.ThreadMXBean bean =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assertTrue(bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled());
        Mlp m = Mlp.of(new int[] {2, 4, 1}, Activation.SIGMOID, Activation.SIGMOID);
        Init.UNIFORM01.initialize(m, 1);
        int steps = half * stepsPerEpoch;
        long limit = steps / 100 * 1024L; // well under one byte a step: a real per-step allocation is ≥ 16 bytes
        long deadline = System.nanoTime() + 90_000_000_000L;
        long bytes;
        int runs = 0;
        do {
            long[] at = new long[2];
            new Trainer(DenseOps.of("scalar")).fit(m, Dataset.xor(),
                    new TrainingConfig(Loss.BCE, 2 * half, batchSize, 0.5f, 3), (epoch, loss) -> {
                        if (epoch == half) {
                            at[0] = bean.getCurrentThreadAllocatedBytes();
                        } else if (epoch == 2 * half) {
                            at[1] = bean.getCurrentThreadAllocatedBytes();
                        }
                    });
            bytes = at[1] - at[0];
            runs++;
        } while (bytes >= limit && System.nanoTime() < deadline);
        System.out.printf("batch size %d: %d bytes allocated over %d steps (run %d)%n", batchSize, bytes, steps, runs);
        assertTrue(bytes < limit, bytes + " bytes allocated over " + steps + " steps, after " + runs + " runs");
    }

    private static void assertMessage(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
    }

    @Test
    void fitChecksModelDataAndLoss() {
        Trainer tr = new Trainer();
        Mlp sig = Mlp.of(new int[] {2, 1}, Activation.SIGMOID, Activation.SIGMOID);
        Mlp id = Mlp.of(new int[] {2, 1}, Activation.SIGMOID, Activation.IDENTITY);
        Mlp soft = Mlp.of(new int[] {2, 3}, Activation.SIGMOID, Activation.SOFTMAX);
        Dataset xor = Dataset.xor();
        Dataset three = Dataset.regression(new float[6], 2, 3, new float[2], 1);
        Dataset labelled = Dataset.classes(new float[4], 2, 2, new int[] {0, 2}, 3);
        TrainingConfig bce = new TrainingConfig(Loss.BCE, 1, 0, 0.1f, 0);
        TrainingConfig ce = new TrainingConfig(Loss.CE, 1, 0, 0.1f, 0);
        TrainingConfig mse = new TrainingConfig(Loss.MSE, 1, 0, 0.1f, 0);
        assertMessage("the data has 3 inputs but the model has 2", () -> tr.fit(sig, three, bce, null));
        assertMessage("loss bce needs a sigmoid output layer, but the model's last layer is identity (its loss would"
                + " be mse)",
                () -> tr.fit(id, xor, bce, null));
        assertMessage("loss ce needs a softmax output layer, but the model's last layer is sigmoid (its loss would be"
                + " bce)",
                () -> tr.fit(sig, xor, ce, null));
        assertMessage("loss ce needs class labels, but the data has 1 target column",
                () -> tr.fit(soft, xor, ce, null));
        assertMessage("loss mse needs an elementwise (identity, sigmoid, tanh or relu) output layer, but the model's"
                + " last layer is softmax (its loss would be ce)", () -> tr.fit(soft, labelled, mse, null));
        assertMessage("loss bce needs target columns, but the data has class labels",
                () -> tr.fit(sig, labelled, bce, null));
        assertMessage("the data has 3 classes but the model has 2 outputs", () -> tr.fit(
                Mlp.of(new int[] {2, 2}, Activation.SIGMOID, Activation.SOFTMAX), labelled, ce, null));
        assertMessage("the data has 1 target column but the model has 2 outputs", () -> tr.fit(
                Mlp.of(new int[] {2, 2}, Activation.SIGMOID, Activation.IDENTITY), xor, mse, null));
        Dataset bad = Dataset.regression(new float[4], 2, 2, new float[] {0, 2}, 1);
        assertMessage("loss bce needs targets in [0, 1], but row 2 column 1 is 2.0", () -> tr.fit(sig, bad, bce, null));
        assertMessage("seed must be between 0 and 4294967295 (numpy's rule), got -1",
                () -> tr.fit(sig, xor, new TrainingConfig(Loss.BCE, 1, 2, 0.1f, -1), null));
        // Full batch never uses the seed.
        tr.fit(sig, xor, new TrainingConfig(Loss.BCE, 1, 0, 0.1f, -1), null);
    }

    @Test
    void fullBatchLossIsTheLossBeforeTheUpdate() {
        Mlp m = Mlp.of(new int[] {2, 1}, Activation.SIGMOID, Activation.SIGMOID);
        Init.UNIFORM01.initialize(m, 0);
        Mlp before = m.copy();
        float[] y = before.predict(Dataset.xor().features(), 4);
        double expected = 0;
        for (int i = 0; i < 4; i++) {
            double t = Dataset.xor().targets()[i];
            expected -= t * Math.log(y[i]) + (1 - t) * Math.log(1 - y[i]);
        }
        expected /= 4;
        List<Double> seen = new ArrayList<>();
        TrainingResult r = new Trainer().fit(m, Dataset.xor(), new TrainingConfig(Loss.BCE, 1, 4, 0.1f, 0),
                (e, l) -> seen.add(l));
        assertEquals(List.of(r.finalLoss()), seen);
        assertEquals(expected, r.finalLoss(), 1e-6);
        assertFalse(Arrays.equals(before.layers().get(0).weights(), m.layers().get(0).weights()), "no update");
    }

    /**
     * A NaN or infinite feature (or mse target) in training data is named before training, not blamed on the
     * learning rate after a divergence; batches of near 2^31 rows are computed without wrapping around.
     */
    @Test
    void trainingDataMustBeFiniteAndHugeBatchCountsDoNotWrap() {
        Mlp m = Mlp.of(new int[] {2, 3, 1}, dev.myelin.core.Activation.SIGMOID, dev.myelin.core.Activation.SIGMOID);
        Init.XAVIER.initialize(m, 1);
        float[] x = {0, 0, 0, 1, 1, Float.NaN, 1, 1};
        Dataset nan = Dataset.regression(x, 4, 2, new float[] {0, 1, 1, 0}, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer().fit(m, nan,
                new TrainingConfig(Loss.BCE, 1, 0, 0.1f, 0), null));
        assertEquals("the training data's feature at row 3, column 2 is NaN; training needs finite inputs (remove the"
                + " row or fill the value)", e.getMessage());
        Mlp linear = Mlp.of(new int[] {2, 1}, dev.myelin.core.Activation.IDENTITY, dev.myelin.core.Activation.IDENTITY);
        Dataset inf = Dataset.regression(new float[] {0, 0, 1, 1}, 2, 2, new float[] {1, Float.POSITIVE_INFINITY}, 1);
        e = assertThrows(IllegalArgumentException.class, () -> new Trainer().fit(linear, inf,
                new TrainingConfig(Loss.MSE, 1, 0, 0.1f, 0), null));
        assertTrue(e.getMessage().startsWith("the training data's target at row 2, column 1 is Infinity"),
                e.getMessage());

        int huge = Integer.MAX_VALUE - 10;
        int batch = ForwardBackward.equalBatch(huge, 256);
        assertTrue(batch > 0 && batch <= 256, "batch " + batch);
        assertEquals(((long) huge + 255) / 256, ((long) huge + batch - 1) / batch, "as many batches as 256 rows give");
    }
}
