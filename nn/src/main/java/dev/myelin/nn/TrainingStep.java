package dev.myelin.nn;

import dev.myelin.core.DenseOps;
import java.util.ConcurrentModificationException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One training step of an {@link Mlp} on a mini-batch the caller holds: the forward pass, the loss, the backward
 * pass and the optimizer's update, with the buffers for up to {@code maxRows} rows allocated once, so that a step
 * allocates nothing. {@link Trainer#fit} runs its batches through one; a caller with a loop of its own (a task
 * over its share of the data, a benchmark, a schedule of its own) uses it directly:
 *
 * <pre>{@code
 * TrainingStep step = new TrainingStep(model, Loss.CE, OptimizerSpec.adam(1e-3), 128, DenseOps.defaults());
 * for (int start = 0; start < rows; start += 128) {
 *     int m = Math.min(128, rows - start);
 *     double loss = step.step(x, start * inputs, labels, start, m, 1e-3);
 * }
 * }</pre>
 *
 * <p>A step is {@link #gradients} (forward, loss and backward: every layer's {@link Dense#weightGradient()} and
 * {@link Dense#biasGradient()} overwritten, the parameters unchanged) followed by {@link #update} (the optimizer's
 * rule on the gradients the layers then hold), in bits; {@link #step} may fuse the two for plain SGD (below). The two halves can be called apart: to combine the gradients of
 * several workers, each computes {@code gradients} on its rows with a step over its own copy of the model and
 * exports them as one flat vector ({@link Mlp#copyGradientsTo}); the vectors, weighted by their rows under
 * {@link GradientConvention#MEAN} (worker i's by m<sub>i</sub>/Σm), are added up and set into the model that one
 * step updates ({@link Mlp#setGradients}); then {@code update}, and the new parameters go back to the workers
 * ({@link Mlp#copyParametersTo}, {@link Mlp#setParameters}). Under {@link GradientConvention#DOCUMENT_SUM} the
 * vectors are added unweighted. (With coupled weight decay the update adds λ·p into the gradient arrays, as {@link Optimizer}
 * says.) The arithmetic is
 * {@link DenseOps}', on its kernel's threads: the same bits for a given model, batch and thread count, and, on the
 * default kernel, for every thread count.
 *
 * <p>{@link #step} gives the bits of {@code gradients} then {@code update}, but with plain SGD (no weight decay) on a
 * kernel that can ({@link DenseOps#fusesSgdUpdate}: the default one for batches of up to 256 rows) it fuses each
 * layer's weight step into its gradient's product, {@code W −= lr·Xᵀ·dZ} as the product's tiles are stored: the
 * weight gradients are then not written, and a step saves the pass that reads them back (docs/training.md). Call
 * {@code gradients} where you need them.
 *
 * <p>What the step does not do: the rate is the caller's, given to every update (the optimizer's schedule,
 * {@link OptimizerSpec#learningRate(int)}, is for the caller to apply, as {@link Trainer} does per epoch); and the
 * rows are used as they are, not through the model's {@link Mlp#inputScaling()}: a model trained with
 * standardized inputs ({@code train --standardize}) is given rows already scaled
 * ({@link InputScaling#apply(float[], int)}), as training gave it.
 *
 * <p>An instance holds the model, its optimizer state and the step's buffers: it is used by one thread at a time.
 * A call of this object's methods that overlaps another thread's call of them is refused with a
 * {@link ConcurrentModificationException} before it touches anything (the buffers and the pending batch would
 * otherwise mix silently); other misuse is not detected: the model's or the optimizer's own methods called from
 * another thread during a step, or another thread's call between one thread's {@code gradients} and its
 * {@code update}. Threads that train side by side each take their own step and model, and may share one
 * {@link DenseOps}. Calls do not nest (a call from inside another, on the same thread, is refused as well). NaN
 * and infinite inputs are not refused by {@code gradients}: they make the loss NaN or infinite, which the caller
 * sees, or, an infinite input into a saturating activation, a finite loss with NaN weight gradients, which
 * {@code update} would then spread: only {@code step} guards against both. A {@code step} refuses a batch with a
 * non-finite input before anything is computed ({@link IllegalArgumentException} naming it), and one whose loss
 * comes out NaN or infinite updates nothing (a NaN gradient would otherwise reach every parameter and, through
 * Adam's moments, every later step): it throws, naming the first non-finite target
 * ({@link IllegalArgumentException}) or, where there is none, saying that the model's outputs overflow
 * ({@link IllegalStateException}); the parameters and the optimizer's state are as before the call.
 */
public final class TrainingStep {

    private final Mlp model;
    private final Loss loss;
    private final GradientConvention convention;
    private final Optimizer optimizer;
    private final DenseOps ops;
    private final int maxRows;
    private final ForwardBackward passes;
    /** The thread inside a call of this instance, or null: overlapping calls are refused ({@link #enter}). */
    private final AtomicReference<Thread> user = new AtomicReference<>();

    /** As the full constructor, with the gradient of the batch's mean loss ({@link GradientConvention#MEAN}). */
    public TrainingStep(Mlp model, Loss loss, OptimizerSpec optimizer, int maxRows, DenseOps ops) {
        this(model, loss, optimizer, GradientConvention.MEAN, maxRows, ops);
    }

    /**
     * A step for {@code model} (trained in place) under {@code loss}, updated by a new {@link Optimizer} of
     * {@code optimizer}'s rule, on batches of 1 to {@code maxRows} rows, with {@code ops}' kernel.
     *
     * @throws IllegalArgumentException if the loss does not fit the model's output layer ({@link Loss#requireOutput})
     *                                  or {@code maxRows} is below 1 or too large for a layer's buffer
     */
    public TrainingStep(Mlp model, Loss loss, OptimizerSpec optimizer, GradientConvention convention, int maxRows,
                        DenseOps ops) {
        this.model = Objects.requireNonNull(model, "model is null");
        this.loss = Objects.requireNonNull(loss, "loss is null");
        this.convention = Objects.requireNonNull(convention, "convention is null");
        this.ops = Objects.requireNonNull(ops, "ops is null");
        Objects.requireNonNull(optimizer, "optimizer is null");
        loss.requireOutput(Loss.outputOf(model));
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
        }
        this.maxRows = maxRows;
        this.optimizer = new Optimizer(optimizer, model);
        this.passes = new ForwardBackward(model, maxRows, true);
    }

    /** The model this step trains (its parameters change with every {@link #update}). */
    public Mlp model() {
        return model;
    }

    public Loss loss() {
        return loss;
    }

    /** The optimizer and its state (step count, moments): export it to save a run, restore it to go on with one. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The most rows a batch may have. */
    public int maxRows() {
        return maxRows;
    }

    /**
     * {@link #gradients(float[], int, int[], int, int)} then {@link #update} at rate {@code lr}; returns the batch's
     * mean loss (before the update). With plain SGD the weights' step may be fused into their gradients' products,
     * which are then not stored (the class comment).
     */
    public double step(float[] x, int xOff, int[] labels, int labelsOff, int m, double lr) {
        enter();
        try {
            Optimizer.requireRate(lr);
            requireLabels(x, xOff, labels, labelsOff, m);
            refuseNonFiniteInputs(x, xOff, m);
            double value = passes.lossAndOutputGradient(ops, x, xOff, null, labels, labelsOff, m, loss, convention);
            refuseNonFiniteLoss(value, null, 0, m);
            checkedBackwardAndUpdate(lr);
            return value;
        } finally {
            exit();
        }
    }

    /**
     * {@link #gradients(float[], int, float[], int, int)} then {@link #update} at rate {@code lr}; returns the
     * batch's mean loss (before the update). As for class labels, plain SGD's weight step may be fused into the
     * gradients' products.
     */
    public double step(float[] x, int xOff, float[] targets, int targetsOff, int m, double lr) {
        enter();
        try {
            Optimizer.requireRate(lr);
            requireTargets(x, xOff, targets, targetsOff, m);
            refuseNonFiniteInputs(x, xOff, m);
            double value = passes.lossAndOutputGradient(ops, x, xOff, targets, null, targetsOff, m, loss,
                    convention);
            refuseNonFiniteLoss(value, targets, targetsOff, m);
            checkedBackwardAndUpdate(lr);
            return value;
        } finally {
            exit();
        }
    }

    /**
     * Refuses a batch with a NaN or infinite input before anything is computed: an infinite input into a saturating
     * activation (sigmoid, tanh) leaves the loss finite, while its weights' gradients are ∞·0 = NaN, which the
     * update would spread into every parameter (a review's 4-8-3 model took 8 NaN parameters from one such row
     * with a loss of 1.21). One pass over the batch's m·k inputs, against the step's m·k·n and more.
     */
    private void refuseNonFiniteInputs(float[] x, int xOff, int m) {
        int count = m * model.inputs();
        if (NonFinite.allFinite(x, xOff, count)) {
            return;
        }
        int i = NonFinite.first(x, xOff, count);
        throw new IllegalArgumentException("x: the batch's " + NonFinite.place(i, model.inputs()) + " is "
                + x[xOff + i] + ", so nothing was updated (a step needs finite inputs: a non-finite one makes"
                + " gradients NaN even where a saturating activation keeps the loss finite)");
    }

    /**
     * Refuses a step whose loss is not finite, before anything is updated (the class comment): the first NaN or
     * infinite target, by row and column from 1; or, with none, the model's outputs overflowing. Costs nothing on a
     * finite loss: the targets are scanned only to say why.
     */
    private void refuseNonFiniteLoss(double value, float[] targets, int targetsOff, int m) {
        if (Double.isFinite(value)) {
            return;
        }
        String why = "the batch's loss is " + value + ", so nothing was updated";
        // the inputs were found finite before the forward (refuseNonFiniteInputs): a target, or an overflow
        int i = targets == null ? -1 : NonFinite.first(targets, targetsOff, m * model.outputs());
        if (i >= 0) {
            throw new IllegalArgumentException("targets: the batch's " + NonFinite.place(i, model.outputs()) + " is "
                    + targets[targetsOff + i] + "; " + why);
        }
        throw new IllegalStateException(why + ": its inputs and targets are finite, so the model's outputs overflow"
                + " (it has diverged; a smaller learning rate, or inputs on a smaller scale, keeps them finite)");
    }

    /**
     * Loss {@code ce}: the forward and backward pass of the m rows of {@code x} (row-major, the model's input count
     * to a row) from {@code xOff}, with their class labels {@code labels[labelsOff .. labelsOff+m)}, each in
     * [0, outputs). Leaves the gradients in the layers and returns the batch's mean loss.
     *
     * @throws IllegalArgumentException if the loss is not {@code ce}, m is outside [1, maxRows], an array is too
     *                                  short for its rows, or a label is out of range (named by its batch row)
     */
    public double gradients(float[] x, int xOff, int[] labels, int labelsOff, int m) {
        enter();
        try {
            requireLabels(x, xOff, labels, labelsOff, m);
            return passes.lossAndGradients(ops, x, xOff, null, labels, labelsOff, m, loss, convention);
        } finally {
            exit();
        }
    }

    /** The checks of {@link #gradients(float[], int, int[], int, int)}. */
    private void requireLabels(float[] x, int xOff, int[] labels, int labelsOff, int m) {
        if (loss != Loss.CE) {
            throw new IllegalArgumentException("loss " + loss.id() + " takes target columns (a float[] of m × "
                    + model.outputs() + "), not class labels");
        }
        requireBatch(x, xOff, m);
        Objects.requireNonNull(labels, "labels is null");
        requireRange("labels", labels.length, labelsOff, m, 1);
    }

    /**
     * Losses {@code bce} and {@code mse}: as {@link #gradients(float[], int, int[], int, int)} with the targets
     * {@code targets} (row-major, the model's output count to a row) from {@code targetsOff}, a float offset
     * (anywhere: as {@code xOff}, it need not be a multiple of the row length). For {@code bce} every target must
     * lie in [0, 1].
     */
    public double gradients(float[] x, int xOff, float[] targets, int targetsOff, int m) {
        enter();
        try {
            requireTargets(x, xOff, targets, targetsOff, m);
            return passes.lossAndGradients(ops, x, xOff, targets, null, targetsOff, m, loss, convention);
        } finally {
            exit();
        }
    }

    /** The checks of {@link #gradients(float[], int, float[], int, int)}. */
    private void requireTargets(float[] x, int xOff, float[] targets, int targetsOff, int m) {
        if (loss == Loss.CE) {
            throw new IllegalArgumentException("loss ce takes class labels (an int[] of m labels in [0, "
                    + model.outputs() + ")), not target columns");
        }
        requireBatch(x, xOff, m);
        Objects.requireNonNull(targets, "targets is null");
        int n = model.outputs();
        requireRange("targets", targets.length, targetsOff, m, n);
        if (loss == Loss.BCE) {
            Loss.requireProbabilities(targets, targetsOff, m, n, "the batch's row");
        }
    }

    /**
     * The first half of a step for data already checked against the model ({@link Trainer#check}): the forward pass
     * of the m rows from row {@code row} of {@code x} and of whichever of {@code targets} and {@code labels} the loss
     * reads, and the batch's mean loss (returned), nothing updated yet; {@link #checkedBackwardAndUpdate} finishes
     * the step. The trainer looks at the loss in between (a diverged batch updates nothing).
     */
    double checkedLoss(float[] x, float[] targets, int[] labels, int row, int m) {
        return passes.lossAndOutputGradient(ops, x, row * model.inputs(), targets, labels,
                targets != null ? row * model.outputs() : row, m, loss, convention);
    }

    /**
     * The second half of a step whose loss is formed ({@link #checkedLoss}, or the public {@code step}): the backward
     * pass and the update at rate lr. With plain SGD on a kernel that can ({@link DenseOps#fusesSgdUpdate}), each
     * layer's weight step is fused into its gradient's product (the weight gradients then not stored; the biases
     * updated after), else the gradients are stored and the optimizer steps on them (what {@link #update} does,
     * called directly: calls of this object do not nest). The same bits either way.
     *
     * <p>This half and {@link #checkedLoss} are not guarded against other threads as the public methods are
     * ({@link #enter}): the {@link Trainer}, their one caller, keeps its step to itself.
     *
     * @throws IllegalStateException when no loss waits for its backward pass
     */
    void checkedBackwardAndUpdate(double lr) {
        Optimizer.requireRate(lr); // before any weight moves
        float rate = (float) lr; // the float the SGD rule multiplies by
        if (optimizer.fusesWeights() && rate > 0 && ops.fusesSgdUpdate(passes.pendingRows())) {
            passes.backward(ops, rate);
            optimizer.stepWithoutWeights(lr, ops);
        } else {
            passes.backward(ops, 0f);
            optimizer.step(lr, ops);
        }
    }

    /**
     * The optimizer's update of every parameter from the gradients the layers hold, at rate {@code lr} (finite,
     * at least 0); the parameter arrays are cut into ranges on the kernel's threads. The gradients are whatever the
     * layers' gradient arrays hold: the last {@link #gradients} pass, values a caller wrote into them, or zeros on a
     * new model; each call is one step (Adam's step count and bias correction advance), as a PyTorch
     * {@code optimizer.step()} on zero gradients is.
     */
    public void update(double lr) {
        enter();
        try {
            optimizer.step(lr, ops);
        } finally {
            exit();
        }
    }

    /**
     * Marks this thread as inside a call, or refuses the call while another thread is inside one: the instance's
     * buffers, its pending batch and the model would be shared by both. A compare-and-set, nothing allocated.
     */
    private void enter() {
        Thread me = Thread.currentThread();
        if (!user.compareAndSet(null, me)) {
            Thread other = user.get();
            throw new ConcurrentModificationException("this TrainingStep is in a call on thread '"
                    + (other == null ? "?" : other.getName()) + "' while thread '" + me.getName() + "' calls it: a"
                    + " step, its model and optimizer are used by one thread at a time (give each thread its own"
                    + " TrainingStep and Mlp; they may share one DenseOps)");
        }
    }

    private void exit() {
        user.set(null);
    }

    private void requireBatch(float[] x, int xOff, int m) {
        if (m < 1 || m > maxRows) {
            throw new IllegalArgumentException("a batch of " + m + " rows; this step takes 1 to " + maxRows);
        }
        Objects.requireNonNull(x, "x is null");
        requireRange("x", x.length, xOff, m, model.inputs());
    }

    /** Rows {@code [off, off + rows·width)} of an array of {@code length} floats, in long arithmetic. */
    private static void requireRange(String operand, int length, int off, int rows, int width) {
        if (off < 0) {
            throw new IllegalArgumentException(operand + " offset " + off + " is negative");
        }
        long end = off + (long) rows * width;
        if (end > length) {
            throw new IllegalArgumentException(operand + ": " + rows + " rows of " + width + " from offset " + off
                    + " need " + end + " elements, but the array has " + length);
        }
    }
}
