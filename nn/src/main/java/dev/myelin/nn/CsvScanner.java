package dev.myelin.nn;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits CSV bytes (RFC 4180: comma separated, {@code "} quotes, {@code ""} inside quotes, CR, LF or CRLF line
 * ends, an optional UTF-8 byte order mark) into cells, one {@link #next()} per cell, without a String or any
 * other object per cell: a cell is a byte range of {@link #bytes()}, valid until the next call.
 *
 * <p>The file is read in large chunks; an unquoted cell is a range of the chunk, a quoted one is unescaped into
 * a scratch array. A quote is special only as a cell's first byte, as in RFC 4180.
 */
final class CsvScanner implements Closeable {

    private static final int CHUNK = 1 << 20; // large reads; a cell longer than this grows the buffer

    private final InputStream in;
    private final String name;
    private byte[] buffer = new byte[CHUNK];
    private int pos;
    private int limit;
    private boolean endOfInput;
    private int line = 1;            // physical line at pos
    private boolean skipLineFeed;    // the last line end was a CR: a LF right after it is part of it
    private boolean atRowStart = true;
    private int rowLine = 1;

    private byte[] cell;
    private int start;
    private int end;
    private int cellLine;
    private int column;
    private boolean lastInRow;
    private boolean cellQuoted;
    private byte[] scratch = new byte[64];

    CsvScanner(InputStream in, String name) throws IOException {
        this.in = in;
        this.name = name;
        fill();
        refuseBinary();
        if (limit - pos >= 3 && buffer[pos] == (byte) 0xEF && buffer[pos + 1] == (byte) 0xBB
                && buffer[pos + 2] == (byte) 0xBF) {
            pos += 3;
        }
    }

    /**
     * A NUL byte in the first chunk means the file is not text (an IDX file, a model in another format, a
     * compressed archive other than gzip): say so, rather than read it as one odd header and "no data rows".
     */
    private void refuseBinary() {
        boolean utf32 = limit - pos >= 4 && (buffer[pos] == (byte) 0xFF && buffer[pos + 1] == (byte) 0xFE
                && buffer[pos + 2] == 0 && buffer[pos + 3] == 0 || buffer[pos] == 0 && buffer[pos + 1] == 0
                && buffer[pos + 2] == (byte) 0xFE && buffer[pos + 3] == (byte) 0xFF);
        if (utf32) { // checked first: UTF-32LE's mark begins with UTF-16LE's
            throw new DataException(name + ": is UTF-32 text (it starts with a UTF-32 byte order mark); expected CSV"
                    + " in UTF-8 (or ASCII): save it as UTF-8 CSV");
        }
        if (limit - pos >= 2 && (buffer[pos] == (byte) 0xFF && buffer[pos + 1] == (byte) 0xFE
                || buffer[pos] == (byte) 0xFE && buffer[pos + 1] == (byte) 0xFF)) { // its zero bytes are half-characters
            throw new DataException(name + ": is UTF-16 text (it starts with a UTF-16 byte order mark, as Excel's"
                    + " \"Unicode text\" does); expected CSV in UTF-8 (or ASCII): save it as UTF-8 CSV");
        }
        for (int i = pos; i < limit; i++) {
            if (buffer[i] == 0) {
                throw new DataException(name + ": not a text file (a zero byte at offset " + i + "); expected CSV"
                        + " text, plain or gzip-compressed");
            }
        }
    }

    /** Moves to the next cell; false at the end of the file. */
    boolean next() throws IOException {
        if (atRowStart) {
            if (pos == limit && !fill()) {
                return false;
            }
            column = 0;
            rowLine = line;
        }
        if (skipLineFeed) {
            skipLineFeed = false;
            if ((pos < limit || fill()) && buffer[pos] == '\n') {
                pos++;
                if (atRowStart && pos == limit && !fill()) {
                    return false;
                }
            }
        }
        column++;
        cellLine = line;
        cellQuoted = (pos < limit || fill()) && buffer[pos] == '"';
        if (cellQuoted) {
            quoted();
        } else {
            unquoted();
        }
        atRowStart = lastInRow;
        return true;
    }

    /**
     * The common cell, fast: when the next cell of the current row is a plain decimal of at most 7 digits
     * ({@code -?d+(.d*)?}, e.g. {@code 255}, {@code 0.125}) directly followed by ',' or LF, moves to it as
     * {@link #next()} would and returns its value (exact: see {@link DecimalParser#exact}); otherwise moves
     * nowhere and returns NaN, and the caller takes {@link #next()}. Not for the first cell of a row.
     */
    float nextPlainDecimal() {
        int p = pos;
        if (atRowStart || limit - p < 32) { // 32: room for any cell this accepts, so no bounds checks below
            return Float.NaN;
        }
        byte[] b = buffer;
        boolean negative = b[p] == '-';
        if (negative) {
            p++;
        }
        int m = 0;
        int digits = 0;
        int d;
        while ((d = b[p] - '0') >= 0 && d <= 9 && digits < 8) {
            m = m * 10 + d;
            digits++;
            p++;
        }
        int fraction = 0;
        if (b[p] == '.' && digits > 0) {
            p++;
            while ((d = b[p] - '0') >= 0 && d <= 9 && digits < 8) {
                m = m * 10 + d;
                digits++;
                fraction++;
                p++;
            }
        }
        byte end = b[p];
        if (digits == 0 || digits > 7 || (end != ',' && end != '\n')) {
            return Float.NaN;
        }
        column++;
        cellLine = line;
        cellQuoted = false;
        endCellAt(b, pos, p, p);
        atRowStart = lastInRow;
        float v = DecimalParser.exact(m, -fraction);
        return negative ? -v : v;
    }

    private void unquoted() throws IOException {
        int p = pos;
        for (;;) {
            // Every byte that ends a cell is at most ','; digits, signs, '.', letters are above it.
            while (p < limit && buffer[p] > ',') {
                p++;
            }
            if (p == limit) {
                int offset = pos;
                if (!fill()) {
                    p -= offset - pos;
                    endCell(buffer, pos, p, p, true);
                    return;
                }
                p -= offset - pos; // fill() moved the cell's bytes to the start of the buffer
                continue;
            }
            byte b = buffer[p];
            if (b == ',' || b == '\n' || b == '\r') {
                endCellAt(buffer, pos, p, p);
                return;
            }
            p++;
        }
    }

    private void quoted() throws IOException {
        int length = 0;
        int p = pos + 1;
        boolean afterCr = false; // a LF right after a CR ends the same line
        for (;;) {
            if (p == limit) {
                pos = p;
                if (!fill()) {
                    throw new DataException(name + ":" + rowLine + ": malformed CSV: Missing closing quote for the"
                            + " cell in column " + column + " opened at line " + cellLine
                            + " (still open at the end of the file)");
                }
                p = pos;
            }
            byte b = buffer[p++];
            if (b == '"') {
                if (p == limit) {
                    pos = p;
                    if (!fill()) {
                        endCell(scratch, 0, length, pos, true);
                        return;
                    }
                    p = pos;
                }
                if (buffer[p] != '"') {
                    pos = p;
                    afterClosingQuote(length);
                    return;
                }
                p++; // "" stands for one quote
            } else if (b == '\r' || (b == '\n' && !afterCr)) {
                line++;
            }
            afterCr = b == '\r';
            if (length == scratch.length) {
                scratch = Arrays.copyOf(scratch, length * 2);
            }
            scratch[length++] = b;
        }
    }

    /** After a closing quote: spaces, then the end of the cell. */
    private void afterClosingQuote(int length) throws IOException {
        for (;;) {
            if (pos == limit && !fill()) {
                endCell(scratch, 0, length, pos, true);
                return;
            }
            byte b = buffer[pos];
            if (b == ',' || b == '\n' || b == '\r') {
                endCellAt(scratch, 0, length, pos);
                return;
            }
            if (b != ' ' && b != '\t') {
                throw new DataException(name + ":" + line + ": malformed CSV: column " + column + ": '"
                        + (char) (b & 0xFF) + "' after the closing quote, expected ',' or the end of the line");
            }
            pos++;
        }
    }

    /** The cell {@code bytes[from, to)} ends at the separator or line end {@code buffer[at]}. */
    private void endCellAt(byte[] bytes, int from, int to, int at) {
        byte b = buffer[at];
        endCell(bytes, from, to, at + 1, b != ',');
        if (b != ',') {
            line++;
            skipLineFeed = b == '\r';
        }
    }

    private void endCell(byte[] bytes, int from, int to, int next, boolean last) {
        cell = bytes;
        start = from;
        end = to;
        pos = next;
        lastInRow = last;
    }

    /**
     * Reads more input after the bytes from {@code pos} on, which move to the start of the buffer; false at the
     * end of the input (nothing was added).
     */
    private boolean fill() throws IOException {
        if (endOfInput) {
            return false;
        }
        int kept = limit - pos;
        if (pos > 0) {
            System.arraycopy(buffer, pos, buffer, 0, kept);
        } else if (kept == buffer.length) {
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        pos = 0;
        limit = kept;
        int n = in.readNBytes(buffer, limit, buffer.length - limit);
        limit += n;
        if (n == 0) {
            endOfInput = true;
        }
        return n > 0;
    }

    /** The array holding the current cell, in {@code [start(), end())}. */
    byte[] bytes() {
        return cell;
    }

    int start() {
        return start;
    }

    int end() {
        return end;
    }

    /** The physical line (1-based) where the current cell starts. */
    int line() {
        return cellLine;
    }

    /** The physical line where the current row starts. */
    int rowLine() {
        return rowLine;
    }

    /** The current cell's column, 1-based. */
    int column() {
        return column;
    }

    /**
     * Whether the current cell, the first of its row, is a blank line, which readers skip: the row's only cell,
     * white space only, and not in quotes ({@code ""} is an empty value, to be refused or read as one, not a
     * blank line: a one-column file written by Python's csv module holds a missing value so).
     */
    boolean blankRow() {
        return column == 1 && lastInRow && !cellQuoted && isBlank(cell, start, end);
    }

    /** Whether the bytes are only white space (as {@link String#strip} sees it), without decoding ASCII. */
    static boolean isBlank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            int c = b[i];
            if (c < 0) {
                return new String(b, from, to - from, StandardCharsets.UTF_8).isBlank();
            }
            if (!Character.isWhitespace(c)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the current cell ends its row (a line end or the end of the file follows it). */
    boolean lastInRow() {
        return lastInRow;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
