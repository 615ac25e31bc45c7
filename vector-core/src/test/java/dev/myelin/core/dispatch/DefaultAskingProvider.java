package dev.myelin.core.dispatch;

/**
 * A provider whose class initialiser asks for the default kernel after a pause (a wrapper of "the default" that
 * looks it up early): the thread making it holds the class's initialisation meanwhile, which another thread's
 * search for providers then waits for. Found only through a test's own class loader, as {@link
 * ContextLoaderProvider}.
 */
public final class DefaultAskingProvider extends ScalarUnderNameProvider {

    static final String NAME = "test-asks-default";

    /** Counted down when the class starts being initialised: a test's other thread goes on from there. */
    static final java.util.concurrent.CountDownLatch INITIALISING = new java.util.concurrent.CountDownLatch(1);

    static {
        INITIALISING.countDown();
        try {
            Thread.sleep(500);
            KernelRegistry.defaultKernel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the default cannot be chosen yet from here: this provider does without it
        }
    }

    public DefaultAskingProvider() {
        super(NAME);
    }
}
