package dev.myelin.core.dispatch;

/**
 * A provider that only a test's own class loader finds (as {@link ContextLoaderProvider}) and that takes a second
 * to make: long enough for another thread to ask for the default while the first thread's choice is under way.
 */
public final class SlowContextProvider extends ScalarUnderNameProvider {

    static final String NAME = "test-slow-context";

    public SlowContextProvider() {
        super(NAME);
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
