package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import dev.myelin.nn.Dataset;
import dev.myelin.nn.Loss;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.TrainingConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@link TrainingMonitor}'s samples/s counts the rows this process trained, also in an epoch resumed mid-way. */
class TrainingMonitorTest {

    /** The samples an epoch line reports: samples_per_sec × seconds, which the JSON line gives. */
    private static double samplesOf(String jsonLine) throws Exception {
        JsonNode node = new ObjectMapper().readTree(jsonLine);
        return node.get("samples_per_sec").doubleValue() * node.get("seconds").doubleValue();
    }

    private static String epoch(int firstBatch, int batches) throws Exception {
        int rows = 1000; // 8 batches of 128, the last one 104 rows
        Dataset train = Dataset.classes(new float[rows * 2], rows, 2, new int[rows], 2);
        StringWriter out = new StringWriter();
        PrintWriter writer = new PrintWriter(out);
        PrintWriter err = new PrintWriter(new StringWriter());
        TrainingConfig config = new TrainingConfig(Loss.CE, 1, 128, 0.1f, 1);
        TrainingMonitor monitor = new TrainingMonitor(Mlp.of(new int[] {2, 2}, Activation.SIGMOID, Activation.SOFTMAX), train, null,
                Loss.CE, DenseOps.of("scalar"), 1, 128, new EpochLog(writer, LogFormat.JSON, 1, 1, true), null,
                ProgressDisplay.forTerminal(false), new Checkpoints(null, 1, config, err), err);
        monitor.onEpochStart(1, batches);
        Thread.sleep(5); // a measurable epoch time
        for (int b = firstBatch; b <= batches; b++) {
            monitor.onBatch(1, b, batches);
        }
        monitor.onEpoch(1, 0.5, 0.1);
        writer.flush();
        return out.toString().strip();
    }

    @Test
    void aWholeEpochCountsEveryRow() throws Exception {
        assertEquals(1000, samplesOf(epoch(1, 8)), 1e-6);
    }

    @Test
    void anEpochResumedAtBatch3CountsOnlyTheRowsItTrained() throws Exception {
        // batches 1 and 2 (256 rows) were trained before the stop; this process trains batches 3..8: 744 rows
        assertEquals(1000 - 2 * 128, samplesOf(epoch(3, 8)), 1e-6);
    }
}
