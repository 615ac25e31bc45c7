package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.core.simd.BlockedKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API softmax takes its rows in an order chosen for speed (rows a vector apart, sums four rows at a
 * time: FloatKernels' softmaxRows); whatever the order, each row must come out as it does alone. At every width,
 * for row counts around the groups of four and row lengths around a vector (so that one, two and sixteen rows
 * fill a vector), with row strides past n: every row of a call has the bits of that row in a call of its own,
 * the cells between rows are left as they were, and a NaN row is NaN without touching its neighbours.
 */
class SoftmaxRowsOrderTest {

    static final int[] ROWS = {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 41};
    static final int[] COLUMNS = {1, 2, 3, 5, 7, 8, 10, 15, 16, 17, 31, 33, 100};

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (int bits : EngineWidthBitsTest.WIDTHS) {
            for (int n : COLUMNS) {
                for (int gap : new int[] {0, 1, 7}) {
                    cases.add(Arguments.of(bits, n, gap));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} bits n={1} ldz=n+{2}")
    @MethodSource("cases")
    void everyRowHasItsOwnBitsWhateverTheOrder(int bits, int n, int gap) {
        DenseOps ops = DenseOps.of(new BlockedKernel(bits));
        int ldz = n + gap;
        float guard = 12345.5f;
        Random random = new Random(97L * n + 13L * gap + bits);
        for (int m : ROWS) {
            float[] z = new float[3 + m * ldz];
            java.util.Arrays.fill(z, guard);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    z[3 + i * ldz + j] = (float) (random.nextGaussian() * 6);
                }
            }
            int nanRow = m > 2 ? m / 2 : -1;
            if (nanRow >= 0) {
                z[3 + nanRow * ldz + n / 2] = Float.NaN;
            }
            float[] alone = z.clone();
            for (int i = 0; i < m; i++) {
                ops.softmaxRows(1, n, alone, 3 + i * ldz, ldz);
            }
            ops.softmaxRows(m, n, z, 3, ldz);
            for (int p = 0; p < z.length; p++) {
                int i = (p - 3) / ldz;
                int j = (p - 3) % ldz;
                boolean cell = p >= 3 && j < n;
                if (!cell) {
                    assertEquals(guard, z[p], "m=" + m + ": the cell at " + p + " between rows was written");
                } else if (i == nanRow) {
                    assertEquals(Float.NaN, z[p], "m=" + m + ": row " + i + " holds a NaN, so all of it is NaN");
                } else if (Float.floatToRawIntBits(z[p]) != Float.floatToRawIntBits(alone[p])) {
                    fail("m=" + m + ": row " + i + " column " + j + " is " + z[p] + " in a call of " + m
                            + " rows but " + alone[p] + " alone");
                }
            }
        }
    }
}
