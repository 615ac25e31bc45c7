package dev.myelin.nn;

/**
 * Thrown by {@link Trainer#fit} as soon as a batch loss shows that training diverged; the step that would follow
 * is not taken. The one place the rule and its constants live:
 * <ul>
 *   <li>any loss: NaN or ±∞;</li>
 *   <li>{@link Loss#CE} and {@link Loss#BCE}: a mean batch loss ≥ {@link #SATURATED_CROSS_ENTROPY} (25), that is, the
 *       right answer gets a probability below e⁻²⁵ on average, and above {@link #CROSS_ENTROPY_GROWTH} (4) times the
 *       loss at the start of the run (below). The loss stays finite where the outputs saturate (it is taken from the
 *       logits there, {@link LogitLoss}), so without the rule a run that a too large rate has thrown off would go
 *       on with a useless model. A run that starts that high (inputs not scaled, an initialisation far off) is not
 *       stopped for it: before any update the parameters are the caller's, and the output layer's gradient
 *       (P − T, from the logits) does not vanish where its outputs saturate, so such a run can come down (one
 *       unscaled input in [0, 1000]: from a first loss of 125 to 3.5 in ten epochs of plain SGD, DivergenceTest);</li>
 *   <li>{@link Loss#MSE}: a batch loss above {@link #MSE_GROWTH} (10⁶) times the loss at the start of the
 *       run, and above {@link #MSE_FLOOR} (10⁶) in absolute terms (so a near-perfect start does not make an
 *       ordinary loss look like an explosion).</li>
 * </ul>
 * The loss at the start of the run is the initial model's mean loss over the first {@link #MIN_ROWS} rows of the
 * data (all of them when fewer), before any update ({@link Trainer}): as many rows as the rule judges, so that one
 * easy or one hard row of a small first batch does not set the scale. A resumed run keeps it from the run it
 * continues ({@link TrainingCheckpoint#firstLoss()}), so it stops exactly where the uninterrupted run would.
 *
 * <p><b>Small batches are judged together.</b> The finite rules judge a mean over at least {@link #MIN_ROWS} rows:
 * a batch of fewer rows is judged by the mean of its epoch so far once that covers {@code MIN_ROWS} rows (or the
 * whole epoch, when the data set is smaller), since one hard row can have a loss far above 25 in a run that
 * recovers (PyTorch's run of the same steps does): a row at 998 tripped a window of 32 rows; over 256 it takes a
 * single row above 6 400. NaN and ±∞ stop at once, whatever the batch.
 *
 * <p>The model's parameters are garbage by then, and {@code fit} keeps no copy of earlier ones (that would cost
 * one more model and optimizer state in memory for every run). The last good state is the end of epoch
 * {@link #lastGoodEpoch()}: the last epoch end whose parameters did not take part in the judged loss. An epoch's
 * end state gives the next epoch's first batch, so when that batch is judged the good state is one epoch
 * earlier (with full batches always). A caller that saves checkpoints at epoch ends
 * ({@link EpochListener#onEpochEnd}) keeps the one of that epoch, which is not always the latest.
 */
public final class TrainingDivergedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * CE and BCE: a mean batch loss at or above this (−ln of the mean right-answer probability) is divergence, when
     * it is also above {@link #CROSS_ENTROPY_GROWTH} times the loss at the start of the run.
     */
    public static final double SATURATED_CROSS_ENTROPY = 25;
    /** CE and BCE: how many times the loss at the start of the run a loss of at least 25 must exceed to diverge. */
    public static final double CROSS_ENTROPY_GROWTH = 4;
    /** MSE: a batch loss above this many times the loss at the start is divergence (with {@link #MSE_FLOOR}). */
    public static final double MSE_GROWTH = 1e6;
    /** MSE: a batch loss at or below this is never divergence. */
    public static final double MSE_FLOOR = 1e6;
    /** The fewest rows a finite rule judges a mean over (smaller batches are judged with their epoch so far). */
    public static final int MIN_ROWS = 256;

    private final int epoch;
    private final int batch;
    private final int firstJudgedBatch;
    private final double loss;

    TrainingDivergedException(String message, int epoch, int batch, int firstJudgedBatch, double loss) {
        super(message);
        this.epoch = epoch;
        this.batch = batch;
        this.firstJudgedBatch = firstJudgedBatch;
        this.loss = loss;
    }

    /** The 1-based epoch whose batch diverged. */
    public int epoch() {
        return epoch;
    }

    /** The 1-based batch within that epoch (1 for full batch). */
    public int batch() {
        return batch;
    }

    /**
     * 1 when the judged loss involves the state the previous epoch ended with (its first batch's loss broke the
     * rule, or is part of the judged mean and not known to pass alone), else {@link #batch()}; {@code batch() + 1}
     * when no loss was to blame but the parameters after the epoch's last update (batch {@link #batch()}) were
     * not finite.
     */
    public int firstJudgedBatch() {
        return firstJudgedBatch;
    }

    /** The mean loss that tripped the rule: the batch's, or its epoch's so far for a small batch; NaN for none. */
    public double loss() {
        return loss;
    }

    /**
     * The last epoch whose end state was good, 0 for the start of the run, −1 for none (the first loss of the
     * run already broke the rule): the epoch before this one, or the one before that when the judged mean
     * includes this epoch's first batch (computed from the previous epoch's end state).
     */
    public int lastGoodEpoch() {
        return firstJudgedBatch == 1 ? epoch - 2 : epoch - 1;
    }

    /**
     * Throws if the loss of batch {@code batch} of {@code epoch} breaks the rule above: {@code value} is the
     * batch's mean over its {@code rows} rows, {@code epochMean} the mean over the epoch's {@code epochRows} rows
     * so far (this batch's included), {@code lastOfEpoch} whether this batch ends the epoch, {@code epochFirst}
     * the loss of the epoch's first batch (NaN when not known: a run resumed inside the epoch), and
     * {@code first} the loss at the start of the run (above).
     *
     * <p>When the epoch's mean trips the rule, the previous epoch's end state (which computed the first batch)
     * counts as good if that first batch's loss alone did not break the rule.
     */
    static void check(Loss lossFn, double value, int rows, double epochMean, long epochRows, boolean lastOfEpoch,
                      double epochFirst, double first, int epoch, int batch) {
        if (!Double.isFinite(value)) {
            throw diverged(lossFn, value, first, epoch, batch, batch, "");
        }
        if (rows >= MIN_ROWS || lastOfEpoch && epochRows == rows) { // enough rows, or the whole epoch (full batch)
            if (breaks(lossFn, value, first)) {
                throw diverged(lossFn, value, first, epoch, batch, batch, "");
            }
        } else if ((epochRows >= MIN_ROWS || lastOfEpoch) && breaks(lossFn, epochMean, first)) {
            int judgedFrom = batch == 1 || !(Double.isFinite(epochFirst) && !breaks(lossFn, epochFirst, first))
                    ? 1 : batch;
            throw diverged(lossFn, epochMean, first, epoch, batch, judgedFrom, " (the mean of the epoch's " + epochRows
                    + " rows so far: batches of fewer than " + MIN_ROWS + " rows are judged together)");
        }
    }

    /**
     * Throws if a parameter of {@code model} is NaN or infinite after the last update of {@code epoch} (its batch
     * {@code batches}). Within an epoch the next batch's loss shows such parameters; after the epoch's last update
     * (and the run's last of all) nothing else would, and the run would end with a useless model.
     */
    static void checkParameters(Mlp model, int epoch, int batches) {
        for (Dense d : model.layers()) {
            if (!allFinite(d.weights()) || !allFinite(d.bias())) {
                throw new TrainingDivergedException("the parameters are not finite after the last update of epoch "
                        + epoch + " (batch " + batches + "): training diverged (the parameters overflowed); try a"
                        + " smaller learning rate (--lr) or scale the inputs. The parameters are no longer usable;"
                        + " the last good state is " + (epoch == 1 ? "the start of the run" : "the end of epoch "
                        + (epoch - 1)) + ".", epoch, batches, batches + 1, Double.NaN);
            }
        }
    }

    private static boolean allFinite(float[] v) {
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    /** Full batch: the batch is the epoch. */
    static void check(Loss lossFn, double value, int rows, double first, int epoch) {
        check(lossFn, value, rows, value, rows, true, value, first, epoch, 1);
    }

    /**
     * Whether a finite mean loss breaks the rule: a saturated cross-entropy grown from the start, or an exploding
     * MSE. (A NaN first loss, which the trainer never passes, leaves the cross-entropy rule its floor alone.)
     */
    private static boolean breaks(Loss lossFn, double mean, double first) {
        return lossFn == Loss.MSE ? mean > MSE_FLOOR && mean > MSE_GROWTH * first
                : mean >= SATURATED_CROSS_ENTROPY && !(mean <= CROSS_ENTROPY_GROWTH * first);
    }

    private static TrainingDivergedException diverged(Loss lossFn, double value, double first, int epoch, int batch,
                                                      int firstJudgedBatch, String judged) {
        String where = " at epoch " + epoch + ", batch " + batch + judged;
        String reason;
        if (!Double.isFinite(value)) {
            reason = epoch == 1 && batch == 1
                    ? "the loss is " + value + where + ", before any update: the data or the initial parameters hold"
                    + " NaN or infinite values, or the inputs are so large that the outputs overflow; check the data"
                    + " and scale the inputs"
                    : "the loss is " + value + where + ": training diverged (the parameters overflowed); try a smaller"
                    + " learning rate (--lr) or scale the inputs";
        } else if (lossFn != Loss.MSE) {
            reason = "the mean " + lossFn.id() + " loss is " + value + where + ", at least " + SATURATED_CROSS_ENTROPY
                    + " and more than " + CROSS_ENTROPY_GROWTH + " times the loss at the start of the run (" + first
                    + "): the"
                    + " right answer gets a probability below e^-25 on average, and the loss has grown since the"
                    + " start: training diverged; try a smaller learning rate (--lr) or scale the inputs";
        } else {
            reason = "the mse loss is " + value + where + ", more than " + MSE_GROWTH + " times the loss at the start"
                    + " of the run (" + first + "): training is exploding; try a smaller learning rate (--lr) or scale the"
                    + " inputs and targets";
        }
        int good = firstJudgedBatch == 1 ? epoch - 2 : epoch - 1;
        String lastGood = good < 0 ? "none: the run's first loss, before any update, already breaks the rule"
                : good == 0 ? "the start of the run" : "the end of epoch " + good;
        return new TrainingDivergedException(reason + ". The parameters are no longer usable; the last good state is "
                + lastGood + ".", epoch, batch, firstJudgedBatch, value);
    }
}
