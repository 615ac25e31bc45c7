package dev.myelin.cli;

import dev.myelin.core.DenseOps;
import dev.myelin.nn.Dataset;
import dev.myelin.nn.EpochListener;
import dev.myelin.nn.Evaluation;
import dev.myelin.nn.Loss;
import dev.myelin.nn.Mlp;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What {@code train} does between epochs: times the epoch's steps (evaluation excluded), evaluates on the test
 * data when there is any, and hands one {@link EpochStats} to the log, the metrics file and the progress display.
 */
final class TrainingMonitor implements EpochListener {

    private final Mlp model;
    private final Dataset test;
    private final Loss loss;
    private final DenseOps ops;
    private final long samplesPerEpoch;
    private final int epochs;
    private final int batchesPerEpoch;
    private final EpochLog log;
    private final MetricsFile metrics;
    private final ProgressDisplay progress;
    private long epochStart;
    private Evaluation lastEvaluation;

    TrainingMonitor(Mlp model, Dataset train, Dataset test, Loss loss, DenseOps ops, int epochs, int batchSize,
                    EpochLog log, MetricsFile metrics, ProgressDisplay progress) {
        this.model = model;
        this.test = test;
        this.loss = loss;
        this.ops = ops;
        this.samplesPerEpoch = train.rows();
        this.epochs = epochs;
        this.batchesPerEpoch = batchSize <= 0 || batchSize >= train.rows() ? 1
                : (train.rows() + batchSize - 1) / batchSize;
        this.log = log;
        this.metrics = metrics;
        this.progress = progress;
    }

    /** Called right before training starts: the first epoch's clock. */
    void start(int firstEpoch) {
        progress.startEpoch(firstEpoch, epochs, batchesPerEpoch);
        epochStart = System.nanoTime();
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
        EpochStats stats = new EpochStats(epoch, trainLoss, learningRate, seconds, samplesPerEpoch, testLoss,
                testAccuracy);
        log.print(stats);
        if (metrics != null) {
            try {
                metrics.add(stats);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (epoch < epochs) {
            progress.startEpoch(epoch + 1, epochs, batchesPerEpoch);
        }
        epochStart = System.nanoTime();
    }

    /** The evaluation after the last epoch, or null without test data. */
    Evaluation lastEvaluation() {
        return lastEvaluation;
    }
}
