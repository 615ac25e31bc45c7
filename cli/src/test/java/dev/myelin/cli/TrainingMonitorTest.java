package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TrainingMonitor}'s samples/s counts the rows this process trained, also in an epoch resumed mid-way; a
 * metrics file that could not be written is tried again after the next epoch.
 */
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

    /**
     * The metrics file's path is a folder during epochs 1 and 2 (the writes fail) and free in epoch 3: the failure is
     * said once and names epoch 1, the first one missed; epoch 3's write holds all three epochs and says the run
     * finished, and the run is not failed for it.
     */
    @Test
    void aMetricsFileThatFailsOnceIsWrittenWholeAtTheNextEpoch(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.json");
        Files.createDirectory(file); // AtomicFile cannot replace a folder
        int rows = 10;
        Dataset train = Dataset.classes(new float[rows * 2], rows, 2, new int[rows], 2);
        StringWriter errText = new StringWriter();
        PrintWriter err = new PrintWriter(errText, true);
        TrainingConfig config = new TrainingConfig(Loss.CE, 3, rows, 0.1f, 1);
        MetricsFile metrics = new MetricsFile(file, "2-2", "hash", "run", 3, null);
        TrainingMonitor monitor = new TrainingMonitor(Mlp.of(new int[] {2, 2}, Activation.SIGMOID,
                Activation.SOFTMAX), train, null, Loss.CE, DenseOps.of("scalar"), 3, rows,
                new EpochLog(new PrintWriter(new StringWriter()), LogFormat.JSON, 1, 3, true), metrics,
                ProgressDisplay.forTerminal(false), new Checkpoints(null, 1, config, err), err);
        monitor.onEpochStart(1, 1);
        monitor.onEpoch(1, 0.5, 0.1);
        assertNotNull(monitor.metricsFailure());
        assertTrue(monitor.metricsFailure().startsWith("epoch 1: "), monitor.metricsFailure());
        assertEquals(0, metrics.written());
        monitor.onEpochStart(2, 1);
        monitor.onEpoch(2, 0.4, 0.1); // the folder is still there: not said again, still epoch 1
        assertTrue(monitor.metricsFailure().startsWith("epoch 1: "), monitor.metricsFailure());
        assertEquals(1, errText.toString().lines().filter(l -> l.contains("cannot write the metrics file")).count(),
                errText.toString());

        Files.delete(file);
        monitor.onEpochStart(3, 1);
        monitor.onEpoch(3, 0.3, 0.1);
        assertNull(monitor.metricsFailure(), errText.toString());
        assertEquals(3, metrics.written());
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        assertEquals(3, root.get("epochs").size());
        assertTrue(root.get("finished").booleanValue(), root.toString());
        assertTrue(errText.toString().contains("the metrics file was written again after epoch 3"), errText.toString());
    }

    /**
     * A run of many short epochs does not rewrite the whole file after each (10 000 epochs of XOR with --metrics took
     * 62 s instead of 1.5): writes are spaced by ten times their own duration, the last epoch is always written,
     * and a flush (a run that stops) writes what is pending. 3 000 epochs added back to back give far fewer writes
     * than epochs (some dozens; half would mean an add as slow as a write, every time).
     */
    @Test
    void manyShortEpochsAreNotEachAWholeRewrite(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("many.json");
        int epochs = 3000;
        MetricsFile metrics = new MetricsFile(file, "2-2", "hash", "run", epochs, null);
        for (int e = 1; e < epochs; e++) {
            metrics.add(new EpochStats(e, 0.5, 0.1, 1e-4, 4, false, Double.NaN, Double.NaN));
        }
        assertTrue(metrics.writes() < epochs / 2, metrics.writes() + " writes for " + epochs + " epochs");
        metrics.flush();
        JsonNode stopped = new ObjectMapper().readTree(file.toFile());
        assertEquals(epochs - 1, stopped.get("epochs").size(), "a flush writes every epoch added");
        assertTrue(!stopped.get("finished").booleanValue());
        metrics.add(new EpochStats(epochs, 0.5, 0.1, 1e-4, 4, false, Double.NaN, Double.NaN));
        JsonNode done = new ObjectMapper().readTree(file.toFile());
        assertEquals(epochs, done.get("epochs").size(), "the last epoch is always written");
        assertTrue(done.get("finished").booleanValue());
    }
}
