package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.myelin.core.simd.BlockedKernel;
import dev.myelin.core.simd.ParallelKernel;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The elementwise parts of a step on {@code parallel}'s threads: {@link DenseKernel#parallelFor} runs every index
 * exactly once in ranges of at least the grain, and the column-split activation backward (dZ with db) gives the
 * bits of one thread, for 1, 2, 3 and 8 threads, every activation, db overwritten, accumulated or absent, on views
 * at odd offsets and strides whose guard cells must survive.
 */
class ParallelElementwiseTest {

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3, 8})
    void parallelForRunsEveryIndexOnce(int threads) {
        DenseOps ops = DenseOps.of(new ParallelKernel(0, threads));
        for (int n : new int[] {0, 1, 31, 32, 64, 65, 128, 1000}) {
            for (int grain : new int[] {1, 16, 32}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
                int[] smallest = {Integer.MAX_VALUE};
                int[] ranges = {0};
                ops.parallelFor(n, grain, (from, to) -> {
                    synchronized (smallest) {
                        smallest[0] = Math.min(smallest[0], to - from);
                        ranges[0]++;
                    }
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "n=" + n + " grain=" + grain + ": index " + i);
                }
                if (ranges[0] > 1) {
                    assertEquals(true, smallest[0] >= grain, "n=" + n + ": a range of " + smallest[0]
                            + " < grain " + grain);
                }
                assertEquals(true, ranges[0] <= Math.max(1, threads), ranges[0] + " ranges for " + threads + " threads");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ops.parallelFor(-1, 1, (a, b) -> { }));
        assertThrows(IllegalArgumentException.class, () -> ops.parallelFor(4, 0, (a, b) -> { }));
        assertThrows(NullPointerException.class, () -> ops.parallelFor(4, 1, null));
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3, 8})
    void columnSplitActivationBackwardGivesTheBitsOfOneThread(int threads) {
        ParallelKernel parallel = new ParallelKernel(0, threads);
        BlockedKernel blocked = new BlockedKernel(0);
        int[][] shapes = {{130, 257}, {128, 128}, {200, 100}, {64, 1000}, {17, 1001}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1];
            for (Activation act : new Activation[] {Activation.SIGMOID, Activation.TANH, Activation.RELU,
                    Activation.IDENTITY}) {
                for (int dbMode = 0; dbMode < 3; dbMode++) { // overwrite, accumulate, no db
                    Random r = new Random(31L * m + n + act.ordinal() + 7L * dbMode);
                    Mat y = Mat.strided(m, n, 3, 5).random(r, 0.01f, 0.99f);
                    Mat dy = Mat.strided(m, n, 1, 2).random(r, -1f, 1f);
                    Mat db = Mat.strided(1, n, 2, 3).random(r, -1f, 1f);
                    Mat dzP = Mat.strided(m, n, 4, 7).fill(Float.NaN), dzB = dzP.copy();
                    Mat dbP = db.copy(), dbB = db.copy();
                    boolean accumulate = dbMode == 1;
                    boolean withDb = dbMode < 2;
                    parallel.activationBackward(m, n, act, y.a, y.off, y.ld, dy.a, dy.off, dy.ld, dzP.a, dzP.off,
                            dzP.ld, withDb ? dbP.a : null, dbP.off, accumulate);
                    blocked.activationBackward(m, n, act, y.a, y.off, y.ld, dy.a, dy.off, dy.ld, dzB.a, dzB.off,
                            dzB.ld, withDb ? dbB.a : null, dbB.off, accumulate);
                    String what = parallel.describe() + " " + act + " " + m + "×" + n + " db mode " + dbMode;
                    dzP.assertSameBits(dzB, what + ", dZ");
                    dbP.assertSameBits(dbB, what + ", db");
                    dzP.assertOutsideUnchanged(Mat.strided(m, n, 4, 7).fill(Float.NaN), what + ", guards of dZ");
                    dbP.assertOutsideUnchanged(db, what + ", guards of db");
                }
            }
        }
    }
}
