package dev.myelin.core.simd;

/**
 * The constants of the deterministic exp, sigmoid and tanh that {@link FloatKernels} and {@link PackedGemm}
 * write out in their epilogues (the recipe and its error bounds are in FloatKernels' class comment). They are
 * compile-time constants, so javac copies their values into each kernel class and its hidden copies.
 */
final class ExpConstants {

    private ExpConstants() {
    }

    // exp (see FloatKernels' class comment). ln FLT_MAX ≈ 88.72 and ln 2⁻¹⁵⁰ ≈ −103.97, so exp overflows above
    // EXP_MAX and rounds to 0 below EXP_MIN; n = round(x·log₂e) then lies in [−150, 128].
    /** exp(89) > Float.MAX_VALUE: x is clamped to at most this, which still overflows to +Inf. */
    static final float EXP_MAX = 89f;
    /** exp(−104) ≈ 6.8·10⁻⁴⁶ is below 2⁻¹⁵⁰, half the smallest subnormal: rounds to 0 like anything smaller. */
    static final float EXP_MIN = -104f;
    /** log₂ e = 1 / ln 2. */
    static final float LOG2E = 1.44269504f;
    /**
     * 1.5·2²³: for |t| &lt; 2²², t + ROUNDER lies in [2²³, 2²⁴), where floats are the integers, so the addition
     * rounds t to an integer (to nearest even) and subtracting ROUNDER again gives that integer exactly.
     */
    static final float ROUNDER = 0x1.8p23f;
    /**
     * ln 2 to 9 significant bits (355/512): n·LN2_HI is exact for |n| ≤ 2¹⁵, and x − n·LN2_HI is exact
     * too (x and n·LN2_HI agree in their leading bits, and the difference, under 0.4, fits in 24 bits).
     */
    static final float LN2_HI = 0.693359375f;
    /** ln 2 − LN2_HI = −2.121944400546905…·10⁻⁴, rounded to float. */
    static final float LN2_LO = -2.12194440e-4f;
    /** 1/k!, the Taylor coefficients of e^r (1/2!, 1/1! and 1/0! are written as 0.5f and 1f). */
    static final float EXP_C3 = 1f / 6, EXP_C4 = 1f / 24, EXP_C5 = 1f / 120, EXP_C6 = 1f / 720,
            EXP_C7 = 1f / 5040;

    /**
     * Taylor coefficients of tanh z = z + c3·z³ + c5·z⁵ + …: (2²ᵏ(2²ᵏ − 1)·B₂ₖ / (2k)!) for z^(2k−1), B the
     * Bernoulli numbers: −1/3, 2/15, −17/315, 62/2835, −1382/155925, 21844/6081075, −929569/638512875.
     */
    static final float TANH_C3 = (float) (-1.0 / 3), TANH_C5 = (float) (2.0 / 15),
            TANH_C7 = (float) (-17.0 / 315), TANH_C9 = (float) (62.0 / 2835),
            TANH_C11 = (float) (-1382.0 / 155925), TANH_C13 = (float) (21844.0 / 6081075),
            TANH_C15 = (float) (-929569.0 / 638512875);
    /** tanh uses its polynomial below this |z|, exp above. */
    static final float TANH_POLY_MAX = 0.5f;
}
