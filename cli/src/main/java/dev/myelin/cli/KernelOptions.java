package dev.myelin.cli;

import dev.myelin.core.DenseOps;
import picocli.CommandLine.Option;

/**
 * {@code --kernel} and {@code --threads}, declared once and mixed into every command that computes
 * ({@code @Mixin KernelOptions kernels}). {@link #check} validates them before any file is read;
 * {@link #use} builds the operations once the inputs are known to be good.
 */
final class KernelOptions {

    @Option(names = "--kernel", paramLabel = "NAME",
            description = {"Kernel variant, e.g. scalar, vector, blocked or parallel (see myelin info). Default:"
                    + " the best one available, or -Dmyelin.kernel."})
    String kernel;

    @Option(names = "--threads", paramLabel = "N",
            description = {"Threads of the parallel kernel (its results are the same bits for every count); the"
                    + " other kernels run on one. Default: every available processor, or -Dmyelin.threads.",
                    Kernels.THREADS_BOUND})
    Integer threads;

    private Kernels.Choice choice;

    /** Checks the options (an unknown kernel or a bad count fails here, listing what is available). */
    void check() {
        choice = Kernels.named(kernel, threads);
    }

    /** The operations to compute with, logged once on stderr. */
    DenseOps use() {
        if (choice == null) {
            check();
        }
        return Kernels.use(choice);
    }
}
