package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
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
                Arguments.of("header.csv", "a,b,c\n", Loss.BCE, 1, ": no data rows"),
                Arguments.of("nan.csv", "1,2,0\n3,NaN,1\n", Loss.BCE, 1,
                        ":2: column 2: 'NaN' is not allowed: NaN and infinite values are rejected"),
                Arguments.of("nan1.csv", "1,nan,0\n", Loss.BCE, 1, ":1: column 2: 'nan' is not allowed"),
                Arguments.of("inf.csv", "1,2,0\n-Infinity,2,1\n", Loss.BCE, 1,
                        ":2: column 1: '-Infinity' is not allowed"),
                Arguments.of("huge.csv", "1,2,0\n1e39,2,1\n", Loss.BCE, 1,
                        ":2: column 1: '1e39' is outside the float range"),
                Arguments.of("hex.csv", "1,2,0\n0x10,2,1\n", Loss.BCE, 1, ":2: column 1: '0x10' is not a number"),
                Arguments.of("suffix.csv", "1,2,0\n1f,2,1\n", Loss.BCE, 1, ":2: column 1: '1f' is not a number"),
                Arguments.of("emptycell.csv", "1,2,0\n1,,1\n", Loss.BCE, 1, ":2: column 2: empty cell"),
                Arguments.of("bce.csv", "x,y,t\n0,0,0\n1,1,1\n1,0,2\n", Loss.BCE, 1,
                        ":4: label 2 is not 0 or 1 (binary cross-entropy)"),
                Arguments.of("bcehalf.csv", "0,0,0.5\n", Loss.BCE, 1, ":1: label 0.5 is not 0 or 1"),
                Arguments.of("ce.csv", "x,y,c\n0,0,0\n1,1,2\n1,0,5\n", Loss.CE, 3, ":4: class 5 is outside [0, 3)"),
                Arguments.of("ceneg.csv", "0,0,-1\n", Loss.CE, 3, ":1: class -1 is outside [0, 3)"),
                Arguments.of("cefrac.csv", "0,0,1\n0,0,1.5\n", Loss.CE, 3, ":2: class 1.5 is not an integer"),
                Arguments.of("onecol.csv", "0\n1\n", Loss.BCE, 1,
                        ":1: has 1 column but needs at least 1 input column + 1 target column"),
                Arguments.of("mse.csv", "1,2\n", Loss.MSE, 2,
                        ":1: has 2 columns but needs at least 1 input column + 2 target columns"),
                Arguments.of("feat.csv", "a,b\n\n1,2\n", null, 0, ":3: has 2 columns but the model needs 3 inputs"),
                Arguments.of("quote.csv", "1,2,0\n\n\"1,2,1\n3,4,1\n", Loss.BCE, 1,
                        ":3: malformed CSV: Missing closing quote"));
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
                    } else {
                        CsvData.read(f, loss, outputs);
                    }
                });
        assertTrue(e.getMessage().startsWith(f + expected),
                "expected a message starting with\n  " + f + expected + "\nbut got\n  " + e.getMessage());
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
        assertEquals(f + ":2: has 3 columns but the model needs 3 inputs + 1 target column", e.getMessage());
        assertEquals(2, CsvData.read(f, Loss.BCE, 2, 1).inputs());
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
}
