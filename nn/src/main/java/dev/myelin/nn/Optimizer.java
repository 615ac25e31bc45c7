package dev.myelin.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Updates one {@link Mlp}'s parameters from the gradients its last backward pass left in every layer, by the rule
 * of an {@link OptimizerSpec}, and holds the state that rule carries from step to step. The arithmetic is in
 * {@link UpdateRules}; this class owns the state, the step count t and the per-step scalars.
 *
 * <p>State arrays (momentum buffers; Adam's m and v) are allocated here, once, with the parameters' shapes; a
 * {@link #step} allocates nothing. With coupled weight decay (λ &gt; 0, every kind but AdamW) a step adds λ·p into
 * the layers' gradient arrays before the rule, so afterwards they hold the decayed gradient.
 *
 * <p>Not thread-safe; one optimizer per model and training run.
 */
public final class Optimizer {

    private final OptimizerSpec spec;
    private final float[][] parameters;
    private final float[][] gradients;
    private final int slots;
    /** {@code state[i·slots + s]}: slot s of parameter array i, in {@link OptimizerState}'s order. */
    private final float[][] state;
    private long step;

    /** An optimizer with fresh state (step 0) for {@code model}'s parameters. */
    public Optimizer(OptimizerSpec spec, Mlp model) {
        this.spec = Objects.requireNonNull(spec, "optimizer spec is null");
        Objects.requireNonNull(model, "model is null");
        List<Dense> layers = model.layers();
        parameters = new float[2 * layers.size()][];
        gradients = new float[2 * layers.size()][];
        for (int l = 0; l < layers.size(); l++) {
            Dense d = layers.get(l);
            parameters[2 * l] = d.weights();
            gradients[2 * l] = d.weightGradient();
            parameters[2 * l + 1] = d.bias();
            gradients[2 * l + 1] = d.biasGradient();
        }
        slots = spec.kind().isAdam() ? 2 : spec.kind().usesMomentum() ? 1 : 0;
        state = new float[parameters.length * slots][];
        for (int i = 0; i < state.length; i++) {
            state[i] = new float[parameters[i / slots].length];
        }
    }

    public OptimizerSpec spec() {
        return spec;
    }

    /** Updates done so far. */
    public long stepCount() {
        return step;
    }

    /**
     * One update of every parameter at rate {@code lr} (the schedule's rate, {@link OptimizerSpec#learningRate(int)}).
     * The rate is a double, as PyTorch's is: the SGD rules multiply by it rounded to float; Adam divides it by its
     * bias correction in double first, then rounds the step size.
     */
    public void step(double lr) {
        if (!(lr >= 0 && lr < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("the learning rate of a step must be finite and at least 0, got " + lr);
        }
        float lambda = (float) spec.weightDecay();
        boolean coupledDecay = lambda > 0 && spec.kind() != OptimizerSpec.Kind.ADAMW;
        if (coupledDecay) {
            for (int i = 0; i < parameters.length; i++) {
                UpdateRules.decay(gradients[i], parameters[i], lambda);
            }
        }
        switch (spec.kind()) {
            case SGD -> {
                for (int i = 0; i < parameters.length; i++) {
                    UpdateRules.sgd(parameters[i], gradients[i], (float) lr);
                }
            }
            case MOMENTUM, NESTEROV -> stepMomentum(lr);
            case ADAM, ADAMW -> stepAdam(lr);
            default -> throw new AssertionError(spec.kind());
        }
        step++;
    }

    private void stepMomentum(double learningRate) {
        float lr = (float) learningRate;
        float mu = (float) spec.momentum();
        boolean first = step == 0;
        for (int i = 0; i < parameters.length; i++) {
            UpdateRules.accumulate(state[i], gradients[i], mu, first);
            if (spec.kind() == OptimizerSpec.Kind.NESTEROV) {
                UpdateRules.nesterov(parameters[i], gradients[i], state[i], mu, lr);
            } else {
                UpdateRules.sgd(parameters[i], state[i], lr);
            }
        }
    }

    private void stepAdam(double lr) {
        long t = step + 1;
        // Bias corrections in double, as PyTorch computes them in Python floats, then rounded once.
        double correction1 = 1 - Math.pow(spec.beta1(), t);
        double correction2 = 1 - Math.pow(spec.beta2(), t);
        float stepSize = (float) (lr / correction1);
        float sqrtCorrection2 = (float) Math.sqrt(correction2);
        float shrink = (float) (1 - lr * spec.weightDecay());
        boolean decoupledDecay = spec.kind() == OptimizerSpec.Kind.ADAMW && spec.weightDecay() > 0;
        for (int i = 0; i < parameters.length; i++) {
            if (decoupledDecay) {
                UpdateRules.shrink(parameters[i], shrink);
            }
            UpdateRules.adam(parameters[i], gradients[i], state[2 * i], state[2 * i + 1], (float) spec.beta1(),
                    (float) (1 - spec.beta1()), (float) spec.beta2(), (float) (1 - spec.beta2()), stepSize,
                    sqrtCorrection2, (float) spec.epsilon());
        }
    }

    /** A copy of the step count and every state array, in {@link OptimizerState}'s order. */
    public OptimizerState exportState() {
        List<float[]> buffers = new ArrayList<>(state.length);
        for (float[] s : state) {
            buffers.add(s.clone());
        }
        return new OptimizerState(spec.kind().id(), step, buffers);
    }

    /**
     * Replaces this optimizer's step count and state arrays with copies of {@code saved}'s.
     *
     * @throws IllegalArgumentException if {@code saved} was written by another kind of optimizer or for a model of
     *                                  another shape (the message names the buffer and both lengths)
     */
    public void restore(OptimizerState saved) {
        Objects.requireNonNull(saved, "optimizer state is null");
        if (!saved.kind().equals(spec.kind().id())) {
            throw new IllegalArgumentException("the optimizer state is for " + saved.kind() + " but this optimizer is "
                    + spec.kind().id());
        }
        if (saved.buffers().size() != state.length) {
            throw new IllegalArgumentException("the optimizer state has " + saved.buffers().size() + " buffers but "
                    + spec.kind().id() + " on this model needs " + state.length);
        }
        for (int i = 0; i < state.length; i++) {
            if (saved.buffers().get(i).length != state[i].length) {
                throw new IllegalArgumentException("optimizer state buffer " + (i + 1) + " has "
                        + saved.buffers().get(i).length + " values but this model's parameter array needs "
                        + state[i].length);
            }
        }
        for (int i = 0; i < state.length; i++) {
            System.arraycopy(saved.buffers().get(i), 0, state[i], 0, state[i].length);
        }
        step = saved.step();
    }
}
