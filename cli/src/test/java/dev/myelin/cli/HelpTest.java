package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command's help is a clean page on stdout: nothing on stderr, not even picocli's own warnings, which it
 * prints to System.err when a description holds a lone '%' (it formats descriptions; "4.3 % in" once gave three
 * "[picocli WARN] Could not format" lines above train's help).
 */
class HelpTest {

    /** Every subcommand Main knows, and the top level ("" below). */
    static Stream<String> commands() {
        return Stream.concat(Stream.of(""), Main.commandLine().getSubcommands().keySet().stream());
    }

    @ParameterizedTest(name = "myelin {0} --help")
    @MethodSource("commands")
    void helpIsACleanPage(String command) {
        PrintStream systemErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Cli run;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            run = command.isEmpty() ? Cli.run("--help") : Cli.run(command, "--help");
        } finally {
            System.setErr(systemErr);
        }
        assertEquals(0, run.exitCode(), run.transcript());
        assertTrue(run.out().contains(command.isEmpty() ? "Usage: myelin" : "Usage: myelin " + command),
                run.transcript());
        assertEquals("", run.err(), run.transcript());
        assertEquals("", captured.toString(StandardCharsets.UTF_8), "System.err during " + command + " --help");
    }

    /**
     * Help and the version are the reader's to cut short ({@code myelin train --help | head -1}): a closed pipe
     * then is no error; for every other command it is (the output asked for is incomplete).
     */
    @org.junit.jupiter.api.Test
    void helpAndTheVersionAreTheReadersToCutShort() {
        for (String[] args : new String[][] {{"--help"}, {"train", "--help"}, {"help", "train"}, {"--version"},
                {"bench", "-h"}}) {
            picocli.CommandLine cli = Main.commandLine();
            assertTrue(Main.askedForHelp(cli.parseArgs(args)), String.join(" ", args));
        }
        for (String[] args : new String[][] {{"train", "--epochs", "1"}, {"info"}}) {
            picocli.CommandLine cli = Main.commandLine();
            org.junit.jupiter.api.Assertions.assertFalse(Main.askedForHelp(cli.parseArgs(args)), String.join(" ", args));
        }
        org.junit.jupiter.api.Assertions.assertFalse(Main.askedForHelp(null), "a command line that did not parse");
    }
}
