package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./myelin} launcher as a user runs it, after {@code package} has built the jar (Failsafe runs this in
 * {@code verify}): JVM options reach the JVM through {@code JAVA_OPTS} and {@code MYELIN_OPTS}, the latter winning
 * where both set the same option, and a bad property given that way is one {@code myelin:} line with exit 2.
 */
class LauncherIT {

    private static final Path LAUNCHER = Path.of("..", "myelin").toAbsolutePath().normalize();

    @Test
    void myelinOptsReachTheJvm() throws Exception {
        ChildCli bad = run(Map.of("MYELIN_OPTS", "-Dmyelin.kernel=nosuch"), "train", "--epochs", "1");
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.messages().size() == 1 && bad.messages().get(0).startsWith("myelin: ")
                && bad.err().contains("nosuch"), bad.err());

        ChildCli viaJavaOpts = run(Map.of("JAVA_OPTS", "-Dmyelin.kernel=nosuch"), "train", "--epochs", "1");
        assertEquals(2, viaJavaOpts.exitCode(), "JAVA_OPTS is passed too: " + viaJavaOpts.err());

        ChildCli both = run(Map.of("JAVA_OPTS", "-Dmyelin.kernel=nosuch",
                "MYELIN_OPTS", "-Dmyelin.kernel=scalar -Xmx256m"), "train", "--epochs", "1");
        assertEquals(0, both.exitCode(), "MYELIN_OPTS wins over JAVA_OPTS: " + both.err());
        assertTrue(both.err().contains("scalar"), both.err());
        assertTrue(both.out().startsWith("Epoch 1, Loss: "), both.out());
    }

    private static ChildCli run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        return ChildCli.runCommand(command, LAUNCHER.getParent(), env);
    }
}
