package dev.myelin.nn;

import dev.myelin.core.Named;
import java.util.Objects;

/**
 * What optimizer to train with and its hyper-parameters: the one place they are checked. Messages name each field
 * as the command line spells it ({@code --lr}, {@code --momentum}, {@code --beta1}, {@code --beta2},
 * {@code --eps}, {@code --weight-decay}).
 *
 * <p>The rules are PyTorch's ({@code torch.optim.SGD} with dampening 0, {@code torch.optim.Adam},
 * {@code torch.optim.AdamW}), see {@link Kind}. Hyper-parameters are doubles, as PyTorch's Python floats are; each
 * step rounds the scalars it uses to float, as PyTorch's float32 kernels do.
 *
 * <p>Weight decay λ, for every kind but {@link Kind#ADAMW}, is PyTorch's {@code weight_decay}: the rule sees
 * {@code g + λ·p} instead of g. Like PyTorch's default (one parameter group), it decays biases as well as weights.
 *
 * <p>Build one with a factory and the {@code with…} methods:
 * {@code OptimizerSpec.adam(1e-3).withWeightDecay(1e-4).withSchedule(new LrSchedule.Cosine(100, 0))}.
 *
 * @param kind         the update rule
 * @param learningRate the base rate lr0 ({@code --lr}), finite and greater than 0
 * @param momentum     μ of {@link Kind#MOMENTUM} and {@link Kind#NESTEROV}, in (0, 1) for them; for the other
 *                     kinds it must be 0 (a value that would be ignored is an error)
 * @param beta1        Adam's β1, in [0, 1) (default 0.9)
 * @param beta2        Adam's β2, in [0, 1) (default 0.999)
 * @param epsilon      Adam's ε, finite and greater than 0 (default 1e-8); the three are used by Adam and AdamW
 *                     only, and the other kinds must keep the defaults (a value that would be ignored is an error)
 * @param weightDecay  λ, finite and at least 0 (default 0)
 * @param schedule     the learning rate per epoch (default {@link LrSchedule.Constant})
 */
public record OptimizerSpec(Kind kind, double learningRate, double momentum, double beta1, double beta2,
                            double epsilon, double weightDecay, LrSchedule schedule) {

    /** The update rules; {@code --optimizer} names them by {@link #id()}. */
    public enum Kind implements Named {
        /** {@code p −= lr·g}. */
        SGD("sgd"),
        /**
         * Heavy ball, PyTorch's SGD with momentum μ: {@code b = μ·b + g} (first step {@code b = g}),
         * {@code p −= lr·b}.
         */
        MOMENTUM("momentum"),
        /** PyTorch's SGD with {@code nesterov=True}: b as for momentum, then {@code p −= lr·(g + μ·b)}. */
        NESTEROV("nesterov"),
        /**
         * {@code m = β1·m + (1−β1)·g}, {@code v = β2·v + (1−β2)·g²}, at step t (from 1)
         * {@code p −= lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε)}.
         */
        ADAM("adam"),
        /** Adam with decoupled weight decay: first {@code p *= 1 − lr·λ}, then Adam on the plain gradient. */
        ADAMW("adamw");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        /** Parses a name (case-insensitive); the error lists the valid names. */
        public static Kind parse(String s) {
            return Named.parse(Kind.class, "optimizer", s);
        }

        public boolean usesMomentum() {
            return this == MOMENTUM || this == NESTEROV;
        }

        /** Whether this kind reads beta1, beta2 and epsilon (Adam's). */
        public boolean isAdam() {
            return this == ADAM || this == ADAMW;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;
    /** PyTorch's {@code AdamW} default {@code weight_decay}; every other kind defaults to none. */
    public static final double DEFAULT_ADAMW_WEIGHT_DECAY = 0.01;

    /** Checks every field; see the parameter list for the rules. */
    public OptimizerSpec {
        Objects.requireNonNull(kind, "optimizer kind is null");
        Objects.requireNonNull(schedule, "learning-rate schedule is null");
        if (!Double.isFinite(learningRate) || learningRate <= 0) {
            throw new IllegalArgumentException("--lr must be finite and greater than 0, got " + learningRate);
        }
        requireAsFloat("--lr", learningRate, 0);
        if (kind.usesMomentum() && !(momentum > 0 && (float) momentum < 1)) {
            throw new IllegalArgumentException("--momentum must be in (0, 1) for --optimizer " + kind + ", got "
                    + momentum + (momentum < 1 && momentum > 0 ? ", which is 1.0 as a float, the precision training"
                    + " computes in" : ""));
        }
        if (!kind.usesMomentum() && momentum != 0) {
            throw new IllegalArgumentException("--momentum is used by --optimizer momentum and nesterov only, but"
                    + " it is " + momentum + " with --optimizer " + kind);
        }
        if (!kind.isAdam()) { // as for momentum: a value that would be ignored is an error
            requireDefault("--beta1", beta1, DEFAULT_BETA1, kind);
            requireDefault("--beta2", beta2, DEFAULT_BETA2, kind);
            requireDefault("--eps", epsilon, DEFAULT_EPSILON, kind);
        }
        requireUnitInterval("--beta1", beta1);
        requireUnitInterval("--beta2", beta2);
        if (!Double.isFinite(epsilon) || epsilon <= 0) {
            throw new IllegalArgumentException("--eps must be finite and greater than 0, got " + epsilon);
        }
        requireAsFloat("--eps", epsilon, 0);
        if (!Double.isFinite(weightDecay) || weightDecay < 0) {
            throw new IllegalArgumentException("--weight-decay must be finite and at least 0, got " + weightDecay);
        }
        requireAsFloat("--weight-decay", weightDecay, weightDecay == 0 ? -1 : 0);
    }

    /**
     * A positive, finite setting stays so in the float the updates compute with ({@code 1e-50} is 0 as a float:
     * training would run and change nothing; {@code 1e39} is infinite): refused, naming the float's range.
     * {@code above}: the float must be greater than this.
     */
    private static void requireAsFloat(String option, double value, double above) {
        float f = (float) value;
        if (!Float.isFinite(f) || f <= above) {
            throw new IllegalArgumentException(option + " " + value + " is " + f + " as a float, the precision"
                    + " training computes in; give a value between 1.4E-45 and 3.4E38");
        }
    }

    private static void requireDefault(String option, double value, double defaultValue, Kind kind) {
        if (Double.compare(value, defaultValue) != 0) {
            throw new IllegalArgumentException(option + " is used by --optimizer adam and adamw only, but it is "
                    + value + " with --optimizer " + kind);
        }
    }

    private static void requireUnitInterval(String option, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException(option + " must be in [0, 1), got " + value);
        }
    }

    /** Plain SGD at a constant rate, no weight decay. */
    public static OptimizerSpec sgd(double learningRate) {
        return of(Kind.SGD, learningRate, 0);
    }

    /** SGD with heavy-ball momentum μ. */
    public static OptimizerSpec momentum(double learningRate, double momentum) {
        return of(Kind.MOMENTUM, learningRate, momentum);
    }

    /** SGD with Nesterov momentum μ. */
    public static OptimizerSpec nesterov(double learningRate, double momentum) {
        return of(Kind.NESTEROV, learningRate, momentum);
    }

    /** Adam with PyTorch's defaults β1 0.9, β2 0.999, ε 1e-8. */
    public static OptimizerSpec adam(double learningRate) {
        return of(Kind.ADAM, learningRate, 0);
    }

    /** AdamW with PyTorch's defaults: Adam's β1, β2, ε and weight decay λ 0.01 ({@link #withWeightDecay}). */
    public static OptimizerSpec adamW(double learningRate) {
        return of(Kind.ADAMW, learningRate, 0).withWeightDecay(DEFAULT_ADAMW_WEIGHT_DECAY);
    }

    private static OptimizerSpec of(Kind kind, double learningRate, double momentum) {
        return new OptimizerSpec(kind, learningRate, momentum, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON, 0,
                new LrSchedule.Constant());
    }

    public OptimizerSpec withWeightDecay(double lambda) {
        return new OptimizerSpec(kind, learningRate, momentum, beta1, beta2, epsilon, lambda, schedule);
    }

    public OptimizerSpec withSchedule(LrSchedule s) {
        return new OptimizerSpec(kind, learningRate, momentum, beta1, beta2, epsilon, weightDecay, s);
    }

    public OptimizerSpec withBetas(double b1, double b2) {
        return new OptimizerSpec(kind, learningRate, momentum, b1, b2, epsilon, weightDecay, schedule);
    }

    public OptimizerSpec withEpsilon(double eps) {
        return new OptimizerSpec(kind, learningRate, momentum, beta1, beta2, eps, weightDecay, schedule);
    }

    /** The rate of the epoch after {@code epoch} finished ones: {@code schedule(learningRate, epoch)}. */
    public double learningRate(int epoch) {
        return schedule.learningRate(learningRate, epoch);
    }
}
