package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training summary shows at most 8 values of a row. */
class SummaryTest {

    @TempDir
    Path dir;

    @Test
    void aWideRowShowsItsFirstValuesAndHowManyMore() {
        float[] v = new float[20];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        assertEquals("[0, 1, 2, 3, 4, 5, 6, 7, … (12 more)]", Summary.row(v, 0, 20));
        assertEquals("[2, 3, 4, 5, 6, 7, 8, 9]", Summary.row(v, 2, 8), "eight values: all shown");
    }

    @Test
    void trainingOnAHundredThousandColumnsPrintsShortLines() throws IOException {
        int columns = 100_000;
        StringBuilder csv = new StringBuilder();
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < columns; c++) {
                csv.append(c % 2).append(',');
            }
            csv.append(r).append('\n');
        }
        Path data = Files.writeString(dir.resolve("wide.csv"), csv);
        Cli run = Cli.run("train", "--data", data.toString(), "--epochs", "1");
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains("[0, 1, 0, 1, 0, 1, 0, 1, … (99992 more)] -> "), run.out());
        assertTrue(run.out().length() < 2_000, "summary of " + run.out().length() + " characters");
    }
}
