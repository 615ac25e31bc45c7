package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link InputRange}: taken from data, and when other data lies far outside it. */
class InputRangeTest {

    @Test
    void theRangeOfTheFiniteValues() {
        assertEquals(new InputRange(-2f, 7f), InputRange.of(new float[] {3, -2, Float.NaN, 7, Float.NEGATIVE_INFINITY}));
        assertNull(InputRange.of(new float[] {Float.NaN}));
        assertNull(InputRange.of(new float[0]));
        assertThrows(IllegalArgumentException.class, () -> new InputRange(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new InputRange(0, Float.POSITIVE_INFINITY));
    }

    @Test
    void farOutsideMeansMoreThanTenSpansBeyond() {
        InputRange pixels = new InputRange(0, 1);
        assertTrue(pixels.farOutside(new InputRange(0, 255)), "raw pixels against pixels / 255");
        assertFalse(pixels.farOutside(new InputRange(-0.2f, 1.3f)), "new data a little beyond");
        assertFalse(pixels.farOutside(new InputRange(0, 11)), "ten spans: not yet");
        assertTrue(pixels.farOutside(new InputRange(-10.5f, 1)), "below as well");
        InputRange standardized = new InputRange(-3, 5);
        assertFalse(standardized.farOutside(new InputRange(-40, 60)));
        assertTrue(standardized.farOutside(new InputRange(0, 255)));
        // a constant training input (span 0) counts a span of 1
        InputRange constant = new InputRange(4, 4);
        assertFalse(constant.farOutside(new InputRange(0, 14)));
        assertTrue(constant.farOutside(new InputRange(0, 14.5f)));
    }
}
