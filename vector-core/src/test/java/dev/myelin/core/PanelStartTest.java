package dev.myelin.core;

import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.PanelStarts;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packed B panels may start at any index of the packing buffer (where a cache line starts, which depends on
 * where the collector put the buffer: {@code simd.CacheLines}), and every start gives the same bits. Each start 0–15
 * is forced in turn ({@link PanelStarts}) for the three products, at every vector width, on shapes with several k
 * blocks (k = 300, 784), two column blocks (n = 600), partial and narrow panels (n = 70, 33, 14, 10) and edge rows;
 * the outputs must equal the ones computed where the buffers lie, bit for bit. One start off the line is also put
 * through the conformance check ({@link Conformance}: the double reference within its stated bound, the scalar
 * kernel, the cells around the output), so that the bits compared are a product's, not a shared mistake.
 */
class PanelStartTest {

    /** {m, k, n} of a layer: X is m×k, W k×n. */
    static final int[][] SHAPES = {
        {64, 300, 70}, {130, 784, 256}, {40, 33, 10}, {300, 64, 600}, {29, 100, 33}, {64, 100, 14}, {200, 40, 48},
    };

    /** The start put through the conformance check: neither 0 nor a multiple of a vector's floats. */
    static final int CHECKED_START = 5;

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
        PanelStarts.release();
    }

    @ParameterizedTest(name = "{0}-bit {1} m={2} k={3} n={4}")
    @MethodSource("cases")
    void everyStartOfThePanelsGivesTheSameBits(int bits, String product, int m, int k, int n) {
        DenseKernel kernel = new BlockedKernel(bits);
        Random r = new Random(31L * m + 17L * k + n + bits);
        Mat x = Mat.strided(m, k, 0, 0).random(r, -1, 1);
        Mat w = Mat.strided(k, n, 0, 0).random(r, -0.1f, 0.1f);
        Mat bias = Mat.strided(1, n, 0, 0).random(r, -1, 1);
        Mat dz = Mat.strided(m, n, 0, 0).random(r, -1, 1);
        Mat expected = run(kernel, product, x, w, bias, dz);
        for (int start = 0; start < PanelStarts.COUNT; start++) {
            PanelStarts.force(start);
            run(kernel, product, x, w, bias, dz).assertSameBits(expected, bits + "-bit " + product + " m=" + m
                    + " k=" + k + " n=" + n + " with the panels from index " + start + ", against where the buffer"
                    + " lies");
        }
        PanelStarts.force(CHECKED_START);
        Conformance.Case c = new Conformance.Case(m, n, k, 31L * m + k, Mat.Layout.GUARDED);
        switch (product) {
            case "forward" -> Conformance.forward(kernel, c, Activation.SIGMOID, true);
            case "weight gradient" -> Conformance.weightGradient(kernel, c, false);
            default -> Conformance.inputGradient(kernel, c);
        }
    }

    private static Mat run(DenseKernel kernel, String product, Mat x, Mat w, Mat bias, Mat dz) {
        int m = x.rows, k = x.cols, n = w.cols;
        switch (product) {
            case "forward" -> {
                Mat y = Mat.strided(m, n, 0, 0).fill(Float.NaN);
                kernel.forward(m, n, k, x.a, x.off, x.ld, w.a, w.off, w.ld, bias.a, bias.off, Activation.SIGMOID,
                        y.a, y.off, y.ld);
                return y;
            }
            case "weight gradient" -> {
                Mat dw = Mat.strided(k, n, 0, 0).fill(Float.NaN);
                kernel.weightGradient(m, n, k, x.a, x.off, x.ld, dz.a, dz.off, dz.ld, dw.a, dw.off, dw.ld, false);
                return dw;
            }
            default -> {
                Mat dx = Mat.strided(m, k, 0, 0).fill(Float.NaN);
                kernel.inputGradient(m, n, k, dz.a, dz.off, dz.ld, w.a, w.off, w.ld, dx.a, dx.off, dx.ld);
                return dx;
            }
        }
    }
}
