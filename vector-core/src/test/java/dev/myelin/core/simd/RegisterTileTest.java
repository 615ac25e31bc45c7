package dev.myelin.core.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The tiles per width, and the paired tile's preconditions: PackedGemm's packColumns copies a column's rows with
 * one vector, and its one paired kernel is 2·MR rows of two vectors, so a table row that broke either would give
 * wrong results (rows never packed), not an error, without these checks.
 */
class RegisterTileTest {

    @Test
    void pairedTilesOnlyWhereALaneHoldsEveryRowOfTheirPanel() {
        assertEquals(12, RegisterTile.forLanes(16).pairedRows());
        assertEquals(0, RegisterTile.forLanes(8).pairedRows());
        assertEquals(0, RegisterTile.forLanes(4).pairedRows());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RegisterTile(4, 3, 8, 8));
        assertEquals("paired tiles are 2 × 4 rows of 2 vectors, not 8 rows of 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RegisterTile(6, 2, 8, 10));
    }
}
