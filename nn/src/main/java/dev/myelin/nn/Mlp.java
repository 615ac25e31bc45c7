package dev.myelin.nn;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A multi-layer perceptron: {@link Dense} layers applied in order, each layer's outputs feeding the next one's
 * inputs. Softmax is allowed on the last layer only (it is differentiated only through the cross-entropy head).
 *
 * <p><b>Threads.</b> {@link #predict} and {@link Evaluation#of} only read the parameters and work in buffers of
 * their own, so any number of threads may predict with one Mlp at once (with one {@link DenseOps} or several).
 * Training ({@link TrainingStep}, {@link Trainer#fit}) and the setters write the parameters: an Mlp that one thread
 * trains must not be read by another meanwhile (give it a {@link #copy()}, or exchange flat vectors through
 * {@link #copyParametersTo}).
 */
public final class Mlp {

    private final List<Dense> layers;
    private InputScaling inputScaling;
    private InputRange trainingInputs;

    /**
     * A network of the given layers (not copied: the Mlp uses these very objects).
     *
     * @throws IllegalArgumentException if the list is empty, a layer appears twice, sizes do not chain
     *                                  ("layer 2 has 3 inputs but layer 1 has 4 outputs"), or softmax is not last
     *                                  or has a single output
     */
    public Mlp(List<Dense> layers) {
        Objects.requireNonNull(layers, "layers is null");
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an MLP needs at least one layer");
        }
        for (int l = 0; l < layers.size(); l++) {
            Objects.requireNonNull(layers.get(l), "layer " + (l + 1) + " is null");
        }
        List<Dense> copy = List.copyOf(layers);
        for (int l = 0; l < copy.size(); l++) {
            Dense d = copy.get(l);
            for (int e = 0; e < l; e++) {
                if (copy.get(e) == d) {
                    throw new IllegalArgumentException("layer " + (l + 1) + " is the same Dense object as layer "
                            + (e + 1) + " (layers must not share parameters)");
                }
            }
            if (l > 0 && d.inputs() != copy.get(l - 1).outputs()) {
                throw new IllegalArgumentException("layer " + (l + 1) + " has " + d.inputs() + " inputs but layer "
                        + l + " has " + copy.get(l - 1).outputs() + " outputs");
            }
            if (d.activation() == Activation.SOFTMAX && l != copy.size() - 1) {
                throw new IllegalArgumentException("layer " + (l + 1) + " of " + copy.size()
                        + " has softmax activation, which is allowed on the last layer only");
            }
            if (d.activation() == Activation.SOFTMAX && d.outputs() < 2) {
                // a softmax over one output is 1 whatever the input: a classifier that cannot learn or predict
                throw new IllegalArgumentException("layer " + (l + 1) + " has softmax activation over "
                        + d.outputs() + " output, which is 1 whatever its input (softmax needs at least 2 classes)");
            }
        }
        this.layers = copy;
    }

    /**
     * Zero-initialised layers of the given widths: {@code sizes = {2, 4, 1}} is 2→4 with {@code hidden}, then 4→1
     * with {@code output}. Initialise the parameters with {@link Init#initialize(Mlp, long)}.
     */
    public static Mlp of(int[] sizes, Activation hidden, Activation output) {
        Objects.requireNonNull(sizes, "sizes is null");
        Objects.requireNonNull(hidden, "hidden activation is null");
        Objects.requireNonNull(output, "output activation is null");
        if (sizes.length < 2) {
            throw new IllegalArgumentException("an MLP needs at least two sizes (inputs and outputs), got "
                    + sizes.length);
        }
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] < 1) {
                throw new IllegalArgumentException("size " + (i + 1) + " of " + sizes.length
                        + " must be at least 1, got " + sizes[i]);
            }
        }
        List<Dense> list = new ArrayList<>();
        for (int l = 0; l + 1 < sizes.length; l++) {
            list.add(new Dense(sizes[l], sizes[l + 1], l + 2 == sizes.length ? output : hidden));
        }
        return new Mlp(list);
    }

    /** The layers, first to last (unmodifiable). */
    public List<Dense> layers() {
        return layers;
    }

    /** Inputs of the first layer. */
    public int inputs() {
        return layers.get(0).inputs();
    }

    /** Outputs of the last layer. */
    public int outputs() {
        return layers.get(layers.size() - 1).outputs();
    }

    /** The layer sizes, inputs first: {@code {2, 4, 1}} for 2→4→1, as {@link #of} takes them (a fresh array). */
    public int[] sizes() {
        int[] sizes = new int[layers.size() + 1];
        sizes[0] = inputs();
        for (int l = 0; l < layers.size(); l++) {
            sizes[l + 1] = layers.get(l).outputs();
        }
        return sizes;
    }

    /** The number of weights and biases. */
    public long parameterCount() {
        long count = 0;
        for (Dense d : layers) {
            count += (long) d.inputs() * d.outputs() + d.outputs();
        }
        return count;
    }

    // ------------------------------------------------------------------ the parameters as one flat vector

    /*
     * What a data-parallel trainer exchanges (a Spark task's gradients summed on the driver, the new parameters
     * broadcast back): every layer's weights then its bias, first layer to last, in one float[] that a
     * collective can add up or a broadcast can ship. The layers' own arrays stay where they are: these copy.
     */

    /**
     * Copies every parameter into {@code dst} from {@code offset}: layer 1's weights (row-major, inputs × outputs,
     * as {@link Dense#weights()}), its bias, then layer 2's, and so on; {@link #parameterCount()} values.
     *
     * @throws IllegalArgumentException if {@code dst} holds fewer than {@code offset + parameterCount()} values
     */
    public void copyParametersTo(float[] dst, int offset) {
        exchange("dst", dst, offset, true, Dense::weights, Dense::bias);
    }

    /** The inverse of {@link #copyParametersTo}: every parameter from {@code src}, in the same order. */
    public void setParameters(float[] src, int offset) {
        exchange("src", src, offset, false, Dense::weights, Dense::bias);
    }

    /**
     * Copies the gradients the last backward pass left ({@link Dense#weightGradient()}, {@link Dense#biasGradient()})
     * into {@code dst} from {@code offset}, in {@link #copyParametersTo}'s order.
     *
     * @throws IllegalStateException when that pass was a {@link TrainingStep#step} that fused plain SGD's weight step
     *                               into the products and so left no weight gradients ({@link TrainingStep#gradients}
     *                               leaves them)
     */
    public void copyGradientsTo(float[] dst, int offset) {
        Dense.requireWeightGradients(layers, "to copy");
        exchange("dst", dst, offset, true, Dense::weightGradient, Dense::biasGradient);
    }

    /**
     * Sets every layer's gradients from {@code src}, in {@link #copyParametersTo}'s order: e.g. several workers'
     * gradients combined, for one {@link TrainingStep#update} of this model.
     */
    public void setGradients(float[] src, int offset) {
        exchange("src", src, offset, false, Dense::weightGradient, Dense::biasGradient);
        for (Dense d : layers) {
            d.weightGradientSet();
        }
    }

    /** Copies each layer's {@code weights} then {@code bias} arrays into {@code flat} ({@code out}) or from it. */
    private void exchange(String name, float[] flat, int offset, boolean out, Function<Dense, float[]> weights,
                          Function<Dense, float[]> bias) {
        int at = requireFlat(name, flat, offset);
        for (Dense d : layers) { // nothing allocated: a data-parallel loop calls these every step
            at = move(weights.apply(d), flat, at, out);
            at = move(bias.apply(d), flat, at, out);
        }
    }

    private static int move(float[] layer, float[] flat, int at, boolean out) {
        if (out) {
            System.arraycopy(layer, 0, flat, at, layer.length);
        } else {
            System.arraycopy(flat, at, layer, 0, layer.length);
        }
        return at + layer.length;
    }

    /** Checks that {@code array} holds the flat vector from {@code offset}; returns {@code offset}. */
    private int requireFlat(String name, float[] array, int offset) {
        Objects.requireNonNull(array, name + " is null");
        long count = parameterCount();
        if (offset < 0 || offset + count > array.length) {
            throw new IllegalArgumentException(name + " must hold the model's " + count + " parameters from offset "
                    + offset + ", but it has " + array.length + " values" + (offset < 0 ? " (a negative offset)"
                    : ""));
        }
        return offset;
    }

    /** A deep copy of the parameters (same architecture, independent arrays, the same input scaling). */
    public Mlp copy() {
        List<Dense> list = new ArrayList<>(layers.size());
        for (Dense d : layers) {
            list.add(d.copy());
        }
        Mlp m = new Mlp(list);
        m.inputScaling = inputScaling;
        m.trainingInputs = trainingInputs;
        return m;
    }

    /**
     * The range of the inputs this model was last trained on, as the data reached it (before {@link #inputScaling()}),
     * or null when not known (a model built in code, or a file written before the range was kept): what
     * {@code predict} and {@code eval} compare new inputs with ({@link InputRange#farOutside}).
     */
    public InputRange trainingInputs() {
        return trainingInputs;
    }

    /** Sets (or, with null, forgets) the range of the training inputs. */
    public void setTrainingInputs(InputRange range) {
        this.trainingInputs = range;
    }

    /**
     * The standardisation the model's inputs get before the first layer, or null: fitted on the training set
     * ({@code train --standardize}), stored in the model file, and applied by {@link #predict} and
     * {@link Evaluation} to the raw inputs they are given. Training itself runs on data already scaled.
     */
    public InputScaling inputScaling() {
        return inputScaling;
    }

    /**
     * The same layers (shared, not copied) with {@code scaling} as the input scaling, this model left as it is: how
     * a model that trains on inputs scaled in advance is written with the scaling it needs at prediction time.
     */
    public Mlp withInputScaling(InputScaling scaling) {
        Mlp view = new Mlp(layers);
        view.setInputScaling(scaling);
        view.trainingInputs = trainingInputs;
        return view;
    }

    /** Sets (or, with null, removes) the input scaling; it must have one value per input. */
    public void setInputScaling(InputScaling scaling) {
        if (scaling != null && scaling.inputs() != inputs()) {
            throw new IllegalArgumentException("the input scaling has " + scaling.inputs() + " features but the model"
                    + " has " + inputs() + " inputs");
        }
        this.inputScaling = scaling;
    }

    /** The forward pass with {@link DenseOps#defaults()}; see {@link #predict(float[], int, DenseOps)}. */
    public float[] predict(float[] x, int rows) {
        return predict(x, rows, DenseOps.defaults());
    }

    /**
     * A new array {@code [rows×outputs]} of the network's outputs for {@code x [rows×inputs]}, row-major; with an
     * {@link #inputScaling()}, {@code x} is raw input, scaled in a copy ({@code x} is not changed). The rows go
     * through in equal chunks of at most {@link #PREDICT_CHUNK}, so the layers' activations take that many rows of
     * memory however many rows there are; a row's outputs do not depend on the chunking (the kernels' forward of a row
     * does not depend on the other rows of a call).
     */
    public float[] predict(float[] x, int rows, DenseOps ops) {
        Objects.requireNonNull(x, "x is null");
        Objects.requireNonNull(ops, "ops is null");
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be at least 1, got " + rows);
        }
        int k = inputs();
        int n = outputs();
        if ((long) rows * k != x.length) {
            throw new IllegalArgumentException("x has " + x.length + " values but " + rows + " rows × " + k
                    + " inputs = " + (long) rows * k);
        }
        if ((long) rows * n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(rows + " rows × " + n + " outputs = " + (long) rows * n + " values are"
                    + " more than one array holds (2³¹); predict fewer rows per call");
        }
        int chunk = ForwardBackward.equalBatch(rows, PREDICT_CHUNK);
        ForwardBackward ws = new ForwardBackward(this, chunk, false);
        float[] y = new float[rows * n];
        for (int start = 0; start < rows; start += chunk) {
            int m = Math.min(chunk, rows - start);
            System.arraycopy(ws.forwardRaw(ops, x, start * k, m), 0, y, start * n, m * n);
        }
        return y;
    }

    /** Rows per chunk of {@link #predict(float[], int, DenseOps)}: 4096 rows of 784-256-128-10 take 6 MiB. */
    static final int PREDICT_CHUNK = 4096;

    /** "2→4 sigmoid, 4→1 sigmoid". */
    public String describe() {
        return layers.stream().map(Dense::toString).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return "Mlp[" + describe() + "]";
    }
}
