package dev.myelin.nn;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import dev.myelin.core.IndexRange;
import java.util.Objects;

/**
 * Trains an {@link Mlp} with an {@link Optimizer}: per step, a forward pass, the loss, the fused output head, the
 * backward pass through every layer and the update. The learning rate is set per epoch by the config's
 * {@link LrSchedule} (epoch e, 1-based, uses {@code schedule(lr0, e − 1)}). All arithmetic goes through the
 * {@link DenseOps} given at construction.
 *
 * <p>Batches: full batch (batch size 0, or at least the row count) uses all rows in file order, with no copy.
 * Otherwise every epoch shuffles the rows with {@link NumpyRandom}{@code (seed)} — the order of epoch e is the
 * e-th {@code np.random.permutation(rows)} after {@code np.random.seed(seed)} — and walks them in batches of
 * {@code batchSize}; the last, partial batch is used too. Batch rows are gathered into buffers allocated once.
 *
 * <p>After the first step a training step allocates nothing: activations and gradients live in a workspace
 * sized once for the batch size, and a partial batch uses the first rows of the same buffers.
 *
 * <p>Reliability: a {@link TrainingControl} stops a run at a step boundary with a {@link TrainingCheckpoint} that
 * resumes it to the same bits; every batch loss is checked for divergence before its update
 * ({@link TrainingDivergedException}); {@link CheckpointFile} saves a whole training state.
 */
public final class Trainer {

    private final DenseOps ops;

    /** A trainer doing all arithmetic with {@code ops} ({@code DenseOps.of("scalar")}, {@code DenseOps.defaults()}). */
    public Trainer(DenseOps ops) {
        this.ops = Objects.requireNonNull(ops, "ops is null");
    }

    /** A trainer using {@link DenseOps#defaults()}. */
    public Trainer() {
        this(DenseOps.defaults());
    }

    public DenseOps ops() {
        return ops;
    }

    /**
     * Trains {@code model} in place for {@code config.epochs()} epochs, or until the calling thread is interrupted
     * (a cancelled task): then it returns after the step in progress with {@link TrainingResult#stopped()} set.
     *
     * <p>The loss reported for epoch e (to {@code listener}, which may be null, after the epoch's updates; and as
     * {@link TrainingResult#finalLoss()} for the last epoch): full batch → the loss of that epoch's forward pass,
     * before its update (as the document prints it); mini-batch → the mean of the batch losses, weighted by batch
     * rows. Loss values come from {@link dev.myelin.core.Losses}.
     *
     * @throws IllegalArgumentException if the data does not fit the model (inputs, outputs), or the loss does not
     *                                  fit the model's output activation or the data: BCE needs a sigmoid last
     *                                  layer and targets in [0, 1]; CE needs a softmax last layer and class
     *                                  labels; MSE needs an elementwise last activation and targets
     */
    public TrainingResult fit(Mlp model, Dataset data, TrainingConfig config, EpochListener listener) {
        return fit(model, data, config, null, listener);
    }

    /**
     * {@link #fit(Mlp, Dataset, TrainingConfig, TrainingCheckpoint, EpochListener, TrainingControl)} without a
     * control: only an interrupt of the calling thread stops it early (then {@link TrainingResult#stopped()} is set;
     * check it before taking the model as trained).
     */
    public TrainingResult fit(Mlp model, Dataset data, TrainingConfig config, TrainingCheckpoint from,
                              EpochListener listener) {
        return fit(model, data, config, from, listener, null);
    }

    /**
     * Continues a run, and lets a caller stop it. {@code model} must hold the parameters it had at {@code from}
     * (the {@link TrainingResult#checkpoint()} of a run with the same data and config but fewer epochs, or of a
     * stopped one); the rest of the run, up to the end of epoch {@code config.epochs()}, is run as
     * {@link #fit(Mlp, Dataset, TrainingConfig, EpochListener)} would have run it, to the same bits (parameters and
     * reported losses). A checkpoint inside an epoch re-draws that epoch's permutation and skips its done batches.
     * {@code from} null means from the start.
     *
     * <p>{@code control} (may be null): once {@link TrainingControl#requestStop()} is called, the run stops after
     * the step in progress and returns with {@link TrainingResult#stopped()} set and a checkpoint of that step.
     * A stop in the last step of an epoch lets the listener see that epoch's {@code onEpoch} and gives an
     * epoch-boundary checkpoint; a stop in the very last step is a finished run. An interrupt of the calling
     * thread ({@link Thread#interrupt()}: how a task is cancelled) stops the run the same way, with or without a
     * control, and leaves the thread's interrupt flag set.
     *
     * @throws IllegalArgumentException    as the other {@code fit}; also if {@code from} leaves no epoch to run, holds
     *                                     another optimizer's state, lacks the shuffle stream a mini-batch run needs,
     *                                     or lies inside an epoch that this config's batches cannot reach
     * @throws TrainingDivergedException if a batch loss shows divergence (the rule is in that class); the model's
     *                                     parameters are then unusable
     */
    public TrainingResult fit(Mlp model, Dataset data, TrainingConfig config, TrainingCheckpoint from,
                              EpochListener listener, TrainingControl control) {
        Objects.requireNonNull(config, "config is null");
        check(model, data, config.loss());
        requireFinite(data);
        int rows = data.rows();
        boolean full = config.fullBatch(rows);
        int perEpoch = full ? 1 : (rows + config.batchSize() - 1) / config.batchSize();
        TrainingStep step = new TrainingStep(model, config.loss(), config.optimizer(), config.convention(),
                full ? rows : config.batchSize(), ops);
        Optimizer optimizer = step.optimizer();
        MiniBatches batches = full ? null : new MiniBatches(data, config.batchSize(), config.seed());
        EpochListener events = listener != null ? listener : (e, l) -> { };
        int done = 0;
        int skip = 0;
        double carried = 0;
        if (from != null) {
            if (from.epochs() >= config.epochs()) {
                throw new IllegalArgumentException("the checkpoint is after epoch " + from.epochs() + ", so --epochs "
                        + config.epochs() + " leaves nothing to run");
            }
            if (from.batches() >= perEpoch) {
                throw new IllegalArgumentException("the checkpoint is after batch " + from.batches() + " of epoch "
                        + (from.epochs() + 1) + ", but this run has " + perEpoch + (full ? " (full batch)" : "")
                        + " batches per epoch");
            }
            optimizer.restore(from.optimizer());
            if (batches != null) {
                if (from.shuffle() == null) {
                    throw new IllegalArgumentException("the checkpoint comes from a full-batch run, but --batch-size "
                            + config.batchSize() + " needs its shuffle stream");
                }
                batches.random.restore(from.shuffle());
            }
            done = from.epochs();
            skip = from.batches();
            carried = from.lossSum();
        }
        double loss = Double.NaN;
        // the loss at the start of the run, the divergence rule's baseline, carried over a resume
        double[] first = {from != null ? from.firstLoss() : Double.NaN};
        if (Double.isNaN(first[0])) {
            first[0] = startLoss(model, data, config.loss());
        }
        int[] finished = {done};
        // one per run
        CheckpointExport atBoundary = reuse -> boundary(finished[0], optimizer, batches, first[0], reuse);
        for (int epoch = done + 1; epoch <= config.epochs(); epoch++) {
            double lr = config.optimizer().learningRate(epoch - 1);
            events.onEpochStart(epoch, perEpoch);
            if (full) {
                loss = step.checkedLoss(data.features(), data.targets(), data.labels(), 0, rows);
                first[0] = Double.isNaN(first[0]) ? loss : first[0];
                TrainingDivergedException.check(config.loss(), loss, rows, first[0], epoch);
                step.checkedBackwardAndUpdate(lr);
                events.onBatch(epoch, 1, 1);
            } else {
                batches.shuffle(); // keeps the stream before it: where a stop inside this epoch resumes
                double sum = epoch == done + 1 ? carried : 0;
                double epochFirst = Double.NaN; // batch 1's loss: not known in an epoch resumed after it
                for (int b = epoch == done + 1 ? skip : 0; b < perEpoch; b++) {
                    int m = batches.gather(ops, b * config.batchSize());
                    double batchLoss = step.checkedLoss(batches.x, batches.t, batches.labels, 0, m);
                    first[0] = Double.isNaN(first[0]) ? batchLoss : first[0];
                    long seen = (long) b * config.batchSize() + m; // this epoch's rows so far, this batch's included
                    epochFirst = b == 0 ? batchLoss : epochFirst;
                    TrainingDivergedException.check(config.loss(), batchLoss, m, (sum + m * batchLoss) / seen, seen,
                            b + 1 == perEpoch, epochFirst, first[0], epoch, b + 1);
                    sum += m * batchLoss;
                    step.checkedBackwardAndUpdate(lr);
                    events.onBatch(epoch, b + 1, perEpoch);
                    if (b + 1 < perEpoch && stopRequested(control)) {
                        TrainingCheckpoint here = new TrainingCheckpoint(epoch - 1, b + 1, sum,
                                optimizer.exportState(), batches.epochStart(), first[0]);
                        // loss: the last epoch finished here, or NaN
                        return new TrainingResult(loss, epoch - 1, here, true);
                    }
                }
                loss = sum / rows;
            }
            TrainingDivergedException.checkParameters(model, epoch, perEpoch);
            events.onEpoch(epoch, loss, lr);
            finished[0] = epoch;
            events.onEpochEnd(epoch, atBoundary);
            if (epoch < config.epochs() && stopRequested(control)) {
                return new TrainingResult(loss, epoch, boundary(epoch, optimizer, batches, first[0], null), true);
            }
        }
        return new TrainingResult(loss, config.epochs(), boundary(config.epochs(), optimizer, batches, first[0], null));
    }

    /**
     * A stop asked through {@code control} (may be null), or an interrupt of the training thread: a cancelled task
     * (a Spark task killed, an executor shut down) stops as a requested stop does. The flag is read, not cleared,
     * so the caller still sees it.
     */
    private static boolean stopRequested(TrainingControl control) {
        return control != null && control.stopRequested() || Thread.currentThread().isInterrupted();
    }

    /**
     * The divergence rule's baseline ({@link TrainingDivergedException}): the model's mean loss, before any update,
     * over the first {@code MIN_ROWS} rows of the data (all of them when fewer), as many rows as the rule judges at
     * once. A first batch of a few rows would not do: one row the start already gets right (a loss near 0, against
     * which any saturated mean looks like divergence) or one far off. One forward pass of at most 256 rows, once a
     * run; the data as training sees it (the model's own input scaling is not applied, as the steps do not apply
     * it). NaN when that loss is not finite; the loop then takes its first batch's loss, which a non-finite one
     * stops at once.
     */
    private double startLoss(Mlp model, Dataset data, Loss loss) {
        int n = Math.min(TrainingDivergedException.MIN_ROWS, data.rows());
        double start = Evaluation.of(model.withInputScaling(null), data.firstRows(n), loss, ops).loss();
        return Double.isFinite(start) ? start : Double.NaN;
    }

    /** The checkpoint at the end of epoch {@code epochs}, in {@code reuse}'s arrays where they fit (may be null). */
    private static TrainingCheckpoint boundary(int epochs, Optimizer optimizer, MiniBatches batches,
                                               double firstLoss, TrainingCheckpoint reuse) {
        return new TrainingCheckpoint(epochs, optimizer.exportState(reuse == null ? null : reuse.optimizer()),
                batches == null ? null : batches.random.state(), firstLoss);
    }

    /**
     * The full-batch loss of {@code model} on {@code data} and, left in every layer's
     * {@link Dense#weightGradient()} and {@link Dense#biasGradient()}, its gradient under {@code convention};
     * the parameters are not changed. Checks as {@link #fit} does.
     */
    public double computeGradients(Mlp model, Dataset data, Loss loss, GradientConvention convention) {
        Objects.requireNonNull(loss, "loss is null");
        Objects.requireNonNull(convention, "convention is null");
        check(model, data, loss);
        ForwardBackward ws = new ForwardBackward(model, data.rows(), true);
        return ws.lossAndGradients(ops, data.features(), 0, data.targets(), data.labels(), 0, data.rows(), loss,
                convention);
    }

    /**
     * Training data must be finite: a NaN or infinite feature (or mse target) makes every loss it touches NaN, and
     * the run would stop as diverged, blaming the learning rate. (Prediction and evaluation take such rows and give
     * NaN for them.) Named by row and column, from 1.
     */
    private static void requireFinite(Dataset data) {
        requireFiniteFeatures(data, "the training data", "training");
        if (!data.hasLabels()) {
            float[] t = data.targets();
            int i = NonFinite.first(t, 0, t.length);
            if (i >= 0) {
                throw new IllegalArgumentException("the training data's target at " + NonFinite.place(i,
                        data.outputs()) + " is " + t[i] + "; training needs finite targets");
            }
        }
    }

    /**
     * Every feature of {@code data} is finite; else names the first other one by row and column, from 1, in
     * {@code dataName} ("the training data"), and what needs them finite ({@code use}: "training").
     */
    static void requireFiniteFeatures(Dataset data, String dataName, String use) {
        float[] x = data.features();
        int i = NonFinite.first(x, 0, x.length);
        if (i >= 0) {
            throw new IllegalArgumentException(dataName + "'s feature at " + NonFinite.place(i, data.inputs())
                    + " is " + x[i] + "; " + use + " needs finite inputs (remove the row or fill the value)");
        }
    }

    /** The checks of {@link #fit}: data shape against the model, loss against output activation and data. */
    static void check(Mlp model, Dataset data, Loss loss) {
        Objects.requireNonNull(model, "model is null");
        Objects.requireNonNull(data, "data is null");
        Objects.requireNonNull(loss, "loss is null");
        if (data.inputs() != model.inputs()) {
            throw new IllegalArgumentException("the data has " + data.inputs() + " inputs but the model has "
                    + model.inputs());
        }
        loss.requireOutput(Loss.outputOf(model));
        switch (loss) {
            case BCE -> {
                requireTargets(data, model, loss);
                Loss.requireProbabilities(data.targets(), 0, data.rows(), data.outputs(), "row");
            }
            case CE -> {
                if (!data.hasLabels()) {
                    throw new IllegalArgumentException("loss ce needs class labels, but the data has "
                            + columns(data.outputs(), "target"));
                }
                if (data.outputs() != model.outputs()) {
                    throw new IllegalArgumentException("the data has " + data.outputs() + " classes but the model has "
                            + model.outputs() + " outputs");
                }
                // the Dataset checked its labels when made, but it keeps the caller's array: checked again here,
                // so that a label changed since is named by its row in the data, not in a shuffled batch
                int[] labels = data.labels();
                for (int i = 0; i < data.rows(); i++) {
                    if (labels[i] < 0 || labels[i] >= data.outputs()) {
                        throw new IllegalArgumentException("the data's label of row " + (i + 1) + " is " + labels[i]
                                + ", outside [0, " + data.outputs() + ") (changed since the Dataset was made)");
                    }
                }
            }
            case MSE -> {
                requireTargets(data, model, loss);
            }
            default -> throw new AssertionError(loss);
        }
    }

    private static void requireTargets(Dataset data, Mlp model, Loss loss) {
        if (data.hasLabels()) {
            throw new IllegalArgumentException("loss " + loss.id() + " needs target columns, but the data has class"
                    + " labels");
        }
        if (data.outputs() != model.outputs()) {
            throw new IllegalArgumentException("the data has " + columns(data.outputs(), "target")
                    + " but the model has " + model.outputs() + " output" + (model.outputs() == 1 ? "" : "s"));
        }
    }

    /** "1 target column", "3 target columns". */
    private static String columns(int count, String kind) {
        return count + " " + kind + " column" + (count == 1 ? "" : "s");
    }

    /** Per-epoch shuffled row order and the reused buffers one mini-batch is gathered into. */
    private static final class MiniBatches {
        /** Rows per thread at least: a smaller batch is gathered on one thread (a wake-up costs more). */
        static final int GATHER_GRAIN = 32;

        final Dataset data;
        final int batchSize;
        final NumpyRandom random;
        final int[] order;
        final float[] x;
        final float[] t;
        final int[] labels;
        /** The stream before this epoch's shuffle, kept in a buffer allocated once. */
        final int[] startKey = new int[NumpyRandom.N];
        int startPosition;

        MiniBatches(Dataset data, int batchSize, long seed) {
            this.data = data;
            this.batchSize = batchSize;
            this.random = new NumpyRandom(seed);
            this.order = new int[data.rows()];
            this.x = new float[batchSize * data.inputs()];
            this.t = data.hasLabels() ? null : new float[batchSize * data.outputs()];
            this.labels = data.hasLabels() ? new int[batchSize] : null;
        }

        /** This epoch's order: {@code np.random.permutation(rows)}, continuing the stream of the last epoch. */
        void shuffle() {
            startPosition = random.saveTo(startKey);
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            random.shuffle(order);
        }

        /** The stream as of the start of the current epoch. */
        NumpyRandom.State epochStart() {
            return new NumpyRandom.State(startKey, startPosition);
        }

        /** The first of the rows being gathered; read by {@link #copyRows}, which runs on the kernel's threads. */
        private int gatherStart;
        /** {@link #copyRows} as a loop body, made once: a gather allocates nothing. */
        private final IndexRange copyRows = this::copyRows;

        /**
         * Copies the rows {@code order[start .. start+m)} into the batch buffers, on the threads of {@code ops}'s
         * kernel (each row is its own copy: the same buffers whatever the split); returns m.
         */
        int gather(DenseOps ops, int start) {
            int m = Math.min(batchSize, order.length - start);
            gatherStart = start;
            ops.parallelFor(m, GATHER_GRAIN, copyRows);
            return m;
        }

        private void copyRows(int from, int to) {
            int k = data.inputs();
            int n = data.outputs();
            for (int i = from; i < to; i++) {
                int r = order[gatherStart + i];
                System.arraycopy(data.features(), r * k, x, i * k, k);
                if (labels != null) {
                    labels[i] = data.labels()[r];
                } else {
                    System.arraycopy(data.targets(), r * n, t, i * n, n);
                }
            }
        }
    }
}
