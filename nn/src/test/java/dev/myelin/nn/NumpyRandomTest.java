package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link NumpyRandom} against numbers printed by numpy itself (numpy 2.4.6, legacy {@code np.random} API); each
 * expected array says the command that produced it. Doubles are compared exactly: the stream must be bit-exact.
 */
class NumpyRandomTest {

    private static double[] draw(long seed, int count) {
        return draw(new NumpyRandom(seed), count);
    }

    @Test
    void seed42MatchesNumpy() {
        // python3 -c "import numpy as np; np.random.seed(42); print(repr(np.random.rand(5).tolist()))"
        double[] numpy = {0.3745401188473625, 0.9507143064099162, 0.7319939418114051, 0.5986584841970366,
                0.15601864044243652};
        assertArrayEquals(numpy, draw(42, 5));
    }

    @Test
    void seed0MatchesNumpy() {
        // python3 -c "import numpy as np; np.random.seed(0); print(repr(np.random.rand(5).tolist()))"
        double[] numpy = {0.5488135039273248, 0.7151893663724195, 0.6027633760716439, 0.5448831829968969,
                0.4236547993389047};
        assertArrayEquals(numpy, draw(0, 5));
    }

    @Test
    void largestSeedMatchesNumpy() {
        // python3 -c "import numpy as np; np.random.seed(4294967295); print(repr(np.random.rand(5).tolist()))"
        double[] numpy = {0.0976320289940138, 0.9123828453026218, 0.78903530185164, 0.7800035981134678,
                0.01793967398674523};
        assertArrayEquals(numpy, draw(4294967295L, 5));
    }

    @Test
    void streamStaysExactPastTheStateRegenerations() {
        // 624 words are used up after 312 doubles, so the last of 1000 draws come from the third regenerated state.
        // python3 -c "import numpy as np; np.random.seed(42); print(repr(np.random.rand(1000)[-3:].tolist()))"
        double[] numpy = {0.1368186309189614, 0.9502373538208024, 0.44600577295795574};
        double[] ours = draw(42, 1000);
        assertArrayEquals(numpy, java.util.Arrays.copyOfRange(ours, 997, 1000));
    }

    @Test
    void shuffleThenDoublesContinueTheSameStream() {
        // python3 -c "import numpy as np; np.random.seed(123); print(repr(np.random.permutation(7).tolist()),
        //   repr(np.random.rand(2).tolist()))"   -> [1, 3, 4, 0, 2, 5, 6] [0.719150310154773, 0.49111893343259727]
        NumpyRandom r = new NumpyRandom(123);
        int[] perm = {0, 1, 2, 3, 4, 5, 6};
        r.shuffle(perm);
        assertArrayEquals(new int[] {1, 3, 4, 0, 2, 5, 6}, perm);
        assertEquals(0.719150310154773, r.nextDouble());
        assertEquals(0.49111893343259727, r.nextDouble());
    }

    @Test
    void permutationsPerEpochMatchNumpy() {
        // python3 -c "import numpy as np; np.random.seed(42);
        //   print([np.random.permutation(10).tolist() for _ in range(3)])"
        int[][] numpy = {{8, 1, 5, 0, 7, 2, 9, 4, 3, 6}, {0, 1, 8, 5, 3, 4, 7, 9, 6, 2},
                {9, 2, 0, 6, 8, 5, 3, 7, 1, 4}};
        NumpyRandom r = new NumpyRandom(42);
        for (int[] expected : numpy) {
            int[] a = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
            r.shuffle(a);
            assertArrayEquals(expected, a);
        }
    }

    @Test
    void nextIntMatchesNumpyRandint() {
        // python3 -c "import numpy as np; np.random.seed(5); print([int(np.random.randint(1000)) for _ in range(5)])"
        // python3 -c "import numpy as np; np.random.seed(5); print([int(np.random.randint(6)) for _ in range(8)])"
        NumpyRandom r = new NumpyRandom(5);
        int[] big = new int[5];
        for (int i = 0; i < big.length; i++) {
            big[i] = r.nextInt(1000);
        }
        assertArrayEquals(new int[] {867, 206, 701, 998, 118}, big);
        r = new NumpyRandom(5);
        int[] small = new int[8];
        for (int i = 0; i < small.length; i++) {
            small[i] = r.nextInt(6);
        }
        assertArrayEquals(new int[] {3, 5, 0, 1, 0, 4, 3, 0}, small);
    }

    @Test
    void seedsOutsideNumpysRangeAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NumpyRandom(-1));
        assertTrue(e.getMessage().contains("4294967295"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NumpyRandom(1L << 32));
        assertThrows(IllegalArgumentException.class, () -> new NumpyRandom(1).nextInt(0));
    }

    @Test
    void stateMatchesNumpysGetStateAndRestoresTheStream() {
        // python3 -c "import numpy as np; np.random.seed(42); np.random.rand(3); s = np.random.get_state();
        //             print(s[1][:3].tolist(), s[1][623], s[2])"  →  [723970371, 1229153189, 4170412009] 4088152671 6
        NumpyRandom r = new NumpyRandom(42);
        draw(r, 3);
        NumpyRandom.State s = r.state();
        assertEquals(6, s.position());
        assertEquals(723970371, s.key()[0]);
        assertEquals(1229153189, s.key()[1]);
        assertEquals((int) 4170412009L, s.key()[2]);
        assertEquals((int) 4088152671L, s.key()[623]);

        double[] straight = draw(r, 700); // crosses a regeneration of the 624 words
        NumpyRandom other = new NumpyRandom(7);
        other.restore(s);
        assertArrayEquals(straight, draw(other, 700));
        s.key()[0] = 0; // key() hands out a copy: the state cannot be changed from outside
        assertEquals(723970371, s.key()[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NumpyRandom.State(new int[3], 0));
        assertEquals("a numpy random state has 624 key words, got 3", e.getMessage());
    }

    private static double[] draw(NumpyRandom r, int count) {
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = r.nextDouble();
        }
        return out;
    }
}
