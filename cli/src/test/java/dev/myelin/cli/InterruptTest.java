package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.nn.CheckpointFile;
import dev.myelin.nn.ModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real signal to a training JVM: SIGTERM (what {@code kill} and service managers send) and SIGINT (Ctrl-C)
 * stop {@code train} after the step in progress; it writes a checkpoint, says where, and exits with
 * 128 + the signal. {@code --resume} from that checkpoint then ends with the same model, bit for bit, as a run
 * that was never stopped.
 *
 * <p>Robust to how the tests were started: the child gets default SIGINT and SIGTERM handling (coreutils'
 * {@code env --default-signal}), whatever the test JVM inherited. Robust to timing: the signal is sent once the child has printed its second epoch line (so it lands
 * during training, wherever that is), and the comparison run is the uninterrupted run to the same final epoch,
 * {@code stopped epoch + 2}, whatever that epoch turns out to be (a run may be resumed with more epochs).
 */
class InterruptTest {

    private static final Pattern WRITTEN = Pattern.compile("the training state is in (\\S+)\\. To continue: ");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"TERM", "INT"})
    void aSignalWritesACheckpointAndTheResumedRunEndsWithTheSameBits(String signal) throws Exception {
        Path data = writeData(dir.resolve("train.csv"));
        List<String> base = List.of("train", "--data", data.toString(), "--loss", "ce", "--layers", "12,32,3",
                "--activation", "tanh", "--optimizer", "adam", "--lr", "0.001", "--batch-size", "8", "--seed", "3");
        Path checkpoint = dir.resolve("run.ckpt.json");
        List<String> child = new ArrayList<>(base);
        child.addAll(List.of("--epochs", "1000000", "--checkpoint", checkpoint.toString()));

        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        Process process = startChild(child, out, err);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(out).contains("Epoch 2,") && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(process.isAlive(), "the child ended early:\n" + Files.readString(out) + Files.readString(err));
            int code = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).start().waitFor();
            assertEquals(0, code, "kill -" + signal);
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the child did not stop after SIG" + signal);
        } finally {
            process.destroyForcibly();
        }
        String transcript = "--- stdout ---\n" + tail(Files.readString(out)) + "\n--- stderr ---\n"
                + Files.readString(err);
        assertEquals(signal.equals("TERM") ? 143 : 130, process.exitValue(), transcript);
        Matcher m = WRITTEN.matcher(Files.readString(err));
        assertTrue(m.find(), transcript);
        assertEquals(checkpoint.toString(), m.group(1), transcript);
        assertTrue(Files.readString(err).contains("--resume " + checkpoint), "the message gives the command: "
                + transcript);
        // the model comes from the checkpoint: the command leaves out --layers, which a resume would ignore
        String command = Files.readString(err).substring(m.end()).lines().findFirst().orElseThrow();
        assertTrue(command.startsWith("myelin train --data ") && !command.contains("--layers"), transcript);

        int stopped = CheckpointFile.read(checkpoint).checkpoint().epochs();
        String epochs = String.valueOf(stopped + 2);
        Path resumed = dir.resolve("resumed.json");
        Cli resume = Cli.run(with(base, "--epochs", epochs, "--resume", checkpoint.toString(), "--save",
                resumed.toString()));
        assertEquals(0, resume.exitCode(), resume.transcript());
        Path straight = dir.resolve("straight.json");
        Cli uninterrupted = Cli.run(with(base, "--epochs", epochs, "--save", straight.toString()));
        assertEquals(0, uninterrupted.exitCode(), uninterrupted.transcript());
        assertEquals(Files.readString(straight), Files.readString(resumed),
                "resumed after SIG" + signal + " at epoch " + stopped + " vs never stopped");
        String lastLine = "Epoch " + epochs + ", Loss: ";
        assertEquals(line(uninterrupted.out(), lastLine), line(resume.out(), lastLine), "the same last loss");
    }

    /**
     * A run without a checkpoint file of its own, stopped by a signal, writes its state to a fallback file; its
     * metrics file then names that file, so a new run naming the same --metrics is refused with the resume that
     * continues it (the file had said "checkpoint": null, and a new run replaced the stopped run's epochs).
     */
    @Test
    void aStoppedRunsMetricsNameItsFallbackCheckpoint() throws Exception {
        Path data = writeData(dir.resolve("train.csv"));
        Path metrics = dir.resolve("stopped-metrics.json");
        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        Process process = startChild(List.of("train", "--data", data.toString(), "--loss", "ce", "--layers", "12,32,3",
                "--batch-size", "8", "--epochs", "1000000", "--metrics", metrics.toString()), out, err);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(out).contains("Epoch 2,") && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(process.isAlive(), "the child ended early:\n" + Files.readString(out) + Files.readString(err));
            assertEquals(0, new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).start().waitFor());
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the child did not stop");
        } finally {
            process.destroyForcibly();
        }
        String transcript = "--- stdout ---\n" + tail(Files.readString(out)) + "\n--- stderr ---\n"
                + Files.readString(err);
        assertEquals(143, process.exitValue(), transcript);
        Matcher m = WRITTEN.matcher(Files.readString(err));
        assertTrue(m.find(), transcript);
        Path fallback = dir.resolve(m.group(1)).toAbsolutePath().normalize(); // relative to the child's folder
        assertTrue(fallback.getFileName().toString().startsWith("myelin-checkpoint-"), transcript);
        String recorded = new com.fasterxml.jackson.databind.ObjectMapper().readTree(metrics.toFile())
                .get("checkpoint").asText();
        assertEquals(fallback.toString(), recorded, transcript);

        Cli fresh = Cli.run("train", "--epochs", "2", "--metrics", metrics.toString());
        assertEquals(Main.USER_ERROR, fresh.exitCode(), fresh.transcript());
        assertTrue(fresh.err().contains("Continue that run with --resume " + fallback), fresh.transcript());
    }

    /**
     * A signal after the last epoch, while {@code train} prints its summary, must not lose the trained model: it
     * is saved, then the run exits with 143 and says so. The signal is sent as soon as the summary's first line
     * is out; the summary then evaluates 60 000 rows, so it usually lands before the save. When the child was
     * faster (it had saved and exited), the run must simply have ended normally with the model saved: either way
     * the model is there, so the test cannot fail on timing.
     */
    @Test
    void aSignalAfterTheLastEpochStillSavesTheModel() throws Exception {
        Path data = writeData(dir.resolve("big.csv"), 60_000);
        Path model = dir.resolve("model.json");
        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        Process process = startChild(List.of("train", "--data", data.toString(), "--loss", "ce", "--layers",
                "12,64,3", "--batch-size", "60000", "--epochs", "1", "--per-class", "--save", model.toString()),
                out, err);
        boolean sent;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(out).contains("Trained ") && process.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            sent = new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).start().waitFor() == 0;
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the child did not end");
        } finally {
            process.destroyForcibly();
        }
        String transcript = "--- stdout ---\n" + tail(Files.readString(out)) + "\n--- stderr ---\n"
                + Files.readString(err);
        boolean caught = Files.readString(err).contains("SIGTERM: training has ended, saving the model first");
        if (sent && caught) {
            assertEquals(143, process.exitValue(), transcript);
            assertTrue(Files.readString(err).contains("SIGTERM after training had ended: the model was saved to "
                    + model + " first"), transcript);
        } else {
            assertEquals(0, process.exitValue(), "the signal came too late to matter, or not at all: "
                    + transcript);
        }
        assertTrue(Files.readString(out).contains("Model saved to " + model), transcript);
        assertEquals(3, ModelFile.read(model).sizes()[2], "the saved model reads back");
    }

    /**
     * {@code myelin ARGS} in a JVM with default SIGINT and SIGTERM handling: env resets them first, because a test
     * run started in the background by a non-interactive shell inherits an ignored SIGINT, which the JVM (rightly)
     * leaves ignored.
     */
    private Process startChild(List<String> args, Path out, Path err) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM", java,
                "--add-modules=jdk.incubator.vector", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        return builder.start();
    }

    private static Path writeData(Path file) throws IOException {
        return writeData(file, 300);
    }

    /** {@code rows} rows of 12 features, 3 classes (by the sign pattern of two features), seeded. */
    private static Path writeData(Path file, int rows) throws IOException {
        Random r = new Random(17);
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            for (int j = 0; j < 12; j++) {
                csv.append(j == 0 ? a : j == 1 ? b : r.nextGaussian()).append(',');
            }
            csv.append(a > 0 ? 0 : b > 0 ? 1 : 2).append('\n');
        }
        return Files.writeString(file, csv);
    }

    private static String[] with(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(Arrays.asList(more));
        return all.toArray(new String[0]);
    }

    private static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).map(TrainCommandTest::withoutTimes).findFirst()
                .orElse("(no line " + prefix + ")");
    }

    private static String tail(String s) {
        return s.length() <= 2000 ? s : "…" + s.substring(s.length() - 2000);
    }
}
