package dev.myelin.core.dispatch;

import dev.myelin.core.DenseKernel;
import dev.myelin.core.ForwardingKernel;
import dev.myelin.core.scalar.ScalarKernel;

/** The test providers' common part: the scalar kernel under a name of the provider's. */
abstract class ScalarUnderNameProvider implements DenseKernelProvider {

    private final String name;

    ScalarUnderNameProvider(String name) {
        this.name = name;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final DenseKernel create() {
        return new ForwardingKernel(new ScalarKernel()) {
            @Override
            public String name() {
                return name;
            }
        };
    }
}
