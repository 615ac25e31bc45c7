package dev.myelin.nn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Numeric CSV files (RFC 4180: quoted cells, {@code ""} inside quotes, CR/LF/CRLF, optional UTF-8 BOM) as
 * {@link Dataset}s, read from bytes, over 100 MB/s on one core for plain numbers ({@code CsvScanner},
 * {@code DecimalParser}).
 *
 * <ul>
 *   <li>Every cell is a decimal number such as {@code 3}, {@code -0.5}, {@code 1e-3}, {@code " 2 "} (spaces are
 *       trimmed), read as the nearest float (exactly what {@link Float#parseFloat} gives).</li>
 *   <li>The first non-blank row is a header (e.g. {@code x1,x2,label}), and is skipped, as {@link Header} says;
 *       by default ({@link Header#AUTO}) it is a header if no cell in it is a number, data if its cells are
 *       numbers, and an error naming the cell if it mixes both (a typo such as {@code 3.34x} in a file without
 *       header must not silently drop a row). Blank lines are skipped anywhere.</li>
 *   <li>Every row has the first row's number of columns.</li>
 *   <li>Text is UTF-8; bytes are decoded only for the header and for cells named in errors, so bytes that are
 *       not UTF-8 show up as a cell that is not a number.</li>
 *   <li>{@code NaN} and {@code Inf}/{@code Infinity} literals, and numbers beyond the float range, are rejected:
 *       a NaN in a data file is almost always a mistake (an export of missing values), and one NaN row would
 *       silently turn every weight into NaN on the first step.</li>
 *   <li>Labels are the last column(s), checked per loss: {@link Loss#BCE} needs 0 or 1 in each of the last
 *       {@code outputs} columns; {@link Loss#CE} needs an integer class in [0, outputs) in the last column;
 *       {@link Loss#MSE} takes any numbers in the last {@code outputs} columns.</li>
 * </ul>
 * Errors are {@link DataException}s whose message starts with {@code FILE:LINE:} (1-based physical line) or,
 * for the file as a whole, {@code FILE:}.
 */
public final class CsvData {

    private CsvData() {
    }

    /**
     * A data set for {@code loss}: all but the label columns are features. {@code outputs} is the number of
     * target columns (BCE, MSE) or of classes (CE, one label column); at least 1.
     */
    public static Dataset read(Path file, Loss loss, int outputs) throws IOException {
        return read(file, loss, -1, outputs);
    }

    /**
     * As {@link #read(Path, Loss, int)}, and the rows must have exactly {@code inputs} feature columns (e.g. the
     * model's inputs); {@code inputs} below 1 means "whatever the file has".
     */
    public static Dataset read(Path file, Loss loss, int inputs, int outputs) throws IOException {
        return read(file, loss, inputs, outputs, Header.AUTO);
    }

    /** As {@link #read(Path, Loss, int, int)}, with the first row a header or data as {@code header} says. */
    public static Dataset read(Path file, Loss loss, int inputs, int outputs, Header header) throws IOException {
        Objects.requireNonNull(file, "file is null");
        Objects.requireNonNull(loss, "loss is null");
        if (outputs < 1) {
            throw new IllegalArgumentException((loss == Loss.CE ? "classes" : "outputs") + " must be at least 1, got "
                    + outputs);
        }
        String name = file.toString();
        int labelColumns = loss == Loss.CE ? 1 : outputs;
        // mse: targets, not labels (any decimal is fine); the label or target columns are kept apart
        CsvTable table = CsvTable.read(file, header, loss == Loss.MSE ? 0 : labelColumns, labelColumns);
        int featureColumns = table.columns - labelColumns;
        String labelText = labelColumns + (loss == Loss.MSE ? " target column" : " label column")
                + (labelColumns == 1 ? "" : "s"); // bce's 0/1 columns are labels too
        if (inputs >= 1 && featureColumns != inputs) {
            throw new DataException(name + ":" + table.firstLine + ": has " + table.columns + " column"
                    + (table.columns == 1 ? "" : "s") + " but the model"
                    + " needs " + inputs + " input" + (inputs == 1 ? "" : "s") + " + " + labelText);
        }
        if (featureColumns < 1) {
            throw new DataException(name + ":" + table.firstLine + ": has " + table.columns + " column"
                    + (table.columns == 1 ? "" : "s") + " but needs at least 1 input column + " + labelText);
        }
        // After the column count (a file without labels is that, not bad labels), and in line order with the other
        // bad labels: the first bad label of the file is the one named, whichever its kind
        CsvTable.InexactCell inexact = table.inexactLabel;
        int inexactLine = inexact != null ? inexact.line() : -1;
        int rows = table.rows;
        float[] features = table.lead(); // the file's own array: the data are held once
        float[] tail = table.tail();
        if (loss == Loss.CE) {
            int[] labels = new int[rows];
            for (int r = 0; r < rows; r++) {
                if (holds(table, r, inexactLine)) {
                    throw inexactLabel(name, inexact, loss, outputs);
                }
                float v = tail[r];
                if (v != Math.rint(v)) {
                    throw new DataException(name + ":" + table.lines[r] + ": class " + format(v)
                            + " is not an integer");
                }
                if (v < 0 || v >= outputs) {
                    throw new DataException(name + ":" + table.lines[r] + ": class " + format(v) + " is outside [0, "
                            + outputs + ")");
                }
                labels[r] = (int) v;
            }
            requireNone(inexact, name, loss, outputs);
            return Dataset.classes(features, rows, featureColumns, labels, outputs);
        }
        for (int r = 0; loss == Loss.BCE && r < rows; r++) {
            if (holds(table, r, inexactLine)) {
                throw inexactLabel(name, inexact, loss, outputs);
            }
            for (int j = 0; j < outputs; j++) {
                float v = tail[r * outputs + j];
                if (v != 0f && v != 1f) {
                    throw new DataException(name + ":" + table.lines[r] + ": "
                            + (outputs == 1 ? "" : "column " + (featureColumns + j + 1) + ": ")
                            + "label " + format(v) + " is not 0 or 1 (binary cross-entropy)");
                }
            }
        }
        requireNone(inexact, name, loss, outputs);
        return Dataset.regression(features, rows, featureColumns, tail, outputs);
    }

    /** Whether row {@code r} spans physical line {@code line} (a quoted cell may take a row over several). */
    private static boolean holds(CsvTable table, int r, int line) {
        return line >= table.lines[r] && (r + 1 == table.rows || line < table.lines[r + 1]);
    }

    /** Never silent: an inexact label the row loop did not meet is still reported. */
    private static void requireNone(CsvTable.InexactCell inexact, String name, Loss loss, int outputs) {
        if (inexact != null) {
            throw inexactLabel(name, inexact, loss, outputs);
        }
    }

    /** A label cell that is not exactly the number it was read as ({@code 2.0000001}, {@code 0.99999999}). */
    private static DataException inexactLabel(String name, CsvTable.InexactCell cell, Loss loss, int outputs) {
        return new DataException(name + ":" + cell.line() + ": " + (loss == Loss.CE
                ? "class '" + Messages.excerpt(cell.text()) + "' " + (isWhole(cell.text())
                        ? "is outside [0, " + outputs + ")" // a whole number too large to be exact as a float
                        : "is not an integer")
                : (outputs == 1 ? "" : "column " + cell.column() + ": ") + "label '"
                        + Messages.excerpt(cell.text()) + "' is not 0 or 1 (binary cross-entropy)"));
    }

    /**
     * The number of cells in the first non-blank row of {@code file} (the column count every row must have), or
     * −1 when it cannot be told (no such file, a folder, no row, unreadable): a caller that picks a layout by
     * column count then lets {@link #read} report what is wrong, naming the file and line.
     */
    public static int columns(Path file) {
        int[] counts = columnCounts(file, 1);
        return counts.length == 0 ? -1 : counts[0];
    }

    /**
     * The numbers of cells in the first {@code rows} non-blank rows of {@code file} (fewer when it has fewer), or
     * none when they cannot be told, as {@link #columns}: a caller can see a first row (a header, a comment line)
     * that the rows after it disagree with without reading the whole file.
     */
    public static int[] columnCounts(Path file, int rows) {
        if (!Files.isRegularFile(file)) {
            return new int[0];
        }
        int[] counts = new int[rows];
        int found = 0;
        try (InputStream in = DataStreams.open(file, "a CSV file");
                CsvScanner scanner = new CsvScanner(in, file.toString())) {
            while (found < rows && scanner.next()) {
                if (scanner.blankRow()) { // skipped, as CsvTable skips it
                    continue;
                }
                int cells = 1;
                while (!scanner.lastInRow() && scanner.next()) {
                    cells++;
                }
                counts[found++] = cells;
            }
            return java.util.Arrays.copyOf(counts, found);
        } catch (IOException | RuntimeException e) {
            return java.util.Arrays.copyOf(counts, found);
        }
    }

    /** Features for prediction: every column is an input; returns {@code [rows×inputs]} row-major. */
    public static float[] readFeatures(Path file, int inputs) throws IOException {
        return readFeatures(file, inputs, Header.AUTO);
    }

    /** As {@link #readFeatures(Path, int)}, with the first row a header or data as {@code header} says. */
    public static float[] readFeatures(Path file, int inputs, Header header) throws IOException {
        if (inputs < 1) {
            throw new IllegalArgumentException("inputs must be at least 1, got " + inputs);
        }
        CsvTable table = CsvTable.read(file, header);
        if (table.columns != inputs) {
            throw new DataException(file + ":" + table.firstLine + ": has " + table.columns + " column"
                    + (table.columns == 1 ? "" : "s") + " but the model needs " + inputs + " input"
                    + (inputs == 1 ? "" : "s"));
        }
        return table.lead();
    }

    /** Whether a decimal cell is a whole number, whatever its size ("99999999999999999999", "1e30"). */
    private static boolean isWhole(String cell) {
        try {
            return new java.math.BigDecimal(cell).stripTrailingZeros().scale() <= 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** An integral value without ".0", anything else as Java prints a float. */
    private static String format(float v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15f ? Long.toString((long) v) : Float.toString(v);
    }
}
