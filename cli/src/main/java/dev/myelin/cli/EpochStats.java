package dev.myelin.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What {@code train} knows about one epoch once it is over: the training loss, the learning rate it ran
 * with, how long its steps took and, when there is evaluation data, the loss and accuracy on it. One record
 * feeds the log line and the metrics file, so they cannot disagree.
 *
 * @param epoch         1-based
 * @param loss          mean training loss of the epoch (as the trainer reports it)
 * @param learningRate  the learning rate of the epoch's steps
 * @param seconds       wall time of the epoch's training steps, evaluation excluded
 * @param samples       rows trained on in the epoch
 * @param evaluated     whether there is evaluation data (the test loss may be NaN with it: a model whose outputs
 *                      are NaN on it; that is not the same as no evaluation)
 * @param testLoss      mean loss on the evaluation data (NaN without evaluation data)
 * @param testAccuracy  accuracy (0–1) on the evaluation data, or NaN without it or without classes
 */
record EpochStats(int epoch, double loss, double learningRate, double seconds, long samples, boolean evaluated,
                  double testLoss, double testAccuracy) {

    /** Training throughput of the epoch. */
    double samplesPerSecond() {
        return seconds > 0 ? samples / seconds : Double.NaN;
    }

    /**
     * The JSON object of this epoch; field names are the documented ones of {@code --log-format json}:
     * {@code test_loss} and {@code test_accuracy} are always there, null without evaluation data (and the
     * accuracy null where there are no classes); a non-finite loss is the string {@code "NaN"} or
     * {@code "Infinity"}, as for {@code loss}.
     */
    ObjectNode toJson(ObjectNode node) {
        node.put("epoch", epoch).put("loss", loss).put("lr", learningRate).put("seconds", seconds)
                .put("samples_per_sec", samplesPerSecond());
        if (evaluated()) {
            node.put("test_loss", testLoss);
        } else {
            node.putNull("test_loss");
        }
        if (!Double.isNaN(testAccuracy)) {
            node.put("test_accuracy", testAccuracy);
        } else {
            node.putNull("test_accuracy");
        }
        return node;
    }
}
