package dev.myelin.cli;

import dev.myelin.core.DenseKernel;
import dev.myelin.core.dispatch.DenseKernelProvider;

/**
 * A provider whose kernel cannot be made here, as one that needs a native library would be: found only by the
 * child JVMs of {@code KernelProviderTest}, whose class path adds a folder with its services file.
 */
public final class ThrowingKernelProvider implements DenseKernelProvider {

    static final String NAME = "test-unavailable";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DenseKernel create() {
        throw new IllegalStateException("libtest.so not found");
    }
}
