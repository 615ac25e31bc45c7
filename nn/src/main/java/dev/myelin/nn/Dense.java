package dev.myelin.nn;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.util.List;
import java.util.Objects;

/**
 * One dense layer {@code Y[m×n] = act(X[m×k]·W[k×n] + b)} with k = {@link #inputs()}, n = {@link #outputs()}.
 *
 * <p>The layer holds its parameters and their gradients, as live float arrays, and knows its own forward and
 * backward ({@link #forward}, {@link #activationBackward}, {@link #backward}); the arithmetic itself lives in
 * {@link DenseOps}. {@link ForwardBackward} chains the layers of an {@link Mlp} through its buffers. {@code W} is
 * row-major {@code [inputs×outputs]}: {@code weights[i·outputs + j]} connects input i to output j (numpy's
 * {@code X @ W} layout, and the model file's {@code weights[i][j]}).
 */
public final class Dense {

    private final int inputs;
    private final int outputs;
    private final Activation activation;
    private final float[] weights;
    private final float[] bias;
    private final float[] weightGradient;
    private final float[] biasGradient;
    /** Whether the last backward pass fused the weights' SGD step ({@link #sgdStep}) and so left no weight gradient. */
    private boolean weightGradientSkipped;

    /** A layer with zero weights and bias; sizes must be at least 1. */
    public Dense(int inputs, int outputs, Activation activation) {
        Objects.requireNonNull(activation, "activation is null");
        if (inputs < 1) {
            throw new IllegalArgumentException("a dense layer needs at least 1 input, got " + inputs);
        }
        if (outputs < 1) {
            throw new IllegalArgumentException("a dense layer needs at least 1 output, got " + outputs);
        }
        if ((long) inputs * outputs > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a " + inputs + "×" + outputs + " dense layer has too many weights");
        }
        this.inputs = inputs;
        this.outputs = outputs;
        this.activation = activation;
        this.weights = new float[inputs * outputs];
        this.bias = new float[outputs];
        this.weightGradient = new float[inputs * outputs];
        this.biasGradient = new float[outputs];
    }

    public int inputs() {
        return inputs;
    }

    public int outputs() {
        return outputs;
    }

    public Activation activation() {
        return activation;
    }

    /** Live array, row-major {@code [inputs×outputs]}: {@code weights[i·outputs + j]} joins input i to output j. */
    public float[] weights() {
        return weights;
    }

    /** Live array {@code [outputs]}. */
    public float[] bias() {
        return bias;
    }

    /**
     * Live array, same layout as {@link #weights()}: {@code dL/dW}, filled by the backward pass — except by a
     * {@link TrainingStep#step} that fused plain SGD's weight step into the product ({@link TrainingStep}), which
     * leaves it as it was.
     */
    public float[] weightGradient() {
        return weightGradient;
    }

    /** Live array {@code [outputs]}: {@code dL/db}, filled by the backward pass. */
    public float[] biasGradient() {
        return biasGradient;
    }

    /**
     * {@code Y[m×n] = act(X[m×k]·W + b)}: the m rows of {@code x} from {@code xOff} into the first m rows of
     * {@code y}.
     */
    void forward(DenseOps ops, int m, float[] x, int xOff, float[] y) {
        ops.forward(m, outputs, inputs, x, xOff, inputs, weights, 0, outputs, bias, 0, activation, y, 0, outputs);
    }

    /**
     * {@code dZ = dY ⊙ act'(Y)} in place in {@code dyz} (the first m rows), and {@code db = Σ_rows dZ} into
     * {@link #biasGradient()}: the gradient of this layer's pre-activation from that of its output.
     */
    void activationBackward(DenseOps ops, int m, float[] y, float[] dyz) {
        ops.activationBackward(m, outputs, activation, y, 0, outputs, dyz, 0, outputs, dyz, 0, outputs, biasGradient,
                0, false);
    }

    /**
     * From this layer's {@code dZ} (m rows): {@code dW = Xᵀ·dZ} into {@link #weightGradient()}, and, when
     * {@code dx} is not null, the gradient of its input {@code dX = dZ·Wᵀ} into the first m rows of {@code dx}.
     */
    void backward(DenseOps ops, int m, float[] x, int xOff, float[] dz, float[] dx) {
        ops.weightGradient(m, outputs, inputs, x, xOff, inputs, dz, 0, outputs, weightGradient, 0, outputs, false);
        weightGradientSkipped = false;
        inputGradient(ops, m, dz, dx);
    }

    /** {@code dX = dZ·Wᵀ} of m rows into {@code dx}, when it is not null (the first layer has no dX to form). */
    private void inputGradient(DenseOps ops, int m, float[] dz, float[] dx) {
        if (dx != null) {
            ops.inputGradient(m, outputs, inputs, dz, 0, outputs, weights, 0, outputs, dx, 0, inputs);
        }
    }

    /**
     * As {@link #backward}, with plain SGD's step on the weights fused into their gradient's product:
     * {@code dX = dZ·Wᵀ} first (when {@code dx} is not null), then {@code W −= rate·Xᵀ·dZ}
     * ({@link DenseOps#sgdWeightUpdate}); {@link #weightGradient()} is not written. The same bits as
     * {@link #backward} followed by the SGD update of W.
     */
    void sgdStep(DenseOps ops, int m, float[] x, int xOff, float[] dz, float[] dx, float rate) {
        inputGradient(ops, m, dz, dx); // from W as it was
        ops.sgdWeightUpdate(m, outputs, inputs, x, xOff, inputs, dz, 0, outputs, rate, weights, 0, outputs);
        weightGradientSkipped = true;
    }

    /**
     * Refuses, for {@code use} ("to copy", "to step on"), the weight gradients of layers whose last backward pass
     * fused plain SGD's step into its product ({@link #sgdStep}, from {@link TrainingStep#step}) and so left in
     * {@link #weightGradient()} an older pass's values.
     *
     * @throws IllegalStateException naming the first such layer and how to get gradients
     */
    static void requireWeightGradients(List<Dense> layers, String use) {
        for (int l = 0; l < layers.size(); l++) {
            if (layers.get(l).weightGradientSkipped) {
                throw new IllegalStateException("layer " + (l + 1) + " has no weight gradient " + use + ": the last"
                        + " pass was TrainingStep.step, which made plain SGD's weight step inside the gradient's"
                        + " product; call TrainingStep.gradients (or Mlp.setGradients) first");
            }
        }
    }

    /** {@link #weightGradient()} was set from elsewhere ({@link Mlp#setGradients}): it holds a gradient again. */
    void weightGradientSet() {
        weightGradientSkipped = false;
    }

    /** A deep copy of the parameters (gradients start at zero). */
    Dense copy() {
        Dense d = new Dense(inputs, outputs, activation);
        System.arraycopy(weights, 0, d.weights, 0, weights.length);
        System.arraycopy(bias, 0, d.bias, 0, bias.length);
        return d;
    }

    /** "2→4 sigmoid". */
    @Override
    public String toString() {
        return inputs + "→" + outputs + " " + activation.id();
    }
}
