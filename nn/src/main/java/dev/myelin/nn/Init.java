package dev.myelin.nn;

import dev.myelin.core.Named;
import java.util.Arrays;
import java.util.Objects;

/**
 * How a new model's parameters are drawn. Every scheme uses {@link NumpyRandom}, layer by layer: first the
 * layer's weights in row-major order {@code [inputs×outputs]}, then (for {@link #UNIFORM01}) its bias.
 */
public enum Init implements Named {
    /**
     * Every weight, then the layer's bias, from {@code np.random.rand}: uniform in [0, 1). For a one-layer
     * net this is the document's {@code np.random.seed(seed); W = np.random.rand(in, out); b = np.random.rand(1, out)}.
     */
    UNIFORM01("uniform"),
    /** Glorot/Xavier uniform: weights in ±sqrt(6/(inputs+outputs)), bias 0. */
    XAVIER("xavier"),
    /** He/Kaiming uniform: weights in ±sqrt(6/inputs), bias 0 (suits relu). */
    HE("he"),
    /**
     * PyTorch's {@code nn.Linear} default: weights and then biases uniform in ±1/sqrt(inputs) (its
     * {@code kaiming_uniform_(a=√5)} bound for the weights is exactly 1/sqrt(fan_in), the same as its bias
     * bound). The same distribution as PyTorch, not the same numbers: PyTorch draws from its own generator.
     */
    TORCH("torch");

    private final String id;

    Init(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    /** Parses a name (case-insensitive); the error lists the valid names. */
    public static Init parse(String s) {
        return Named.parse(Init.class, "init", s);
    }

    /** Overwrites every weight and bias of {@code model} with draws from {@code new NumpyRandom(seed)}. */
    public void initialize(Mlp model, long seed) {
        initialize(model, new NumpyRandom(seed));
    }

    /** Overwrites every weight and bias of {@code model} with draws from {@code random} (see the class comment). */
    public void initialize(Mlp model, NumpyRandom random) {
        Objects.requireNonNull(model, "model is null");
        Objects.requireNonNull(random, "random is null");
        for (Dense layer : model.layers()) {
            float[] w = layer.weights();
            float[] b = layer.bias();
            switch (this) {
                case UNIFORM01 -> {
                    for (int i = 0; i < w.length; i++) {
                        w[i] = (float) random.nextDouble();
                    }
                    for (int j = 0; j < b.length; j++) {
                        b[j] = (float) random.nextDouble();
                    }
                }
                case XAVIER -> {
                    symmetric(w, Math.sqrt(6.0 / (layer.inputs() + layer.outputs())), random);
                    Arrays.fill(b, 0f);
                }
                case HE -> {
                    symmetric(w, Math.sqrt(6.0 / layer.inputs()), random);
                    Arrays.fill(b, 0f);
                }
                case TORCH -> {
                    double bound = 1.0 / Math.sqrt(layer.inputs());
                    symmetric(w, bound, random);
                    symmetric(b, bound, random);
                }
            }
        }
    }

    /** {@code w[i] = (2u − 1)·limit} with u from {@code np.random.rand}, i.e. uniform in [−limit, limit). */
    private static void symmetric(float[] w, double limit, NumpyRandom random) {
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((2 * random.nextDouble() - 1) * limit);
        }
    }

    @Override
    public String toString() {
        return id;
    }
}
