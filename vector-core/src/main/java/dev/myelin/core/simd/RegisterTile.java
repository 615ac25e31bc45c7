package dev.myelin.core.simd;

/**
 * The register tile of {@link PackedGemm}'s main micro-kernel: {@code rows} (MR) rows of C by {@code vectors}
 * vectors (NR = vectors · lanes columns), chosen per vector width from the vector registers that width implies
 * (docs/kernels.md, "Tile per CPU"). Only the width decides, never a timing at start-up: the tile changes which
 * elements share a micro-kernel call, not the operations on one element (its sum along k keeps the same order
 * and the same k blocks, which depend on k alone), so the bits are the same whatever the tile.
 *
 * @param rows     rows of the tile, MR
 * @param vectors  columns of the tile in vectors; at least 2, so that the {@code MR × NR} staging tile also
 *                 holds a staged group of a narrow panel ({@code thinRows × L}, at most 2·MR rows)
 * @param thinRows rows of C that a narrow panel (at most L columns, a thin layer's) takes at once, one
 *                 accumulator each: 8 or 2·MR
 * @param pairedRows rows of C that one call takes when A is transposed and there is no bias or activation (the
 *                 weight gradient), and for an A read in place where PackedGemm packs it in groups (the forward
 *                 on Intel at 512 bits): 2·MR where the registers hold 2·MR × vectors accumulators beside B's
 *                 vectors and a broadcast, 0 where they do not
 */
record RegisterTile(int rows, int vectors, int thinRows, int pairedRows) {

    /** The one paired tile there is: 2·MR rows of a two-vector tile (PackedGemm's kernel12x2PackedA). */
    RegisterTile {
        if (pairedRows != 0 && (pairedRows != 2 * rows || vectors != 2)) {
            throw new IllegalArgumentException("paired tiles are 2 × " + rows + " rows of 2 vectors, not "
                    + pairedRows + " rows of " + vectors);
        }
    }

    /**
     * 6 rows × 2 vectors: 12 accumulators, plus 2 vectors of B and one broadcast, 15 registers. Per k step 12
     * FMAs for 2 vector loads and 6 broadcasts; 12 independent FMA chains ≥ 2 pipes × 4 cycles of latency.
     * Narrow panels in groups of 12 rows: at 256 bits 12 were 10 % faster than 8 on the Zen 5 (128×128×10,
     * docs/kernels.md).
     */
    static final RegisterTile SIX_BY_TWO = new RegisterTile(6, 2, 12, 0);

    /**
     * As {@link #SIX_BY_TWO}, narrow panels in groups of 8 rows: with twelve, C2 keeps the rows' offsets on the
     * stack and reloads one before every broadcast (two loads per FMA); eight stay in registers, 9–13 % faster
     * on the Zen 5's 512-bit vectors (docs/kernels.md). Paired tiles of 12 rows: 24 accumulators + 2 B vectors +
     * 1 broadcast = 27 of AVX-512's 32 registers.
     */
    static final RegisterTile SIX_BY_TWO_THIN_EIGHT = new RegisterTile(6, 2, 8, 12);

    /** The tile for vectors of {@code lanes} floats: a table by width, one row per kind of CPU. */
    static RegisterTile forLanes(int lanes) {
        RegisterTile tile = switch (lanes) {
            // AVX-512, 32 registers: measured against 4 × 3 (no faster beyond the noise, slower on thin layers);
            // 8 × 2 and 4 × 4 (16 accumulators) made C2 box the vectors
            case 16 -> SIX_BY_TWO_THIN_EIGHT;
            // AVX2, 16 registers, 15 in use: measured on a Zen 3 against 4 × 3 (16) and 4 × 2 (11), neither faster
            case 8 -> SIX_BY_TWO;
            // 128 bits, SSE with 16 registers or NEON with 32 (reasoned, not measured): the AVX2 argument, and
            // 12 chains still cover 4-lane FMAs' latency × pipes
            default -> SIX_BY_TWO;
        };
        if (tile.pairedRows() > lanes) { // a paired panel packs a column's rows with one vector copy
            throw new IllegalStateException("paired tiles of " + tile.pairedRows() + " rows need at least that many"
                    + " lanes, not " + lanes);
        }
        return tile;
    }
}
