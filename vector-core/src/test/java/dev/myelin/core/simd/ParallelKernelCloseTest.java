package dev.myelin.core.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ParallelKernel#close}: the workers end without waiting for a collection (the kernels allocate nothing,
 * so a program that makes one per task would otherwise keep their threads until one), and the kernel stays
 * usable on the calling thread with the same bits.
 */
class ParallelKernelCloseTest {

    @Test
    void aClosedKernelEndsItsThreadsAndKeepsItsBits() throws InterruptedException {
        int m = 200, k = 300, n = 130; // above the threshold for threads: split in 3
        Random random = new Random(8);
        float[] x = new float[m * k], w = new float[k * n], b = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() / Math.sqrt(k));
        }
        float[] expected = new float[m * n];
        DenseOps.of(new BlockedKernel(0)).forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.SIGMOID, expected, 0, n);

        ParallelKernel kernel = new ParallelKernel(0, 3);
        float[] before = new float[m * n];
        DenseOps.of(kernel).forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.SIGMOID, before, 0, n);
        assertEquals(2, kernel.liveWorkers(), "the workers after a first call");

        assertEquals(3, kernel.threads());
        kernel.close();
        assertEquals(1, kernel.threads(), "a closed kernel runs on the caller alone");
        long deadline = System.nanoTime() + 60_000_000_000L; // a bound on a hang, not a timing
        while (kernel.liveWorkers() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, kernel.liveWorkers(), "workers alive a minute after close");

        float[] after = new float[m * n];
        DenseOps.of(kernel).forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.SIGMOID, after, 0, n);
        assertEquals(0, kernel.liveWorkers(), "a call after close starts no thread");
        for (int i = 0; i < m * n; i++) {
            assertTrue(Float.floatToRawIntBits(expected[i]) == Float.floatToRawIntBits(before[i])
                    && Float.floatToRawIntBits(expected[i]) == Float.floatToRawIntBits(after[i]),
                    "element " + i + ": blocked " + expected[i] + ", before close " + before[i] + ", after " + after[i]);
        }
        kernel.close(); // twice: harmless
    }
}
