package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.core.dispatch.KernelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bad {@code -Dmyelin.kernel}, {@code -Dmyelin.vectorBits}, {@code -Dmyelin.loopOrder} or thread count is one {@code myelin: } line and exit
 * 2 in every command, never an ExceptionInInitializerError with its trace.
 */
class PropertyErrorTest {

    private static final String MODEL = "{\"format\":\"myelin-model\",\"version\":1,\"layers\":[{\"type\":\"dense\","
            + "\"inputs\":2,\"outputs\":1,\"activation\":\"sigmoid\",\"weights\":[[0.5],[0.25]],\"bias\":[0.1]}]}";

    @TempDir
    Path dir;

    /** In a fresh JVM, as a user sets them: the registry's first use is where they used to blow up. */
    @ParameterizedTest(name = "JAVA_TOOL_OPTIONS={0} myelin {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "-Dmyelin.vectorBits=64 | train   | -Dmyelin.vectorBits=64 is not a vector width: use 128, 256 or 512",
            "-Dmyelin.vectorBits=64 | predict | -Dmyelin.vectorBits=64 is not a vector width: use 128, 256 or 512",
            "-Dmyelin.kernel=nosuch | train   | -Dmyelin.kernel=nosuch: unknown kernel 'nosuch' (available: ",
            "-Dmyelin.kernel=nosuch | predict | -Dmyelin.kernel=nosuch: unknown kernel 'nosuch' (available: ",
            "-Dmyelin.loopOrder=sideways | train | -Dmyelin.loopOrder=sideways: use rows or panels"})
    void aBadPropertyIsOneLineInAFreshJvm(String option, String command, String message) throws Exception {
        Path model = Files.writeString(dir.resolve("m.json"), MODEL);
        Path data = Files.writeString(dir.resolve("x.csv"), "0,1\n1,0\n");
        List<String> args = command.equals("train") ? List.of("train", "--epochs", "1")
                : List.of("predict", "--model", model.toString(), "--data", data.toString());
        ChildCli run = ChildCli.run(dir, Map.of("JAVA_TOOL_OPTIONS", option), args.toArray(String[]::new));
        assertEquals(Main.USER_ERROR, run.exitCode(), run.transcript());
        List<String> messages = run.messages();
        assertEquals(1, messages.size(), "one line: " + run.transcript());
        assertTrue(messages.get(0).startsWith("myelin: " + message), run.transcript());
        assertEquals("", run.out(), run.transcript());
    }

    /** The same check in-process, for every command that runs a kernel. */
    @ParameterizedTest(name = "-D{0}={1}")
    @CsvSource({"myelin.vectorBits, 64, is not a vector width", "myelin.kernel, nosuch, unknown kernel 'nosuch'",
            "myelin.loopOrder, sideways, use rows or panels"})
    void aBadPropertyIsAUserErrorInTrainAndPredict(String property, String value, String message) throws IOException {
        assumeTrue(KernelRegistry.names().contains("vector"), "vectorBits is read only with the Vector API");
        Path model = Files.writeString(dir.resolve("m.json"), MODEL);
        Path data = Files.writeString(dir.resolve("x.csv"), "0,1\n1,0\n");
        try (SystemProperty set = SystemProperty.set(property, value)) {
            for (String[] args : List.of(new String[] {"train", "--epochs", "1"},
                    new String[] {"predict", "--model", model.toString(), "--data", data.toString()})) {
                Cli run = Cli.run(args);
                assertEquals(Main.USER_ERROR, run.exitCode(), run.transcript());
                assertTrue(run.err().startsWith("myelin: -D" + property + "=" + value), run.transcript());
                assertTrue(run.err().contains(message), run.transcript());
                assertEquals(1, run.err().lines().count(), run.transcript());
            }
        }
    }

    /** info still lists the kernels, says why there is no default, and ends as the other commands do. */
    @Test
    void infoWithABadKernelPropertyListsTheKernelsAndSaysWhy() {
        try (SystemProperty set = SystemProperty.set(KernelRegistry.KERNEL_PROPERTY, "nosuch")) {
            Cli run = Cli.run("info");
            assertEquals(Main.USER_ERROR, run.exitCode(), run.transcript());
            assertTrue(run.out().contains("  scalar "), run.transcript());
            assertTrue(run.out().contains("(no default kernel could be created: -Dmyelin.kernel=nosuch: unknown kernel"
                    + " 'nosuch' (available: "), run.transcript());
            assertTrue(run.err().contains("myelin: -Dmyelin.kernel=nosuch: unknown kernel 'nosuch'"), run.transcript());
        }
    }

    @Test
    void tooManyThreadsAreRefusedBeforeAnyThreadExists() {
        int max = KernelRegistry.maxThreads();
        assertEquals(Math.max(256, 4 * Runtime.getRuntime().availableProcessors()), max);
        long started = System.nanoTime();
        Cli run = Cli.run("train", "--threads", String.valueOf(max + 1));
        assertEquals(Main.USER_ERROR, run.exitCode(), run.transcript());
        assertTrue(run.err().startsWith("myelin: --threads=" + (max + 1) + " is more than the " + max
                + " threads allowed"), run.transcript());
        assertFalse(run.out().contains("Epoch"), run.transcript());
        assertTrue(System.nanoTime() - started < 10_000_000_000L, "refused at once, not after starting threads");
    }

    @Test
    void tooManyThreadsFromThePropertyAreRefused() {
        assumeTrue(KernelRegistry.names().contains("parallel"), "needs the Vector API");
        try (SystemProperty threads = SystemProperty.set(KernelRegistry.THREADS_PROPERTY, null)) {
            // 99999999999 is beyond an int: the same message, not "not a thread count"
            for (String value : List.of("100000", "99999999999")) {
                threads.to(value);
                for (String command : List.of("train", "bench")) {
                    Cli run = command.equals("train") ? Cli.run("train", "--epochs", "1", "--kernel", "parallel")
                            : Cli.run("bench", "--shapes", "2x2x2");
                    assertEquals(Main.USER_ERROR, run.exitCode(), run.transcript());
                    assertTrue(run.err().startsWith("myelin: -Dmyelin.threads=" + value + " is more than the"),
                            run.transcript());
                }
            }
        }
    }
}
