package dev.myelin.core;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * The test side's copy of the engine's blocking ({@code dev.myelin.core.simd.BlockSizes}, the register tile
 * of each width from {@code RegisterTile}) and of
 * {@code ParallelKernel.MIN_FLOPS}, read by reflection when this class loads. The engine tests build their
 * shapes from these values (MR − 1, KC + 1, ...), so a retuning of the block sizes moves the shapes with it;
 * reading them at run time, rather than through a compile-time constant, also keeps a test class compiled
 * before the retuning from testing stale boundaries.
 */
final class EngineBlocks {

    private static final String BLOCK_SIZES = "dev.myelin.core.simd.BlockSizes";
    private static final String REGISTER_TILE = "dev.myelin.core.simd.RegisterTile";
    private static final String PARALLEL = "dev.myelin.core.simd.ParallelKernel";

    /** Depth of a k block. */
    static final int KC = intConstant(BLOCK_SIZES, "KC");

    /** Forward and input gradient with at most this many rows take the unpacked {@code vector} path. */
    static final int SMALL_ROWS = intConstant(BLOCK_SIZES, "SMALL_ROWS");
    /** Columns of a packed B block. */
    static final int NC = intConstant(BLOCK_SIZES, "NC");
    /** Below 2·m·n·k flops the parallel kernel runs on the calling thread alone. */
    static final long MIN_FLOPS = constant(PARALLEL, "MIN_FLOPS").longValue();
    /**
     * With at most this many rows the engine reads a row-major B in place instead of packing it
     * ({@code PackedGemm.IN_PLACE_B_MAX_ROWS}); 0 when the engine has no such path (the field is gone).
     */
    static final int IN_PLACE_B_MAX_ROWS = optionalIntConstant("dev.myelin.core.simd.PackedGemm",
            "IN_PLACE_B_MAX_ROWS");

    private EngineBlocks() {
    }

    /** Rows of the register tile (MR) for vectors of {@code lanes} floats. */
    static int mr(int lanes) {
        return tileComponent(lanes, "rows");
    }

    /** Rows of C a narrow panel takes at once ({@code PackedGemm.thinKernel}) for vectors of {@code lanes} floats. */
    static int thinRows(int lanes) {
        return tileComponent(lanes, "thinRows");
    }

    /** Columns of the register tile (NR = vectors · lanes) for vectors of {@code lanes} floats. */
    static int nr(int lanes) {
        return tileComponent(lanes, "vectors") * lanes;
    }

    /**
     * A tall row count, 32 register tiles (192 at MR 6): the engine has no row block (A is read in place),
     * so the shapes around it test long runs of row tiles with an edge tile after them.
     */
    static int tall(int lanes) {
        return 32 * mr(lanes);
    }

    /** The thread count and direction {@code ParallelKernel.gemm} picks: see {@link #plan}. */
    record Plan(int parts, boolean byColumns) {

        @Override
        public String toString() {
            return parts < 2 ? "one thread" : parts + " " + (byColumns ? "column" : "row") + " slices";
        }
    }

    /**
     * A model of {@code ParallelKernel.gemm}'s partition for a GEMM of {@code m×n×k} on {@code threads} threads
     * with the register tiles of vectors of {@code lanes} floats: by columns when there are at least as many column tiles as threads
     * or as row tiles, else by rows; one thread below {@link #MIN_FLOPS}. Used only to choose and check the
     * shapes of the thread tests (that each direction really runs): when the rule is retuned, update this
     * model and, if a coverage check fails, the shapes.
     */
    static Plan plan(int m, int n, int k, int lanes, int threads) {
        int nr = nr(lanes), mr = mr(lanes);
        int colTiles = (n + nr - 1) / nr;
        int rowTiles = (m + mr - 1) / mr;
        boolean byColumns = colTiles >= threads || colTiles >= rowTiles;
        int parts = Math.min(threads, byColumns ? colTiles : rowTiles);
        if (2L * m * n * Math.max(k, 1) < MIN_FLOPS) {
            parts = 1;
        }
        return new Plan(parts, byColumns);
    }

    /** {@code RegisterTile.forLanes(lanes).<component>()}, the engine's tile for that width. */
    private static int tileComponent(int lanes, String component) {
        try {
            Class<?> tile = Class.forName(REGISTER_TILE);
            Method forLanes = tile.getDeclaredMethod("forLanes", int.class);
            forLanes.setAccessible(true);
            Method get = tile.getDeclaredMethod(component);
            get.setAccessible(true);
            return (Integer) get.invoke(forLanes.invoke(null, lanes));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + REGISTER_TILE + ".forLanes(" + lanes + ")."
                    + component + "() (renamed? update " + EngineBlocks.class.getSimpleName() + ")", e);
        }
    }

    private static int optionalIntConstant(String className, String field) {
        try {
            Class.forName(className).getDeclaredField(field);
        } catch (ReflectiveOperationException e) {
            return 0;
        }
        return intConstant(className, field);
    }

    private static int intConstant(String className, String field) {
        return constant(className, field).intValue();
    }

    private static Number constant(String className, String field) {
        try {
            Field f = Class.forName(className).getDeclaredField(field);
            f.setAccessible(true);
            return (Number) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + className + "." + field + " (renamed? update "
                    + EngineBlocks.class.getSimpleName() + ")", e);
        }
    }
}
