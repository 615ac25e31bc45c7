package dev.myelin.core.dispatch;

/**
 * A provider that calls the registry from its constructor (to list the variants, say), found only through a
 * loader of {@code KernelRegistryTest}'s own: its search must not start again from inside itself.
 */
public final class ReentrantProvider extends ScalarUnderNameProvider {

    static final String NAME = "test-reentrant";

    static final java.util.concurrent.atomic.AtomicInteger MADE = new java.util.concurrent.atomic.AtomicInteger();

    public ReentrantProvider() {
        super(NAME);
        MADE.incrementAndGet();
        KernelRegistry.names(); // and a lookup that misses
        try {
            KernelRegistry.get("test-reentrant-none");
        } catch (IllegalArgumentException expected) {
            // unknown, as it is
        }
    }
}
