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

/**
 * {@code predict}: the header, numbers in the shortest digits that read back to their float, both formats, labelled
 * files and their accuracy. Expected probabilities are the exact sigmoid and softmax values (to 17 digits, from
 * Python's math.exp), which the printed floats must match within 10⁻⁶ ({@link #assertTable}).
 */
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
        assertTable(List.of("class,p0,p1", "1,0.11920292202211755,0.8807970779778823", "0,0.8807970779778823,0.11920292202211755"), run.outLines());
    }

    @Test
    void aNumericHeaderIsSkippedWithHeaderAndPredictedWithout() throws IOException {
        // pandas names columns 0, 1: without --header such a first row is data
        Cli named = predict(SOFTMAX, "0,1\n1,0\n-1,0\n", "--header");
        assertEquals(0, named.exitCode(), named.transcript());
        assertTable(List.of("class,p0,p1", "1,0.11920292202211755,0.8807970779778823", "0,0.8807970779778823,0.11920292202211755"), named.outLines());
        Cli unnamed = predict(SOFTMAX, "0,1\n1,0\n-1,0\n");
        assertEquals(4, unnamed.outLines().size(), unnamed.transcript());
        Cli labelled = predict(SIGMOID, "0,1,2\n1,0,1\n0,1,0\n", "--header");
        assertTable(List.of("class,label,p1", "1,1,0.7310585786300049", "0,0,0.2689414213699951"), labelled.outLines());
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
        assertEquals(List.of("class,label,p1", "NaN,0,NaN", "NaN,1,NaN", "1,1,0.5"), run.outLines());
        assertTrue(run.err().contains("accuracy 1/3 rows right"), "a NaN row is not class 0, so not right: "
                + run.transcript());
        Cli json = predict(nan, "2,2\n", "--format", "json");
        assertEquals("{\"class\":null,\"probability\":\"NaN\"}", json.outLines().get(0));
    }

    @Test
    void jsonIsOneObjectPerLine() throws IOException {
        Cli run = predict(SOFTMAX, "1,0\n-1,0\n", "--format", "json");
        assertEquals(0, run.exitCode(), run.transcript());
        assertEquals(2, run.outLines().size(), run.transcript());
        JsonNode first = new ObjectMapper().readTree(run.outLines().get(0));
        assertEquals(1, first.get("class").intValue());
        assertEquals(0.8807970779778823, first.get("probabilities").get(1).doubleValue(), 1e-6);
        JsonNode second = new ObjectMapper().readTree(run.outLines().get(1));
        assertEquals(0, second.get("class").intValue());
        assertEquals(0.8807970779778823, second.get("probabilities").get(0).doubleValue(), 1e-6);
        assertEquals(0.11920292202211755, second.get("probabilities").get(1).doubleValue(), 1e-6);
        assertShortest(second.get("probabilities").get(1).asText());
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
                    assertTable(List.of("class,label,p1", "1,1,0.7310585786300049", "0,0,0.2689414213699951", "0,1,0.11920292202211755"),
                            run.outLines());
                    assertTrue(run.err().contains("myelin: accuracy 2/3 rows right"), run.transcript());
                }
                case 1 -> {
                    assertEquals(0, run.exitCode(), run.transcript());
                    assertTable(List.of("class,p1", "1,0.7310585786300049", "0,0.2689414213699951"), run.outLines());
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
        assertTable(List.of("class,label,p1", "1,1,0.7310585786300049", "0,0,0.2689414213699951", "0,1,0.11920292202211755"), run.outLines());
        assertEquals("myelin: accuracy 2/3 rows right (66.67%, threshold 0.5)" + System.lineSeparator(),
                afterKernelLine(run.err()));
    }

    @Test
    void aSoftmaxTrainingFileIsReadWithItsClassColumn() throws IOException {
        Cli run = predict(SOFTMAX, "1,0,1\n-1,0,0\n2,0,0\n", "--format", "json");
        assertEquals(0, run.exitCode(), run.transcript());
        JsonNode first = new ObjectMapper().readTree(run.outLines().get(0));
        assertEquals(1, first.get("class").intValue());
        assertEquals(1, first.get("label").intValue());
        assertEquals(0.11920292202211755, first.get("probabilities").get(0).doubleValue(), 1e-6);
        assertEquals(0.8807970779778823, first.get("probabilities").get(1).doubleValue(), 1e-6);
        assertTrue(run.err().contains("myelin: accuracy 2/3 rows right (66.67%, most probable class)"),
                run.transcript());
    }

    @Test
    void regressionPrintsValuesAndWithTargetsTheMeanSquaredError() throws IOException {
        Cli plain = predict(LINEAR, "1,1\n0,0.5\n");
        assertEquals(List.of("y", "2.0", "-0.5"), plain.outLines(), plain.transcript());
        Cli labelled = predict(LINEAR, "1,1,3\n0,0.5,-0.5\n");
        assertEquals(List.of("y,target", "2.0,3.0", "-0.5,-0.5"), labelled.outLines());
        assertTrue(labelled.err().contains("myelin: mean squared error 0.500000 over 2 rows"), labelled.transcript());
    }

    /**
     * A sigmoid model of several outputs is judged as eval judges it: its labels 0/1 each, its loss the mean bce
     * over every output, (log(1 + e⁻¹) + ln 2 + ln 2 + log(1 + e⁻²)) / 4 = 0.456621 (computed in Python).
     */
    @Test
    void severalSigmoidOutputsAreJudgedByTheirBceAsEvalDoes() throws IOException {
        Cli labelled = predict(TWO_SIGMOIDS, "1,0,1,0\n0,2,0,1\n");
        assertTable(List.of("y1,y2,target1,target2", "0.7310585786300049,0.5,1.0,0.0", "0.5,0.8807970779778823,0.0,1.0"),
                labelled.outLines());
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
        assertTable(List.of("class,p1", "1,0.7310585786300049"), run.outLines());
    }

    /**
     * Small and huge outputs keep their digits (a fixed six decimals had printed 4e-7 as 0.000000), every float reads
     * back to itself, and the infinities are kept: as text in CSV, as strings in JSON, which has no such numbers.
     * y = x0 + 3e38·x1, exact for these rows: 4e-07 is the float nearest 4·10⁻⁷, written as numpy writes it.
     */
    @Test
    void everyOutputKeepsItsDigitsAndItsInfinities() throws IOException {
        String model = "{\"format\":\"myelin-model\",\"version\":1,\"layers\":[{\"type\":\"dense\",\"inputs\":2,"
                + "\"outputs\":1,\"activation\":\"identity\",\"weights\":[[1],[3e38]],\"bias\":[0]}]}";
        Cli csv = predict(model, "4e-7,0\n1e-30,0\n-123456789,0\n0.1,0\n0,2\n0,-2\n");
        assertEquals(0, csv.exitCode(), csv.transcript());
        assertEquals(List.of("y", "4e-07", "1e-30", "-123456790.0", "0.1", "Infinity", "-Infinity"), csv.outLines());
        Cli json = predict(model, "4e-7,0\n0,2\n0,-2\n", "--format", "json");
        assertEquals(List.of("{\"values\":[4e-07]}", "{\"values\":[\"Infinity\"]}", "{\"values\":[\"-Infinity\"]}"),
                json.outLines(), json.transcript());
        for (String line : json.outLines()) {
            new ObjectMapper().readTree(line); // valid JSON
        }
    }

    /**
     * {@code actual} has {@code expected}'s lines and fields: a field with a decimal point is a number, which must
     * match within 10⁻⁶ (relative above 1) and be written in the shortest digits that read back to its float; any
     * other field must be equal.
     */
    private static void assertTable(List<String> expected, List<String> actual) {
        assertEquals(expected.size(), actual.size(), "lines: " + actual);
        for (int i = 0; i < expected.size(); i++) {
            String[] e = expected.get(i).split(",", -1);
            String[] a = actual.get(i).split(",", -1);
            assertEquals(e.length, a.length, "fields of line " + (i + 1) + ": " + actual.get(i));
            for (int j = 0; j < e.length; j++) {
                if (e[j].contains(".")) {
                    double want = Double.parseDouble(e[j]);
                    assertEquals(want, Double.parseDouble(a[j]), 1e-6 * Math.max(1, Math.abs(want)),
                            "line " + (i + 1) + " field " + (j + 1) + ": " + actual.get(i));
                    assertShortest(a[j]);
                } else {
                    assertEquals(e[j], a[j], "line " + (i + 1) + " field " + (j + 1) + ": " + actual.get(i));
                }
            }
        }
    }

    /** {@code text} is the shortest decimal that reads back to its float, in numpy's layout. */
    private static void assertShortest(String text) {
        assertEquals(PythonFloat.repr(Float.parseFloat(text)), text, "the shortest digits of its float");
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
