package dev.myelin.core;


/**
 * The activation {@code act} of a dense layer {@code Y = act(X·W + b)}.
 *
 * <p>All but {@link #SOFTMAX} act elementwise and are fused into the forward kernel's epilogue; their
 * derivatives are taken from the <em>output</em> {@code Y} (that is what the backward pass keeps), e.g.
 * sigmoid' = Y(1−Y). Softmax acts on whole rows and is differentiated only through the fused softmax +
 * cross-entropy head, never on its own.
 *
 * <p>The scalar formulas here are the single definition used by the scalar kernel and by every kernel's
 * scalar tail.
 *
 * <p>Sigmoid is computed in float as {@code 1 / (1 + exp(−z))}: below z ≈ −88.7, {@code exp(−z)} overflows and
 * the result is exactly 0 (float64 would give up to 3·10⁻³⁹ there, and subnormals down to z ≈ −103); the SIMD
 * kernels do the same. The limit, never NaN.
 */
public enum Activation implements Named {
    IDENTITY("identity"),
    SIGMOID("sigmoid"),
    TANH("tanh"),
    RELU("relu"),
    SOFTMAX("softmax");

    private final String id;

    Activation(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    /** Whether the activation maps each element on its own (everything but softmax). */
    public boolean isElementwise() {
        return this != SOFTMAX;
    }

    /** Parses a name such as {@code "sigmoid"} (case-insensitive); the error lists the valid names. */
    public static Activation parse(String name) {
        return Named.parse(Activation.class, "activation", name);
    }

    /** {@code act(z)} for one element, in float; NaN in gives NaN out. Not defined for softmax. */
    public float apply(float z) {
        return switch (this) {
            case IDENTITY -> z;
            // exp(-z) overflows to +Inf for z < -88.7, which gives exactly 0: the limit, not a NaN.
            case SIGMOID -> 1f / (1f + (float) Math.exp(-z));
            case TANH -> (float) Math.tanh(z);
            case RELU -> Math.max(0f, z); // Math.max keeps NaN
            case SOFTMAX -> throw new UnsupportedOperationException("softmax acts on rows, not elements");
        };
    }

    /**
     * {@code dZ = dY · act'(Z)} expressed through the output {@code y = act(z)}: sigmoid' = y(1−y),
     * tanh' = 1−y², relu' = [y > 0] (a NaN output lets dY through, as PyTorch's threshold backward does).
     */
    public float gradient(float y, float dy) {
        return switch (this) {
            case IDENTITY -> dy;
            case SIGMOID -> dy * (y * (1f - y));
            case TANH -> dy * (1f - y * y);
            case RELU -> y <= 0f ? 0f : dy;
            case SOFTMAX -> throw new UnsupportedOperationException(
                    "softmax is differentiated only through the softmax cross-entropy head");
        };
    }

    @Override
    public String toString() {
        return id;
    }

}
