package dev.myelin.cli;

import dev.myelin.core.DenseOps;

/** The {@code --kernel} option shared by {@code train} and {@code predict}. */
final class Kernels {

    private static final System.Logger LOG = System.getLogger("dev.myelin.cli");

    private Kernels() {
    }

    /**
     * {@code DenseOps.of(name)}, or null for the default: called first, so that an unknown name fails (with the
     * list of available ones) before any file is read. Logs nothing.
     */
    static DenseOps named(String name) {
        return name == null ? null : DenseOps.of(name);
    }

    /**
     * The kernel to run with, {@code named} or else the default variant, logged as one stderr line: the
     * registry logs its default choice itself, an explicit choice is logged here. Called once the inputs are
     * read, so that a run that fails on its inputs prints only the error.
     */
    static DenseOps use(DenseOps named) {
        if (named == null) {
            return DenseOps.defaults();
        }
        LOG.log(System.Logger.Level.INFO, "kernel {0} (from --kernel)", named.kernel().describe());
        return named;
    }
}
