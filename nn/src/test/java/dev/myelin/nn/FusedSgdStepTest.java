package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.DenseOps;
import dev.myelin.core.scalar.ScalarKernel;
import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import dev.myelin.core.simd.VectorKernel;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link TrainingStep#step} with plain SGD fuses each layer's weight step into its gradient's product where the
 * kernel can ({@link DenseOps#fusesSgdUpdate}), and must give the bits of {@link TrainingStep#gradients} then
 * {@link TrainingStep#update}: checked parameter by parameter, on every kernel (fusing or not), for batches the
 * engine sums in one pass (1, 7, 100, 256 rows) and beyond (257, 300: not fused), every loss, thin and wide layers.
 * That the fused path ran is checked too: it leaves the weight gradients unwritten.
 */
class FusedSgdStepTest {

    static List<DenseKernel> kernels() {
        return List.of(new ScalarKernel(), new VectorKernel(0), new BlockedKernel(512), new BlockedKernel(256),
                new BlockedKernel(128), new ParallelKernel(0, 2), new ParallelKernel(0, 3));
    }

    @ParameterizedTest(name = "{0}, {1} rows")
    @CsvSource({"ce, 1", "ce, 7", "ce, 100", "ce, 256", "ce, 257", "bce, 100", "mse, 33", "mse, 300"})
    void aFusedStepHasTheBitsOfGradientsThenUpdate(String lossName, int rows) {
        Loss loss = Loss.parse(lossName);
        int outputs = loss == Loss.CE ? 10 : 3;
        int inputs = 37;
        Random random = new Random(rows * 31L + outputs);
        float[] x = new float[rows * inputs];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        int[] labels = new int[rows];
        float[] targets = new float[rows * outputs];
        for (int i = 0; i < rows; i++) {
            labels[i] = random.nextInt(outputs);
        }
        for (int i = 0; i < targets.length; i++) {
            targets[i] = loss == Loss.BCE ? random.nextInt(2) : (float) random.nextGaussian();
        }
        Activation out = loss.outputActivation();
        for (DenseKernel kernel : kernels()) {
            DenseOps ops = DenseOps.of(kernel);
            Mlp fused = model(out);
            Mlp reference = model(out);
            TrainingStep fusedStep = new TrainingStep(fused, loss, OptimizerSpec.sgd(0.05), rows, ops);
            TrainingStep referenceStep = new TrainingStep(reference, loss, OptimizerSpec.sgd(0.05), rows, ops);
            for (int s = 0; s < 3; s++) {
                double lr = 0.05 + 0.01 * s;
                double a;
                double b;
                if (loss == Loss.CE) {
                    a = fusedStep.step(x, 0, labels, 0, rows, lr);
                    b = referenceStep.gradients(x, 0, labels, 0, rows);
                } else {
                    a = fusedStep.step(x, 0, targets, 0, rows, lr);
                    b = referenceStep.gradients(x, 0, targets, 0, rows);
                }
                referenceStep.update(lr);
                assertEquals(b, a, kernel + ": the loss of step " + s);
            }
            String what = kernel + ", " + loss.id() + ", " + rows + " rows";
            for (int l = 0; l < fused.layers().size(); l++) {
                Dense f = fused.layers().get(l);
                Dense r = reference.layers().get(l);
                assertArrayEquals(r.weights(), f.weights(), what + ": layer " + (l + 1) + "'s weights");
                assertArrayEquals(r.bias(), f.bias(), what + ": layer " + (l + 1) + "'s bias");
                assertArrayEquals(r.biasGradient(), f.biasGradient(), what + ": layer " + (l + 1) + "'s db");
                boolean unwritten = allZero(f.weightGradient());
                assertEquals(ops.fusesSgdUpdate(rows), unwritten, what + ": layer " + (l + 1) + "'s dW was "
                        + (unwritten ? "not " : "") + "written, but the kernel " + (ops.fusesSgdUpdate(rows)
                        ? "fuses" : "does not fuse") + " the update for this batch");
            }
        }
    }

    /**
     * A layer as wide as MNIST's on the two-thread kernel: products over 2²¹ flops, so cut between the threads, and a
     * 10-output layer whose weight gradient takes the thin path (computed as its transpose).
     */
    @Test
    void aFusedStepOnSeveralThreadsHasTheBitsOfGradientsThenUpdate() {
        int rows = 128;
        Random random = new Random(9);
        float[] x = new float[rows * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = random.nextInt(10);
        }
        DenseOps ops = DenseOps.of(new ParallelKernel(0, 2));
        Mlp fused = Mlp.of(new int[] {784, 64, 10}, Activation.RELU, Activation.SOFTMAX);
        Mlp reference = Mlp.of(new int[] {784, 64, 10}, Activation.RELU, Activation.SOFTMAX);
        Init.TORCH.initialize(fused, 4);
        Init.TORCH.initialize(reference, 4);
        TrainingStep a = new TrainingStep(fused, Loss.CE, OptimizerSpec.sgd(0.1), rows, ops);
        TrainingStep b = new TrainingStep(reference, Loss.CE, OptimizerSpec.sgd(0.1), rows, ops);
        for (int s = 0; s < 3; s++) {
            a.step(x, 0, labels, 0, rows, 0.1);
            b.gradients(x, 0, labels, 0, rows);
            b.update(0.1);
        }
        for (int l = 0; l < 2; l++) {
            assertArrayEquals(reference.layers().get(l).weights(), fused.layers().get(l).weights(), "layer " + (l + 1));
            assertArrayEquals(reference.layers().get(l).bias(), fused.layers().get(l).bias(), "layer " + (l + 1));
            assertTrue(allZero(fused.layers().get(l).weightGradient()), "the fused path ran on layer " + (l + 1));
        }
    }

    @Test
    void anUpdateOnGradientsAFusedStepDidNotWriteIsRefused() {
        Mlp m = model(Activation.SOFTMAX);
        TrainingStep step = new TrainingStep(m, Loss.CE, OptimizerSpec.sgd(0.1), 8, DenseOps.of(new BlockedKernel(0)));
        float[] x = new float[8 * 37];
        step.step(x, 0, new int[8], 0, 8, 0.1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> step.update(0.1));
        assertTrue(e.getMessage().contains("TrainingStep.gradients"), e.getMessage());
        float[] flat = new float[(int) m.parameterCount()];
        m.setGradients(flat, 0); // gradients from elsewhere: an update may use them
        step.update(0.1);
        m.copyGradientsTo(flat, 0);
    }

    @Test
    void onlyPlainSgdWithoutDecayFuses() {
        DenseOps ops = DenseOps.of(new BlockedKernel(0));
        for (OptimizerSpec spec : List.of(OptimizerSpec.momentum(0.1, 0.9), OptimizerSpec.adam(1e-3),
                OptimizerSpec.sgd(0.1).withWeightDecay(1e-4))) {
            Mlp m = model(Activation.SOFTMAX);
            TrainingStep step = new TrainingStep(m, Loss.CE, spec, 8, ops);
            float[] x = new float[8 * 37];
            Random random = new Random(5);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            step.step(x, 0, new int[8], 0, 8, 0.1);
            assertFalse(allZero(m.layers().get(0).weightGradient()), spec + " must store its gradients");
        }
    }

    @Test
    void gradientsLeftByAFusedStepCannotBeCopied() {
        Mlp m = model(Activation.SOFTMAX);
        TrainingStep step = new TrainingStep(m, Loss.CE, OptimizerSpec.sgd(0.1), 8, DenseOps.of(new BlockedKernel(0)));
        float[] x = new float[8 * 37];
        float[] flat = new float[(int) m.parameterCount()];
        step.step(x, 0, new int[8], 0, 8, 0.1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.copyGradientsTo(flat, 0));
        assertTrue(e.getMessage().contains("TrainingStep.gradients"), e.getMessage());
        step.gradients(x, 0, new int[8], 0, 8);
        m.copyGradientsTo(flat, 0); // gradients() left them
    }

    /** A backward pass runs once, for the loss formed last: another pass in between leaves none waiting. */
    @Test
    void aLossWaitsForOneBackwardPassOnly() {
        Mlp m = model(Activation.SOFTMAX);
        TrainingStep step = new TrainingStep(m, Loss.CE, OptimizerSpec.sgd(0.1), 8, DenseOps.of(new BlockedKernel(0)));
        float[] x = new float[8 * 37];
        step.checkedLoss(x, null, new int[8], 0, 8);
        step.checkedBackwardAndUpdate(0.1);
        assertThrows(IllegalStateException.class, () -> step.checkedBackwardAndUpdate(0.1), "a second backward");
        step.checkedLoss(x, null, new int[8], 0, 8);
        step.gradients(x, 0, new int[8], 0, 8); // a whole pass of its own, backward included
        assertThrows(IllegalStateException.class, () -> step.checkedBackwardAndUpdate(0.1),
                "the loss formed before gradients() no longer waits");
    }

    @Test
    void whichKernelsFuse() {
        assertTrue(DenseOps.of(new ScalarKernel()).fusesSgdUpdate(100_000), "scalar sums any batch in one pass");
        assertFalse(DenseOps.of(new VectorKernel(0)).fusesSgdUpdate(1), "vector has no general product");
        assertTrue(DenseOps.of(new BlockedKernel(0)).fusesSgdUpdate(256));
        assertFalse(DenseOps.of(new BlockedKernel(0)).fusesSgdUpdate(257), "the engine's k blocks are 256 deep");
        assertTrue(DenseOps.of(new ParallelKernel(0, 2)).fusesSgdUpdate(128));
    }

    @Test
    void aZeroRateIsNotFusedAndABadOneMovesNothing() {
        DenseOps ops = DenseOps.of(new BlockedKernel(0));
        Mlp m = model(Activation.SOFTMAX);
        float[] before = m.layers().get(0).weights().clone();
        TrainingStep step = new TrainingStep(m, Loss.CE, OptimizerSpec.sgd(0.1), 8, ops);
        float[] x = new float[8 * 37];
        x[3] = Float.NaN; // a NaN gradient: the unfused rule carries it even at rate 0 (0·NaN)
        // a step refuses the batch (its loss is NaN) and moves nothing; the two halves show the rule
        assertThrows(IllegalArgumentException.class, () -> step.step(x, 0, new int[8], 0, 8, 0));
        assertArrayEquals(before, m.layers().get(0).weights(), "a refused batch changes no weight");
        step.gradients(x, 0, new int[8], 0, 8);
        step.update(0);
        assertTrue(Float.isNaN(m.layers().get(0).weights()[3 * 16]), "W −= 0·NaN is NaN, as the unfused rule gives");
        Mlp clean = model(Activation.SOFTMAX);
        TrainingStep cleanStep = new TrainingStep(clean, Loss.CE, OptimizerSpec.sgd(0.1), 8, ops);
        assertThrows(IllegalArgumentException.class, () -> cleanStep.step(new float[8 * 37], 0, new int[8], 0, 8,
                Double.NaN));
        assertArrayEquals(before, clean.layers().get(0).weights(), "a refused rate changes no weight");
        float[] w = new float[4];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ops.sgdWeightUpdate(2, 2, 2,
                new float[4], 0, 2, new float[4], 0, 2, 0f, w, 0, 2));
        assertTrue(e.getMessage().contains("rate"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> DenseOps.of(new VectorKernel(0)).sgdWeightUpdate(2, 2,
                2, new float[4], 0, 2, new float[4], 0, 2, 0.1f, w, 0, 2));
    }

    private static Mlp model(Activation out) {
        Mlp m = Mlp.of(new int[] {37, 16, 24, out == Activation.SOFTMAX ? 10 : 3}, Activation.SIGMOID, out);
        Init.TORCH.initialize(m, 3);
        return m;
    }

    private static boolean allZero(float[] a) {
        for (float v : a) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }
}
