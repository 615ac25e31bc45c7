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

    /** A variant from another jar, as a kernel developer ships one. */
    public static final class LauncherProvider implements dev.myelin.core.dispatch.DenseKernelProvider {
        @Override
        public String name() {
            return "launcher-variant";
        }

        @Override
        public dev.myelin.core.DenseKernel create() {
            return new LauncherKernel();
        }
    }

    /** The scalar kernel's arithmetic under the variant's own name. */
    public static final class LauncherKernel extends dev.myelin.core.ForwardingKernel {
        public LauncherKernel() {
            super(new dev.myelin.core.scalar.ScalarKernel());
        }

        @Override
        public String name() {
            return "launcher-variant";
        }
    }

    /** {@code MYELIN_CLASSPATH} puts a variant's jar beside Myelin's: {@code myelin info} then lists it. */
    @Test
    void myelinClasspathAddsAVariant(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path classes = Path.of("target", "test-classes").toAbsolutePath();
        Path jar = dir.resolve("variant.jar");
        List<String> entries = List.of(LauncherProvider.class.getName().replace('.', '/') + ".class",
                LauncherKernel.class.getName().replace('.', '/') + ".class");
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(
                java.nio.file.Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry("META-INF/services/"
                    + dev.myelin.core.dispatch.DenseKernelProvider.class.getName()));
            out.write((LauncherProvider.class.getName() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (String entry : entries) {
                out.putNextEntry(new java.util.jar.JarEntry(entry));
                out.write(java.nio.file.Files.readAllBytes(classes.resolve(entry)));
            }
        }
        ChildCli info = run(Map.of("MYELIN_CLASSPATH", jar.toString()), "info");
        assertEquals(0, info.exitCode(), info.err());
        assertTrue(info.out().contains("  launcher-variant forwarding to scalar (plain Java loops"), info.out());
        ChildCli without = run(Map.of(), "info");
        assertTrue(!without.out().contains("launcher-variant"), without.out());
        // relative to the folder the command runs in (the repository root here), as a shell user writes it
        Path relative = LAUNCHER.getParent().relativize(jar);
        ChildCli fromRelative = run(Map.of("MYELIN_CLASSPATH", relative.toString()), "info");
        assertTrue(fromRelative.out().contains("  launcher-variant "), fromRelative.err());
        // a missing jar would be skipped by the JVM without a word, and the variant an "unknown kernel"
        ChildCli missing = run(Map.of("MYELIN_CLASSPATH", "no-such.jar"), "info");
        assertEquals(2, missing.exitCode(), missing.err());
        assertEquals("myelin: MYELIN_CLASSPATH names no-such.jar, which does not exist ("
                + LAUNCHER.getParent().resolve("no-such.jar") + ")", missing.err().strip());
    }

    private static ChildCli run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        return ChildCli.runCommand(command, LAUNCHER.getParent(), env);
    }
}
