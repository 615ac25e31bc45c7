package dev.myelin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import dev.myelin.nn.AtomicFile;
import dev.myelin.nn.CheckpointFile;
import dev.myelin.nn.ModelFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * The per-epoch metrics of a training run ({@code train --metrics FILE.json}), read back by {@code report}:
 * <pre>{"format": "myelin-metrics", "version": 1, "model": "784→256 relu, …", "data": "0123456789abcdef",
 *  "run": "--loss ce, --batch-size 128, --seed 42, --gradients mean, --optimizer adam, …",
 *  "epochs": [
 *   {"epoch": 1, "loss": 0.52, "lr": 0.001, "seconds": 0.61, "samples_per_sec": 98000.0,
 *    "test_loss": 0.44, "test_accuracy": 0.84}, …]}</pre>
 * {@code test_loss} and {@code test_accuracy} are null without evaluation data (the accuracy also without
 * classes). The file is rewritten atomically after an epoch as often as that costs at most a tenth of the run
 * ({@link #add}: after every epoch unless epochs are far shorter than a write), after the last epoch, and when the
 * run stops ({@link #flush}), so an interrupted run leaves the epochs it finished; {@code "finished"} says whether
 * the last of them is the run's last epoch (a file without it, from before it was written, counts as finished). A
 * new run does not replace the file of a run that did not finish ({@link #refuseUnfinished}), as it does not
 * replace that run's checkpoint. {@code data} is the hash of the training data ({@code DataFingerprint}) and
 * {@code run} the settings of the run: with the model they tell a resumed run whether the epochs already in the
 * file are its own; {@code checkpoint} names the checkpoint that continues the run, or is null.
 */
final class MetricsFile {

    static final String FORMAT = ModelFile.METRICS_FORMAT;
    static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final String model;
    private final String data;
    private final String run;
    private final int lastEpoch;
    private String checkpoint;
    private boolean finished;
    /** Whether epochs were added since the last write that succeeded. */
    private boolean pending;
    /** Whether the last write failed (the next epoch tries again, whatever the spacing). */
    private boolean lastFailed;
    private long lastWriteEnd;
    private long lastWriteNanos;
    /**
     * A write waits until this many times its own duration has passed since the last one, so the writes take at
     * most about a tenth of the run: a file rewritten whole after each of 10 000 short epochs (XOR) made the run
     * 58.1 s instead of 1.36 s, the writes growing with the epochs; 1.54 s now.
     */
    private static final int SPACING = 10;
    private int writes;
    private final List<JsonNode> epochs = new ArrayList<>();
    private int carried; // the epochs a resumed run kept from the file, before its first write
    private int written;

    /**
     * @param lastEpoch  the run's last epoch: the file is {@code "finished"} once it holds that one
     * @param checkpoint the run's checkpoint file, or null: recorded, so that an unfinished run is held up for its
     *                   resume only while there is a checkpoint to resume (a stopped run's fallback checkpoint
     *                   replaces it, {@link #stoppedTo})
     */
    MetricsFile(Path file, String model, String data, String run, int lastEpoch, Path checkpoint) {
        this.file = file;
        this.model = model;
        this.data = data;
        this.run = run;
        this.lastEpoch = lastEpoch;
        this.checkpoint = checkpoint == null ? null : checkpoint.toAbsolutePath().normalize().toString();
    }

    /**
     * A new run (not a resumed one) must not replace the metrics of a run that did not finish (interrupted, or
     * stopped by a divergence: its resume would go on in this file), nor a file that is not a metrics file;
     * an empty (or blank) file, or the metrics of a finished run, is replaced. So are the metrics of an unfinished
     * run that cannot be resumed: one that kept no checkpoint, whose checkpoint is gone (killed before its first
     * checkpoint was written), or whose checkpoint holds the run finished (resumed without these metrics);
     * {@code notes} hears which. (A file from before the checkpoint was recorded is held.)
     */
    static void refuseUnfinished(Path file, Consumer<String> notes) throws IOException {
        JsonNode root = existing(file);
        if (root == null || root.path("finished").asBoolean(true)) {
            return;
        }
        JsonNode kept = root.get("checkpoint");
        if (kept == null) {
            throw unfinished(file, root, "a new run");
        }
        if (kept.isNull()) {
            notes.accept("note: --metrics " + file + " held the metrics of a run that did not finish and kept no"
                    + " checkpoint, so nothing can continue it; they are replaced");
            return;
        }
        Path checkpoint = Path.of(kept.asText());
        CheckpointFile state;
        try {
            state = CheckpointFile.read(checkpoint);
        } catch (IOException | RuntimeException gone) {
            notes.accept("note: --metrics " + file + " held the metrics of a run that did not finish, whose"
                    + " checkpoint " + checkpoint + " is gone (or is not a checkpoint), so nothing can continue it;"
                    + " they are replaced");
            return;
        }
        if (state.isFinished()) {
            // the run went on without this file (resumed without --metrics) and finished: a resume would only
            // say "nothing to train", and the file would stay unfinished for good
            notes.accept("note: --metrics " + file + " held the metrics of a run that did not finish here, but its"
                    + " checkpoint " + checkpoint + " holds the run finished (resumed without --metrics), so nothing"
                    + " can continue these metrics; they are replaced");
            return;
        }
        throw unfinished(file, root, "a new run");
    }

    /**
     * What {@code file} holds that a run would replace: null for nothing (no file, an empty or blank one), else its
     * metrics; a file that is not a metrics file (nor readable as one) is refused.
     */
    private static JsonNode existing(Path file) throws IOException {
        if (file == null || !Files.isRegularFile(file) || Files.size(file) == 0) {
            return null;
        }
        JsonNode root;
        try {
            String text = ModelFile.readText(file, "a metrics file (FILE.json)"); // as report reads it (BOM and all)
            if (text.isBlank()) {
                return null;
            }
            root = JSON.readTree(text);
        } catch (IOException | RuntimeException e) {
            root = null;
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException("--metrics " + file + " exists and is not a metrics file; a run would"
                    + " replace it: move it away, or name another file with --metrics");
        }
        return root;
    }

    private static IllegalArgumentException unfinished(Path file, JsonNode root, String who) {
        JsonNode list = root.path("epochs");
        String held = list.isEmpty() ? "no epoch yet" : "epochs " + list.get(0).path("epoch").asText("?") + "–"
                + list.get(list.size() - 1).path("epoch").asText("?");
        JsonNode kept = root.path("checkpoint");
        String resume = kept.isTextual() ? "--resume " + kept.asText() : "--resume and its checkpoint";
        return new IllegalArgumentException("--metrics " + file + " holds the metrics of a run that did not finish ("
                + held + "); " + who + " would replace them. Continue that run with " + resume + " (its"
                + " metrics go on in this file), or move the file away, or name another file with --metrics");
    }

    /**
     * The metrics of a run resumed after epoch {@code done}: the epochs up to it that {@code file} already holds
     * from the run that was interrupted are kept, so the file tells the whole story. They are that run's only when
     * the file names the same model, the same training data and the same run settings ({@code run}: loss, batch
     * size, seed, gradients, optimizer and schedule). The finished metrics of another run are replaced
     * ({@code notes} hears what differs, and which of this run's epochs the file lacks); the unfinished metrics of
     * another run, and a file that is not a metrics file, are refused (as for a new run).
     */
    static MetricsFile continuing(Path file, String model, String data, String run, int done, int lastEpoch,
                                  Path checkpoint, Consumer<String> notes) throws IOException {
        MetricsFile m = new MetricsFile(file, model, data, run, lastEpoch, checkpoint);
        JsonNode root = existing(file);
        if (root == null) {
            return m;
        }
        List<String> differs = new ArrayList<>();
        if (!model.equals(root.path("model").asText())) {
            differs.add("model " + root.path("model").asText("?"));
        }
        if (!data.equals(root.path("data").asText())) {
            differs.add("training data");
        }
        if (!run.equals(root.path("run").asText())) {
            differs.add("settings " + root.path("run").asText("?"));
        }
        if (!differs.isEmpty()) {
            if (!root.path("finished").asBoolean(true)) {
                throw unfinished(file, root, "this run (another: its " + String.join("; ", differs) + ")");
            }
            if (done > 0) {
                notes.accept("note: --metrics " + file + " held the epochs of another run (its "
                        + String.join("; ", differs) + "); it now holds this run's from epoch " + (done + 1));
            }
            return m;
        }
        if (done > 0) {
            BitSet seen = new BitSet();
            for (JsonNode e : root.path("epochs")) {
                int epoch = e.path("epoch").asInt(Integer.MAX_VALUE);
                if (epoch <= done) {
                    m.epochs.add(e);
                    seen.set(epoch);
                }
            }
            m.carried = m.epochs.size();
            List<String> missing = new ArrayList<>();
            for (int epoch = seen.nextClearBit(1); epoch <= done; epoch = seen.nextClearBit(epoch + 1)) {
                missing.add(String.valueOf(epoch));
            }
            if (!missing.isEmpty()) { // a part of the run went without --metrics
                notes.accept("note: --metrics " + file + " has no line for epoch"
                        + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing.subList(0,
                        Math.min(8, missing.size()))) + (missing.size() > 8 ? " and " + (missing.size() - 8)
                        + " more" : "") + " (trained without --metrics, or not yet written when the run was killed);"
                        + " it goes on from epoch " + (done + 1));
            }
        }
        return m;
    }

    /**
     * Adds the epoch and rewrites the file when it is due: the first and the last epoch, after a failed write, and
     * otherwise once {@link #SPACING} times the last write's duration has passed.
     */
    void add(EpochStats stats) throws IOException {
        epochs.add(stats.toJson(JSON.createObjectNode()));
        finished = stats.epoch() >= lastEpoch;
        pending = true;
        if (finished || lastFailed || written == 0 || System.nanoTime() - lastWriteEnd >= SPACING * lastWriteNanos) {
            write();
        }
    }

    /**
     * Writes the epochs not yet in the file (the run stops: interrupted, diverged); also when this run has not
     * written the file at all (it stops inside its first epoch), since what the file holds then is another run's
     * (a finished run's metrics, which this run replaces): it then holds no epochs and says the run did not finish.
     */
    void flush() throws IOException {
        if (pending || writes == 0) {
            write();
        }
    }

    /**
     * The run was stopped and its state written to {@code written}, which is not where the file said (a run
     * without a checkpoint file, or whose own could not be written, falls back to another): the file is rewritten
     * to name it, so that a new run knows this one can still be continued (also when the run stops inside its
     * first epoch, {@link #flush}).
     */
    void stoppedTo(Path written) throws IOException {
        String path = written.toAbsolutePath().normalize().toString();
        if ((this.written > 0 || writes == 0) && !path.equals(checkpoint)) {
            checkpoint = path;
            write();
        } else {
            flush();
        }
    }

    private void write() throws IOException {
        long start = System.nanoTime();
        lastFailed = true; // until it succeeds
        ObjectNode root = JSON.createObjectNode().put("format", FORMAT).put("version", VERSION).put("model", model)
                .put("data", data).put("run", run).put("finished", finished).put("checkpoint", checkpoint);
        ArrayNode list = root.putArray("epochs");
        epochs.forEach(list::add);
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        AtomicFile.write(file, bytes);
        written = epochs.size();
        writes++;
        pending = false;
        lastFailed = false;
        lastWriteEnd = System.nanoTime();
        lastWriteNanos = lastWriteEnd - start;
    }

    /** How many times the file was written (tests). */
    int writes() {
        return writes;
    }

    /** How many epochs the file holds as this run last wrote it (0 before its first write succeeded). */
    int written() {
        return written;
    }

    /**
     * How many epochs the file holds now: as this run last wrote it, or before its first write succeeded, the
     * earlier epochs a resumed run carried over from it (0 for a new run's).
     */
    int held() {
        return written > 0 ? written : carried;
    }

    /**
     * One epoch as read back: NaN for what the file does not have (absent or null); {@code notFinite} names the
     * fields that the run wrote as NaN or ±Infinity (strings in JSON), which no axis can show.
     */
    record Epoch(int epoch, double loss, double testLoss, double testAccuracy, List<String> notFinite) {
    }

    /** The epochs of a metrics file, with errors that name the file and what is wrong. */
    static List<Epoch> read(Path file) throws IOException {
        JsonNode root = ModelFile.tree(ModelFile.readText(file, "a metrics file (FILE.json)"), file.toString(),
                "a metrics file");
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException(file + ": not a metrics file (expected a JSON object with"
                    + " \"format\": \"" + FORMAT + "\", as written by myelin train --metrics)");
        }
        ModelFile.checkHeader(root, FORMAT, VERSION, "metrics file", file.toString());
        JsonNode list = root.path("epochs");
        if (!list.isArray() || list.isEmpty()) {
            throw new IllegalArgumentException(file + ": \"epochs\" must be a non-empty array");
        }
        List<Epoch> epochs = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            if (!whole(e.path("epoch")) || !(e.path("loss").isNumber() || nonFinite(e.path("loss")))) {
                throw new IllegalArgumentException(file + ": epochs[" + i + "] needs a whole \"epoch\" and a"
                        + " numeric \"loss\"");
            }
            for (String field : new String[] {"test_loss", "test_accuracy"}) {
                JsonNode v = e.path(field);
                if (!(v.isMissingNode() || v.isNull() || v.isNumber() || nonFinite(v))) {
                    throw new IllegalArgumentException(file + ": epochs[" + i + "]: \"" + field + "\" is "
                            + ModelFile.kind(v) + "; it is a number, null, or \"NaN\", \"Infinity\" or"
                            + " \"-Infinity\"");
                }
            }
            List<String> notFinite = new ArrayList<>();
            for (String field : new String[] {"loss", "test_loss", "test_accuracy"}) {
                JsonNode v = e.path(field);
                if (nonFinite(v)) {
                    notFinite.add(field);
                } else if (v.isNumber() && !Double.isFinite(v.asDouble())) { // 1e400: no double, no check applies
                    throw new IllegalArgumentException(file + ": epochs[" + i + "]: \"" + field + "\" is a number"
                            + " beyond the range of a double (such as 1e400); an infinite value is written"
                            + " \"Infinity\" or \"-Infinity\"");
                }
            }
            Epoch epoch = new Epoch(e.get("epoch").asInt(), number(e, "loss"), number(e, "test_loss"),
                    number(e, "test_accuracy"), List.copyOf(notFinite));
            String where = file + ": epochs[" + i + "]: ";
            if (epoch.epoch() < 1 || !epochs.isEmpty() && epoch.epoch() <= epochs.get(epochs.size() - 1).epoch()) {
                throw new IllegalArgumentException(where + "epoch " + epoch.epoch() + (epoch.epoch() < 1
                        ? " is below 1" : " does not come after epoch " + epochs.get(epochs.size() - 1).epoch())
                        + "; epochs are counted from 1, each once, in order");
            }
            // a loss is never negative (cross-entropy, mse); NaN and ±Infinity are kept, and left off the chart
            for (String field : new String[] {"loss", "test_loss"}) {
                double v = number(e, field);
                if (v < 0 && Double.isFinite(v)) {
                    throw new IllegalArgumentException(where + "\"" + field + "\" is " + v + "; a loss is at least 0");
                }
            }
            double accuracy = epoch.testAccuracy();
            if (Double.isFinite(accuracy) && !(accuracy >= 0 && accuracy <= 1)) {
                throw new IllegalArgumentException(where + "\"test_accuracy\" is " + accuracy + "; an accuracy is"
                        + " between 0 and 1");
            }
            epochs.add(epoch);
        }
        return epochs;
    }

    /** An epoch number: an integer that fits an int (2 or 2.0, not 2.5, which would be drawn as 2). */
    private static boolean whole(JsonNode v) {
        return v.isNumber() && v.canConvertToInt() && v.asDouble() == Math.rint(v.asDouble());
    }

    /** Whether {@code v} is a NaN or infinity as Jackson writes them: the strings "NaN", "Infinity", "-Infinity". */
    private static boolean nonFinite(JsonNode v) {
        return v.isTextual() && (v.asText().equals("NaN") || v.asText().equals("Infinity")
                || v.asText().equals("-Infinity"));
    }

    /** A number, or one written as "NaN", "Infinity" or "-Infinity" (JSON has none); NaN when absent or null. */
    private static double number(JsonNode e, String field) {
        JsonNode v = e.get(field);
        if (v != null && v.isTextual()) {
            return switch (v.asText()) {
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> Double.NaN;
            };
        }
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }
}
