package dev.myelin.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.core.DenseKernel;
import dev.myelin.core.DenseOps;
import dev.myelin.core.ForwardingKernel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first choice of the default kernel, racing with a factory that wraps the default (a timing or logging
 * wrapper, as architecture.md's "How to add a variant" builds one over a delegate from the registry). The default
 * was chosen under the registry's class monitor and then made under its creation lock, while such a factory ran
 * under the creation lock and then asked for the default: two threads taking the two locks in opposite orders
 * hung for good (a review's reproduction hung in 10 of 20 JVMs without any delay). The default is chosen once per
 * JVM, so the race runs in a JVM of its own, its output redirected to a file and read after it ends.
 */
class DefaultKernelRaceTest {

    /** A kernel over the default one, under a name of its own. */
    static final class OverTheDefault extends ForwardingKernel {
        OverTheDefault(DenseKernel delegate) {
            super(delegate);
        }

        @Override
        public String name() {
            return "test-over-default";
        }
    }

    /**
     * Thread "wrapper" makes the wrapper: its factory holds the creation lock, lets thread "default" start choosing
     * the default, gives it a moment to take whatever it takes, then asks for the default itself. Prints what each
     * thread got, or "hung" with the threads' states when they are not done in a minute (a hang is what the test
     * looks for; the minute only ends the child).
     */
    public static final class Child {
        public static void main(String[] args) throws InterruptedException {
            CountDownLatch factoryRunning = new CountDownLatch(1);
            KernelRegistry.register("test-over-default", () -> {
                factoryRunning.countDown();
                sleep(500); // the other thread is now inside defaultKernel()
                return new OverTheDefault(KernelRegistry.defaultKernel());
            });
            DenseKernel[] got = new DenseKernel[2];
            Thread wrapper = new Thread(() -> got[0] = KernelRegistry.get("test-over-default"), "wrapper");
            Thread defaults = new Thread(() -> {
                try {
                    factoryRunning.await();
                } catch (InterruptedException e) {
                    return;
                }
                got[1] = DenseOps.defaults().kernel();
            }, "default");
            wrapper.setDaemon(true);
            defaults.setDaemon(true);
            wrapper.start();
            defaults.start();
            wrapper.join(60_000);
            defaults.join(60_000);
            if (wrapper.isAlive() || defaults.isAlive()) {
                System.out.println("hung: wrapper " + wrapper.getState() + ", default " + defaults.getState());
                return;
            }
            System.out.println(got[0].name() + " over " + ((ForwardingKernel) got[0]).delegate().name());
            System.out.println("same default: " + (((ForwardingKernel) got[0]).delegate() == got[1]));
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * -Dmyelin.kernel names a plugin's variant that only thread "plugin"'s context loader sees, and that takes a
     * second to make; thread "other" (the application's loader) asks for the default meanwhile. It waits for the
     * choice under way and gets the same kernel; with no lock around the choice it had searched alone and failed
     * with "unknown kernel".
     */
    public static final class SecondChild {
        public static void main(String[] args) throws Exception {
            KernelRegistry.names(); // the registry is up before either thread: its first search sees no plugin
            java.net.URLClassLoader plugin = new java.net.URLClassLoader(new java.net.URL[] {
                    Path.of(args[0]).toUri().toURL()}, SecondChild.class.getClassLoader());
            String[] got = new String[2];
            DenseKernel[] kernels = new DenseKernel[2];
            Thread first = new Thread(() -> {
                Thread.currentThread().setContextClassLoader(plugin);
                kernels[0] = KernelRegistry.defaultKernel();
            }, "plugin");
            Thread other = new Thread(() -> {
                try {
                    SlowContextProvider.MAKING.await(60, java.util.concurrent.TimeUnit.SECONDS); // the choice is on
                    kernels[1] = KernelRegistry.defaultKernel();
                } catch (InterruptedException e) {
                    return;
                } catch (IllegalArgumentException e) {
                    got[1] = e.getMessage();
                }
            }, "other");
            first.start();
            other.start();
            first.join(60_000);
            other.join(60_000);
            System.out.println("plugin: " + (kernels[0] == null ? null : kernels[0].name()));
            System.out.println("other: " + (kernels[1] == null ? got[1] : kernels[1].name()));
            System.out.println("same: " + (kernels[0] == kernels[1]));
        }
    }

    /**
     * Two more races around the choice of the default (a review's): -Dmyelin.kernel names the variant of {@link
     * ContextLoaderProvider}, which only some threads' context loaders see.
     * <ul>
     * <li>{@code failed}: thread "slow" (its loader sees only {@link SlowContextProvider}) chooses first and fails;
     * thread "sees" (its loader sees the variant), waiting for that choice, chooses again itself and gets the
     * variant, instead of the other thread's "unknown kernel".
     * <li>{@code initialiser}: thread "lister" lists the variants through a loader whose providers include {@link
     * DefaultAskingProvider}, whose initialiser asks for the default; thread "chooser", with the same loader,
     * starts choosing meanwhile and its search waits for that initialiser. The lister, inside its search, chooses
     * for itself instead of waiting for the chooser, which waits for it: both finish.
     * </ul>
     */
    public static final class ThirdChild {
        public static void main(String[] args) throws Exception {
            KernelRegistry.names();
            String[] got = new String[2];
            Thread[] threads;
            if (args[0].equals("failed")) {
                ClassLoader slow = loader(args[1]), sees = loader(args[2]);
                threads = new Thread[] {asker("slow", slow, got, 0, false, null),
                        asker("sees", sees, got, 1, false, SlowContextProvider.MAKING)};
            } else {
                ClassLoader both = loader(args[1]);
                threads = new Thread[] {asker("lister", both, got, 0, true, null),
                        asker("chooser", both, got, 1, false, DefaultAskingProvider.INITIALISING)};
            }
            threads[0].start();
            threads[1].start();
            for (Thread t : threads) {
                t.join(60_000);
            }
            if (threads[0].isAlive() || threads[1].isAlive()) {
                System.out.println("hung: " + threads[0].getState() + ", " + threads[1].getState());
                return;
            }
            System.out.println(threads[0].getName() + ": " + got[0]);
            System.out.println(threads[1].getName() + ": " + got[1]);
        }

        private static ClassLoader loader(String dir) throws Exception {
            return new java.net.URLClassLoader(new java.net.URL[] {Path.of(dir).toUri().toURL()},
                    ThirdChild.class.getClassLoader());
        }

        /** A thread that, once {@code after} (when not null) is down, lists the variants or asks for the default. */
        private static Thread asker(String name, ClassLoader context, String[] got, int i, boolean list,
                                    java.util.concurrent.CountDownLatch after) {
            Thread t = new Thread(() -> {
                try {
                    if (after != null && !after.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                        got[i] = "never started";
                        return;
                    }
                    got[i] = list ? String.valueOf(KernelRegistry.names().contains(ContextLoaderProvider.NAME))
                            : KernelRegistry.defaultKernel().name();
                } catch (IllegalArgumentException e) {
                    got[i] = "refused";
                } catch (InterruptedException e) {
                    got[i] = "interrupted";
                }
            }, name);
            t.setContextClassLoader(context);
            t.setDaemon(true);
            return t;
        }
    }

    @Test
    void aThreadWhoseLoaderSeesTheVariantChoosesAgainAfterAnotherThreadsChoiceFailed(@TempDir Path dir)
            throws Exception {
        Path slow = services(dir.resolve("slow"), SlowContextProvider.class);
        Path sees = services(dir.resolve("sees"), ContextLoaderProvider.class);
        assertEquals(List.of("slow: refused", "sees: " + ContextLoaderProvider.NAME), childLines(dir, ThirdChild.class,
                "-D" + KernelRegistry.KERNEL_PROPERTY + "=" + ContextLoaderProvider.NAME, "failed", slow.toString(),
                sees.toString()));
    }

    @Test
    void aProviderInitialiserAskingForTheDefaultDuringAnotherThreadsChoiceDoesNotDeadlock(@TempDir Path dir)
            throws Exception {
        Path both = services(dir.resolve("both"), DefaultAskingProvider.class, ContextLoaderProvider.class);
        assertEquals(List.of("lister: true", "chooser: " + ContextLoaderProvider.NAME), childLines(dir,
                ThirdChild.class, "-D" + KernelRegistry.KERNEL_PROPERTY + "=" + ContextLoaderProvider.NAME,
                "initialiser", both.toString()));
    }

    /** A folder on no class path whose services file names {@code providers}. */
    private static Path services(Path dir, Class<?>... providers) throws java.io.IOException {
        Path file = dir.resolve("META-INF/services/" + DenseKernelProvider.class.getName());
        Files.createDirectories(file.getParent());
        StringBuilder lines = new StringBuilder();
        for (Class<?> p : providers) {
            lines.append(p.getName()).append('\n');
        }
        Files.writeString(file, lines);
        return dir;
    }

    @Test
    void aFactoryWrappingTheDefaultAndTheDefaultsFirstChoiceDoNotDeadlock(@TempDir Path dir) throws Exception {
        assertEquals(List.of("test-over-default over " + KernelRegistry.PREFERENCE.get(0), "same default: true"),
                childLines(dir, Child.class));
    }

    @Test
    void aThreadAskingWhileTheDefaultIsChosenWaitsForThatChoice(@TempDir Path dir) throws Exception {
        Path services = dir.resolve("plugin/META-INF/services/" + DenseKernelProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, SlowContextProvider.class.getName() + "\n");
        assertEquals(List.of("plugin: " + SlowContextProvider.NAME, "other: " + SlowContextProvider.NAME, "same: true"),
                childLines(dir, SecondChild.class, "-D" + KernelRegistry.KERNEL_PROPERTY + "=" + SlowContextProvider.NAME,
                        dir.resolve("plugin").toString()));
    }

    /** What {@code main} prints in a JVM of its own (JVM options "-…", then its arguments), logs left out. */
    private static List<String> childLines(Path dir, Class<?> main, String... optionsThenArgument) throws Exception {
        Path output = dir.resolve("child.txt");
        List<String> command = new java.util.ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java",
                "--add-modules=jdk.incubator.vector", "-Xshare:auto"));
        int options = 0;
        while (options < optionsThenArgument.length && optionsThenArgument[options].startsWith("-")) {
            options++;
        }
        command.addAll(List.of(optionsThenArgument).subList(0, options));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(optionsThenArgument).subList(options, optionsThenArgument.length));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!child.waitFor(180, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new AssertionError("the child JVM did not end in 180 s");
        }
        List<String> all = Files.readAllLines(output, StandardCharsets.UTF_8);
        List<String> lines = all.stream().filter(line -> !line.startsWith("WARNING: Using incubator modules")
                && !line.contains("Myelin kernel") && !line.contains("KernelRegistry ")).toList();
        assertEquals(lines.size(), lines.stream().filter(l -> !l.isBlank()).count(), String.join("\n", all));
        return lines;
    }
}
