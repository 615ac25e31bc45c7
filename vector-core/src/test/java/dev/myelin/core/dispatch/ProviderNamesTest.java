package dev.myelin.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.DenseKernel;
import dev.myelin.core.ForwardingKernel;
import dev.myelin.core.scalar.ScalarKernel;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernels from other jars ({@link DenseKernelProvider}, found by the ServiceLoader when the registry starts) whose
 * names would hide a kernel, or be hidden by one, are left out with a warning that names the provider: one named as
 * a built-in (it had been dropped without a word), one differing from a built-in only in case (it had been taken,
 * and then neither was reachable by that name without case). So are providers that cannot be used at all (a
 * services line naming no class, no public no-argument constructor, an initialiser or a {@code name()} that throws,
 * a name with a comma): each had ended every command, the built-ins' included, in a ServiceConfigurationError's
 * stack trace. A provider with a free name joins; one whose kernel calls itself by another name is refused when it
 * is selected. Each run is a JVM of its own, with a services file naming this class's providers; its output goes to
 * a file read after it ends.
 */
class ProviderNamesTest {

    /** A provider of the scalar kernel's arithmetic under the provided name. */
    abstract static class Named implements DenseKernelProvider {
        abstract String providedName();

        @Override
        public String name() {
            return providedName();
        }

        @Override
        public DenseKernel create() {
            return new ForwardingKernel(new ScalarKernel()) {
                @Override
                public String name() {
                    return providedName();
                }
            };
        }
    }

    /** Its kernel answers to the delegate's name, which a checkpoint would record. */
    public static final class Mislabeled extends Named {
        @Override
        String providedName() {
            return "test-mislabeled";
        }

        @Override
        public DenseKernel create() {
            return new ScalarKernel();
        }
    }

    public static final class WithComma extends Named {
        @Override
        String providedName() {
            return "a,b";
        }
    }

    public static final class NameThrows extends Named {
        @Override
        String providedName() {
            throw new IllegalStateException("no name today");
        }
    }

    public static final class NoDefaultConstructor extends Named {
        public NoDefaultConstructor(int unused) {
        }

        @Override
        String providedName() {
            return "test-no-constructor";
        }
    }

    public static final class InitialiserThrows extends Named {
        static final int VALUE = Integer.parseInt("not a number");

        @Override
        String providedName() {
            return "test-initialiser";
        }
    }

    public static final class SameAsBuiltIn extends Named {
        @Override
        String providedName() {
            return "blocked";
        }
    }

    public static final class OtherCase extends Named {
        @Override
        String providedName() {
            return "Scalar";
        }
    }

    public static final class Free extends Named {
        @Override
        String providedName() {
            return "test-provided";
        }
    }

    /** Prints the registered names, one line. */
    public static final class Child {
        public static void main(String[] args) {
            System.out.println("names: " + KernelRegistry.names());
            System.out.println("selected: " + KernelRegistry.get("TEST-provided").name());
            try {
                KernelRegistry.get("test-mislabeled");
                System.out.println("mislabeled: selected");
            } catch (IllegalArgumentException e) {
                System.out.println("mislabeled: " + e.getMessage());
            }
        }
    }

    @Test
    void clashingProvidersAreLeftOutWithAWarningAndAFreeOneJoins(@TempDir Path dir) throws Exception {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(DenseKernelProvider.class.getName()), String.join("\n",
                SameAsBuiltIn.class.getName(), "com.example.NoSuchProvider", OtherCase.class.getName(),
                NoDefaultConstructor.class.getName(), WithComma.class.getName(), InitialiserThrows.class.getName(),
                NameThrows.class.getName(), Mislabeled.class.getName(), Free.class.getName()) + "\n");
        Path output = dir.resolve("child.txt");
        Process child = new ProcessBuilder(System.getProperty("java.home") + "/bin/java",
                "--add-modules=jdk.incubator.vector", "-Xshare:auto", "-cp",
                dir + File.pathSeparator + System.getProperty("java.class.path"), Child.class.getName())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!child.waitFor(120, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("the child JVM did not end in 120 s");
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), text);
        assertTrue(text.contains("names: [parallel, blocked, vector, scalar, test-mislabeled, test-provided]"), text);
        assertTrue(text.contains("selected: test-provided"), text);
        assertTrue(text.contains("mislabeled: kernel 'test-mislabeled' is refused: the kernel its factory makes calls"
                + " itself 'scalar' (" + ScalarKernel.class.getName() + ".name())"), text);
        assertTrue(text.contains("Myelin: the kernel provider " + SameAsBuiltIn.class.getName() + " is ignored: its"
                + " name 'blocked' is taken by the kernel 'blocked'"), text);
        assertTrue(text.contains("Myelin: the kernel provider " + OtherCase.class.getName() + " is ignored: its name"
                + " 'Scalar' is taken by the kernel 'scalar' (names are told apart without case)"), text);
        assertTrue(text.contains("Myelin: a kernel provider is ignored: ServiceConfigurationError ("
                + DenseKernelProvider.class.getName() + ": Provider com.example.NoSuchProvider not found)"), text);
        assertTrue(text.contains(NoDefaultConstructor.class.getName() + " Unable to get public no-arg constructor"),
                text);
        assertTrue(text.contains("Myelin: the kernel provider " + WithComma.class.getName() + " is ignored: its name"
                + " 'a,b' has ',' in it (a kernel name is letters, digits and . _ + -)"), text);
        assertTrue(text.contains(InitialiserThrows.class.getName()) && text.contains("ExceptionInInitializerError")
                && text.contains("not a number"), text);
        assertTrue(text.contains("Myelin: the kernel provider " + NameThrows.class.getName() + " is ignored: its"
                + " name() threw IllegalStateException (no name today)"), text);
        List<String> warnings = text.lines().filter(l -> l.contains("is ignored")).toList();
        assertEquals(7, warnings.size(), text);
        assertTrue(!text.contains("\tat "), "no stack trace: " + text);
    }
}
