package dev.myelin.nn;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A whole training state as one JSON file: the model, the {@link TrainingCheckpoint} and the
 * {@link TrainingConfig}, so that a run can be resumed to the same bits, and refused when resumed with another
 * configuration.
 *
 * <pre>{@code
 * {"format": "myelin-checkpoint", "version": 1,
 *  "config": {"loss": "bce", "epochs": 10, "batchSize": 3, "seed": 7, "convention": "mean", "layers": [2, 4, 1],
 *             "optimizer": {"kind": "adam", "lr": 0.05, "momentum": 0.0, "beta1": 0.9, "beta2": 0.999,
 *                           "eps": 1.0E-8, "weightDecay": 0.01,
 *                           "schedule": {"type": "cosine", "tMax": 10, "etaMin": 0.001}}},
 *  "progress": {"epochs": 4, "batches": 2, "lossSum": 1.25, "firstLoss": 0.71},
 *  "optimizer": {"kind": "adam", "step": 18, "buffers": ["<base64>", …]},
 *  "shuffle": {"key": "<base64>", "position": 624},       (null for full batch)
 *  "data": {"rows": 60000, "inputs": 784, "outputs": 10, "hash": "0123456789abcdef"},
 *  "model": {"format": "myelin-model", "version": 1, "layers": […]}}
 * }</pre>
 * {@code data} ({@link DataFingerprint}: what the run trained on) is optional: a file without it resumes on any
 * data of the model's shape. So is {@code "kernel"}, the name of the kernel variant the run computed with (the
 * command line refuses to resume with one whose arithmetic gives other bits).
 * {@code firstLoss} (the loss at the start of the run, the divergence rule's baseline) may be absent; a file without
 * it is read with NaN, and the resumed run takes its own start as the baseline.
 * Schedules: {@code {"type": "constant"}}, {@code {"type": "step", "stepSize", "gamma"}},
 * {@code {"type": "cosine", "tMax", "etaMin"}}, {@code {"type": "warmup", "epochs", "then": {…}}}.
 *
 * <p>Exactness: the model is {@link ModelFile}'s JSON object (decimal, exact for every finite float). Optimizer
 * buffers and the shuffle key are base64 of the raw little-endian bits (floats, resp. the 624 MT19937 words): exact
 * by construction with no decimal round trip to reason about, a third of the size of decimals, and nobody reads
 * Adam's v by eye. Doubles (hyper-parameters, the loss sum) are written as {@link Double#toString}, which reads
 * back to the same double.
 *
 * <p>Reading is strict as {@link ModelFile}'s: unknown or missing fields, wrong types and wrong lengths are
 * {@link ModelFormatException}s whose message starts with the file name and names the field. The file name is
 * given by the caller ({@link #parse(byte[], String)}); the bytes are written by the caller too
 * ({@link #writeTo}, e.g. as an {@link AtomicFile.Content}, or {@link #toBytes()}).
 *
 * @param model      the parameters at the checkpoint
 * @param config     the run's configuration ({@code epochs}: the run's target when written; a resume may ask more)
 * @param checkpoint where the run stands
 * @param data       what the run trained on, or null when not known
 * @param kernel     the name of the kernel variant the run computed with, or null when not known
 */
public record CheckpointFile(Mlp model, TrainingConfig config, TrainingCheckpoint checkpoint, DataFingerprint data,
                             String kernel) {

    /** The value of the {@code "format"} field. */
    public static final String FORMAT = "myelin-checkpoint";

    /** Whether the run this checkpoint holds has done every epoch it was started for. */
    public boolean isFinished() {
        return checkpoint.atEpochBoundary() && checkpoint.epochs() >= config.epochs();
    }

    /**
     * Whether {@code file} is a JSON object whose {@code "format"} is a checkpoint's, read as a stream up to that
     * field (the writers put it first): a model file of 100 MB is not parsed to learn that it is one. Anything
     * unreadable is not a checkpoint here.
     */
    public static boolean isCheckpoint(java.nio.file.Path file) {
        return FORMAT.equals(formatOf(file));
    }

    /**
     * The {@code "format"} of the JSON object in {@code file} ({@value #FORMAT}, {@code ModelFile.FORMAT},
     * {@code "myelin-metrics"}, …), read as a stream up to that field; null when the file is not a JSON object
     * with a string {@code "format"} (or cannot be read).
     */
    public static String formatOf(java.nio.file.Path file) {
        try (com.fasterxml.jackson.core.JsonParser json = new com.fasterxml.jackson.core.JsonFactory()
                .createParser(file.toFile())) {
            if (json.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return null;
            }
            while (json.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = json.currentName();
                com.fasterxml.jackson.core.JsonToken value = json.nextToken();
                if (field.equals("format")) {
                    return value == com.fasterxml.jackson.core.JsonToken.VALUE_STRING ? json.getText() : null;
                }
                json.skipChildren();
            }
            return null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
    /** The version this class writes and reads. */
    public static final int VERSION = 1;

    private static final Set<String> TOP_FIELDS = Set.of("format", "version", "config", "progress", "optimizer",
            "shuffle", "data", "kernel", "model");
    private static final Set<String> CONFIG_FIELDS = Set.of("loss", "epochs", "batchSize", "seed", "convention",
            "layers", "optimizer");
    private static final Set<String> SPEC_FIELDS = Set.of("kind", "lr", "momentum", "beta1", "beta2", "eps",
            "weightDecay", "schedule");
    private static final Set<String> PROGRESS_FIELDS = Set.of("epochs", "batches", "lossSum", "firstLoss");
    private static final Set<String> STATE_FIELDS = Set.of("kind", "step", "buffers");
    private static final Set<String> SHUFFLE_FIELDS = Set.of("key", "position");
    private static final Set<String> DATA_FIELDS = Set.of("rows", "inputs", "outputs", "hash");
    private static final int SHUFFLE_WORDS = NumpyRandom.N;

    /**
     * Checks that the three parts belong together: the optimizer state fits the model and the config's optimizer
     * kind; a mini-batch state has a shuffle stream.
     */
    public CheckpointFile {
        Objects.requireNonNull(model, "model is null");
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(checkpoint, "checkpoint is null");
        Optimizer.requireFits(config.optimizer(), model, checkpoint.optimizer()); // throws on a mismatch
    }

    /** A checkpoint that does not record its data or kernel. */
    public CheckpointFile(Mlp model, TrainingConfig config, TrainingCheckpoint checkpoint) {
        this(model, config, checkpoint, null, null);
    }

    /** A checkpoint that does not record its kernel. */
    public CheckpointFile(Mlp model, TrainingConfig config, TrainingCheckpoint checkpoint, DataFingerprint data) {
        this(model, config, checkpoint, data, null);
    }

    /**
     * Refuses to resume this checkpoint on other data than it trained on (when it records them). A checkpoint that
     * does not record its data is still checked against the size of {@code other}: its optimizer's update count
     * and its batches within the epoch must be what this many rows give.
     *
     * @throws IllegalArgumentException saying what differs: {@code the checkpoint was trained on 4 rows × 2
     *                                  inputs → 1 outputs, hash …, but this data set is 5 rows × …}; {@code
     *                                  optimizer: step is 9, but the progress (2 epochs of 3 batches of this data
     *                                  set, then 1) is 7 updates}
     */
    public void requireSameData(DataFingerprint other) {
        Objects.requireNonNull(other, "data fingerprint is null");
        if (data == null) { // nothing to compare, but the progress must still fit the data's size
            requireProgressFits(other.rows(), "", "this data set");
        } else if (!data.equals(other)) {
            throw new IllegalArgumentException("the checkpoint was trained on other data: " + data + ", but this"
                    + " data set is " + other + (data.rows() == other.rows() && data.inputs() == other.inputs()
                    && data.outputs() == other.outputs() ? " (the same shape, other values or order)" : ""));
        }
    }

    /** The layer sizes of {@link #model()}: inputs of each layer, then the outputs of the last. */
    public int[] layerSizes() {
        return model.sizes();
    }

    /**
     * Refuses to resume this checkpoint with {@code other}: every setting that shapes the run's bits must be the
     * same — loss, batch size, seed, gradient convention, the optimizer's kind, hyper-parameters and schedule —
     * and the layer sizes when {@code layerSizes} is not null. {@code epochs} may differ (a resume may run longer).
     *
     * @throws IllegalArgumentException naming the first differing setting as the command line spells it and both
     *                                  values: {@code --lr: the checkpoint has 0.05 but this run has 0.1}
     */
    public void requireCompatible(TrainingConfig other, int[] layerSizes) {
        Objects.requireNonNull(other, "config is null");
        Map<String, Object> theirs = other.resumeSettings();
        for (Map.Entry<String, Object> mine : config.resumeSettings().entrySet()) {
            // boxed doubles compare as Double.compare does: exact
            if (!mine.getValue().equals(theirs.get(mine.getKey()))) {
                throw mismatch(mine.getKey(), mine.getValue(), theirs.get(mine.getKey()));
            }
        }
        if (layerSizes != null && !Arrays.equals(layerSizes(), layerSizes)) {
            throw mismatch("layer sizes", Arrays.toString(layerSizes()), Arrays.toString(layerSizes));
        }
    }

    private static IllegalArgumentException mismatch(String setting, Object mine, Object theirs) {
        return new IllegalArgumentException(setting + ": the checkpoint has " + mine + " but this run has "
                + theirs);
    }

    // ---------------------------------------------------------------- writing

    /** The file's bytes, as {@link #writeTo} writes them. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    /**
     * Writes the file: UTF-8 JSON in the format of the class comment, ending with a newline, as it is made (a
     * checkpoint is written every epoch, and a buffer of its size would outlive a young collection and stay in the
     * old generation). {@code out} is left open.
     *
     * @throws ModelFormatException if a parameter is NaN or infinite, before anything is written
     */
    public void writeTo(OutputStream out) throws IOException {
        ModelFile.requireFinite(model);
        try (JsonGenerator gen = ModelFile.generator(out)) {
            write(gen);
        }
        out.write('\n');
    }

    /**
     * The file's text.
     *
     * @throws ModelFormatException if a parameter is NaN or infinite (as {@link ModelFile#toJson})
     */
    public String toJson() {
        return new String(toBytes(), StandardCharsets.UTF_8);
    }

    private void write(JsonGenerator gen) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("format", FORMAT);
        gen.writeNumberField("version", VERSION);
        gen.writeObjectFieldStart("config");
        gen.writeStringField("loss", config.loss().id());
        gen.writeNumberField("epochs", config.epochs());
        gen.writeNumberField("batchSize", config.batchSize());
        gen.writeNumberField("seed", config.seed());
        gen.writeStringField("convention", config.convention().id());
        gen.writeArrayFieldStart("layers");
        for (int s : layerSizes()) {
            gen.writeNumber(s);
        }
        gen.writeEndArray();
        writeSpec(gen, config.optimizer());
        gen.writeEndObject();
        gen.writeObjectFieldStart("progress");
        gen.writeNumberField("epochs", checkpoint.epochs());
        gen.writeNumberField("batches", checkpoint.batches());
        gen.writeNumberField("lossSum", checkpoint.lossSum());
        if (!Double.isNaN(checkpoint.firstLoss())) { // JSON has no NaN: absent means "no step yet"
            gen.writeNumberField("firstLoss", checkpoint.firstLoss());
        }
        gen.writeEndObject();
        OptimizerState state = checkpoint.optimizer();
        gen.writeObjectFieldStart("optimizer");
        gen.writeStringField("kind", state.kind());
        gen.writeNumberField("step", state.step());
        gen.writeArrayFieldStart("buffers");
        for (float[] buffer : state.buffers()) {
            // base64 as java.util.Base64's encoder writes it, streamed: no String, no byte copy of the buffer
            gen.writeBinary(new LittleEndianFloats(buffer), Math.multiplyExact(4, buffer.length));
        }
        gen.writeEndArray();
        gen.writeEndObject();
        NumpyRandom.State shuffle = checkpoint.shuffle();
        if (shuffle == null) {
            gen.writeNullField("shuffle");
        } else {
            ByteBuffer bytes = ByteBuffer.allocate(4 * SHUFFLE_WORDS).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asIntBuffer().put(shuffle.key());
            gen.writeObjectFieldStart("shuffle");
            gen.writeFieldName("key");
            gen.writeBinary(bytes.array());
            gen.writeNumberField("position", shuffle.position());
            gen.writeEndObject();
        }
        if (data != null) {
            gen.writeObjectFieldStart("data");
            gen.writeNumberField("rows", data.rows());
            gen.writeNumberField("inputs", data.inputs());
            gen.writeNumberField("outputs", data.outputs());
            gen.writeStringField("hash", data.hashHex());
            gen.writeEndObject();
        }
        if (kernel != null) {
            gen.writeStringField("kernel", kernel);
        }
        gen.writeFieldName("model");
        ModelFile.write(gen, model);
        gen.writeEndObject();
    }

    private static void writeSpec(JsonGenerator gen, OptimizerSpec spec) throws IOException {
        gen.writeObjectFieldStart("optimizer");
        gen.writeStringField("kind", spec.kind().id());
        gen.writeNumberField("lr", spec.learningRate());
        gen.writeNumberField("momentum", spec.momentum());
        gen.writeNumberField("beta1", spec.beta1());
        gen.writeNumberField("beta2", spec.beta2());
        gen.writeNumberField("eps", spec.epsilon());
        gen.writeNumberField("weightDecay", spec.weightDecay());
        gen.writeFieldName("schedule");
        writeSchedule(gen, spec.schedule());
        gen.writeEndObject();
    }

    private static void writeSchedule(JsonGenerator gen, LrSchedule schedule) throws IOException {
        gen.writeStartObject();
        switch (schedule) {
            case LrSchedule.Constant c -> gen.writeStringField("type", "constant");
            case LrSchedule.Step s -> {
                gen.writeStringField("type", "step");
                gen.writeNumberField("stepSize", s.stepSize());
                gen.writeNumberField("gamma", s.gamma());
            }
            case LrSchedule.Cosine c -> {
                gen.writeStringField("type", "cosine");
                gen.writeNumberField("tMax", c.tMax());
                gen.writeNumberField("etaMin", c.etaMin());
            }
            case LrSchedule.Warmup w -> {
                gen.writeStringField("type", "warmup");
                gen.writeNumberField("epochs", w.epochs());
                gen.writeFieldName("then");
                writeSchedule(gen, w.then());
            }
        }
        gen.writeEndObject();
    }

    // ---------------------------------------------------------------- reading

    /** Reads a checkpoint file; errors name the file. */
    public static CheckpointFile read(Path file) throws IOException {
        return parse(ModelFile.readText(file, "a checkpoint file (NAME.ckpt.json)"), file.toString());
    }

    /** Parses the bytes of a checkpoint file (UTF-8); {@code sourceName} starts every error message. */
    public static CheckpointFile parse(byte[] bytes, String sourceName) {
        Objects.requireNonNull(bytes, "bytes is null");
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(name(sourceName) + ": not UTF-8 text");
        }
        return parse(text, sourceName);
    }

    /** Parses checkpoint JSON text; {@code sourceName} starts every error message. */
    public static CheckpointFile parse(String json, String sourceName) {
        String src = name(sourceName);
        JsonNode root = ModelFile.tree(json, src, "a checkpoint file");
        if (ModelFile.FORMAT.equals(root.path("format").asText(null))) {
            throw new ModelFormatException(src + ": is a model file (\"format\": \"" + ModelFile.FORMAT + "\"), not a"
                    + " checkpoint: start from a model with --init, resume from the NAME.ckpt.json that train --save"
                    + " (or --checkpoint) writes");
        }
        if (ModelFile.METRICS_FORMAT.equals(root.path("format").asText(null))) { // train --metrics's file, given by mistake
            throw new ModelFormatException(src + ": is a metrics file, not a checkpoint (\"format\": \"" + FORMAT
                    + "\", the NAME.ckpt.json that train --save or --checkpoint writes)");
        }
        ModelFile.checkFields(root, TOP_FIELDS, src + ": ");
        ModelFile.checkHeader(root, FORMAT, VERSION, "checkpoint file", src);
        Mlp model = ModelFile.fromTree(ModelFile.field(root, "model", src + ": "), src + ": model");
        JsonNode configNode = object(root, "config", CONFIG_FIELDS, src + ": ");
        TrainingConfig config = config(configNode, src + ": config: ");
        int[] layers = intArray(configNode, "layers", src + ": config: ");
        if (!Arrays.equals(layers, model.sizes())) {
            throw new ModelFormatException(src + ": config: layers is " + Arrays.toString(layers) + " but the model"
                    + " has layer sizes " + Arrays.toString(model.sizes()));
        }
        String where = src + ": progress: ";
        JsonNode progress = object(root, "progress", PROGRESS_FIELDS, src + ": ");
        int epochs = (int) integer(progress, "epochs", where, 0, Integer.MAX_VALUE);
        int batches = (int) integer(progress, "batches", where, 0, Integer.MAX_VALUE);
        double lossSum = real(progress, "lossSum", where);
        // optional: files written before it was recorded resume with their own start as the baseline
        double firstLoss = progress.has("firstLoss") ? real(progress, "firstLoss", where) : Double.NaN;
        if (lossSum < 0 || firstLoss < 0) { // every loss here (ce, bce, mse) is at least 0
            throw new ModelFormatException(where + (lossSum < 0 ? "lossSum is " + lossSum : "firstLoss is "
                    + firstLoss) + "; a loss is at least 0");
        }
        OptimizerState state = state(object(root, "optimizer", STATE_FIELDS, src + ": "), src + ": optimizer: ");
        NumpyRandom.State shuffle = null;
        JsonNode shuffleNode = ModelFile.field(root, "shuffle", src + ": ");
        if (!shuffleNode.isNull()) {
            shuffle = shuffle(object(root, "shuffle", SHUFFLE_FIELDS, src + ": "), src + ": shuffle: ");
        }
        DataFingerprint data = root.has("data")
                ? data(object(root, "data", DATA_FIELDS, src + ": "), src + ": data: ") : null;
        String kernel = root.has("kernel") ? ModelFile.text(root, "kernel", src + ": ") : null;
        CheckpointFile file;
        try {
            file = new CheckpointFile(model, config,
                    new TrainingCheckpoint(epochs, batches, lossSum, state, shuffle, firstLoss), data, kernel);
        } catch (IllegalArgumentException e) { // the parts do not belong together
            throw new ModelFormatException(src + ": " + e.getMessage(), e);
        }
        if (data != null) {
            file.requireProgressFits(data.rows(), src + ": ", "the recorded data");
        }
        return file;
    }

    /**
     * Checks the progress against a data set of {@code rows} rows: the optimizer counts its updates, one a batch,
     * so it has made as many as the epochs and batches say; the batches are fewer than an epoch's; a mini-batch
     * run has its shuffle stream. {@code src} starts each message, {@code what} names the data.
     */
    private void requireProgressFits(int rows, String src, String what) {
        int epochs = checkpoint.epochs();
        int batches = checkpoint.batches();
        long perEpoch = config.fullBatch(rows) ? 1 : (rows + (long) config.batchSize() - 1) / config.batchSize();
        long updates = epochs * perEpoch + batches;
        if (batches >= perEpoch) {
            throw new ModelFormatException(src + "progress: batches is " + batches + ", but an epoch of " + what
                    + " (" + rows + " rows, batch " + config.batchSize() + ") has " + perEpoch);
        }
        if (checkpoint.shuffle() == null && !config.fullBatch(rows)) {
            throw new ModelFormatException(src + "shuffle is null (a full-batch run's), but the run's batch "
                    + config.batchSize() + " of " + rows + " rows (" + what + ") draws its batches from it");
        }
        if (checkpoint.optimizer().step() != updates) {
            throw new ModelFormatException(src + "optimizer: step is " + checkpoint.optimizer().step() + ", but the"
                    + " progress (" + epochs + " epochs of " + perEpoch + " batches of " + what + ", then " + batches
                    + ") is " + updates + " updates");
        }
    }

    private static String name(String sourceName) {
        return sourceName == null ? "<checkpoint>" : sourceName;
    }

    private static DataFingerprint data(JsonNode node, String where) {
        String hash = ModelFile.text(node, "hash", where);
        if (!hash.matches("[0-9a-f]{16}")) {
            throw new ModelFormatException(where + "hash must be 16 lower-case hex digits, got \"" + Messages.excerpt(hash) + "\"");
        }
        return new DataFingerprint((int) integer(node, "rows", where, 1, Integer.MAX_VALUE),
                (int) integer(node, "inputs", where, 1, Integer.MAX_VALUE),
                (int) integer(node, "outputs", where, 1, Integer.MAX_VALUE), Long.parseUnsignedLong(hash, 16));
    }

    private static TrainingConfig config(JsonNode node, String where) {
        OptimizerSpec spec = spec(object(node, "optimizer", SPEC_FIELDS, where), where + "optimizer: ");
        try {
            return new TrainingConfig(Loss.parse(ModelFile.text(node, "loss", where)),
                    (int) integer(node, "epochs", where, 1, Integer.MAX_VALUE),
                    (int) integer(node, "batchSize", where, 0, Integer.MAX_VALUE),
                    spec, integer(node, "seed", where, 0, 0xffffffffL),
                    GradientConvention.parse(ModelFile.text(node, "convention", where)));
        } catch (IllegalArgumentException e) {
            throw rethrow(where, e);
        }
    }

    private static OptimizerSpec spec(JsonNode node, String where) {
        try {
            return new OptimizerSpec(OptimizerSpec.Kind.parse(ModelFile.text(node, "kind", where)),
                    real(node, "lr", where), real(node, "momentum", where), real(node, "beta1", where),
                    real(node, "beta2", where), real(node, "eps", where), real(node, "weightDecay", where),
                    schedule(ModelFile.field(node, "schedule", where), where + "schedule: "));
        } catch (IllegalArgumentException e) {
            throw rethrow(where, e);
        }
    }

    private static LrSchedule schedule(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new ModelFormatException(where + "expected a JSON object, found " + ModelFile.kind(node));
        }
        String type = ModelFile.text(node, "type", where);
        Set<String> fields = switch (type) {
            case "constant" -> Set.of("type");
            case "step" -> Set.of("type", "stepSize", "gamma");
            case "cosine" -> Set.of("type", "tMax", "etaMin");
            case "warmup" -> Set.of("type", "epochs", "then");
            default -> throw new ModelFormatException(where + "unknown schedule type " + ModelFile.quote(type)
                    + " (expected constant, step, cosine or warmup)");
        };
        ModelFile.checkFields(node, fields, where);
        return switch (type) {
            case "constant" -> new LrSchedule.Constant();
            case "step" -> new LrSchedule.Step((int) integer(node, "stepSize", where, 1, Integer.MAX_VALUE),
                    real(node, "gamma", where));
            case "cosine" -> new LrSchedule.Cosine((int) integer(node, "tMax", where, 1, Integer.MAX_VALUE),
                    real(node, "etaMin", where));
            default -> new LrSchedule.Warmup((int) integer(node, "epochs", where, 1, Integer.MAX_VALUE),
                    schedule(ModelFile.field(node, "then", where), where + "then: "));
        };
    }

    private static OptimizerState state(JsonNode node, String where) {
        String kind = ModelFile.text(node, "kind", where);
        long step = integer(node, "step", where, 0, OptimizerState.MAX_STEP);
        JsonNode buffers = array(node, "buffers", where);
        List<float[]> list = new ArrayList<>(buffers.size());
        for (int i = 0; i < buffers.size(); i++) {
            ByteBuffer bytes = base64(buffers.get(i), where + "buffers[" + i + "]");
            float[] values = new float[bytes.remaining() / 4];
            bytes.asFloatBuffer().get(values);
            // Adam's buffers go m, v per parameter array (OptimizerState): v, a mean of squares, is never negative
            boolean second = (kind.equals("adam") || kind.equals("adamw")) && i % 2 == 1;
            for (int j = 0; j < values.length; j++) {
                String why = Optimizer.reachable(values[j], second); // the rule Optimizer.restore holds to
                if (why != null) {
                    throw new ModelFormatException(where + "buffers[" + i + "][" + j + "] is " + values[j] + "; "
                            + why);
                }
            }
            list.add(values);
        }
        return new OptimizerState(kind, step, list);
    }

    private static NumpyRandom.State shuffle(JsonNode node, String where) {
        ByteBuffer bytes = base64(ModelFile.field(node, "key", where), where + "key");
        if (bytes.remaining() != 4 * SHUFFLE_WORDS) {
            throw new ModelFormatException(where + "key has " + bytes.remaining() / 4 + " words but a numpy random"
                    + " state has " + SHUFFLE_WORDS);
        }
        int[] key = new int[SHUFFLE_WORDS];
        bytes.asIntBuffer().get(key);
        return new NumpyRandom.State(key, (int) integer(node, "position", where, 0, SHUFFLE_WORDS));
    }

    // ---------------------------------------------------------------- strict field readers

    private static ModelFormatException rethrow(String where, IllegalArgumentException e) {
        return e instanceof ModelFormatException f ? f : new ModelFormatException(where + e.getMessage(), e);
    }

    private static JsonNode object(JsonNode parent, String name, Set<String> fields, String where) {
        JsonNode v = ModelFile.field(parent, name, where);
        if (!v.isObject()) {
            throw new ModelFormatException(where + "\"" + name + "\" must be an object, found " + ModelFile.kind(v));
        }
        ModelFile.checkFields(v, fields, where + name + ": ");
        return v;
    }

    private static JsonNode array(JsonNode parent, String name, String where) {
        JsonNode v = ModelFile.field(parent, name, where);
        if (!v.isArray()) {
            throw new ModelFormatException(where + "\"" + name + "\" must be an array, found " + ModelFile.kind(v));
        }
        return v;
    }

    private static long integer(JsonNode parent, String name, String where, long min, long max) {
        JsonNode v = ModelFile.field(parent, name, where);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw new ModelFormatException(where + "\"" + name + "\" must be an integer in [" + min + ", " + max
                    + "], found " + ModelFile.kind(v));
        }
        return v.longValue();
    }

    private static double real(JsonNode parent, String name, String where) {
        JsonNode v = ModelFile.field(parent, name, where);
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new ModelFormatException(where + "\"" + name + "\" must be a finite number, found "
                    + ModelFile.kind(v));
        }
        return v.doubleValue();
    }

    private static int[] intArray(JsonNode parent, String name, String where) {
        JsonNode v = array(parent, name, where);
        int[] values = new int[v.size()];
        for (int i = 0; i < values.length; i++) {
            if (!v.get(i).isIntegralNumber() || !v.get(i).canConvertToInt()) {
                throw new ModelFormatException(where + name + "[" + i + "] must be an integer, found "
                        + ModelFile.kind(v.get(i)));
            }
            values[i] = v.get(i).intValue();
        }
        return values;
    }

    /** The little-endian bytes of a base64 string whose length is a multiple of 4 bytes. */
    private static ByteBuffer base64(JsonNode v, String where) {
        if (!v.isTextual()) {
            throw new ModelFormatException(where + " must be a base64 string, found " + ModelFile.kind(v));
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(v.textValue());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + " is not valid base64: " + e.getMessage());
        }
        if (bytes.length % 4 != 0) {
            throw new ModelFormatException(where + " has " + bytes.length + " bytes, not a whole number of 4-byte"
                    + " values");
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
