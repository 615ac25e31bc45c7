package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One {@code ParallelKernel(0, 3)} and one {@code BlockedKernel(0)} shared by 8 caller threads at once, as
 * the kernels of a registry are (DenseKernel: stateless and thread-safe). Each caller has its own inputs and,
 * over several iterations, runs a mix of shapes — above MIN_FLOPS (the pool is wanted: one caller gets it, the
 * others fall back to their own thread) and below it — through forward (sigmoid + bias), the accumulating weight
 * gradient and the input gradient of both kernels. Every result must equal, bit for bit, the result a
 * single-threaded {@code BlockedKernel} computed for the same inputs before the callers started, and every
 * sentinel around the views must survive. Any exception in a caller fails the test; the callers start together
 * at a barrier; the whole run must end within 60 s.
 */
class EngineConcurrencyTest {

    static final int CALLERS = 8;
    static final int ITERATIONS = 20;

    /** Layer shapes {m, k, n}: the first two above MIN_FLOPS (2^21), the others below. */
    static final int[][] SHAPES = {{64, 300, 100}, {150, 70, 130}, {13, 257, 70}, {30, 50, 40}};

    @Test
    void eightCallersShareOneParallelAndOneBlockedKernel() {
        ParallelKernel parallel = new ParallelKernel(0, 3);
        BlockedKernel blocked = new BlockedKernel(0);
        Set<Thread> before = gemmThreads();

        // each caller's own inputs, and the expected bits from a fresh single-threaded blocked kernel
        BlockedKernel reference = new BlockedKernel(0);
        List<List<Case>> work = new ArrayList<>();
        for (int c = 0; c < CALLERS; c++) {
            List<Case> cases = new ArrayList<>();
            for (int s = 0; s < SHAPES.length; s++) {
                int[] shape = SHAPES[(s + c) % SHAPES.length]; // each caller starts on another shape
                cases.add(new Case(shape[0], shape[1], shape[2], new Random(1000L * c + s), reference));
            }
            work.add(cases);
        }

        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger calls = new AtomicInteger();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            CyclicBarrier start = new CyclicBarrier(CALLERS);
            List<Thread> callers = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                List<Case> cases = work.get(c);
                int id = c;
                Thread t = Thread.ofPlatform().daemon().name("engine-caller-" + c).unstarted(() -> {
                    try {
                        start.await(30, TimeUnit.SECONDS);
                        for (int it = 0; it < ITERATIONS; it++) {
                            for (int s = 0; s < cases.size(); s++) {
                                // alternate the kernels so both are used by several callers at every moment
                                DenseKernel kernel = (it + s + id) % 2 == 0 ? parallel : blocked;
                                cases.get(s).check(kernel, "caller " + id + ", iteration " + it);
                                calls.addAndGet(3);
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                callers.add(t);
                t.start();
            }
            for (Thread t : callers) {
                t.join();
            }
        });
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " of " + CALLERS + " callers failed; first: "
                    + failures.peek(), failures.peek());
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
        assertTrue(calls.get() == CALLERS * ITERATIONS * SHAPES.length * 3, "calls: " + calls.get());
        Set<Thread> started = gemmThreads();
        started.removeAll(before);
        assertTrue(started.size() == 2, "the pool of 3 should have started its 2 workers (it ran at least once): "
                + started);
    }

    private static Set<Thread> gemmThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("myelin-gemm"))
                .collect(Collectors.toSet());
    }

    /** One shape's inputs for one caller and the single-threaded results. */
    static final class Case extends EngineChecks.Operands {
        final Mat y, dw, dx; // expected

        Case(int m, int k, int n, Random r, BlockedKernel reference) {
            super(m, k, n, r);
            y = forward(reference);
            dw = weightGradient(reference);
            dx = inputGradient(reference);
        }

        Mat forward(DenseKernel kernel) {
            Mat out = Mat.strided(m, n, 5, 7).fill(Float.NaN), before = out.copy();
            kernel.forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, b.a, b.off, Activation.SIGMOID,
                    out.a, out.off, out.ld);
            out.assertOutsideUnchanged(before, kernel.describe() + " forward " + this);
            return out;
        }

        Mat weightGradient(DenseKernel kernel) {
            Mat out = priorDw.copy(), before = out.copy();
            kernel.weightGradient(m, n, k, x.a, x.off, x.ld, dz.a, dz.off, dz.ld, out.a, out.off, out.ld, true);
            out.assertOutsideUnchanged(before, kernel.describe() + " weightGradient " + this);
            return out;
        }

        Mat inputGradient(DenseKernel kernel) {
            Mat out = Mat.strided(m, k, 7, 3).fill(Float.NaN), before = out.copy();
            kernel.inputGradient(m, n, k, dz.a, dz.off, dz.ld, w.a, w.off, w.ld, out.a, out.off, out.ld);
            out.assertOutsideUnchanged(before, kernel.describe() + " inputGradient " + this);
            return out;
        }

        void check(DenseKernel kernel, String who) {
            String what = kernel.describe() + ", " + who + ", " + this;
            forward(kernel).assertSameBits(y, what + ", forward");
            weightGradient(kernel).assertSameBits(dw, what + ", weightGradient");
            inputGradient(kernel).assertSameBits(dx, what + ", inputGradient");
        }

        @Override
        public String toString() {
            return "m=" + m + " k=" + k + " n=" + n;
        }
    }

    /** The comparison the callers rely on does fail: a result from other inputs differs. */
    @Test
    void aResultFromOtherInputsIsRejected() {
        BlockedKernel kernel = new BlockedKernel(0);
        Case a = new Case(13, 20, 37, new Random(1), kernel);
        Case b = new Case(13, 20, 37, new Random(2), kernel);
        try {
            b.forward(kernel).assertSameBits(a.y, "other inputs");
        } catch (AssertionError expected) {
            return;
        }
        fail("results of different inputs compared equal");
    }
}
