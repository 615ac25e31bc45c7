package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every variant × a seeded set of shapes × both layouts (tight arrays, and views at an offset with a
 * larger row stride inside sentinel-filled arrays), every operation and activation, against the double
 * reference and the scalar kernel with the bounds stated in {@link Conformance}. Failure messages carry
 * the variant, shape, seed and layout.
 */
class KernelConformanceTest {

    /** Sizes around every lane count (4, 8, 16) and tile size (4 rows, 2 vectors): below, at, above. */
    static final int[] SIZES = {1, 2, 3, 7, 15, 16, 17, 31, 33, 64, 65, 100};

    static final long SHAPE_SEED = 20_261_129L;

    /**
     * Two rounds of three independent seeded permutations of {@link #SIZES}, zipped into (m, n, k): every
     * size appears twice as m, twice as n and twice as k, in varied combinations. Plus the all-ones shape.
     */
    static List<int[]> shapes() {
        Random r = new Random(SHAPE_SEED);
        List<int[]> shapes = new ArrayList<>();
        shapes.add(new int[] {1, 1, 1});
        for (int round = 0; round < 2; round++) {
            List<Integer> ms = shuffled(r), ns = shuffled(r), ks = shuffled(r);
            for (int t = 0; t < SIZES.length; t++) {
                shapes.add(new int[] {ms.get(t), ns.get(t), ks.get(t)});
            }
        }
        return shapes;
    }

    private static List<Integer> shuffled(Random r) {
        List<Integer> sizes = new ArrayList<>();
        for (int s : SIZES) {
            sizes.add(s);
        }
        Collections.shuffle(sizes, r);
        return sizes;
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Named<DenseKernel> variant : Variants.all()) {
            for (int[] s : shapes()) {
                for (Mat.Layout layout : Mat.Layout.values()) {
                    long seed = SHAPE_SEED + 1_000_003L * s[0] + 1_009L * s[1] + s[2];
                    cases.add(Arguments.of(variant, new Conformance.Case(s[0], s[1], s[2], seed, layout)));
                }
            }
        }
        return cases.stream();
    }

    @Test
    void everySizeAppearsInEveryPosition() {
        Set<Integer> expected = new TreeSet<>();
        for (int s : SIZES) {
            expected.add(s);
        }
        for (int position = 0; position < 3; position++) {
            Set<Integer> seen = new TreeSet<>();
            for (int[] s : shapes()) {
                seen.add(s[position]);
            }
            assertEquals(expected, seen, "sizes seen as " + "mnk".charAt(position));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void forward(DenseKernel kernel, Conformance.Case c) {
        for (Activation act : elementwise()) {
            Conformance.forward(kernel, c, act, true);
        }
        Conformance.forward(kernel, c, Activation.IDENTITY, false);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void activationBackward(DenseKernel kernel, Conformance.Case c) {
        for (Activation act : elementwise()) {
            Conformance.activationBackward(kernel, c, act, true, false);
            Conformance.activationBackward(kernel, c, act, true, true);
        }
        Conformance.activationBackward(kernel, c, Activation.SIGMOID, false, false);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void weightGradient(DenseKernel kernel, Conformance.Case c) {
        Conformance.weightGradient(kernel, c, false);
        Conformance.weightGradient(kernel, c, true);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void inputGradient(DenseKernel kernel, Conformance.Case c) {
        Conformance.inputGradient(kernel, c);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void outputHeads(DenseKernel kernel, Conformance.Case c) {
        Conformance.outputMinusTarget(kernel, c, false);
        Conformance.outputMinusTarget(kernel, c, true);
        Conformance.softmaxCrossEntropyBackward(kernel, c, false);
        Conformance.softmaxCrossEntropyBackward(kernel, c, true);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void softmaxRows(DenseKernel kernel, Conformance.Case c) {
        Conformance.softmaxRows(kernel, c);
    }

    static List<Activation> elementwise() {
        return Stream.of(Activation.values()).filter(Activation::isElementwise).toList();
    }
}
