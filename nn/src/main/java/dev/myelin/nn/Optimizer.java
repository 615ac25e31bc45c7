package dev.myelin.nn;

import dev.myelin.core.DenseOps;
import dev.myelin.core.IndexRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Updates one {@link Mlp}'s parameters from the gradients its last backward pass left in every layer, by the rule
 * of an {@link OptimizerSpec}, and holds the state that rule carries from step to step (plain SGD's weight step may
 * instead be made inside the gradient's product, {@link TrainingStep#step}; this class then steps the biases). The arithmetic is in
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
    /** The model's layers: a whole step refuses weight gradients that a fused step left unwritten. */
    private final List<Dense> layers;
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
        this.layers = layers;
        parameters = new float[2 * layers.size()][];
        gradients = new float[2 * layers.size()][];
        for (int l = 0; l < layers.size(); l++) {
            Dense d = layers.get(l);
            parameters[2 * l] = d.weights();
            gradients[2 * l] = d.weightGradient();
            parameters[2 * l + 1] = d.bias();
            gradients[2 * l + 1] = d.biasGradient();
        }
        slots = slots(spec);
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

    /** {@link #step(double, DenseOps)} on the calling thread alone. */
    public void step(double lr) {
        step(lr, null);
    }

    /**
     * One update of every parameter at rate {@code lr} (the schedule's rate, {@link OptimizerSpec#learningRate(int)}),
     * each parameter array cut into ranges run on the threads of {@code ops}'s kernel ({@link DenseOps#parallelFor};
     * null: this thread). Every element is updated on its own, so the bits are the same for any thread count.
     * The rate is a double, as PyTorch's is: the SGD rules multiply by it rounded to float; Adam divides it by its
     * bias correction in double first, then rounds the step size.
     */
    public void step(double lr, DenseOps ops) {
        Dense.requireWeightGradients(layers, "to step on");
        step(lr, ops, true);
    }

    /**
     * Whether this rule's step on the weights is {@code W −= lr·dW} with the gradient as it is: plain SGD without
     * weight decay, whose weight step a training step may fuse into the gradient's product
     * ({@link DenseOps#sgdWeightUpdate}), then calling {@link #stepWithoutWeights}.
     */
    boolean fusesWeights() {
        return spec.kind() == OptimizerSpec.Kind.SGD && spec.weightDecay() == 0;
    }

    /**
     * {@link #step(double, DenseOps)} for the biases only, the weights having taken this step already in their
     * gradient's product ({@link #fusesWeights}); the step count advances as for a whole step.
     */
    void stepWithoutWeights(double lr, DenseOps ops) {
        if (!fusesWeights()) {
            throw new IllegalStateException(spec.kind().id() + (spec.weightDecay() == 0 ? "" : " with weight decay")
                    + " does not step the weights by lr·dW alone");
        }
        step(lr, ops, false);
    }

    /**
     * The learning rate of a step, checked: finite as the float the updates multiply by, too (1e39 is a finite
     * double but an infinite float), and at least 0.
     */
    static void requireRate(double lr) {
        if (!(lr >= 0 && (float) lr < Float.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("the learning rate of a step must be finite and at least 0, got " + lr
                    + (lr >= 0 && lr < Double.POSITIVE_INFINITY ? ", which is " + (float) lr + " as a float, the"
                    + " precision training computes in" : ""));
        }
    }

    private void step(double lr, DenseOps ops, boolean weights) {
        requireRate(lr);
        scalars.set(spec, lr, step);
        for (int i = weights ? 0 : 1; i < parameters.length; i += weights ? 1 : 2) { // biases at odd indices
            current = i;
            int length = parameters[i].length;
            if (ops == null) {
                update(0, length);
            } else {
                ops.parallelFor(length, GRAIN, updateRange);
            }
        }
        step++;
    }

    /** Elements per thread at least: below this an array is updated on one thread (a wake-up costs more). */
    static final int GRAIN = 1 << 14;

    /** The parameter array {@link #update} works on; set before each array's ranges run. */
    private int current;
    /** {@link #update} as a loop body, made once: a step allocates nothing. */
    private final IndexRange updateRange = this::update;
    /** This step's scalars, computed once per step by {@link StepScalars#set}. */
    private final StepScalars scalars = new StepScalars();

    /** The update of elements {@code [from, to)} of parameter array {@link #current}: decay, then the rule. */
    private void update(int from, int to) {
        int i = current;
        float[] p = parameters[i];
        float[] g = gradients[i];
        StepScalars s = scalars;
        if (s.coupledDecay) {
            UpdateRules.decay(g, p, s.lambda, from, to);
        }
        switch (spec.kind()) {
            case SGD -> UpdateRules.sgd(p, g, s.lr, from, to);
            case MOMENTUM -> {
                UpdateRules.accumulate(state[i], g, s.momentum, s.first, from, to);
                UpdateRules.sgd(p, state[i], s.lr, from, to);
            }
            case NESTEROV -> {
                UpdateRules.accumulate(state[i], g, s.momentum, s.first, from, to);
                UpdateRules.nesterov(p, g, state[i], s.momentum, s.lr, from, to);
            }
            case ADAM, ADAMW -> {
                if (s.decoupledDecay) {
                    UpdateRules.shrink(p, s.shrink, from, to);
                }
                UpdateRules.adam(p, g, state[2 * i], state[2 * i + 1], s.beta1, s.oneMinusBeta1, s.beta2,
                        s.oneMinusBeta2, s.stepSize, s.sqrtCorrection2, s.epsilon, from, to);
            }
            default -> throw new AssertionError(spec.kind());
        }
    }

    /** The scalars of one step, the same for every element: rounded to float once, here. */
    private static final class StepScalars {
        float lr, lambda, momentum, beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, sqrtCorrection2, epsilon,
                shrink;
        boolean coupledDecay, decoupledDecay, first;

        void set(OptimizerSpec spec, double learningRate, long step) {
            OptimizerSpec.Kind kind = spec.kind();
            lr = (float) learningRate;
            lambda = (float) spec.weightDecay();
            coupledDecay = lambda > 0 && kind != OptimizerSpec.Kind.ADAMW;
            momentum = (float) spec.momentum();
            first = step == 0;
            if (kind.isAdam()) {
                long t = step + 1;
                // Bias corrections in double, as PyTorch computes them in Python floats, then rounded once.
                double correction1 = 1 - Math.pow(spec.beta1(), t);
                double correction2 = 1 - Math.pow(spec.beta2(), t);
                stepSize = (float) (learningRate / correction1);
                sqrtCorrection2 = (float) Math.sqrt(correction2);
                shrink = (float) (1 - learningRate * spec.weightDecay());
                decoupledDecay = kind == OptimizerSpec.Kind.ADAMW && spec.weightDecay() > 0;
                beta1 = (float) spec.beta1();
                oneMinusBeta1 = (float) (1 - spec.beta1());
                beta2 = (float) spec.beta2();
                oneMinusBeta2 = (float) (1 - spec.beta2());
                epsilon = (float) spec.epsilon();
            }
        }
    }

    /** A copy of the step count and every state array, in {@link OptimizerState}'s order. */
    public OptimizerState exportState() {
        return exportState(null);
    }

    /**
     * As {@link #exportState()}, copying into the arrays of {@code reuse} (an earlier export of this optimizer,
     * overwritten) when it has this kind and every array's length, else (also for null) into new arrays.
     */
    public OptimizerState exportState(OptimizerState reuse) {
        boolean fits = reuse != null && reuse.kind().equals(spec.kind().id())
                && reuse.buffers().size() == state.length;
        for (int i = 0; fits && i < state.length; i++) {
            fits = reuse.buffers().get(i).length == state[i].length;
        }
        List<float[]> buffers = new ArrayList<>(state.length);
        for (int i = 0; i < state.length; i++) {
            float[] copy = fits ? reuse.buffers().get(i) : new float[state[i].length];
            System.arraycopy(state[i], 0, copy, 0, copy.length);
            buffers.add(copy);
        }
        return new OptimizerState(spec.kind().id(), step, buffers);
    }

    /**
     * Replaces this optimizer's step count and state arrays with copies of {@code saved}'s.
     *
     * @throws IllegalArgumentException if {@code saved} was written by another kind of optimizer or for a model of
     *                                  another shape (the message names the buffer and both lengths), or holds a
     *                                  value no update leaves behind: a NaN or infinite one, or in Adam's second
     *                                  moment a NaN or negative one (the next step would make parameters NaN);
     *                                  nothing is restored then. (A +Infinity in v is a state: a gradient whose
     *                                  square overflowed leaves it, and its parameter then no longer moves.)
     */
    public void restore(OptimizerState saved) {
        requireFits(spec, parameters, saved);
        for (int i = 0; i < state.length; i++) {
            System.arraycopy(saved.buffers().get(i), 0, state[i], 0, state[i].length);
        }
        step = saved.step();
    }

    /**
     * Checks that {@code saved} is a state of {@code spec}'s rule for {@code model}'s parameters, without building
     * an optimizer (a checkpoint file checks what it holds this way).
     *
     * @throws IllegalArgumentException as {@link #restore}
     */
    public static void requireFits(OptimizerSpec spec, Mlp model, OptimizerState saved) {
        Objects.requireNonNull(spec, "optimizer spec is null");
        Objects.requireNonNull(model, "model is null");
        List<Dense> layers = model.layers();
        float[][] parameters = new float[2 * layers.size()][];
        for (int l = 0; l < layers.size(); l++) {
            parameters[2 * l] = layers.get(l).weights();
            parameters[2 * l + 1] = layers.get(l).bias();
        }
        requireFits(spec, parameters, saved);
    }

    private static void requireFits(OptimizerSpec spec, float[][] parameters, OptimizerState saved) {
        Objects.requireNonNull(saved, "optimizer state is null");
        if (!saved.kind().equals(spec.kind().id())) {
            throw new IllegalArgumentException("the optimizer state is for " + saved.kind() + " but this optimizer is "
                    + spec.kind().id());
        }
        int slots = slots(spec);
        int buffers = parameters.length * slots;
        if (saved.buffers().size() != buffers) {
            throw new IllegalArgumentException("the optimizer state has " + saved.buffers().size() + " buffers but "
                    + spec.kind().id() + " on this model needs " + buffers);
        }
        for (int i = 0; i < buffers; i++) {
            int needed = parameters[i / slots].length;
            if (saved.buffers().get(i).length != needed) {
                throw new IllegalArgumentException("optimizer state buffer " + (i + 1) + " has "
                        + saved.buffers().get(i).length + " values but this model's parameter array needs " + needed);
            }
        }
        requireReachable(spec, saved, slots);
    }

    /**
     * Refuses values that no run of {@code spec}'s rule leaves in its state (a checkpoint file refuses them as
     * well, with the file's field names): a NaN or infinite momentum or first moment (the run would have diverged
     * first) and, in Adam's v (a mean of squares, every second buffer), a NaN or negative one, whose square root is
     * NaN. v may be +Infinity: a gradient whose square overflows a float (|g| above about 1.8·10^19 once scaled by
     * 1 − β₂) leaves it so, with finite parameters.
     */
    private static void requireReachable(OptimizerSpec spec, OptimizerState saved, int slots) {
        for (int i = 0; i < saved.buffers().size(); i++) {
            float[] values = saved.buffers().get(i);
            boolean secondMoment = spec.kind().isAdam() && i % slots == 1;
            for (int j = 0; j < values.length; j++) {
                String why = reachable(values[j], secondMoment);
                if (why != null) {
                    throw new IllegalArgumentException("optimizer state buffer " + (i + 1) + ", element " + j
                            + ", is " + values[j] + "; " + why);
                }
            }
        }
    }

    /**
     * Why {@code value} cannot be in an optimizer's state, or null when it can: in Adam's second moment anything
     * from 0 to +Infinity, elsewhere any finite value. (One rule for {@link #restore} and the checkpoint reader.)
     */
    static String reachable(float value, boolean secondMoment) {
        if (secondMoment) {
            return value >= 0 ? null : "Adam's second moment (v), a mean of squares, is never NaN or negative";
        }
        return Float.isFinite(value) ? null : "an optimizer's state is finite";
    }

    /** State arrays per parameter array: Adam's m and v, a momentum buffer, or none. */
    private static int slots(OptimizerSpec spec) {
        return spec.kind().isAdam() ? 2 : spec.kind().usesMomentum() ? 1 : 0;
    }
}
