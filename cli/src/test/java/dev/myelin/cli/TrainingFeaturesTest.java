package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} on an IDX folder (the MNIST layout, written here: 4×4 images whose class c lights pixel c) with
 * evaluation on its t10k files after every epoch, JSON log lines, a metrics file, then {@code eval} and
 * {@code report} on what it wrote; and {@code --test} for CSV data.
 */
class TrainingFeaturesTest {

    private static final int PIXELS = 16;

    @TempDir
    static Path dir;

    private static Path idx;

    @BeforeAll
    static void data() throws IOException {
        idx = Files.createDirectory(dir.resolve("digits"));
        writeSet(idx, "train", 400, new Random(1), true);
        writeSet(idx, "t10k", 100, new Random(2), false);
    }

    @Test
    void classDataWithoutLossTrainsWithCrossEntropy() throws IOException {
        // the README's MNIST line gives no --loss: an IDX folder holds classes, so ce, not the document's bce
        Path model = dir.resolve("default-loss.json");
        Cli run = Cli.run("train", "--data", idx.toString(), "--layers", "16,8,10", "--batch-size", "32",
                "--epochs", "1", "--save", model.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(Files.readString(model).contains("\"softmax\""), "a softmax output for ce");
        // several outputs of CSV data: classes too
        Path csv = dir.resolve("three-classes.csv");
        Files.writeString(csv, "0,0,0\n0,1,1\n1,0,2\n1,1,1\n");
        Cli classes = Cli.run("train", "--data", csv.toString(), "--layers", "2,3", "--epochs", "2");
        assertEquals(0, classes.exitCode(), classes.transcript());
        // one output stays the document's bce, and an explicit --loss always wins
        Cli mse = Cli.run("train", "--data", csv.toString(), "--layers", "2,3", "--loss", "mse", "--epochs", "2");
        assertEquals(2, mse.exitCode(), mse.transcript());
    }

    /** Beyond 20 classes the matrix is left out, and eval says so rather than print it or drop it silently. */
    @Test
    void evalNamesAConfusionMatrixItLeavesOut() throws IOException {
        for (int classes : new int[] {20, 21}) {
            StringBuilder csv = new StringBuilder();
            for (int c = 0; c < classes; c++) {
                csv.append(c).append(',').append(c % 3).append(',').append(c).append('\n');
            }
            Path data = Files.writeString(dir.resolve("classes" + classes + ".csv"), csv);
            Path model = dir.resolve("classes" + classes + ".json");
            Cli train = Cli.run("train", "--data", data.toString(), "--loss", "ce", "--layers", "2," + classes,
                    "--epochs", "2", "--save", model.toString());
            assertEquals(0, train.exitCode(), train.transcript());
            Cli eval = Cli.run("eval", "--model", model.toString(), "--data", data.toString());
            assertEquals(0, eval.exitCode(), eval.transcript());
            assertEquals(classes <= 20, eval.out().contains("confusion matrix (rows: actual class"), eval.out());
            assertEquals(classes > 20, eval.out().contains("confusion matrix: not printed for 21 classes (only up to"
                    + " 20)"), eval.out());
            assertTrue(eval.out().contains("  class " + (classes - 1) + ": "), "each class's accuracy: " + eval.out());
        }
    }

    @Test
    void anIdxFolderTrainsAndIsEvaluatedAfterEveryEpoch() throws IOException {
        Path model = dir.resolve("model.json");
        Path metrics = dir.resolve("metrics.json");
        Cli run = Cli.run("train", "--data", idx.toString(), "--loss", "ce", "--layers", "16,32,10",
                "--activation", "relu", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "16", "--epochs", "6",
                "--log-format", "json", "--metrics", metrics.toString(), "--save", model.toString(), "--per-class");
        assertEquals(0, run.exitCode(), run.transcript());
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.outLines()) {
            lines.add(json.readTree(line));
        }
        assertEquals(6, lines.size(), run.out());
        for (JsonNode e : lines) {
            double accuracy = e.get("test_accuracy").doubleValue();
            assertTrue(accuracy >= 0 && accuracy <= 1 && e.get("test_loss").isDouble(), e.toString());
            assertTrue(e.get("seconds").doubleValue() > 0 && e.get("samples_per_sec").doubleValue() > 0, e.toString());
        }
        assertTrue(lines.get(5).get("test_accuracy").doubleValue() >= 0.9, "a separable set is learned: " + lines);
        assertTrue(run.err().contains("Test: 100 rows"), run.err());
        assertTrue(run.err().contains("confusion matrix"), "--per-class: " + run.err());

        JsonNode saved = json.readTree(metrics.toFile());
        assertEquals("myelin-metrics", saved.get("format").asText());
        assertEquals(6, saved.get("epochs").size());
        assertEquals(lines.get(5).get("test_accuracy"), saved.get("epochs").get(5).get("test_accuracy"));

        Cli eval = Cli.run("eval", "--model", model.toString(), "--data", idx.toString());
        assertEquals(0, eval.exitCode(), eval.transcript());
        assertTrue(eval.out().contains(": 100 rows"), eval.out());
        String accuracyLine = eval.out().lines().filter(l -> l.startsWith("accuracy: ")).findFirst().orElseThrow();
        double accuracy = Double.parseDouble(accuracyLine.split(" ")[1]);
        assertEquals(lines.get(5).get("test_accuracy").doubleValue(), accuracy, 1e-4, "eval = the last epoch's test");
        long counted = eval.out().lines().dropWhile(l -> !l.startsWith("confusion matrix")).skip(2).limit(10)
                .mapToLong(l -> java.util.Arrays.stream(l.trim().split(" +")).skip(1).mapToLong(Long::parseLong).sum())
                .sum();
        assertEquals(100, counted, "the confusion matrix counts every test row once:\n" + eval.out());

        Cli predict = Cli.run("predict", "--model", model.toString(), "--data", idx.toString());
        assertEquals(0, predict.exitCode(), predict.transcript());
        assertEquals(101, predict.outLines().size(), "a header and the 100 t10k rows: " + predict.out());
        assertTrue(predict.outLines().get(0).startsWith("class,label,p0,"), predict.out());
        assertTrue(predict.err().contains("/100"), "accuracy on the labelled rows: " + predict.err());

        Path png = dir.resolve("curves.png");
        Cli report = Cli.run("report", "--metrics", metrics.toString(), "--out", png.toString());
        assertEquals(0, report.exitCode(), report.transcript());
        byte[] bytes = Files.readAllBytes(png);
        assertTrue(bytes.length > 1000 && (bytes[0] & 0xFF) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N'
                && bytes[3] == 'G', "a PNG file");
    }

    @Test
    void thePresetSaysHowToGetItsDataWhenItIsMissing() throws Exception {
        Path missing = dir.resolve("no-such-folder");
        ChildCli run = ChildCli.run(dir, java.util.Map.of(TrainCommand.FASHION_MNIST_ENV, missing.toString()),
                "train", "--preset", "fashion-mnist");
        assertEquals(Main.USER_ERROR, run.exitCode(), run.transcript());
        assertEquals(1, run.messages().size(), run.transcript());
        assertTrue(run.err().contains("myelin: --preset fashion-mnist: its data is not in " + missing), run.transcript());
        assertTrue(run.err().contains("apt-get install dataset-fashion-mnist"), run.transcript());
        // a folder that is there but empty, or half there, is missing data too
        Path half = Files.createDirectory(dir.resolve("half-there"));
        Files.copy(idx.resolve("train-images-idx3-ubyte.gz"), half.resolve("train-images-idx3-ubyte.gz"));
        ChildCli partial = ChildCli.run(dir, java.util.Map.of(TrainCommand.FASHION_MNIST_ENV, half.toString()),
                "train", "--preset", "fashion-mnist");
        assertEquals(Main.USER_ERROR, partial.exitCode(), partial.transcript());
        assertTrue(partial.err().contains("myelin: --preset fashion-mnist: its data is not in " + half + " (no"
                + " train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte). On Debian or Ubuntu:"
                + " apt-get install dataset-fashion-mnist"), partial.transcript());
        // with --test, the folder's t10k files are not needed: only its train-* files are asked for
        ChildCli withTest = ChildCli.run(dir, java.util.Map.of(TrainCommand.FASHION_MNIST_ENV, half.toString()),
                "train", "--preset", "fashion-mnist", "--test", idx.toString());
        assertTrue(withTest.err().contains("its data is not in " + half + " (no train-labels-idx1-ubyte). On"),
                withTest.transcript());

        ChildCli found = ChildCli.run(dir, java.util.Map.of(TrainCommand.FASHION_MNIST_ENV, idx.toString()),
                "train", "--preset", "fashion-mnist", "--layers", "16,8,10", "--epochs", "1", "--kernel", "scalar");
        assertEquals(0, found.exitCode(), found.transcript());
        assertTrue(found.out().contains("Test: 100 rows"), "the folder from the variable: " + found.transcript());
    }

    @Test
    void csvTrainingDataTakesATestFile() throws IOException {
        Path train = Files.writeString(dir.resolve("blobs.csv"), blobs(new Random(5), 60));
        Path test = Files.writeString(dir.resolve("blobs-test.csv"), blobs(new Random(6), 20));
        Cli run = Cli.run("train", "--data", train.toString(), "--test", test.toString(), "--lr", "0.5",
                "--epochs", "50", "--log-every", "50");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("Epoch 50, Loss: "), run.out());
        assertTrue(run.out().contains("| test loss ") && run.out().contains("accuracy 100.00%"), run.out());
        assertTrue(run.out().contains("Test: 20 rows"), run.out());
        assertTrue(run.err().contains("read 60 training rows from " + train + " and 20 test rows from " + test),
                "each set named with its own file: " + run.err());

        Cli noTest = Cli.run("train", "--data", train.toString(), "--lr", "0.5", "--epochs", "50", "--per-class");
        assertEquals(0, noTest.exitCode(), noTest.transcript());
        assertTrue(noTest.out().contains("Per class, on the training data (no test data):")
                && noTest.out().contains("class 1: 1.0000"), noTest.out());
    }

    /**
     * A test set on which the model's outputs are NaN (inputs of 3e38 overflow a relu layer) has a NaN loss: that
     * is written as "NaN", not as null, which means "no evaluation data"; report draws what it can and says
     * which points it left out.
     */
    @Test
    void aNanTestLossIsWrittenAsNanNotAsNoEvaluation() throws IOException {
        Path train = Files.writeString(dir.resolve("nan-train.csv"), blobs(new Random(11), 20));
        Path test = Files.writeString(dir.resolve("nan-test.csv"), "x1,x2,label\n3e38,3e38,1\n0.1,0.2,0\n");
        Path metrics = dir.resolve("nan-metrics.json");
        Cli json = Cli.run("train", "--data", train.toString(), "--test", test.toString(), "--loss", "ce", "--layers",
                "2,4,2", "--activation", "relu", "--init-method", "he", "--epochs", "2", "--log-format", "json",
                "--metrics", metrics.toString());
        assertEquals(0, json.exitCode(), json.transcript());
        assertTrue(json.out().lines().allMatch(l -> l.contains("\"test_loss\":\"NaN\"")), json.out());
        assertTrue(Files.readString(metrics).contains("\"test_loss\" : \"NaN\""), Files.readString(metrics));
        Cli text = Cli.run("train", "--data", train.toString(), "--test", test.toString(), "--loss", "ce", "--layers",
                "2,4,2", "--activation", "relu", "--init-method", "he", "--epochs", "2");
        assertTrue(text.out().contains("Epoch 1, Loss: ") && text.out().contains("| test loss NaN, accuracy "),
                text.out());
        Path png = dir.resolve("nan-curves.png");
        Cli report = Cli.run("report", "--metrics", metrics.toString(), "--out", png.toString());
        assertEquals(0, report.exitCode(), report.transcript());
        assertTrue(report.err().contains("myelin: note: test_loss is NaN, infinite or beyond 1e300 at epochs 1, 2;"
                + " those points are not drawn"), report.transcript());
        assertTrue(Files.size(png) > 1000, "the picture is written");
    }

    /** With --test, an IDX folder needs only its train-* files: the t10k ones are not read, nor needed. */
    @Test
    void aTestOptionFreesAnIdxFolderFromItsT10kFiles() throws IOException {
        Path trainOnly = Files.createDirectory(dir.resolve("train-only"));
        for (String f : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte"}) {
            Files.copy(idx.resolve(f), trainOnly.resolve(f));
        }
        Cli run = Cli.run("train", "--data", trainOnly.toString(), "--test", idx.toString(), "--layers", "16,10",
                "--epochs", "1");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("Test: 100 rows"), run.out());
    }

    /**
     * Without --test, an IDX folder with neither t10k file trains with nothing to evaluate on, and says so; one with
     * only one of the two is refused, naming the other.
     */
    @Test
    void anIdxFolderWithoutItsT10kFilesTrainsWithoutEvaluation() throws IOException {
        Path trainOnly = Files.createDirectory(dir.resolve("train-alone"));
        for (String f : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte"}) {
            Files.copy(idx.resolve(f), trainOnly.resolve(f));
        }
        Cli run = Cli.run("train", "--data", trainOnly.toString(), "--layers", "16,10", "--epochs", "1");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.err().contains("note: " + trainOnly + " has no t10k-* files, so nothing is evaluated after the"
                + " epochs; --test FILE|DIR gives evaluation data"), run.transcript());
        assertFalse(run.out().contains("Test: "), run.out());
        Path folder = Files.createDirectory(trainOnly.resolve("t10k-images-idx3-ubyte")); // a folder of the name
        Cli misnamed = Cli.run("train", "--data", trainOnly.toString(), "--layers", "16,10", "--epochs", "1");
        assertEquals(Main.USER_ERROR, misnamed.exitCode(), misnamed.transcript());
        assertTrue(misnamed.err().contains(folder + ": is a folder, not the IDX file of that name"),
                misnamed.transcript());
        Files.delete(folder);
        Files.copy(idx.resolve("t10k-images-idx3-ubyte"), trainOnly.resolve("t10k-images-idx3-ubyte"));
        Cli half = Cli.run("train", "--data", trainOnly.toString(), "--layers", "16,10", "--epochs", "1");
        assertEquals(Main.USER_ERROR, half.exitCode(), half.transcript());
        assertTrue(half.err().contains("no t10k-labels-idx1-ubyte"), half.transcript());
    }

    /**
     * A model trained on an IDX folder (pixels read as x/255) keeps the range of its inputs, and predict and eval
     * say when they are given the raw pixels of a CSV export instead; inputs on the training scale get no note.
     */
    @Test
    void rawPixelsForAModelTrainedOnScaledOnesAreNoted() throws IOException {
        Path model = dir.resolve("pixels.json");
        Path checkpoint = dir.resolve("pixels-checkpoint.json");
        Cli train = Cli.run("train", "--data", idx.toString(), "--layers", "16,10", "--epochs", "1", "--save",
                model.toString(), "--checkpoint", checkpoint.toString(), "--standardize");
        assertEquals(0, train.exitCode(), train.transcript());
        for (Path file : new Path[] {model, checkpoint}) { // the range of the inputs as read, not standardised
            assertTrue(Files.readString(file).replaceAll("\\s", "").contains("\"input_range\":{\"min\":0.0,\"max\":1.0}"),
                    file + " keeps the range");
        }
        StringBuilder raw = new StringBuilder();
        StringBuilder scaled = new StringBuilder();
        for (int row = 0; row < 3; row++) {
            for (int j = 0; j < 16; j++) {
                raw.append((row * 16 + j) * 5 % 256).append(',');
                scaled.append((row * 16 + j) * 5 % 256 / 255f).append(',');
            }
            raw.append(row).append('\n');
            scaled.append(row).append('\n');
        }
        Path rawCsv = Files.writeString(dir.resolve("raw-pixels.csv"), raw);
        Path scaledCsv = Files.writeString(dir.resolve("scaled-pixels.csv"), scaled);
        String note = "note: the inputs of " + rawCsv + " range over [0.0, 235.0], far outside the [0.0, 1.0] of the"
                + " data " + model + " was trained on: were they scaled as that data was?";
        for (String command : new String[] {"predict", "eval"}) {
            Cli onRaw = Cli.run(command, "--model", model.toString(), "--data", rawCsv.toString());
            assertEquals(0, onRaw.exitCode(), onRaw.transcript());
            assertTrue(onRaw.err().contains(note), onRaw.transcript());
            Cli onScaled = Cli.run(command, "--model", model.toString(), "--data", scaledCsv.toString());
            assertEquals(0, onScaled.exitCode(), onScaled.transcript());
            assertFalse(onScaled.err().contains("note: the inputs"), onScaled.transcript());
        }
        // train says it too: fine-tuning a model on data of another scale, or testing on such data each epoch
        Cli fineTune = Cli.run("train", "--data", rawCsv.toString(), "--init", model.toString(), "--loss", "ce",
                "--epochs", "1");
        assertEquals(0, fineTune.exitCode(), fineTune.transcript());
        assertTrue(fineTune.err().contains(note), fineTune.transcript());
        Cli tested = Cli.run("train", "--data", scaledCsv.toString(), "--test", rawCsv.toString(), "--layers", "16,3",
                "--loss", "ce", "--epochs", "1");
        assertEquals(0, tested.exitCode(), tested.transcript());
        assertTrue(tested.err().contains("note: the inputs of " + rawCsv + " range over [0.0, 235.0], far outside the"
                + " [0.0, 0.92156863] of the training data " + scaledCsv + ": were they scaled as that data was?"),
                tested.transcript());
        Cli alike = Cli.run("train", "--data", scaledCsv.toString(), "--init", model.toString(), "--test",
                scaledCsv.toString(), "--loss", "ce", "--epochs", "1");
        assertEquals(0, alike.exitCode(), alike.transcript());
        assertFalse(alike.err().contains("note: the inputs"), alike.transcript());
    }

    /** A --test folder's images have the training images' shape, not just their pixel count. */
    @Test
    void aTestFolderOfAnotherImageShapeIsRefused() throws IOException {
        Path wide = Files.createDirectory(dir.resolve("wide-digits"));
        writeSet(wide, "t10k", 30, new Random(3), false, 2); // 2×8: 16 pixels, as the training images' 4×4
        Cli run = Cli.run("train", "--data", idx.toString(), "--test", wide.toString(), "--layers", "16,10",
                "--epochs", "1");
        assertEquals(Main.USER_ERROR, run.exitCode(), run.transcript());
        assertTrue(run.err().contains(wide.resolve("t10k-images-idx3-ubyte") + ": its images are 2×8 pixels but"
                + " those of " + idx.resolve("train-images-idx3-ubyte.gz") + " are 4×4"), run.transcript());
    }

    /**
     * --header and --no-header speak of the CSV file among --data and --test: beside an IDX folder they are taken
     * (a CSV test set whose header is numbers, as pandas writes, needs --header), and refused only when no file is
     * a CSV.
     */
    @Test
    void headerOptionsApplyToTheCsvFileBesideAnIdxFolder() throws IOException {
        StringBuilder csv = new StringBuilder();
        for (int j = 0; j <= 16; j++) {
            csv.append(j).append(j < 16 ? "," : "\n"); // a header of numbers: 0,1,…,16
        }
        Random r = new Random(5);
        for (int i = 0; i < 20; i++) {
            for (int j = 0; j < 16; j++) {
                csv.append(r.nextInt(256) / 255f).append(',');
            }
            csv.append(r.nextInt(10)).append('\n');
        }
        Path test = Files.writeString(dir.resolve("numbered-header-test.csv"), csv);
        Cli withHeader = Cli.run("train", "--data", idx.toString(), "--test", test.toString(), "--layers", "16,10",
                "--epochs", "1", "--header");
        assertEquals(0, withHeader.exitCode(), withHeader.transcript());
        assertTrue(withHeader.out().contains("Test: 20 rows"), withHeader.out());
        // an IDX folder is 10 classes whatever labels it uses: the refusal of 3 outputs says so
        Cli three = Cli.run("train", "--data", idx.toString(), "--layers", "16,8,3", "--epochs", "1");
        assertEquals(Main.USER_ERROR, three.exitCode(), three.transcript());
        assertTrue(three.err().contains("has 10 classes (an IDX folder is read as the 10 classes 0-9, whichever its"
                + " labels use)"), three.transcript());
        Cli folders = Cli.run("train", "--data", idx.toString(), "--test", idx.toString(), "--layers", "16,10",
                "--epochs", "1", "--no-header");
        assertEquals(Main.USER_ERROR, folders.exitCode(), folders.transcript());
        assertTrue(folders.err().startsWith("myelin: --no-header is about CSV files, but --data " + idx + " is an IDX"
                + " folder"), folders.transcript());
    }

    /**
     * A resumed run keeps the epochs a metrics file already holds only when they are its own (same model, same
     * data); another run's are dropped, with a note.
     */
    @Test
    void aResumedRunDoesNotMergeAnotherRunsMetrics() throws IOException {
        Path metrics = dir.resolve("shared-metrics.json");
        Path other = Files.writeString(dir.resolve("other-run.csv"), blobs(new Random(21), 30));
        assertEquals(0, Cli.run("train", "--data", other.toString(), "--layers", "2,3,1", "--epochs", "6",
                "--metrics", metrics.toString()).exitCode());
        Path data = Files.writeString(dir.resolve("this-run.csv"), blobs(new Random(22), 30));
        Path model = dir.resolve("this-run.json");
        assertEquals(0, Cli.run("train", "--data", data.toString(), "--epochs", "3", "--save", model.toString())
                .exitCode());
        Cli resumed = Cli.run("train", "--data", data.toString(), "--epochs", "6", "--resume",
                dir.resolve("this-run.ckpt.json").toString(), "--metrics", metrics.toString());
        assertEquals(0, resumed.exitCode(), resumed.transcript());
        assertTrue(resumed.err().contains("held the epochs of another run (its model 2→3 sigmoid, 3→1 sigmoid;"
                + " training data"), resumed.transcript());
        List<MetricsFile.Epoch> epochs = MetricsFile.read(metrics);
        assertEquals(List.of(4, 5, 6), epochs.stream().map(MetricsFile.Epoch::epoch).toList());

        // the run's own epochs are kept: stop at 6, resume to 8 with the same file
        Cli again = Cli.run("train", "--data", data.toString(), "--epochs", "8", "--resume",
                dir.resolve("this-run.ckpt.json").toString(), "--metrics", metrics.toString());
        assertEquals(0, again.exitCode(), again.transcript());
        assertEquals(List.of(4, 5, 6, 7, 8), MetricsFile.read(metrics).stream().map(MetricsFile.Epoch::epoch)
                .toList());

        // the same model and data with another --lr is another run too
        Path lrMetrics = dir.resolve("lr-metrics.json");
        assertEquals(0, Cli.run("train", "--data", data.toString(), "--epochs", "3", "--lr", "0.5", "--metrics",
                lrMetrics.toString()).exitCode());
        Path b = dir.resolve("lr-run.json");
        assertEquals(0, Cli.run("train", "--data", data.toString(), "--epochs", "3", "--save", b.toString())
                .exitCode());
        Path bCheckpoint = dir.resolve("lr-run.ckpt.json");
        Cli otherLr = Cli.run("train", "--data", data.toString(), "--epochs", "5", "--resume", bCheckpoint.toString(),
                "--metrics", lrMetrics.toString());
        assertTrue(otherLr.err().contains("held the epochs of another run (its settings "), otherLr.transcript());
        assertEquals(List.of(4, 5), MetricsFile.read(lrMetrics).stream().map(MetricsFile.Epoch::epoch).toList());
        // an epoch resumed without --metrics leaves a gap, and the next resume says so
        assertEquals(0, Cli.run("train", "--data", data.toString(), "--epochs", "6", "--resume",
                bCheckpoint.toString()).exitCode());
        Cli gap = Cli.run("train", "--data", data.toString(), "--epochs", "7", "--resume", bCheckpoint.toString(),
                "--metrics", lrMetrics.toString());
        assertTrue(gap.err().contains("has no line for epochs 1, 2, 3, 6 (trained without --metrics, or not yet written when the run was killed)"),
                gap.transcript()); // 1-3: the first part of the run had no --metrics either
        assertEquals(List.of(4, 5, 7), MetricsFile.read(lrMetrics).stream().map(MetricsFile.Epoch::epoch).toList());
    }

    /** A checkpoint's model starts a new run with --init (after a divergence, with a smaller --lr). */
    @Test
    void aCheckpointStartsANewRunWithInit() throws IOException {
        Path data = Files.writeString(dir.resolve("init-ckpt.csv"), blobs(new Random(23), 30));
        Path model = dir.resolve("init-ckpt.json");
        assertEquals(0, Cli.run("train", "--data", data.toString(), "--epochs", "2", "--save", model.toString())
                .exitCode());
        Cli fresh = Cli.run("train", "--data", data.toString(), "--epochs", "2", "--lr", "0.01", "--init",
                dir.resolve("init-ckpt.ckpt.json").toString());
        assertEquals(0, fresh.exitCode(), fresh.transcript());
        assertTrue(fresh.out().contains("sgd (lr 0.01)"), fresh.out());
    }

    /** AdamW decays by PyTorch's default 0.01 unless --weight-decay says otherwise; Adam by nothing. */
    @Test
    void adamWTakesPyTorchsDefaultWeightDecay() throws IOException {
        Cli adamw = Cli.run("train", "--preset", "xor", "--optimizer", "adamw", "--lr", "0.01", "--epochs", "1");
        assertEquals(0, adamw.exitCode(), adamw.transcript());
        assertTrue(adamw.out().contains("adamw (lr 0.01, betas 0.9 and 0.999, eps 1e-08, weight decay 0.01)"),
                adamw.out());
        Cli none = Cli.run("train", "--preset", "xor", "--optimizer", "adamw", "--lr", "0.01", "--weight-decay", "0",
                "--epochs", "1");
        assertTrue(none.out().contains("adamw (lr 0.01, betas 0.9 and 0.999, eps 1e-08)"), none.out());
    }

    /** The summary names the settings the run used, defaults included (PyTorch's SGD has momentum 0, ours 0.9). */
    @Test
    void theSummaryNamesTheOptimizersSettings() {
        Cli momentum = Cli.run("train", "--preset", "xor", "--optimizer", "momentum", "--lr", "0.1", "--epochs",
                "1");
        assertEquals(0, momentum.exitCode(), momentum.transcript());
        assertTrue(momentum.out().contains("momentum (lr 0.1, momentum 0.9)"), momentum.out());
        Cli nesterov = Cli.run("train", "--preset", "xor", "--optimizer", "nesterov", "--lr", "0.1", "--momentum",
                "0.5", "--weight-decay", "0.001", "--epochs", "1");
        assertTrue(nesterov.out().contains("nesterov (lr 0.1, momentum 0.5, weight decay 0.001)"), nesterov.out());
        Cli adam = Cli.run("train", "--preset", "xor", "--optimizer", "adam", "--lr", "0.1", "--beta2", "0.99",
                "--epochs", "1");
        assertTrue(adam.out().contains("adam (lr 0.1, betas 0.9 and 0.99, eps 1e-08)"), adam.out());
    }

    @Test
    void standardizedInputsAreStoredInTheModelAndAppliedByPredictAndEval() throws IOException {
        // blobs far from the origin (offset 5000, spread 0.3): without scaling, sigmoid units would saturate
        Random r = new Random(9);
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 80; i++) {
            int c = i % 2;
            csv.append(5000 + 3 * c + 0.3 * r.nextGaussian()).append(',').append(-7000 + 3 * c + 0.3 * r.nextGaussian())
                    .append(',').append(c).append('\n');
        }
        Path data = Files.writeString(dir.resolve("far.csv"), csv);
        Path model = dir.resolve("far.json");
        Cli run = Cli.run("train", "--data", data.toString(), "--standardize", "--lr", "0.5", "--epochs", "200",
                "--log-every", "200", "--save", model.toString());
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("Accuracy: 80/80 rows right"), run.out());
        JsonNode scaling = new ObjectMapper().readTree(model.toFile()).get("input_scaling");
        assertTrue(scaling != null && scaling.get("mean").get(0).doubleValue() > 4990, "stored: " + scaling);

        Cli predict = Cli.run("predict", "--model", model.toString(), "--data", data.toString());
        assertEquals(0, predict.exitCode(), predict.transcript());
        assertTrue(predict.err().contains("80/80"), "raw inputs scaled as in training: " + predict.transcript());
        // the epoch-end checkpoint beside --save carries the scaling too, so a resume scales its data the same way
        dev.myelin.nn.InputScaling inCheckpoint = dev.myelin.nn.CheckpointFile.read(dir.resolve("far.ckpt.json"))
                .model().inputScaling();
        assertTrue(inCheckpoint != null && inCheckpoint.mean()[0] > 4990, "checkpoint scaling: " + inCheckpoint);
        Cli eval = Cli.run("eval", "--model", model.toString(), "--data", data.toString());
        assertTrue(eval.out().contains("accuracy: 1.0000 (80/80)"), eval.transcript());
        // a model that keeps its own scaling: --standardize with --init is said to be ignored, not silently
        Cli again = Cli.run("train", "--data", data.toString(), "--init", model.toString(), "--standardize",
                "--epochs", "1");
        assertEquals(0, again.exitCode(), again.transcript());
        assertTrue(again.err().contains("note: --standardize is ignored: the model from " + model + " keeps its own"
                + " input scaling"), again.transcript());

        // the summary's rows show the inputs as the file has them, not standardised
        Path few = Files.writeString(dir.resolve("far-few.csv"), "5000,-7000,0\n5003,-6997,1\n5000.5,-7000,0\n");
        Cli small = Cli.run("train", "--data", few.toString(), "--standardize", "--epochs", "2");
        assertEquals(0, small.exitCode(), small.transcript());
        assertTrue(small.out().contains("  [5000, -7000] -> ") && small.out().contains("  [5003, -6997] -> "),
                small.out());
    }

    /**
     * A run stopped inside its first epoch (here diverged at its fourth batch) still makes its --metrics file its
     * own: no epochs, not finished. Another run's finished metrics left there would be drawn as this run's.
     */
    @Test
    void aRunStoppedInItsFirstEpochReplacesAnotherRunsFinishedMetrics() throws IOException {
        Path metrics = dir.resolve("stopped-early-metrics.json");
        assertEquals(0, Cli.run("train", "--epochs", "2", "--metrics", metrics.toString()).exitCode());
        JsonNode before = new ObjectMapper().readTree(metrics.toFile());
        assertTrue(before.get("finished").booleanValue() && before.get("epochs").size() == 2, before.toString());
        Cli diverged = Cli.run("train", "--epochs", "2", "--batch-size", "1", "--lr", "1e30", "--metrics",
                metrics.toString());
        assertEquals(4, diverged.exitCode(), diverged.transcript());
        assertTrue(diverged.err().contains("at epoch 1, batch "), diverged.transcript());
        JsonNode after = new ObjectMapper().readTree(metrics.toFile());
        assertFalse(after.get("finished").booleanValue(), after.toString());
        assertEquals(0, after.get("epochs").size(), after.toString());
        assertTrue(after.get("run").textValue().contains("--batch-size 1"), "this run's: " + after);
    }

    /**
     * A metrics file that cannot be written during the run (/proc takes no new files, whatever the user, root
     * included; the folder itself passes the checks before training) is reported once, training goes on and the
     * model is saved, but the run ends with exit code 3, naming the first epoch missing: not a silent 0.
     */
    @Test
    void aMetricsFileThatCannotBeWrittenIsReportedOnceAndTrainingGoesOnToExitThree() throws IOException {
        Path train = Files.writeString(dir.resolve("blobs-m.csv"), blobs(new Random(7), 40));
        Path model = dir.resolve("metrics-fail-model.json");
        Cli run = Cli.run("train", "--data", train.toString(), "--epochs", "3", "--metrics", "/proc/myelin-metrics.json",
                "--save", model.toString());
        assertEquals(ModelSaver.NOT_SAVED, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("Epoch 3, Loss: "), "all epochs ran: " + run.out());
        assertEquals(1, run.err().lines().filter(l -> l.contains("cannot write the metrics file")).count(),
                run.transcript());
        assertTrue(run.err().contains("myelin: --metrics /proc/myelin-metrics.json is incomplete: epoch 1: "),
                run.transcript());
        assertTrue(run.out().contains("Model saved to " + model) && Files.exists(model), run.transcript());

        Cli special = Cli.run("train", "--data", train.toString(), "--epochs", "1", "--checkpoint", "/dev/null");
        assertEquals(Main.USER_ERROR, special.exitCode(), special.transcript());
        assertTrue(special.err().startsWith("myelin: --checkpoint /dev/null: "), special.transcript());
    }

    /** report draws only metrics that can be: epochs from 1, each once, in order; losses ≥ 0; accuracies in [0, 1]. */
    @Test
    void reportRefusesMetricsThatCannotBe() throws IOException {
        String head = "{\"format\": \"myelin-metrics\", \"version\": 1, \"epochs\": [";
        String[][] cases = {
                {"{\"epoch\": 2.5, \"loss\": 0.5}", "epochs[0] needs a whole \"epoch\" and a numeric \"loss\""},
                {"{\"epoch\": 1, \"loss\": 0.5, \"test_accuracy\": \"7\"}", "epochs[0]: \"test_accuracy\" is the"
                        + " string \"7\"; it is a number, null, or \"NaN\", \"Infinity\" or \"-Infinity\""},
                {"{\"epoch\": 1, \"loss\": 0.5, \"test_loss\": true}", "epochs[0]: \"test_loss\" is true; it is a"},
                {"{\"epoch\": 1, \"loss\": 0.5, \"test_accuracy\": 1.5}",
                        "epochs[0]: \"test_accuracy\" is 1.5; an accuracy is between 0 and 1"},
                {"{\"epoch\": 1, \"loss\": 0.5}, {\"epoch\": 1, \"loss\": 0.4}",
                        "epochs[1]: epoch 1 does not come after epoch 1; epochs are counted from 1, each once, in order"},
                {"{\"epoch\": -2, \"loss\": 0.5}", "epochs[0]: epoch -2 is below 1; epochs are counted from 1"},
                {"{\"epoch\": 1, \"loss\": -0.5}", "epochs[0]: \"loss\" is -0.5; a loss is at least 0"},
                {"{\"epoch\": 1, \"loss\": 0.5, \"test_loss\": -1}", "epochs[0]: \"test_loss\" is -1.0; a loss is"},
                // a literal beyond a double reads as infinite, which no range check would then see (-1e400 as a loss)
                {"{\"epoch\": 1, \"loss\": -1e400}", "epochs[0]: \"loss\" is a number beyond the range of a double"},
                {"{\"epoch\": 1, \"loss\": 0.5, \"test_accuracy\": 1e400}", "epochs[0]: \"test_accuracy\" is a number"
                        + " beyond the range of a double (such as 1e400); an infinite value is written \"Infinity\""}};
        for (int i = 0; i < cases.length; i++) {
            Path metrics = Files.writeString(dir.resolve("odd-" + i + ".json"), head + cases[i][0] + "]}");
            Path png = dir.resolve("odd-" + i + ".png");
            Cli report = Cli.run("report", "--metrics", metrics.toString(), "--out", png.toString());
            assertEquals(Main.USER_ERROR, report.exitCode(), report.transcript());
            assertTrue(report.err().startsWith("myelin: " + metrics + ": " + cases[i][1]), report.transcript());
            assertFalse(Files.exists(png), "no chart of metrics that cannot be");
        }
        // a file of another version, or of none, is not read as this one
        String[][] versions = {{"99", "unsupported version 99 (this Myelin reads version 1)"},
                {"\"abc\"", "\"version\" must be an integer, found the string \"abc\""}};
        for (String[] v : versions) {
            Path metrics = Files.writeString(dir.resolve("odd-v.json"), "{\"format\": \"myelin-metrics\", \"version\": "
                    + v[0] + ", \"epochs\": [{\"epoch\": 1, \"loss\": 0.5}]}");
            Cli report = Cli.run("report", "--metrics", metrics.toString(), "--out", dir.resolve("v.png").toString());
            assertEquals(Main.USER_ERROR, report.exitCode(), report.transcript());
            assertTrue(report.err().startsWith("myelin: " + metrics + ": " + v[1]), report.transcript());
        }
        Path none = Files.writeString(dir.resolve("odd-none.json"), "{\"format\": \"myelin-metrics\", \"epochs\":"
                + " [{\"epoch\": 1, \"loss\": 0.5}]}");
        Cli noVersion = Cli.run("report", "--metrics", none.toString(), "--out", dir.resolve("v.png").toString());
        assertTrue(noVersion.err().startsWith("myelin: " + none + ": missing field \"version\""), noVersion.transcript());
        assertTrue(Files.notExists(dir.resolve("v.png")), "no chart of another version's metrics");
        // an epoch written 2.0 is epoch 2
        Path twoPointZero = Files.writeString(dir.resolve("odd-2.0.json"), head + "{\"epoch\": 1, \"loss\": 0.5},"
                + " {\"epoch\": 2.0, \"loss\": 0.4}]}");
        assertEquals(0, Cli.run("report", "--metrics", twoPointZero.toString(), "--out",
                dir.resolve("odd-2.png").toString()).exitCode());
        // NaN and infinite values stay allowed (a diverged run's): drawn without them
        Path diverged = Files.writeString(dir.resolve("odd-nan.json"), head + "{\"epoch\": 1, \"loss\": 0.5},"
                + " {\"epoch\": 2, \"loss\": \"Infinity\", \"test_accuracy\": \"NaN\"}]}");
        assertEquals(0, Cli.run("report", "--metrics", diverged.toString(), "--out",
                dir.resolve("odd-nan.png").toString()).exitCode());
        // a finite loss near the top of the double range: left off with a note (its axis would overflow)
        Path huge = Files.writeString(dir.resolve("odd-huge.json"), head + "{\"epoch\": 1, \"loss\": 0.5},"
                + " {\"epoch\": 2, \"loss\": 1.75e308}, {\"epoch\": 3, \"loss\": 0.4}]}");
        Cli hugeReport = Cli.run("report", "--metrics", huge.toString(), "--out", dir.resolve("odd-huge.png").toString());
        assertEquals(0, hugeReport.exitCode(), hugeReport.transcript());
        assertTrue(hugeReport.err().contains("myelin: note: loss is NaN, infinite or beyond 1e300 at epoch 2; those"
                + " points are not drawn"), hugeReport.transcript());
    }

    /**
     * A point that cannot be drawn, and an epoch the file lacks, break the line: it had joined epoch 1 to epoch 3 as
     * if the run had gone straight between them.
     */
    @Test
    void reportBreaksTheLineWhereAPointIsMissing() {
        List<MetricsFile.Epoch> epochs = List.of(
                new MetricsFile.Epoch(1, 0.9, 0.8, 0.5, List.of()),
                new MetricsFile.Epoch(2, Double.NaN, 0.7, 0.6, List.of("loss")),
                new MetricsFile.Epoch(3, 0.7, 0.6, 0.7, List.of()),
                new MetricsFile.Epoch(6, 0.5, 0.5, 0.8, List.of()));
        org.jfree.chart.plot.CombinedDomainXYPlot plot =
                (org.jfree.chart.plot.CombinedDomainXYPlot) ReportCommand.chart(epochs, "t").getXYPlot();
        org.jfree.data.xy.XYDataset losses = plot.getSubplots().get(0).getDataset();
        List<String> training = new java.util.ArrayList<>();
        for (int i = 0; i < losses.getItemCount(0); i++) {
            training.add(losses.getXValue(0, i) + ":" + losses.getYValue(0, i));
        }
        assertEquals(List.of("1.0:0.9", "2.0:NaN", "3.0:0.7", "4.0:NaN", "6.0:0.5"), training);
        org.jfree.data.xy.XYDataset accuracy = plot.getSubplots().get(1).getDataset();
        assertEquals(Double.NaN, accuracy.getYValue(0, 3), "the gap of epochs 4–5 in the accuracy too");
        assertEquals(0.8, accuracy.getYValue(0, 4));
    }

    @Test
    void evalAndReportNameWhatIsWrong() throws IOException {
        Path notJson = Files.writeString(dir.resolve("broken.json"), "{\n  \"format\": \"myelin-metrics\",\n  oops\n}");
        Cli report = Cli.run("report", "--metrics", notJson.toString(), "--out", dir.resolve("x.png").toString());
        assertEquals(Main.USER_ERROR, report.exitCode(), report.transcript());
        assertTrue(report.err().startsWith("myelin: " + notJson + ": not valid JSON at line 3"), report.transcript());
        Cli folder = Cli.run("report", "--metrics", dir.toString(), "--out", dir.resolve("x.png").toString());
        assertEquals(Main.USER_ERROR, folder.exitCode(), folder.transcript());
        assertTrue(folder.err().startsWith("myelin: --metrics " + dir + ": is a directory, expected a metrics file"),
                folder.transcript());
        Path other = Files.writeString(dir.resolve("other.json"), "{\"format\": \"myelin-model\"}");
        Cli wrong = Cli.run("report", "--metrics", other.toString(), "--out", dir.resolve("x.png").toString());
        assertTrue(wrong.err().contains("not a metrics file"), wrong.transcript());
        assertTrue(Files.notExists(dir.resolve("x.png")), "nothing written");

        Path model = dir.resolve("small.json");
        assertEquals(0, Cli.run("train", "--preset", "xor", "--epochs", "1", "--save", model.toString()).exitCode());
        Cli eval = Cli.run("eval", "--model", model.toString(), "--data", idx.toString());
        assertEquals(Main.USER_ERROR, eval.exitCode(), eval.transcript());
        // the model's loss is not an option of eval: the message speaks of the model's output layer
        assertTrue(eval.err().contains("digits: is a folder of IDX files (MNIST layout), whose labels are classes,"
                + " so it needs a softmax model (cross-entropy), and the model's output layer is not softmax (its loss"
                + " is bce)"), eval.transcript());
        Cli train = Cli.run("train", "--data", idx.toString(), "--loss", "bce", "--epochs", "1");
        assertEquals(Main.USER_ERROR, train.exitCode(), train.transcript());
        assertTrue(train.err().contains("digits: is a folder of IDX files (MNIST layout), whose labels are classes,"
                + " so it needs a softmax model and --loss ce (here: bce)"), train.transcript());
    }

    /** Two blobs, class 0 near (0, 0) and class 1 near (3, 3). */
    private static String blobs(Random r, int rows) {
        StringBuilder csv = new StringBuilder("x1,x2,label\n");
        for (int i = 0; i < rows; i++) {
            int c = i % 2;
            csv.append(3 * c + 0.3 * r.nextGaussian()).append(',').append(3 * c + 0.3 * r.nextGaussian())
                    .append(',').append(c).append('\n');
        }
        return csv.toString();
    }

    /** {@code NAME-images-idx3-ubyte(.gz)} and {@code NAME-labels-idx1-ubyte}: class c lights pixel c. */
    private static void writeSet(Path folder, String name, int count, Random r, boolean gzip) throws IOException {
        writeSet(folder, name, count, r, gzip, 4);
    }

    /** The same with images of {@code rows × PIXELS/rows} pixels. */
    private static void writeSet(Path folder, String name, int count, Random r, boolean gzip, int rows)
            throws IOException {
        ByteBuffer images = ByteBuffer.allocate(16 + count * PIXELS).putInt(0x803).putInt(count).putInt(rows)
                .putInt(PIXELS / rows);
        ByteBuffer labels = ByteBuffer.allocate(8 + count).putInt(0x801).putInt(count);
        for (int i = 0; i < count; i++) {
            int c = r.nextInt(10);
            labels.put((byte) c);
            for (int p = 0; p < PIXELS; p++) {
                images.put((byte) (p == c ? 200 + r.nextInt(56) : r.nextInt(60)));
            }
        }
        write(folder.resolve(name + "-images-idx3-ubyte" + (gzip ? ".gz" : "")), images.array(), gzip);
        write(folder.resolve(name + "-labels-idx1-ubyte"), labels.array(), false);
    }

    private static void write(Path file, byte[] bytes, boolean gzip) throws IOException {
        if (!gzip) {
            Files.write(file, bytes);
            return;
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(buffer)) {
            out.write(bytes);
        }
        Files.write(file, buffer.toByteArray());
    }
}
