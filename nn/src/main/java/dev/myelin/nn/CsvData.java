package dev.myelin.nn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Numeric CSV files (RFC 4180, parsed by jackson-dataformat-csv) as {@link Dataset}s.
 *
 * <ul>
 *   <li>Every cell is a decimal number such as {@code 3}, {@code -0.5}, {@code 1e-3}, {@code " 2 "} (spaces are
 *       trimmed), read as the nearest float.</li>
 *   <li>The first non-blank line is a header if some cell in it is text that is not a number (e.g.
 *       {@code x1,x2,label}); it is skipped. Blank lines are skipped anywhere.</li>
 *   <li>Every row has the first row's number of columns.</li>
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

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern NON_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");
    private static final CsvMapper MAPPER = new CsvMapper();

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
        Objects.requireNonNull(loss, "loss is null");
        if (outputs < 1) {
            throw new IllegalArgumentException((loss == Loss.CE ? "classes" : "outputs") + " must be at least 1, got "
                    + outputs);
        }
        String name = file.toString();
        Table table = Table.read(file);
        int labelColumns = loss == Loss.CE ? 1 : outputs;
        int featureColumns = table.columns - labelColumns;
        String labelText = loss == Loss.CE ? "1 label column" : labelColumns + " target column"
                + (labelColumns == 1 ? "" : "s");
        if (inputs >= 1 && featureColumns != inputs) {
            throw new DataException(name + ":" + table.firstLine + ": has " + table.columns + " columns but the model"
                    + " needs " + inputs + " input" + (inputs == 1 ? "" : "s") + " + " + labelText);
        }
        if (featureColumns < 1) {
            throw new DataException(name + ":" + table.firstLine + ": has " + table.columns + " column"
                    + (table.columns == 1 ? "" : "s") + " but needs at least 1 input column + " + labelText);
        }
        int rows = table.rows;
        float[] features = new float[rows * featureColumns];
        float[] values = table.values;
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, r * table.columns, features, r * featureColumns, featureColumns);
        }
        if (loss == Loss.CE) {
            int[] labels = new int[rows];
            for (int r = 0; r < rows; r++) {
                float v = values[r * table.columns + featureColumns];
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
            return Dataset.classes(features, rows, featureColumns, labels, outputs);
        }
        float[] targets = new float[rows * outputs];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < outputs; j++) {
                float v = values[r * table.columns + featureColumns + j];
                if (loss == Loss.BCE && v != 0f && v != 1f) {
                    throw new DataException(name + ":" + table.lines[r] + ": "
                            + (outputs == 1 ? "" : "column " + (featureColumns + j + 1) + ": ")
                            + "label " + format(v) + " is not 0 or 1 (binary cross-entropy)");
                }
                targets[r * outputs + j] = v;
            }
        }
        return Dataset.regression(features, rows, featureColumns, targets, outputs);
    }

    /** Features for prediction: every column is an input; returns {@code [rows×inputs]} row-major. */
    public static float[] readFeatures(Path file, int inputs) throws IOException {
        if (inputs < 1) {
            throw new IllegalArgumentException("inputs must be at least 1, got " + inputs);
        }
        Table table = Table.read(file);
        if (table.columns != inputs) {
            throw new DataException(file + ":" + table.firstLine + ": has " + table.columns + " column"
                    + (table.columns == 1 ? "" : "s") + " but the model needs " + inputs + " input"
                    + (inputs == 1 ? "" : "s"));
        }
        return table.values.length == table.rows * table.columns
                ? table.values : Arrays.copyOf(table.values, table.rows * table.columns);
    }

    /** An integral value without ".0", anything else as Java prints a float. */
    private static String format(float v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15f ? Long.toString((long) v) : Float.toString(v);
    }

    /** Whether the trimmed cell is a decimal number (without checking its range). */
    static boolean isNumber(String cell) {
        return NUMBER.matcher(cell).matches();
    }

    /** The numeric cells of a file: {@code rows×columns} values and each row's physical line. */
    private static final class Table {
        int columns = -1;
        int rows;
        float[] values = new float[1024];
        int[] lines = new int[64];
        int firstLine;      // the first data row's line
        int rowStartLine = 1; // where the row being parsed starts, for malformed-CSV errors

        static Table read(Path file) throws IOException {
            Objects.requireNonNull(file, "file is null");
            String name = file.toString();
            if (Files.isDirectory(file)) {
                throw new DataException(name + ": is a directory, not a CSV file");
            }
            Table table = new Table();
            try (InputStream in = Files.newInputStream(file);
                 CsvParser parser = MAPPER.getFactory().createParser(in)) {
                table.parse(parser, name);
            } catch (NoSuchFileException e) {
                throw new DataException(name + ": file not found");
            } catch (JsonProcessingException e) {
                int end = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
                throw new DataException(name + ":" + table.rowStartLine + ": malformed CSV: " + e.getOriginalMessage()
                        + (end > table.rowStartLine ? " (in the row starting here, still open at line " + end + ")"
                        : ""));
            } catch (java.io.CharConversionException e) {
                throw new DataException(name + ": not UTF-8 text: " + e.getMessage());
            }
            if (table.rows == 0) {
                throw new DataException(name + ": no data rows");
            }
            return table;
        }

        private void parse(CsvParser parser, String name) throws IOException {
            List<String> cells = new ArrayList<>();
            List<Integer> cellLines = new ArrayList<>();
            boolean first = true;
            String reference = null;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.START_ARRAY) {
                    cells.clear();
                    cellLines.clear();
                } else if (token == JsonToken.VALUE_STRING) {
                    cells.add(parser.getText().strip());
                    cellLines.add(parser.currentTokenLocation().getLineNr());
                } else if (token == JsonToken.END_ARRAY) {
                    rowStartLine = parser.currentLocation().getLineNr();
                    if (cells.isEmpty() || (cells.size() == 1 && cells.get(0).isEmpty())) {
                        continue; // a blank line
                    }
                    int line = cellLines.get(0);
                    if (first) {
                        first = false;
                        columns = cells.size();
                        if (isHeader(cells)) {
                            reference = "the header (line " + line + ") has " + columns;
                            continue;
                        }
                        reference = "the first row has " + columns;
                    }
                    if (rows == 0) {
                        firstLine = line;
                    }
                    if (cells.size() != columns) {
                        throw new DataException(name + ":" + line + ": ragged row: " + cells.size() + " column"
                                + (cells.size() == 1 ? "" : "s") + " but " + reference);
                    }
                    addRow(cells, cellLines, line, name);
                }
            }
        }

        /** A header has some cell that is text, not a number, a NaN/Inf literal or empty. */
        private static boolean isHeader(List<String> cells) {
            for (String c : cells) {
                if (!c.isEmpty() && !isNumber(c) && !NON_FINITE.matcher(c).matches()) {
                    return true;
                }
            }
            return false;
        }

        private void addRow(List<String> cells, List<Integer> cellLines, int line, String name) {
            if ((long) (rows + 1) * columns > Integer.MAX_VALUE - 8) {
                throw new DataException(name + ":" + line + ": too many values for one array");
            }
            if ((rows + 1) * columns > values.length) {
                values = Arrays.copyOf(values, (int) Math.min(Integer.MAX_VALUE - 8,
                        Math.max((long) values.length * 2, (long) (rows + 1) * columns)));
            }
            if (rows == lines.length) {
                lines = Arrays.copyOf(lines, lines.length * 2);
            }
            for (int j = 0; j < columns; j++) {
                values[rows * columns + j] = parseCell(cells.get(j), name, cellLines.get(j), j + 1);
            }
            lines[rows++] = line;
        }

        private static float parseCell(String cell, String name, int line, int column) {
            String where = name + ":" + line + ": column " + column + ": ";
            if (cell.isEmpty()) {
                throw new DataException(where + "empty cell, expected a number");
            }
            if (NON_FINITE.matcher(cell).matches()) {
                throw new DataException(where + "'" + cell + "' is not allowed: NaN and infinite values are"
                        + " rejected (a data file with NaN is almost always a mistake)");
            }
            if (!isNumber(cell)) {
                throw new DataException(where + "'" + cell + "' is not a number");
            }
            float v = Float.parseFloat(cell);
            if (Float.isInfinite(v)) {
                throw new DataException(where + "'" + cell + "' is outside the float range (±3.4e38)");
            }
            return v;
        }
    }
}
