package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.dispatch.DenseKernelProvider;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A variant of one's own jar whose kernel cannot be made here (its provider's {@code create()} throws, as one
 * needing a native library does) is that jar's problem, said as such: a user error naming the option, the
 * variant and what its provider threw, exit 2, no stack trace; {@code info} lists it as unavailable. In child JVMs,
 * so that no other test meets the variant.
 */
class KernelProviderTest {

    @TempDir
    static Path dir;

    private static ChildCli run(String... args) throws Exception {
        return run(List.of(), args);
    }

    private static ChildCli run(List<String> jvmOptions, String... args) throws Exception {
        Path services = dir.resolve("META-INF/services/" + DenseKernelProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, ThrowingKernelProvider.class.getName() + "\n");
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> command = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector", "-Xshare:auto"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path") + File.pathSeparator + dir,
                Main.class.getName()));
        command.addAll(List.of(args));
        return ChildCli.runCommand(command, dir, Map.of());
    }

    /** -Dmyelin.kernel naming such a variant fails as the property, before any data is read. */
    @Test
    void aPropertyNamingAnUnavailableVariantFailsBeforeAnyDataIsRead() throws Exception {
        Path data = Files.writeString(dir.resolve("four.csv"), "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
        ChildCli run = run(List.of("-Dmyelin.kernel=" + ThrowingKernelProvider.NAME), "train", "--data",
                data.toString(), "--epochs", "1");
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(List.of("myelin: -Dmyelin.kernel=test-unavailable: kernel 'test-unavailable' is unavailable here:"
                + " its provider dev.myelin.cli.ThrowingKernelProvider threw IllegalStateException (libtest.so not"
                + " found)"), run.messages(), run.transcript());
    }

    @Test
    void anUnavailableVariantIsTheUsersErrorNamingWhatItsProviderSaid() throws Exception {
        String reason = "unavailable here: IllegalStateException (libtest.so not found)";
        ChildCli train = run("train", "--preset", "xor", "--epochs", "1", "--kernel", ThrowingKernelProvider.NAME);
        assertEquals(2, train.exitCode(), train.transcript());
        assertEquals(List.of("myelin: --kernel test-unavailable: " + reason), train.messages(), train.transcript());

        ChildCli bench = run("bench", "--kernels", ThrowingKernelProvider.NAME);
        assertEquals(2, bench.exitCode(), bench.transcript());
        assertEquals(List.of("myelin: --kernels test-unavailable: " + reason), bench.messages(), bench.transcript());

        ChildCli info = run("info");
        assertEquals(0, info.exitCode(), info.transcript());
        assertTrue(info.out().lines().anyMatch(l -> l.strip().startsWith(ThrowingKernelProvider.NAME)
                && l.endsWith("unavailable: IllegalStateException (libtest.so not found)")), info.transcript());
        for (ChildCli run : List.of(train, bench, info)) {
            assertFalse(run.err().contains("internal error") || run.err().contains("\tat "), run.transcript());
        }
    }
}
