package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.ModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TrainCommandTest {

    private static final Pattern EPOCH_LINE = Pattern.compile("Epoch (\\d+), Loss: (.+)");

    /*
     * The document's program with np.random.rand parameters, float64; the loss it prints, negated:
     *
     * python3 -c "import numpy as np; np.random.seed(42); W=np.random.rand(2,1); b=np.random.rand(1,1)
     * X=np.array([[0,0],[0,1],[1,0],[1,1]]); y=np.array([[0],[1],[1],[0]]); s=lambda z:1/(1+np.exp(-z))
     * for e in range(1000):
     *     p=s(X@W+b); L=np.mean(y*np.log(p)+(1-y)*np.log(1-p))
     *     if e in (0,999): print(e+1, repr(-L))
     *     dZ=p-y; W-=0.1*(X.T@dZ); b-=0.1*np.sum(dZ)"
     *
     * prints: 1 0.9395957401558894 / 1000 0.6931471805599454
     */
    private static final double NUMPY_SEED42_EPOCH1 = 0.9395957401558894;
    private static final double NUMPY_SEED42_EPOCH1000 = 0.6931471805599454;

    /*
     * The document's own printed numbers, from its fixed start W=[[0.5],[0.25]], b=[[0.125]]
     * (nn/src/test/resources/seed/document-trajectory.csv, made by document_program.py there):
     * "Epoch 1, Loss: -0.7332168896846459" and epoch 1000 -0.6931471805599453, printed with the sign fixed.
     */
    private static final double DOCUMENT_EPOCH1 = 0.7332168896846459;
    private static final double DOCUMENT_EPOCH1000 = 0.6931471805599453;

    private static final String DOCUMENT_START_MODEL = """
            {"format":"myelin-model","version":1,"layers":[{"type":"dense","inputs":2,"outputs":1,
             "activation":"sigmoid","weights":[[0.5],[0.25]],"bias":[0.125]}]}
            """;

    @TempDir
    Path dir;

    /**
     * A finished run whose model was never written (its --save failed, or was killed) keeps it in its checkpoint:
     * a resume with the same --epochs and a --save writes it (the bytes a --save of the run writes), and predict
     * and eval read a checkpoint's model. Without --save such a resume is refused, saying how to get the model.
     */
    @Test
    void aFinishedRunsCheckpointGivesItsModel() throws IOException {
        Path checkpoint = dir.resolve("finished.ckpt.json");
        Path saved = dir.resolve("finished-saved.json");
        Cli run = Cli.run("train", "--epochs", "30", "--checkpoint", checkpoint.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        assertEquals(0, Cli.run("train", "--epochs", "30", "--save", saved.toString()).exitCode());

        Cli bare = Cli.run("train", "--epochs", "30", "--resume", checkpoint.toString());
        assertEquals(Main.USER_ERROR, bare.exitCode(), bare.transcript());
        assertTrue(bare.err().endsWith("leaves nothing to run; give a larger --epochs to train longer, or --save FILE"
                + " to write the model it holds\n"), bare.transcript());

        // a cosine schedule runs over the first run's --epochs: "a larger --epochs" would be refused, so not advised
        Path cosine = dir.resolve("finished-cosine.ckpt.json");
        assertEquals(0, Cli.run("train", "--epochs", "3", "--schedule", "cosine", "--checkpoint", cosine.toString())
                .exitCode());
        Cli again = Cli.run("train", "--epochs", "3", "--schedule", "cosine", "--resume", cosine.toString());
        assertEquals(Main.USER_ERROR, again.exitCode(), again.transcript());
        assertTrue(again.err().contains("leaves nothing to run; its --schedule cosine runs over the first run's"
                + " --epochs, so the run cannot go on longer; to train on from its model with a new optimizer and"
                + " schedule, start a new run with --init " + cosine + ", or --save FILE to write the model it holds"),
                again.transcript());
        Cli longer = Cli.run("train", "--epochs", "4", "--schedule", "cosine", "--resume", cosine.toString());
        assertEquals(Main.USER_ERROR, longer.exitCode(), "as the message says: " + longer.transcript());
        assertEquals(0, Cli.run("train", "--epochs", "2", "--init", cosine.toString()).exitCode(), "and --init works");

        Path model = dir.resolve("finished-from-checkpoint.json");
        Cli resumed = Cli.run("train", "--epochs", "30", "--resume", checkpoint.toString(), "--save",
                model.toString());
        assertEquals(0, resumed.exitCode(), resumed.transcript());
        assertTrue(resumed.out().startsWith("Nothing to train: the checkpoint " + checkpoint + " holds all 30 epochs"
                + " of its run; writing the model it holds\nModel saved to " + model), resumed.transcript());
        assertTrue(Arrays.equals(Files.readAllBytes(saved), Files.readAllBytes(model)), "the run's own model");
        // with --log-format json stdout holds epoch lines only (none here): the two lines go to stderr
        Path jsonModel = dir.resolve("finished-from-checkpoint-json.json");
        Cli json = Cli.run("train", "--epochs", "30", "--resume", checkpoint.toString(), "--save",
                jsonModel.toString(), "--log-format", "json");
        assertEquals(0, json.exitCode(), json.transcript());
        assertEquals("", json.out(), json.transcript());
        assertTrue(json.err().contains("Nothing to train: the checkpoint " + checkpoint + " holds all 30 epochs of its"
                + " run; writing the model it holds\nModel saved to " + jsonModel), json.transcript());

        Path inputs = Files.writeString(dir.resolve("finished-inputs.csv"), "0,0\n0,1\n1,0\n1,1\n");
        Cli fromCheckpoint = Cli.run("predict", "--model", checkpoint.toString(), "--data", inputs.toString());
        Cli fromModel = Cli.run("predict", "--model", model.toString(), "--data", inputs.toString());
        assertEquals(0, fromCheckpoint.exitCode(), fromCheckpoint.transcript());
        assertEquals(fromModel.out(), fromCheckpoint.out());

        // the model is written only for the run's own data, as any resume
        Path data = Files.writeString(dir.resolve("finished-data.csv"), "0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
        Path swapped = Files.writeString(dir.resolve("finished-swapped.csv"), "0,1,1\n0,0,0\n1,0,1\n1,1,0\n");
        Path own = dir.resolve("finished-own.ckpt.json");
        assertEquals(0, Cli.run("train", "--data", data.toString(), "--loss", "bce", "--layers", "2,3,1", "--epochs",
                "5", "--checkpoint", own.toString()).exitCode());
        Path other = dir.resolve("finished-other.json");
        Cli otherData = Cli.run("train", "--data", swapped.toString(), "--loss", "bce", "--epochs", "5", "--resume",
                own.toString(), "--save", other.toString());
        assertEquals(Main.USER_ERROR, otherData.exitCode(), otherData.transcript());
        assertTrue(otherData.err().contains("the checkpoint was trained on other data"), otherData.transcript());
        assertFalse(Files.exists(other), "nothing written");
    }

    /**
     * The vector kernel's bits depend on the vector width, so its checkpoint records the width and a resume at
     * another one is refused, saying how to ask for it; a kernel name this build does not have is named as such.
     */
    @Test
    void aVectorRunIsResumedOnlyAtItsOwnWidthAndAnUnknownKernelIsNamed() throws IOException {
        assumeTrue(KernelRegistry.names().contains("vector"), "needs the Vector API");
        Path checkpoint = dir.resolve("vector.ckpt.json");
        Cli run = Cli.run("train", "--epochs", "3", "--kernel", "vector", "--checkpoint", checkpoint.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        ObjectMapper json = new ObjectMapper();
        String recorded = json.readTree(checkpoint.toFile()).get("kernel").asText();
        assertTrue(recorded.matches("vector@(128|256|512)"), recorded);
        String text = Files.readString(checkpoint);
        Path otherWidth = Files.writeString(dir.resolve("vector64.ckpt.json"),
                text.replace("\"" + recorded + "\"", "\"vector@64\""));
        Cli wider = Cli.run("train", "--epochs", "5", "--kernel", "vector", "--resume", otherWidth.toString());
        assertEquals(Main.USER_ERROR, wider.exitCode(), wider.transcript());
        assertTrue(wider.err().contains("the run computed with the vector@64 kernel, and " + recorded + " sums in"
                + " another order (other bits)") && wider.err().contains("give --kernel vector with"
                + " MYELIN_OPTS=-Dmyelin.vectorBits=64"), wider.transcript());
        Path unknown = Files.writeString(dir.resolve("unknown-kernel.ckpt.json"),
                text.replace("\"" + recorded + "\"", "\"foo\""));
        Cli foo = Cli.run("train", "--epochs", "5", "--kernel", "vector", "--resume", unknown.toString());
        assertEquals(Main.USER_ERROR, foo.exitCode(), foo.transcript());
        assertTrue(foo.err().contains("\"kernel\" is 'foo', which is none of this build's kernels"), foo.transcript());
        Cli same = Cli.run("train", "--epochs", "5", "--kernel", "vector", "--resume", checkpoint.toString());
        assertEquals(0, same.exitCode(), same.transcript());
    }

    /** A regression's rows are not called right or WRONG: a threshold at 0.5 means nothing for targets of 2.5. */
    @Test
    void aRegressionSummaryDoesNotJudgeRowsByAThreshold() throws IOException {
        Path data = Files.writeString(dir.resolve("regression.csv"), "0,0.5\n1,1.5\n2,2.5\n3,3.5\n");
        Cli run = Cli.run("train", "--data", data.toString(), "--loss", "mse", "--layers", "1,1", "--lr", "0.01",
                "--epochs", "50");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("(target 2.5)"), run.out());
        assertFalse(run.out().contains("right") || run.out().contains("WRONG"), run.out());
        // targets of 0 and 1 are still judged at 0.5
        Path binary = Files.writeString(dir.resolve("binary-mse.csv"), "0,0\n1,1\n2,1\n3,0\n");
        Cli xor = Cli.run("train", "--data", binary.toString(), "--loss", "mse", "--layers", "1,1", "--lr", "0.01",
                "--epochs", "50");
        assertEquals(0, xor.exitCode(), xor.transcript());
        assertTrue(xor.out().contains("  right") || xor.out().contains("  WRONG"), xor.out());
    }

    /**
     * bce with several outputs is multi-label: each output learns its own 0/1 column. No row is called right or
     * WRONG (there is no one class) and --per-class, which counts classes, is refused.
     */
    @Test
    void bceWithSeveralOutputsLearnsEachLabelColumn() throws IOException {
        // label 1: x1 > 0; label 2: x2 > 0; label 3: both
        StringBuilder csv = new StringBuilder("x1,x2,a,b,both\n");
        for (int i = 0; i < 12; i++) {
            float x1 = (i % 2 == 0 ? 1 : -1) * (1 + i % 3);
            float x2 = (i % 4 < 2 ? 1 : -1) * (1 + i % 5);
            csv.append(x1).append(',').append(x2).append(',').append(x1 > 0 ? 1 : 0).append(',')
                    .append(x2 > 0 ? 1 : 0).append(',').append(x1 > 0 && x2 > 0 ? 1 : 0).append('\n');
        }
        Path data = Files.writeString(dir.resolve("multilabel.csv"), csv);
        Path model = dir.resolve("multilabel.json");
        Cli run = Cli.run("train", "--data", data.toString(), "--loss", "bce", "--layers", "2,8,3", "--optimizer",
                "adam", "--lr", "0.05", "--epochs", "400", "--log-every", "400", "--save", model.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("Trained 2→8 sigmoid, 8→3 sigmoid with bce loss"), run.out());
        assertTrue(lastLoss(run) < 0.05, "three separable labels are learned: " + run.out());
        assertTrue(run.out().contains("(target [1, 1, 1])"), run.out());
        assertFalse(run.out().contains("right") || run.out().contains("WRONG") || run.out().contains("Accuracy"),
                run.out());
        // every output at 0.5 against its own column: the saved model predicts all 36 labels
        Cli predicted = Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--format",
                "json");
        assertEquals(0, predicted.exitCode(), predicted.transcript());
        List<String> rows = predicted.out().lines().toList();
        List<String> labels = csv.toString().lines().skip(1).toList();
        assertEquals(12, rows.size(), predicted.out());
        for (int i = 0; i < 12; i++) {
            String[] want = labels.get(i).split(",");
            for (int j = 0; j < 3; j++) {
                double p = outputOf(rows.get(i), j);
                assertEquals(want[2 + j].equals("1"), p >= 0.5, "row " + (i + 1) + " label " + (j + 1) + ": " + p);
            }
        }
        Cli perClass = Cli.run("train", "--data", data.toString(), "--loss", "bce", "--layers", "2,8,3",
                "--epochs", "1", "--per-class");
        assertEquals(2, perClass.exitCode(), perClass.transcript());
        assertTrue(perClass.err().contains("--per-class counts classes, and bce with 3 outputs is as many"
                + " independent 0/1 labels (multi-label), not classes"), perClass.transcript());
    }

    /** Output {@code j} of one {@code predict --format json} line. */
    private static double outputOf(String jsonLine, int j) throws IOException {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(jsonLine);
        return node.get("values").get(j).asDouble();
    }

    @Test
    void documentPresetPrintsTheThousandEpochLinesOfTheDocument() {
        Cli run = Cli.run("train");
        assertEquals(0, run.exitCode(), run.transcript());
        List<Double> losses = epochLosses(run.outLines(), 1000);
        assertEquals(NUMPY_SEED42_EPOCH1, losses.get(0), 1e-5, "epoch 1 vs numpy, seed 42");
        assertEquals(NUMPY_SEED42_EPOCH1000, losses.get(999), 1e-5, "epoch 1000 vs numpy, seed 42");
        // What comes after the epochs: the four predictions and the verdict with its reason.
        List<String> rest = run.outLines().subList(1000, run.outLines().size());
        assertTrue(rest.stream().noneMatch(l -> l.startsWith("Epoch")), run.transcript());
        String after = String.join("\n", rest);
        assertTrue(after.contains("[0, 1] -> 0.5000  (target 1)"), after);
        assertTrue(after.contains("XOR not learned: 2/4 correct at threshold 0.5."), after);
        assertTrue(after.contains("cannot separate XOR") && after.contains("ln 2")
                && after.contains("--preset xor"), after);
        // and the document's other three mistakes, with the page that explains them
        assertTrue(after.contains("Where the document's program is wrong (docs/seed-reproduction.md):"), after);
        assertTrue(after.contains("its loss has no minus sign") && after.contains("its dY_pred applies the sigmoid")
                && after.contains("kept here (--gradients sum)"), after);
        assertFalse(run.err().contains("Epoch"), run.transcript());
        Cli mean = Cli.run("train", "--gradients", "mean", "--epochs", "3");
        assertTrue(mean.out().contains("this run takes the mean's gradient (--gradients mean)"), mean.out());
        assertTrue(mean.out().contains("it prints the losses of its own run (--gradients sum) negated"), mean.out());
        // one layer of another kind cannot separate XOR either, and its plateau is its own loss's
        Cli linear = Cli.run("train", "--loss", "mse", "--epochs", "300", "--log-every", "300");
        assertTrue(linear.out().contains("A single layer (2→1 identity) cannot separate XOR")
                && linear.out().contains("plateaus near 0.25") && !linear.out().contains("ln 2")
                && !linear.out().contains("sigmoid unit"), linear.out());
        assertFalse(Cli.run("train", "--preset", "xor", "--epochs", "3").out().contains("document"),
                "the notes follow the document's procedure only");
        Cli reached = Cli.run("train", "--preset", "xor", "--layers", "2,1", "--epochs", "3");
        assertTrue(reached.out().contains("Where the document's program is wrong"),
                "the document's procedure from another preset's values: " + reached.out());
        for (String[] other : new String[][] {{"--layers", "2,8,1"}, {"--optimizer", "adam"}, {"--batch-size", "2"},
                {"--loss", "mse"}}) {
            Cli changed = Cli.run("train", "--epochs", "3", other[0], other[1]);
            assertEquals(0, changed.exitCode(), changed.transcript());
            assertFalse(changed.out().contains("document's program"), "not its procedure with " + other[0] + ": "
                    + changed.out());
        }
    }

    @Test
    void documentPresetFromTheDocumentsStartPrintsTheDocumentsNumbers() throws IOException {
        Path start = Files.writeString(dir.resolve("start.json"), DOCUMENT_START_MODEL);
        Cli run = Cli.run("train", "--init", start.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        List<Double> losses = epochLosses(run.outLines(), 1000);
        assertEquals(DOCUMENT_EPOCH1, losses.get(0), 1e-6);
        assertEquals(DOCUMENT_EPOCH1000, losses.get(999), 1e-5);
    }

    @Test
    void explicitOptionsOverrideThePreset() {
        Cli run = Cli.run("train", "--epochs", "5");
        assertEquals(0, run.exitCode(), run.transcript());
        List<Double> losses = epochLosses(run.outLines(), 5);
        assertEquals(NUMPY_SEED42_EPOCH1, losses.get(0), 1e-5);
        assertTrue(run.out().contains("5 epochs, sgd (lr 0.1), summed gradients"), run.out());

        Cli faster = Cli.run("train", "--epochs", "2", "--lr", "0.5");
        assertTrue(faster.out().contains("lr 0.5"), faster.out());
        assertEquals(losses.get(0), epochLosses(faster.outLines(), 2).get(0), 0.0, "same start, same first loss");
    }

    @Test
    void logEveryPrintsEveryNthEpochAndTheLast() {
        Cli run = Cli.run("train", "--log-every", "300");
        assertEquals(0, run.exitCode(), run.transcript());
        List<Integer> epochs = new ArrayList<>();
        for (String line : run.outLines()) {
            Matcher m = EPOCH_LINE.matcher(line);
            if (m.matches()) {
                epochs.add(Integer.parseInt(m.group(1)));
            }
        }
        assertEquals(List.of(300, 600, 900, 1000), epochs);
    }

    @Test
    void jsonLogLinesAreJsonObjectsAndStdoutHasNothingElse() throws IOException {
        // one line for every epoch: --log-every, which thins the text log, is refused with json (UserErrorTest)
        Cli run = Cli.run("train", "--log-format", "json", "--epochs", "20");
        assertEquals(0, run.exitCode(), run.transcript());
        ObjectMapper json = new ObjectMapper();
        List<Integer> epochs = new ArrayList<>();
        for (String line : run.outLines()) {
            JsonNode node = json.readTree(line);
            assertTrue(node.isObject(), line);
            assertEquals(List.of("epoch", "loss", "lr", "seconds", "samples_per_sec", "test_loss", "test_accuracy"),
                    List.copyOf(iterable(node.fieldNames())), line);
            assertTrue(node.get("epoch").isInt() && node.get("loss").isDouble(), line);
            assertEquals(0.1, node.get("lr").doubleValue(), 0.0, line);
            assertTrue(node.get("seconds").doubleValue() >= 0 && node.get("samples_per_sec").isDouble(), line);
            assertTrue(node.get("test_loss").isNull() && node.get("test_accuracy").isNull(), "no test data: " + line);
            epochs.add(node.get("epoch").intValue());
            if (node.get("epoch").intValue() == 7) {
                double text = epochLosses(Cli.run("train", "--epochs", "7").outLines(), 7).get(6);
                assertEquals(text, node.get("loss").doubleValue(), 0.0, "json and text carry the same double");
            }
        }
        assertEquals(java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList(), epochs);
        assertTrue(run.err().contains("XOR not learned"), "the summary goes to stderr: " + run.transcript());
    }

    @Test
    void scalarKernelGivesTheDefaultKernelsFirstLoss() {
        double byDefault = epochLosses(Cli.run("train", "--epochs", "1").outLines(), 1).get(0);
        double scalar = epochLosses(Cli.run("train", "--epochs", "1", "--kernel", "scalar").outLines(), 1).get(0);
        assertEquals(scalar, byDefault, 1e-6);
        double xorDefault = epochLosses(Cli.run("train", "--preset", "xor", "--epochs", "1").outLines(), 1).get(0);
        double xorScalar = epochLosses(Cli.run("train", "--preset", "xor", "--epochs", "1", "--kernel", "scalar")
                .outLines(), 1).get(0);
        assertEquals(xorScalar, xorDefault, 1e-6);
    }

    static Stream<Long> xorSeeds() {
        return Stream.concat(IntStream.range(0, 20).mapToObj(i -> (long) i), Stream.of(42L));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("xorSeeds")
    void xorPresetLearnsXor(long seed) {
        Cli run = Cli.run("train", "--preset", "xor", "--seed", String.valueOf(seed), "--log-every", "500");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("XOR learned: 4/4 correct at threshold 0.5."),
                "seed " + seed + ":\n" + run.transcript());
    }

    @Test
    void xorPresetWithCrossEntropyAndTwoClassesLearnsToo() {
        Cli run = Cli.run("train", "--preset", "xor", "--loss", "ce", "--layers", "2,4,2", "--log-every", "1000");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("XOR learned: 4/4"), run.transcript());
    }

    @Test
    void trainSavePredictRoundTrip() throws IOException {
        Path model = dir.resolve("xor.json");
        Cli train = Cli.run("train", "--preset", "xor", "--save", model.toString(), "--log-every", "2000");
        assertEquals(0, train.exitCode(), train.transcript());
        assertTrue(Files.isRegularFile(model));
        assertTrue(train.out().contains("Model saved to " + model), train.out());
        Mlp saved = ModelFile.read(model);
        assertEquals("2→4 sigmoid, 4→1 sigmoid", saved.describe());

        Path features = Files.writeString(dir.resolve("features.csv"), "a,b\n0,0\n0,1\n1,0\n1,1\n");
        Cli predict = Cli.run("predict", "--model", model.toString(), "--data", features.toString());
        assertEquals(0, predict.exitCode(), predict.transcript());
        List<String> lines = predict.outLines();
        assertEquals(5, lines.size(), predict.transcript());
        assertEquals("class,p1", lines.get(0), "the header");
        float[] expected = saved.predict(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4);
        for (int i = 0; i < 4; i++) {
            String[] cells = lines.get(i + 1).split(",");
            float p = Float.parseFloat(cells[1]);
            assertEquals(PythonFloat.repr(p), cells[1], "printed in the shortest digits of its float");
            assertEquals(i == 1 || i == 2 ? "1" : "0", cells[0], "row " + (i + 1) + ": the class");
            assertEquals(expected[i], p, "row " + (i + 1) + ": the saved model's output, read back to the bit");
            assertEquals(i == 1 || i == 2, p > 0.5f, "row " + (i + 1) + ": " + p);
            // train printed the same probabilities, rounded to 4 places
            assertTrue(train.out().contains(String.format(java.util.Locale.ROOT, "-> %.4f", p)), train.out());
        }
    }

    /**
     * --save replaces a model (a run saved again), a finished run's checkpoint or an empty file; anything else (a
     * metrics file, a data file) would be someone's work lost to a typo, and is refused before training.
     */
    @Test
    void saveReplacesModelsButNotOtherFiles() throws IOException {
        Path model = dir.resolve("m.json");
        assertEquals(0, Cli.run("train", "--epochs", "2", "--save", model.toString()).exitCode());
        assertEquals(0, Cli.run("train", "--epochs", "2", "--save", model.toString()).exitCode(), "a model again");
        Path empty = Files.createFile(dir.resolve("empty.json"));
        assertEquals(0, Cli.run("train", "--epochs", "2", "--save", empty.toString()).exitCode());
        Path metrics = dir.resolve("run.json");
        assertEquals(0, Cli.run("train", "--epochs", "2", "--metrics", metrics.toString()).exitCode());
        Path csv = Files.writeString(dir.resolve("data.csv"), "0,0,0\n0,1,1\n");
        for (Path other : List.of(metrics, csv)) {
            byte[] before = Files.readAllBytes(other);
            Cli run = Cli.run("train", "--epochs", "2", "--save", other.toString());
            assertEquals(Main.USER_ERROR, run.exitCode(), run.transcript());
            assertTrue(run.err().startsWith("myelin: --save " + other + " exists and is not a model file ("),
                    run.transcript());
            assertFalse(run.out().contains("Epoch"), "refused before training: " + run.transcript());
            assertTrue(Arrays.equals(before, Files.readAllBytes(other)), other + " is unchanged");
        }
    }

    /** A warm-up as long as the run is allowed (a run resumed further later) but said: no epoch reaches --lr. */
    @Test
    void aWarmUpNotShorterThanTheRunIsNoted() {
        Cli whole = Cli.run("train", "--preset", "xor", "--epochs", "3", "--lr-warmup", "3");
        assertEquals(0, whole.exitCode(), whole.transcript());
        assertTrue(whole.err().contains("myelin: note: --lr-warmup 3 is not shorter than the run's 3 epochs: every"
                + " epoch runs below the schedule's rate, the last at 3/4 of it"), whole.transcript());
        Cli longer = Cli.run("train", "--preset", "xor", "--epochs", "3", "--lr-warmup", "5");
        assertTrue(longer.err().contains("the last at 1/2 of it"), longer.transcript()); // 3/6 in lowest terms
        Cli shorter = Cli.run("train", "--preset", "xor", "--epochs", "3", "--lr-warmup", "2");
        assertEquals(0, shorter.exitCode(), shorter.transcript());
        assertFalse(shorter.err().contains("--lr-warmup"), shorter.transcript());
    }

    /** The summary line names the schedule, where the parameters came from and the input scaling. */
    @Test
    void theSummaryLineNamesTheScheduleTheStartAndTheScaling() throws IOException {
        Cli cosine = Cli.run("train", "--preset", "xor", "--epochs", "3", "--schedule", "cosine", "--standardize");
        assertEquals(0, cosine.exitCode(), cosine.transcript());
        assertTrue(cosine.out().contains(", sgd (lr 2.0, cosine schedule over 3 epochs to 0.0), mean gradients,"
                + " batch full, seed 42, init xavier, inputs standardized; final loss "), cosine.out());
        Cli step = Cli.run("train", "--preset", "xor", "--epochs", "3", "--schedule", "step", "--lr-step-size", "2",
                "--lr-gamma", "0.5", "--lr-warmup", "1", "--init-method", "torch");
        assertEquals(0, step.exitCode(), step.transcript());
        assertTrue(step.out().contains(", sgd (lr 2.0, warm-up over 1 epoch, then step schedule: ×0.5 every 2"
                + " epochs), mean gradients, batch full, seed 42, init torch; final loss "), step.out());
        Path model = dir.resolve("start.json");
        assertEquals(0, Cli.run("train", "--preset", "xor", "--epochs", "2", "--save", model.toString()).exitCode());
        Cli from = Cli.run("train", "--preset", "xor", "--epochs", "1", "--init", model.toString());
        assertEquals(0, from.exitCode(), from.transcript());
        // a full-batch run from a file draws nothing: no seed named; with mini-batches the seed shuffles them
        assertTrue(from.out().contains(", batch full, from " + model + "; final loss "), from.out());
        Cli batches = Cli.run("train", "--preset", "xor", "--epochs", "1", "--batch-size", "2", "--init",
                model.toString());
        assertEquals(0, batches.exitCode(), batches.transcript());
        assertTrue(batches.out().contains(", batch 2, seed 42, from " + model + "; final loss "), batches.out());
    }

    @Test
    void initContinuesFromASavedModel() throws IOException {
        Path model = dir.resolve("m.json");
        assertEquals(0, Cli.run("train", "--preset", "xor", "--save", model.toString()).exitCode());
        Cli more = Cli.run("train", "--preset", "xor", "--init", model.toString(), "--epochs", "3",
                "--layers", "2,9,1");
        assertEquals(0, more.exitCode(), more.transcript());
        assertTrue(epochLosses(more.outLines(), 3).get(0) < 0.01, more.out());
        assertTrue(more.out().contains("Trained 2→4 sigmoid, 4→1 sigmoid"), "the file's architecture wins");
        assertTrue(more.err().contains("note: --layers is ignored, the model comes from " + model), more.transcript());
        Cli three = Cli.run("train", "--preset", "xor", "--init", model.toString(), "--epochs", "1",
                "--layers", "2,9,1", "--activation", "tanh", "--init-method", "torch");
        assertTrue(three.err().contains("note: --layers and --activation and --init-method are ignored"),
                three.transcript());
        Cli none = Cli.run("train", "--preset", "xor", "--init", model.toString(), "--epochs", "1");
        assertFalse(none.err().contains("ignored"), "no note when nothing is ignored: " + none.transcript());
    }

    /**
     * {@code --init X --save X} fine-tunes a model in place: the file is replaced by the trained model when the run
     * ends well, and left byte for byte as it was when the run stops early (here a divergence). Other outputs on
     * the --init file stay refused: a checkpoint written there mid-run would destroy the model a failed run needs.
     */
    @Test
    void aModelIsFineTunedInPlaceAndKeptWhenTheRunFails() throws IOException {
        Path data = threeClasses();
        Path model = dir.resolve("tuned.json");
        String[] base = {"train", "--data", data.toString(), "--loss", "ce", "--log-every", "1000"};
        assertEquals(0, Cli.run(concat(base, "--layers", "4,8,3", "--epochs", "20", "--save", model.toString()))
                .exitCode());
        byte[] before = Files.readAllBytes(model);
        // a learning rate grown 100-fold per epoch diverges (exit 4) after some epochs of training
        Cli diverged = Cli.run(concat(base, "--init", model.toString(), "--save", model.toString(), "--lr", "0.5",
                "--schedule", "step", "--lr-step-size", "1", "--lr-gamma", "100", "--epochs", "20"));
        assertEquals(TrainCommand.DIVERGED, diverged.exitCode(), diverged.transcript());
        assertTrue(Arrays.equals(before, Files.readAllBytes(model)), "a failed run leaves the model as it was");
        // its last good state is in the checkpoint beside --save, which a new run on that name would not replace
        Files.delete(dir.resolve("tuned.ckpt.json"));

        Cli tuned = Cli.run(concat(base, "--init", model.toString(), "--save", model.toString(), "--epochs", "30"));
        assertEquals(0, tuned.exitCode(), tuned.transcript());
        assertFalse(Arrays.equals(before, Files.readAllBytes(model)), "the trained model replaced the file");
        // the file now holds the model at the end of the run: its loss is one update past the tuned run's final
        // (last epoch's) loss, well below that of the 20-epoch model the run started from
        Path started = Files.write(dir.resolve("started.json"), before);
        double startLoss = evalLoss(started, data);
        double tunedLoss = evalLoss(model, data);
        Matcher printed = Pattern.compile("final loss (\\S+)").matcher(tuned.out());
        assertTrue(printed.find(), tuned.out());
        double finalLoss = Double.parseDouble(printed.group(1));
        assertTrue(tunedLoss < finalLoss && tunedLoss > finalLoss - 1e-2 && finalLoss < startLoss - 1e-2,
                "started at " + startLoss + ", last epoch " + finalLoss + ", saved model " + tunedLoss);

        Cli checkpointOnIt = Cli.run(concat(base, "--init", model.toString(), "--checkpoint", model.toString()));
        assertEquals(Main.USER_ERROR, checkpointOnIt.exitCode(), checkpointOnIt.transcript());
        assertTrue(checkpointOnIt.err().contains("are the same file"), checkpointOnIt.transcript());
    }

    private static double evalLoss(Path model, Path data) {
        Cli eval = Cli.run("eval", "--model", model.toString(), "--data", data.toString());
        assertEquals(0, eval.exitCode(), eval.transcript());
        Matcher loss = Pattern.compile("loss \\(ce\\): (\\S+)").matcher(eval.out());
        assertTrue(loss.find(), eval.out());
        return Double.parseDouble(loss.group(1));
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    @Test
    void trainsOnCsvDataWithEachLoss() throws IOException {
        // Two blobs, class 0 near (0,0) and class 1 near (3,3): separable by one unit.
        StringBuilder binary = new StringBuilder("x1,x2,label\n");
        StringBuilder classes = new StringBuilder("x1,x2,class\n");
        StringBuilder regression = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            float d = (i % 4) * 0.1f;
            binary.append(d).append(',').append(1 - d).append(",0\n").append(3 + d).append(',').append(3 - d)
                    .append(",1\n");
            classes.append(d).append(',').append(d).append(",0\n").append(3 + d).append(",0,1\n")
                    .append("0,").append(3 + d).append(",2\n");
            regression.append(i).append(',').append(2 * i + 1).append('\n'); // y = 2x + 1
        }
        Path bce = Files.writeString(dir.resolve("binary.csv"), binary);
        Cli logistic = Cli.run("train", "--data", bce.toString(), "--lr", "0.5", "--log-every", "1000");
        assertEquals(0, logistic.exitCode(), logistic.transcript());
        assertTrue(logistic.out().contains("Trained 2→1 sigmoid with bce loss"), "inferred 2,1: " + logistic.out());
        assertTrue(logistic.out().contains("Accuracy: 24/24 rows right (threshold 0.5)."), logistic.out());
        assertTrue(logistic.out().contains("(24 rows; predictions are printed for up to 16"), logistic.out());

        Path ce = Files.writeString(dir.resolve("classes.csv"), classes);
        // The scalar kernel: the vector kernel's tanh may round differently once the JIT has compiled it, which
        // would hide what this checks, that shuffled mini-batches are reproducible from --seed.
        String[] miniBatches = {"train", "--data", ce.toString(), "--loss", "ce", "--layers", "2,8,3",
                "--activation", "tanh", "--lr", "0.5", "--batch-size", "6", "--log-every", "1000",
                "--kernel", "scalar"};
        Cli softmax = Cli.run(miniBatches);
        assertEquals(0, softmax.exitCode(), softmax.transcript());
        assertTrue(softmax.out().contains("Accuracy: 36/36 rows right (most probable class)."), softmax.out());
        assertEquals(withoutTimes(softmax.out()), withoutTimes(Cli.run(miniBatches).out()),
                "same --seed, same mini-batches");
        String[] otherSeed = miniBatches.clone();
        otherSeed[otherSeed.length - 2] = "--seed";
        otherSeed[otherSeed.length - 1] = "7";
        assertFalse(withoutTimes(softmax.out()).equals(withoutTimes(Cli.run(otherSeed).out())),
                "another --seed, other batches");

        Path mse = Files.writeString(dir.resolve("line.csv"), regression);
        Cli linear = Cli.run("train", "--data", mse.toString(), "--loss", "mse", "--lr", "0.01", "--epochs", "3000",
                "--log-every", "3000");
        assertEquals(0, linear.exitCode(), linear.transcript());
        assertTrue(linear.out().contains("Trained 1→1 identity with mse loss"), linear.out());
        assertTrue(linear.out().startsWith("Epoch 3000, Loss: "), linear.out());
        assertTrue(lastLoss(linear) < 1e-4, "y = 2x + 1 is learned: " + linear.out());
    }

    /**
     * A sigmoid model trained on with mse would be saved as a model that eval, predict and --init read as bce, whose
     * 0/1 labels its own targets are not: refused before training (a review's run had exited 0 and left a model
     * that could not be evaluated on its own data).
     */
    @Test
    void mseOnASigmoidModelFromAFileIsRefused() throws IOException {
        Path model = dir.resolve("bin.json");
        assertEquals(0, Cli.run("train", "--epochs", "2", "--save", model.toString()).exitCode());
        Path targets = Files.writeString(dir.resolve("soft.csv"), "0,0,0.25\n0,1,0.5\n1,0,0.5\n1,1,0.75\n");
        Cli mse = Cli.run("train", "--data", targets.toString(), "--init", model.toString(), "--loss", "mse",
                "--epochs", "2", "--save", dir.resolve("soft.json").toString());
        assertEquals(Main.USER_ERROR, mse.exitCode(), mse.transcript());
        assertTrue(mse.err().startsWith("myelin: --init " + model + ": its output layer is sigmoid, and eval,"
                + " predict and a later --init read a saved model with a sigmoid output as a bce model"), mse.transcript());
        assertFalse(Files.exists(dir.resolve("soft.json")), mse.transcript());
        // a model with an identity output trains with mse from a file as before
        Path linear = dir.resolve("linear.json");
        assertEquals(0, Cli.run("train", "--data", targets.toString(), "--loss", "mse", "--layers", "2,1", "--epochs",
                "2", "--save", linear.toString()).exitCode());
        Cli again = Cli.run("train", "--data", targets.toString(), "--init", linear.toString(), "--loss", "mse",
                "--epochs", "2");
        assertEquals(0, again.exitCode(), again.transcript());
        // a checkpoint that trains mse on a sigmoid (an earlier version's, or the library's) is resumed, its loss
        // taken from the checkpoint when --loss is not given, with a note on how its model will be read
        Path checkpoint = dir.resolve("linear.ckpt.json");
        String json = Files.readString(checkpoint);
        assertTrue(json.contains("\"identity\""), "the checkpoint names its output activation");
        Files.writeString(checkpoint, json.replace("\"identity\"", "\"sigmoid\""));
        Cli resumed = Cli.run("train", "--data", targets.toString(), "--resume", checkpoint.toString(), "--epochs",
                "3", "--save", dir.resolve("resumed.json").toString());
        assertEquals(0, resumed.exitCode(), resumed.transcript());
        assertTrue(resumed.err().contains("note: this run trains mse on a sigmoid output; its saved model will be"
                + " read as a bce model"), resumed.transcript());
    }

    @Test
    void aDivergingRunStopsAtOnceWithExitFourNamingEpochAndBatch() {
        // lr 1e30: the first update throws the weights to ~1e29; mse's loss explodes at epoch 2 (the rule of
        // TrainingDivergedException), ce and bce saturate past 25.
        for (String loss : new String[] {"mse", "bce", "ce"}) {
            Cli run = Cli.run("train", "--preset", "xor", "--loss", loss, "--lr", "1e30", "--epochs", "10",
                    "--layers", loss.equals("ce") ? "2,4,2" : "2,4,1");
            assertEquals(TrainCommand.DIVERGED, run.exitCode(), run.transcript());
            assertTrue(run.err().matches("(?s)myelin: the [a-z ]*loss is [^\\n]* at epoch \\d+, batch 1\\b.*"),
                    run.transcript());
            assertTrue(run.err().contains("--lr"), "the advice names the option: " + run.transcript());
            assertTrue(run.err().contains("the model was not saved"), run.transcript());
            assertFalse(run.out().contains("Epoch 10,"), "stopped at once: " + run.out());
        }
    }

    /**
     * Full batch: the loss of epoch E is computed from the end state of epoch E − 1, so when it diverges the last
     * good state is the end of epoch E − 2, and the checkpoint file is made to hold that one (it had been
     * overwritten with epoch E − 1's); a new run from it with a small --lr does not diverge.
     */
    /** 60 rows, 4 features, 3 classes: a data set on which a learning rate grown 100-fold per epoch diverges. */
    private Path threeClasses() throws IOException {
        java.util.Random random = new java.util.Random(0);
        StringBuilder csv = new StringBuilder("a,b,c,d,label\n");
        for (int i = 0; i < 60; i++) {
            double[] x = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
            int label = (x[0] + x[1] > 0 ? 1 : 0) + (x[2] > 0 ? 1 : 0);
            csv.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%.4f,%.4f,%d%n", x[0], x[1], x[2], x[3],
                    label));
        }
        return Files.writeString(dir.resolve("three.csv"), csv);
    }

    /**
     * The metrics of a run that did not finish are kept as its checkpoint is: a new run naming the same --metrics
     * is refused (the file unchanged), its --resume goes on with them; a finished run's metrics, and an empty file,
     * are replaced; a file that is not a metrics file is refused; an unfinished run that nothing can continue (its
     * checkpoint gone, or none kept) is replaced with a note.
     */
    @Test
    void aNewRunDoesNotReplaceTheMetricsOfARunThatDidNotFinish() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path data = threeClasses();
        Path metrics = dir.resolve("grow-metrics.json");
        Path checkpoint = dir.resolve("grow-m.ckpt.json");
        String[] diverging = {"train", "--data", data.toString(), "--loss", "ce", "--layers", "4,8,3", "--lr", "0.5",
                "--schedule", "step", "--lr-step-size", "1", "--lr-gamma", "100", "--epochs", "20", "--checkpoint",
                checkpoint.toString(), "--metrics", metrics.toString()};
        Cli run = Cli.run(diverging);
        assertEquals(TrainCommand.DIVERGED, run.exitCode(), run.transcript());
        JsonNode written = json.readTree(metrics.toFile());
        assertFalse(written.get("finished").asBoolean(), written.toString());
        int epochs = written.get("epochs").size();
        assertTrue(epochs >= 2, written.toString());
        byte[] kept = Files.readAllBytes(metrics);

        Cli fresh = Cli.run("train", "--epochs", "2", "--metrics", metrics.toString());
        assertEquals(Main.USER_ERROR, fresh.exitCode(), fresh.transcript());
        assertEquals("myelin: --metrics " + metrics + " holds the metrics of a run that did not finish (epochs 1–"
                + epochs + "); a new run would replace them. Continue that run with --resume "
                + checkpoint.toAbsolutePath().normalize() + " (its metrics go on in this file), or move the file away,"
                + " or name another file with --metrics\n",
                fresh.err(), fresh.transcript());
        assertTrue(Arrays.equals(kept, Files.readAllBytes(metrics)), "the metrics are unchanged");

        // its resume is not refused (it diverges again, as the same settings must)
        List<String> resume = new ArrayList<>(Arrays.asList(diverging));
        resume.addAll(List.of("--resume", checkpoint.toString()));
        resume.removeAll(List.of("--layers", "4,8,3"));
        Cli resumed = Cli.run(resume.toArray(String[]::new));
        assertEquals(TrainCommand.DIVERGED, resumed.exitCode(), resumed.transcript());

        // nor does the resume of another run, nor does any resume replace a file that is not a metrics file
        kept = Files.readAllBytes(metrics); // as the resume above rewrote it
        Path other = dir.resolve("other.json");
        assertEquals(0, Cli.run("train", "--epochs", "2", "--save", other.toString()).exitCode());
        String otherCheckpoint = dir.resolve("other.ckpt.json").toString();
        Cli otherResume = Cli.run("train", "--epochs", "4", "--resume", otherCheckpoint, "--metrics",
                metrics.toString());
        assertEquals(Main.USER_ERROR, otherResume.exitCode(), otherResume.transcript());
        assertTrue(otherResume.err().startsWith("myelin: --metrics " + metrics + " holds the metrics of a run that did"
                + " not finish (epochs 1–" + epochs + "); this run (another: its model "), otherResume.transcript());
        assertTrue(Arrays.equals(kept, Files.readAllBytes(metrics)), "the metrics are unchanged");
        Path savedModel = dir.resolve("other.json");
        byte[] model = Files.readAllBytes(savedModel);
        Cli overModel = Cli.run("train", "--epochs", "4", "--resume", otherCheckpoint, "--metrics",
                savedModel.toString());
        assertEquals(Main.USER_ERROR, overModel.exitCode(), overModel.transcript());
        assertTrue(overModel.err().startsWith("myelin: --metrics " + savedModel + " exists and is not a metrics file"),
                overModel.transcript());
        assertTrue(Arrays.equals(model, Files.readAllBytes(savedModel)), "the model is unchanged");

        Path done = dir.resolve("done-metrics.json");
        assertEquals(0, Cli.run("train", "--epochs", "2", "--metrics", done.toString()).exitCode());
        assertTrue(json.readTree(done.toFile()).get("finished").asBoolean());
        Cli replaced = Cli.run("train", "--epochs", "3", "--metrics", done.toString());
        assertEquals(0, replaced.exitCode(), replaced.transcript());
        assertEquals(3, json.readTree(done.toFile()).get("epochs").size(), "a finished run's metrics are replaced");

        Path empty = Files.createFile(dir.resolve("empty-metrics.json"));
        assertEquals(0, Cli.run("train", "--epochs", "1", "--metrics", empty.toString()).exitCode());
        Path notes = Files.writeString(dir.resolve("notes-metrics.json"), "my notes\n");
        Cli overNotes = Cli.run("train", "--epochs", "1", "--metrics", notes.toString());
        assertEquals(Main.USER_ERROR, overNotes.exitCode(), overNotes.transcript());
        assertTrue(overNotes.err().startsWith("myelin: --metrics " + notes + " exists and is not a metrics file"),
                overNotes.transcript());
        assertEquals("my notes\n", Files.readString(notes));

        // an unfinished run that nothing can continue: its checkpoint is gone (killed before it was first written),
        // or it kept none; a file from before the checkpoint was recorded is held as before
        assertFalse(json.readTree(metrics.toFile()).get("finished").asBoolean());
        Files.delete(checkpoint);
        Cli afterKill = Cli.run("train", "--epochs", "2", "--metrics", metrics.toString());
        assertEquals(0, afterKill.exitCode(), afterKill.transcript());
        assertTrue(afterKill.err().contains("myelin: note: --metrics " + metrics + " held the metrics of a run that did"
                + " not finish, whose checkpoint " + checkpoint.toAbsolutePath().normalize() + " is gone (or is not a"
                + " checkpoint), so nothing can continue it; they are replaced"), afterKill.transcript());
        com.fasterxml.jackson.databind.node.ObjectNode unfinished =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(metrics.toFile());
        unfinished.put("finished", false).putNull("checkpoint");
        Files.writeString(metrics, unfinished.toString());
        Cli noCheckpoint = Cli.run("train", "--epochs", "2", "--metrics", metrics.toString());
        assertEquals(0, noCheckpoint.exitCode(), noCheckpoint.transcript());
        assertTrue(noCheckpoint.err().contains("a run that did not finish and kept no checkpoint, so nothing can"
                + " continue it; they are replaced"), noCheckpoint.transcript());
        unfinished.put("finished", false).remove("checkpoint");
        Files.writeString(metrics, unfinished.toString());
        Cli older = Cli.run("train", "--epochs", "2", "--metrics", metrics.toString());
        assertEquals(Main.USER_ERROR, older.exitCode(), older.transcript());
        assertTrue(older.err().contains("Continue that run with --resume and its checkpoint"), older.transcript());
    }

    /**
     * A run whose checkpoint beside --save could not be written after epoch 2 (a full disk) and was then
     * interrupted at the end of epoch 4 saves its state elsewhere and prints "To continue: … --save FILE --resume
     * THAT": that command must run, replacing the earlier state beside --save with a note (it had been refused as
     * "a new run would overwrite it", advising a resume from epoch 2), and end as the run never stopped. The
     * unfinished checkpoint of another run (another seed) is still refused.
     */
    @Test
    void aResumeReplacesAnEarlierStateOfItsOwnRunButNotAnotherRuns() throws IOException {
        Path whole = dir.resolve("whole.json");
        assertEquals(0, Cli.run("train", "--epochs", "6", "--save", whole.toString()).exitCode());
        Path early = dir.resolve("early.json");
        assertEquals(0, Cli.run("train", "--epochs", "2", "--checkpoint", early.toString()).exitCode());
        Path later = dir.resolve("later.json");
        Cli toFour = Cli.run("train", "--epochs", "4", "--resume", early.toString(), "--checkpoint", later.toString());
        assertEquals(0, toFour.exitCode(), toFour.transcript());
        Path other = dir.resolve("other.json");
        assertEquals(0, Cli.run("train", "--epochs", "2", "--seed", "5", "--checkpoint", other.toString())
                .exitCode());
        for (Path p : List.of(early, later, other)) { // as a 6-epoch run would have written them: unfinished
            com.fasterxml.jackson.databind.node.ObjectNode root =
                    (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(p.toFile());
            ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("config")).put("epochs", 6);
            Files.writeString(p, root.toPrettyString());
        }

        Path save = dir.resolve("run.json");
        Path beside = dir.resolve("run.ckpt.json");
        Files.copy(early, beside);
        Cli resumed = Cli.run("train", "--epochs", "6", "--save", save.toString(), "--resume", later.toString());
        assertEquals(0, resumed.exitCode(), resumed.transcript());
        assertTrue(resumed.err().contains("myelin: note: the checkpoint beside --save, " + beside + " holds the end of"
                + " epoch 2 of the run this resumes, which is at the end of epoch 4; it is replaced by this run's"
                + " checkpoints"), resumed.transcript());
        assertTrue(Arrays.equals(Files.readAllBytes(whole), Files.readAllBytes(save)), "the model of a run never"
                + " stopped");
        assertEquals(6, dev.myelin.nn.CheckpointFile.read(beside).checkpoint().epochs());

        Path save2 = dir.resolve("run2.json");
        Path beside2 = dir.resolve("run2.ckpt.json");
        Files.copy(other, beside2);
        byte[] kept = Files.readAllBytes(beside2);
        Cli refused = Cli.run("train", "--epochs", "6", "--save", save2.toString(), "--resume", later.toString());
        assertEquals(Main.USER_ERROR, refused.exitCode(), refused.transcript());
        assertTrue(refused.err().startsWith("myelin: the checkpoint beside --save, " + beside2 + " holds a run that did"
                + " not finish (stopped at the end of epoch 2, of 6 epochs)"), refused.transcript());
        assertTrue(Arrays.equals(kept, Files.readAllBytes(beside2)), "another run's checkpoint is unchanged");
    }

    /**
     * Metrics left unfinished by an interrupted run that was then resumed without --metrics and finished: its
     * checkpoint holds the finished run, so nothing can continue these metrics, and a new run replaces them with a
     * note (it had been refused, advising a resume that only says "nothing to train" and leaves them unfinished).
     */
    @Test
    void metricsWhoseRunFinishedWithoutThemAreReplaced() throws IOException {
        Path metrics = dir.resolve("am.json");
        Path save = dir.resolve("a.json");
        assertEquals(0, Cli.run("train", "--epochs", "3", "--metrics", metrics.toString(), "--save", save.toString())
                .exitCode());
        com.fasterxml.jackson.databind.node.ObjectNode root =
                (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(metrics.toFile());
        root.put("finished", false); // as the interrupted run left it; its resume (without --metrics) finished
        root.withArray("epochs").remove(2);
        Files.writeString(metrics, root.toPrettyString());
        Cli fresh = Cli.run("train", "--epochs", "2", "--metrics", metrics.toString());
        assertEquals(0, fresh.exitCode(), fresh.transcript());
        assertTrue(fresh.err().contains("myelin: note: --metrics " + metrics + " held the metrics of a run that did not"
                + " finish here, but its checkpoint " + dir.resolve("a.ckpt.json").toAbsolutePath().normalize()
                + " holds the run finished (resumed without --metrics), so nothing can continue these metrics; they"
                + " are replaced"), fresh.transcript());
        assertEquals(2, new ObjectMapper().readTree(metrics.toFile()).get("epochs").size());
    }

    /**
     * A resumed run's architecture is the checkpoint's: --layers or --activation that differ from it are refused,
     * naming both, as any other setting that differs is (they had been accepted with "is ignored"); the same
     * values are accepted without a note.
     */
    @Test
    void aResumeWithAnotherArchitectureIsRefused() throws IOException {
        Path save = dir.resolve("x.json");
        assertEquals(0, Cli.run("train", "--preset", "xor", "--epochs", "2", "--save", save.toString()).exitCode());
        String checkpoint = dir.resolve("x.ckpt.json").toString();
        Cli layers = Cli.run("train", "--preset", "xor", "--epochs", "3", "--resume", checkpoint, "--layers", "2,9,1");
        assertEquals(Main.USER_ERROR, layers.exitCode(), layers.transcript());
        assertTrue(layers.err().startsWith("myelin: --resume " + checkpoint + ": --layers: the checkpoint has 2,4,1 but"
                + " this run has 2,9,1"), layers.transcript());
        Cli activation = Cli.run("train", "--preset", "xor", "--epochs", "3", "--resume", checkpoint,
                "--activation", "tanh");
        assertEquals(Main.USER_ERROR, activation.exitCode(), activation.transcript());
        assertTrue(activation.err().startsWith("myelin: --resume " + checkpoint + ": --activation: the checkpoint has"
                + " sigmoid but this run has tanh"), activation.transcript());
        Cli same = Cli.run("train", "--preset", "xor", "--epochs", "3", "--resume", checkpoint, "--layers", "2,4,1",
                "--activation", "sigmoid");
        assertEquals(0, same.exitCode(), same.transcript());
        assertFalse(same.err().contains("ignored"), same.transcript());
    }

    /** The summary's final loss is written as the epoch lines write it (Python's repr), small values included. */
    @Test
    void theFinalLossIsWrittenAsTheEpochLinesWriteIt() {
        Cli run = Cli.run("train", "--preset", "xor", "--epochs", "6000", "--log-every", "6000");
        assertEquals(0, run.exitCode(), run.transcript());
        Matcher last = Pattern.compile("Epoch 6000, Loss: (\\S+)").matcher(run.out());
        assertTrue(last.find(), run.out());
        assertTrue(last.group(1).startsWith("0.000"), "a loss below 1e-3, which Java writes with E-4: " + run.out());
        assertTrue(run.out().contains("final loss " + last.group(1) + "\n"), run.out());
    }

    /** --resume given another of Myelin's files, or a folder, names the option and what the file is. */
    @Test
    void aResumeFromAFileThatIsNotACheckpointSaysWhatItIs() throws IOException {
        Path metrics = dir.resolve("m.json");
        assertEquals(0, Cli.run("train", "--epochs", "2", "--metrics", metrics.toString()).exitCode());
        Cli fromMetrics = Cli.run("train", "--epochs", "3", "--resume", metrics.toString());
        assertEquals(Main.USER_ERROR, fromMetrics.exitCode(), fromMetrics.transcript());
        assertTrue(fromMetrics.err().startsWith("myelin: --resume " + metrics + ": is a metrics file, not a checkpoint"),
                fromMetrics.transcript());
        Cli fromFolder = Cli.run("train", "--epochs", "3", "--resume", dir.toString());
        assertEquals(Main.USER_ERROR, fromFolder.exitCode(), fromFolder.transcript());
        assertTrue(fromFolder.err().startsWith("myelin: --resume " + dir + ": is a directory, expected a checkpoint"
                + " file (NAME.ckpt.json)"), fromFolder.transcript());
    }

    @Test
    void afterADivergenceTheCheckpointHoldsAStateThatDidNotGiveTheLoss() throws IOException {
        Path data = threeClasses();
        Path save = dir.resolve("grow.json");
        Path checkpoint = dir.resolve("grow.ckpt.json");
        // the learning rate grows 100-fold each epoch: good for a few epochs, then saturated
        Cli run = Cli.run("train", "--data", data.toString(), "--loss", "ce", "--layers", "4,8,3", "--lr", "0.5",
                "--schedule", "step", "--lr-step-size", "1", "--lr-gamma", "100", "--epochs", "20", "--save",
                save.toString());
        assertEquals(TrainCommand.DIVERGED, run.exitCode(), run.transcript());
        Matcher at = Pattern.compile("at epoch (\\d+), batch 1,").matcher(run.err());
        assertTrue(at.find(), run.transcript());
        int epoch = Integer.parseInt(at.group(1));
        assertTrue(epoch >= 3, "diverges late enough to have a good checkpoint: " + run.transcript());
        assertTrue(run.err().contains("the last good state is the end of epoch " + (epoch - 2) + "."),
                run.transcript());
        assertTrue(run.err().contains("the last good state, the end of epoch " + (epoch - 2) + ", is in "
                + checkpoint), run.transcript());
        assertEquals(epoch - 2, dev.myelin.nn.CheckpointFile.read(checkpoint).checkpoint().epochs());
        assertFalse(Files.exists(save), run.transcript());
        Cli again = Cli.run("train", "--data", data.toString(), "--loss", "ce", "--init", checkpoint.toString(),
                "--lr", "0.01", "--epochs", "3");
        assertEquals(0, again.exitCode(), again.transcript());
        // resumed from that checkpoint with the same settings, the run writes epoch E − 1 over it and diverges
        // again at epoch E: the checkpoint it resumed from is written back, not left overwritten
        Cli resumed = Cli.run("train", "--data", data.toString(), "--loss", "ce", "--lr", "0.5", "--schedule", "step",
                "--lr-step-size", "1", "--lr-gamma", "100", "--epochs", "20", "--resume", checkpoint.toString());
        assertEquals(TrainCommand.DIVERGED, resumed.exitCode(), resumed.transcript());
        assertTrue(resumed.err().contains("at epoch " + epoch + ", batch 1,"), resumed.transcript());
        assertTrue(resumed.err().contains("the last good state, the end of epoch " + (epoch - 2) + ", is in "
                + checkpoint), resumed.transcript());
        assertEquals(epoch - 2, dev.myelin.nn.CheckpointFile.read(checkpoint).checkpoint().epochs());
        // a new run with the same --save would overwrite the unfinished run's checkpoint: refused, file kept
        byte[] kept = Files.readAllBytes(checkpoint);
        Cli overwrite = Cli.run("train", "--data", data.toString(), "--loss", "ce", "--layers", "4,8,3", "--epochs",
                "1", "--save", save.toString());
        assertEquals(Main.USER_ERROR, overwrite.exitCode(), overwrite.transcript());
        assertTrue(overwrite.err().startsWith("myelin: the checkpoint beside --save, " + checkpoint + " holds a run"
                + " that did not finish (stopped at the end of epoch " + (epoch - 2) + ", of 20 epochs); a new run would"
                + " overwrite it. Continue it with --resume "), overwrite.transcript());
        assertTrue(Arrays.equals(kept, Files.readAllBytes(checkpoint)), "the checkpoint is unchanged");
        assertFalse(Files.exists(save), overwrite.transcript());
        // nor is a model saved over it: --save typed for --resume, or the in-place --init X --save X on a checkpoint
        for (List<String> over : List.of(List.of("--layers", "4,8,3"), List.of("--init", checkpoint.toString()))) {
            List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--loss", "ce",
                    "--epochs", "1", "--save", checkpoint.toString()));
            args.addAll(over);
            Cli modelOver = Cli.run(args.toArray(String[]::new));
            assertEquals(Main.USER_ERROR, modelOver.exitCode(), modelOver.transcript());
            assertTrue(modelOver.err().startsWith("myelin: --save " + checkpoint + " is the checkpoint of a run that"
                    + " did not finish (stopped at the end of epoch " + (epoch - 2) + ", of 20 epochs); a model saved"
                    + " there would replace the state it resumes from. Continue it with --resume "),
                    modelOver.transcript());
            assertTrue(Arrays.equals(kept, Files.readAllBytes(checkpoint)), "the checkpoint is unchanged");
        }
        // a file that says it is a checkpoint but cannot be read as one (another version's) is not replaced either
        Path other = Files.writeString(dir.resolve("other.json"), "{\"format\": \"myelin-checkpoint\", \"version\": 99}");
        Cli overOther = Cli.run("train", "--epochs", "1", "--save", other.toString());
        assertEquals(Main.USER_ERROR, overOther.exitCode(), overOther.transcript());
        assertTrue(overOther.err().startsWith("myelin: --save " + other + " is a checkpoint that cannot be read ("),
                overOther.transcript());
        // nor is a file that is not a checkpoint replaced by one
        Path notes = Files.writeString(dir.resolve("notes.ckpt.json"), "my notes\n");
        Cli overNotes = Cli.run("train", "--epochs", "2", "--save", dir.resolve("notes.json").toString());
        assertEquals(Main.USER_ERROR, overNotes.exitCode(), overNotes.transcript());
        assertTrue(overNotes.err().startsWith("myelin: the checkpoint beside --save, " + notes + " exists and is not a"
                + " checkpoint ("), overNotes.transcript());
        assertEquals("my notes\n", Files.readString(notes));
    }

    /**
     * A run holds the files it will write from its start: a second run saving to the same file fails at once
     * (here the first "run" is a reservation this test holds), and nothing of the first is touched.
     */
    @Test
    void aSecondRunSavingToTheSameFileIsRefusedAtItsStart() throws IOException {
        // a model file's first field, as the first run's model would have it (--save replaces models only)
        String firstRuns = "{\"format\": \"myelin-model\", \"the first run's\": true}\n";
        Path save = Files.writeString(dir.resolve("shared.json"), firstRuns);
        Path metrics = dir.resolve("shared-metrics.json");
        try (dev.myelin.nn.AtomicFile.Reservation first = dev.myelin.nn.AtomicFile.reserve(save)) {
            Cli second = Cli.run("train", "--epochs", "3", "--save", save.toString());
            assertEquals(Main.USER_ERROR, second.exitCode(), second.transcript());
            assertTrue(second.err().startsWith("myelin: another run is writing " + save), second.transcript());
            assertFalse(second.out().contains("Epoch 1,"), "refused before training: " + second.transcript());
            assertEquals(firstRuns, Files.readString(save));
            // the same for the checkpoint and the metrics file it would write
            try (dev.myelin.nn.AtomicFile.Reservation firstMetrics = dev.myelin.nn.AtomicFile.reserve(metrics)) {
                Cli third = Cli.run("train", "--epochs", "3", "--metrics", metrics.toString());
                assertEquals(Main.USER_ERROR, third.exitCode(), third.transcript());
                assertTrue(third.err().startsWith("myelin: another run is writing " + metrics), third.transcript());
            }
        }
        Cli after = Cli.run("train", "--epochs", "3", "--save", save.toString());
        assertEquals(0, after.exitCode(), after.transcript());
        assertFalse(Files.exists(dir.resolve(".shared.json.lock")), "the run's lock is gone with it");
    }

    @Test
    void parallelKernelPrintsTheSameLossesForEveryThreadCount() {
        assumeTrue(KernelRegistry.names().contains("parallel"), "needs the Vector API");
        String[] xor = {"train", "--preset", "xor", "--kernel", "parallel"};
        List<String> log = new ArrayList<>();
        Cli one;
        Cli two;
        try (LogCapture capture = new LogCapture(log)) {
            one = Cli.run(with(xor, "--threads", "1"));
            two = Cli.run(with(xor, "--threads", "2"));
        }
        assertEquals(0, one.exitCode(), one.transcript());
        assertEquals(0, two.exitCode(), two.transcript());
        List<Double> losses = epochLosses(one.outLines(), 2000);
        assertEquals(losses, epochLosses(two.outLines(), 2000));
        assertEquals(one.out(), two.out(), "the same lines, bit for bit");
        assertTrue(log.stream().anyMatch(l -> l.startsWith("myelin: kernel parallel (") && l.contains("2 threads")
                && l.contains("from --kernel and --threads")), "kernel line with its thread count: " + log);
    }

    @Test
    void parallelKernelSplitsLargerLayersAndStillPrintsTheSameLosses() throws IOException {
        assumeTrue(KernelRegistry.names().contains("parallel"), "needs the Vector API");
        // 512 rows × 64 inputs → 128 hidden: 2·512·64·128 ≈ 8.4·10⁶ flops per product, enough to be split.
        java.util.Random random = new java.util.Random(3);
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 512; i++) {
            double sum = 0;
            for (int j = 0; j < 64; j++) {
                float v = random.nextFloat() * 2 - 1;
                sum += j % 3 == 0 ? v : -0.5 * v;
                csv.append(v).append(',');
            }
            csv.append(sum > 0 ? 1 : 0).append('\n');
        }
        Path data = Files.writeString(dir.resolve("wide.csv"), csv);
        String[] args = {"train", "--data", data.toString(), "--layers", "64,128,1", "--epochs", "15", "--lr", "0.05",
                "--kernel", "parallel"};
        Cli one = Cli.run(with(args, "--threads", "1"));
        assertEquals(0, one.exitCode(), one.transcript());
        List<Double> losses = epochLosses(one.outLines(), 15);
        assertTrue(losses.get(14) < losses.get(0), "it learns: " + losses);
        for (String threads : List.of("2", "3")) {
            Cli more = Cli.run(with(args, "--threads", threads));
            assertEquals(0, more.exitCode(), more.transcript());
            assertEquals(losses, epochLosses(more.outLines(), 15), "--threads " + threads);
            assertEquals(one.out(), more.out(), "--threads " + threads);
        }
        // And predict, with the model trained above.
        Path model = dir.resolve("wide.json");
        assertEquals(0, Cli.run(with(args, "--save", model.toString())).exitCode());
        Path features = Files.writeString(dir.resolve("wide-features.csv"),
                csv.toString().replaceAll(",[01]\n", "\n"));
        Cli predictOne = Cli.run("predict", "--model", model.toString(), "--data", features.toString(),
                "--kernel", "parallel", "--threads", "1");
        Cli predictTwo = Cli.run("predict", "--model", model.toString(), "--data", features.toString(),
                "--kernel", "parallel", "--threads", "2");
        assertEquals(0, predictOne.exitCode(), predictOne.transcript());
        assertEquals(1 + 512, predictOne.outLines().size(), "a header and 512 rows");
        assertEquals(predictOne.out(), predictTwo.out());
    }

    @Test
    void threadsChoosesTheParallelKernelsCountAndOnlyItsCount() {
        assertEquals(1, Kernels.use(Kernels.named("scalar", 4)).kernel().threads());
        assertEquals("scalar", Kernels.use(Kernels.named("scalar", 4)).kernel().name());
        assertEquals(1, Kernels.named("scalar", null).kernel().threads());
        assumeTrue(KernelRegistry.names().contains("parallel"), "needs the Vector API");
        assertEquals(3, Kernels.use(Kernels.named("parallel", 3)).kernel().threads());
        assertEquals(1, Kernels.use(Kernels.named("parallel", 1)).kernel().threads());
        assertEquals(KernelRegistry.defaultThreads(), Kernels.use(Kernels.named("parallel", null)).kernel().threads());
        if (System.getProperty(KernelRegistry.KERNEL_PROPERTY) == null) {
            // The default kernel is the first one listed, parallel here: --threads applies to it too.
            assertEquals(3, Kernels.use(Kernels.named(null, 3)).kernel().threads());
            assertEquals("parallel", Kernels.use(Kernels.named(null, 3)).kernel().name());
        }
    }

    @Test
    void threadsWithASingleThreadedKernelIsANote() {
        List<String> log = new ArrayList<>();
        Cli run;
        try (LogCapture capture = new LogCapture(log)) {
            run = Cli.run("train", "--epochs", "2", "--kernel", "scalar", "--threads", "2");
        }
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(log.contains("myelin: note: --threads 2 has no effect: kernel scalar runs on 1 thread"
                + System.lineSeparator()), log.toString());
    }

    @Test
    void aBadThreadsPropertyIsAUserErrorWhenTheParallelKernelWouldUseIt() {
        assumeTrue(KernelRegistry.names().contains("parallel"), "needs the Vector API");
        try (SystemProperty threads = SystemProperty.set(KernelRegistry.THREADS_PROPERTY, "0")) {
            Cli run = Cli.run("train", "--epochs", "1", "--kernel", "parallel");
            assertEquals(2, run.exitCode(), run.transcript());
            assertTrue(run.err().startsWith("myelin: -Dmyelin.threads=0 is not a thread count"), run.transcript());
            assertFalse(run.err().contains("\tat "), run.transcript());
            Cli explicit = Cli.run("train", "--epochs", "1", "--kernel", "parallel", "--threads", "2");
            assertEquals(0, explicit.exitCode(), "--threads wins over the property: " + explicit.transcript());
            Cli bench = Cli.run("bench", "--shapes", "2x2x2");
            assertEquals(2, bench.exitCode(), bench.transcript());
            assertTrue(bench.err().startsWith("myelin: -Dmyelin.threads=0 is not a thread count"), bench.transcript());
        }
    }

    private static String[] with(String[] args, String... more) {
        return Stream.concat(Arrays.stream(args), Arrays.stream(more)).toArray(String[]::new);
    }

    /** Collects the CLI's log records (the kernel line), formatted as the command line prints them. */
    private static final class LogCapture extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger("dev.myelin.cli"); // a strong reference while capturing
        private final List<String> lines;
        private final OneLineLogFormatter formatter = new OneLineLogFormatter();

        LogCapture(List<String> lines) {
            this.lines = lines;
            logger.addHandler(this);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            lines.add(formatter.format(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    /** The loss of the last epoch line printed. */
    private static double lastLoss(Cli run) {
        double loss = Double.NaN;
        for (String line : run.outLines()) {
            Matcher m = EPOCH_LINE.matcher(line);
            if (m.matches()) {
                loss = Double.parseDouble(m.group(2));
            }
        }
        return loss;
    }

    /**
     * Checks that {@code lines} starts with exactly {@code count} lines "Epoch N, Loss: L", N = 1..count, each L
     * a positive double (or NaN), and returns the losses.
     */
    private static List<Double> epochLosses(List<String> lines, int count) {
        List<String> epochLines = lines.stream().filter(l -> l.startsWith("Epoch")).toList();
        assertEquals(count, epochLines.size(), "epoch lines");
        List<Double> losses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Matcher m = EPOCH_LINE.matcher(lines.get(i));
            assertTrue(m.matches(), "line " + (i + 1) + ": " + lines.get(i));
            assertEquals(i + 1, Integer.parseInt(m.group(1)), lines.get(i));
            double loss = Double.parseDouble(m.group(2));
            assertEquals(Double.toString(loss), m.group(2), "printed with Double.toString");
            assertTrue(loss > 0 || Double.isNaN(loss), lines.get(i));
            losses.add(loss);
        }
        return losses;
    }

    @Test
    void theResumeCommandIsQuotedForTheShell() {
        assertEquals("a/b.json", Shell.quoted("a/b.json"));
        assertEquals("--lr=0.1", Shell.quoted("--lr=0.1"));
        assertEquals("'my file.csv'", Shell.quoted("my file.csv"));
        assertEquals("'it'\\''s'", Shell.quoted("it's"));
        assertEquals("''", Shell.quoted(""));
        assertEquals("'$HOME'", Shell.quoted("$HOME"));
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }

    /** {@code out} without the seconds and samples/s of the epoch lines, which differ from run to run. */
    static String withoutTimes(String out) {
        return out.replaceAll(" \\| [0-9.]+ s, [0-9]+ samples/s", "");
    }
}
