package dev.myelin.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.myelin.core.DenseOps;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A copy of this library in a class loader of its own (a plugin's, a Spark job's) that has been used and closed
 * can be collected: nothing of the JVM's keeps it. Waited for with repeated {@code System.gc()}, up to a minute:
 * the collector decides when.
 */
class ClassLoaderReleaseTest {

    /**
     * The copy's default {@code parallel} kernel lives in its own statics; a {@link java.lang.ref.Cleaner}
     * registered for it had kept the copy reachable from the cleaner's thread for good (a review's host leaked 10
     * loaders and 10 cleaner threads in 10 jobs).
     */
    @Test
    void aClosedLoaderThatUsedTheDefaultKernelIsCollected() throws Exception {
        ExecutorService once = Executors.newSingleThreadExecutor();
        WeakReference<ClassLoader> released;
        try {
            released = useAndClose("defaults", 2, once);
        } finally {
            once.shutdown();
            once.awaitTermination(1, TimeUnit.MINUTES);
        }
        assertCollected(released);
    }

    /**
     * A thread that lives on (an executor's, in a long-running host) after running a product on a copy's engine
     * does not keep that copy: the engine's buffers had been that thread's ThreadLocal value, of the copy's classes.
     */
    @Test
    void aThreadThatLivesOnDoesNotKeepTheLoaderOfAProductItRan() throws Exception {
        ExecutorService livesOn = Executors.newSingleThreadExecutor();
        try {
            assertCollected(useAndClose("blocked", 64, livesOn));
        } finally {
            livesOn.shutdown();
        }
    }

    private static void assertCollected(WeakReference<ClassLoader> released) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (released.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertNull(released.get(), "the closed loader was not collected");
    }

    /**
     * Loads this library's classes again, runs a {@code size}³ forward on {@code kernel} ("defaults": the default
     * kernel) on a thread of {@code where}, with the copy as its context loader, then closes the copy.
     */
    private static WeakReference<ClassLoader> useAndClose(String kernel, int size, ExecutorService where)
            throws Exception {
        URL classes = DenseOps.class.getProtectionDomain().getCodeSource().getLocation();
        URLClassLoader copy = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader());
        where.submit(() -> {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            Thread.currentThread().setContextClassLoader(copy);
            try {
                Class<?> ops = copy.loadClass(DenseOps.class.getName());
                if (ops == DenseOps.class) {
                    throw new AssertionError("not a copy");
                }
                Object chosen = kernel.equals("defaults") ? ops.getMethod("defaults").invoke(null)
                        : ops.getMethod("of", String.class).invoke(null, kernel);
                Class<?> activation = copy.loadClass("dev.myelin.core.Activation");
                float[] x = new float[size * size], w = new float[size * size], b = new float[size];
                float[] y = new float[size * size];
                ops.getMethod("forward", int.class, int.class, int.class, float[].class, int.class, int.class,
                        float[].class, int.class, int.class, float[].class, int.class, activation, float[].class,
                        int.class, int.class).invoke(chosen, size, size, size, x, 0, size, w, 0, size, b, 0,
                        activation.getField("SIGMOID").get(null), y, 0, size);
            } finally {
                Thread.currentThread().setContextClassLoader(context);
            }
            return null;
        }).get();
        copy.close();
        return new WeakReference<>(copy);
    }
}
