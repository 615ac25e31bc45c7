package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.core.Activation;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.ModelFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A save that fails after training keeps the model in a fallback file and exits 3. The unwritable target is under
 * /proc, which refuses new files even to root (these tests run as root, where a read-only mode stops nothing).
 */
class SaveFallbackTest {

    private static final Path UNWRITABLE = Path.of("/proc/myelin-test-model.json");
    private static final Pattern FALLBACK = Pattern.compile("saved to (\\S+myelin-model-\\d{8}-\\d{6}(?:-\\d+)?\\.json)"
            + " instead \\(exit code 3\\)");

    @TempDir
    Path dir;

    @Test
    void trainWithAnUnwritableSaveWritesTheModelInTheWorkingDirectoryAndExitsThree() throws Exception {
        assumeTrue(Files.isDirectory(UNWRITABLE.getParent()), "/proc exists");
        ChildCli run = ChildCli.run(dir, Map.of(), "train", "--preset", "xor", "--epochs", "5", "--save",
                UNWRITABLE.toString());
        assertEquals(ModelSaver.NOT_SAVED, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("Trained 2→4 sigmoid"), "training ran: " + run.transcript());
        assertTrue(run.err().contains("myelin: cannot write " + UNWRITABLE + ": "), run.transcript());
        Matcher m = FALLBACK.matcher(run.err());
        assertTrue(m.find(), run.transcript());
        Path fallback = Path.of(m.group(1));
        assertEquals(dir.toRealPath(), fallback.getParent().toRealPath(), "in the working directory");
        assertEquals("2→4 sigmoid, 4→1 sigmoid", ModelFile.read(fallback).describe());
        assertFalse(run.err().contains("\tat "), run.transcript());
    }

    /**
     * A long but legal --save name (its .NAME.lock is past 255 bytes) is saved, checkpoint and all; one whose
     * derived checkpoint name is past 255 bytes is refused before training. Both had trained to the end and then
     * failed with exit 3, blaming "another run" for a lock this process held.
     */
    @Test
    void aLongSaveNameIsSavedAndOneTooLongForItsCheckpointIsRefusedFirst() throws IOException {
        Path data = Files.writeString(dir.resolve("x.csv"), "0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
        Path model = dir.resolve("m".repeat(245) + ".json");
        Cli saved = Cli.run("train", "--data", data.toString(), "--epochs", "3", "--save", model.toString());
        assertEquals(0, saved.exitCode(), saved.transcript());
        assertEquals("2→1 sigmoid", ModelFile.read(model).describe());
        assertTrue(Files.isRegularFile(dir.resolve("m".repeat(245) + ".ckpt.json")), saved.transcript());
        Path tooLong = dir.resolve("n".repeat(247) + ".json"); // its checkpoint's name: 257 bytes
        Cli refused = Cli.run("train", "--data", data.toString(), "--epochs", "3", "--save", tooLong.toString());
        assertEquals(Main.USER_ERROR, refused.exitCode(), refused.transcript());
        assertTrue(refused.err().contains("myelin: the checkpoint beside --save, " + dir.resolve("n".repeat(247)
                + ".ckpt.json") + ", would have a name of 257 bytes (UTF-8), more than the 255 a file name may have:"
                + " give a shorter --save, or name the checkpoint with --checkpoint FILE"), refused.transcript());
        assertFalse(refused.out().contains("Epoch"), "refused before training: " + refused.transcript());
        assertFalse(Files.exists(tooLong), refused.transcript());
    }

    /**
     * A run whose checkpoint cannot be written at its end does not end as a success: without --save the checkpoint
     * was the trained model's only file, so the model goes to the fallback file (exit 3); with --save the model is
     * there, and the exit code still says that something asked for was not written.
     */
    @Test
    void aCheckpointWhoseLastWriteFailsEndsTheRunWithThree() throws Exception {
        assumeTrue(Files.isDirectory(UNWRITABLE.getParent()), "/proc exists");
        Path checkpoint = UNWRITABLE.resolveSibling("myelin-test-checkpoint.json");
        ChildCli alone = ChildCli.run(dir, Map.of(), "train", "--preset", "xor", "--epochs", "3", "--checkpoint",
                checkpoint.toString());
        assertEquals(ModelSaver.NOT_SAVED, alone.exitCode(), alone.transcript());
        assertEquals(1, alone.err().lines().filter(l -> l.contains("cannot write the checkpoint")).count(),
                alone.transcript());
        assertTrue(alone.err().contains("myelin: the checkpoint " + checkpoint + " does not hold the end of training:"
                + " its last write failed (it holds no epoch end of this run); without --save it was the model's only"
                + " file"), alone.transcript());
        Matcher m = FALLBACK.matcher(alone.err());
        assertTrue(m.find(), alone.transcript());
        assertEquals("2→4 sigmoid, 4→1 sigmoid", ModelFile.read(Path.of(m.group(1))).describe());

        Path model = dir.resolve("with-save.json");
        ChildCli saved = ChildCli.run(dir, Map.of(), "train", "--preset", "xor", "--epochs", "3", "--checkpoint",
                checkpoint.toString(), "--save", model.toString());
        assertEquals(ModelSaver.NOT_SAVED, saved.exitCode(), saved.transcript());
        assertTrue(saved.out().contains("Model saved to " + model) && Files.exists(model), saved.transcript());
        assertTrue(saved.err().contains("its last write failed (it holds no epoch end of this run); the model is in "
                + model + " (exit code 3)"), saved.transcript());
        assertFalse(FALLBACK.matcher(saved.err()).find(), "no fallback: the model is where --save asked");
        assertFalse(alone.err().contains("\tat ") || saved.err().contains("\tat "), saved.transcript());
    }

    @Test
    void anUnwritableWorkingDirectoryFallsBackToTheNextDirectory() throws IOException {
        Mlp model = Mlp.of(new int[] {2, 1}, Activation.SIGMOID, Activation.SIGMOID);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ModelSaver.save(model, UNWRITABLE, new PrintWriter(out, true), new PrintWriter(err, true),
                List.of(UNWRITABLE.getParent(), dir));
        assertEquals(ModelSaver.NOT_SAVED, code, err.toString());
        List<Path> files = listing(dir);
        assertEquals(1, files.size(), err.toString());
        assertTrue(err.toString().contains("saved to " + files.get(0) + " instead"), err.toString());
        assertEquals("2→1 sigmoid", ModelFile.read(files.get(0)).describe());
        assertFalse(out.toString().contains("Model saved"), out.toString());
    }

    @Test
    void whenEveryFallbackFailsTheMessageSaysTheModelIsLost() {
        Mlp model = Mlp.of(new int[] {2, 1}, Activation.SIGMOID, Activation.SIGMOID);
        StringWriter err = new StringWriter();
        int code = ModelSaver.save(model, UNWRITABLE, new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                List.of(UNWRITABLE.getParent()));
        assertEquals(ModelSaver.NOT_SAVED, code);
        assertTrue(err.toString().contains("the trained model is lost"), err.toString());
    }

    @Test
    void aModelThatCannotBeWrittenAnywhereIsAUserErrorNotAFallback() {
        Mlp model = Mlp.of(new int[] {2, 1}, Activation.SIGMOID, Activation.SIGMOID);
        model.layers().get(0).weights()[0] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSaver.save(model,
                dir.resolve("m.json"), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                List.of(dir)));
        assertTrue(e.getMessage().contains("is NaN"), e.getMessage());
    }

    @Test
    void aFifoTargetIsRefusedBeforeTraining() throws Exception {
        Path fifo = dir.resolve("model.json");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "mkfifo works here");
        Cli run = Cli.run("train", "--save", fifo.toString());
        assertEquals(Main.USER_ERROR, run.exitCode(), run.transcript());
        assertTrue(run.err().startsWith("myelin: --save " + fifo + ": cannot write " + fifo + ": it is a FIFO"),
                run.transcript());
        assertFalse(run.out().contains("Epoch"), "no training: " + run.transcript());
    }

    @Test
    void aLinkIsWrittenThrough() throws IOException {
        Path real = dir.resolve("real.json");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), real.getFileName());
        Cli run = Cli.run("train", "--epochs", "1", "--save", link.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("2→1 sigmoid", ModelFile.read(real).describe());
    }

    private static List<Path> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }
}
