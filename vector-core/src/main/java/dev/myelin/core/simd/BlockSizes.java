package dev.myelin.core.simd;

/**
 * The cache and register blocking of {@link PackedGemm}, in one place, with the reasons.
 *
 * <p>The GotoBLAS/BLIS structure: C is computed in {@code MR×NR} register tiles (their shape per vector width
 * is {@link RegisterTile}'s). The loop over k is cut into
 * blocks of at most {@code KC}; for each, a {@code KC×NC} block of B is packed into NR-column panels, and the
 * micro-kernel runs every MR-row tile of A (read in place, in L1 while it is used) against every B panel of
 * the block (from L2). There is no MC: A is not packed (measured slower), so rows need no cache block. Where the
 * panels go outside (Intel, {@code LoopOrder}) the other way round: each B panel, in L1, against every row of A,
 * which PackedGemm packs a panel at a time for an A under its panels-outside limit (1 MiB), in 2·MR-row groups at
 * 512 bits.
 * Values measured on the 2-core Zen 5 the
 * project runs on (32 KiB L1d and 1 MiB L2 per core as the VM reports them, 32 MiB L3); see docs/kernels.md.
 */
final class BlockSizes {

    private BlockSizes() {
    }

    /**
     * Depth of a k block (the engine cuts k into equal blocks of at most KC). One packed B panel
     * ({@code KC×NR} floats, 32 KiB for NR 32) is swept against every A panel of the block, and one A panel
     * ({@code MR×KC}, 6 KiB) streams beside it. A deeper block means fewer partial sums written to and read
     * back from C; a shallower one keeps the B panel in L1. In quick timings during development 128–384
     * differed by less than the run-to-run spread.
     */
    static final int KC = 256;

    /**
     * The depth of every k block of a product with reduction length k: k in equal blocks of at most {@link #KC}
     * (784 = 4 × 196, not 3 × 256 + 16: no thin last block whose C traffic outweighs its arithmetic); 0 when k = 0.
     * It depends on k alone, so every slice of C, every thread count and every path that follows it (the packed
     * engine, the unpacked forward of a few rows) adds the same partial sums in the same order.
     */
    static int kBlock(int k) {
        int blocks = Math.max(1, (k + KC - 1) / KC);
        return (k + blocks - 1) / blocks;
    }

    /**
     * Columns of the packed B block: {@code KC×NC} floats = 512 KiB at most, half of a Zen core's 1 MiB L2, so the
     * block stays in L2 while every A tile streams it. With 4096 (4 MiB, one block for every layer shape) the
     * 1024³ forward took 13.7 and 13.5 ms against 11.5 and 10.6 ms with 512, 1 thread on the 2-core Zen 5
     * (AVX-512), 2026-12-03, alternating JMH runs (docs/kernels.md, "Block sizes"); shapes with n ≤ 512 are
     * one block either way. Column blocks do not change the order of additions: the same bits.
     * A multiple of every NR (32 with AVX-512, 16 with AVX2, 8 with 128-bit vectors).
     */
    static final int NC = 512;

    /**
     * A forward or input gradient with at most this many rows (a batch of a few samples, as in inference)
     * takes the unpacked path of the {@code vector} kernel: with so few rows every packed element of W would
     * serve one or two register tiles, and packing costs as much as the product. Measured with
     * {@code jmh/run ProductBenchmark -p product=forward,inputGradient} at m×784×256 (docs/kernels.md):
     * {@code vector} ahead at m = 1, 4 and 16, and still at 32; the engine well ahead at 128.
     */
    static final int SMALL_ROWS = 16;
}
