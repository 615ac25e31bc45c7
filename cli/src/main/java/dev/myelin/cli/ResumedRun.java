package dev.myelin.cli;

import dev.myelin.core.Activation;
import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.nn.CheckpointFile;
import dev.myelin.nn.DataFingerprint;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.TrainingCheckpoint;
import dev.myelin.nn.TrainingConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The run that {@code train --resume FILE} continues, and the rules that hold the new process to it: the same
 * architecture, input scaling, settings, data and arithmetic, so that a resumed run ends as the run never stopped
 * would. Each rule is checked when {@code TrainCommand} knows what it needs (the settings before any data are
 * read, the data once read, the kernel once chosen); each refusal names {@code --resume} and the file, and says
 * what to give instead.
 */
final class ResumedRun {

    private final Path file;
    private final CheckpointFile saved;

    private ResumedRun(Path file, CheckpointFile saved) {
        this.file = file;
        this.saved = saved;
    }

    /** Reads {@code file}; what is wrong with it names the option. */
    static ResumedRun read(Path file) throws IOException {
        try {
            return new ResumedRun(file, CheckpointFile.read(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--resume " + e.getMessage(), e);
        }
    }

    CheckpointFile file() {
        return saved;
    }

    Mlp model() {
        return saved.model();
    }

    TrainingCheckpoint checkpoint() {
        return saved.checkpoint();
    }

    /** The first epoch this process trains. */
    int firstEpoch() {
        return saved.checkpoint().epochs() + 1;
    }

    /**
     * {@code --layers} and {@code --activation}, where given ({@code layers} null, {@code hidden} null when not),
     * are the checkpoint's own: a different architecture is refused, not ignored.
     */
    void requireArchitecture(int[] layers, Activation hidden) {
        Mlp model = saved.model();
        if (layers != null && !Arrays.equals(layers, model.sizes())) {
            throw refused("--layers: the checkpoint has " + TrainCommand.joined(model.sizes()) + " but this run has "
                    + TrainCommand.joined(layers) + "; give the first run's options (or leave --layers out)");
        }
        Activation theirs = model.layers().get(0).activation();
        if (hidden != null && model.layers().size() > 1 && theirs != hidden) {
            throw refused("--activation: the checkpoint has " + theirs.id() + " but this run has " + hidden.id()
                    + "; give the first run's options (or leave --activation out)");
        }
    }

    /** A resumed run scales its inputs as the run it continues did: the checkpoint's model says how. */
    void requireScaling(boolean standardize) {
        if (standardize && saved.model().inputScaling() == null) {
            throw refused("--standardize: the run did not standardise its inputs, and a resumed run must go on as it"
                    + " started; leave --standardize out");
        }
    }

    /**
     * The settings are the run's own (the architecture is the checkpoint's), and {@code epochs} leaves something
     * to train, or the run is finished and its model is to be saved: returns whether there is nothing to train.
     */
    boolean requireSettings(TrainingConfig config, boolean saving) {
        try {
            saved.requireCompatible(config, null);
        } catch (IllegalArgumentException e) {
            throw refused(e.getMessage() + "; give the first run's options", e);
        }
        int epochs = config.epochs();
        if (saved.checkpoint().epochs() < epochs) {
            return false;
        }
        // A finished run's checkpoint: its model is all there is left to write (its --save may have failed or been
        // killed, and a new run would replace the checkpoint)
        boolean finished = saved.checkpoint().epochs() == epochs;
        if (!finished || !saving) {
            // a cosine schedule runs over the first run's --epochs, which a resume keeps: more epochs are refused
            boolean cosine = saved.config().optimizer().schedule() instanceof dev.myelin.nn.LrSchedule.Cosine
                    || saved.config().optimizer().schedule() instanceof dev.myelin.nn.LrSchedule.Warmup w
                    && w.then() instanceof dev.myelin.nn.LrSchedule.Cosine;
            String longer = cosine ? "its --schedule cosine runs over the first run's --epochs, so the run cannot"
                    + " go on longer; to train on from its model with a new optimizer and schedule, start a new run"
                    + " with --init " + Shell.quoted(file.toString())
                    : "give a larger --epochs to train longer";
            throw refused("the checkpoint is at " + Checkpoints.position(saved.checkpoint()) + ", so --epochs "
                    + epochs + " leaves nothing to run; " + longer
                    + (finished ? ", or --save FILE to write the model it holds" : ""));
        }
        return true;
    }

    /** The data, as read and before any scaling, are the ones the run started with. */
    void requireSameData(DataFingerprint data) {
        try {
            saved.requireSameData(data);
        } catch (IllegalArgumentException e) {
            throw refused(e.getMessage() + "; resume on the data the run started with", e);
        }
    }

    /** {@code kernel} sums in the order of the run's own, so the bits go on as they would have. */
    void requireKernel(String kernel) {
        String theirs = saved.kernel();
        if (theirs == null) {
            return;
        }
        if (!KernelRegistry.names().contains(Kernels.name(theirs))) {
            throw refused("\"kernel\" is '" + theirs.replaceAll("\\p{Cntrl}", "?") + "', which is none of this"
                    + " build's kernels (" + String.join(", ", KernelRegistry.names()) + "); was the file edited?");
        }
        if (!Kernels.sameArithmetic(theirs, kernel)) {
            throw refused("the run computed with the " + theirs + " kernel, and " + kernel + " sums in another order"
                    + " (other bits), so the resumed run would not end as the run never stopped would; give "
                    + Kernels.option(theirs));
        }
    }

    private IllegalArgumentException refused(String why) {
        return new IllegalArgumentException("--resume " + file + ": " + why);
    }

    private IllegalArgumentException refused(String why, Exception cause) {
        return new IllegalArgumentException("--resume " + file + ": " + why, cause);
    }
}
