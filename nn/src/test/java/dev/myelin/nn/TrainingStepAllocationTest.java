package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import dev.myelin.core.dispatch.KernelRegistry;
import java.lang.management.ManagementFactory;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A compiled training step allocates nothing: forward, softmax head, backward and the optimizer's update of a
 * 300 → 72 → 10 model on batches of 64 rows (the packed engine's path: more than its few-rows threshold, a thin
 * output layer; the first layer's products are large enough for 2 threads), on the calling thread and, with 2
 * threads, on the kernel's worker. Measured with
 * {@code ThreadMXBean#getThreadAllocatedBytes}, so it holds on a busy machine.
 *
 * <p>C2 compiles in the background, and until it has, the Vector API's interpreted and C1 code boxes every
 * vector: rounds of warm-up steps are followed by measured steps until a round measures nothing, within a time
 * budget (not a round count: when C2 finishes depends on the machine's load). A step whose compiled code
 * allocates never reaches 0, and the test fails with the bytes per step. Runs in the {@code allocation}
 * execution (nn/pom.xml): a JVM of its own, whose kernels have seen one vector width.
 */
class TrainingStepAllocationTest {

    static final int INPUTS = 300, HIDDEN = 72, CLASSES = 10, BATCH = 64;
    static final int WARM_STEPS = 20, MEASURED_STEPS = 10;
    static final long MAX_WARM_NANOS = 90_000_000_000L;

    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    @ParameterizedTest(name = "{0} on {1} thread(s), {2}")
    @CsvSource({"blocked, 1, sgd", "blocked, 1, adam", "parallel, 2, sgd", "parallel, 2, momentum", "parallel, 2, adam"})
    void aCompiledStepAllocatesNothing(String kernel, int threads, String optimizer) {
        assumeTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes per thread");
        DenseOps ops = DenseOps.of(KernelRegistry.withThreads(kernel, threads));
        Random r = new Random(21);
        float[] x = new float[3 * BATCH * INPUTS];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        int[] labels = new int[3 * BATCH];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = r.nextInt(CLASSES);
        }
        Mlp model = Mlp.of(new int[] {INPUTS, HIDDEN, CLASSES}, Activation.RELU, Activation.SOFTMAX);
        Init.TORCH.initialize(model, 4);
        OptimizerSpec spec = switch (optimizer) {
            case "sgd" -> OptimizerSpec.sgd(0.05);
            case "momentum" -> OptimizerSpec.momentum(0.05, 0.9);
            default -> OptimizerSpec.adam(1e-3);
        };
        TrainingStep step = new TrainingStep(model, Loss.CE, spec, BATCH, ops);

        steps(step, x, labels, 1);
        // every kernel worker alive (an earlier case's kernel may be this one, its worker started then)
        Set<Long> workers = gemmThreads();
        assertTrue(workers.size() >= threads - 1, "the kernel's workers: " + workers);

        long start = System.nanoTime();
        long caller;
        long worker;
        int round = 0;
        do {
            round++;
            steps(step, x, labels, WARM_STEPS);
            long workerBefore = bytes(workers);
            long callerBefore = THREADS.getCurrentThreadAllocatedBytes();
            double loss = steps(step, x, labels, MEASURED_STEPS);
            caller = THREADS.getCurrentThreadAllocatedBytes() - callerBefore;
            worker = bytes(workers) - workerBefore;
            assertTrue(Double.isFinite(loss), "loss " + loss);
        } while ((caller != 0 || worker != 0) && System.nanoTime() - start < MAX_WARM_NANOS);
        System.out.printf("%s, %s: %d bytes a step on the caller, %d on the workers, after %d rounds, %.1f s%n",
                ops.kernel().describe(), optimizer, caller / MEASURED_STEPS, worker / MEASURED_STEPS, round,
                (System.nanoTime() - start) / 1e9);
        assertEquals(0, caller / MEASURED_STEPS, "bytes a step on the calling thread");
        assertEquals(0, worker / MEASURED_STEPS, "bytes a step on the kernel's worker");
    }

    /** {@code count} steps over the three batches in turn; returns the last loss. */
    private static double steps(TrainingStep step, float[] x, int[] labels, int count) {
        double loss = Double.NaN;
        for (int s = 0; s < count; s++) {
            int b = s % 3;
            loss = step.step(x, b * BATCH * INPUTS, labels, b * BATCH, BATCH, 1e-3);
        }
        return loss;
    }

    private static Set<Long> gemmThreads() {
        Set<Long> ids = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("myelin-gemm-")) {
                ids.add(t.threadId());
            }
        }
        return ids;
    }

    private static long bytes(Set<Long> threads) {
        long sum = 0;
        for (long id : threads) {
            sum += THREADS.getThreadAllocatedBytes(id);
        }
        return sum;
    }
}
