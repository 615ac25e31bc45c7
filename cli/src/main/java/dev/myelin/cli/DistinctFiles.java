package dev.myelin.cli;

import dev.myelin.nn.AtomicFile;
import dev.myelin.nn.IdxData;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses, before anything is read or written, an input that does not exist, and a file that a command would
 * write while it also reads it or writes it for another option: {@code --save data.csv} would replace the
 * training data with the model, {@code --metrics m.json --save m.json} one output with the other. Paths are compared as files
 * ({@link Files#isSameFile} when both exist, so a link or another spelling of the same file is caught), else
 * as normalised absolute paths. An input that is a folder (the MNIST layout) stands for every file of the layout in
 * it, plain and {@code .gz}: {@code --data fashion/ --save fashion/train-images-idx3-ubyte} would replace the
 * training images.
 */
final class DistinctFiles {

    /** An operand; {@code mustExist} is false for the files a folder's layout may hold ({@link #reads}). */
    private record Named(String option, Path path, boolean output, boolean mustExist) {
    }

    private final List<Named> files = new ArrayList<>();

    /** An input: {@code option}'s file, or the files of the MNIST layout in a folder (ignored when null). */
    DistinctFiles reads(String option, Path path) {
        if (path != null) {
            files.add(new Named(option, path, false, true));
            if (Files.isDirectory(path)) {
                for (Path file : IdxData.layoutFiles(path)) {
                    files.add(new Named(option, file, false, false));
                }
            }
        }
        return this;
    }

    /** An output: {@code option}'s file (ignored when null). */
    DistinctFiles writes(String option, Path path) {
        if (path != null) {
            files.add(new Named(option, path, true, false));
        }
        return this;
    }

    /**
     * Throws {@link IllegalArgumentException} naming both options when an output is the same file as any other
     * operand, then naming the option when an input does not exist ({@code --data nosuch.csv: file not
     * found}); {@code allowed} lists pairs of options that may share a file ("--checkpoint", "--resume": a
     * resumed run goes on writing its checkpoint).
     */
    void check(String... allowed) {
        for (int i = 0; i < files.size(); i++) {
            for (int j = i + 1; j < files.size(); j++) {
                Named a = files.get(i), b = files.get(j);
                if ((a.output() || b.output()) && !isAllowed(a, b, allowed) && same(a.path(), b.path())) {
                    throw new IllegalArgumentException(a.option() + " " + a.path() + " and " + b.option() + " "
                            + b.path() + " are the same file: " + (a.output() && b.output()
                            ? "one output would replace the other" : "writing it would destroy what is read")
                            + "; give " + another(b.output() ? b.option() : a.option()));
                }
            }
        }
        for (Named f : files) {
            if (f.mustExist() && !Files.exists(f.path())) {
                throw new IllegalArgumentException(f.option() + " " + f.path() + ": " + whyMissing(f.path()));
            }
        }
    }

    /**
     * Why an input that {@link Files#exists} cannot see is not there: no such file; a link to a missing file or a
     * loop of links; or a folder on the way that this user may not look into, where the file may well exist
     * ({@code exists} and {@code notExists} are then both false).
     */
    static String whyMissing(Path path) {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) { // a link, leading nowhere readable
            try {
                path.toRealPath();
            } catch (NoSuchFileException e) {
                return "a link to a missing file";
            } catch (AccessDeniedException e) {
                return "permission denied (a link into a folder this user may not look into)";
            } catch (IOException e) {
                return e instanceof FileSystemException f && f.getReason() != null
                        ? "a link that cannot be followed: " + f.getReason().toLowerCase(java.util.Locale.ROOT)
                        : "a link that cannot be followed";
            }
            return "a link that cannot be followed";
        }
        return Files.notExists(path, LinkOption.NOFOLLOW_LINKS) ? "file not found"
                : "permission denied (a folder on the way may not be looked into by this user)";
    }

    /** What to change: the option, or for a file the options name only indirectly, the option that sets it. */
    private static String another(String option) {
        return option.startsWith("--") ? option + " another file"
                : "--checkpoint a file of its own, or --save another name";
    }

    private static boolean isAllowed(Named a, Named b, String[] allowed) {
        for (int k = 0; k + 1 < allowed.length; k += 2) {
            if (a.option().equals(allowed[k]) && b.option().equals(allowed[k + 1])
                    || a.option().equals(allowed[k + 1]) && b.option().equals(allowed[k])) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether two paths are one file: {@link Files#isSameFile} when both exist, else where a write to each would
     * land ({@link AtomicFile#landing}: a link to a file not yet written counts), else their names.
     */
    static boolean same(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) ? Files.isSameFile(a, b)
                    : AtomicFile.landing(a).equals(AtomicFile.landing(b));
        } catch (IOException e) { // unreadable metadata: the names
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }
}
