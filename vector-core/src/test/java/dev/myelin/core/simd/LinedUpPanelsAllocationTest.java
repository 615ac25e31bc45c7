package dev.myelin.core.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Lining the packed B panels up on cache lines ({@link CacheLines}, with native access) allocates nothing, whether
 * or not C2 has compiled it away. The first form made a heap segment of the buffer for every packed block and took
 * memset's result as an address segment: 112 bytes a block wherever escape analysis did not remove them (this
 * test's child, interpreted, counted 1 120 000 bytes for its 10 000 blocks), and in a plain loop of forwards over the layer shapes, in a fresh JVM, the compiled engine went on allocating
 * 448 bytes a call at 128×784×256 (four k blocks) and 896 at 1024³ for the first 4 s, where
 * {@code EngineAllocationTest}'s JVM saw none (sixteenth session). The workspace now keeps one segment per buffer
 * and the downcall returns memset's pointer as a long.
 *
 * <p>The check runs interpreted ({@code -Xint}, in a child JVM with native access), where nothing is compiled away,
 * so it does not depend on what C2 makes of the calls: the form before allocated in every call there.
 */
class LinedUpPanelsAllocationTest {

    @Test
    void askingWhereABlockStartsAllocatesNothingEvenInterpreted() throws Exception {
        Path output = Files.createTempFile("myelin-lined-up-", ".out");
        try {
            String java = ProcessHandle.current().info().command().orElse(
                    System.getProperty("java.home") + "/bin/java");
            List<String> command = List.of(java, "-Xint", "--enable-native-access=ALL-UNNAMED", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"), Child.class.getName());
            // output to a file read after exit: no reader thread waits on a shared pool
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(output.toFile())).start();
            boolean finished = process.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor();
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertTrue(finished, "the child did not finish:\n" + text);
            assertEquals(0, process.exitValue(), "the child failed:\n" + text);
            assertTrue(text.contains("panels on cache lines: true"), "the child sees addresses:\n" + text);
            assertTrue(text.contains("bytes for 10000 blocks: 0\n"), text);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** The child JVM: a workspace's packed blocks, asked for where each starts, after 1 000 to link the downcall. */
    public static final class Child {

        public static void main(String[] args) {
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            System.out.println("panels on cache lines: " + CacheLines.enabled());
            GemmWorkspace workspace = new GemmWorkspace(6, 32);
            int starts = 0;
            // the first calls link the downcall, and after 127 its method handle is customised (a one-off 64 KB)
            for (int i = 0; i < 1000; i++) {
                workspace.packedBlock(256 * 32);
                starts += workspace.packedB0;
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                workspace.packedBlock(256 * 32);
                starts += workspace.packedB0;
            }
            long bytes = threads.getCurrentThreadAllocatedBytes() - before;
            System.out.println("bytes for 10000 blocks: " + bytes);
            System.out.println("(starts summed: " + starts + ")");
        }
    }
}
