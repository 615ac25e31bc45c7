package dev.myelin.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.DenseOps;
import dev.myelin.core.ForwardingKernel;
import dev.myelin.core.scalar.ScalarKernel;
import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import dev.myelin.core.simd.VectorKernel;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Names → variants, the default ({@code parallel}), registration, {@code withThreads}, and the
 * {@code -Dmyelin.vectorBits} and {@code -Dmyelin.threads} properties (Vector API present).
 */
class KernelRegistryTest {

    @Test
    void builtInsAreListedFastestFirst() {
        assertTrue(VectorSupport.available(), "these tests run with " + VectorSupport.ENABLE_FLAG);
        List<String> names = List.copyOf(KernelRegistry.names());
        assertEquals(List.of("parallel", "blocked", "vector", "scalar"), names.subList(0, 4), names.toString());
        assertEquals(KernelRegistry.PREFERENCE, names.subList(0, 4));
        assertTrue(KernelRegistry.get("parallel") instanceof ParallelKernel);
        assertTrue(KernelRegistry.get("blocked") instanceof BlockedKernel);
        assertTrue(KernelRegistry.get("vector") instanceof VectorKernel);
        assertTrue(KernelRegistry.get(" scalar ") instanceof ScalarKernel);
        for (String name : List.of("parallel", "blocked", "vector", "scalar")) {
            assertSame(KernelRegistry.get(name), KernelRegistry.get(name), "one shared instance per name: " + name);
            assertEquals(name, KernelRegistry.get(name).name());
        }
        assertEquals(1, KernelRegistry.get("blocked").threads());
        assertEquals(1, KernelRegistry.get("vector").threads());
        assertEquals(1, KernelRegistry.get("scalar").threads());
    }

    @Test
    void theDefaultIsParallelUnlessOverridden() {
        String forced = System.getProperty(KernelRegistry.KERNEL_PROPERTY);
        String expected = forced == null || forced.isBlank() ? "parallel" : forced.trim();
        assertEquals(expected, KernelRegistry.defaultKernel().name());
        assertEquals(expected, DenseOps.defaults().kernel().name());
        assertSame(KernelRegistry.get(expected), KernelRegistry.defaultKernel());
    }

    @Test
    void theSharedParallelKernelUsesTheDefaultThreadCount() {
        // -Dmyelin.threads when the JVM was started with it, else every available processor
        DenseKernel parallel = KernelRegistry.get("parallel");
        assertEquals(KernelRegistry.defaultThreads(), parallel.threads(), parallel.describe());
        assertTrue(parallel.describe().contains(parallel.threads() + " threads"), parallel.describe());
    }

    /** A program asking for the default count both ways (a Spark task, the CLI's --threads) starts one pool. */
    @Test
    void withThreadsAtTheDefaultCountIsTheRegistrysOwnParallelKernel() {
        DenseKernel shared = KernelRegistry.get("parallel");
        assertSame(shared, KernelRegistry.withThreads("parallel", shared.threads()));
        assertSame(shared, KernelRegistry.withThreads("Parallel", shared.threads()));
    }

    /**
     * A factory that asks for its own kernel while it is being made (a wrapper of "the default" registered as the
     * default) is refused with the chain of names; it had recursed until the stack overflowed.
     */
    @Test
    void aFactoryThatAsksForItselfIsRefusedNotRecursed() {
        // the two ask for each other only during this test: registered for good, they must be usable after it by
        // the tests that check every registered variant (Variants.all)
        java.util.concurrent.atomic.AtomicBoolean loop = new java.util.concurrent.atomic.AtomicBoolean(true);
        KernelRegistry.register("test-self-a", () -> new Named("test-self-a",
                loop.get() ? KernelRegistry.get("test-self-b") : new ScalarKernel()));
        KernelRegistry.register("test-self-b", () -> new Named("test-self-b",
                loop.get() ? KernelRegistry.get("test-self-a") : new ScalarKernel()));
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> KernelRegistry.get("test-self-a"));
            assertEquals("kernel 'test-self-a' cannot be made: its factory asks for kernel 'test-self-a' itself while"
                    + " making it (through test-self-a -> test-self-b -> test-self-a; a wrapper registered as the"
                    + " default must name its delegate)", e.getMessage());
            // nothing half-made stays behind: the same refusal again, and other kernels are made as before
            assertThrows(IllegalArgumentException.class, () -> KernelRegistry.get("test-self-b"));
            assertSame(KernelRegistry.get("scalar"), KernelRegistry.get("scalar"));
        } finally {
            loop.set(false);
        }
        assertEquals("test-self-a", KernelRegistry.get("test-self-a").name(), "made once the loop is gone");
    }

    @Test
    void withThreadsMakesOneParallelInstancePerCount() {
        DenseKernel two = KernelRegistry.withThreads("parallel", 2);
        DenseKernel three = KernelRegistry.withThreads(" parallel ", 3);
        assertTrue(two instanceof ParallelKernel && three instanceof ParallelKernel, two + ", " + three);
        assertEquals(2, two.threads());
        assertEquals(3, three.threads());
        assertEquals(1, KernelRegistry.withThreads("parallel", 1).threads());
        assertNotSame(two, three);
        assertSame(two, KernelRegistry.withThreads("parallel", 2), "one instance per count, shared");
        assertTrue(two.describe().contains("2 threads"), two.describe());

        // the same bits as the shared default instance and as blocked
        Random r = new Random(4);
        int m = 70, k = 90, n = 200; // above MIN_FLOPS: the threads do run
        float[] x = randoms(r, m * k), w = randoms(r, k * n), b = randoms(r, n);
        float[] y2 = new float[m * n], y3 = new float[m * n], yb = new float[m * n];
        two.forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.TANH, y2, 0, n);
        three.forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.TANH, y3, 0, n);
        KernelRegistry.get("blocked").forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.TANH, yb, 0, n);
        assertArrayEquals(yb, y2);
        assertArrayEquals(yb, y3);
    }

    /**
     * A count's kernel is shared only while someone holds it: dropped, it is collected, its workers end (the
     * pool's cleaner), and the count gets a new kernel. Waited for with repeated {@code System.gc()}, up to a
     * minute: the collector decides when, not a clock.
     */
    @Test
    void aCountsKernelNobodyHoldsGoesWithItsWorkers() throws InterruptedException {
        // a count other than the default's: that one is the registry's own kernel, which stays
        int count = KernelRegistry.get("parallel").threads() == 7 ? 6 : 7;
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        DenseKernel seven = KernelRegistry.withThreads("parallel", count);
        Random r = new Random(5);
        int m = 70, k = 90, n = 200; // above MIN_FLOPS: the workers start
        float[] x = randoms(r, m * k), w = randoms(r, k * n), b = randoms(r, n), y = new float[m * n];
        seven.forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.RELU, y, 0, n);
        List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.getName().startsWith("myelin-gemm")).toList();
        assertEquals(count - 1, workers.size(), "the " + count + "-thread kernel's workers: " + workers);
        java.lang.ref.WeakReference<DenseKernel> dropped = new java.lang.ref.WeakReference<>(seven);
        seven = null;
        // 30 s: the cleaner must end them, not their idle minute (WorkerPool.IDLE_NANOS)
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((dropped.get() != null || workers.stream().anyMatch(Thread::isAlive)) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertNull(dropped.get(), "the registry let the dropped kernel be collected");
        assertEquals(0, workers.stream().filter(Thread::isAlive).count(), "workers of the dropped kernel alive");
        DenseKernel again = KernelRegistry.withThreads("parallel", count); // a new one, the old one being gone
        float[] y7 = new float[m * n];
        again.forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.RELU, y7, 0, n);
        assertArrayEquals(y, y7);
    }

    /** A name in other case is the variant, as every option value is read; other look-alike letters are not. */
    @Test
    void namesAreReadWithAsciiLettersInEitherCase() {
        assertSame(KernelRegistry.get("scalar"), KernelRegistry.get(" SCALAR "));
        assertSame(KernelRegistry.get("blocked"), KernelRegistry.get("Blocked"));
        DenseKernel held = KernelRegistry.withThreads("parallel", 2);
        assertSame(held, KernelRegistry.withThreads("PARALLEL", 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelRegistry.get("\u017fcalar")); // ſcalar: equalsIgnoreCase would take it
        assertTrue(e.getMessage().startsWith("unknown kernel '\u017fcalar' (available: "), e.getMessage());
    }

    @Test
    void withThreadsIgnoresTheCountForSingleThreadedVariants() {
        for (String name : List.of("blocked", "vector", "scalar")) {
            for (int threads : new int[] {1, 2, 8}) {
                DenseKernel k = KernelRegistry.withThreads(name, threads);
                assertSame(KernelRegistry.get(name), k, name + " with " + threads + " threads");
                assertEquals(1, k.threads(), name);
            }
        }
    }

    @Test
    void withThreadsRejectsCountsBelowOneAndUnknownNames() {
        for (String name : List.of("parallel", "blocked", "scalar")) {
            for (int threads : new int[] {0, -1, Integer.MIN_VALUE}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> KernelRegistry.withThreads(name, threads), name + " " + threads);
                assertTrue(e.getMessage().contains(String.valueOf(threads)), e.getMessage());
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelRegistry.withThreads("nope", 2));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("parallel"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ParallelKernel(0, 0));
    }

    @Test
    void threadsPropertyIsParsed() {
        assertEquals("myelin.threads", KernelRegistry.THREADS_PROPERTY);
        String saved = System.getProperty(KernelRegistry.THREADS_PROPERTY);
        try {
            int all = Runtime.getRuntime().availableProcessors();
            System.clearProperty(KernelRegistry.THREADS_PROPERTY);
            assertEquals(all, KernelRegistry.defaultThreads());
            System.setProperty(KernelRegistry.THREADS_PROPERTY, "  ");
            assertEquals(all, KernelRegistry.defaultThreads(), "blank means unset");
            for (int threads : new int[] {1, 3, 64}) {
                System.setProperty(KernelRegistry.THREADS_PROPERTY, " " + threads + " ");
                assertEquals(threads, KernelRegistry.defaultThreads());
            }
            for (String bad : new String[] {"0", "-2", "two", "1.5", "3 threads", "99999999999", "\u0663", "\uff12",
                    "+2"}) { // ASCII digits only: not other scripts' digits, which Java's parseInt takes
                System.setProperty(KernelRegistry.THREADS_PROPERTY, bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        KernelRegistry::defaultThreads, bad);
                assertTrue(e.getMessage().contains(KernelRegistry.THREADS_PROPERTY) && e.getMessage().contains(bad),
                        e.getMessage());
            }
        } finally {
            if (saved == null) {
                System.clearProperty(KernelRegistry.THREADS_PROPERTY);
            } else {
                System.setProperty(KernelRegistry.THREADS_PROPERTY, saved);
            }
        }
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelRegistry.get("nope"));
        for (String known : List.of("parallel", "blocked", "vector", "scalar")) {
            assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains(known), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> DenseOps.of("nope"));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> KernelRegistry.get(null));
        assertTrue(none.getMessage().startsWith("kernel name is null (available: parallel, blocked"), none.getMessage());
    }

    @Test
    void aRegisteredVariantIsSelectableByName() {
        AtomicInteger calls = new AtomicInteger();
        KernelRegistry.register("test-counting", () -> new CountingKernel(calls));
        assertTrue(KernelRegistry.names().contains("test-counting"));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> KernelRegistry.register("test-counting", ScalarKernel::new));
        assertTrue(twice.getMessage().contains("already registered"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelRegistry.register(" ", ScalarKernel::new));
        // names are looked up without case, so one that differs only in case would make both unreachable
        IllegalArgumentException cased = assertThrows(IllegalArgumentException.class,
                () -> KernelRegistry.register("Scalar", ScalarKernel::new));
        assertEquals("a kernel named 'scalar' is already registered (names are told apart without case)",
                cased.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelRegistry.register("TEST-Counting", ScalarKernel::new));
        assertSame(KernelRegistry.get("scalar"), KernelRegistry.get("SCALAR"));
        NullPointerException noFactory = assertThrows(NullPointerException.class,
                () -> KernelRegistry.register("test-none", null));
        assertEquals("the factory of kernel 'test-none' is null", noFactory.getMessage());
        // (not registered: every test that runs all registered kernels would meet it)
        NullPointerException nothing = assertThrows(NullPointerException.class,
                () -> KernelRegistry.create("test-null", () -> null));
        assertEquals("the factory of kernel 'test-null' returned null", nothing.getMessage());

        // a comma separates names in lists, @ joins a name and a width in checkpoints
        for (String bad : List.of("a,b", "mine@512", "two words", "ké")) {
            IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class,
                    () -> KernelRegistry.register(bad, ScalarKernel::new));
            assertTrue(malformed.getMessage().startsWith("kernel '" + bad + "' cannot be registered: its name '"
                    + bad + "' has '"), malformed.getMessage());
        }
        // a kernel answering to another name (a wrapper giving its delegate's) would be recorded under that name
        IllegalArgumentException mislabeled = assertThrows(IllegalArgumentException.class,
                () -> KernelRegistry.create("test-wrapper", ScalarKernel::new));
        assertTrue(mislabeled.getMessage().startsWith("kernel 'test-wrapper' is refused: the kernel its factory makes"
                + " calls itself 'scalar'"), mislabeled.getMessage());
        // exactly, case too: a checkpoint records name() and a resume looks it up as written
        IllegalArgumentException otherCase = assertThrows(IllegalArgumentException.class,
                () -> KernelRegistry.create("test-Counting", () -> new CountingKernel(new AtomicInteger())));
        assertTrue(otherCase.getMessage().contains("calls itself 'test-counting'"), otherCase.getMessage());

        DenseOps ops = DenseOps.of("test-counting");
        assertEquals("test-counting", ops.kernel().name());
        float[] x = {1, 2}, w = {3, 4}, y = new float[1];
        ops.forward(1, 1, 2, x, 0, 2, w, 0, 1, null, 0, Activation.IDENTITY, y, 0, 1);
        assertEquals(1, calls.get(), "the call reached the registered kernel");
        assertArrayEquals(new float[] {11}, y);
    }

    @Test
    void vectorBitsPropertyIsParsed() {
        String saved = System.getProperty(VectorSupport.VECTOR_BITS_PROPERTY);
        try {
            System.clearProperty(VectorSupport.VECTOR_BITS_PROPERTY);
            assertEquals(0, VectorSupport.requestedBits());
            for (int bits : new int[] {128, 256, 512}) {
                System.setProperty(VectorSupport.VECTOR_BITS_PROPERTY, " " + bits + " ");
                assertEquals(bits, VectorSupport.requestedBits());
            }
            System.setProperty(VectorSupport.VECTOR_BITS_PROPERTY, "");
            assertEquals(0, VectorSupport.requestedBits());
            for (String bad : new String[] {"64", "1024", "wide"}) {
                System.setProperty(VectorSupport.VECTOR_BITS_PROPERTY, bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        VectorSupport::requestedBits);
                assertTrue(e.getMessage().contains(bad) && e.getMessage().contains("128, 256 or 512"), e.getMessage());
            }
        } finally {
            if (saved == null) {
                System.clearProperty(VectorSupport.VECTOR_BITS_PROPERTY);
            } else {
                System.setProperty(VectorSupport.VECTOR_BITS_PROPERTY, saved);
            }
        }
    }

    @Test
    void eachSimdKernelOfEachWidthThroughTheReflectiveDoor() {
        for (int bits : new int[] {128, 256, 512}) {
            for (DenseKernel k : List.of(VectorSupport.vectorKernel(bits).orElseThrow(),
                    VectorSupport.blockedKernel(bits).orElseThrow(), VectorSupport.parallelKernel(bits, 2).orElseThrow())) {
                assertTrue(k.describe().contains(bits + "-bit"), k.describe());
            }
            assertEquals("vector", VectorSupport.vectorKernel(bits).orElseThrow().name());
            assertEquals("blocked", VectorSupport.blockedKernel(bits).orElseThrow().name());
            DenseKernel parallel = VectorSupport.parallelKernel(bits, 2).orElseThrow();
            assertEquals("parallel", parallel.name());
            assertEquals(2, parallel.threads());
        }
        assertThrows(IllegalArgumentException.class, () -> VectorSupport.vectorKernel(64));
        assertThrows(IllegalArgumentException.class, () -> VectorSupport.blockedKernel(64));
        assertThrows(IllegalArgumentException.class, () -> VectorSupport.parallelKernel(64, 2));
        assertThrows(IllegalArgumentException.class, () -> VectorSupport.parallelKernel(256, 0));
    }

    private static float[] randoms(Random r, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = 2 * r.nextFloat() - 1;
        }
        return a;
    }

    /**
     * A wrapper whose factory gets its delegate from the registry loads whatever its name: the two names hash
     * alike ("an" and "c0": 31·97 + 110 = 31·99 + 48), so they share a bin of the registry's map, where a shared
     * instance made inside computeIfAbsent had failed with "Recursive update" when the delegate was not yet made.
     */
    @Test
    void aWrapperMayGetItsDelegateFromTheRegistryInItsFactory() {
        assertEquals("test-nested-an".hashCode(), "test-nested-c0".hashCode());
        KernelRegistry.register("test-nested-c0", () -> new Named("test-nested-c0", new ScalarKernel()));
        KernelRegistry.register("test-nested-an",
                () -> new Named("test-nested-an", KernelRegistry.get("test-nested-c0")));
        DenseKernel outer = KernelRegistry.get("test-nested-an");
        assertSame(KernelRegistry.get("test-nested-c0"), ((ForwardingKernel) outer).delegate());
        assertSame(outer, KernelRegistry.get("test-nested-an"));
    }

    /**
     * A variant whose factory throws (a provider's native library missing, a bad setting of its own, a class its jar
     * lacks) cannot be made here: said as that, naming the variant and where it came from, whatever it threw, and
     * as an IllegalArgumentException, so that the command line reports it as a user's error and not as a bug.
     */
    @Test
    void aFactoryThatThrowsMakesItsVariantUnavailableByName() {
        KernelUnavailableException missing = assertThrows(KernelUnavailableException.class,
                () -> KernelRegistry.create("test-native", KernelRegistry.guarded("test-native",
                        "its provider my.NativeProvider", () -> {
                            throw new IllegalStateException("libmine.so not found");
                        })));
        assertEquals("kernel 'test-native' is unavailable here: its provider my.NativeProvider threw"
                + " IllegalStateException (libmine.so not found)", missing.getMessage());
        assertEquals("test-native", missing.kernelName());
        assertEquals("IllegalStateException (libmine.so not found)", missing.reason());
        assertTrue(missing.getCause() instanceof IllegalStateException);
        // a provider's own IllegalArgumentException names neither the variant nor its jar by itself
        KernelUnavailableException setting = assertThrows(KernelUnavailableException.class,
                () -> KernelRegistry.create("test-conf", KernelRegistry.guarded("test-conf",
                        "its provider my.ConfProvider", () -> {
                            throw new IllegalArgumentException("bad mine.conf value");
                        })));
        assertEquals("IllegalArgumentException (bad mine.conf value)", setting.reason());
        KernelUnavailableException linkage = assertThrows(KernelUnavailableException.class,
                () -> KernelRegistry.create("test-linkage", KernelRegistry.guarded("test-linkage",
                        "its provider my.LinkedProvider", () -> {
                            throw (NoClassDefFoundError) new NoClassDefFoundError("my/Native")
                                    .initCause(new ClassNotFoundException("my.Native"));
                        })));
        assertEquals("NoClassDefFoundError (my/Native): ClassNotFoundException (my.Native)", linkage.reason());
    }

    /**
     * A jar that a plugin host or a Spark executor adds through a class loader of its own is found once that loader
     * is the thread's context loader, also after the registry's first search (which could not see it), and from
     * then on by every thread.
     */
    @Test
    void aProviderOnlyTheThreadsContextLoaderSeesIsFoundWhenAskedFor(@org.junit.jupiter.api.io.TempDir
                                                                      java.nio.file.Path dir) throws Exception {
        servicesFile(dir, ContextLoaderProvider.class);
        assertTrue(KernelRegistry.names().contains("scalar")); // the first search, through this thread's loader
        assertTrue(!KernelRegistry.names().contains(ContextLoaderProvider.NAME), "not on the class path");
        DenseKernel found = withContextLoaderOver(dir, () -> KernelRegistry.get(ContextLoaderProvider.NAME));
        assertEquals(ContextLoaderProvider.NAME, found.name());
        assertSame(found, KernelRegistry.get(ContextLoaderProvider.NAME));
        assertTrue(KernelRegistry.names().contains(ContextLoaderProvider.NAME));
        assertEquals(1, ContextLoaderProvider.MADE.get());
        // a second loader that sees the same services file (another task's): the provider is not made again
        assertTrue(withContextLoaderOver(dir, KernelRegistry::names).contains(ContextLoaderProvider.NAME));
        assertEquals(1, ContextLoaderProvider.MADE.get(), "made once, whatever the loaders that see it");
    }

    /**
     * A provider whose constructor calls the registry (lists the variants, looks up a name it does not find) while
     * its own loader is being searched: the search does not start again from inside itself (it recursed until the
     * stack overflowed, and the provider was lost), and the provider is made once and registered.
     */
    @Test
    void aProviderThatCallsTheRegistryWhileItIsFoundIsRegisteredOnce(@org.junit.jupiter.api.io.TempDir
                                                                       java.nio.file.Path dir) throws Exception {
        servicesFile(dir, ReentrantProvider.class);
        assertEquals(ReentrantProvider.NAME,
                withContextLoaderOver(dir, () -> KernelRegistry.get(ReentrantProvider.NAME)).name());
        assertEquals(1, ReentrantProvider.MADE.get());
        assertTrue(KernelRegistry.names().contains(ReentrantProvider.NAME));
    }

    /**
     * One thread inside a factory (which holds the lock kernels are made under) lists the variants, while another
     * finds a provider whose constructor makes a kernel: with the search holding the registry's lock around the
     * providers' code, each waited for the other's lock for good. Both finish now.
     */
    @Test
    void aProviderMakingAKernelWhileAFactoryListsTheVariantsDoesNotDeadlock(@org.junit.jupiter.api.io.TempDir
                                                                             java.nio.file.Path dir) throws Exception {
        servicesFile(dir, LockingProvider.class);
        KernelRegistry.register("test-locking-delegate", () -> new Named("test-locking-delegate", new ScalarKernel()));
        KernelRegistry.register("test-locking-lister", () -> {
            try {
                LockingProvider.GO_ON.countDown(); // the provider's constructor goes on: it wants the lock held here
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            KernelRegistry.names(); // wants the lock the provider's search would have held
            return new Named("test-locking-lister", new ScalarKernel());
        });
        Thread finder = new Thread(() -> {
            try {
                withContextLoaderOver(dir, () -> KernelRegistry.get(LockingProvider.NAME));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "test-finder");
        finder.setDaemon(true);
        finder.start();
        assertTrue(LockingProvider.CONSTRUCTING.await(60, java.util.concurrent.TimeUnit.SECONDS));
        Thread maker = new Thread(() -> KernelRegistry.get("test-locking-lister"), "test-maker");
        maker.setDaemon(true);
        maker.start();
        maker.join(60_000);
        finder.join(60_000);
        long[] deadlocked = java.lang.management.ManagementFactory.getThreadMXBean().findMonitorDeadlockedThreads();
        assertNull(deadlocked, "threads deadlocked");
        assertTrue(!maker.isAlive() && !finder.isAlive(), "both finished");
        assertTrue(KernelRegistry.names().contains(LockingProvider.NAME));
    }

    /** A services file in {@code dir} naming {@code provider}: a jar on no class path. */
    private static void servicesFile(java.nio.file.Path dir, Class<?> provider) throws java.io.IOException {
        java.nio.file.Path services = dir.resolve("META-INF/services/" + DenseKernelProvider.class.getName());
        java.nio.file.Files.createDirectories(services.getParent());
        java.nio.file.Files.writeString(services, provider.getName() + "\n");
    }

    /** {@code call}'s result with a new class loader over {@code dir} as this thread's context loader. */
    private <T> T withContextLoaderOver(java.nio.file.Path dir, java.util.function.Supplier<T> call)
            throws java.io.IOException {
        Thread thread = Thread.currentThread();
        ClassLoader saved = thread.getContextClassLoader();
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {dir.toUri().toURL()},
                getClass().getClassLoader())) {
            thread.setContextClassLoader(loader);
            return call.get();
        } finally {
            thread.setContextClassLoader(saved);
        }
    }

    /**
     * The registry's {@code parallel} instances are every caller's: closing one would put them all on one thread
     * without a word, so their {@code close()} is refused and they keep their threads; a kernel of one's own closes.
     */
    @Test
    void theRegistrysParallelKernelsRefuseToBeClosed() throws Exception {
        DenseKernel three = KernelRegistry.withThreads("parallel", 3);
        IllegalStateException refused = assertThrows(IllegalStateException.class, ((AutoCloseable) three)::close);
        assertTrue(refused.getMessage().startsWith("this parallel kernel (3 threads) is the registry's, shared by"
                + " every caller that asks for it: it is not closed."), refused.getMessage());
        assertEquals(3, three.threads());
        DenseKernel byName = KernelRegistry.get("parallel");
        assertThrows(IllegalStateException.class, ((AutoCloseable) byName)::close);
        assertEquals(KernelRegistry.defaultThreads(), byName.threads());
        DenseKernel own = VectorSupport.parallelKernel(0, 3).orElseThrow();
        ((AutoCloseable) own).close();
        assertEquals(1, own.threads());
    }

    /**
     * A kernel made directly is held to the registry's thread bound, and a bad -Dmyelin.loopOrder reaches a
     * library caller as the property's own message, not as the engine's failed class initialisation.
     */
    @Test
    void aDirectlyMadeParallelKernelAndTheLoopOrderPropertyAreCheckedAsTheRegistryChecksThem() {
        int over = KernelRegistry.maxThreads() + 1;
        IllegalArgumentException many = assertThrows(IllegalArgumentException.class,
                () -> new ParallelKernel(0, over));
        assertTrue(many.getMessage().startsWith("thread count=" + over + " is more than the "
                + KernelRegistry.maxThreads() + " threads allowed"), many.getMessage());
        String saved = System.getProperty(LoopOrder.PROPERTY);
        System.setProperty(LoopOrder.PROPERTY, "zz");
        try {
            for (Runnable make : List.<Runnable>of(() -> VectorSupport.blockedKernel(0),
                    () -> VectorSupport.parallelKernel(0, 2), () -> VectorSupport.sharedParallelKernel(0, 2))) {
                IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, make::run);
                assertEquals("-Dmyelin.loopOrder=zz: use rows or panels", bad.getMessage());
            }
        } finally {
            if (saved == null) {
                System.clearProperty(LoopOrder.PROPERTY);
            } else {
                System.setProperty(LoopOrder.PROPERTY, saved);
            }
        }
    }

    /** A kernel forwarding everything to its delegate under a name of its own. */
    private static final class Named extends ForwardingKernel {
        private final String name;

        Named(String name, DenseKernel delegate) {
            super(delegate);
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }
    }

    /** The scalar kernel, counting forward calls. */
    private static final class CountingKernel extends ForwardingKernel {
        private final AtomicInteger calls;

        CountingKernel(AtomicInteger calls) {
            super(new ScalarKernel());
            this.calls = calls;
        }

        @Override
        public String name() {
            return "test-counting";
        }

        @Override
        public void forward(int m, int n, int k, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                            float[] b, int bOff, Activation act, float[] y, int yOff, int ldy) {
            calls.incrementAndGet();
            super.forward(m, n, k, x, xOff, ldx, w, wOff, ldw, b, bOff, act, y, yOff, ldy);
        }
    }
}
