package dev.myelin.nn;

/**
 * numpy's legacy random stream, bit for bit: the MT19937 generator as seeded by {@code np.random.seed(s)} for
 * an integer {@code s}, and the doubles of {@code np.random.rand} / {@code np.random.random_sample}.
 *
 * <p>Why reproduce numpy rather than use {@link java.util.Random}: the document's program initialises its
 * model with {@code W = np.random.rand(2, 1); b = np.random.rand(1, 1)}. With this generator,
 * {@code myelin train --seed S} starts from the very same W and b as the document's program run after
 * {@code np.random.seed(S)}, so the two trainings can be compared number for number.
 *
 * <p>The algorithm (Matsumoto and Nishimura's {@code mt19937ar.c}, which numpy's {@code RandomState} uses):
 * <ul>
 *   <li>seeding, {@code init_genrand(s)}: {@code mt[0] = s},
 *       {@code mt[i] = 1812433253·(mt[i−1] ⊕ (mt[i−1] >>> 30)) + i} in 32-bit arithmetic, for i in 1..623;</li>
 *   <li>{@code genrand_int32}: regenerate the 624 words when they are used up, then temper each word;</li>
 *   <li>a double in [0, 1) from two 32-bit outputs a, b: {@code ((a >>> 5)·2²⁶ + (b >>> 6)) / 2⁵³}.</li>
 * </ul>
 * Not thread-safe; one instance per thread.
 */
public final class NumpyRandom {

    /** Words of the MT19937 state (numpy's key). */
    static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] mt = new int[N];
    private int mti;

    /** The stream of {@code np.random.seed(seed)}; numpy accepts seeds in [0, 2³²−1] only, and so does this. */
    public NumpyRandom(long seed) {
        if (seed < 0 || seed > 0xffffffffL) {
            throw new IllegalArgumentException("seed must be between 0 and 4294967295 (numpy's rule), got " + seed);
        }
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i; // int arithmetic is mod 2³²
        }
        mti = N;
    }

    /**
     * The generator's state as numpy's {@code get_state()} holds it (its key words and position; this class never
     * caches a Gaussian, so there is nothing more): restoring it continues the stream exactly.
     *
     * @param key      the 624 words of {@code mt}, copied
     * @param position how many of them are used, in [0, 624]
     */
    public record State(int[] key, int position) {
        public State {
            if (key.length != N) {
                throw new IllegalArgumentException("a numpy random state has " + N + " key words, got " + key.length);
            }
            if (position < 0 || position > N) {
                throw new IllegalArgumentException("a numpy random state position must be in [0, " + N + "], got "
                        + position);
            }
            key = key.clone();
        }

        @Override
        public int[] key() {
            return key.clone();
        }
    }

    /** A copy of the current state ({@code np.random.get_state()}). */
    public State state() {
        return new State(mt, mti);
    }

    /**
     * Copies the key words into {@code key} (624 long) and returns the position: {@link #state()} without
     * allocating.
     */
    int saveTo(int[] key) {
        System.arraycopy(mt, 0, key, 0, N);
        return mti;
    }

    /** Continues from {@code saved} ({@code np.random.set_state}). */
    public void restore(State saved) {
        System.arraycopy(saved.key, 0, mt, 0, N);
        mti = saved.position;
    }

    /** The next 32-bit output of MT19937 ({@code genrand_int32}), as an int holding the unsigned bits. */
    public int nextInt32() {
        if (mti >= N) {
            regenerate();
        }
        int y = mt[mti++];
        // tempering
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** {@code np.random.random_sample()}: a double in [0, 1) with 53 random bits, from two 32-bit outputs. */
    public double nextDouble() {
        int a = nextInt32() >>> 5; // 27 bits
        int b = nextInt32() >>> 6; // 26 bits
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /**
     * A uniform integer in [0, bound), by numpy's {@code random_interval(bound − 1)}: draw 32-bit outputs, mask
     * them to the smallest all-ones bit pattern covering {@code bound − 1}, and reject values above it.
     */
    public int nextInt(int bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("bound must be at least 1, got " + bound);
        }
        int max = bound - 1;
        if (max == 0) {
            return 0; // numpy draws nothing in this case, and neither do we
        }
        int mask = max;
        mask |= mask >>> 1;
        mask |= mask >>> 2;
        mask |= mask >>> 4;
        mask |= mask >>> 8;
        mask |= mask >>> 16;
        int value;
        do {
            value = nextInt32() & mask; // mask ≤ 2³¹−1, so value is non-negative
        } while (value > max);
        return value;
    }

    /**
     * Shuffles {@code a} in place exactly as numpy's legacy {@code np.random.shuffle} does (Fisher–Yates from the
     * end, {@code j = random_interval(i)}); on {@code 0, 1, …, n−1} this gives {@code np.random.permutation(n)}.
     */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private void regenerate() {
        int kk;
        for (kk = 0; kk < N - M; kk++) {
            int y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
            mt[kk] = mt[kk + M] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
        }
        for (; kk < N - 1; kk++) {
            int y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
            mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
        }
        int y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
        mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
        mti = 0;
    }
}
