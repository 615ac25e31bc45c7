package dev.myelin.nn;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import dev.myelin.core.Losses;

/**
 * One training step's arithmetic over the layers of an {@link Mlp}: the forward pass, the loss and its fused
 * output head, the backward pass through every layer ({@link Dense} does each layer's part), with the buffers
 * of all of it over up to {@code capacity} rows, allocated once and reused for
 * every step (a smaller batch, such as the last partial mini-batch, uses the first rows of each buffer: the row
 * stride of every matrix is its column count, so a prefix of m rows is itself a dense m-row matrix).
 *
 * <p>Per layer l with n_l outputs: {@code y[l] [capacity×n_l]} holds the layer's activations, and
 * {@code dz[l] [capacity×n_l]} its gradient. The gradient with respect to a layer's input, {@code dX = dZ·Wᵀ},
 * is written straight into the previous layer's {@code dz} buffer, where it is turned into that layer's
 * {@code dZ = dX ⊙ act'(Y)} in place. All arithmetic goes through {@link DenseOps} and {@link Losses}.
 */
final class ForwardBackward {

    private final Dense[] layers;
    private final float[][] y;
    private final float[][] dz;
    /** Inference only: the model's input scaling, applied to raw rows a batch at a time in {@link #scaled}. */
    private final InputScaling scaling;
    private final float[] scaled;
    private float[] lastInput;  // the output layer's input in the last forward pass, for LogitLoss
    private int lastInputOff;
    // the batch whose loss lossAndOutputGradient formed and whose backward pass is still to come (x null: none)
    private float[] pendingX;
    private int pendingXOff;
    private int pendingRows;

    /**
     * Buffers for up to {@code capacity} rows; {@code training} adds the gradient buffers. For inference
     * ({@code training} false) the model's {@link Mlp#inputScaling()}, as it is now, is what {@link #forwardRaw}
     * applies.
     */
    ForwardBackward(Mlp model, int capacity, boolean training) {
        this.layers = model.layers().toArray(new Dense[0]);
        this.scaling = training ? null : model.inputScaling();
        this.scaled = scaling == null ? null : new float[Math.multiplyExact(capacity, model.inputs())];
        this.y = new float[layers.length][];
        this.dz = training ? new float[layers.length][] : null;
        for (int l = 0; l < layers.length; l++) {
            long size = (long) capacity * layers[l].outputs();
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("a batch of " + capacity + " rows through layer " + (l + 1)
                        + " (" + layers[l] + ") needs more than 2³¹ floats; use a smaller batch size");
            }
            y[l] = new float[(int) size];
            if (training) {
                dz[l] = new float[(int) size];
            }
        }
    }

    /** Runs {@code x [m×inputs]} through every layer; returns the last layer's buffer (its first m rows are Y). */
    float[] forward(DenseOps ops, float[] x, int m) {
        return forward(ops, x, 0, m);
    }

    /** As {@link #forward(DenseOps, float[], int)} for the m rows of {@code x} that start at {@code xOff}. */
    float[] forward(DenseOps ops, float[] x, int xOff, int m) {
        float[] in = x;
        int inOff = xOff;
        for (int l = 0; l < layers.length; l++) {
            if (l == layers.length - 1) {
                lastInput = in;
                lastInputOff = inOff;
            }
            layers[l].forward(ops, m, in, inOff, y[l]);
            in = y[l];
            inOff = 0;
        }
        return y[layers.length - 1];
    }

    /**
     * As {@link #forward(DenseOps, float[], int, int)} for m rows of raw input, which the model's input scaling (if it
     * has one) scales first in a buffer of this pass; {@code x} is not changed.
     */
    float[] forwardRaw(DenseOps ops, float[] x, int xOff, int m) {
        if (scaling == null) {
            return forward(ops, x, xOff, m);
        }
        int k = layers[0].inputs();
        System.arraycopy(x, xOff, scaled, 0, m * k);
        scaling.apply(scaled, k); // whole rows: the first m of the buffer, the rest left from before and not read
        return forward(ops, scaled, 0, m);
    }

    /**
     * The cross-entropy of the last {@link #forward} pass's m rows, exact where its float outputs lost digits:
     * {@link Losses}' value from those outputs plus the {@link LogitLoss} correction of those rows.
     */
    double crossEntropy(int m, int[] labels, int labelsOff) {
        Dense out = layers[layers.length - 1];
        int n = out.outputs();
        float[] yOut = y[layers.length - 1];
        return Losses.crossEntropy(m, n, yOut, 0, n, labels, labelsOff)
                + LogitLoss.crossEntropy(out, lastInput, lastInputOff, yOut, m, n, labels, labelsOff) / m;
    }

    /** As {@link #crossEntropy} for binary cross-entropy against {@code t [m×outputs]} at {@code tOff}. */
    double binaryCrossEntropy(int m, float[] t, int tOff) {
        Dense out = layers[layers.length - 1];
        int n = out.outputs();
        float[] yOut = y[layers.length - 1];
        return Losses.binaryCrossEntropy(m, n, yOut, 0, n, t, tOff, n)
                + LogitLoss.binaryCrossEntropy(out, lastInput, lastInputOff, yOut, m, n, t, tOff) / ((double) m * n);
    }

    /**
     * Rows per batch when {@code rows} rows are cut into equal batches of at most {@code max} (10 000 rows, max 256:
     * 40 of 250, not 39 of 256 and one of 16): no tail of a few rows, which would take the kernels' few-rows path,
     * whose code runs too rarely there to be compiled.
     */
    static int equalBatch(int rows, int max) {
        long batches = ((long) rows + max - 1) / max; // long: rows near 2^31 must not wrap around
        return (int) (((long) rows + batches - 1) / batches);
    }

    /**
     * One forward and backward pass over the m rows of {@code x} from {@code xOff} with targets
     * {@code t [m×outputs]} (BCE, MSE) or {@code labels [m]} (CE), either from {@code targetOff} (an element offset
     * into {@code t}, rows of outputs floats, or into {@code labels}, one a row):
     * fills every layer's {@link Dense#weightGradient()} and {@link Dense#biasGradient()} (overwriting them) and
     * returns the mean loss of the forward pass.
     */
    double lossAndGradients(DenseOps ops, float[] x, int xOff, float[] t, int[] labels, int targetOff, int m,
                            Loss loss, GradientConvention convention) {
        double value = lossAndOutputGradient(ops, x, xOff, t, labels, targetOff, m, loss, convention);
        backward(ops, 0f);
        return value;
    }

    /**
     * The first half of {@link #lossAndGradients}: the forward pass, the mean loss (returned) and the output layer's
     * dZ and db, from which {@link #backward} goes on for these rows. A caller can look at the loss in between,
     * before anything is updated.
     */
    double lossAndOutputGradient(DenseOps ops, float[] x, int xOff, float[] t, int[] labels, int targetOff, int m,
                                 Loss loss, GradientConvention convention) {
        pendingX = null; // until the loss below is formed: a failed pass leaves no backward to run
        forward(ops, x, xOff, m);
        int last = layers.length - 1;
        Dense out = layers[last];
        int n = out.outputs();
        float[] yOut = y[last];
        float[] dzOut = dz[last];
        // DOCUMENT_SUM is the MEAN gradient times the batch size m (see GradientConvention).
        double rowsFactor = convention == GradientConvention.MEAN ? m : 1.0;
        double value;
        switch (loss) {
            case BCE -> {
                value = binaryCrossEntropy(m, t, targetOff); // from the outputs, and the logits where they saturated
                // d/dZ of mean_{m·n} BCE(sigmoid(Z)) = (Y − T)/(m·n)
                ops.outputMinusTarget(m, n, yOut, 0, n, t, targetOff, n, (float) (1.0 / (rowsFactor * n)),
                        dzOut, 0, n, out.biasGradient(), 0, false);
            }
            case CE -> {
                // the loss, and d/dZ of mean_m CE(softmax(Z)) = (P − onehot)/m, the labels checked once
                value = ops.softmaxCrossEntropy(m, n, yOut, 0, n, labels, targetOff, (float) (1.0 / rowsFactor),
                        dzOut, 0, n, out.biasGradient(), 0, false)
                        + LogitLoss.crossEntropy(out, lastInput, lastInputOff, yOut, m, n, labels, targetOff) / m;
            }
            case MSE -> {
                value = Losses.meanSquaredError(m, n, yOut, 0, n, t, targetOff, n);
                // dY = 2(Y − T)/(m·n), then dZ = dY ⊙ act'(Y) in place
                float scale = (float) (2.0 / (rowsFactor * n));
                if (out.activation() == Activation.IDENTITY) {
                    ops.outputMinusTarget(m, n, yOut, 0, n, t, targetOff, n, scale, dzOut, 0, n, out.biasGradient(), 0,
                            false);
                } else {
                    ops.outputMinusTarget(m, n, yOut, 0, n, t, targetOff, n, scale, dzOut, 0, n, null, 0, false);
                    out.activationBackward(ops, m, yOut, dzOut);
                }
            }
            default -> throw new AssertionError(loss);
        }
        pendingX = x;
        pendingXOff = xOff;
        pendingRows = m;
        return value;
    }

    /** The rows of the pass waiting for {@link #backward}, or 0 when none is. */
    int pendingRows() {
        return pendingX == null ? 0 : pendingRows;
    }

    /**
     * The second half of {@link #lossAndGradients}, once, for the rows of the last {@link #lossAndOutputGradient},
     * from the output layer's dZ it left: every layer's dW, db and dX (into the previous layer's dZ, then
     * {@code dZ = dX ⊙ act'(Y)}). With {@code sgdRate > 0} (the caller has checked {@link DenseOps#fusesSgdUpdate})
     * each layer's weights take plain SGD's step in their gradient's product instead ({@link Dense#sgdStep}), dW not
     * stored; their dX is formed first, from W as it was.
     *
     * @throws IllegalStateException when no loss waits for its backward pass (none formed, or its backward done)
     */
    void backward(DenseOps ops, float sgdRate) {
        if (pendingX == null) {
            throw new IllegalStateException("no batch's loss is waiting for its backward pass");
        }
        float[] x = pendingX;
        int xOff = pendingXOff;
        int m = pendingRows;
        pendingX = null;
        for (int l = layers.length - 1; l >= 0; l--) {
            float[] in = l == 0 ? x : y[l - 1];
            int inOff = l == 0 ? xOff : 0;
            float[] dx = l > 0 ? dz[l - 1] : null; // dX goes into the previous layer's dz
            if (sgdRate > 0) {
                layers[l].sgdStep(ops, m, in, inOff, dz[l], dx, sgdRate);
            } else {
                layers[l].backward(ops, m, in, inOff, dz[l], dx);
            }
            if (l > 0) {
                layers[l - 1].activationBackward(ops, m, y[l - 1], dz[l - 1]); // dZ = dX ⊙ act'(Y), db
            }
        }
    }
}
