package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link PythonFloat#repr} against Python itself: python-float-repr.txt holds 3 029 doubles with Python's repr of
 * each (python-float-repr.py beside it wrote them): the edge cases of the layout (1e-05 against 0.0001, 1e+16
 * against 1000000000000000.0, subnormals, signed zeros, nan, inf), random bit patterns, decimal magnitudes and
 * float32 values.
 */
class PythonFloatTest {

    @Test
    void everyDoubleIsWrittenAsPythonWritesIt() throws IOException {
        assertEveryLine("/python-float-repr.txt",
                hex -> PythonFloat.repr(Double.longBitsToDouble(Long.parseUnsignedLong(hex, 16))));
    }

    /**
     * {@link PythonFloat#repr(float)} against numpy: numpy-float32-str.txt holds 3 023 floats with numpy's str of
     * each (numpy-float32-str.py wrote them), the layout's edges (1e-04 for the float just below 10⁻⁴, 1e+16),
     * subnormals, the largest float, random bit patterns and decimal magnitudes. Each finite one reads back to
     * its float.
     */
    @Test
    void everyFloatIsWrittenAsNumpyWritesIt() throws IOException {
        assertEveryLine("/numpy-float32-str.txt", hex -> {
            float v = Float.intBitsToFloat(Integer.parseUnsignedInt(hex, 16));
            String text = PythonFloat.repr(v);
            if (Float.isFinite(v)) {
                assertEquals(Float.floatToIntBits(v), Float.floatToIntBits(Float.parseFloat(text)), "reads back: " + hex);
            }
            return text;
        });
    }

    /**
     * Every line of an oracle file (IEEE bits in hex, then the text; over 3 000 of them, comments left out) against
     * {@code repr} of those bits; both layouts, positional and exponent, must be well covered.
     */
    private static void assertEveryLine(String resource, Function<String, String> repr) throws IOException {
        List<String> lines;
        try (InputStream in = PythonFloatTest.class.getResourceAsStream(resource)) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#")).toList();
        }
        assertTrue(lines.size() > 3000, resource + ": " + lines.size() + " lines");
        int exponents = 0;
        for (String line : lines) {
            String[] parts = line.split(" ");
            assertEquals(parts[1], repr.apply(parts[0]), parts[0]);
            exponents += parts[1].contains("e") ? 1 : 0;
        }
        assertTrue(exponents > 1000 && exponents < lines.size() - 1000, "both layouts well covered: " + exponents);
    }

    @Test
    void theEpochLineOfASmallLossIsPythons() {
        java.io.StringWriter text = new java.io.StringWriter();
        EpochLog log = new EpochLog(new java.io.PrintWriter(text), LogFormat.TEXT, 1, 1, false);
        log.print(new EpochStats(5000, 7.37682811505179E-4, 2.0, 0.01, 4, false, Double.NaN, Double.NaN));
        assertEquals("Epoch 5000, Loss: 0.000737682811505179" + System.lineSeparator(), text.toString());
    }
}
