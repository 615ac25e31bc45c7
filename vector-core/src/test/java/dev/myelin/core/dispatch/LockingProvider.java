package dev.myelin.core.dispatch;

import java.util.concurrent.CountDownLatch;

/**
 * A provider whose constructor makes a kernel through the registry (one built over another, eagerly), found only
 * through a loader of {@code KernelRegistryTest}'s own. The test holds the constructor until another thread is
 * inside a factory: the two then need the registry's locks in opposite orders unless the search runs outside them.
 */
public final class LockingProvider extends ScalarUnderNameProvider {

    static final String NAME = "test-locking";
    /** Counted down when the constructor has started. */
    static final CountDownLatch CONSTRUCTING = new CountDownLatch(1);
    /** The constructor waits for it before it makes its kernel. */
    static final CountDownLatch GO_ON = new CountDownLatch(1);

    public LockingProvider() {
        super(NAME);
        CONSTRUCTING.countDown();
        try {
            GO_ON.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        KernelRegistry.get("test-locking-delegate"); // made now: needs the lock a factory holds
    }
}
