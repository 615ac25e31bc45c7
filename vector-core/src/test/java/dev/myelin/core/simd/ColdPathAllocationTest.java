package dev.myelin.core.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A path that a warm-up never took still compiles to code that allocates nothing. A host that predicts for a
 * while before it trains compiles the engine's packing of B with only the forward's paths; the backward's
 * transposed B (the input gradient's Wᵀ) then met the gather as an uncommon trap, and in 5 of 12 JVMs the
 * recompiled packing ran the Vector API's boxing fallback for good: 49 152 bytes a call at 128×64×64 (256
 * gathers), measured with the probe this test follows (20 000 forwards, then backwards). The transposed panel is
 * now a method of its own, compiled when it is hot.
 *
 * <p>Each child JVM does the same and then calls the backward in windows of 1 000 calls until one window
 * allocates nothing, for at most {@link Child#MAX_SECONDS} s: a healthy JVM gets there in seconds, also on a busy
 * machine (C2 needs them), a JVM stuck in the fallback never does. Three children, since whether a JVM gets
 * stuck is a matter of its compile timing.
 */
class ColdPathAllocationTest {

    @Test
    void aBackwardAfterForwardsOnlyAllocatesNothingOnceCompiled() throws Exception {
        for (int child = 0; child < 3; child++) {
            Path output = Files.createTempFile("myelin-cold-path-", ".out");
            try {
                String java = ProcessHandle.current().info().command().orElse(
                        System.getProperty("java.home") + "/bin/java");
                List<String> command = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector",
                        "-Xshare:auto", "-cp", System.getProperty("java.class.path"), Child.class.getName()));
                // output to a file read after exit: no reader thread waits on a shared pool
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.to(output.toFile())).start();
                boolean finished = process.waitFor(Child.MAX_SECONDS + 120, TimeUnit.SECONDS);
                if (!finished) {
                    process.destroyForcibly().waitFor();
                }
                String text = Files.readString(output, StandardCharsets.UTF_8);
                assertTrue(finished, "child " + child + " did not finish:\n" + text);
                assertEquals(0, process.exitValue(), "child " + child + " failed or kept allocating:\n" + text);
                assertTrue(text.lines().anyMatch(line -> line.startsWith("OK: 0 bytes a call")), "child " + child
                        + ":\n" + text);
            } finally {
                Files.deleteIfExists(output);
            }
        }
    }

    /** The child JVM: forwards, then backwards until a window of them allocates nothing. */
    public static final class Child {

        static final long MAX_SECONDS = 120;

        public static void main(String[] args) {
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            DenseOps ops = DenseOps.of("blocked");
            int m = 128, n = 64, k = 64;
            float[] x = new float[m * k], w = new float[k * n], b = new float[n], y = new float[m * n];
            float[] dy = new float[m * n], dz = new float[m * n], dw = new float[k * n], db = new float[n];
            float[] dx = new float[m * k];
            Arrays.fill(x, 0.1f);
            Arrays.fill(w, 0.2f);
            Arrays.fill(dy, 0.3f);
            for (int i = 0; i < 20_000; i++) {
                ops.forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.SIGMOID, y, 0, n);
            }
            long start = System.nanoTime();
            long calls = 0;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(MAX_SECONDS)) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 1000; i++) {
                    ops.backward(m, n, k, Activation.SIGMOID, x, 0, k, w, 0, n, y, 0, n, dy, 0, n, dz, 0, n, dw,
                            0, n, db, 0, dx, 0, k, false);
                }
                calls += 1000;
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                if (allocated == 0) {
                    System.out.printf("OK: 0 bytes a call after %d backward calls, %.1f s%n", calls,
                            (System.nanoTime() - start) / 1e9);
                    return;
                }
                if (calls % 20_000 == 0) {
                    System.out.println(allocated / 1000 + " bytes a call after " + calls + " backward calls");
                }
            }
            System.out.println("still allocating after " + MAX_SECONDS + " s of backward calls");
            System.exit(1);
        }
    }
}
