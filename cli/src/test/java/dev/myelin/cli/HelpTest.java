package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command's help is a clean page on stdout: nothing on stderr, not even picocli's own warnings, which it
 * prints to System.err when a description holds a lone '%' (it formats descriptions; "4.3 % in" once gave three
 * "[picocli WARN] Could not format" lines above train's help).
 */
class HelpTest {

    @ParameterizedTest(name = "{0} --help")
    @ValueSource(strings = {"train", "predict", "eval", "report", "info", "bench"})
    void helpIsACleanPage(String command) {
        PrintStream systemErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Cli run;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            run = Cli.run(command, "--help");
        } finally {
            System.setErr(systemErr);
        }
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().startsWith("Usage: myelin " + command), run.transcript());
        assertEquals("", run.err(), run.transcript());
        assertEquals("", captured.toString(StandardCharsets.UTF_8), "System.err during " + command + " --help");
    }
}
