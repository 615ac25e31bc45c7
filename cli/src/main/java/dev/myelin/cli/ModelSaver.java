package dev.myelin.cli;

import dev.myelin.nn.AtomicFile;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.ModelFile;
import dev.myelin.nn.ModelFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code train --save}: checks the target before training and writes the model after it. A model that trained
 * is never lost to a save that fails: it goes to {@code myelin-model-<timestamp>.json} in the working directory,
 * or in the system temporary directory when the working directory cannot take it, and the run ends with
 * {@link #NOT_SAVED}.
 */
final class ModelSaver {

    /** Exit code when training finished but the model is not where {@code --save} asked (see stderr). */
    static final int NOT_SAVED = 3;

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private ModelSaver() {
    }

    /**
     * Writes {@code model} to {@code target} and says so on {@code out}; returns 0. When that fails, writes it
     * to a fallback file, says on {@code err} why and where, and returns {@link #NOT_SAVED}.
     *
     * @throws IllegalArgumentException when the model itself cannot be saved (NaN parameters): no file would help
     */
    static int save(Mlp model, Path target, PrintWriter out, PrintWriter err) {
        return save(model, target, out, err, fallbackDirs());
    }

    /** As {@link #save(Mlp, Path, PrintWriter, PrintWriter)}, trying the fallback directories in order. */
    static int save(Mlp model, Path target, PrintWriter out, PrintWriter err, List<Path> fallbackDirs) {
        try {
            ModelFile.write(model, target);
            out.println("Model saved to " + target);
            return 0;
        } catch (ModelFormatException e) { // e.g. parameters that diverged to NaN
            throw new IllegalArgumentException("--save " + target + ": " + e.getMessage(), e);
        } catch (IOException e) {
            out.flush();
            err.println(Main.PREFIX + Main.userMessage(e));
            return saveInstead(model, err, fallbackDirs);
        }
    }

    /**
     * Writes {@code model} to a fallback file, the first of {@code fallbackDirs} that takes it ({@code
     * myelin-model-<timestamp>.json}), says where on {@code err}, and returns {@link #NOT_SAVED}: for a model that
     * trained and is in no file asked for (its {@code --save} failed, or its only file, the checkpoint, did).
     */
    static int saveInstead(Mlp model, PrintWriter err, List<Path> fallbackDirs) {
        List<String> failures = new ArrayList<>();
        for (Path dir : fallbackDirs) {
            Path fallback = freeName(dir);
            try {
                ModelFile.write(model, fallback);
                err.println(Main.PREFIX + "the trained model was saved to " + fallback + " instead (exit code "
                        + NOT_SAVED + ")");
                err.flush();
                return NOT_SAVED;
            } catch (IOException again) {
                failures.add(Main.userMessage(again));
            }
        }
        err.println(Main.PREFIX + "the trained model is lost: no fallback file could be written either ("
                + String.join("; ", failures) + ")");
        err.flush();
        return NOT_SAVED;
    }

    /** Where a model goes when its file cannot take it: the working directory, else the temporary directory. */
    static List<Path> fallbackDirs() {
        return List.of(Path.of("").toAbsolutePath(), Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** {@code myelin-model-<yyyyMMdd-HHmmss>.json} in {@code dir}, with {@code -2}, {@code -3}… when taken. */
    private static Path freeName(Path dir) {
        String stem = "myelin-model-" + LocalDateTime.now().format(STAMP);
        Path candidate = dir.resolve(stem + ".json");
        for (int n = 2; Files.exists(candidate, java.nio.file.LinkOption.NOFOLLOW_LINKS) && n < 1000; n++) {
            candidate = dir.resolve(stem + "-" + n + ".json");
        }
        return candidate;
    }
}
