package dev.myelin.cli;

import dev.myelin.nn.Header;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --header} and {@code --no-header}, declared once and mixed into every command that reads CSV files
 * ({@code @Mixin HeaderOptions headers}): without them a header of numbers (pandas writes {@code 0,1,2}) is
 * data, and {@code predict} would print a prediction for it.
 */
final class HeaderOptions {

    @Option(names = "--header", description = "The CSV files' first row is a header (skipped even if numeric).")
    boolean header;

    @Option(names = "--no-header", description = {"The CSV files have no header: text in the first row is an"
            + " error. Default: the first row is a header exactly when none of its cells is a number."})
    boolean noHeader;

    /** Refuses --header or --no-header for an IDX folder, which has no CSV header to speak of. */
    void requireCsv(String option, Path path) {
        requireCsv(option, path, null, null);
    }

    /**
     * As {@link #requireCsv(String, Path)} for a command that reads two files (train's --data and --test): refused
     * only when neither is a CSV file, for the options then speak of the CSV one (a CSV test set beside an IDX
     * training folder may have a header of numbers). Neither given is no CSV either: train's data are then a
     * preset's (an IDX folder) or the built-in XOR points.
     */
    void requireCsv(String option, Path path, String otherOption, Path other) {
        boolean folder = path != null && Files.isDirectory(path);
        boolean otherFolder = other != null && Files.isDirectory(other);
        boolean someCsv = path != null && !folder || other != null && !otherFolder;
        if (!(header || noHeader) || someCsv) {
            return;
        }
        String named = header ? "--header" : "--no-header";
        TrainCommand.require(folder || otherFolder, named + " is about CSV files, but this run reads none (without "
                + option + " the training data are the preset's or the built-in XOR points); leave it out");
        throw new IllegalArgumentException(named + " is about CSV files, but " + (folder ? option + " " + path
                : otherOption + " " + other) + " is an IDX folder; leave it out");
    }

    /** The mode the options give; refuses both at once. */
    Header mode() {
        TrainCommand.require(!(header && noHeader), "--header and --no-header contradict each other: give one of"
                + " them");
        return header ? Header.PRESENT : noHeader ? Header.ABSENT : Header.AUTO;
    }
}
