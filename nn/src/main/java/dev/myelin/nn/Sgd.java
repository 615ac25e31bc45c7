package dev.myelin.nn;

import java.util.List;
import java.util.Objects;

/** Plain gradient descent: {@code W −= lr·dW}, {@code b −= lr·db} for every layer, in float. */
public final class Sgd {

    private final float learningRate;

    /** @param learningRate the step size, finite and positive */
    public Sgd(float learningRate) {
        if (!Float.isFinite(learningRate) || learningRate <= 0f) {
            throw new IllegalArgumentException("learning-rate must be finite and greater than 0, got "
                    + learningRate);
        }
        this.learningRate = learningRate;
    }

    public float learningRate() {
        return learningRate;
    }

    /** One update of every layer from the gradients the last backward pass left in it. Allocates nothing. */
    public void step(Mlp model) {
        Objects.requireNonNull(model, "model is null");
        List<Dense> layers = model.layers();
        for (int l = 0; l < layers.size(); l++) {
            Dense d = layers.get(l);
            update(d.weights(), d.weightGradient());
            update(d.bias(), d.biasGradient());
        }
    }

    private void update(float[] p, float[] g) {
        for (int i = 0; i < p.length; i++) {
            p[i] -= learningRate * g[i];
        }
    }
}
