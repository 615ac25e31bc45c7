package dev.myelin.core.dispatch;

/**
 * A provider that only a test's own class loader finds (as {@link ContextLoaderProvider}) and that takes a second
 * to make: long enough for another thread to ask for the default while the first thread's choice is under way.
 */
public final class SlowContextProvider extends ScalarUnderNameProvider {

    static final String NAME = "test-slow-context";

    /** Counted down when the first instance starts being made: a test's other thread goes on from there. */
    static final java.util.concurrent.CountDownLatch MAKING = new java.util.concurrent.CountDownLatch(1);

    public SlowContextProvider() {
        super(NAME);
        MAKING.countDown();
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
