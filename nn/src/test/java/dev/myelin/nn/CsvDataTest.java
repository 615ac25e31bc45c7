package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CsvDataTest {

    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void headerIsDetectedAndSkipped() throws IOException {
        Path f = file("xor.csv", "x1,x2,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
        Dataset d = CsvData.read(f, Loss.BCE, 1);
        assertEquals(4, d.rows());
        assertEquals(2, d.inputs());
        assertEquals(1, d.outputs());
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, d.features());
        assertArrayEquals(new float[] {0, 1, 1, 0}, d.targets());
        assertFalse(d.hasLabels());
    }

    /**
     * A file of some 2.3 million values: every value lands where it belongs, with a header, a blank line and a label
     * column, for a gzip file too.
     */
    @Test
    void aLargeTableKeepsEveryValueInPlace() throws IOException {
        int inputs = 1099;
        int rows = 2 * ((1 << 20) / (inputs + 1)) + 7;
        StringBuilder csv = new StringBuilder(rows * (inputs + 1) * 3);
        for (int j = 0; j < inputs; j++) {
            csv.append('x').append(j).append(',');
        }
        csv.append("label\n\n");
        float[] features = new float[rows * inputs];
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < inputs; j++) {
                int v = (r * 31 + j * 7) % 97;
                features[r * inputs + j] = v;
                csv.append(v).append(',');
            }
            labels[r] = r % 10;
            csv.append(labels[r]).append('\n');
        }
        Path plain = file("wide.csv", csv.toString());
        Path gz = dir.resolve("wide.csv.gz");
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(csv.toString().getBytes(StandardCharsets.US_ASCII));
        }
        for (Path f : new Path[] {plain, gz}) {
            Dataset d = CsvData.read(f, Loss.CE, inputs, 10);
            assertEquals(rows, d.rows());
            assertArrayEquals(features, d.features(), f.toString());
            assertArrayEquals(labels, d.labels(), f.toString());
        }
        // features only: every column, the labels included, in one array
        float[] all = CsvData.readFeatures(plain, inputs + 1);
        assertEquals(rows * (inputs + 1), all.length);
        for (int r = 0; r < rows; r++) {
            assertArrayEquals(Arrays.copyOfRange(features, r * inputs, (r + 1) * inputs),
                    Arrays.copyOfRange(all, r * (inputs + 1), r * (inputs + 1) + inputs), "row " + r);
            assertEquals(labels[r], all[r * (inputs + 1) + inputs], "row " + r);
        }
    }

    @Test
    void aNumericFirstLineIsData() throws IOException {
        Path f = file("noheader.csv", "0,0,0\n1,1,1\n");
        Dataset d = CsvData.read(f, Loss.BCE, 1);
        assertEquals(2, d.rows());
        assertArrayEquals(new float[] {0, 0, 1, 1}, d.features());
    }

    @Test
    void numbersInEveryUsualSpellingAndBlankLines() throws IOException {
        Path f = file("n.csv", "\n a , b ,y\n\n1e-3, 2 ,-0.5\r\n   \n+.5,\"7\",3E2\n-0,1.,0\n\n");
        Dataset d = CsvData.read(f, Loss.MSE, 1);
        assertEquals(3, d.rows());
        assertArrayEquals(new float[] {1e-3f, 2f, 0.5f, 7f, -0f, 1f}, d.features());
        assertArrayEquals(new float[] {-0.5f, 300f, 0f}, d.targets());
    }

    @Test
    void crossEntropyLabelsAreClassIndices() throws IOException {
        Path f = file("ce.csv", "a,b,class\n0.1,0.2,2\n0.3,0.4,0\n0.5,0.6,1.0\n");
        Dataset d = CsvData.read(f, Loss.CE, 3);
        assertTrue(d.hasLabels());
        assertNull(d.targets());
        assertArrayEquals(new int[] {2, 0, 1}, d.labels());
        assertEquals(3, d.outputs());
        assertEquals(2, d.inputs());
    }

    @Test
    void mseTakesTheLastOutputsColumns() throws IOException {
        Path f = file("mse.csv", "1,2,3,4,5\n6,7,8,9,10\n");
        Dataset d = CsvData.read(f, Loss.MSE, 2);
        assertEquals(3, d.inputs());
        assertArrayEquals(new float[] {1, 2, 3, 6, 7, 8}, d.features());
        assertArrayEquals(new float[] {4, 5, 9, 10}, d.targets());
    }

    @Test
    void readFeaturesUsesEveryColumn() throws IOException {
        Path f = file("p.csv", "x1,x2\n0,1\n\n2,3\n");
        assertArrayEquals(new float[] {0, 1, 2, 3}, CsvData.readFeatures(f, 2));
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                // name, content, loss (null = readFeatures with 3 inputs), outputs, expected message after "FILE"
                Arguments.of("abc.csv", "x,y,t\n1,2,0\n\n1,abc,1\n", Loss.BCE, 1,
                        ":4: column 2: 'abc' is not a number"),
                Arguments.of("ragged.csv", "1,2,0\n1,1\n", Loss.BCE, 1,
                        ":2: ragged row: 2 columns but the first row has 3"),
                Arguments.of("raggedh.csv", "a,b,c\n\n1,2,0\n1,1,1,1\n", Loss.BCE, 1,
                        ":4: ragged row: 4 columns but the header (line 1) has 3"),
                Arguments.of("empty.csv", "", Loss.BCE, 1, ": no data rows"),
                Arguments.of("blank.csv", "\n\n  \n", Loss.BCE, 1, ": no data rows"),
                Arguments.of("header.csv", "a,b,c\n", Loss.BCE, 1, ": no data rows after the header (line 1:"
                        + " 'a,b,c')"),
                // one row in another separator is one text cell, so a header: say what was taken for one
                Arguments.of("semione.csv", "\n1;2;0\n", Loss.BCE, 1, ": no data rows after the header (line 2:"
                        + " '1;2;0'); if that line is data: columns are separated by commas, and it holds semicolons"),
                // a quoted empty cell is an empty value, not a blank line to skip (its row was lost, exit 0)
                Arguments.of("quotedempty.csv", "1,0\n\"\"\n3,1\n", Loss.BCE, 1,
                        ":2: ragged row: 1 column but the first row has 2"),
                Arguments.of("quotedemptyone.csv", "x\n1\n\"\"\n3\n", null, 0,
                        ":3: column 1: empty cell, expected a number"),
                // invisible characters are shown escaped, not as a cell that looks like a number
                Arguments.of("bommid.csv", "1,2,0\n\uFEFF5,2,1\n", Loss.BCE, 1,
                        ":2: column 1: '\\uFEFF5' is not a number"),
                Arguments.of("zwsp.csv", "1,2,0\n5\u200B,2,1\n", Loss.BCE, 1,
                        ":2: column 1: '5\\u200B' is not a number"),
                Arguments.of("nbsp.csv", "1,2,0\n\u00A05,2,1\n", Loss.BCE, 1,
                        ":2: column 1: '\\u00A05' is not a number"),
                Arguments.of("nan.csv", "1,2,0\n3,NaN,1\n", Loss.BCE, 1,
                        ":2: column 2: 'NaN' is not allowed: NaN and infinite values are rejected"),
                Arguments.of("nan1.csv", "1,nan,0\n", Loss.BCE, 1, ":1: column 2: 'nan' is not allowed"),
                Arguments.of("inf.csv", "1,2,0\n-Infinity,2,1\n", Loss.BCE, 1,
                        ":2: column 1: '-Infinity' is not allowed"),
                Arguments.of("huge.csv", "1,2,0\n1e39,2,1\n", Loss.BCE, 1,
                        ":2: column 1: '1e39' is outside the float range"),
                Arguments.of("hex.csv", "1,2,0\n0x10,2,1\n", Loss.BCE, 1, ":2: column 1: '0x10' is not a number"),
                Arguments.of("suffix.csv", "1,2,0\n1f,2,1\n", Loss.BCE, 1, ":2: column 1: '1f' is not a number"),
                Arguments.of("semicolons.csv", "a;b;y\n1;2;0\n", Loss.BCE, 1, ":2: column 1: '1;2;0' is not a number"
                        + " (columns are separated by commas; this cell holds semicolons)"),
                Arguments.of("tabs.csv", "1\t2\t0\n3\t4\t1\n", Loss.BCE, 1,
                        ":2: column 1: '3\t4\t1' is not a number (columns are separated by commas; this cell holds"
                        + " tabs)"),
                Arguments.of("emptycell.csv", "1,2,0\n1,,1\n", Loss.BCE, 1, ":2: column 2: empty cell"),
                Arguments.of("bce.csv", "x,y,t\n0,0,0\n1,1,1\n1,0,2\n", Loss.BCE, 1,
                        ":4: label 2 is not 0 or 1 (binary cross-entropy)"),
                Arguments.of("bcehalf.csv", "0,0,0.5\n", Loss.BCE, 1, ":1: label 0.5 is not 0 or 1"),
                Arguments.of("ce.csv", "x,y,c\n0,0,0\n1,1,2\n1,0,5\n", Loss.CE, 3, ":4: class 5 is outside [0, 3)"),
                Arguments.of("ceneg.csv", "0,0,-1\n", Loss.CE, 3, ":1: class -1 is outside [0, 3)"),
                Arguments.of("cefrac.csv", "0,0,1\n0,0,1.5\n", Loss.CE, 3, ":2: class 1.5 is not an integer"),
                // labels that round to a valid float label are still wrong: the file does not say that label
                Arguments.of("ceround.csv", "0,0,1\n0,0,2.0000001\n", Loss.CE, 3,
                        ":2: class '2.0000001' is not an integer"),
                Arguments.of("cebig.csv", "0,0,16777217\n", Loss.CE, 3,
                        ":1: class '16777217' is outside [0, 3)"), // whole, beyond a float's exact integers
                Arguments.of("cehuge.csv", "0,0,99999999999999999999\n", Loss.CE, 3,
                        ":1: class '99999999999999999999' is outside [0, 3)"),
                Arguments.of("cehugefrac.csv", "0,0,16777217.5\n", Loss.CE, 3,
                        ":1: class '16777217.5' is not an integer"),
                Arguments.of("bceround.csv", "x,y,t\n0,0,0\n1,1,0.99999999\n", Loss.BCE, 1,
                        ":3: label '0.99999999' is not 0 or 1 (binary cross-entropy)"),
                Arguments.of("bcetiny.csv", "0,0,1e-50\n", Loss.BCE, 1, ":1: label '1e-50' is not 0 or 1"),
                Arguments.of("bcesecond.csv", "0,1,0.9999999999\n", Loss.BCE, 1,
                        ":1: label '0.9999999999' is not 0 or 1"),
                Arguments.of("bcetwo.csv", "0,1,1\n0,1,0.99999999999\n", Loss.BCE, 2,
                        ":2: column 3: label '0.99999999999' is not 0 or 1 (binary cross-entropy)"),
                // a file without its label column: the column count is the error, not the feature taken for a label
                Arguments.of("nolabel.csv", "a,b,c\n0.25,0.6404,0.1\n", Loss.CE, -3,
                        ":2: has 3 columns but the model needs 3 inputs + 1 label column"),
                Arguments.of("onecol.csv", "0\n1\n", Loss.BCE, 1,
                        ":1: has 1 column but needs at least 1 input column + 1 label column"),
                Arguments.of("mse.csv", "1,2\n", Loss.MSE, 2,
                        ":1: has 2 columns but needs at least 1 input column + 2 target columns"),
                Arguments.of("feat.csv", "a,b\n\n1,2\n", null, 0, ":3: has 2 columns but the model needs 3 inputs"),
                Arguments.of("quote.csv", "1,2,0\n\n\"1,2,1\n3,4,1\n", Loss.BCE, 1,
                        ":3: malformed CSV: Missing closing quote for the cell in column 1 opened at line 3 (still"
                                + " open at the end of the file)"), // no line number past the file's last line
                Arguments.of("afterquote.csv", "1,2,0\n\"3\"x,4,1\n", Loss.BCE, 1,
                        ":2: malformed CSV: column 1: 'x' after the closing quote, expected ',' or the end of the line"),
                Arguments.of("comma.csv", "1,2,0\n1,2,", Loss.BCE, 1, ":2: column 3: empty cell, expected a number"),
                Arguments.of("raggedfirst.csv", "1,2,0\nx,1,1,1\n", Loss.BCE, 1,
                        ":2: ragged row: 4 columns but the first row has 3"), // before the bad cell in it
                Arguments.of("crlf.csv", "\uFEFF1,2,0\r\n3,4,1\r\n\r\n\r\nbad,1,1\r\n", Loss.BCE, 1,
                        ":5: column 1: 'bad' is not a number"),
                Arguments.of("quotedbad.csv", "\"a\",b,c\n\"1\",2,0\n\"\"\"3\",4,1\n", Loss.BCE, 1,
                        ":3: column 1: '\"3' is not a number"));
    }

    @Test
    void labelsThatAreExactlyAFloatAreAcceptedInAnySpelling() throws IOException {
        Path ce = file("ce-spellings.csv", "0,0,2.0\n0,1,1e0\n1,0,\" 0 \"\n1,1,+1.000\n");
        assertArrayEquals(new int[] {2, 1, 0, 1}, CsvData.read(ce, Loss.CE, 3).labels());
        Path bce = file("bce-spellings.csv", "0,0,1.0\n0,1,0e5\n1,0,-0\n");
        assertArrayEquals(new float[] {1, 0, -0f}, CsvData.read(bce, Loss.BCE, 1).targets());
        // mse targets are values, not labels: rounded to the nearest float as every feature is
        Path mse = file("mse.csv", "0,0,0.1\n0,1,2.0000001\n");
        assertArrayEquals(new float[] {0.1f, 2.0000001f}, CsvData.read(mse, Loss.MSE, 1).targets());
    }

    /** A byte that is not UTF-8 (Windows-1252's no-break space A0, its quotes 93 and 94) is shown as \\xNN. */
    @Test
    void bytesThatAreNotUtf8AreShownAsEscapes() throws IOException {
        Path f = Files.write(dir.resolve("cp1252.csv"), new byte[] {'a', ',', 'y', '\n', '1', (byte) 0xA0, ',', '0',
                '\n'});
        DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, 1));
        assertEquals(f + ":2: column 1: '1\\xA0' is not a number", e.getMessage());
        Path q = Files.write(dir.resolve("quotes.csv"), new byte[] {'a', ',', 'y', '\n', (byte) 0x93, 'x', (byte) 0x94,
                ',', '1', '\n'});
        e = assertThrows(DataException.class, () -> CsvData.read(q, Loss.BCE, 1));
        assertTrue(e.getMessage().contains("'\\x93x\\x94' is not a number"), e.getMessage());
    }

    @Test
    void aHeaderMayNameAColumnNanOrInf() throws IOException {
        Dataset d = CsvData.read(file("nan-header.csv", "a,nan,inf,label\n1,2,3,0\n4,5,6,1\n"), Loss.BCE, 1);
        assertEquals(2, d.rows());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, d.features());
    }

    @Test
    void gzipDataIsReadWhateverItsNameAndACutOrCorruptOneIsNamed() throws IOException {
        String text = "a,b,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n";
        Dataset plain = CsvData.read(file("plain.csv", text), Loss.BCE, 1);
        byte[] gz = gzip(text.getBytes(StandardCharsets.UTF_8));
        for (String name : new String[] {"data.csv.gz", "data-without-suffix.csv"}) {
            Dataset d = CsvData.read(Files.write(dir.resolve(name), gz), Loss.BCE, 1);
            assertArrayEquals(plain.features(), d.features(), name);
            assertArrayEquals(plain.targets(), d.targets(), name);
        }
        for (int cut : new int[] {3, 12, gz.length / 2, gz.length - 4}) {
            Path f = Files.write(dir.resolve("cut" + cut + ".csv.gz"), Arrays.copyOf(gz, cut));
            DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, 1));
            assertEquals(f + ": the gzip data ends early (the file is cut short)", e.getMessage());
        }
        byte[] corrupt = gz.clone();
        corrupt[2] = 7; // compression method 7: only 8 (deflate) exists
        Path bad = Files.write(dir.resolve("corrupt.csv.gz"), corrupt);
        DataException e = assertThrows(DataException.class, () -> CsvData.read(bad, Loss.BCE, 1));
        assertTrue(e.getMessage().startsWith(bad + ": not valid gzip data ("), e.getMessage());
    }

    /**
     * Members back to back are one stream (gzip -d's reading), but bytes after the last member that are not one
     * (a row appended to the .gz, a member whose header is damaged) are refused: the JDK's own gzip stream had
     * ended quietly before them, and their rows were lost with exit 0.
     */
    @Test
    void bytesAfterTheGzipDataAreRefusedAndMembersBackToBackRead() throws IOException {
        String first = "a,b,label\n0,0,0\n0,1,1\n";
        String second = "1,0,1\n1,1,0\n";
        Dataset whole = CsvData.read(file("whole.csv", first + second), Loss.BCE, 1);
        byte[] a = gzip(first.getBytes(StandardCharsets.UTF_8));
        byte[] b = gzip(second.getBytes(StandardCharsets.UTF_8));
        Path members = Files.write(dir.resolve("members.csv.gz"), concat(a, b));
        assertArrayEquals(whole.features(), CsvData.read(members, Loss.BCE, 1).features());
        byte[] damaged = b.clone();
        damaged[1] = 0x7f; // the second member's magic: no longer a member
        byte[][] tails = {"1,1,0\n".getBytes(StandardCharsets.UTF_8), damaged, {0x1f}};
        for (int t = 0; t < tails.length; t++) {
            Path f = Files.write(dir.resolve("tail" + t + ".csv.gz"), concat(a, tails[t]));
            DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, 1), "tail " + t);
            assertEquals(f + ": has bytes after the end of its gzip data, which is not another gzip member (bytes"
                    + " appended to the file, or a damaged member); they would be left unread", e.getMessage());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void aBinaryFileIsNotTakenForCsvText() throws IOException {
        byte[] idxHeader = {0, 0, 8, 1, 0, 0, 0, 4, 0, 1, 1, 0};
        Path f = Files.write(dir.resolve("labels.csv"), idxHeader);
        DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, 1));
        assertEquals(f + ": not a text file (a zero byte at offset 0); expected CSV text, plain or gzip-compressed",
                e.getMessage());
    }

    /** A file written with its row index (pandas' to_csv() default) is refused, not trained on its row numbers. */
    @Test
    void aHeaderWithAnEmptyFirstCellIsTakenForARowIndex() throws IOException {
        Path f = Files.writeString(dir.resolve("pandas.csv"), ",x,y,label\n0,0.5,1.5,0\n1,2.5,0.5,1\n");
        DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, 1));
        assertEquals(f + ":1: the header's first cell is empty, as in a file written with its row index (pandas'"
                + " to_csv() by default, R's write.csv()): that column would be read as a feature. Write the file"
                + " without it (to_csv(index=False), write.csv(row.names = FALSE)), or name the column if it is one",
                e.getMessage());
        Path r = Files.writeString(dir.resolve("r.csv"), "\"\",\"x\",\"label\"\n\"1\",0.5,0\n");
        assertTrue(assertThrows(DataException.class, () -> CsvData.read(r, Loss.BCE, 1)).getMessage()
                .startsWith(r + ":1: the header's first cell is empty"));
        Path named = Files.writeString(dir.resolve("named.csv"), "id,x,label\n0,0.5,0\n1,2.5,1\n");
        assertEquals(2, CsvData.read(named, Loss.BCE, 1).inputs(), "a named first column is a feature as before");
        // the index read back by pandas and written again: its name is "Unnamed: 0"
        Path unnamed = Files.writeString(dir.resolve("unnamed.csv"), "Unnamed: 0,x,label\n0,0.5,0\n1,2.5,1\n");
        assertTrue(assertThrows(DataException.class, () -> CsvData.read(unnamed, Loss.BCE, 1)).getMessage()
                .startsWith(unnamed + ":1: the header's first cell is 'Unnamed: 0', as in a file written with its row"
                        + " index"));
        // a frame made from an array: numbered columns after the index's empty name, which read as data by the rule
        Path numbered = Files.writeString(dir.resolve("numbered.csv"), ",0,1,2\n0,0.5,1.5,0\n1,2.5,0.5,1\n");
        assertTrue(assertThrows(DataException.class, () -> CsvData.read(numbered, Loss.BCE, 1)).getMessage()
                .startsWith(numbered + ":1: the first cell is empty and the others are numbers: the header pandas'"
                        + " to_csv() writes over its row index and numbered columns?"));
    }

    /** UTF-16 text (Excel's "Unicode text") is said to be that, not "not a text file" at its first half-character. */
    @Test
    void utf16TextIsNamedAsSuch() throws IOException {
        for (java.nio.charset.Charset utf16 : new java.nio.charset.Charset[] {StandardCharsets.UTF_16LE,
                StandardCharsets.UTF_16BE}) {
            Path f = Files.write(dir.resolve("excel.csv"), ("\uFEFFa,b,label\n1,2,0\n").getBytes(utf16));
            DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, 1));
            assertEquals(f + ": is UTF-16 text (it starts with a UTF-16 byte order mark, as Excel's \"Unicode text\""
                    + " does); expected CSV in UTF-8 (or ASCII): save it as UTF-8 CSV", e.getMessage());
        }
        // UTF-32LE's mark begins with UTF-16LE's: named for what it is
        Path f = Files.write(dir.resolve("utf32.csv"), ("\uFEFFa,b,label\n1,2,0\n").getBytes(
                java.nio.charset.Charset.forName("UTF-32LE")));
        assertEquals(f + ": is UTF-32 text (it starts with a UTF-32 byte order mark); expected CSV in UTF-8 (or"
                + " ASCII): save it as UTF-8 CSV", assertThrows(DataException.class,
                () -> CsvData.read(f, Loss.BCE, 1)).getMessage());
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(bytes);
        }
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void errorsNameFileAndLine(String name, String content, Loss loss, int outputs, String expected)
            throws IOException {
        Path f = file(name, content);
        DataException e = assertThrows(DataException.class,
                () -> {
                    if (loss == null) {
                        CsvData.readFeatures(f, 3);
                    } else if (outputs < 0) { // -n: n classes, against a model of 3 inputs
                        CsvData.read(f, loss, 3, -outputs);
                    } else {
                        CsvData.read(f, loss, outputs);
                    }
                });
        assertTrue(e.getMessage().startsWith(f + expected),
                "expected a message starting with\n  " + f + expected + "\nbut got\n  " + e.getMessage());
    }

    /**
     * Found by ReaderFuzzTest (shrunk: a cell replaced by {@code "a\nb"}): the quoted line break went into the
     * message, which the CLI printed as two lines; a 100,000-character cell went into it whole.
     */
    @Test
    void cellsInErrorsAreShownOnOneLineAndShortened() throws IOException {
        Path f = file("nl.csv", "x1,x2,y\n\"a\nb\",-1,1\n");
        DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, 1));
        assertEquals(f + ":2: column 1: 'a\\nb' is not a number", e.getMessage());
        Path g = file("long.csv", "1,2,0\n" + "x".repeat(100_000) + ",2,1\n");
        e = assertThrows(DataException.class, () -> CsvData.read(g, Loss.BCE, 1));
        assertEquals(g + ":2: column 1: '" + "x".repeat(40) + "…' is not a number", e.getMessage());
    }

    /**
     * The rows are counted before they are parsed, so that the arrays are allocated at their size: the count is
     * exact for every line end (LF, CRLF, CR, none at the end) and blank or white-space lines, one high for a quoted
     * line break (the arrays are then cut to size), and never low.
     */
    @Test
    void theRowCountBeforeParsingIsExactOrHighAndTheArraysComeOutAtTheirSize() throws IOException {
        String[][] cases = {
                {"1,2,0\n3,4,1\n", "2"}, {"1,2,0\n3,4,1", "2"}, {"1,2,0\r\n3,4,1\r\n", "2"},
                {"1,2,0\r3,4,1\r", "2"}, {"\n \t\n1,2,0\n\r\n \r\n3,4,1\n\n\n", "2"},
                {"x,y,t\n1,2,0\n3,4,1\n", "3"}, {"\"1\n\",2,0\n3,4,1\n", "3"}, {"\u3000\n1,2,0\n3,4,1\n", "3"}}; // U+3000: blank to Java, content to the count
        for (String[] c : cases) {
            Path f = file("count.csv", c[0]);
            assertEquals(Long.parseLong(c[1]), CsvTable.countRows(f).rows(), c[0]);
            assertEquals(Files.size(f), CsvTable.countRows(f).bytes(), c[0]);
            Dataset d = CsvData.read(f, Loss.BCE, 1);
            assertEquals(2, d.rows(), c[0]);
            assertEquals(4, d.features().length, c[0]);
            assertEquals(2, d.targets().length, c[0]);
        }
        // a quoted line break in the first row, and a quoted cell spanning three lines: 2 rows, arrays cut to them
        Path q = file("quoted-breaks.csv", "\"1\n\n\",2,0\n3,\"4\r\n\",1\n");
        Dataset d = CsvData.read(q, Loss.BCE, 1);
        assertArrayEquals(new float[] {1, 2, 3, 4}, d.features());
        assertArrayEquals(new float[] {0, 1}, d.targets());
        assertArrayEquals(new float[] {1, 2, 0, 3, 4, 1}, CsvData.readFeatures(q, 3, Header.ABSENT), "features only");
    }

    /**
     * A pipe is read once, so it is not counted: its rows go into arrays that grow (a named pipe of 200 000 rows,
     * many times the first allocation, comes out whole; counting it first had taken the stream from the parser).
     */
    @Test
    void aPipeIsReadWholeThroughGrowingArrays() throws Exception {
        Path fifo = dir.resolve("rows.fifo");
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()
                == 0, "mkfifo");
        int rows = 200_000;
        Thread writer = new Thread(() -> {
            try (java.io.Writer w = Files.newBufferedWriter(fifo)) {
                for (int r = 0; r < rows; r++) {
                    w.write(r % 97 + "," + r % 13 + "," + r % 2 + "\n");
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        Dataset d = CsvData.read(fifo, Loss.BCE, 1);
        writer.join();
        assertEquals(rows, d.rows());
        assertEquals(2 * rows, d.features().length);
        assertEquals(rows, d.targets().length);
        for (int r = 0; r < rows; r += 9_973) {
            assertEquals(r % 97, d.features()[2 * r], "row " + r);
            assertEquals(r % 13, d.features()[2 * r + 1], "row " + r);
            assertEquals(r % 2, d.targets()[r], "row " + r);
        }
    }

    /**
     * A first row far wider than the lines after it does not make room for the line count times its width (a
     * gigabyte here): the bytes bound the rows, and the second row's error is the one reported.
     */
    @Test
    void aWideFirstRowOverShortLinesIsARaggedRowNotAHugeAllocation() throws IOException {
        StringBuilder csv = new StringBuilder();
        for (int j = 0; j < 5000; j++) {
            csv.append(j % 10).append(j < 4999 ? "," : "\n");
        }
        csv.append("x\n".repeat(50_000)); // 50 000 lines: 250 million cells at the first row's width
        Path f = file("wide-then-short.csv", csv.toString());
        assertTrue(CsvTable.countRows(f).rows() == 50_001);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, 1));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(f + ":2: ragged row: 1 column but the first row has 5000", e.getMessage());
        // the file's 110 KB bound it to 11 rows of 5000 floats; the line count alone had made room for 1 GB
        assertTrue(allocated < 8 << 20, "allocated " + allocated + " bytes");
    }

    /**
     * Loading holds the data once: what a read allocates (this thread's count, {@code ThreadMXBean}) is the data
     * set's arrays and little more, where rows parsed into blocks and then copied into one array allocated twice
     * the data and more (22 MB here, 9.6 now).
     */
    @Test
    void aLoadAllocatesTheDataOnce() throws IOException {
        int inputs = 49;
        int rows = 40_000; // 2 million values, 8 MB of floats
        StringBuilder csv = new StringBuilder(rows * (inputs + 1) * 3);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < inputs; j++) {
                csv.append((r + j) % 10).append(',');
            }
            csv.append(r % 3).append('\n');
        }
        Path f = file("once.csv", csv.toString());
        csv = null;
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long data = 4L * rows * inputs + 4L * rows; // features and int labels
        CsvData.read(f, Loss.CE, 3); // classes and methods loaded, so that the count is the read's own
        long before = threads.getCurrentThreadAllocatedBytes();
        Dataset d = CsvData.read(f, Loss.CE, 3);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(rows, d.rows());
        // the data, the rows' line numbers and labels as floats (4 bytes a row each), the scanner's 1 MiB chunk and
        // smaller buffers: 9.6 MB when written; blocks copied into one array made 22.2 MB
        assertTrue(allocated < data + 8L * rows + (3 << 20), "allocated " + allocated + " bytes for " + data
                + " bytes of data");
    }

    @Test
    void multiLineQuotedCellsKeepPhysicalLineNumbers() throws IOException {
        Path f = file("q.csv", "\"x\ny\",b,c\n1,2,0\nbad,2,1\n");
        DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, 1));
        assertEquals(f + ":4: column 1: 'bad' is not a number", e.getMessage());
    }

    @Test
    void columnCountAgainstTheModel() throws IOException {
        Path f = file("m.csv", "x,y,t\n0,0,1\n");
        DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, 3, 1));
        assertEquals(f + ":2: has 3 columns but the model needs 3 inputs + 1 label column", e.getMessage());
        assertEquals(2, CsvData.read(f, Loss.BCE, 2, 1).inputs());
        Path one = file("one.csv", "5\n");
        e = assertThrows(DataException.class, () -> CsvData.read(one, Loss.MSE, 2, 1));
        assertEquals(one + ":1: has 1 column but the model needs 2 inputs + 1 target column", e.getMessage());
    }

    /**
     * The first bad label of a file is the one named, whichever its kind: an out-of-range class on line 1 before an
     * inexact one on line 2 (the inexact one had been reported first, then the other once it was fixed); an
     * inexact one after a quoted cell that takes its row over two lines is still found.
     */
    @Test
    void theFirstBadLabelIsNamedWhicheverItsKind() throws IOException {
        Path ce = file("order-ce.csv", "1,2,5\n3,4,1.0000001\n");
        DataException e = assertThrows(DataException.class, () -> CsvData.read(ce, Loss.CE, 3));
        assertEquals(ce + ":1: class 5 is outside [0, 3)", e.getMessage());
        Path bce = file("order-bce.csv", "1,2,2\n3,4,0.99999999\n");
        e = assertThrows(DataException.class, () -> CsvData.read(bce, Loss.BCE, 1));
        assertEquals(bce + ":1: label 2 is not 0 or 1 (binary cross-entropy)", e.getMessage());
        Path later = file("order-later.csv", "1,2,0.99999999\n3,4,2\n");
        e = assertThrows(DataException.class, () -> CsvData.read(later, Loss.BCE, 1));
        assertEquals(later + ":1: label '0.99999999' is not 0 or 1 (binary cross-entropy)", e.getMessage());
        Path quoted = file("order-quoted.csv", "1,\"2\n\",0\n3,4,1\n5,\"6\n\",0.99999999\n");
        e = assertThrows(DataException.class, () -> CsvData.read(quoted, Loss.BCE, 1));
        assertEquals(quoted + ":5: label '0.99999999' is not 0 or 1 (binary cross-entropy)", e.getMessage());
    }

    /** A first row of nan/inf names only reads as data (no text cell); the refusal says how to call it a header. */
    @Test
    void aFirstRowOfNanAndInfNamesOnlyIsRefusedWithTheHeaderOption() throws IOException {
        Path f = file("nan-inf-names.csv", "nan,inf\n1,0\n");
        DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, 1));
        assertTrue(e.getMessage().startsWith(f + ":1: column 1: 'nan' is not allowed"), e.getMessage());
        assertTrue(e.getMessage().endsWith("; if this first row is a header, say so (--header)"), e.getMessage());
        assertEquals(1, CsvData.read(f, Loss.BCE, 1, 1, Header.PRESENT).rows());
        Path data = file("nan-in-data.csv", "a,b\n1,0\nnan,1\n"); // a later row: no such hint
        e = assertThrows(DataException.class, () -> CsvData.read(data, Loss.BCE, 1));
        assertFalse(e.getMessage().contains("--header"), e.getMessage());
        Path numbers = file("nan-among-numbers.csv", "0.5,nan,1\n1,2,0\n"); // a data row: --header would drop it
        e = assertThrows(DataException.class, () -> CsvData.read(numbers, Loss.BCE, 1));
        assertFalse(e.getMessage().contains("--header"), e.getMessage());
    }

    @Test
    void missingFileAndDirectory() {
        Path missing = dir.resolve("data.csv");
        DataException e = assertThrows(DataException.class, () -> CsvData.read(missing, Loss.BCE, 1));
        assertEquals(missing + ": file not found", e.getMessage());
        e = assertThrows(DataException.class, () -> CsvData.readFeatures(dir, 2));
        assertTrue(e.getMessage().startsWith(dir + ": is a directory"), e.getMessage());
    }

    @Test
    void dataExceptionIsAnIllegalArgumentException() {
        assertTrue(IllegalArgumentException.class.isAssignableFrom(DataException.class));
    }

    @Test
    void outputsMustBePositive() throws IOException {
        Path f = file("o.csv", "0,0,1\n");
        assertThrows(IllegalArgumentException.class, () -> CsvData.read(f, Loss.CE, 0));
    }
    // --- header by rule ---

    @Test
    void aFirstRowMixingNumbersAndTextIsAnErrorNotAHeader() throws IOException {
        Path f = file("typo.csv", "1,3.34x,0\n2,3,1\n");
        DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, 1));
        assertTrue(e.getMessage().startsWith(f + ":1: column 2: '3.34x' is not a number, but other cells of this"
                + " first row are"), e.getMessage());
        e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, -1, 1, Header.ABSENT));
        assertEquals(f + ":1: column 2: '3.34x' is not a number", e.getMessage());
    }

    @Test
    void aHeaderMayHaveEmptyNames() throws IOException {
        Path f = file("h.csv", "a,,\n1,2,0\n");
        assertEquals(1, CsvData.read(f, Loss.BCE, 1).rows());
    }

    @Test
    void headerPresentSkipsEvenANumericFirstRow() throws IOException {
        Path f = file("p.csv", "\n1,2,3\n4,5,6\n");
        Dataset d = CsvData.read(f, Loss.MSE, -1, 1, Header.PRESENT);
        assertEquals(1, d.rows());
        assertArrayEquals(new float[] {4, 5}, d.features());
        assertArrayEquals(new float[] {4, 5, 6}, CsvData.readFeatures(f, 3, Header.PRESENT));
        assertEquals(2, CsvData.read(f, Loss.MSE, -1, 1, Header.AUTO).rows());
    }

    @Test
    void headerAbsentMakesTextInTheFirstRowAnError() throws IOException {
        Path f = file("a.csv", "x,y,t\n1,2,0\n");
        DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, -1, 1, Header.ABSENT));
        assertEquals(f + ":1: column 1: 'x' is not a number", e.getMessage());
        e = assertThrows(DataException.class, () -> CsvData.readFeatures(f, 3, Header.ABSENT));
        assertEquals(f + ":1: column 1: 'x' is not a number", e.getMessage());
        Path g = file("b.csv", "1,2,0\n");
        assertArrayEquals(new float[] {1, 2}, CsvData.read(g, Loss.BCE, -1, 1, Header.ABSENT).features());
    }

    @Test
    void aRowOfNaNLiteralsIsDataNotAHeader() throws IOException {
        Path f = file("nanrow.csv", "NaN,inf,1\n");
        DataException e = assertThrows(DataException.class, () -> CsvData.read(f, Loss.BCE, 1));
        assertTrue(e.getMessage().startsWith(f + ":1: column 1: 'NaN' is not allowed"), e.getMessage());
    }

    // --- the byte scanner: RFC 4180 details ---

    @Test
    void byteOrderMarkAndLineEnds() throws IOException {
        Path f = file("bom.csv", "\uFEFFx,y,t\r\n1,2,0\r\n3,4,1\r5,6,0\n\r\n7,8,1");
        Dataset d = CsvData.read(f, Loss.BCE, 1);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, d.features());
        assertArrayEquals(new float[] {0, 1, 0, 1}, d.targets());
    }

    @Test
    void quotedCells() throws IOException {
        Path g = file("quoted.csv", "\"a \"\"x\"\"\",\"b,c\",\"t\"\n\"1\" ,\" 2.5 \",\"0\"\n");
        assertArrayEquals(new float[] {1, 2.5f}, CsvData.read(g, Loss.BCE, 1).features());
    }

    /**
     * Several MB of numbers in every spelling, some quoted, some with CRLF, so cells cross the scanner's 1 MiB
     * chunks; each value must be Float.parseFloat's, bit for bit. One cell is longer than a chunk.
     */
    @Test
    void largeFileMatchesParseFloatAcrossChunkBoundaries() throws IOException {
        long seed = 2024;
        Random random = new Random(seed);
        int columns = 13;
        int rows = 40_000;
        float[] expected = new float[rows * columns];
        StringBuilder csv = new StringBuilder();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < columns; j++) {
                String cell = randomNumber(random);
                if (r == rows / 2 && j == 3) {
                    cell = "1" + "0".repeat(1_500_000) + "e-1500000"; // longer than a chunk: the buffer grows
                }
                expected[r * columns + j] = Float.parseFloat(cell);
                if (j > 0) {
                    csv.append(',');
                }
                int style = random.nextInt(20);
                csv.append(style == 0 ? "\"" + cell + "\"" : style == 1 ? " " + cell + " " : cell);
            }
            csv.append(random.nextInt(10) == 0 ? "\r\n" : "\n");
        }
        Path f = file("large.csv", csv.toString());
        float[] actual = CsvData.readFeatures(f, columns, Header.ABSENT);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                assertEquals(expected[i], actual[i], "row " + (i / columns + 1) + ", column " + (i % columns + 1)
                        + " (seed " + seed + ")");
            }
        }
    }

    private static String randomNumber(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> Integer.toString(random.nextInt(256));
            case 1 -> Integer.toString(random.nextInt() >> random.nextInt(32));
            case 2 -> Float.toString(random.nextFloat() * 100 - 50);
            case 3 -> Double.toString(random.nextGaussian() * Math.pow(10, random.nextInt(60) - 30));
            case 4 -> (random.nextBoolean() ? "+" : "-") + "." + random.nextInt(100_000);
            default -> random.nextInt(1000) + "." + (random.nextBoolean() ? "" : Integer.toString(random.nextInt(1000)))
                    + (random.nextBoolean() ? "" : "e" + (random.nextInt(21) - 10));
        };
    }
}
