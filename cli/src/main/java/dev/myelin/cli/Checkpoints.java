package dev.myelin.cli;

import dev.myelin.nn.AtomicFile;
import dev.myelin.nn.CheckpointExport;
import dev.myelin.nn.CheckpointFile;
import dev.myelin.nn.DataFingerprint;
import dev.myelin.nn.InputScaling;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.ModelFile;
import dev.myelin.nn.TrainingCheckpoint;
import dev.myelin.nn.TrainingConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where {@code train} keeps its checkpoints (a whole training state: model, optimizer state, shuffle stream,
 * position; {@link CheckpointFile}) and how it writes them: atomically, with {@link AtomicFile}, so a run killed
 * while writing leaves the previous checkpoint intact.
 *
 * <p>The file: {@code --checkpoint FILE}, else {@code NAME.ckpt.json} beside {@code --save NAME.json}, else the
 * checkpoint a resumed run resumed from. With none of them, no checkpoint is written at epoch ends, and an interrupted run writes
 * {@code myelin-checkpoint-<time>-<pid>.json} in the working directory (the process id: two runs stopped in
 * the same second write two files).
 */
final class Checkpoints {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    /**
     * The largest checkpoint whose bytes are kept in memory after the next one replaced it on disk, for a run
     * that diverges right after an epoch end (whose state is then not good, {@link #keepGood}). Read back from
     * the file just before it is replaced, so one copy is held, not two.
     */
    static final int KEEP_PREVIOUS_BYTES = 64 << 20;
    private static final int READ_WINDOW = 1 << 16;

    private final int every;
    private final TrainingConfig config;
    private final PrintWriter err;
    private final Path file;
    private boolean failed;
    private int fileEpoch = -1;     // the epoch whose end the file holds (this run's, or the one it resumed from)
    /**
     * What the file held before its latest write, when kept: the epoch whose end it holds (−1 for none) and its
     * bytes, the first {@code previousLength} of one buffer reused from write to write (a new array at every
     * epoch end would outlive young collections and stay in the old generation).
     */
    private int previousEpoch = -1;
    private byte[] previousBytes = new byte[0];
    private int previousLength;
    /** The state written at the latest epoch end, whose arrays the next export reuses. */
    private TrainingCheckpoint exported;
    private InputScaling scaling;
    private DataFingerprint data;
    private String kernel;

    /**
     * @param file  the checkpoint file, or null for none at epoch ends
     * @param every epochs between two
     * @param err   where a failed epoch-end write is reported (training goes on, and tries again)
     */
    Checkpoints(Path file, int every, TrainingConfig config, PrintWriter err) {
        this.file = file;
        this.every = every;
        this.config = config;
        this.err = err;
    }

    /**
     * The checkpoint file of the options: {@code --checkpoint}, else beside {@code --save}, else the file a
     * resumed run resumed from (so that its work is kept), else null.
     */
    static Path fileFor(Path checkpoint, Path save, Path resume) {
        if (checkpoint != null) {
            return checkpoint;
        }
        if (save == null) {
            return resume;
        }
        String name = save.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return save.resolveSibling(base + ".ckpt.json");
    }

    /** The epoch whose end the checkpoint file holds, written by this run or resumed from; −1 when not known. */
    int fileEpoch() {
        return fileEpoch;
    }

    /**
     * The checkpoint file already holds the end of epoch {@code epochs}: the checkpoint this run resumed from
     * (so that a divergence right after the first epoch end can write it back, as one written by this run).
     */
    void resumedFrom(int epochs) {
        fileEpoch = epochs;
    }

    /** Whether the latest epoch-end write failed: at the end of a run, the file does not hold its end. */
    boolean lastWriteFailed() {
        return failed;
    }

    /** The checkpoint file (kept after a failed write: it still holds the last epoch written, if any). */
    Path file() {
        return file;
    }

    /**
     * The input scaling the run's data were standardised with: written into every checkpoint's model, which
     * trains without it attached (the data are already scaled), so that a resume scales its data the same way.
     */
    void setInputScaling(InputScaling scaling) {
        this.scaling = scaling;
    }

    /** What the run trains on, recorded in every checkpoint so that a resume on other data is refused. */
    void setData(DataFingerprint data) {
        this.data = data;
    }

    /** The kernel variant the run computes with, recorded so that a resume with other arithmetic is refused. */
    void setKernel(String kernel) {
        this.kernel = kernel;
    }

    /**
     * At the end of {@code epoch}: writes the state when it is one of the checkpointed epochs. A write that fails
     * does not stop training (the run itself is fine): it is reported, and the next checkpointed epoch tries again
     * (a full disk may be freed meanwhile), and says so when it succeeds.
     */
    void atEpochEnd(int epoch, int lastEpoch, Mlp model, CheckpointExport state) {
        if (file != null && (epoch % every == 0 || epoch == lastEpoch)) {
            try {
                keepPrevious();
                exported = state.get(exported); // the optimizer's state in the same arrays every time
                write(file, model, exported);
                fileEpoch = epoch;
                if (failed) {
                    err.println(Main.PREFIX + "the checkpoint " + file + " is written again: it holds the end of epoch "
                            + epoch);
                    err.flush();
                    failed = false;
                }
            } catch (IOException | RuntimeException e) {
                if (!failed) { // once until a write succeeds: a full disk would say it every epoch
                    err.println(Main.PREFIX + "cannot write the checkpoint " + file + ": " + Main.userMessage(e)
                            + "; training goes on, and every later checkpoint is tried again (the file holds "
                            + (fileEpoch >= 0 ? "the end of epoch " + fileEpoch : "no epoch end of this run") + ")");
                    err.flush();
                }
                failed = true;
            }
        }
    }

    /**
     * After a divergence: makes the file hold a good state, the end of epoch {@code good} or earlier, when this
     * run wrote one or resumed from one; returns its epoch, or −1 when there is none (then the file, if any, is
     * as it was). The latest checkpoint is not good when the divergence judged the loss its state computed (the
     * next epoch's first batch): then the one before it is written back.
     */
    int keepGood(int good) throws IOException {
        if (fileEpoch >= 0 && fileEpoch <= good) {
            return fileEpoch;
        }
        if (previousEpoch >= 0 && previousEpoch <= good) {
            AtomicFile.write(file, out -> out.write(previousBytes, 0, previousLength));
            fileEpoch = previousEpoch;
            previousEpoch = -1;
            return fileEpoch;
        }
        return -1;
    }

    /**
     * Reads what the file holds now into the previous-checkpoint buffer, before a write replaces it. A file that
     * cannot be read (deleted, replaced by a folder) is not kept, and does not stop the write.
     */
    private void keepPrevious() {
        previousEpoch = -1;
        if (fileEpoch < 0) {
            return;
        }
        try {
            readPrevious();
        } catch (IOException | RuntimeException e) {
            previousEpoch = -1;
        }
    }

    private void readPrevious() throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > KEEP_PREVIOUS_BYTES) {
                return;
            }
            if (previousBytes.length < size) { // with room: a checkpoint's length varies a little from epoch to epoch
                previousBytes = new byte[(int) Math.min(KEEP_PREVIOUS_BYTES, size + size / 8 + 4096)];
            }
            // In windows of 64 KiB: a read into a heap buffer goes through a temporary direct buffer of the read's
            // size, which the JDK caches per thread for good (a whole checkpoint's worth of native memory).
            int n = (int) size;
            int at = 0;
            while (at < n) {
                int got = ch.read(ByteBuffer.wrap(previousBytes, at, Math.min(READ_WINDOW, n - at)));
                if (got < 0) {
                    return; // shorter than its size said: not what this run wrote, not kept
                }
                at += got;
            }
            previousLength = n;
            previousEpoch = fileEpoch;
        }
    }

    /**
     * Writes the state of a stopped run to the checkpoint file, or (without one, or when it cannot be written) to
     * a new {@code myelin-checkpoint-<time>-<pid>.json} in the working directory, else in the temporary
     * directory ({@code java.io.tmpdir}); returns where it went.
     */
    Path writeStopped(Mlp model, TrainingCheckpoint state) throws IOException {
        if (file != null) { // tried again after an epoch end's failed write: the disk may have been freed
            try {
                write(file, model, state);
                return file;
            } catch (IOException | RuntimeException e) {
                err.println(Main.PREFIX + "cannot write the checkpoint " + file + ": " + Main.userMessage(e));
            }
        }
        String name = "myelin-checkpoint-" + LocalDateTime.now().format(STAMP) + "-" + ProcessHandle.current().pid()
                + ".json";
        Path here = Path.of(name);
        try {
            write(here, model, state);
            return here;
        } catch (IOException | RuntimeException e) { // a full or read-only working directory: the temporary one
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"), name);
            err.println(Main.PREFIX + "cannot write the checkpoint " + here + ": " + Main.userMessage(e)
                    + "; trying " + tmp);
            write(tmp, model, state);
            return tmp;
        }
    }

    private void write(Path target, Mlp model, TrainingCheckpoint state) throws IOException {
        // The model trains without its scaling (the data are scaled already); the file carries it, through a view
        // that shares the layers (a copy of the model's size every epoch outlived young collections and stayed in
        // the old generation; setting the scaling on the live model would change it under other readers).
        Mlp written = scaling == null ? model : model.withInputScaling(scaling);
        AtomicFile.write(target, new CheckpointFile(written, config, state, data, kernel)::writeTo);
    }

    /**
     * A new run must not overwrite the checkpoint of a run that did not finish (interrupted, or stopped by a
     * divergence), nor a file that is not a checkpoint (notes, a model under that name): that work would be lost.
     * (A run that resumes from that very file goes on with it: not called.) An empty file, or the checkpoint of
     * a finished run, is replaced; so is an earlier state of the very run that {@code resumed} continues (its
     * checkpoint could not be written after that state, and the state was saved elsewhere when the run stopped:
     * the "To continue" command it printed resumes from there), and {@code notes} hears so.
     *
     * @param role    how the options name the file ("--checkpoint", "the checkpoint beside --save")
     * @param resumed the checkpoint this run resumes from, or null for a new run
     */
    static void refuseUnfinished(Path file, String role, CheckpointFile resumed, Consumer<String> notes)
            throws IOException {
        if (file == null || !Files.isRegularFile(file)) {
            return;
        }
        String named = role + (role.startsWith("--") ? " " : ", ") + file; // "--checkpoint F", "the checkpoint …, F"
        CheckpointFile existing;
        try {
            existing = CheckpointFile.read(file);
        } catch (IOException | RuntimeException notACheckpoint) {
            if (Files.size(file) == 0) {
                return; // nothing to lose
            }
            throw new IllegalArgumentException(named + " exists and is not a checkpoint ("
                    + Main.userMessage(notACheckpoint) + "); a run would replace it: move it away, or name another"
                    + " file with --checkpoint");
        }
        TrainingCheckpoint state = existing.checkpoint();
        if (existing.isFinished()) {
            return;
        }
        if (resumed != null && isEarlierStateOf(existing, resumed)) {
            notes.accept("note: " + named + " holds " + position(state) + " of the run this resumes, which is at "
                    + position(resumed.checkpoint()) + "; it is replaced by this run's checkpoints");
            return;
        }
        String name = Shell.quoted(file.toString());
        throw new IllegalArgumentException(named + " holds a run that did not finish (" + stoppedAt(existing)
                + "); a new run would overwrite it."
                + " Continue it with --resume " + name + ", start from its model with --init " + name + " and another"
                + " --save or --checkpoint, or move the file away");
    }

    /**
     * What {@code --save} may replace: a model (the usual case: a run saved again, {@code --init X --save X}), a
     * finished run's checkpoint, or an empty file. A model saved over the checkpoint of a run that did not finish
     * would end that run: its optimizer state and shuffling position are in no other file (a {@code --save} typed
     * for {@code --resume}, or {@code --init X --save X} used on a checkpoint). Anything else (a metrics file, a CSV
     * file, notes) is someone's work that a typo would destroy: refused, as {@code --checkpoint} and
     * {@code --metrics} refuse files that are not theirs. The file is read as a stream up to its format field, not
     * parsed whole, however large.
     */
    static void checkSaveTarget(Path save) throws IOException {
        if (save == null || !Files.isRegularFile(save)) {
            return;
        }
        String format = CheckpointFile.formatOf(save);
        if (ModelFile.FORMAT.equals(format) || Files.size(save) == 0) {
            return;
        }
        if (!CheckpointFile.FORMAT.equals(format)) {
            throw new IllegalArgumentException("--save " + save + " exists and is not a model file ("
                    + (format != null ? "its \"format\" is \"" + format + "\"" : "not a Myelin JSON file")
                    + "); a model saved there would replace it: move it away, or save the model under another name");
        }
        CheckpointFile existing;
        try {
            existing = CheckpointFile.read(save);
        } catch (IOException | RuntimeException unreadable) { // a checkpoint of another version, or damaged
            throw new IllegalArgumentException("--save " + save + " is a checkpoint that cannot be read ("
                    + Main.userMessage(unreadable) + "); a model saved there would replace it: move it away, or"
                    + " save the model under another name");
        }
        if (existing.isFinished()) {
            return;
        }
        throw new IllegalArgumentException("--save " + save + " is the checkpoint of a run that did not finish ("
                + stoppedAt(existing) + "); a model saved there would replace the state it resumes from. Continue it"
                + " with --resume " + Shell.quoted(save.toString()) + ", or save the model under another name");
    }

    /** "stopped at the end of epoch 3, of 20 epochs": where an unfinished run's checkpoint stands. */
    private static String stoppedAt(CheckpointFile unfinished) {
        return "stopped at " + position(unfinished.checkpoint()) + ", of " + unfinished.config().epochs() + " epochs";
    }

    /**
     * Whether {@code earlier} is a state of the run {@code later} is further along in: every setting that shapes
     * the run's bits the same (loss, batch, seed, optimizer and schedule, layer sizes), the same data and kernel
     * as far as both record them, and fewer updates made, or as many.
     */
    static boolean isEarlierStateOf(CheckpointFile earlier, CheckpointFile later) {
        try {
            later.requireCompatible(earlier.config(), earlier.layerSizes());
        } catch (IllegalArgumentException otherRun) {
            return false;
        }
        return Objects.equals(earlier.data(), later.data())
                && (earlier.kernel() == null || later.kernel() == null
                    || Kernels.sameArithmetic(earlier.kernel(), later.kernel()))
                && earlier.checkpoint().optimizer().step() <= later.checkpoint().optimizer().step();
    }

    /** "the end of epoch 3" or "epoch 4 after batch 120" for a checkpoint's position. */
    static String position(TrainingCheckpoint c) {
        return c.atEpochBoundary() ? "the end of epoch " + c.epochs()
                : "epoch " + (c.epochs() + 1) + " after batch " + c.batches();
    }
}
