package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link CheckpointFile}: exact round trips, resumes through the file, and every way a file can be wrong. */
class CheckpointFileTest {

    private static final TrainingConfig CONFIG = new TrainingConfig(Loss.BCE, 6, 3, OptimizerSpec.adam(0.05)
            .withWeightDecay(0.01).withSchedule(new LrSchedule.Warmup(2, new LrSchedule.Cosine(6, 0.001))), 7,
            GradientConvention.MEAN);

    /** An Adam run stopped after step 2 of epoch 3. */
    static CheckpointFile stoppedRun() {
        Mlp m = CheckpointTest.start();
        TrainingControl control = new TrainingControl();
        TrainingResult r = new Trainer().fit(m, CheckpointTest.points(), CONFIG, null, new EpochListener() {
            @Override
            public void onEpoch(int epoch, double loss) {
            }

            @Override
            public void onBatch(int epoch, int batch, int batches) {
                if (epoch == 3 && batch == 2) {
                    control.requestStop();
                }
            }
        }, control);
        return new CheckpointFile(m, CONFIG, r.checkpoint());
    }

    @Test
    void aRoundTripIsExact() {
        CheckpointFile written = stoppedRun();
        CheckpointFile read = CheckpointFile.parse(written.toBytes(), "c.json");
        CheckpointTest.assertSameParameters(written.model(), read.model(), "model");
        TrainingCheckpoint a = written.checkpoint();
        TrainingCheckpoint b = read.checkpoint();
        assertEquals(2, b.epochs());
        assertEquals(2, b.batches());
        assertEquals(Double.doubleToLongBits(a.lossSum()), Double.doubleToLongBits(b.lossSum()));
        assertEquals("adam", b.optimizer().kind());
        assertEquals(10, b.optimizer().step()); // 2 epochs of 4 steps, then 2
        assertEquals(8, b.optimizer().buffers().size());
        for (int i = 0; i < 8; i++) {
            assertArrayEquals(a.optimizer().buffers().get(i), b.optimizer().buffers().get(i), "buffer " + (i + 1));
        }
        assertArrayEquals(a.shuffle().key(), b.shuffle().key());
        assertEquals(a.shuffle().position(), b.shuffle().position());
        assertTrue(a.firstLoss() > 0, "the run's first step loss: " + a.firstLoss());
        assertEquals(Double.doubleToLongBits(a.firstLoss()), Double.doubleToLongBits(b.firstLoss()));
        assertEquals(CONFIG, read.config());
        assertArrayEquals(new int[] {2, 4, 1}, read.layerSizes());
        assertEquals(written.toJson(), read.toJson(), "writing what was read gives the same text");
    }

    @Test
    void aFullBatchCheckpointHasNoShuffleStream(@TempDir Path dir) throws Exception {
        Mlp m = CheckpointTest.start();
        TrainingConfig config = new TrainingConfig(Loss.BCE, 2, 0, OptimizerSpec.momentum(0.1, 0.9), 0,
                GradientConvention.DOCUMENT_SUM);
        TrainingResult r = new Trainer().fit(m, CheckpointTest.points(), config, null);
        Path file = dir.resolve("c.json");
        Files.write(file, new CheckpointFile(m, config, r.checkpoint()).toBytes());
        CheckpointFile read = CheckpointFile.read(file);
        assertNull(read.checkpoint().shuffle());
        assertEquals(config, read.config());
        assertTrue(Files.readString(file).contains("\"shuffle\": null"));
    }

    @Test
    void aResumeFromTheParsedFileEqualsTheUninterruptedRun() {
        for (OptimizerSpec spec : new OptimizerSpec[] {OptimizerSpec.sgd(0.5), OptimizerSpec.adam(0.05),
                OptimizerSpec.nesterov(0.2, 0.9).withSchedule(new LrSchedule.Step(2, 0.5))}) {
            CheckpointTest.assertStopAndResumeIsExact(3, spec, 2, 3, 1, 3, true);
            CheckpointTest.assertStopAndResumeIsExact(0, spec, 2, 1, 2, 0, true);
        }
    }

    private static String json() {
        return stoppedRun().toJson();
    }

    /** A file written before the baseline was recorded is read with NaN: the resumed run takes its own. */
    @Test
    void aFileWithoutTheFirstStepLossReadsAsNone() {
        String ok = json();
        String older = ok.replaceFirst(",\\s*\"firstLoss\"\\s*:\\s*[-0-9.Ee+]+", "");
        assertTrue(ok.contains("\"firstLoss\"") && !older.contains("firstLoss"), older);
        assertTrue(Double.isNaN(CheckpointFile.parse(older, "c.json").checkpoint().firstLoss()));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CheckpointFile.parse(
                ok.replaceFirst("\"firstLoss\"\\s*:\\s*[-0-9.Ee+]+", "\"firstLoss\": \"low\""), "c.json"));
        assertTrue(e.getMessage().startsWith("c.json: progress: \"firstLoss\" must be a finite number, found the"
                + " string \"low\""), e.getMessage());
    }

    /**
     * Values that no run writes are refused by the reader, naming the field: a negative loss sum or first loss, a
     * NaN or infinite optimizer moment (they had resumed, and ended as "diverged, try a smaller learning rate"), and
     * an update count that is not the progress's (a step of 2^63 − 5 had overflowed in training; a step of 0 gave
     * Adam other bits).
     */
    @Test
    void valuesNoRunWritesAreRefused() {
        CheckpointFile stopped = stoppedRun();
        CheckpointFile withData = new CheckpointFile(stopped.model(), stopped.config(), stopped.checkpoint(),
                DataFingerprint.of(CheckpointTest.points()));
        String ok = withData.toJson();
        CheckpointFile.parse(ok, "c.json"); // the step matches: 2 epochs of the data's batches, then 2
        long step = stopped.checkpoint().optimizer().step();
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CheckpointFile.parse(
                ok.replaceFirst("\"lossSum\"\\s*:\\s*[-0-9.Ee+]+", "\"lossSum\": -5"), "c.json"));
        assertEquals("c.json: progress: lossSum is -5.0; a loss is at least 0", e.getMessage());
        e = assertThrows(ModelFormatException.class, () -> CheckpointFile.parse(
                ok.replaceFirst("\"step\"\\s*:\\s*" + step, "\"step\": 0"), "c.json"));
        assertTrue(e.getMessage().startsWith("c.json: optimizer: step is 0, but the progress (2 epochs of "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith(") is " + step + " updates"), e.getMessage());
        // a NaN in the first buffer: its first four bytes, base64 of 00 00 C0 7F
        java.util.regex.Matcher buffer = java.util.regex.Pattern.compile("\"buffers\"\\s*:\\s*\\[\\s*\"([A-Za-z0-9+/]{4})")
                .matcher(ok);
        assertTrue(buffer.find(), ok);
        String nan = ok.substring(0, buffer.start(1)) + "AADAfw" + ok.substring(buffer.start(1) + 4 + 2);
        e = assertThrows(ModelFormatException.class, () -> CheckpointFile.parse(nan, "c.json"));
        assertEquals("c.json: optimizer: buffers[0][0] is NaN; an optimizer's state is finite", e.getMessage());
        // Adam's v (the second buffer) at -1: base64 of 00 00 80 BF
        java.util.regex.Matcher second = java.util.regex.Pattern.compile(
                "\"buffers\"\\s*:\\s*\\[\\s*\"[A-Za-z0-9+/=]*\"\\s*,\\s*\"([A-Za-z0-9+/]{6})").matcher(ok);
        assertTrue(second.find(), ok);
        String negative = ok.substring(0, second.start(1)) + "AACAvw" + ok.substring(second.end(1));
        e = assertThrows(ModelFormatException.class, () -> CheckpointFile.parse(negative, "c.json"));
        assertEquals("c.json: optimizer: buffers[1][0] is -1.0; Adam's second moment (v), a mean of squares, is never"
                + " NaN or negative", e.getMessage());
        // +Infinity in v (base64 of 00 00 80 7F) is a state a run reaches: read, as Optimizer.restore takes it
        String infinite = ok.substring(0, second.start(1)) + "AACAfw" + ok.substring(second.end(1));
        assertEquals(Float.POSITIVE_INFINITY,
                CheckpointFile.parse(infinite, "c.json").checkpoint().optimizer().buffers().get(1)[0]);
        // a batch beyond the epoch's batches for the recorded data
        e = assertThrows(ModelFormatException.class, () -> CheckpointFile.parse(
                ok.replaceFirst("\"batches\"\\s*:\\s*2", "\"batches\": 99"), "c.json"));
        assertTrue(e.getMessage().startsWith("c.json: progress: batches is 99, but an epoch of the recorded data ("),
                e.getMessage());
    }

    /**
     * The data fingerprint travels with the checkpoint, and a resume on other data is refused: another value,
     * another row order, a row more; a file without a fingerprint resumes on anything of the model's shape.
     */
    @Test
    void aCheckpointRemembersItsDataAndRefusesOtherData() {
        Dataset points = CheckpointTest.points();
        DataFingerprint fingerprint = DataFingerprint.of(points);
        CheckpointFile stopped = stoppedRun();
        CheckpointFile withData = new CheckpointFile(stopped.model(), stopped.config(), stopped.checkpoint(),
                fingerprint);
        CheckpointFile read = CheckpointFile.parse(withData.toBytes(), "c.json");
        assertEquals(fingerprint, read.data());
        assertEquals(withData.toJson(), read.toJson());
        read.requireSameData(DataFingerprint.of(CheckpointTest.points())); // the same data read again

        float[] changed = points.features().clone();
        changed[changed.length - 1] = Math.nextUp(changed[changed.length - 1]);
        Dataset oneUlp = Dataset.regression(changed, points.rows(), points.inputs(), points.targets().clone(),
                points.outputs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read.requireSameData(DataFingerprint.of(oneUlp)));
        assertTrue(e.getMessage().startsWith("the checkpoint was trained on other data: " + fingerprint
                + ", but this data set is "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(the same shape, other values or order)"), e.getMessage());

        float[] swapped = points.features().clone();
        int w = points.inputs();
        for (int j = 0; j < w; j++) { // rows 0 and 1 exchanged, targets too
            float t = swapped[j];
            swapped[j] = swapped[w + j];
            swapped[w + j] = t;
        }
        float[] targets = points.targets().clone();
        int o = points.outputs();
        for (int j = 0; j < o; j++) {
            float t = targets[j];
            targets[j] = targets[o + j];
            targets[o + j] = t;
        }
        Dataset reordered = Dataset.regression(swapped, points.rows(), w, targets, o);
        assertFalse(Arrays.equals(swapped, points.features()), "rows 0 and 1 differ");
        assertThrows(IllegalArgumentException.class, () -> read.requireSameData(DataFingerprint.of(reordered)));
        Dataset moreRows = Dataset.regression(Arrays.copyOf(points.features(), points.features().length + w),
                points.rows() + 1, w, Arrays.copyOf(points.targets(), points.targets().length + o), o);
        e = assertThrows(IllegalArgumentException.class, () -> read.requireSameData(DataFingerprint.of(moreRows)));
        assertFalse(e.getMessage().contains("the same shape"), e.getMessage());

        CheckpointFile older = CheckpointFile.parse(stopped.toBytes(), "c.json");
        assertNull(older.data());
        older.requireSameData(DataFingerprint.of(moreRows)); // no values recorded; 12 rows are 4 batches of 3 too
        // but its progress is still held against the size: 2 epochs of 4 batches, then 2, are 10 updates
        e = assertThrows(IllegalArgumentException.class, () -> older.requireSameData(DataFingerprint.of(rows(14))));
        assertEquals("optimizer: step is 10, but the progress (2 epochs of 5 batches of this data set, then 2) is 12"
                + " updates", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> older.requireSameData(DataFingerprint.of(rows(6))));
        assertEquals("progress: batches is 2, but an epoch of this data set (6 rows, batch 3) has 2", e.getMessage());
        ModelFormatException bad = assertThrows(ModelFormatException.class, () -> CheckpointFile.parse(
                withData.toJson().replace(fingerprint.hashHex(), "xyz"), "c.json"));
        assertEquals("c.json: data: hash must be 16 lower-case hex digits, got \"xyz\"", bad.getMessage());
    }

    /** A data set of {@code n} rows of the shape {@link CheckpointTest#points()} has. */
    private static Dataset rows(int n) {
        return Dataset.regression(new float[2 * n], n, 2, new float[n], 1);
    }

    static Stream<Arguments> badFiles() {
        String ok = json();
        return Stream.of(
                Arguments.of("{\"format\": ", "c.json: not valid JSON at line 1"),
                Arguments.of("[1]", "c.json: expected a JSON object, found an array"),
                Arguments.of(ok.replace("myelin-checkpoint", "myelin-model"),
                        "c.json: is a model file (\"format\": \"myelin-model\"), not a checkpoint"),
                Arguments.of(ok.replace("myelin-checkpoint", "myelin-other"),
                        "c.json: \"format\" is \"myelin-other\" but a Myelin checkpoint file has \"myelin-checkpoint\""),
                Arguments.of(ok.replace("\"version\": 1,\n  \"config\"", "\"version\": 2,\n  \"config\""),
                        "c.json: unsupported version 2 (this Myelin reads version 1)"),
                Arguments.of(ok.replaceFirst("\"seed\": 7,", ""), "c.json: config: missing field \"seed\""),
                Arguments.of(ok.replaceFirst("\"seed\": 7,", "\"seed\": 7, \"sede\": 1,"),
                        "c.json: config: unknown field \"sede\""),
                Arguments.of(ok.replaceFirst("\"lossSum\"", "\"lossSun\""),
                        "c.json: progress: unknown field \"lossSun\""),
                Arguments.of(ok.replaceFirst("\"batches\": 2", "\"batches\": -1"),
                        "c.json: progress: \"batches\" must be an integer in [0, 2147483647], found the number -1"),
                Arguments.of(ok.replaceFirst("\"lr\": 0.05", "\"lr\": \"fast\""),
                        "c.json: config: optimizer: \"lr\" must be a finite number, found the string \"fast\""),
                Arguments.of(ok.replaceFirst("\"lr\": 0.05", "\"lr\": -1"),
                        "c.json: config: optimizer: --lr must be finite and greater than 0, got -1.0"),
                Arguments.of(ok.replaceFirst("\"type\": \"cosine\"", "\"type\": \"cosin\""),
                        "c.json: config: optimizer: schedule: then: unknown schedule type \"cosin\" (expected"
                                + " constant, step, cosine or warmup)"),
                Arguments.of(ok.replaceFirst("\"loss\": \"bce\"", "\"loss\": \"hinge\""),
                        "c.json: config: unknown loss 'hinge' (expected one of bce, ce, mse)"),
                Arguments.of(ok.replaceFirst("\"layers\": \\[2, 4, 1\\]", "\"layers\": [2, 5, 1]"),
                        "c.json: config: layers is [2, 5, 1] but the model has layer sizes [2, 4, 1]"),
                Arguments.of(ok.replaceFirst("\"buffers\": \\[\"[A-Za-z0-9+/=]+\"", "\"buffers\": [\"AAAAAA==\""),
                        "c.json: optimizer state buffer 1 has 1 values but this model's parameter array needs 8"),
                Arguments.of(ok.replaceFirst("\"buffers\": \\[\"[A-Za-z0-9+/=]+\"", "\"buffers\": [\"AAA=\""),
                        "c.json: optimizer: buffers[0] has 2 bytes, not a whole number of 4-byte values"),
                Arguments.of(ok.replaceFirst("\"buffers\": \\[\"[A-Za-z0-9+/=]+\"", "\"buffers\": [\"@@\""),
                        "c.json: optimizer: buffers[0] is not valid base64"),
                Arguments.of(ok.replaceFirst("\"kind\": \"adam\",(\\s+)\"step\"", "\"kind\": \"sgd\",$1\"step\""),
                        "c.json: the optimizer state is for sgd but this optimizer is adam"),
                Arguments.of(ok.replaceFirst("\"key\": \"[A-Za-z0-9+/=]+\"", "\"key\": \"AAAAAA==\""),
                        "c.json: shuffle: key has 1 words but a numpy random state has 624"),
                Arguments.of(ok.replaceFirst("\"shuffle\": \\{[^}]*\\}", "\"shuffle\": null"),
                        "c.json: a checkpoint inside an epoch (after 2 batches) needs the shuffle stream"),
                Arguments.of(ok.replaceFirst("\"activation\": \"tanh\"", "\"activation\": \"tan\""),
                        "c.json: model: layer 1: \"activation\": "));
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void aBadFileIsRefusedWithItsNameAndWhatIsWrong(String text, String message) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> CheckpointFile.parse(text, "c.json"));
        assertTrue(e.getMessage().startsWith(message), "expected " + message + "\n     got " + e.getMessage());
    }

    @Test
    void otherBytesAndMissingFilesAreNamed(@TempDir Path dir) {
        assertEquals("c.json: not UTF-8 text", assertThrows(ModelFormatException.class,
                () -> CheckpointFile.parse(new byte[] {(byte) 0xff, '{'}, "c.json")).getMessage());
        Path missing = dir.resolve("nope.json");
        assertEquals(missing + ": file not found", assertThrows(ModelFormatException.class,
                () -> CheckpointFile.read(missing)).getMessage());
        assertEquals("c.json: not valid JSON", assertThrows(ModelFormatException.class,
                () -> CheckpointFile.parse("{\"a\": NaN}".getBytes(StandardCharsets.UTF_8), "c.json")).getMessage()
                .substring(0, 22));
    }

    private static void assertMismatch(String message, TrainingConfig other, int[] layers) {
        assertEquals(message, assertThrows(IllegalArgumentException.class,
                () -> stoppedRun().requireCompatible(other, layers)).getMessage());
    }

    @Test
    void aResumeWithAnotherConfigurationIsRefused() {
        CheckpointFile file = stoppedRun();
        file.requireCompatible(CONFIG, new int[] {2, 4, 1});
        file.requireCompatible(new TrainingConfig(Loss.BCE, 60, 3, CONFIG.optimizer(), 7, GradientConvention.MEAN),
                null); // more epochs is a longer run, not another one
        OptimizerSpec spec = CONFIG.optimizer();
        assertMismatch("--loss: the checkpoint has bce but this run has mse",
                new TrainingConfig(Loss.MSE, 6, 3, spec, 7, GradientConvention.MEAN), null);
        assertMismatch("--batch-size: the checkpoint has 3 but this run has 4",
                new TrainingConfig(Loss.BCE, 6, 4, spec, 7, GradientConvention.MEAN), null);
        assertMismatch("--seed: the checkpoint has 7 but this run has 8",
                new TrainingConfig(Loss.BCE, 6, 3, spec, 8, GradientConvention.MEAN), null);
        assertMismatch("--gradients: the checkpoint has mean but this run has sum",
                new TrainingConfig(Loss.BCE, 6, 3, spec, 7, GradientConvention.DOCUMENT_SUM), null);
        assertMismatch("--optimizer: the checkpoint has adam but this run has adamw",
                new TrainingConfig(Loss.BCE, 6, 3, OptimizerSpec.adamW(0.05).withWeightDecay(0.01)
                        .withSchedule(spec.schedule()), 7, GradientConvention.MEAN), null);
        assertMismatch("--lr: the checkpoint has 0.05 but this run has 0.1",
                new TrainingConfig(Loss.BCE, 6, 3, OptimizerSpec.adam(0.1).withWeightDecay(0.01)
                        .withSchedule(spec.schedule()), 7, GradientConvention.MEAN), null);
        assertMismatch("--weight-decay: the checkpoint has 0.01 but this run has 0.0",
                new TrainingConfig(Loss.BCE, 6, 3, spec.withWeightDecay(0), 7, GradientConvention.MEAN), null);
        assertMismatch("--beta2: the checkpoint has 0.999 but this run has 0.99",
                new TrainingConfig(Loss.BCE, 6, 3, spec.withBetas(0.9, 0.99), 7, GradientConvention.MEAN), null);
        assertMismatch("learning-rate schedule: the checkpoint has --lr-warmup 2 with --schedule cosine over 6 epochs"
                        + " (--epochs) --lr-min 0.001 but this run has --schedule constant",
                new TrainingConfig(Loss.BCE, 6, 3, spec.withSchedule(new LrSchedule.Constant()), 7,
                        GradientConvention.MEAN), null);
        assertMismatch("layer sizes: the checkpoint has [2, 4, 1] but this run has [2, 8, 1]", CONFIG,
                new int[] {2, 8, 1});
    }

    @Test
    void aModelFileGivenAsACheckpointIsNamedAsSuch() {
        Mlp model = Mlp.of(new int[] {2, 3, 1}, dev.myelin.core.Activation.TANH, dev.myelin.core.Activation.SIGMOID);
        ModelFormatException e = org.junit.jupiter.api.Assertions.assertThrows(ModelFormatException.class,
                () -> CheckpointFile.parse(ModelFile.toJson(model), "m.json"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("m.json: is a model file"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("--init"), e.getMessage());
    }

    @Test
    void aCheckpointGivenAsAModelIsNamedAsSuch() {
        Mlp model = Mlp.of(new int[] {2, 1}, dev.myelin.core.Activation.SIGMOID, dev.myelin.core.Activation.SIGMOID);
        String checkpoint = "{\"format\": \"" + CheckpointFile.FORMAT + "\", \"version\": 1}";
        ModelFormatException e = org.junit.jupiter.api.Assertions.assertThrows(ModelFormatException.class,
                () -> ModelFile.parse(checkpoint, "c.json"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("c.json: is a checkpoint"), e.getMessage());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("--resume"), e.getMessage() + model);
    }
}
