package dev.myelin.core.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.ErrorBounds;
import dev.myelin.core.scalar.ScalarKernel;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packed B panels may start at any index of the packing buffer ({@link CacheLines}: where a cache line starts,
 * which depends on where the collector put the buffer), and every start gives the same bits. Each start 0–15 is
 * forced in turn ({@link CacheLines#forcedIndex}) for the three products, at every vector width, on shapes with
 * several k blocks (k = 300, 784), two column blocks (n = 600), partial and narrow panels (n = 70, 10, 33) and edge
 * rows; the outputs must equal the ones computed where the buffers lie, bit for bit, and that one must agree with the
 * scalar kernel within {@link ErrorBounds}' stated bounds (so that the bits compared are a product's, not a shared
 * mistake).
 */
class PanelStartTest {

    /** {m, k, n} of a layer: X is m×k, W k×n. */
    static final int[][] SHAPES = {
        {64, 300, 70}, {130, 784, 256}, {40, 33, 10}, {300, 64, 600}, {29, 100, 33}, {64, 100, 14}, {200, 40, 48},
    };

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (int bits : new int[] {128, 256, 512}) {
            for (int[] s : SHAPES) {
                for (String product : new String[] {"forward", "weight gradient", "input gradient"}) {
                    cases.add(Arguments.of(bits, product, s[0], s[1], s[2]));
                }
            }
        }
        return cases.stream();
    }

    @AfterEach
    void lineUpAgain() {
        CacheLines.forcedIndex = -1;
    }

    @ParameterizedTest(name = "{0}-bit {1} m={2} k={3} n={4}")
    @MethodSource("cases")
    void everyStartOfThePanelsGivesTheSameBits(int bits, String product, int m, int k, int n) {
        DenseKernel kernel = new BlockedKernel(bits);
        Random r = new Random(31L * m + 17L * k + n + bits);
        float[] x = random(r, m * k, 1f);
        float[] w = random(r, k * n, 0.1f);
        float[] bias = random(r, n, 1f);
        float[] dz = random(r, m * n, 1f);
        CacheLines.forcedIndex = -1;
        float[] expected = run(kernel, product, m, k, n, x, w, bias, dz);
        float[] scalar = run(new ScalarKernel(), product, m, k, n, x, w, bias, dz);
        double[] allowed = switch (product) {
            case "forward" -> ErrorBounds.forward(m, n, k, x, w, bias, Activation.SIGMOID, scalar);
            case "weight gradient" -> ErrorBounds.weightGradient(m, n, k, x, dz, null);
            default -> ErrorBounds.inputGradient(m, n, k, dz, w, null);
        };
        int cols = product.equals("input gradient") ? k : n;
        String far = ErrorBounds.disagreement(product, cols, scalar, expected, allowed);
        assertNull(far, () -> bits + "-bit m=" + m + " k=" + k + " n=" + n + " against the scalar kernel: " + far);
        for (int start = 0; start < CacheLines.LINE_FLOATS; start++) {
            CacheLines.forcedIndex = start;
            float[] actual = run(kernel, product, m, k, n, x, w, bias, dz);
            for (int i = 0; i < expected.length; i++) {
                if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                    throw new AssertionError(bits + "-bit " + product + " m=" + m + " k=" + k + " n=" + n
                            + " with the panels from index " + start + ": element " + i + " is " + actual[i]
                            + ", where the buffer lies " + expected[i]);
                }
            }
        }
    }

    /** The runs above take the lined-up path that training takes, not only the forced one. */
    @Test
    void theTestJvmLetsTheEngineSeeAddresses() {
        assertTrue(CacheLines.enabled(), "the tests' JVM runs without native access (the parent pom's "
                + "myelin.runArgs): the panels would start where the buffer does, untested");
        int first = CacheLines.firstIndexOnLine(MemorySegment.ofArray(new float[100]));
        assertTrue(first >= 0 && first < CacheLines.LINE_FLOATS, "first index on a line: " + first);
    }

    /** The index is the one up to the next line, not back to the last (or the address's own offset in a line). */
    @Test
    void theIndexLeadsToTheNextLine() {
        assertEquals(0, CacheLines.indexOnLine(0x7f00_1000L));
        assertEquals(12, CacheLines.indexOnLine(0x7f00_1010L)); // 16 bytes into a line: 48 to the next
        assertEquals(1, CacheLines.indexOnLine(0x7f00_103cL)); // 60 bytes in: one float to go
        assertEquals(14, CacheLines.indexOnLine(0x1008L));
        for (long address = 0x4000; address < 0x4000 + 4 * 64; address += 4) {
            long onLine = address + (long) Float.BYTES * CacheLines.indexOnLine(address);
            assertEquals(0, onLine % CacheLines.LINE_BYTES, "from " + Long.toHexString(address));
            assertTrue(onLine - address < CacheLines.LINE_BYTES, "from " + Long.toHexString(address));
        }
    }

    private static float[] run(DenseKernel kernel, String product, int m, int k, int n, float[] x, float[] w,
                               float[] bias, float[] dz) {
        switch (product) {
            case "forward" -> {
                float[] y = new float[m * n];
                kernel.forward(m, n, k, x, 0, k, w, 0, n, bias, 0, Activation.SIGMOID, y, 0, n);
                return y;
            }
            case "weight gradient" -> {
                float[] dw = new float[k * n];
                kernel.weightGradient(m, n, k, x, 0, k, dz, 0, n, dw, 0, n, false);
                return dw;
            }
            default -> {
                float[] dx = new float[m * k];
                kernel.inputGradient(m, n, k, dz, 0, n, w, 0, n, dx, 0, k);
                return dx;
            }
        }
    }

    private static float[] random(Random r, int size, float scale) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (r.nextFloat() * 2 - 1) * scale;
        }
        return a;
    }
}
