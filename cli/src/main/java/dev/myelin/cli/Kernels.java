package dev.myelin.cli;

import dev.myelin.core.DenseKernel;
import dev.myelin.core.DenseOps;
import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.core.dispatch.KernelUnavailableException;

/**
 * Checks and builds the kernel of {@code --kernel} and {@code --threads} ({@link KernelOptions}), and the thread
 * bound.
 */
final class Kernels {

    private static final System.Logger LOG = System.getLogger("dev.myelin.cli");

    /** The multithreaded variant, the one {@code --threads} configures. */
    static final String PARALLEL = "parallel";

    /** The {@code --threads} help's last sentence: the bound {@link KernelRegistry#checkThreads} enforces. */
    static final String THREADS_BOUND = "Allowed: up to max(256, 4 × available processors);"
            + " more cannot run faster, and each thread reserves its own stack.";

    private Kernels() {
    }

    /**
     * What {@code --kernel} and {@code --threads} asked for, checked.
     *
     * @param kernel  the {@code --kernel} variant (on {@code threads} threads when it is {@code parallel}), or
     *                null for the default one
     * @param threads {@code --threads}, or null when not given (the registry's default count)
     */
    record Choice(DenseKernel kernel, Integer threads) {
    }

    /**
     * The {@code --kernel} variant, or null for the default, on {@code --threads} threads when it is
     * {@code parallel} (the registry's default count, {@code -Dmyelin.threads} or every processor, when not
     * given): called first, so that an unknown name, a bad count or a bad {@code -Dmyelin.*} property fails
     * (with the list of available names) before any file is read. Logs nothing.
     */
    static Choice named(String name, Integer threads) {
        if (threads != null) {
            KernelRegistry.checkThreads(threads, "--threads"); // before any thread exists
        }
        KernelRegistry.checkProperties(); // a bad -Dmyelin.kernel or -Dmyelin.vectorBits: one line, now
        if (threads == null && dev.myelin.core.Named.asciiEqualsIgnoreCase(PARALLEL,
                name != null ? name.trim() : KernelRegistry.defaultName())) {
            KernelRegistry.defaultThreads(); // a bad -Dmyelin.threads is a user error, reported now
        }
        if (name == null) {
            return new Choice(null, threads);
        }
        DenseKernel kernel;
        try {
            kernel = threads == null ? KernelRegistry.get(name) : KernelRegistry.withThreads(name, threads);
        } catch (KernelUnavailableException e) { // a provider's create() threw: its jar's problem, said as such
            throw new IllegalArgumentException("--kernel " + name.trim() + ": unavailable here: " + e.reason(), e);
        } catch (IllegalArgumentException e) { // unknown (the registry's message lists the names), or refused
            throw new IllegalArgumentException("--kernel: " + e.getMessage(), e);
        }
        return new Choice(kernel, threads);
    }

    /**
     * The kernel to run with, logged as one stderr line with its thread count: the registry logs its default
     * choice itself, an explicit choice is logged here. Called once the inputs are read, so that a run that
     * fails on its inputs prints only the error.
     */
    static DenseOps use(Choice choice) {
        Integer threads = choice.threads();
        if (choice.kernel() != null) {
            LOG.log(System.Logger.Level.INFO, "kernel {0} (from --kernel{1})", choice.kernel().describe(),
                    threads != null && isParallel(choice.kernel()) ? " and --threads" : "");
            noteIgnoredThreads(choice.kernel(), threads);
            return DenseOps.of(choice.kernel());
        }
        if (threads == null) {
            return DenseOps.defaults(); // built with the default thread count
        }
        if (PARALLEL.equals(KernelRegistry.defaultName())) {
            DenseKernel kernel = KernelRegistry.withThreads(PARALLEL, threads);
            LOG.log(System.Logger.Level.INFO, "kernel {0} (the default, --threads {1})", kernel.describe(),
                    String.valueOf(threads));
            return DenseOps.of(kernel);
        }
        DenseOps ops = DenseOps.defaults();
        noteIgnoredThreads(ops.kernel(), threads);
        return ops;
    }

    private static boolean isParallel(DenseKernel kernel) {
        return PARALLEL.equals(kernel.name());
    }

    private static void noteIgnoredThreads(DenseKernel kernel, Integer threads) {
        if (threads != null && !isParallel(kernel) && threads != kernel.threads()) {
            LOG.log(System.Logger.Level.INFO, "note: --threads {0} has no effect: kernel {1} runs on {2} thread{3}",
                    String.valueOf(threads), kernel.name(), String.valueOf(kernel.threads()),
                    kernel.threads() == 1 ? "" : "s");
        }
    }

    /**
     * The arithmetic a kernel variant computes with: blocked and parallel are the packed engine, the same bits at
     * every vector width and thread count; vector and scalar each sum in an order of their own. Two variants of
     * the same arithmetic give a resumed run the bits of the run never stopped.
     */
    static String arithmetic(String kernel) {
        return kernel.equals("blocked") || kernel.equals(PARALLEL) ? "the packed engine (blocked, parallel)" : kernel;
    }

    /**
     * The name a checkpoint records for {@code kernel}: its name, and for {@code vector}, whose dot products sum
     * their lanes in a tree as wide as the vectors, the width too ({@code vector@512}), so that a resume at another
     * width (another machine, -Dmyelin.vectorBits) is refused instead of ending with other bits.
     */
    static String recorded(DenseKernel kernel) {
        for (DenseKernel inner = kernel; ; ) { // a wrapper over vector inherits its dependence on the width
            if (inner instanceof dev.myelin.core.simd.VectorKernel v) {
                return kernel.name() + "@" + v.bits();
            }
            if (!(inner instanceof dev.myelin.core.ForwardingKernel wrapper)) {
                return kernel.name();
            }
            inner = wrapper.delegate();
        }
    }

    /**
     * Whether a run recorded as {@code recorded} (a checkpoint's {@code "kernel"}) resumes with the bits of the
     * run never stopped when it goes on with {@code now} (as {@link #recorded}); a bare {@code vector}, from
     * before the width was recorded, matches {@code vector} at any width.
     */
    static boolean sameArithmetic(String recorded, String now) {
        boolean bothWidths = recorded.contains("@") == now.contains("@");
        return bothWidths ? arithmetic(recorded).equals(arithmetic(now))
                : arithmetic(name(recorded)).equals(arithmetic(name(now)));
    }

    /** The variant's name in a recorded one: {@code vector} of {@code vector@512}. */
    static String name(String recorded) {
        int at = recorded.indexOf('@');
        return at < 0 ? recorded : recorded.substring(0, at);
    }

    /** How to ask for a recorded kernel on the command line: {@code --kernel vector with -Dmyelin.vectorBits=512}. */
    static String option(String recorded) {
        String name = name(recorded);
        return name.equals(recorded) ? "--kernel " + name : "--kernel " + name + " with"
                + " MYELIN_OPTS=-Dmyelin.vectorBits=" + recorded.substring(name.length() + 1);
    }
}
