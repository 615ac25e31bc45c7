package dev.myelin.core;

import dev.myelin.core.scalar.ScalarKernel;
import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import dev.myelin.core.simd.VectorKernel;
import java.util.List;
import org.junit.jupiter.api.Named;

/**
 * Every kernel variant under test: the scalar reference, the vector kernel at the platform's preferred
 * width, and the vector kernel forced to each of 128, 256 and 512 bits (all widths run on any machine,
 * natively or through the Vector API's portable fallback).
 */
final class Variants {

    private Variants() {
    }

    static List<Named<DenseKernel>> all() {
        VectorKernel preferred = new VectorKernel(0);
        return List.of(
                Named.of("scalar", new ScalarKernel()),
                Named.of("vector preferred (" + preferred.bits() + "-bit)", preferred),
                Named.of("vector 128-bit", new VectorKernel(128)),
                Named.of("vector 256-bit", new VectorKernel(256)),
                Named.of("vector 512-bit", new VectorKernel(512)),
                Named.of("blocked preferred", new BlockedKernel(0)),
                Named.of("blocked 128-bit", new BlockedKernel(128)),
                Named.of("blocked 256-bit", new BlockedKernel(256)),
                Named.of("parallel 3 threads", new ParallelKernel(0, 3)));
    }
}
