package dev.myelin.core.simd;

import java.lang.foreign.MemorySegment;

/**
 * The work buffers of one call of {@link PackedGemm} (or one part of a parallel call): the packed panels of B, the
 * last partial rows of A, the staging tile for edge tiles and the padded bias of an edge panel. Each buffer grows
 * to the largest size a call has needed, at most the block sizes of {@link BlockSizes}, and is then reused: after
 * the first calls of a given size nothing is allocated. A workspace is lent to one call at a time ({@link
 * WorkspacePool}, one per vector width), so no two calls share it.
 */
final class GemmWorkspace {

    /**
     * {@code KC×NC} of B, as NR-column panels (row q of a panel is NR consecutive floats), the last one L wide when
     * it has at most L columns, packed compactly (row stride = its columns) when it has fewer.
     */
    private float[] packedB = new float[0];
    /**
     * {@link #packedB} as a heap segment, for {@link CacheLines}: made with the array (only {@link #packedB(int)}
     * replaces it), not for each block.
     */
    private MemorySegment packedBSegment = MemorySegment.ofArray(packedB);
    /** Where the block in {@link #packedB} starts: its first index on a cache line, set by {@link #packedBlock}. */
    int packedB0;
    /**
     * A packed panel of A: the last, partial MR rows of A read in place (MR×KC, zero-padded), an MR-row panel of a
     * transposed A, or a paired panel (2·MR×KC + L: its vector copies reach past the last column's place).
     */
    float[] edgeA = new float[0];
    /**
     * The paired groups of an A read in place (PackedGemm's {@code packPairedGroups}, the forward at 512 bits on
     * Intel): groups of 2·MR rows × KC, each packed 2·MR apart, + L (a block's transposition reaches past the last
     * column's place). At most the A block under which panels go outside (1 MiB).
     */
    float[] packedA = new float[0];
    /**
     * One tile of C, row stride NR, with the rows of the largest tile: an MR×NR tile that sticks out of C (rows or
     * columns) in its first rows, a paired tile (2·MR rows at 512 bits, PackedGemm's {@code pairedTiles}) in all of
     * them; a group of a narrow panel (at most 2·MR rows of at most L columns, (rows − 1)·cols + L floats, within
     * MR×NR as NR = 2L) is staged in the same floats with row stride = its columns.
     */
    final float[] tile;
    /** The bias of a partial column panel, zero-padded to NR. */
    final float[] edgeBias;

    /** Where the operands of the panel at hand lie (set by PackedGemm's {@code panel}): one per workspace. */
    final Panel panel = new Panel();

    /**
     * Where a panel's B and bias lie: B in {@code b} from {@code b0}, row q at {@code b0 + q·ldb}; the bias in
     * {@code bias} from {@code bias0}. Which buffers they are (the packed block, the operands in place, padded copies)
     * is the business of the method that set them; the panel's loops only read these fields.
     */
    static final class Panel {
        float[] b;
        int b0;
        int ldb;
        float[] bias;
        int bias0;

        void b(float[] values, int offset, int rowStride) {
            b = values;
            b0 = offset;
            ldb = rowStride;
        }

        void bias(float[] values, int offset) {
            bias = values;
            bias0 = offset;
        }
    }

    /** For tiles of at most {@code tileRows} rows (MR, or 2·MR where there are paired tiles) by {@code nr}. */
    GemmWorkspace(int tileRows, int nr) {
        tile = new float[tileRows * nr];
        edgeBias = new float[nr];
    }

    /**
     * {@link #packedB} with room for a block of {@code size} floats from a cache line on (a line of slack), and
     * {@link #packedB0} set to where that block starts ({@link CacheLines}). Asked for each block: the collector may
     * have moved the buffer since the last.
     */
    float[] packedBlock(int size) {
        float[] pb = packedB(size + CacheLines.LINE_FLOATS);
        packedB0 = CacheLines.firstIndexOnLine(packedBSegment);
        return pb;
    }

    /** {@link #packedB} with room for {@code size} floats. */
    float[] packedB(int size) {
        if (packedB.length < size) {
            packedB = new float[size];
            packedBSegment = MemorySegment.ofArray(packedB);
        }
        return packedB;
    }

    /** {@link #packedA} with room for {@code size} floats. */
    float[] packedA(int size) {
        if (packedA.length < size) {
            packedA = new float[size];
        }
        return packedA;
    }

    /** {@link #edgeA} with room for {@code size} floats. */
    float[] edgeA(int size) {
        if (edgeA.length < size) {
            edgeA = new float[size];
        }
        return edgeA;
    }
}
