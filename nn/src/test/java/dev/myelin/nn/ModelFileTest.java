package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelFileTest {

    /** The example of the format's specification (nn-api.md), verbatim. */
    private static final String EXAMPLE = """
            {"format":"myelin-model","version":1,"layers":[{"type":"dense","inputs":2,"outputs":1,"activation":"sigmoid",
              "weights":[[0.5],[0.25]],"bias":[0.125]}]}""";

    @TempDir
    Path dir;

    @Test
    void theSpecificationsExampleParses() {
        Mlp m = ModelFile.parse(EXAMPLE, "example.json");
        assertEquals(1, m.layers().size());
        Dense d = m.layers().get(0);
        assertEquals(2, d.inputs());
        assertEquals(1, d.outputs());
        assertEquals(Activation.SIGMOID, d.activation());
        assertArrayEquals(new float[] {0.5f, 0.25f}, d.weights());
        assertArrayEquals(new float[] {0.125f}, d.bias());
    }

    @Test
    void weightsAreRowsOfInputsNotColumns() {
        // 2 inputs, 3 outputs: weights[i][j] connects input i to output j → Dense.weights()[i*3 + j].
        String json = """
                {"format":"myelin-model","version":1,"layers":[
                  {"type":"dense","inputs":2,"outputs":3,"activation":"relu",
                   "weights":[[1,2,3],[4,5,6]],"bias":[7,8,9]},
                  {"type":"dense","inputs":3,"outputs":2,"activation":"softmax",
                   "weights":[[-1,-2],[-3,-4],[-5,-6]],"bias":[0,-0.5]}]}""";
        Mlp m = ModelFile.parse(json, "two.json");
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, m.layers().get(0).weights());
        assertArrayEquals(new float[] {7, 8, 9}, m.layers().get(0).bias());
        assertArrayEquals(new float[] {-1, -2, -3, -4, -5, -6}, m.layers().get(1).weights());
        assertEquals(Activation.SOFTMAX, m.layers().get(1).activation());
        // x = (1, 1): z1 = (1+4+7, 2+5+8, 3+6+9) = (12, 15, 18) — a check that the layout is what predict uses.
        float[] y = ModelFile.parse(json.replace("softmax", "identity"), "two.json").predict(new float[] {1, 1}, 1);
        assertArrayEquals(new float[] {-12 - 45 - 90, -24 - 60 - 108 - 0.5f}, y, 1e-3f);
    }

    @Test
    void roundTripKeepsEveryFloatBitForBit() throws IOException {
        Mlp model = Mlp.of(new int[] {300, 200, 3}, Activation.TANH, Activation.SOFTMAX);
        Random r = new Random(7);
        float[] specials = {-0.0f, 0.0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
                -Float.MAX_VALUE, 0.1f, 1f / 3, 1e-45f, 3.4028235e38f, Math.nextDown(1f), Math.nextUp(1f),
                16777217f, 1.17549421E-38f /* largest subnormal */,
                // The one non-negative float whose shortest decimal does not survive decimal → double → float
                // (found by checking all 2³¹ of them): it must be written in a longer form.
                7.038531E-26f, -7.038531E-26f};
        int s = 0;
        for (Dense d : model.layers()) {
            for (float[] a : new float[][] {d.weights(), d.bias()}) {
                for (int i = 0; i < a.length; i++) {
                    float v;
                    if (s < specials.length) {
                        v = specials[s++];
                    } else {
                        do { // any finite bit pattern: all exponents, subnormals included
                            v = Float.intBitsToFloat(r.nextInt());
                        } while (!Float.isFinite(v));
                    }
                    a[i] = v;
                }
            }
        }
        Path file = dir.resolve("big.json");
        ModelFile.write(model, file);
        Mlp back = ModelFile.read(file);
        assertEquals(model.describe(), back.describe());
        for (int l = 0; l < model.layers().size(); l++) {
            assertBitsEqual(model.layers().get(l).weights(), back.layers().get(l).weights(), "layer " + (l + 1));
            assertBitsEqual(model.layers().get(l).bias(), back.layers().get(l).bias(), "layer " + (l + 1) + " bias");
        }
        assertEquals(ModelFile.toJson(model), ModelFile.toJson(back));
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + "[" + i + "]: wrote " + expected[i] + " read " + actual[i]);
            }
        }
    }

    /** The range of the training inputs goes into the file and back; a file without it reads as not knowing it. */
    @Test
    void theTrainingInputRangeGoesThroughTheFile() throws IOException {
        Mlp model = Mlp.of(new int[] {2, 1}, Activation.SIGMOID, Activation.SIGMOID);
        Path file = dir.resolve("range.json");
        ModelFile.write(model, file);
        assertFalse(Files.readString(file).contains("input_range"), "not known: not written");
        assertNull(ModelFile.read(file).trainingInputs());
        model.setTrainingInputs(new InputRange(-0.5f, 255f));
        ModelFile.write(model, file);
        assertTrue(Files.readString(file).contains("\"input_range\": {\n    \"min\": -0.5,\n    \"max\": 255.0\n  }"),
                Files.readString(file));
        assertEquals(new InputRange(-0.5f, 255f), ModelFile.read(file).trainingInputs());
        assertEquals(new InputRange(-0.5f, 255f), model.copy().trainingInputs());
    }

    @Test
    void theDoubleRoundingCaseIsWrittenLonger() {
        Mlp m = Mlp.of(new int[] {1, 1}, Activation.IDENTITY, Activation.IDENTITY);
        m.layers().get(0).weights()[0] = 7.038531E-26f;
        m.layers().get(0).bias()[0] = 0.1f;
        String json = ModelFile.toJson(m);
        assertTrue(json.contains("[7.038530691851209E-26]"), json);
        assertTrue(json.contains("\"bias\": [0.1]"), json);
        Mlp back = ModelFile.parse(json, "m.json");
        float read = back.layers().get(0).weights()[0];
        assertEquals(Float.floatToRawIntBits(7.038531E-26f), Float.floatToRawIntBits(read));
    }

    @Test
    void writtenFileIsTheDocumentedFormat() throws IOException {
        Mlp m = ModelFile.parse(EXAMPLE, "example.json");
        Path file = dir.resolve("m.json");
        ModelFile.write(m, file);
        String text = Files.readString(file);
        // Whitespace aside, the file is the example.
        assertEquals(EXAMPLE.replaceAll("\\s", ""), text.replaceAll("\\s", ""));
    }

    static Stream<Arguments> badModels() {
        String layer = "{\"type\":\"dense\",\"inputs\":2,\"outputs\":1,\"activation\":\"sigmoid\","
                + "\"weights\":[[0.5],[0.25]],\"bias\":[0.125]}";
        String head = "{\"format\":\"myelin-model\",\"version\":1,\"layers\":[";
        return Stream.of(
                Arguments.of("{\"format\":\"myelin-model\",\n\"version\":", "m.json: not valid JSON at line 2"),
                // a cut file: where the unclosed object began, in words (not Jackson's "[Source: REDACTED …")
                Arguments.of("{\"format\":\"myelin-model\",\n\"version\":1,\n\"layers\":[{\"type\":\"dense\"",
                        "m.json: not valid JSON at line 3, column 26: Unexpected end-of-input: expected close marker"
                                + " for Object (opened at line 3, column 11)"),
                Arguments.of("", "m.json: empty file"),
                Arguments.of("[1,2]", "m.json: expected a JSON object, found an array"),
                Arguments.of(head + layer + "]} extra", "m.json: not valid JSON at line 1"),
                Arguments.of(head.replace("myelin-model", "keras") + layer + "]}",
                        "m.json: \"format\" is \"keras\" but a Myelin model file has \"myelin-model\""),
                Arguments.of(head.replace("\"version\":1", "\"version\":2") + layer + "]}",
                        "m.json: unsupported version 2 (this Myelin reads version 1)"),
                Arguments.of(head.replace("\"version\":1", "\"version\":\"1\"") + layer + "]}",
                        "m.json: \"version\" must be an integer, found the string \"1\""),
                Arguments.of("{\"version\":1,\"layers\":[" + layer + "]}", "m.json: missing field \"format\""),
                Arguments.of("{\"format\":\"myelin-model\",\"version\":1}", "m.json: missing field \"layers\""),
                Arguments.of(head + "]}", "m.json: \"layers\" is empty"),
                Arguments.of(head + layer + "],\"loss\":\"bce\"}", "m.json: unknown field \"loss\""),
                Arguments.of(head + layer + "],\"input_range\":{\"min\":2,\"max\":1}}",
                        "m.json: input_range: min 2.0 is above max 1.0"),
                Arguments.of(head + layer + "],\"input_range\":{\"min\":0}}",
                        "m.json: input_range: missing field \"max\""),
                Arguments.of(head + layer + "],\"input_range\":{\"min\":0,\"max\":1e39}}",
                        "m.json: input_range: max is 1.0E39, outside the float range"),
                Arguments.of(head + layer + "],\"input_range\":[0,1]}",
                        "m.json: input_range: expected an object {\"min\": number, \"max\": number}, found an array"),
                Arguments.of(head.replace("\"version\":1", "\"version\":1,\"version\":1") + layer + "]}",
                        "m.json: not valid JSON at line 1"),
                Arguments.of(head + layer.replace("dense", "conv2d") + "]}",
                        "m.json: layer 1: unknown layer type \"conv2d\" (expected \"dense\")"),
                Arguments.of(head + layer.replace("sigmoid", "swish") + "]}",
                        "m.json: layer 1: \"activation\": unknown activation 'swish'"),
                Arguments.of(head + layer.replace("\"inputs\":2", "\"inputs\":3") + "]}",
                        "m.json: layer 1: weights has 2 rows but inputs is 3"),
                Arguments.of(head + layer.replace("[0.25]]", "[0.25, 1]]") + "]}",
                        "m.json: layer 1: weights[1] has 2 values but outputs is 1"),
                Arguments.of(head + layer.replace("[0.125]", "[0.125, 0]") + "]}",
                        "m.json: layer 1: bias has 2 values but outputs is 1"),
                Arguments.of(head + layer.replace("[[0.5]", "[[\"NaN\"]") + "]}",
                        "m.json: layer 1: weights[0][0] must be a number, found the string \"NaN\""),
                Arguments.of(head + layer.replace("[[0.5]", "[[NaN]") + "]}",
                        "m.json: not valid JSON at line 1, column 125:"
                        + " Non-standard token 'NaN' (NaN and infinite values are not allowed in a model file)"),
                Arguments.of(head + layer.replace("[[0.5]", "[[\"0.5\"]") + "]}",
                        "m.json: layer 1: weights[0][0] must be a number, found the string \"0.5\""),
                Arguments.of(head + layer.replace("[0.125]", "[null]") + "]}",
                        "m.json: layer 1: bias[0] must be a number, found null"),
                Arguments.of(head + layer.replace("[0.25]]", "[1e39]]") + "]}",
                        "m.json: layer 1: weights[1][0] is 1.0E39, outside the float range"),
                Arguments.of(head + layer.replace("[[0.5],[0.25]]", "[0.5,0.25]") + "]}",
                        "m.json: layer 1: weights[0] must be an array of 1 numbers, found the number 0.5"),
                Arguments.of(head + layer.replace(",\"bias\":[0.125]", "") + "]}",
                        "m.json: layer 1: missing field \"bias\""),
                Arguments.of(head + layer + "," + layer.replace(",\"activation\":\"sigmoid\"", "") + "]}",
                        "m.json: layer 2: missing field \"activation\""),
                Arguments.of(head + layer.replace("\"outputs\":1", "\"outputs\":0") + "]}",
                        "m.json: layer 1: \"outputs\" must be a positive integer, found 0"),
                Arguments.of(head + layer.replace("\"inputs\":2", "\"inputs\":2.5") + "]}",
                        "m.json: layer 1: \"inputs\" must be a positive integer, found 2.5"),
                Arguments.of(head + layer.replace("\"inputs\":2", "\"inputs\":\"2\"") + "]}",
                        "m.json: layer 1: \"inputs\" must be a positive integer, found the string \"2\""),
                Arguments.of(head + layer.replace("sigmoid", "softmax") + "," + layer.replace("\"inputs\":2",
                                "\"inputs\":1").replace("[[0.5],[0.25]]", "[[0.5]]") + "]}",
                        "m.json: layer 1: activation softmax is allowed on the last layer only"),
                Arguments.of(head + layer + "," + layer + "]}",
                        "m.json: layer 2: inputs is 2 but layer 1 has 1 outputs"),
                // what training refuses (--loss ce needs 2 classes) is no model file either: it predicts 1 always
                Arguments.of(head + layer.replace("sigmoid", "softmax") + "]}",
                        "m.json: layer 1 has softmax activation over 1 output, which is 1 whatever its input"
                        + " (softmax needs at least 2 classes)"),
                Arguments.of(head + "3]}", "m.json: layer 1: expected a JSON object, found the number 3"),
                // Jackson's words for these name its own classes and settings: said in the file's terms instead
                Arguments.of(head + layer + "]}{\"a\": 1}", "m.json: not valid JSON at line 1, column "
                        + ((head + layer + "]}").length() + 1) + ": more after the end of the JSON object (a model"
                        + " file is one object)"),
                Arguments.of("[".repeat(100_000), "m.json: not valid JSON: nested more than 1000 levels deep"),
                Arguments.of(head + layer.replace("0.125", "+1") + "]}", "m.json: not valid JSON at line 1, column "),
                Arguments.of(head + "/* a comment */" + layer + "]}", "m.json: not valid JSON at line 1, column "),
                Arguments.of(head + layer.replace("0.125", "0." + "1".repeat(2000)) + "]}", "m.json: not valid JSON"
                        + ": a number written with 2000 characters; at most 1000 are read (a float needs fewer than 50)"),
                Arguments.of("{\"format\": \"myelin-metrics\", \"version\": 1, \"epochs\": []}",
                        "m.json: is a metrics file, not a model file (\"format\": \"myelin-model\", as train --save"
                        + " writes)"),
                // a value that is no kind Myelin writes is quoted as it is, not read as a kind ("a  file")
                Arguments.of("{\"format\": \"myelin-\", \"version\": 1}", "m.json: its \"format\" is \"myelin-\", not a"
                        + " model file (\"format\": \"myelin-model\", as train --save writes)"),
                Arguments.of("{\"format\": \"myelin-Model\", \"version\": 1}", "m.json: its \"format\" is"
                        + " \"myelin-Model\", not a model file"),
                Arguments.of("{\"format\": \"myelin-model\\ud800\", \"version\": 1}", "m.json: its \"format\" is"
                        + " \"myelin-model\\uD800\", not a model file"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("badModels")
    void badModelsAreRejectedWithTheReason(String json, String expectedStart) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.parse(json, "m.json"));
        assertTrue(e.getMessage().startsWith(expectedStart),
                "expected a message starting with\n  " + expectedStart + "\nbut got\n  " + e.getMessage());
        // Jackson's own settings mean nothing to the file's author, nor do words left around a removed one
        assertFalse(e.getMessage().contains("Feature") || e.getMessage().contains("enable ")
                || e.getMessage().contains("  ") || e.getMessage().contains("from )"), e.getMessage());
    }

    /**
     * Found by ReaderFuzzTest (shrunk: the token {@code format} replaced by {@code \n}): a JSON string with an
     * escaped line break or NUL went into the message, which the CLI printed as two lines.
     */
    @Test
    void stringsInErrorsAreShownOnOneLine() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelFile.parse("{\"\\n\": 1}", "m.json"));
        assertEquals("m.json: unknown field \"\\n\"", e.getMessage());
        e = assertThrows(ModelFormatException.class,
                () -> ModelFile.parse("{\"format\": \"a\\r\\u0000b\", \"version\": 1, \"layers\": []}", "m.json"));
        assertEquals("m.json: \"format\" is \"a\\r\\u0000b\" but a Myelin model file has \"myelin-model\"",
                e.getMessage());
    }

    /** A device or pipe that gives zero bytes ({@code /dev/zero}) is refused at once, not read until the heap is full. */
    @Test
    void aStreamOfZeroBytesIsNotText() {
        Path zero = Path.of("/dev/zero");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(zero), "a /dev/zero to read");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.read(zero));
        assertEquals("/dev/zero: not a text file (a zero byte at offset 0); expected JSON", e.getMessage());
    }

    @Test
    void readNamesTheFile() throws IOException {
        Path missing = dir.resolve("nope.json");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.read(missing));
        assertEquals(missing + ": file not found", e.getMessage());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, EXAMPLE.replace("0.125", "\"x\""));
        e = assertThrows(ModelFormatException.class, () -> ModelFile.read(bad));
        assertEquals(bad + ": layer 1: bias[0] must be a number, found the string \"x\"", e.getMessage());
    }

    @Test
    void aModelWithNaNIsNotWrittenAndTheOldFileStays() throws IOException {
        Path file = dir.resolve("model.json");
        Mlp good = ModelFile.parse(EXAMPLE, "example.json");
        ModelFile.write(good, file);
        String before = Files.readString(file);
        Mlp diverged = good.copy();
        diverged.layers().get(0).weights()[1] = Float.NaN;
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.write(diverged, file));
        assertTrue(e.getMessage().startsWith("layer 1: weights[1][0] is NaN"), e.getMessage());
        assertEquals(before, Files.readString(file));
        assertEquals(List.of(file), listing(dir));
    }

    @Test
    void writeReplacesTheOldFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.json");
        Mlp a = ModelFile.parse(EXAMPLE, "a");
        ModelFile.write(a, file);
        Mlp b = a.copy();
        b.layers().get(0).bias()[0] = -3.5f;
        ModelFile.write(b, file);
        assertArrayEquals(new float[] {-3.5f}, ModelFile.read(file).layers().get(0).bias());
        assertEquals(List.of(file), listing(dir));
    }

    @Test
    void aFailedRenameLeavesTheTargetAndNoTemporaryFile() throws IOException {
        // The target is a non-empty directory: the temporary file is written, the rename over the directory fails.
        Path target = dir.resolve("model.json");
        Files.createDirectory(target);
        Path inside = Files.writeString(target.resolve("keep.txt"), "keep");
        Mlp m = ModelFile.parse(EXAMPLE, "example.json");
        assertThrows(IOException.class, () -> ModelFile.write(m, target));
        assertTrue(Files.isDirectory(target));
        assertEquals("keep", Files.readString(inside));
        assertEquals(List.of(target), listing(dir));
    }

    @Test
    void missingDirectoryFails() {
        Mlp m = ModelFile.parse(EXAMPLE, "example.json");
        assertThrows(IOException.class, () -> ModelFile.write(m, dir.resolve("no/such/dir/model.json")));
    }

    @Test
    void nonAsciiSourceIsReadAsUtf8() throws IOException {
        Path file = dir.resolve("模型.json");
        Files.write(file, EXAMPLE.getBytes(StandardCharsets.UTF_8));
        assertEquals("2→1 sigmoid", ModelFile.read(file).describe());
    }

    @Test
    void aByteOrderMarkIsAccepted() throws IOException {
        Path file = dir.resolve("bom.json");
        Files.write(file, ("\uFEFF" + EXAMPLE).getBytes(StandardCharsets.UTF_8));
        assertEquals("2→1 sigmoid", ModelFile.read(file).describe());
    }

    @Test
    void aDirectoryIsNamed() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("models"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.read(sub));
        assertEquals(sub + ": is a directory, expected a model file (MODEL.json)", e.getMessage());
    }

    private static List<Path> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    /**
     * Found by an API probe: a 200 KB file declaring a 40000×40000 layer with empty rows got its 3.2 billion floats
     * of weights and gradient allocated before the first row was checked, and ended in OutOfMemoryError. Every
     * row's length is now checked first.
     */
    @Test
    void aHugeLayerOfEmptyRowsIsRefusedBeforeAnythingIsAllocated() {
        int size = 40_000;
        StringBuilder json = new StringBuilder("{\"format\":\"myelin-model\",\"version\":1,\"layers\":[{\"type\":"
                + "\"dense\",\"inputs\":" + size + ",\"outputs\":" + size + ",\"activation\":\"relu\",\"weights\":[");
        for (int i = 0; i < size; i++) {
            json.append(i == 0 ? "[]" : ",[]");
        }
        json.append("],\"bias\":[");
        for (int i = 0; i < size; i++) {
            json.append(i == 0 ? "0" : ",0");
        }
        json.append("]}]}");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.parse(json.toString(),
                "huge.json"));
        assertEquals("huge.json: layer 1: weights[0] has 0 values but outputs is 40000", e.getMessage());
    }
}
