package dev.myelin.core;

import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.core.scalar.ScalarKernel;
import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import dev.myelin.core.simd.VectorKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Named;

/**
 * Every kernel variant under test: the scalar reference, the vector kernel at the platform's preferred
 * width, and the vector kernel forced to each of 128, 256 and 512 bits (all widths run on any machine,
 * natively or through the Vector API's portable fallback), the engine likewise, and every other variant that
 * {@link KernelRegistry} knows (docs/architecture.md, "How to add a variant").
 */
final class Variants {

    private Variants() {
    }

    /** The built-in variants at several widths and thread counts, then every other registered one. */
    static List<Named<DenseKernel>> all() {
        VectorKernel preferred = new VectorKernel(0);
        List<Named<DenseKernel>> all = new ArrayList<>(List.of(
                Named.of("scalar", new ScalarKernel()),
                Named.of("vector preferred (" + preferred.bits() + "-bit)", preferred),
                Named.of("vector 128-bit", new VectorKernel(128)),
                Named.of("vector 256-bit", new VectorKernel(256)),
                Named.of("vector 512-bit", new VectorKernel(512)),
                Named.of("blocked preferred", new BlockedKernel(0)),
                Named.of("blocked 128-bit", new BlockedKernel(128)),
                Named.of("blocked 256-bit", new BlockedKernel(256)),
                Named.of("parallel 3 threads", new ParallelKernel(0, 3))));
        // a variant added to KernelRegistry (or by a provider on the class path) is checked without an edit here
        for (String name : KernelRegistry.names()) {
            if (!BUILT_IN.contains(name)) {
                all.add(Named.of(name, KernelRegistry.get(name)));
            }
        }
        return all;
    }

    private static final Set<String> BUILT_IN = Set.of("scalar", "vector", "blocked", "parallel");
}
