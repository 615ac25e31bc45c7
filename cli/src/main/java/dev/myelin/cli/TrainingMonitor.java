package dev.myelin.cli;

import dev.myelin.core.DenseOps;
import dev.myelin.nn.CheckpointExport;
import dev.myelin.nn.Dataset;
import dev.myelin.nn.EpochListener;
import dev.myelin.nn.Evaluation;
import dev.myelin.nn.Loss;
import dev.myelin.nn.Mlp;
import java.io.IOException;

/**
 * What {@code train} does around epochs and steps: times the epoch's steps (evaluation and checkpoint writing
 * excluded), evaluates on the test data when there is any, hands one {@link EpochStats} to the log and the
 * metrics file, moves the progress display, and writes the epoch-end checkpoints.
 */
final class TrainingMonitor implements EpochListener {

    private final Mlp model;
    private final Dataset test;
    private final Loss loss;
    private final DenseOps ops;
    private final long samplesPerEpoch;
    private final int epochs;
    private final EpochLog log;
    private final MetricsFile metrics;
    /** The first epoch the metrics file missed and why, while the file lacks epochs; null while it is whole. */
    private String metricsFailure;
    private final java.io.PrintWriter err;
    private final ProgressDisplay progress;
    private final Checkpoints checkpoints;
    private final int batchRows;
    private long epochStart;
    /** The first batch trained in the current epoch: above 1 in an epoch resumed in its middle. */
    private int firstBatch;
    private Evaluation lastEvaluation;

    /** {@code batchRows}: rows per mini-batch (the training rows for full batch). */
    TrainingMonitor(Mlp model, Dataset train, Dataset test, Loss loss, DenseOps ops, int epochs, int batchRows,
                    EpochLog log, MetricsFile metrics, ProgressDisplay progress, Checkpoints checkpoints,
                    java.io.PrintWriter err) {
        this.err = err;
        this.model = model;
        this.test = test;
        this.loss = loss;
        this.ops = ops;
        this.samplesPerEpoch = train.rows();
        this.batchRows = batchRows;
        this.epochs = epochs;
        this.log = log;
        this.metrics = metrics;
        this.progress = progress;
        this.checkpoints = checkpoints;
    }

    @Override
    public void onEpochStart(int epoch, int batches) {
        if (batches > 1) {
            progress.startEpoch(epoch, epochs, batches);
        }
        firstBatch = 0;
        epochStart = System.nanoTime();
    }

    @Override
    public void onBatch(int epoch, int batch, int batches) {
        if (firstBatch == 0) {
            firstBatch = batch;
        }
        progress.batchDone(batch);
    }

    @Override
    public void onEpoch(int epoch, double loss) {
        onEpoch(epoch, loss, Double.NaN);
    }

    @Override
    public void onEpoch(int epoch, double trainLoss, double learningRate) {
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        progress.endEpoch();
        double testLoss = Double.NaN;
        double testAccuracy = Double.NaN;
        if (test != null) {
            lastEvaluation = Evaluation.of(model, test, loss, ops);
            testLoss = lastEvaluation.loss();
            testAccuracy = lastEvaluation.accuracy();
        }
        // the rows trained in this process: an epoch resumed in its middle trained only its later batches
        long samples = firstBatch > 1 ? samplesPerEpoch - (long) (firstBatch - 1) * batchRows : samplesPerEpoch;
        EpochStats stats = new EpochStats(epoch, trainLoss, learningRate, seconds, samples, test != null,
                testLoss, testAccuracy);
        log.print(stats);
        if (metrics != null) {
            writeMetrics(epoch, stats);
        }
    }

    /**
     * Adds the epoch to the metrics file. A failed write (a full disk, a folder made read-only) is said once,
     * training goes on, and every later epoch tries again with all epochs so far: when one succeeds, the file is
     * whole again and the run's exit code does not suffer; when the last one fails, {@link #metricsFailure} says so.
     */
    private void writeMetrics(int epoch, EpochStats stats) {
        try {
            metrics.add(stats);
            if (metricsFailure != null) {
                err.println(Main.PREFIX + "note: the metrics file was written again after epoch " + epoch
                        + ": it holds every epoch so far");
                err.flush();
                metricsFailure = null;
            }
        } catch (IOException | RuntimeException e) { // the run itself is fine: say so once and go on
            if (metricsFailure == null) {
                // the first epoch the file lacks: epochs before this one may have waited for a write too (a
                // write is spaced by ten times its own duration), so it is what the file holds + 1, not this epoch
                metricsFailure = "epoch " + (metrics.held() + 1) + ": " + Main.userMessage(e);
                err.println(Main.PREFIX + "cannot write the metrics file: " + Main.userMessage(e)
                        + "; training goes on and tries again after each epoch; if the last try fails, the run ends"
                        + " with exit code " + ModelSaver.NOT_SAVED);
                err.flush();
            }
        }
    }

    @Override
    public void onEpochEnd(int epoch, CheckpointExport checkpoint) {
        checkpoints.atEpochEnd(epoch, epochs, model, checkpoint);
    }

    /** Why the metrics file lacks epochs (the first it missed and the error), or null while it is whole. */
    String metricsFailure() {
        return metricsFailure;
    }

    /** The evaluation after the last epoch, or null without test data. */
    Evaluation lastEvaluation() {
        return lastEvaluation;
    }
}
