package dev.myelin.core;

import dev.myelin.core.scalar.ScalarKernel;
import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import java.util.List;
import org.junit.jupiter.api.Named;

/**
 * Every {@link GemmKernel} variant under test: the scalar reference, the blocked engine at the platform's
 * preferred width and forced to 128 and 256 bits (narrower tiles: 6×8 and 6×16 instead of 6×32 with
 * AVX-512), and the parallel engine on 3 threads. One shared instance of each, so that the parallel pool's
 * threads are made once per test JVM.
 */
final class GemmVariants {

    private static final List<Named<GemmKernel>> ALL = List.of(
            Named.of("scalar", new ScalarKernel()),
            Named.of("blocked preferred", new BlockedKernel(0)),
            Named.of("blocked 128-bit", new BlockedKernel(128)),
            Named.of("blocked 256-bit", new BlockedKernel(256)),
            Named.of("parallel 3 threads", new ParallelKernel(0, 3)));

    private GemmVariants() {
    }

    static List<Named<GemmKernel>> all() {
        return ALL;
    }
}
