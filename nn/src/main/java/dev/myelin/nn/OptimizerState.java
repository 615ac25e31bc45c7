package dev.myelin.nn;

import java.util.List;
import java.util.Objects;

/**
 * An {@link Optimizer}'s state as plain data, for checkpoints: restoring it into a new optimizer of the same kind
 * over a model of the same shape continues the run bit for bit.
 *
 * <p>{@code buffers} go parameter array by parameter array — layer 1 weights, layer 1 bias, layer 2 weights, … —
 * and within one array slot by slot: nothing for {@code sgd}; the momentum buffer b for {@code momentum} and
 * {@code nesterov}; m then v for {@code adam} and {@code adamw}. Each buffer has its parameter array's length and
 * layout. (Arrays compare by reference in the record's {@code equals}; compare buffers with
 * {@link java.util.Arrays#equals(float[], float[])}.)
 *
 * @param kind    the {@link OptimizerSpec.Kind#id()} that wrote it
 * @param step    updates done so far (Adam's t before the next step; whether momentum buffers exist yet)
 * @param buffers the state arrays, in the order above
 */
public record OptimizerState(String kind, long step, List<float[]> buffers) {

    /** The largest step count a state may hold: 2^53. */
    public static final long MAX_STEP = 1L << 53;

    public OptimizerState {
        Objects.requireNonNull(kind, "optimizer state kind is null");
        // Adam's bias correction raises β to t = step + 1 as a double: near Long.MAX_VALUE t overflows to a negative
        // count and β^t is infinite (every parameter NaN); 2^53 is the largest count a double holds exactly, more
        // steps than any run makes
        if (step < 0 || step > MAX_STEP) {
            throw new IllegalArgumentException("optimizer state step must be 0 to " + MAX_STEP + " (2^53), got "
                    + step);
        }
        Objects.requireNonNull(buffers, "optimizer state buffers is null");
        for (int i = 0; i < buffers.size(); i++) {
            Objects.requireNonNull(buffers.get(i), "optimizer state buffer " + (i + 1) + " of " + buffers.size()
                    + " is null");
        }
        buffers = List.copyOf(buffers);
    }
}
