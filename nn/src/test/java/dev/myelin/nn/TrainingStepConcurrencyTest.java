package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.DenseOps;
import dev.myelin.core.ForwardingKernel;
import dev.myelin.core.scalar.ScalarKernel;
import java.util.ConcurrentModificationException;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A TrainingStep is used by one thread at a time: a call that overlaps another thread's call on the same instance
 * is refused before it touches anything, and the first call then finishes with the bits it would have had alone.
 * The overlap is made certain, not left to timing: the first call's forward waits inside the kernel until the
 * second call has been refused.
 */
class TrainingStepConcurrencyTest {

    private static final int INPUTS = 5, CLASSES = 3, ROWS = 8;

    /** A kernel whose next forward, once armed, says it has started and waits to be let go. */
    private static final class PausingKernel extends ForwardingKernel {
        volatile CountDownLatch started, release;

        PausingKernel(DenseKernel delegate) {
            super(delegate);
        }

        @Override
        public String name() {
            return "pausing";
        }

        @Override
        public void forward(int m, int n, int k, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                            float[] b, int bOff, Activation act, float[] y, int yOff, int ldy) {
            CountDownLatch s = started, r = release;
            if (s != null) {
                started = null;
                s.countDown();
                await(r);
            }
            super.forward(m, n, k, x, xOff, ldx, w, wOff, ldw, b, bOff, act, y, yOff, ldy);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(60, TimeUnit.SECONDS), "the test never let the paused call go");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Mlp model() {
        Mlp model = Mlp.of(new int[] {INPUTS, 4, CLASSES}, Activation.TANH, Activation.SOFTMAX);
        Init.TORCH.initialize(model, 3);
        return model;
    }

    @Test
    void aCallOverlappingAnotherThreadsCallIsRefusedAndTheFirstFinishesUntouched() throws Exception {
        Random random = new Random(5);
        float[] x = new float[ROWS * INPUTS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        int[] labels = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            labels[i] = random.nextInt(CLASSES);
        }
        // the reference: the same step alone
        Mlp alone = model();
        double aloneLoss = new TrainingStep(alone, Loss.CE, OptimizerSpec.sgd(0.1), ROWS,
                DenseOps.of(new PausingKernel(new ScalarKernel()))).step(x, 0, labels, 0, ROWS, 0.1);

        PausingKernel kernel = new PausingKernel(new ScalarKernel());
        Mlp shared = model();
        TrainingStep step = new TrainingStep(shared, Loss.CE, OptimizerSpec.sgd(0.1), ROWS, DenseOps.of(kernel));
        // the test keeps its own references: the kernel clears `started` once the first forward has seen it
        CountDownLatch started = new CountDownLatch(1), release = new CountDownLatch(1);
        kernel.release = release;
        kernel.started = started;
        AtomicReference<Object> first = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                first.set(step.step(x, 0, labels, 0, ROWS, 0.1));
            } catch (Throwable t) {
                first.set(t);
            }
        }, "first-caller");
        other.start();
        await(started); // the first call is inside its forward now, and stays there

        ConcurrentModificationException refused = assertThrows(ConcurrentModificationException.class,
                () -> step.step(x, 0, labels, 0, ROWS, 0.1));
        assertTrue(refused.getMessage().contains("'first-caller'") && refused.getMessage().contains("one thread at a"
                + " time"), refused.getMessage());
        assertThrows(ConcurrentModificationException.class, () -> step.gradients(x, 0, labels, 0, ROWS));
        assertThrows(ConcurrentModificationException.class, () -> step.update(0.1));

        release.countDown();
        other.join(60_000);
        assertEquals(aloneLoss, first.get(), "the first call's loss, as alone");
        for (int l = 0; l < shared.layers().size(); l++) {
            assertArrayEquals(alone.layers().get(l).weights(), shared.layers().get(l).weights(),
                    "layer " + l + "'s weights, as after the step alone: the refused calls moved nothing");
            assertArrayEquals(alone.layers().get(l).bias(), shared.layers().get(l).bias(), "layer " + l + "'s bias");
        }
        // and once the first call is over, another thread may use the step
        assertTrue(Double.isFinite(step.step(x, 0, labels, 0, ROWS, 0.1)), "a step after the first call's end");
    }
}
