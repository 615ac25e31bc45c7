package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz of the file readers (CSV, IDX, model, checkpoint): random bytes and random edits of valid files give a
 * valid result (its invariants hold) or a documented exception — {@link DataException},
 * {@link ModelFormatException}, another {@link IllegalArgumentException} or an {@link IOException} — whose message
 * is one line starting with the file name; never another exception, never more than {@link #BOUND}. Each test
 * runs over fixed seeds and draws its input from {@code new Random(seed)} through {@link Mutation} (plain JUnit, no
 * property-testing library: see {@link Mutation} for why), so CI sees the same inputs every run. A failure names
 * its seed and shows the input (there is no shrinking); keep it as an example-based test next to the reader's
 * other tests.
 */
class ReaderFuzzTest {

    /**
     * A hang fails the case; the bound is far above the milliseconds a call takes, so that a loaded 2-core
     * machine (a cold JIT, a GC pause, the other core busy) cannot make a correct reader look hung.
     */
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TempDir
    static Path dir;

    static LongStream seeds50() {
        return LongStream.range(0, 50);
    }

    static LongStream seeds100() {
        return LongStream.range(0, 100);
    }

    static LongStream seeds150() {
        return LongStream.range(0, 150);
    }

    // ---------------------------------------------------------------- CSV

    /** A valid file for each loss, with a header, a quoted cell, CRLF, a blank line and exponents. */
    private static byte[] validCsv(Loss loss) {
        String text = switch (loss) {
            case CE -> "x1,x2,label\n0.5,-1,2\n1e-3,\" 2 \",0\r\n\n-7.25,4,1\n";
            case BCE -> "x1,x2,y\n0.5,-1,1\n1e-3,\" 2 \",0\r\n\n-7.25,4,1\n";
            case MSE -> "x1,x2,y1,y2\n0.5,-1,3.5,-2\n1e-3,\" 2 \",0,1e5\r\n\n-7.25,4,1,0\n";
        };
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Outputs of {@link #validCsv}: 3 classes for CE, 1 target for BCE, 2 for MSE. */
    private static int outputs(Loss loss) {
        return switch (loss) {
            case CE -> 3;
            case BCE -> 1;
            case MSE -> 2;
        };
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds100")
    void csvEditsGiveADatasetOrOneLineError(long seed) {
        Random r = new Random(seed);
        Loss loss = Mutation.pick(r, Loss.values());
        Header header = Mutation.pick(r, Header.values());
        int inputs = Mutation.pick(r, -1, 2, 3);
        checkCsv(seed, loss, inputs, header, Mutation.lists(r, 4));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds150")
    void csvInjectionsGiveADatasetOrOneLineError(long seed) {
        Random r = new Random(seed);
        Loss loss = Mutation.pick(r, Loss.values());
        Header header = Mutation.pick(r, Header.values());
        checkCsv(seed, loss, -1, header, Mutation.injections(r, 2));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds100")
    void csvRandomBytesGiveADatasetOrOneLineError(long seed) {
        Random r = new Random(seed);
        Loss loss = Mutation.pick(r, Loss.values());
        byte[] bytes = Mutation.randomText(r);
        Mutation.check(seed, loss + ", " + Mutation.show(bytes),
                () -> checkCsv(write("data.csv", bytes), loss, -1, Header.AUTO));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds100")
    void csvFeatureEditsGiveFeaturesOrOneLineError(long seed) {
        Random r = new Random(seed);
        Header header = Mutation.pick(r, Header.values());
        List<Mutation> edits = Mutation.lists(r, 4);
        byte[] bytes = Mutation.applyAll(validCsv(Loss.CE), edits);
        Mutation.check(seed, "header " + header + ", " + edited(edits, bytes), () -> {
            Path file = write("features.csv", bytes);
            float[] x = outcome(() -> CsvData.readFeatures(file, 3, header), file.toString());
            if (x != null) {
                assertTrue(x.length > 0 && x.length % 3 == 0, "features of 3 columns, got " + x.length + " values");
                assertAllFinite(x, "features");
            }
        });
    }

    /** {@link #validCsv} with {@code edits}, read by {@link #checkCsv(Path, Loss, int, Header)}. */
    private static void checkCsv(long seed, Loss loss, int inputs, Header header, List<Mutation> edits) {
        byte[] bytes = Mutation.applyAll(validCsv(loss), edits);
        Mutation.check(seed, loss + ", inputs " + inputs + ", header " + header + ", " + edited(edits, bytes),
                () -> checkCsv(write("data.csv", bytes), loss, inputs, header));
    }

    private static void checkCsv(Path file, Loss loss, int inputs, Header header) {
        int outputs = outputs(loss);
        Dataset d = outcome(() -> CsvData.read(file, loss, inputs, outputs, header), file.toString());
        if (d == null) {
            return;
        }
        assertTrue(d.rows() >= 1 && d.inputs() >= 1, d.toString());
        if (inputs >= 1) {
            assertEquals(inputs, d.inputs(), "inputs");
        }
        assertEquals(outputs, d.outputs(), "outputs");
        assertEquals((long) d.rows() * d.inputs(), d.features().length, "features length");
        assertAllFinite(d.features(), "features");
        if (loss == Loss.CE) {
            assertEquals(d.rows(), d.labels().length, "labels length");
            for (int c : d.labels()) {
                assertTrue(c >= 0 && c < outputs, "label " + c + " outside [0, " + outputs + ")");
            }
        } else {
            assertEquals((long) d.rows() * outputs, d.targets().length, "targets length");
            assertAllFinite(d.targets(), "targets");
            for (float t : d.targets()) {
                assertTrue(loss != Loss.BCE || t == 0f || t == 1f, "BCE target " + t);
            }
        }
    }

    // ---------------------------------------------------------------- IDX

    private static final byte[] PIXELS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255};

    private static byte[] validImages() {
        return ByteBuffer.allocate(16 + PIXELS.length).putInt(IdxData.IMAGES_MAGIC).putInt(3).putInt(2).putInt(2)
                .put(PIXELS).array();
    }

    private static byte[] validLabels() {
        return ByteBuffer.allocate(8 + 3).putInt(IdxData.LABELS_MAGIC).putInt(3).put(new byte[] {7, 0, 9}).array();
    }

    /**
     * Header counts that break readers: 0, a count off by one, 2^31 − 1, and negative values (2^31 and above
     * unsigned) that must be refused before anything of that size is allocated.
     */
    private static final List<Integer> HEADER_INTS = List.of(0, 1, 2, 4, 65_536, Integer.MAX_VALUE,
            Integer.MIN_VALUE, -1, 46_341);

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds100")
    void idxEditsGiveADatasetOrOneLineError(long seed) throws IOException {
        Random r = new Random(seed);
        boolean editImages = r.nextBoolean();
        boolean gzip = r.nextBoolean();
        List<Mutation> edits = Mutation.lists(r, 4);
        int field = r.nextInt(3);
        int value = headerInt(r);
        boolean setHeader = r.nextBoolean();
        byte[] images = validImages();
        byte[] labels = validLabels();
        byte[] target = editImages ? images : labels;
        if (setHeader) { // a header field (count, rows, columns) set to an extreme value
            int offset = 4 + 4 * (editImages ? field : 0);
            ByteBuffer.wrap(target).putInt(offset, value);
        }
        target = Mutation.applyAll(gzip ? gzip(target) : target, edits);
        checkIdx(seed, editImages ? target : images, editImages ? labels : target,
                (editImages ? "images" : "labels") + (gzip ? " gzipped" : "")
                        + (setHeader ? ", header int at " + (editImages ? field : 0) + " = " + value : "")
                        + ", edits " + edits);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds100")
    void idxHeadersWithRandomCountsGiveADatasetOrOneLineError(long seed) {
        Random r = new Random(seed);
        int count = headerInt(r);
        int rows = headerInt(r);
        int columns = headerInt(r);
        int labelCount = headerInt(r);
        byte[] body = Mutation.randomBytes(r, 0, 200);
        byte[] images = ByteBuffer.allocate(16 + body.length).putInt(IdxData.IMAGES_MAGIC).putInt(count)
                .putInt(rows).putInt(columns).put(body).array();
        byte[] labels = ByteBuffer.allocate(8 + body.length).putInt(IdxData.LABELS_MAGIC).putInt(labelCount)
                .put(body).array();
        checkIdx(seed, images, labels, "counts " + count + " " + rows + "x" + columns + ", " + labelCount + " labels");
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds100")
    void idxRandomBytesGiveOneLineError(long seed) {
        Random r = new Random(seed);
        byte[] images = Mutation.randomBytes(r, 0, 200);
        boolean validLabels = r.nextBoolean();
        byte[] labels = Mutation.randomBytes(r, 0, 200);
        checkIdx(seed, images, validLabels ? validLabels() : labels, "random bytes");
    }

    /** {@link #checkIdx(byte[], byte[])} reported with the seed, {@code what} was done and both files. */
    private static void checkIdx(long seed, byte[] images, byte[] labels, String what) {
        Mutation.check(seed, what + ", images " + Mutation.show(images) + ", labels " + Mutation.show(labels),
                () -> checkIdx(images, labels));
    }

    private static void checkIdx(byte[] imageBytes, byte[] labelBytes) throws IOException {
        Path images = write("images-idx3-ubyte", imageBytes);
        Path labels = write("labels-idx1-ubyte", labelBytes);
        Dataset d = outcome(() -> IdxData.read(images, labels), images.toString(), labels.toString());
        if (d == null) {
            return;
        }
        assertTrue(d.rows() >= 1 && d.inputs() >= 1, d.toString());
        assertEquals((long) d.rows() * d.inputs(), d.features().length, "features length");
        for (float x : d.features()) {
            assertTrue(x >= 0f && x <= 1f, "pixel " + x + " outside [0, 1]");
        }
        assertEquals(d.rows(), d.labels().length, "labels length");
        for (int c : d.labels()) {
            assertTrue(c >= 0 && c < IdxData.DEFAULT_CLASSES, "label " + c);
        }
    }

    /** One of {@link #HEADER_INTS}, or as often a count from 0 to 20. */
    private static int headerInt(Random r) {
        return r.nextBoolean() ? HEADER_INTS.get(r.nextInt(HEADER_INTS.size())) : r.nextInt(21);
    }

    // ---------------------------------------------------------------- model and checkpoint files

    /** Two layers, a hidden ReLU and a softmax over 2 classes, with an exponent, −0.0 and a negative bias. */
    private static final String MODEL = """
            {"format": "myelin-model", "version": 1, "layers": [
              {"type": "dense", "inputs": 2, "outputs": 3, "activation": "relu",
               "weights": [[0.5, -1.25, 3e-2], [0.0, -0.0, 1.0E-5]], "bias": [0.125, -1, 2]},
              {"type": "dense", "inputs": 3, "outputs": 2, "activation": "softmax",
               "weights": [[1, 2], [3, 4], [5, 6]], "bias": [0, 0]}]}
            """;

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds100")
    void modelEditsGiveAModelOrOneLineError(long seed) {
        checkEditedModel(seed, Mutation.lists(new Random(seed), 4));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds150")
    void modelInjectionsGiveAModelOrOneLineError(long seed) {
        checkEditedModel(seed, Mutation.injections(new Random(seed), 2));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds100")
    void modelRandomTextGivesOneLineError(long seed) {
        byte[] bytes = Mutation.randomText(new Random(seed));
        String text = new String(bytes, StandardCharsets.UTF_8);
        Mutation.check(seed, Mutation.show(bytes),
                () -> checkModel(outcome(() -> ModelFile.parse(text, "m.json"), "m.json")));
    }

    private static void checkEditedModel(long seed, List<Mutation> edits) {
        byte[] bytes = Mutation.applyAll(MODEL.getBytes(StandardCharsets.UTF_8), edits);
        Mutation.check(seed, edited(edits, bytes), () -> {
            Path file = write("model.json", bytes);
            checkModel(outcome(() -> ModelFile.read(file), file.toString()));
        });
    }

    /** The invariants of a model that was read (nothing to check when reading failed, {@code m} null). */
    private static void checkModel(Mlp m) {
        if (m == null) {
            return;
        }
        assertFalse(m.layers().isEmpty(), "no layers");
        for (int l = 0; l < m.layers().size(); l++) {
            Dense d = m.layers().get(l);
            assertEquals((long) d.inputs() * d.outputs(), d.weights().length, "weights of layer " + (l + 1));
            assertEquals(d.outputs(), d.bias().length, "bias of layer " + (l + 1));
            assertAllFinite(d.weights(), "weights");
            assertAllFinite(d.bias(), "bias");
            if (l > 0) {
                assertEquals(m.layers().get(l - 1).outputs(), d.inputs(), "inputs of layer " + (l + 1));
            }
        }
        assertEquals(ModelFile.toJson(m), ModelFile.toJson(ModelFile.parse(ModelFile.toJson(m), "again")),
                "a model read from a file writes and reads back the same");
    }

    /** The bytes of a real checkpoint (an Adam run stopped mid-epoch): its fields, base64 and model. */
    private static final byte[] CHECKPOINT = CheckpointFileTest.stoppedRun().toBytes();

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds100")
    void checkpointEditsGiveACheckpointOrOneLineError(long seed) {
        List<Mutation> edits = Mutation.lists(new Random(seed), 4);
        byte[] bytes = Mutation.applyAll(CHECKPOINT, edits);
        Mutation.check(seed, edited(edits, bytes), () -> {
            CheckpointFile c = outcome(() -> CheckpointFile.parse(bytes, "ckpt.json"), "ckpt.json");
            if (c != null) {
                checkModel(c.model());
                assertEquals(c.toJson(), CheckpointFile.parse(c.toBytes(), "again").toJson(), "round trip");
            }
        });
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds50")
    void checkpointRandomBytesGiveOneLineError(long seed) {
        byte[] bytes = Mutation.randomText(new Random(seed));
        Mutation.check(seed, Mutation.show(bytes), () -> {
            CheckpointFile c = outcome(() -> CheckpointFile.parse(bytes, "ckpt.json"), "ckpt.json");
            checkModel(c == null ? null : c.model());
        });
    }

    // ---------------------------------------------------------------- shared

    /** The edit list and the file it gave, for a failure's message. */
    private static String edited(List<Mutation> edits, byte[] bytes) {
        return "edits " + edits + " give " + Mutation.show(bytes);
    }

    private static Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    /**
     * The call's result within {@link #BOUND}, or null when it threw a documented exception whose message is one
     * line starting with one of {@code sources}; anything else fails the test with the exception as its cause.
     */
    static <T> T outcome(ThrowingSupplier<T> call, String... sources) {
        try {
            return assertTimeoutPreemptively(BOUND, call);
        } catch (Throwable e) {
            // DataException and ModelFormatException are IllegalArgumentExceptions
            if (!(e instanceof IllegalArgumentException || e instanceof IOException
                    || e instanceof UncheckedIOException)) {
                throw e instanceof AssertionError a ? a : new AssertionError("undocumented exception " + e, e);
            }
            String m = e.getMessage();
            if (m == null || m.isBlank() || m.contains("\n") || m.contains("\r")) {
                fail("message is not one line: " + (m == null ? null : m.replace("\n", "⏎").replace("\r", "␍")), e);
            }
            if (Stream.of(sources).noneMatch(m::startsWith)) {
                fail("message does not start with " + String.join(" or ", sources) + ": " + m, e);
            }
            return null;
        }
    }

    private static void assertAllFinite(float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                fail(what + "[" + i + "] is " + values[i]);
            }
        }
    }
}
