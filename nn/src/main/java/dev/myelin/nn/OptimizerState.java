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

    public OptimizerState {
        Objects.requireNonNull(kind, "optimizer state kind is null");
        if (step < 0) {
            throw new IllegalArgumentException("optimizer state step must be at least 0, got " + step);
        }
        buffers = List.copyOf(buffers); // also rejects null arrays
    }
}
