package dev.myelin.core.dispatch;

import dev.myelin.core.DenseKernel;

/**
 * How a variant from another jar joins the registry: list the implementing class in
 * {@code META-INF/services/dev.myelin.core.dispatch.DenseKernelProvider}. It is then selectable by name
 * everywhere ({@code DenseOps.of(name)}, {@code -Dmyelin.kernel=name}, {@code --kernel name}).
 */
public interface DenseKernelProvider {

    /** The name the variant is selected by. */
    String name();

    /** A kernel instance; kernels are stateless, so one instance may serve every caller. */
    DenseKernel create();
}
