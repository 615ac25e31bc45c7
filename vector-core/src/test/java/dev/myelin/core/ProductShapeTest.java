package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProductShapeTest {

    @Test
    void theThreeSeparatorsReadTheSameAndTheTextComesBack() {
        ProductShape shape = new ProductShape(128, 784, 256);
        for (String text : new String[] {"128x784x256", "128×784×256", "128X784X256", "128x784×256"}) {
            assertEquals(shape, ProductShape.parse(text), text);
        }
        assertEquals("128x784x256", shape.toString());
        assertEquals(shape, ProductShape.parse(shape.toString()));
        assertEquals(2.0 * 128 * 784 * 256, shape.flops());
        assertEquals(new ProductShape(1, 1, 1), ProductShape.parse("1x1x1"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "128x784|'128x784' is not m×k×n (three positive integers, e.g. 128x784x256)",
        "2x3x4x5|'2x3x4x5' is not m×k×n (three positive integers, e.g. 128x784x256)",
        "-3x4x5|'-3x4x5' is not m×k×n (three positive integers, e.g. 128x784x256)",
        "3 x4x5|'3 x4x5' is not m×k×n (three positive integers, e.g. 128x784x256)",
        "axbxc|'axbxc' is not m×k×n (three positive integers, e.g. 128x784x256)",
        "0x3x4|'0x3x4': m is 0, every size must be at least 1",
        "3x0x4|'3x0x4': k is 0, every size must be at least 1",
        "3x4x0|'3x4x0': n is 0, every size must be at least 1",
        "100000x100000x1|'100000x100000x1' is too large: X would have 100000×100000 elements, a Java array holds at"
                + " most 2147483639",
        "1x100000x100000|'1x100000x100000' is too large: W would have 100000×100000 elements, a Java array holds at"
                + " most 2147483639",
        "100000x1x100000|'100000x1x100000' is too large: Y would have 100000×100000 elements, a Java array holds at"
                + " most 2147483639",
        // more digits than a long holds: the size as written, not a clamped one
        "99999999999999999999x1x1|'99999999999999999999x1x1' is too large: m is 99999999999999999999, a Java array"
                + " holds at most 2147483639 elements",
        "1x1x123456789012345678901|'1x1x123456789012345678901' is too large: n is 123456789012345678901, a Java"
                + " array holds at most 2147483639 elements",
    })
    void aBadShapeIsRefusedSayingWhy(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProductShape.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void theConstructorChecksAsParseDoes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProductShape(4, -1, 2));
        assertEquals("'4x-1x2': k is -1, every size must be at least 1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ProductShape(65536, 65536, 1));
        assertEquals("'65536x65536x1' is too large: X would have 65536×65536 elements, a Java array holds at most"
                + " 2147483639", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ProductShape.parse(null));
        assertEquals("the shape is null; expected m×k×n, e.g. 128x784x256", e.getMessage());
    }
}
