package dev.myelin.core.dispatch;

/**
 * A provider that only a class loader of a test's own finds: its services file is written by
 * {@code KernelRegistryTest} into a folder that is on no class path, as a plugin host's or a Spark task's jar is.
 */
public final class ContextLoaderProvider extends ScalarUnderNameProvider {

    static final String NAME = "test-context-loader";

    /** Instances made: a loader searched after the first that finds this class again must not make another. */
    static final java.util.concurrent.atomic.AtomicInteger MADE = new java.util.concurrent.atomic.AtomicInteger();

    public ContextLoaderProvider() {
        super(NAME);
        MADE.incrementAndGet();
    }
}
