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
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.junit.jupiter.api.function.ThrowingSupplier;

/**
 * Fuzz of the file readers (CSV, IDX, model, checkpoint): random bytes and random edits of valid files give a
 * valid result (its invariants hold) or a documented exception — {@link DataException},
 * {@link ModelFormatException}, another {@link IllegalArgumentException} or an {@link IOException} — whose message
 * is one line starting with the file name; never another exception, never more than {@link #BOUND}. Seeds are
 * fixed so that CI sees the same inputs every run; a failure prints the shrunk edit list, to be kept as an
 * example-based test next to the reader's other tests.
 */
class ReaderFuzzTest {

    /** Far above any reader's time on these small files (milliseconds): only a hang or a blow-up reaches it. */
    private static final Duration BOUND = Duration.ofSeconds(2);

    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("myelin-fuzz");
    }

    @AfterContainer
    static void removeDir() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
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

    @Property(tries = 100, seed = "20260101")
    void csvEditsGiveADatasetOrOneLineError(@ForAll Loss loss, @ForAll Header header,
            @ForAll("csvInputs") int inputs, @ForAll("edits") List<Mutation> edits) throws IOException {
        Path file = write("data.csv", Mutation.applyAll(validCsv(loss), edits));
        checkCsv(file, loss, inputs, header);
    }

    @Property(tries = 150, seed = "20260111")
    void csvInjectionsGiveADatasetOrOneLineError(@ForAll Loss loss, @ForAll Header header,
            @ForAll("injections") List<Mutation> edits) throws IOException {
        Path file = write("data.csv", Mutation.applyAll(validCsv(loss), edits));
        checkCsv(file, loss, -1, header);
    }

    @Property(tries = 100, seed = "20260102")
    void csvRandomBytesGiveADatasetOrOneLineError(@ForAll Loss loss, @ForAll("randomText") byte[] bytes)
            throws IOException {
        checkCsv(write("data.csv", bytes), loss, -1, Header.AUTO);
    }

    @Property(tries = 100, seed = "20260103")
    void csvFeatureEditsGiveFeaturesOrOneLineError(@ForAll Header header, @ForAll("edits") List<Mutation> edits)
            throws IOException {
        Path file = write("features.csv", Mutation.applyAll(validCsv(Loss.CE), edits));
        float[] x = outcome(() -> CsvData.readFeatures(file, 3, header), file.toString());
        if (x != null) {
            assertTrue(x.length > 0 && x.length % 3 == 0, "features of 3 columns, got " + x.length + " values");
            assertAllFinite(x, "features");
        }
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

    @Provide
    Arbitrary<Integer> csvInputs() {
        return Arbitraries.of(-1, 2, 3);
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

    @Property(tries = 100, seed = "20260104")
    void idxEditsGiveADatasetOrOneLineError(@ForAll boolean editImages, @ForAll boolean gzip,
            @ForAll("edits") List<Mutation> edits, @ForAll("headerField") int field,
            @ForAll("headerInt") int value, @ForAll boolean setHeader) throws IOException {
        byte[] images = validImages();
        byte[] labels = validLabels();
        byte[] target = editImages ? images : labels;
        if (setHeader) { // a header field (count, rows, columns) set to an extreme value
            int offset = 4 + 4 * (editImages ? field : 0);
            ByteBuffer.wrap(target).putInt(offset, value);
        }
        target = Mutation.applyAll(gzip ? gzip(target) : target, edits);
        checkIdx(editImages ? target : images, editImages ? labels : target);
    }

    @Property(tries = 100, seed = "20260105")
    void idxHeadersWithRandomCountsGiveADatasetOrOneLineError(@ForAll("headerInt") int count,
            @ForAll("headerInt") int rows, @ForAll("headerInt") int columns, @ForAll("headerInt") int labelCount,
            @ForAll("randomBytes") byte[] body) throws IOException {
        byte[] images = ByteBuffer.allocate(16 + body.length).putInt(IdxData.IMAGES_MAGIC).putInt(count)
                .putInt(rows).putInt(columns).put(body).array();
        byte[] labels = ByteBuffer.allocate(8 + body.length).putInt(IdxData.LABELS_MAGIC).putInt(labelCount)
                .put(body).array();
        checkIdx(images, labels);
    }

    @Property(tries = 100, seed = "20260106")
    void idxRandomBytesGiveOneLineError(@ForAll("randomBytes") byte[] images, @ForAll boolean validLabels,
            @ForAll("randomBytes") byte[] labels) throws IOException {
        checkIdx(images, validLabels ? validLabels() : labels);
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

    @Provide
    Arbitrary<Integer> headerField() {
        return Arbitraries.integers().between(0, 2);
    }

    @Provide
    Arbitrary<Integer> headerInt() {
        return Arbitraries.oneOf(Arbitraries.of(HEADER_INTS), Arbitraries.integers().between(0, 20));
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

    @Property(tries = 100, seed = "20260107")
    void modelEditsGiveAModelOrOneLineError(@ForAll("edits") List<Mutation> edits) throws IOException {
        checkEditedModel(edits);
    }

    @Property(tries = 150, seed = "20260112")
    void modelInjectionsGiveAModelOrOneLineError(@ForAll("injections") List<Mutation> edits) throws IOException {
        checkEditedModel(edits);
    }

    @Property(tries = 100, seed = "20260108")
    void modelRandomTextGivesOneLineError(@ForAll("randomText") byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        checkModel(outcome(() -> ModelFile.parse(text, "m.json"), "m.json"));
    }

    private static void checkEditedModel(List<Mutation> edits) throws IOException {
        Path file = write("model.json", Mutation.applyAll(MODEL.getBytes(StandardCharsets.UTF_8), edits));
        checkModel(outcome(() -> ModelFile.read(file), file.toString()));
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

    @Property(tries = 100, seed = "20260109")
    void checkpointEditsGiveACheckpointOrOneLineError(@ForAll("edits") List<Mutation> edits) {
        byte[] bytes = Mutation.applyAll(CHECKPOINT, edits);
        CheckpointFile c = outcome(() -> CheckpointFile.parse(bytes, "ckpt.json"), "ckpt.json");
        if (c != null) {
            checkModel(c.model());
            assertEquals(c.toJson(), CheckpointFile.parse(c.toBytes(), "again").toJson(), "round trip");
        }
    }

    @Property(tries = 50, seed = "20260110")
    void checkpointRandomBytesGiveOneLineError(@ForAll("randomText") byte[] bytes) {
        CheckpointFile c = outcome(() -> CheckpointFile.parse(bytes, "ckpt.json"), "ckpt.json");
        checkModel(c == null ? null : c.model());
    }

    // ---------------------------------------------------------------- shared

    @Provide
    Arbitrary<List<Mutation>> edits() {
        return Mutation.lists(4);
    }

    @Provide
    Arbitrary<List<Mutation>> injections() {
        return Mutation.injections(2);
    }

    @Provide
    Arbitrary<byte[]> randomBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    }

    /** Random bytes, or random text of the characters of CSV and JSON, so that some inputs get past the first token. */
    @Provide
    Arbitrary<byte[]> randomText() {
        Arbitrary<byte[]> syntax = Arbitraries.strings().withChars("0123456789.-+eE,\"\n\r {}[]:NaInfy\0")
                .ofMaxLength(200).map(s -> s.getBytes(StandardCharsets.UTF_8));
        return Arbitraries.oneOf(randomBytes(), syntax);
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
     * line starting with one of {@code sources}; anything else fails the property with the exception as its cause.
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
