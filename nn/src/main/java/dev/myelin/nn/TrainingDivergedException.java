package dev.myelin.nn;

/**
 * Thrown by {@link Trainer#fit} as soon as a batch loss shows that training diverged; the step that would follow
 * is not taken. The one place the rule and its constants live:
 * <ul>
 *   <li>any loss: NaN or ±∞;</li>
 *   <li>{@link Loss#CE} and {@link Loss#BCE}: a mean batch loss ≥ {@link #SATURATED_CROSS_ENTROPY} (25), that is, the
 *       right answer gets a probability below e⁻²⁵ on average. The outputs are saturated and their gradients
 *       vanish, so the run cannot recover, while the loss stays finite (taken from the logits where the outputs
 *       saturate, {@link LogitLoss}): without the rule such a run would go on with a useless model;</li>
 *   <li>{@link Loss#MSE}: a batch loss above {@link #MSE_GROWTH} (10⁶) times the first batch's loss of the
 *       run, and above {@link #MSE_FLOOR} (10⁶) in absolute terms (so a near-perfect start does not make an
 *       ordinary loss look like an explosion). A resumed run keeps the first batch's loss of the run it continues
 *       ({@link TrainingCheckpoint#firstLoss()}), so it stops exactly where the uninterrupted run would.</li>
 * </ul>
 *
 * <p>The model's parameters are garbage by then, and {@code fit} keeps no copy of earlier ones (that would cost
 * one more model and optimizer state in memory for every run). The last good state is the end of epoch
 * {@link #lastGoodEpoch()} (0: the start of the run, or the checkpoint it resumed from when that lay before epoch
 * 1 ended): a caller that saves checkpoints at epoch ends ({@link EpochListener#onEpochEnd}) keeps the one of that
 * epoch.
 */
public final class TrainingDivergedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** CE and BCE: a mean batch loss at or above this (−ln of the mean right-answer probability) is divergence. */
    public static final double SATURATED_CROSS_ENTROPY = 25;
    /** MSE: a batch loss above this many times the first batch's loss is divergence (with {@link #MSE_FLOOR}). */
    public static final double MSE_GROWTH = 1e6;
    /** MSE: a batch loss at or below this is never divergence. */
    public static final double MSE_FLOOR = 1e6;

    private final int epoch;
    private final int batch;
    private final double loss;

    TrainingDivergedException(String message, int epoch, int batch, double loss) {
        super(message);
        this.epoch = epoch;
        this.batch = batch;
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

    /** The batch loss that tripped the rule. */
    public double loss() {
        return loss;
    }

    /** The last epoch whose end state was good: {@code epoch() − 1} (0 = the start). */
    public int lastGoodEpoch() {
        return epoch - 1;
    }

    /**
     * Throws if {@code value}, the loss of batch {@code batch} of {@code epoch}, breaks the rule above;
     * {@code first} is the first batch loss of the {@code fit} call (used for MSE).
     */
    static void check(Loss lossFn, double value, double first, int epoch, int batch) {
        boolean saturated = lossFn != Loss.MSE && value >= SATURATED_CROSS_ENTROPY;
        boolean exploding = lossFn == Loss.MSE && value > MSE_FLOOR && value > MSE_GROWTH * first;
        if (Double.isFinite(value) && !saturated && !exploding) {
            return; // the common case allocates nothing
        }
        String where = " at epoch " + epoch + ", batch " + batch;
        String reason;
        if (!Double.isFinite(value)) {
            reason = epoch == 1 && batch == 1
                    ? "the loss is " + value + where + ", before any update: the data or the initial parameters hold"
                    + " NaN or infinite values, or the inputs are so large that the outputs overflow; check the data"
                    + " and scale the inputs"
                    : "the loss is " + value + where + ": training diverged (the parameters overflowed); try a smaller"
                    + " learning rate (--lr) or scale the inputs";
        } else if (saturated) {
            reason = "the mean " + lossFn.id() + " loss is " + value + where + ", at least " + SATURATED_CROSS_ENTROPY
                    + ": the right answer gets a probability below e^-25 on average, the outputs are saturated and"
                    + " training cannot recover; try a smaller learning rate (--lr) or scale the inputs";
        } else {
            reason = "the mse loss is " + value + where + ", more than " + MSE_GROWTH + " times the first batch's"
                    + " loss (" + first + "): training is exploding; try a smaller learning rate (--lr) or scale the"
                    + " inputs and targets";
        }
        String lastGood = epoch == 1 ? "the start of the run" : "the end of epoch " + (epoch - 1);
        throw new TrainingDivergedException(reason + ". The parameters are no longer usable; the last good state is "
                + lastGood + ".", epoch, batch, value);
    }
}
