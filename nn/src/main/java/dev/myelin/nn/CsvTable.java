package dev.myelin.nn;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The numeric cells of a CSV file: {@code rows×columns} floats, row-major in two arrays (the leading columns, e.g.
 * the features, and the trailing ones, e.g. the labels, so that each is the data set's array as it is), and each
 * row's physical line, read with the rules of {@link CsvData} (header by {@link Header}, same column count in every
 * row, blank lines skipped, NaN/Inf rejected). Data rows are parsed from bytes by {@link DecimalParser}; only the first row and
 * cells in error become Strings.
 */
final class CsvTable {

    private static final Pattern NON_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");

    final String name;
    int columns;
    int rows;
    /**
     * The values: {@link #leadColumns} and {@link #tailColumns} of each row, row-major, room for {@link #capacity}
     * rows. The rows are counted before they are parsed ({@link #countRows}: a quick pass over the bytes), so both
     * arrays are allocated once at their final size and handed on as they are: the data are held once, where
     * blocks of rows copied into one array at the end held them twice while a file loaded (and a doubling array up
     * to three times).
     */
    private float[] lead;
    private float[] tail;
    private int leadColumns;
    private int tailColumns;
    private int capacity;
    /** How many trailing columns the caller wants apart (labels, targets), when the file has more columns. */
    private final int apart;
    int[] lines;
    int firstLine;        // the first data row's line
    private String reference; // "the first row has N" or "the header (line L) has N", for ragged-row errors
    private String headerNote = ""; // the header row, for a file with no row after it: what was taken as one
    private final int labelColumns; // the trailing columns whose cells must be read exactly (labels)
    /** The first label cell whose decimal is not exactly its float: its line, column and text; null if none. */
    InexactCell inexactLabel;

    /** A cell whose value rounds: where it is and what it says. */
    record InexactCell(int line, int column, String text) {
    }

    private CsvTable(String name, int labelColumns, int apart) {
        this.name = name;
        this.labelColumns = labelColumns;
        this.apart = apart;
    }

    /**
     * Reads {@code file}, gzip or not ({@link DataStreams}); a missing file, a folder, a binary file, or a file
     * without data rows is a {@link DataException}.
     */
    static CsvTable read(Path file, Header header) throws IOException {
        return read(file, header, 0, 0);
    }

    /**
     * As {@link #read(Path, Header)}; the last {@code apart} columns are kept in {@link #tail()} and the others in
     * {@link #lead()} (all in {@link #lead()} when the file has no more than {@code apart} columns), and the last
     * {@code labelColumns} columns hold labels: the first cell there whose decimal value is not exactly a float (so
     * that rounding could turn {@code 2.0000001} into class 2, or {@code 0.999999999} into the binary label 1) is
     * kept in {@link #inexactLabel}, for the caller to report after the column count (a file without its label
     * column is that, not a bad label).
     */
    static CsvTable read(Path file, Header header, int labelColumns, int apart) throws IOException {
        Objects.requireNonNull(file, "file is null");
        Objects.requireNonNull(header, "header is null");
        String name = file.toString();
        CsvTable table = new CsvTable(name, labelColumns, apart);
        try (InputStream in = DataStreams.open(file, "a CSV file"); CsvScanner scanner = new CsvScanner(in, name)) {
            if (table.readFirstRow(scanner, header, file)) {
                table.readRows(scanner);
            }
        }
        if (table.rows == 0) {
            throw new DataException(name + ": no data rows" + table.headerNote);
        }
        return table;
    }

    /**
     * The first non-blank row, as Strings: it sets the column count and is a header or the first data row, as
     * {@code header} says. False when the file has no such row.
     */
    private boolean readFirstRow(CsvScanner scanner, Header header, Path file) throws IOException {
        List<String> cells = new ArrayList<>();
        List<Integer> cellLines = new ArrayList<>();
        int line;
        boolean blank;
        do {
            cells.clear();
            cellLines.clear();
            if (!scanner.next()) {
                return false;
            }
            line = scanner.rowLine();
            blank = scanner.blankRow();
            do {
                cells.add(text(scanner));
                cellLines.add(scanner.line());
            } while (!scanner.lastInRow() && scanner.next());
        } while (blank);
        columns = cells.size();
        tailColumns = columns > apart ? apart : 0;
        leadColumns = columns - tailColumns;
        boolean isHeader = isHeader(cells, header, line);
        capacity = (int) Math.max(1, Math.min(expectedRows(file, isHeader), (Integer.MAX_VALUE - 8) / columns));
        lead = new float[capacity * leadColumns];
        tail = new float[capacity * tailColumns];
        lines = new int[capacity];
        String first = cells.get(0).strip();
        if (isHeader && columns > 1 && (first.isEmpty() || PANDAS_INDEX_NAME.matcher(first).matches())) {
            // pandas' DataFrame.to_csv() and R's write.csv() head their row index with an empty name, and pandas
            // reads such a column back as "Unnamed: 0": read as it stands, the row numbers would train as a feature
            // (on sorted data, a perfect and useless one)
            throw new DataException(name + ":" + line + ": the header's first cell is "
                    + (first.isEmpty() ? "empty" : "'" + first + "'") + ", as in a file written with its row index"
                    + " (pandas' to_csv() by default, R's write.csv()): that column would be read as a feature. Write"
                    + " the file without it (to_csv(index=False), write.csv(row.names = FALSE)), or name the column"
                    + " if it is one");
        }
        if (!isHeader && header == Header.AUTO && columns > 1 && first.isEmpty()
                && cells.stream().skip(1).allMatch(DecimalParser::isNumber)) {
            // the header pandas writes over a frame made from an array: numbered columns after the index's empty name
            throw new DataException(name + ":" + line + ": the first cell is empty and the others are numbers: the"
                    + " header pandas' to_csv() writes over its row index and numbered columns? That index would be"
                    + " read as a feature: write the file without it (to_csv(index=False)), with --header if its"
                    + " header is numbers; if this line is data, its first value is missing");
        }
        if (isHeader) {
            reference = "the header (line " + line + ") has " + columns;
            String separators = columns == 1 ? otherSeparators(cells.get(0)) : null;
            headerNote = " after the header (line " + line + ": '" + Messages.excerpt(String.join(",", cells)) + "')"
                    + (separators == null ? "" : "; if that line is data: columns are separated by commas, and it"
                    + " holds " + separators);
            return true;
        }
        reference = "the first row has " + columns;
        ensureRow(line);
        for (int j = 0; j < columns; j++) {
            float x;
            try {
                x = parse(cells.get(j), cellLines.get(j), j + 1);
            } catch (DataException e) {
                if (header == Header.AUTO && cells.stream().allMatch(c -> NON_FINITE.matcher(c).matches())) {
                    // a first row of nan/inf names only is data by the rule (no text cell), but likely a header
                    throw new DataException(e.getMessage() + "; if this first row is a header, say so (--header)");
                }
                throw e;
            }
            if (j < leadColumns) {
                lead[j] = x;
            } else {
                tail[j - leadColumns] = x;
            }
            if (j >= columns - labelColumns) {
                noteInexact(cells.get(j), x, cellLines.get(j), j + 1);
            }
        }
        firstLine = line;
        lines[rows++] = line;
        return true;
    }

    /** The name pandas gives a column it reads without a name: a row index written by to_csv(), read back. */
    private static final java.util.regex.Pattern PANDAS_INDEX_NAME = java.util.regex.Pattern.compile(
            "Unnamed: \\d+(\\.\\d+)?");

    private boolean isHeader(List<String> cells, Header header, int line) {
        if (header != Header.AUTO) {
            return header == Header.PRESENT;
        }
        int text = -1;
        boolean numbers = false;
        for (int j = 0; j < cells.size(); j++) {
            String c = cells.get(j);
            if (DecimalParser.isNumber(c)) {
                numbers = true;
            } else if (NON_FINITE.matcher(c).matches()) {
                // "nan", "inf": a column name as much as a value (rejected as data anyway): neither way
            } else if (!c.isEmpty() && text < 0) {
                text = j;
            }
        }
        if (numbers && text >= 0) {
            throw new DataException(name + ":" + line + ": column " + (text + 1) + ": '"
                    + Messages.excerpt(cells.get(text)) + "' is not a number, but other cells of this first row are: it"
                    + " is neither a header (no cell of a header is a number) nor data; fix the cell, or say whether"
                    + " the file has a header (train --header / --no-header)");
        }
        return text >= 0;
    }

    /** Every row after the first, parsed straight from the scanner's bytes into {@link #lead} and {@link #tail}. */
    private void readRows(CsvScanner scanner) throws IOException {
        while (scanner.next()) {
            int line = scanner.rowLine();
            if (scanner.blankRow()) {
                continue;
            }
            ensureRow(line);
            int leadBase = rows * leadColumns;
            int tailBase = rows * tailColumns - leadColumns;
            int count = 0;
            String error = null; // the first bad cell's message; a ragged row is reported before it
            float x = Float.NaN; // the first cell of a row never takes the fast path
            for (;;) {
                if (count < columns) {
                    if (x != x) { // the fast path did not take this cell
                        x = DecimalParser.parse(scanner.bytes(), scanner.start(), scanner.end());
                    }
                    if (x != x) { // not a plain ASCII decimal: the String rules decide (other white space, errors)
                        x = valueOf(text(scanner));
                    }
                    if (Float.isFinite(x)) {
                        if (count < leadColumns) {
                            lead[leadBase + count] = x;
                        } else {
                            tail[tailBase + count] = x;
                        }
                        if (count >= columns - labelColumns && inexactLabel == null && !plainInteger(scanner)) {
                            noteInexact(text(scanner), x, scanner.line(), scanner.column());
                        }
                    } else if (error == null) {
                        error = cellError(text(scanner), scanner.line(), scanner.column());
                    }
                }
                count++;
                if (scanner.lastInRow()) {
                    break;
                }
                x = count < columns ? scanner.nextPlainDecimal() : Float.NaN;
                if (x != x && !scanner.next()) {
                    break;
                }
            }
            if (count != columns) {
                throw new DataException(name + ":" + line + ": ragged row: " + count + " column"
                        + (count == 1 ? "" : "s") + " but " + reference);
            }
            if (error != null) {
                throw new DataException(error);
            }
            if (rows == 0) {
                firstLine = line;
            }
            lines[rows++] = line;
        }
    }

    /** Whether the cell is an optional '-' and at most 7 digits: an integer below 2^24, exact as a float. */
    private static boolean plainInteger(CsvScanner scanner) {
        byte[] b = scanner.bytes();
        int from = scanner.start();
        int to = scanner.end();
        if (from < to && b[from] == '-') {
            from++;
        }
        if (to <= from || to - from > 7) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return false;
            }
        }
        return true;
    }

    /** Keeps a label cell that parsed to {@code x} in {@link #inexactLabel} when it is not exactly {@code x}. */
    private void noteInexact(String cell, float x, int line, int column) {
        if (inexactLabel != null) {
            return;
        }
        BigDecimal exact;
        try {
            exact = new BigDecimal(cell.strip());
        } catch (NumberFormatException e) {
            return; // not a plain decimal: the number rules have had their say
        }
        if (exact.compareTo(new BigDecimal(x)) != 0) {
            inexactLabel = new InexactCell(line, column, cell.strip());
        }
    }

    /**
     * The rows to make room for, this first one included (every row before it was blank). A regular file is counted
     * ({@link #countRows}), and the count bounded by its bytes: a row of C cells takes at least 2·C of them (a
     * digit and a comma or line break each), so a file whose first row is far wider than the lines after it is not
     * taken at its line count times that width. Anything else (a pipe, which can be read only once) starts small
     * and grows.
     */
    private long expectedRows(Path file, boolean isHeader) throws IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            return 1 << 12;
        }
        LineCount count = countRows(file);
        return Math.min(count.rows() - (isHeader ? 1 : 0), (count.bytes() + 1) / (2L * columns));
    }

    /**
     * Room for one more row: there is, unless the count was low (a pipe, which is not counted; or a line break the
     * count does not know); then the arrays grow by half.
     */
    private void ensureRow(int line) {
        if ((long) (rows + 1) * columns > Integer.MAX_VALUE - 8) { // the data set's arrays hold them at the end
            throw new DataException(name + ":" + line + ": too many values for one array");
        }
        if (rows == capacity) {
            capacity = (int) Math.min((Integer.MAX_VALUE - 8) / columns, capacity + (capacity >> 1) + 1L);
            lead = Arrays.copyOf(lead, capacity * leadColumns);
            tail = Arrays.copyOf(tail, capacity * tailColumns);
            lines = Arrays.copyOf(lines, capacity);
        }
    }

    /** What {@link #countRows} counts: lines holding more than ASCII white space, and bytes (decompressed). */
    record LineCount(long rows, long bytes) {
    }

    /**
     * The rows of {@code file}, at most: its lines that hold more than white space, counted in one pass over the
     * bytes before they are parsed, and its bytes. A line break is CR, LF or CRLF, as {@link CsvScanner} has it; a
     * line break inside a quoted cell, or a line that only Java's Unicode rules call blank, counts one more (the
     * arrays are then cut to size).
     */
    static LineCount countRows(Path file) throws IOException {
        long rows = 0;
        long bytes = 0;
        boolean content = false;
        boolean afterCr = false;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = DataStreams.open(file, "a CSV file")) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                bytes += n;
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n' || b == '\r') {
                        if (b == '\n' && afterCr) { // the LF of a CRLF: the line has ended already
                            afterCr = false;
                            continue;
                        }
                        if (content) {
                            rows++;
                        }
                        content = false;
                        afterCr = b == '\r';
                    } else {
                        afterCr = false;
                        // white space as CsvScanner.isBlank sees it in ASCII; any other byte, UTF-8 included, is content
                        content |= !(b == ' ' || b >= '\t' && b <= '\r' || b >= 0x1C && b <= 0x1F);
                    }
                }
            }
        }
        return new LineCount(content ? rows + 1 : rows, bytes);
    }

    /** The leading columns of every row, {@code rows × (columns − tail columns)} row-major. */
    float[] lead() {
        lead = fit(lead, leadColumns);
        return lead;
    }

    /** The trailing columns kept apart, {@code rows × tail columns} row-major (empty when none are). */
    float[] tail() {
        tail = fit(tail, tailColumns);
        return tail;
    }

    private float[] fit(float[] values, int width) {
        return values.length == rows * width ? values : Arrays.copyOf(values, rows * width);
    }

    /** A trimmed cell's value: NaN if it is not a decimal number, infinite beyond the float range. */
    private static float valueOf(String cell) {
        return DecimalParser.parse(cell);
    }

    /** A cell of the first row, already trimmed. */
    private float parse(String cell, int line, int column) {
        float v = valueOf(cell);
        if (!Float.isFinite(v)) {
            throw new DataException(cellError(cell, line, column));
        }
        return v;
    }

    /** Why a trimmed cell that did not parse to a finite float is wrong. */
    private String cellError(String cell, int line, int column) {
        String where = name + ":" + line + ": column " + column + ": ";
        String shown = Messages.excerpt(cell);
        if (cell.isEmpty()) {
            return where + "empty cell, expected a number";
        }
        if (NON_FINITE.matcher(cell).matches()) {
            return where + "'" + shown + "' is not allowed: NaN and infinite values are rejected (a data file with"
                    + " NaN is almost always a mistake)";
        }
        if (!DecimalParser.isNumber(cell)) {
            return where + "'" + shown + "' is not a number" + separatorHint(cell);
        }
        return where + "'" + shown + "' is outside the float range (±3.4e38)";
    }

    /**
     * For a cell that holds a semicolon or a tab between numbers ({@code 1;2;3}, a file written with another
     * separator): says that columns are separated by commas; else "".
     */
    private static String separatorHint(String cell) {
        String separators = otherSeparators(cell);
        return separators == null ? "" : " (columns are separated by commas; this cell holds " + separators + ")";
    }

    /** "semicolons" or "tabs" when {@code cell} holds numbers separated so, else null. */
    private static String otherSeparators(String cell) {
        for (char sep : new char[] {';', '\t'}) {
            int at = cell.indexOf(sep);
            if (at > 0 && DecimalParser.isNumber(cell.substring(0, at).strip())) {
                return sep == ';' ? "semicolons" : "tabs";
            }
        }
        return null;
    }

    private static String text(CsvScanner scanner) {
        return Messages.utf8(scanner.bytes(), scanner.start(), scanner.end()).strip();
    }
}
