package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.nn.CheckpointFile;
import dev.myelin.nn.Dataset;
import dev.myelin.nn.Loss;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.Trainer;
import dev.myelin.nn.TrainingCheckpoint;
import dev.myelin.nn.TrainingConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Epoch-end checkpoints when a write fails: the run goes on, and later epochs try again. */
class CheckpointsTest {

    /**
     * A checkpoint that cannot be written at one epoch end (a full disk, here a folder in its place) is reported
     * once and tried again at the next checkpointed epochs; once the disk is freed the file holds the latest
     * epoch. It had stayed at the last epoch written before the failure for the rest of the run, so a later
     * kill lost every epoch since, and the finished run's file still said "did not finish".
     */
    /**
     * A wrapper over {@code vector} (whose dot products sum lanes in a tree as wide as the vectors) is recorded with
     * the width, as {@code vector} is, so that a resume at another width is refused; over another kernel, bare.
     */
    @Test
    void aWrapperOverVectorIsRecordedWithItsWidth() {
        dev.myelin.core.DenseKernel vector = dev.myelin.core.dispatch.KernelRegistry.get("vector");
        dev.myelin.core.DenseKernel mine = new dev.myelin.core.ForwardingKernel(vector) {
            @Override
            public String name() {
                return "mine";
            }
        };
        assertEquals("mine@" + ((dev.myelin.core.simd.VectorKernel) vector).bits(), Kernels.recorded(mine));
        dev.myelin.core.DenseKernel overScalar = new dev.myelin.core.ForwardingKernel(
                dev.myelin.core.dispatch.KernelRegistry.get("scalar")) {
            @Override
            public String name() {
                return "mine";
            }
        };
        assertEquals("mine", Kernels.recorded(overScalar));
    }

    @Test
    void aFailedCheckpointWriteIsTriedAgainAtTheNextEpoch(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.ckpt.json");
        int rows = 6;
        Dataset data = Dataset.classes(new float[rows * 2], rows, 2, new int[rows], 2);
        TrainingConfig config = new TrainingConfig(Loss.CE, 4, rows, 0.1f, 1);
        Mlp model = Mlp.of(new int[] {2, 2}, Activation.SIGMOID, Activation.SOFTMAX);
        TrainingCheckpoint state = new Trainer().fit(model, data, config, null).checkpoint();
        StringWriter errText = new StringWriter();
        Checkpoints checkpoints = new Checkpoints(file, 1, config, new PrintWriter(errText, true));

        checkpoints.atEpochEnd(1, 4, model, reuse -> state);
        assertEquals(1, checkpoints.fileEpoch());
        Files.delete(file);
        Files.createDirectory(file); // AtomicFile cannot replace a folder
        checkpoints.atEpochEnd(2, 4, model, reuse -> state);
        checkpoints.atEpochEnd(3, 4, model, reuse -> state);
        assertEquals(1, errText.toString().lines().filter(l -> l.contains("cannot write the checkpoint")).count(),
                errText.toString());
        assertTrue(errText.toString().contains("training goes on, and every later checkpoint is tried again (the"
                + " file holds the end of epoch 1)"), errText.toString());
        assertEquals(1, checkpoints.fileEpoch(), "what the file held last");

        Files.delete(file);
        checkpoints.atEpochEnd(4, 4, model, reuse -> state);
        assertEquals(4, checkpoints.fileEpoch());
        assertTrue(Files.isRegularFile(file));
        assertEquals(state.optimizer().step(), CheckpointFile.read(file).checkpoint().optimizer().step());
        assertTrue(errText.toString().contains("the checkpoint " + file + " is written again: it holds the end of"
                + " epoch 4"), errText.toString());
    }
}
