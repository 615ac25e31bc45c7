package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code predict}: the header, the %.6f numbers, both formats, labelled files and their accuracy. */
class PredictCommandTest {

    /** Softmax over two classes: class 1 wins when the first input is larger (z = [−x0, x0]). */
    private static final String SOFTMAX = "{\"format\":\"myelin-model\",\"version\":1,\"layers\":[{\"type\":\"dense\","
            + "\"inputs\":2,\"outputs\":2,\"activation\":\"softmax\",\"weights\":[[-1,1],[0,0]],\"bias\":[0,0]}]}";
    /** y = 2·x0 + x1 − 1. */
    private static final String LINEAR = "{\"format\":\"myelin-model\",\"version\":1,\"layers\":[{\"type\":\"dense\","
            + "\"inputs\":2,\"outputs\":1,\"activation\":\"identity\",\"weights\":[[2],[1]],\"bias\":[-1]}]}";
    /** sigmoid(x0 − x1): above 0.5 when x0 > x1. */
    private static final String SIGMOID = "{\"format\":\"myelin-model\",\"version\":1,\"layers\":[{\"type\":\"dense\","
            + "\"inputs\":2,\"outputs\":1,\"activation\":\"sigmoid\",\"weights\":[[1],[-1]],\"bias\":[0]}]}";

    /** Two independent sigmoid outputs (two binary labels): y = [sigmoid(x0), sigmoid(x1)]. */
    private static final String TWO_SIGMOIDS = "{\"format\":\"myelin-model\",\"version\":1,\"layers\":[{\"type\":"
            + "\"dense\",\"inputs\":2,\"outputs\":2,\"activation\":\"sigmoid\",\"weights\":[[1,0],[0,1]],"
            + "\"bias\":[0,0]}]}";

    @TempDir
    Path dir;

    @Test
    void softmaxPrintsTheClassAndEveryProbability() throws IOException {
        Cli run = predict(SOFTMAX, "x0,x1\n1,0\n-1,0\n");
        assertEquals(0, run.exitCode(), run.transcript());
        assertEquals(List.of("class,p0,p1", "1,0.119203,0.880797", "0,0.880797,0.119203"), run.outLines());
    }

    @Test
    void aNumericHeaderIsSkippedWithHeaderAndPredictedWithout() throws IOException {
        // pandas names columns 0, 1: without --header such a first row is data
        Cli named = predict(SOFTMAX, "0,1\n1,0\n-1,0\n", "--header");
        assertEquals(0, named.exitCode(), named.transcript());
        assertEquals(List.of("class,p0,p1", "1,0.119203,0.880797", "0,0.880797,0.119203"), named.outLines());
        Cli unnamed = predict(SOFTMAX, "0,1\n1,0\n-1,0\n");
        assertEquals(4, unnamed.outLines().size(), unnamed.transcript());
        Cli labelled = predict(SIGMOID, "0,1,2\n1,0,1\n0,1,0\n", "--header");
        assertEquals(List.of("class,label,p1", "1,1,0.731059", "0,0,0.268941"), labelled.outLines());
        Cli both = predict(SIGMOID, "1,0\n", "--header", "--no-header");
        assertEquals(2, both.exitCode(), both.transcript());
        assertTrue(both.err().contains("--header and --no-header contradict each other"), both.transcript());
        Path m = Files.writeString(dir.resolve("sigmoid.json"), SIGMOID);
        Path d = Files.writeString(dir.resolve("eval.csv"), "0,1,2\n1,0,1\n0,1,0\n");
        Cli eval = Cli.run("eval", "--model", m.toString(), "--data", d.toString(), "--header");
        assertEquals(0, eval.exitCode(), eval.transcript());
        assertTrue(eval.out().contains("accuracy: 1.0000 (2/2)"), eval.transcript());
    }

    @Test
    void aNanOutputHasNoClassAndIsNeverRight() throws IOException {
        // h = (3e38·x0, −3e38·x1) overflows to (Inf, −Inf) for x = (2, 2); y = sigmoid(h0 + h1) = sigmoid(NaN)
        String nan = "{\"format\":\"myelin-model\",\"version\":1,\"layers\":[{\"type\":\"dense\",\"inputs\":2,"
                + "\"outputs\":2,\"activation\":\"identity\",\"weights\":[[3e38,0],[0,-3e38]],\"bias\":[0,0]},"
                + "{\"type\":\"dense\",\"inputs\":2,\"outputs\":1,\"activation\":\"sigmoid\",\"weights\":[[1],[1]],"
                + "\"bias\":[0]}]}";
        Cli run = predict(nan, "2,2,0\n2,2,1\n0,0,1\n");
        assertEquals(0, run.exitCode(), run.transcript());
        assertEquals(List.of("class,label,p1", "NaN,0,NaN", "NaN,1,NaN", "1,1,0.500000"), run.outLines());
        assertTrue(run.err().contains("accuracy 1/3 rows right"), "a NaN row is not class 0, so not right: "
                + run.transcript());
        Cli json = predict(nan, "2,2\n", "--format", "json");
        assertEquals("{\"class\":null,\"probability\":null}", json.outLines().get(0));
    }

    @Test
    void jsonIsOneObjectPerLine() throws IOException {
        Cli run = predict(SOFTMAX, "1,0\n-1,0\n", "--format", "json");
        assertEquals(0, run.exitCode(), run.transcript());
        assertEquals(2, run.outLines().size(), run.transcript());
        JsonNode first = new ObjectMapper().readTree(run.outLines().get(0));
        assertEquals(1, first.get("class").intValue());
        assertEquals(0.880797, first.get("probabilities").get(1).doubleValue(), 1e-9);
        assertEquals("{\"class\":0,\"probabilities\":[0.880797,0.119203]}", run.outLines().get(1));
    }

    /**
     * A pipe holds either layout too: its bytes are spooled, so the columns can be counted before the rows are read
     * (it had been read as features only, and a labelled one refused). A mistake in it names the pipe.
     */
    @Test
    void aPipeIsReadInEitherLayout() throws Exception {
        Path model = Files.writeString(dir.resolve("pipe-model.json"), SIGMOID);
        java.util.Set<String> spoolsBefore = spools();
        String[] texts = {"a,b,y\n1,0,1\n0,1,0\n0,2,1\n", "1,0\n0,1\n", "1,0,1\n0,x,0\n"};
        for (int t = 0; t < texts.length; t++) {
            Path fifo = dir.resolve("pipe" + t);
            org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start()
                    .waitFor() == 0, "mkfifo works here");
            String text = texts[t];
            Thread writer = new Thread(() -> {
                try {
                    Files.writeString(fifo, text); // blocks until predict opens the pipe
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.setDaemon(true); // a predict that never opens the pipe must not keep the test JVM waiting
            writer.start();
            Cli run = Cli.run("predict", "--model", model.toString(), "--data", fifo.toString());
            writer.join(60_000);
            switch (t) {
                case 0 -> {
                    assertEquals(0, run.exitCode(), run.transcript());
                    assertEquals(List.of("class,label,p1", "1,1,0.731059", "0,0,0.268941", "0,1,0.119203"),
                            run.outLines());
                    assertTrue(run.err().contains("myelin: accuracy 2/3 rows right"), run.transcript());
                }
                case 1 -> {
                    assertEquals(0, run.exitCode(), run.transcript());
                    assertEquals(List.of("class,p1", "1,0.731059", "0,0.268941"), run.outLines());
                }
                default -> {
                    assertEquals(Main.USER_ERROR, run.exitCode(), run.transcript());
                    assertTrue(run.err().startsWith("myelin: " + fifo + ":2: column 2: 'x' is not a number"),
                            run.transcript());
                }
            }
        }
        assertEquals(spoolsBefore, spools(), "every spooled copy is deleted");
    }

    /** A device is read as it is, not spooled: /dev/zero is "not a text file" at once, not gigabytes in /tmp. */
    @Test
    void aDeviceIsReadAsItIsNotSpooled() throws IOException {
        Path model = Files.writeString(dir.resolve("device-model.json"), SIGMOID);
        java.util.Set<String> before = spools();
        Cli run = Cli.run("predict", "--model", model.toString(), "--data", "/dev/zero");
        assertEquals(Main.USER_ERROR, run.exitCode(), run.transcript());
        assertTrue(run.err().startsWith("myelin: /dev/zero: not a text file (a zero byte at offset 0)"),
                run.transcript());
        assertEquals(before, spools());
    }

    /** The names of predict's spooled copies in the temporary directory. */
    private static java.util.Set<String> spools() throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("myelin-predict-"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    @Test
    void aTrainingFileGetsALabelColumnAndTheAccuracyOnStderr() throws IOException {
        Cli run = predict(SIGMOID, "a,b,y\n1,0,1\n0,1,0\n0,2,1\n");
        assertEquals(0, run.exitCode(), run.transcript());
        assertEquals(List.of("class,label,p1", "1,1,0.731059", "0,0,0.268941", "0,1,0.119203"), run.outLines());
        assertEquals("myelin: accuracy 2/3 rows right (66.67%, threshold 0.5)" + System.lineSeparator(),
                afterKernelLine(run.err()));
    }

    @Test
    void aSoftmaxTrainingFileIsReadWithItsClassColumn() throws IOException {
        Cli run = predict(SOFTMAX, "1,0,1\n-1,0,0\n2,0,0\n", "--format", "json");
        assertEquals(0, run.exitCode(), run.transcript());
        assertEquals("{\"class\":1,\"probabilities\":[0.119203,0.880797],\"label\":1}", run.outLines().get(0));
        assertTrue(run.err().contains("myelin: accuracy 2/3 rows right (66.67%, most probable class)"),
                run.transcript());
    }

    @Test
    void regressionPrintsValuesAndWithTargetsTheMeanSquaredError() throws IOException {
        Cli plain = predict(LINEAR, "1,1\n0,0.5\n");
        assertEquals(List.of("y", "2.000000", "-0.500000"), plain.outLines(), plain.transcript());
        Cli labelled = predict(LINEAR, "1,1,3\n0,0.5,-0.5\n");
        assertEquals(List.of("y,target", "2.000000,3.000000", "-0.500000,-0.500000"), labelled.outLines());
        assertTrue(labelled.err().contains("myelin: mean squared error 0.500000 over 2 rows"), labelled.transcript());
    }

    /**
     * A sigmoid model of several outputs is judged as eval judges it: its labels 0/1 each, its loss the mean bce
     * over every output, (log(1 + e⁻¹) + ln 2 + ln 2 + log(1 + e⁻²)) / 4 = 0.456621 (computed in Python).
     */
    @Test
    void severalSigmoidOutputsAreJudgedByTheirBceAsEvalDoes() throws IOException {
        Cli labelled = predict(TWO_SIGMOIDS, "1,0,1,0\n0,2,0,1\n");
        assertEquals(List.of("y1,y2,target1,target2", "0.731059,0.500000,1.000000,0.000000",
                "0.500000,0.880797,0.000000,1.000000"), labelled.outLines(), labelled.transcript());
        assertTrue(labelled.err().contains("myelin: loss (bce) 0.456621 over 2 rows"), labelled.transcript());
        Cli eval = Cli.run("eval", "--model", dir.resolve("model.json").toString(), "--data",
                dir.resolve("data.csv").toString());
        assertEquals(0, eval.exitCode(), eval.transcript());
        assertTrue(eval.out().contains("loss (bce): 0.456621"), eval.transcript());
        Cli half = predict(TWO_SIGMOIDS, "1,0,1,0\n0,2,0,0.5\n"); // a label is 0 or 1
        assertEquals(Main.USER_ERROR, half.exitCode(), half.transcript());
        assertTrue(half.err().contains("data.csv:2:"), half.transcript());
    }

    @Test
    void aModelWithAByteOrderMarkIsRead() throws IOException {
        Path model = Files.write(dir.resolve("bom.json"), ("\uFEFF" + SIGMOID).getBytes(StandardCharsets.UTF_8));
        Path data = Files.writeString(dir.resolve("x.csv"), "1,0\n");
        Cli run = Cli.run("predict", "--model", model.toString(), "--data", data.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        assertEquals(List.of("class,p1", "1,0.731059"), run.outLines());
    }

    private Cli predict(String model, String csv, String... more) throws IOException {
        Path m = Files.writeString(dir.resolve("model.json"), model);
        Path d = Files.writeString(dir.resolve("data.csv"), csv);
        String[] args = new String[4 + more.length];
        System.arraycopy(new String[] {"--model", m.toString(), "--data", d.toString()}, 0, args, 0, 4);
        System.arraycopy(more, 0, args, 4, more.length);
        String[] all = new String[args.length + 1];
        all[0] = "predict";
        System.arraycopy(args, 0, all, 1, args.length);
        return Cli.run(all);
    }

    /** stderr without the kernel line the first run in a JVM may log. */
    private static String afterKernelLine(String err) {
        return err.lines().filter(l -> !l.startsWith("myelin: kernel ") && !l.startsWith("Myelin kernel"))
                .map(l -> l + System.lineSeparator()).reduce("", String::concat);
    }
}
