package dev.myelin.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.core.Blas;
import dev.myelin.core.DenseOps;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A library caller (no front end calling {@link KernelRegistry#checkProperties} first) that meets a bad
 * {@code -Dmyelin.kernel} gets a message naming the property, as a bad {@code -Dmyelin.vectorBits} names its own:
 * the default is chosen once per JVM, so each case runs {@link Child} in a JVM of its own, its output redirected
 * to a file and read after it ends.
 */
class DefaultKernelPropertyTest {

    /** Prints the message of what {@code DenseOps.defaults()} and {@code Blas.defaults()} throw, one line each. */
    public static final class Child {
        public static void main(String[] args) {
            for (Runnable call : List.<Runnable>of(DenseOps::defaults, Blas::defaults)) {
                try {
                    call.run();
                    System.out.println("no error");
                } catch (IllegalArgumentException e) {
                    System.out.println(e.getMessage());
                }
            }
        }
    }

    @Test
    void aBadKernelPropertyIsNamedInTheMessage(@TempDir Path dir) throws Exception {
        String expected = "-Dmyelin.kernel=bogus: unknown kernel 'bogus' (available: parallel, blocked, vector, scalar;"
                + " a variant of your own is found through a jar's"
                + " META-INF/services/dev.myelin.core.dispatch.DenseKernelProvider on the class path, e.g."
                + " MYELIN_CLASSPATH: docs/architecture.md)";
        assertEquals(List.of(expected, expected), childLines(dir, "-Dmyelin.kernel=bogus"));
    }

    /** A known kernel whose factory meets another bad property is not blamed on -Dmyelin.kernel. */
    @Test
    void anotherBadPropertyIsNotBlamedOnTheKernelProperty(@TempDir Path dir) throws Exception {
        String expected = "-Dmyelin.threads=abc is not a thread count: use a whole number of at least 1";
        assertEquals(List.of(expected, expected),
                childLines(dir, "-Dmyelin.kernel=parallel", "-Dmyelin.threads=abc"));
    }

    /** What {@link Child} prints in a JVM started with {@code properties}, its JVM warning left out. */
    private static List<String> childLines(Path dir, String... properties) throws Exception {
        Path output = dir.resolve("child.txt");
        List<String> command = new java.util.ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java",
                "--add-modules=jdk.incubator.vector", "-Xshare:auto"));
        command.addAll(List.of(properties));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!child.waitFor(120, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("the child JVM did not end in 120 s");
        }
        return Files.readAllLines(output, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.startsWith("WARNING: Using incubator modules")).toList();
    }
}
