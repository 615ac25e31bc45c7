package dev.myelin.nn;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.myelin.core.Activation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Model files: JSON, version 1, read and written with Jackson.
 *
 * <pre>{@code
 * {"format":"myelin-model","version":1,"layers":[{"type":"dense","inputs":2,"outputs":1,"activation":"sigmoid",
 *   "weights":[[0.5],[0.25]],"bias":[0.125]}]}
 * }</pre>
 * {@code weights[i][j]} connects input i to output j ({@code inputs} rows of {@code outputs} numbers), as in
 * {@link Dense#weights()}. Layers are listed first to last. Two optional fields follow the layers:
 * {@code "input_scaling": {"mean": [...], "std": [...]}}, the standardisation the model applies to raw inputs
 * ({@link Mlp#inputScaling()}, {@code train --standardize}), and {@code "input_range": {"min": a, "max": b}}, the
 * range of the inputs it was trained on ({@link Mlp#trainingInputs()}, which {@code predict} and {@code eval} compare
 * theirs with). A file without them reads as a model without scaling, whose training range is not known.
 *
 * <p>Numbers are read as Jackson reads JSON numbers, to the nearest double, then rounded to float. They are
 * written as Java's shortest decimal for the float ({@link Float#toString(float)}, e.g. {@code 0.1}) whenever that
 * text reads back to the same float along this double path; for the rare float where the two roundings
 * (decimal → double → float) land on the neighbouring float, the exact value of the float is written instead, as
 * the shortest decimal of that double (an exhaustive check over all 2³¹ non-negative finite floats found one
 * such value, {@code 7.038531E-26}, written as {@code 7.038530691851209E-26}). So a write–read round trip is exact,
 * bit for bit, for every finite float including −0.0. NaN and infinite values are neither written nor read: a model
 * that diverged cannot be saved.
 *
 * <p>Reading is strict: every field must be there with the right JSON type, unknown fields are errors (a typo
 * must not pass silently), and the layers must form a valid {@link Mlp}. Each {@link ModelFormatException}
 * names the file, and the layer (1-based) and field where there is one.
 */
public final class ModelFile {

    /** The value of the {@code "format"} field. */
    public static final String FORMAT = "myelin-model";
    /**
     * The {@code "format"} of the metrics file {@code train --metrics} writes: kept here, beside the model's, so
     * that a metrics file given where a checkpoint is expected can be named as one.
     */
    public static final String METRICS_FORMAT = "myelin-metrics";
    /** The version this class writes and reads. */
    public static final int VERSION = 1;

    private static final Set<String> TOP_FIELDS = Set.of("format", "version", "layers", "input_scaling",
            "input_range");
    private static final Set<String> SCALING_FIELDS = Set.of("mean", "std");
    private static final Set<String> RANGE_FIELDS = Set.of("min", "max");
    private static final Set<String> LAYER_FIELDS = Set.of("type", "inputs", "outputs", "activation", "weights",
            "bias");

    // Strict JSON: no NaN tokens (the default), duplicate keys and trailing tokens are errors.
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ModelFile() {
    }

    /** Reads a model file; see the class comment for what is checked. */
    public static Mlp read(Path file) throws IOException {
        return parse(readText(file), file.toString());
    }

    /** The UTF-8 text of {@code file}; a missing file or other bytes are a {@link ModelFormatException}. */
    static String readText(Path file) throws IOException {
        return readText(file, "a model file (MODEL.json)");
    }

    /**
     * The UTF-8 text of a JSON file of Myelin's ({@code expected} says which, for the message about a directory),
     * a byte-order mark dropped; a directory, a missing file or bytes that are not UTF-8 are a
     * {@link ModelFormatException} naming the file. Shared by the model, checkpoint and metrics files.
     */
    public static String readText(Path file, String expected) throws IOException {
        Objects.requireNonNull(file, "file is null");
        if (Files.isDirectory(file)) {
            throw new ModelFormatException(file + ": is a directory, expected " + expected);
        }
        try {
            String json = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : readStream(file);
            // a byte-order mark, as some Windows editors write: not JSON, but harmless
            return json.startsWith("\uFEFF") ? json.substring(1) : json;
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file + ": file not found");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ModelFormatException(file + ": not UTF-8 text");
        }
    }

    /**
     * The model in a model file, or the model of a checkpoint file (its parameters at the checkpoint): what a new
     * run may start from ({@code train --init}), e.g. the last good state of a run that diverged, with a smaller
     * learning rate.
     */
    public static Mlp readModelOrCheckpoint(Path file) throws IOException {
        String json = readText(file);
        JsonNode root = tree(json, file.toString(), "a model file");
        if (CheckpointFile.FORMAT.equals(root.path("format").asText(null))) {
            return CheckpointFile.parse(json, file.toString()).model();
        }
        return parse(json, file.toString());
    }

    /** Parses a model from JSON text; {@code sourceName} starts every error message. */
    public static Mlp parse(String json, String sourceName) {
        String src = sourceName == null ? "<model>" : sourceName;
        JsonNode root = tree(json, src, "a model file");
        if (CheckpointFile.FORMAT.equals(root.path("format").asText(null))) {
            throw new ModelFormatException(src + ": is a checkpoint (\"format\": \"" + CheckpointFile.FORMAT + "\"),"
                    + " not a model file: continue its run with train --resume, or start a new run from its"
                    + " parameters with train --init");
        }
        String format = root.path("format").asText("");
        if (!format.equals(FORMAT) && format.startsWith("myelin-")) { // another of our files, e.g. metrics
            String kind = format.substring("myelin-".length());
            // a kind Myelin writes is named as such; any other value is quoted as it is (it may be empty, or a
            // model file's in other case)
            throw new ModelFormatException(src + ": " + (kind.equals("metrics") ? "is a metrics file"
                    : "its \"format\" is \"" + Messages.excerpt(format) + "\"") + ", not a model file (\"format\": \""
                    + FORMAT + "\", as train --save writes)");
        }
        return fromTree(root, src);
    }

    private static final int MAX_NESTING = 1000; // Jackson's default StreamReadConstraints

    /**
     * The JSON object in {@code json}, read strictly; errors start with {@code src} and name {@code fileKind} ("a
     * model file") where NaN is refused.
     */
    public static JsonNode tree(String json, String src, String fileKind) {
        Objects.requireNonNull(json, "json is null");
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            String reason = e.getOriginalMessage();
            // Jackson's own words name its classes and settings, which mean nothing to the file's author
            if (reason.startsWith("Non-standard token")) {
                reason = reason.replaceFirst(":\\s*enable .*", "")
                        + " (NaN and infinite values are not allowed in " + fileKind + ")";
            } else if (reason.startsWith("Trailing token")) {
                reason = "more after the end of the JSON object (" + fileKind + " is one object)";
            } else if (reason.contains("nesting depth")) {
                reason = "nested more than " + MAX_NESTING + " levels deep";
            } else if (reason.startsWith("Number value length")) { // "… (2000) exceeds the maximum allowed (1000, from …)"
                reason = reason.replaceFirst("Number value length \\((\\d+)\\) exceeds the maximum allowed \\((\\d+).*",
                        "a number written with $1 characters; at most $2 are read (a float needs fewer than 50)");
            }
            reason = reason.replaceAll("\\(start marker at \\[Source: .*?; line: (\\d+), column: (\\d+)\\]\\)",
                    "(opened at line $1, column $2)");
            // "…plus signs: enable `JsonReadFeature.…` to allow", "(not recognized as one since Feature
            // 'ALLOW_COMMENTS' not enabled for parser)": settings of Jackson's, not of the file
            reason = reason.replaceAll(":?\\s*enable\\s+`[^`]*`\\s+to allow", "")
                    .replaceAll("\\(not recognized as one since Feature '\\w+' not enabled for parser\\)",
                            "(JSON has no comments)");
            reason = reason.replaceAll("\\s*\\(bound as [^)]*\\)|`[A-Za-z.]*\\.[A-Za-z_.()]+`", "");
            throw new ModelFormatException(src + ": not valid JSON" + where + ": " + reason, e);
        }
        if (root == null || root.isMissingNode()) {
            throw new ModelFormatException(src + ": empty file, expected a JSON object");
        }
        if (!root.isObject()) {
            throw new ModelFormatException(src + ": expected a JSON object, found " + kind(root));
        }
        return root;
    }

    /**
     * Checks the {@code "format"} and {@code "version"} fields that start every Myelin JSON file: the format is
     * {@code format} (a {@code fileKind}, e.g. "model file") and the version {@code version}, the one this Myelin
     * reads; errors start with {@code src}. (Public for the command line's metrics file.)
     *
     * @throws ModelFormatException naming the field, what was found and what was expected
     */
    public static void checkHeader(JsonNode root, String format, int version, String fileKind, String src) {
        String found = text(root, "format", src + ": ");
        if (!found.equals(format)) {
            throw new ModelFormatException(src + ": \"format\" is " + quote(found) + " but a Myelin " + fileKind
                    + " has \"" + format + "\"");
        }
        JsonNode v = field(root, "version", src + ": ");
        if (!v.isIntegralNumber()) {
            throw new ModelFormatException(src + ": \"version\" must be an integer, found " + kind(v));
        }
        if (!v.canConvertToInt() || v.intValue() != version) {
            throw new ModelFormatException(src + ": unsupported version " + v.asText() + " (this Myelin reads"
                    + " version " + version + ")");
        }
    }

    /** The model in {@code root}, a JSON object in this class's format; errors start with {@code src}. */
    static Mlp fromTree(JsonNode root, String src) {
        if (!root.isObject()) {
            throw new ModelFormatException(src + ": expected a JSON object, found " + kind(root));
        }
        checkFields(root, TOP_FIELDS, src + ": ");
        checkHeader(root, FORMAT, VERSION, "model file", src);
        JsonNode layersNode = field(root, "layers", src + ": ");
        if (!layersNode.isArray()) {
            throw new ModelFormatException(src + ": \"layers\" must be an array, found " + kind(layersNode));
        }
        if (layersNode.isEmpty()) {
            throw new ModelFormatException(src + ": \"layers\" is empty; a model needs at least one layer");
        }
        List<Dense> layers = new ArrayList<>();
        for (int l = 0; l < layersNode.size(); l++) {
            layers.add(layer(layersNode.get(l), src + ": layer " + (l + 1) + ": "));
        }
        for (int l = 1; l < layers.size(); l++) {
            if (layers.get(l).inputs() != layers.get(l - 1).outputs()) {
                throw new ModelFormatException(src + ": layer " + (l + 1) + ": inputs is " + layers.get(l).inputs()
                        + " but layer " + l + " has " + layers.get(l - 1).outputs() + " outputs");
            }
        }
        for (int l = 0; l + 1 < layers.size(); l++) {
            if (layers.get(l).activation() == Activation.SOFTMAX) {
                throw new ModelFormatException(src + ": layer " + (l + 1) + ": activation softmax is allowed on the"
                        + " last layer only (there are " + layers.size() + " layers)");
            }
        }
        Mlp model;
        try {
            model = new Mlp(layers);
        } catch (IllegalArgumentException e) { // Mlp's own rules (a softmax over one output), named by the file
            throw new ModelFormatException(src + ": " + e.getMessage(), e);
        }
        JsonNode scaling = root.get("input_scaling");
        if (scaling != null) {
            model.setInputScaling(inputScaling(scaling, model.inputs(), src + ": input_scaling: "));
        }
        JsonNode range = root.get("input_range");
        if (range != null) {
            model.setTrainingInputs(inputRange(range, src + ": input_range: "));
        }
        return model;
    }

    /** {@code "input_range": {"min": number, "max": number ≥ min}}, both finite. */
    private static InputRange inputRange(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new ModelFormatException(where + "expected an object {\"min\": number, \"max\": number}, found "
                    + kind(node));
        }
        checkFields(node, RANGE_FIELDS, where);
        float min = number(field(node, "min", where), where, "min", -1, -1);
        float max = number(field(node, "max", where), where, "max", -1, -1);
        if (!(min <= max)) {
            throw new ModelFormatException(where + "min " + min + " is above max " + max);
        }
        return new InputRange(min, max);
    }

    /** {@code "input_scaling": {"mean": [inputs numbers], "std": [inputs numbers > 0]}}. */
    private static InputScaling inputScaling(JsonNode node, int inputs, String where) {
        if (!node.isObject()) {
            throw new ModelFormatException(where + "expected an object {\"mean\": [...], \"std\": [...]}, found "
                    + kind(node));
        }
        checkFields(node, SCALING_FIELDS, where);
        float[][] v = new float[2][];
        String[] names = {"mean", "std"};
        for (int f = 0; f < 2; f++) {
            JsonNode array = field(node, names[f], where);
            if (!array.isArray() || array.size() != inputs) {
                throw new ModelFormatException(where + "\"" + names[f] + "\" must be an array of " + inputs
                        + " numbers (one per input), found "
                        + (array.isArray() ? array.size() + " values" : kind(array)));
            }
            v[f] = new float[inputs];
            for (int j = 0; j < inputs; j++) {
                v[f][j] = number(array.get(j), where, names[f], j, -1);
            }
        }
        for (int j = 0; j < inputs; j++) {
            if (!(v[1][j] > 0)) {
                throw new ModelFormatException(where + "std[" + j + "] is " + v[1][j] + "; a divisor must be > 0");
            }
        }
        return new InputScaling(v[0], v[1]);
    }

    private static Dense layer(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new ModelFormatException(where + "expected a JSON object, found " + kind(node));
        }
        checkFields(node, LAYER_FIELDS, where);
        String type = text(node, "type", where);
        if (!type.equals("dense")) {
            throw new ModelFormatException(where + "unknown layer type " + quote(type) + " (expected \"dense\")");
        }
        int inputs = positiveInt(node, "inputs", where);
        int outputs = positiveInt(node, "outputs", where);
        String actName = text(node, "activation", where);
        Activation activation;
        try {
            activation = Activation.parse(actName);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + "\"activation\": " + e.getMessage());
        }
        if ((long) inputs * outputs > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(where + inputs + "×" + outputs + " weights are too many");
        }
        JsonNode weights = field(node, "weights", where);
        if (!weights.isArray()) {
            throw new ModelFormatException(where + "\"weights\" must be an array of " + inputs + " rows, found "
                    + kind(weights));
        }
        if (weights.size() != inputs) {
            throw new ModelFormatException(where + "weights has " + weights.size() + " rows but inputs is " + inputs);
        }
        JsonNode bias = field(node, "bias", where);
        if (!bias.isArray()) {
            throw new ModelFormatException(where + "\"bias\" must be an array of " + outputs + " numbers, found "
                    + kind(bias));
        }
        if (bias.size() != outputs) {
            throw new ModelFormatException(where + "bias has " + bias.size() + " values but outputs is " + outputs);
        }
        // Every row's shape before the layer's arrays exist: they hold 2·inputs·outputs floats (weights and their
        // gradient), and a small file of empty rows must not get them allocated before it is refused.
        for (int i = 0; i < inputs; i++) {
            JsonNode row = weights.get(i);
            if (!row.isArray()) {
                throw new ModelFormatException(where + "weights[" + i + "] must be an array of " + outputs
                        + " numbers, found " + kind(row));
            }
            if (row.size() != outputs) {
                throw new ModelFormatException(where + "weights[" + i + "] has " + row.size()
                        + " values but outputs is " + outputs);
            }
        }
        Dense dense = new Dense(inputs, outputs, activation);
        float[] w = dense.weights();
        for (int i = 0; i < inputs; i++) {
            JsonNode row = weights.get(i);
            for (int j = 0; j < outputs; j++) {
                w[i * outputs + j] = number(row.get(j), where, "weights", i, j);
            }
        }
        float[] b = dense.bias();
        for (int j = 0; j < outputs; j++) {
            b[j] = number(bias.get(j), where, "bias", j, -1);
        }
        return dense;
    }

    static void checkFields(JsonNode object, Set<String> allowed, String where) {
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw new ModelFormatException(where + "unknown field " + quote(name));
            }
        }
    }

    static JsonNode field(JsonNode object, String name, String where) {
        JsonNode v = object.get(name);
        if (v == null) {
            throw new ModelFormatException(where + "missing field \"" + name + "\"");
        }
        return v;
    }

    static String text(JsonNode object, String name, String where) {
        JsonNode v = field(object, name, where);
        if (!v.isTextual()) {
            throw new ModelFormatException(where + "\"" + name + "\" must be a string, found " + kind(v));
        }
        return v.textValue();
    }

    private static int positiveInt(JsonNode object, String name, String where) {
        JsonNode v = field(object, name, where);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
            throw new ModelFormatException(where + "\"" + name + "\" must be a positive integer, found "
                    + (v.isNumber() ? v.asText() : kind(v)));
        }
        return v.intValue();
    }

    /**
     * Element {@code [i]} (or {@code [i][j]} when j ≥ 0) of the array {@code name}, as a finite float. The
     * element's name is built only for an error: a model has millions of elements.
     */
    private static float number(JsonNode v, String where, String name, int i, int j) {
        if (!v.isNumber()) {
            throw new ModelFormatException(where + element(name, i, j) + " must be a number, found " + kind(v));
        }
        float f = v.floatValue();
        if (!Float.isFinite(f)) {
            throw new ModelFormatException(where + element(name, i, j) + " is " + v.asText()
                    + ", outside the float range (±3.4e38)");
        }
        return f;
    }

    /** {@code name[i]}, or {@code name[i][j]} when j ≥ 0, or {@code name} alone when i < 0 (a single number). */
    private static String element(String name, int i, int j) {
        return i < 0 ? name : name + "[" + i + "]" + (j >= 0 ? "[" + j + "]" : "");
    }

    /** What a JSON value is, for a message: "the string \"7\"", "the number 2.5", "null", "an array". */
    public static String kind(JsonNode v) {
        return switch (v.getNodeType()) {
            case STRING -> "the string " + quote(v.textValue());
            case NUMBER -> "the number " + v.asText();
            case BOOLEAN -> v.asText();
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    static String quote(String s) {
        return "\"" + Messages.excerpt(s) + "\"";
    }

    // ---------------------------------------------------------------- writing

    /**
     * The text of a file that is not a regular one (a pipe, a device): read in chunks, and refused at its first zero
     * byte, which no JSON text has ({@code /dev/zero} was read until the heap was full).
     */
    private static String readStream(Path file) throws IOException {
        java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 16];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(chunk)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == 0) {
                        throw new ModelFormatException(file + ": not a text file (a zero byte at offset "
                                + (text.size() + i) + "); expected JSON");
                    }
                }
                text.write(chunk, 0, n);
            }
        }
        return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(text.toByteArray())).toString();
    }

    /**
     * The model as JSON (the format in the class comment), written with Jackson's generator; weight rows and
     * the bias stay on one line each ({@code "weights": [[0.5], [0.25]]}).
     *
     * @throws ModelFormatException if a weight or bias is NaN or infinite (such a file could not be read back)
     */
    public static String toJson(Mlp model) {
        Objects.requireNonNull(model, "model is null");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256);
        try {
            writeTo(model, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Writes the model file's bytes to {@code out} (left open): UTF-8 JSON as {@link #toJson}, written as it is
     * made, so that a model of millions of parameters needs no text or byte buffer of its size.
     *
     * @throws ModelFormatException if a parameter is NaN or infinite, before anything is written
     */
    public static void writeTo(Mlp model, java.io.OutputStream out) throws IOException {
        requireFinite(model);
        try (JsonGenerator gen = generator(out)) {
            write(gen, model);
        }
        out.write('\n');
    }

    /**
     * A generator in this format's layout (pretty, but number arrays stay on one line), writing UTF-8 bytes;
     * closing it flushes {@code out} and leaves it open, for what the caller writes after.
     */
    static JsonGenerator generator(java.io.OutputStream out) throws IOException {
        return layout(MAPPER.createGenerator(out, com.fasterxml.jackson.core.JsonEncoding.UTF8)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET));
    }

    private static JsonGenerator layout(JsonGenerator gen) {
        gen.setPrettyPrinter(new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withArrayValueSpacing(Separators.Spacing.AFTER))
                .withArrayIndenter(DefaultPrettyPrinter.NopIndenter.instance));
        return gen;
    }

    /** Writes the model as one JSON object (the class comment's format) to {@code gen}. */
    static void write(JsonGenerator gen, Mlp model) throws IOException {
        Objects.requireNonNull(model, "model is null");
        gen.writeStartObject();
        gen.writeStringField("format", FORMAT);
        gen.writeNumberField("version", VERSION);
        gen.writeArrayFieldStart("layers");
        List<Dense> layers = model.layers();
        for (int l = 0; l < layers.size(); l++) {
            Dense d = layers.get(l);
            String where = "layer " + (l + 1) + ": ";
            gen.writeStartObject();
            gen.writeStringField("type", "dense");
            gen.writeNumberField("inputs", d.inputs());
            gen.writeNumberField("outputs", d.outputs());
            gen.writeStringField("activation", d.activation().id());
            gen.writeArrayFieldStart("weights");
            float[] w = d.weights();
            for (int i = 0; i < d.inputs(); i++) {
                gen.writeStartArray();
                for (int j = 0; j < d.outputs(); j++) {
                    gen.writeNumber(number(w[i * d.outputs() + j]));
                }
                gen.writeEndArray();
            }
            gen.writeEndArray();
            gen.writeArrayFieldStart("bias");
            float[] b = d.bias();
            for (int j = 0; j < d.outputs(); j++) {
                gen.writeNumber(number(b[j]));
            }
            gen.writeEndArray();
            gen.writeEndObject();
        }
        gen.writeEndArray();
        InputScaling scaling = model.inputScaling();
        if (scaling != null) { // optional: written only for a model trained on standardised inputs
            gen.writeObjectFieldStart("input_scaling");
            for (String field : new String[] {"mean", "std"}) {
                gen.writeArrayFieldStart(field);
                float[] v = field.equals("mean") ? scaling.mean() : scaling.std();
                for (int j = 0; j < v.length; j++) {
                    gen.writeNumber(number(v[j]));
                }
                gen.writeEndArray();
            }
            gen.writeEndObject();
        }
        InputRange range = model.trainingInputs();
        if (range != null) { // optional: a model that train wrote knows the range of its training inputs
            gen.writeObjectFieldStart("input_range");
            gen.writeFieldName("min");
            gen.writeNumber(number(range.min()));
            gen.writeFieldName("max");
            gen.writeNumber(number(range.max()));
            gen.writeEndObject();
        }
        gen.writeEndObject();
    }

    /**
     * Fails on the first NaN or infinite parameter, in file order, naming it: every writer calls this before it
     * writes anything ({@link #write(JsonGenerator, Mlp)} writes finite values only).
     */
    static void requireFinite(Mlp model) {
        List<Dense> layers = model.layers();
        for (int l = 0; l < layers.size(); l++) {
            Dense d = layers.get(l);
            String where = "layer " + (l + 1) + ": ";
            float[] w = d.weights();
            for (int e = 0; e < w.length; e++) {
                finite(w[e], where, "weights", e / d.outputs(), e % d.outputs());
            }
            float[] b = d.bias();
            for (int j = 0; j < b.length; j++) {
                finite(b[j], where, "bias", j, -1);
            }
        }
        InputScaling scaling = model.inputScaling();
        if (scaling != null) {
            for (int j = 0; j < scaling.mean().length; j++) {
                finite(scaling.mean()[j], "input_scaling: ", "mean", j, -1);
            }
            for (int j = 0; j < scaling.std().length; j++) {
                finite(scaling.std()[j], "input_scaling: ", "std", j, -1);
            }
        }
    }

    private static void finite(float v, String where, String name, int i, int j) {
        if (!Float.isFinite(v)) {
            throw new ModelFormatException(where + element(name, i, j) + " is " + v + "; a model with NaN or"
                    + " infinite parameters cannot be saved (did training diverge? try a smaller learning rate)");
        }
    }

    /**
     * The JSON text of a finite {@code v} ({@link #requireFinite} has checked): the shortest float repr when it
     * reads back exactly, else the exact double.
     */
    private static String number(float v) {
        String shortest = Float.toString(v); // valid JSON, e.g. 0.1, -0.0, 1.0E-5
        return (float) Double.parseDouble(shortest) == v ? shortest : Double.toString(v); // see class comment
    }

    /**
     * Writes the model file with {@link AtomicFile}: all at once or not at all, only over a regular file (a
     * symbolic link is written through to its target), keeping the replaced file's permissions, and failing with
     * "another run is writing FILE" while another writer holds it.
     *
     * @throws ModelFormatException if a parameter is NaN or infinite, before anything is written
     * @throws IOException          naming {@code file} when it cannot be written
     */
    public static void write(Mlp model, Path file) throws IOException {
        Objects.requireNonNull(model, "model is null");
        Objects.requireNonNull(file, "file is null");
        requireFinite(model); // before the temporary file is made
        AtomicFile.write(file, out -> writeTo(model, out));
    }
}
