package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.management.ThreadMXBean;
import dev.myelin.core.simd.VectorKernel;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Once C2 has compiled them, the vector kernels allocate nothing: forward for every activation (a
 * FloatVector or VectorMask that escapes its method is boxed on every step, VECTOR-API-NOTES lesson 1),
 * and the backward kernels too. Allocation, not time, so it holds on a busy machine.
 *
 * <p>Why rounds: C2 compiles in the background, and on 2 cores a kernel can linger for a while in C1 code
 * (which cannot intrinsify the Vector API and boxes everything) or deoptimise once when a new branch is
 * taken. So after each warm-up of 1500 calls per kernel, 100 calls of each are measured, and a round in
 * which any allocates is followed by another, up to 8. A kernel whose compiled form allocates never
 * reaches 0 and fails, listing bytes per 100 calls. Then the conformance checks and a NaN row run
 * against the compiled code (the conformance tests themselves mostly see interpreted code).
 */
class VectorKernelAllocationTest {

    /** How long the calls may take to reach C2 code that allocates nothing. */
    static final long WARM_BUDGET_NANOS = 90_000_000_000L;


    @Test
    void compiledKernelsAllocateNothingAndStayCorrect() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported(), "per-thread allocation counting is unsupported");
        threads.setThreadAllocatedMemoryEnabled(true);
        VectorKernel kernel = new VectorKernel(0);
        int n = 64;
        int odd = 61; // odd sizes take the masked column edge and the one-row edge tiles
        Random r = new Random(5);
        float[] x = SpecialValuesTest.random(r, n * n), w = SpecialValuesTest.random(r, n * n);
        float[] b = SpecialValuesTest.random(r, n), dy = SpecialValuesTest.random(r, n * n);
        float[] t = SpecialValuesTest.random(r, n * n);
        float[] y = new float[n * n], dz = new float[n * n], db = new float[n], dw = new float[n * n];
        float[] dx = new float[n * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(odd);
        }
        Map<String, Runnable> calls = new LinkedHashMap<>();
        for (Activation act : KernelConformanceTest.elementwise()) {
            calls.put("forward 64³ " + act, () -> kernel.forward(n, n, n, x, 0, n, w, 0, n, b, 0, act, y, 0, n));
            calls.put("forward 61³ " + act,
                    () -> kernel.forward(odd, odd, odd, x, 0, n, w, 0, n, b, 0, act, y, 0, n));
            calls.put("activationBackward " + act,
                    () -> kernel.activationBackward(odd, odd, act, t, 0, n, dy, 0, n, dz, 0, n, db, 0, false));
        }
        calls.put("weightGradient", () -> kernel.weightGradient(odd, odd, odd, x, 0, n, dy, 0, n, dw, 0, n, true));
        calls.put("inputGradient", () -> kernel.inputGradient(odd, odd, odd, dy, 0, n, w, 0, n, dx, 0, n));
        calls.put("outputMinusTarget",
                () -> kernel.outputMinusTarget(odd, odd, y, 0, n, t, 0, n, 0.5f, dz, 0, n, db, 0, false));
        calls.put("softmaxCrossEntropyBackward", () -> kernel.softmaxCrossEntropyBackward(odd, odd, t, 0, n,
                labels, 0, 0.5f, dz, 0, n, db, 0, true));
        calls.put("softmaxRows", () -> kernel.softmaxRows(odd, odd, dx, 0, n));

        // Rounds until a round allocates nothing, for as long as the time budget allows: when C2 gets to a
        // method depends on the machine's load (on a busy 2-core machine it can take tens of seconds), so a
        // fixed number of rounds would make this test fail by timing, not by a kernel that allocates.
        Map<String, Long> allocating = new LinkedHashMap<>();
        long deadline = System.nanoTime() + WARM_BUDGET_NANOS;
        int rounds = 0;
        while (rounds == 0 || !allocating.isEmpty() && System.nanoTime() < deadline) {
            rounds++;
            for (int warm = 0; warm < 1500; warm++) {
                calls.values().forEach(Runnable::run);
            }
            allocating.clear();
            for (Map.Entry<String, Runnable> call : calls.entrySet()) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 100; i++) {
                    call.getValue().run();
                }
                long bytes = threads.getCurrentThreadAllocatedBytes() - before;
                if (bytes != 0) {
                    allocating.put(call.getKey(), bytes);
                }
            }
        }
        if (!allocating.isEmpty()) {
            fail(kernel.describe() + " still allocates after " + rounds + " warm-up rounds, "
                    + WARM_BUDGET_NANOS / 1_000_000_000L + " s (bytes per 100 calls): " + allocating);
        }

        for (int[] s : new int[][] {{64, 64, 64}, {61, 61, 61}}) {
            Conformance.Case c = new Conformance.Case(s[0], s[1], s[2], 99L, Mat.Layout.TIGHT);
            for (Activation act : KernelConformanceTest.elementwise()) {
                Conformance.forward(kernel, c, act, true);
                Conformance.activationBackward(kernel, c, act, true, false);
            }
            Conformance.weightGradient(kernel, c, true);
            Conformance.inputGradient(kernel, c);
            Conformance.outputMinusTarget(kernel, c, false);
            Conformance.softmaxCrossEntropyBackward(kernel, c, true);
            Conformance.softmaxRows(kernel, c);
        }
        for (Activation act : KernelConformanceTest.elementwise()) { // compiled relu must keep NaN too
            float[] xNaN = x.clone();
            xNaN[3 * n + 9] = Float.NaN;
            kernel.forward(n, n, n, xNaN, 0, n, w, 0, n, b, 0, act, y, 0, n);
            for (int e = 0; e < n * n; e++) {
                assertEquals(e / n == 3, Float.isNaN(y[e]), kernel.describe() + " compiled " + act + ": Y[" + e / n
                        + "][" + e % n + "] = " + y[e]);
            }
        }
    }
}
