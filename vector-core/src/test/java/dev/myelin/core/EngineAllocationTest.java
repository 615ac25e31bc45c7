package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.management.ThreadMXBean;
import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Once compiled, the packed engine allocates nothing per call: {@code blocked} on the calling thread, and
 * {@code parallel} on 2 threads neither on the caller nor on its pool's worker thread (found by its name,
 * {@code myelin-gemm-*}, among the threads that appear with the kernel's first call). Measured with
 * {@code ThreadMXBean#getThreadAllocatedBytes}, so it holds on a busy machine.
 *
 * <p>Calls: a layer of 128×784 → 100 — k = 784 is three KC blocks and a partial one, 128 rows end in an edge
 * tile, 100 columns in a narrow edge panel — forward with bias and each activation, the accumulating weight
 * gradient (A = X packed transposed) and the input gradient (B = W gathered); and a thin layer 1000×130 → 10
 * (forward, weight gradient over three k blocks, input gradient), which the parallel kernel cuts into row
 * slices where the first layer is cut into column slices. The first calls allocate each thread's packing
 * buffers (GemmWorkspace) and, for {@code parallel}, start the worker.
 *
 * <p>As in {@link VectorKernelAllocationTest}: C2 compiles in the background and a method may run in C1 code
 * (which boxes every vector) for a while on 2 cores, so rounds of warm-up calls are followed by a measured
 * batch of each call, until a round measures 0 everywhere or the rounds run out; a call whose compiled form
 * allocates never reaches 0 and fails, listing bytes per call. Then the compiled results are checked: the
 * forward against the double reference, and {@code parallel} bit for bit against {@code blocked}.
 */
class EngineAllocationTest {

    static final int M = 128, K = 784, N = 100;
    static final int THIN_M = 1000, THIN_K = 130, THIN_N = 10;
    /** A few rows: the unpacked forward and the fixed-order input gradient (FixedOrderDot). */
    static final int FEW_M = 5;
    static final int WARM_CALLS = 15, MEASURED_CALLS = 10;
    /**
     * How long the calls may take to reach C2 code that allocates nothing: a time budget, not a number of rounds,
     * because when C2 compiles depends on the machine's load (a round count ran out after 4 s on a busy 2-core
     * machine while packB was still in C1 code).
     */
    static final long MAX_WARM_NANOS = 90_000_000_000L;

    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The arrays of both layers, shared by the calls of one kernel. */
    static final class Layers {
        final Random r = new Random(7);
        final float[] x = random(M * K), w = random(K * N), b = random(N), y = new float[M * N];
        final float[] dz = random(M * N), dw = random(K * N), dx = new float[M * K];
        final float[] tx = random(THIN_M * THIN_K), tw = random(THIN_K * THIN_N), tb = random(THIN_N);
        final float[] ty = new float[THIN_M * THIN_N], tdz = random(THIN_M * THIN_N);
        final float[] tdw = new float[THIN_K * THIN_N], tdx = new float[THIN_M * THIN_K];
        final float[] fy = new float[FEW_M * N], fdx = new float[FEW_M * K];
        final float[] ady = random(M * K), adz = new float[M * K], adb = new float[K];

        float[] random(int size) {
            float[] a = new float[size];
            for (int i = 0; i < size; i++) {
                a[i] = 2 * r.nextFloat() - 1;
            }
            return a;
        }

        Map<String, Runnable> calls(DenseKernel kernel) {
            Map<String, Runnable> calls = new LinkedHashMap<>();
            for (Activation act : KernelConformanceTest.elementwise()) {
                calls.put("forward " + M + "×" + K + "→" + N + " " + act,
                        () -> kernel.forward(M, N, K, x, 0, K, w, 0, N, b, 0, act, y, 0, N));
            }
            calls.put("weightGradient[accumulate] " + M + "×" + K + "→" + N,
                    () -> kernel.weightGradient(M, N, K, x, 0, K, dz, 0, N, dw, 0, N, true));
            calls.put("inputGradient " + M + "×" + K + "→" + N,
                    () -> kernel.inputGradient(M, N, K, dz, 0, N, w, 0, N, dx, 0, K));
            calls.put("forward thin " + THIN_M + "×" + THIN_K + "→" + THIN_N + " sigmoid", () -> kernel.forward(
                    THIN_M, THIN_N, THIN_K, tx, 0, THIN_K, tw, 0, THIN_N, tb, 0, Activation.SIGMOID, ty, 0, THIN_N));
            calls.put("weightGradient thin", () -> kernel.weightGradient(THIN_M, THIN_N, THIN_K, tx, 0, THIN_K,
                    tdz, 0, THIN_N, tdw, 0, THIN_N, false));
            calls.put("inputGradient thin", () -> kernel.inputGradient(THIN_M, THIN_N, THIN_K, tdz, 0, THIN_N,
                    tw, 0, THIN_N, tdx, 0, THIN_K));
            calls.put("forward few rows " + FEW_M + "×" + K + "→" + N, () -> kernel.forward(FEW_M, N, K, x, 0, K, w,
                    0, N, b, 0, Activation.SIGMOID, fy, 0, N));
            calls.put("inputGradient few rows " + FEW_M + "×" + K + "→" + N, () -> kernel.inputGradient(FEW_M, N, K,
                    dz, 0, N, w, 0, N, fdx, 0, K));
            // M×K elements: above ParallelKernel.MIN_ELEMENTS, so parallel splits it by columns
            calls.put("activationBackward " + M + "×" + K + " sigmoid", () -> kernel.activationBackward(M, K,
                    Activation.SIGMOID, x, 0, K, ady, 0, K, adz, 0, K, adb, 0, false));
            return calls;
        }
    }

    @Test
    void blockedAllocatesNothingOnTheCallingThread() {
        assumeCounting();
        BlockedKernel kernel = new BlockedKernel(0);
        Layers layers = new Layers();
        Map<String, long[]> allocating = warmUntilNothingAllocates(kernel, layers.calls(kernel), List.of());
        report(kernel, allocating);
        checkCompiledForward(kernel, layers);
    }

    @Test
    void parallelAllocatesNothingOnTheCallerOrItsWorkers() {
        assumeCounting();
        ParallelKernel kernel = new ParallelKernel(0, 2);
        Layers layers = new Layers();
        Map<String, Runnable> calls = layers.calls(kernel);
        Set<Long> before = gemmThreadIds();
        calls.values().forEach(Runnable::run); // starts the worker
        Set<Long> workers = gemmThreadIds();
        workers.removeAll(before);
        assertEquals(1, workers.size(), "a pool of 2 threads has one worker: " + workers);
        Map<String, long[]> allocating = warmUntilNothingAllocates(kernel, calls, List.copyOf(workers));
        report(kernel, allocating);

        // the compiled parallel kernel gives the compiled blocked kernel's bits
        BlockedKernel blocked = new BlockedKernel(0);
        Layers reference = new Layers();
        Map<String, Runnable> referenceCalls = reference.calls(blocked);
        for (int i = 0; i < 3; i++) {
            referenceCalls.values().forEach(Runnable::run); // in step: dw accumulates with every call
        }
        Layers fresh = new Layers();
        Map<String, Runnable> freshCalls = fresh.calls(kernel);
        for (int i = 0; i < 3; i++) {
            freshCalls.values().forEach(Runnable::run);
        }
        String what = kernel.describe() + " (compiled) vs " + blocked.describe();
        assertBits(reference.y, fresh.y, what + ", forward " + M + "×" + K + "→" + N + " (tanh, the last)");
        assertBits(reference.dw, fresh.dw, what + ", weightGradient[accumulate] ×3");
        assertBits(reference.dx, fresh.dx, what + ", inputGradient");
        assertBits(reference.ty, fresh.ty, what + ", forward thin");
        assertBits(reference.tdw, fresh.tdw, what + ", weightGradient thin");
        assertBits(reference.tdx, fresh.tdx, what + ", inputGradient thin");
        assertBits(reference.fy, fresh.fy, what + ", forward few rows");
        assertBits(reference.fdx, fresh.fdx, what + ", inputGradient few rows");
        assertBits(reference.adz, fresh.adz, what + ", activationBackward dZ");
        assertBits(reference.adb, fresh.adb, what + ", activationBackward db");
    }

    /**
     * Rounds of {@link #WARM_CALLS} calls of each, then {@link #MEASURED_CALLS} measured calls of each, until a
     * round allocates nothing on the calling thread and on {@code workers}. Returns what the last round
     * measured per call that allocated: {caller bytes, worker bytes} per call (empty when nothing allocates).
     */
    private static Map<String, long[]> warmUntilNothingAllocates(DenseKernel kernel, Map<String, Runnable> calls,
                                                                 List<Long> workers) {
        Map<String, long[]> allocating = new LinkedHashMap<>();
        long start = System.nanoTime();
        for (int round = 0; ; round++) {
            for (int warm = 0; warm < WARM_CALLS; warm++) {
                calls.values().forEach(Runnable::run);
            }
            allocating.clear();
            for (Map.Entry<String, Runnable> call : calls.entrySet()) {
                long workersBefore = workerBytes(workers);
                long before = THREADS.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < MEASURED_CALLS; i++) {
                    call.getValue().run();
                }
                long caller = THREADS.getCurrentThreadAllocatedBytes() - before;
                long worker = workerBytes(workers) - workersBefore;
                if (caller != 0 || worker != 0) {
                    allocating.put(call.getKey(), new long[] {caller / MEASURED_CALLS, worker / MEASURED_CALLS});
                }
            }
            if (allocating.isEmpty() || System.nanoTime() - start > MAX_WARM_NANOS) {
                System.out.printf("%s: %s after %d warm-up rounds, %.1f s%n", kernel.describe(),
                        allocating.isEmpty() ? "no allocation" : "still allocating", round + 1,
                        (System.nanoTime() - start) / 1e9);
                break;
            }
        }
        return allocating;
    }

    private static void report(DenseKernel kernel, Map<String, long[]> allocating) {
        if (!allocating.isEmpty()) {
            fail(kernel.describe() + " still allocates after warming up (bytes per call: caller, workers): "
                    + allocating.entrySet().stream()
                            .map(e -> e.getKey() + " = " + e.getValue()[0] + ", " + e.getValue()[1])
                            .collect(Collectors.joining("; ")));
        }
    }

    /** The compiled forward of every activation within the bounds of the double reference. */
    private static void checkCompiledForward(DenseKernel kernel, Layers l) {
        Mat x = Mat.strided(M, K, 0, 0), w = Mat.strided(K, N, 0, 0), b = Mat.strided(1, N, 0, 0);
        System.arraycopy(l.x, 0, x.a, 0, M * K);
        System.arraycopy(l.w, 0, w.a, 0, K * N);
        System.arraycopy(l.b, 0, b.a, 0, N);
        double[] z = DoubleReference.preActivation(M, N, K, x.toDouble(), w.toDouble(), b.toDouble());
        double[] mag = DoubleReference.preActivation(M, N, K, x.toDouble(Math::abs), w.toDouble(Math::abs),
                b.toDouble(Math::abs));
        for (Activation act : KernelConformanceTest.elementwise()) {
            Mat y = Mat.strided(M, N, 0, 0).fill(Float.NaN), ys = y.copy();
            kernel.forward(M, N, K, x.a, 0, K, w.a, 0, N, b.a, 0, act, y.a, 0, N);
            EngineChecks.SCALAR.forward(M, N, K, x.a, 0, K, w.a, 0, N, b.a, 0, act, ys.a, 0, N);
            double[] ref = EngineBlockBoundaryTest.activate(act, z);
            Conformance.assertWithin(kernel.describe() + " compiled forward " + act, y, ref,
                    EngineChecks.forwardBound(K, mag, ref), ys);
        }
    }

    private static void assertBits(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": first differing element at index " + i + ": expected " + expected[i] + ", got "
                        + actual[i]);
            }
        }
    }

    private static long workerBytes(List<Long> workers) {
        long sum = 0;
        for (long id : workers) {
            sum += THREADS.getThreadAllocatedBytes(id);
        }
        return sum;
    }

    private static Set<Long> gemmThreadIds() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("myelin-gemm"))
                .map(Thread::threadId).collect(Collectors.toSet());
    }

    private static void assumeCounting() {
        assertTrue(THREADS.isThreadAllocatedMemorySupported(), "per-thread allocation counting is unsupported");
        THREADS.setThreadAllocatedMemoryEnabled(true);
    }
}
