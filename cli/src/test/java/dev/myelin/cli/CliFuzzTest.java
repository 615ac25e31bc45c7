package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.nn.ModelFile;
import dev.myelin.nn.Mutation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzz of the commands that read files, run in-process: {@code train} and {@code predict} on edited CSV files,
 * {@code predict} with edited model files. Each run exits 0 with a complete result, or 2 with exactly one
 * {@code myelin: } line on stderr, nothing on stdout and no file written — never 1 (an internal error and its
 * stack trace), never a hang. {@code train} may also stop with 4 (diverged) on valid data whose huge values blow
 * up the loss, saving nothing. Seeds are fixed, so CI sees the same inputs every run.
 */
class CliFuzzTest {

    /** A run on these files takes milliseconds; only a hang reaches this. */
    private static final Duration BOUND = Duration.ofSeconds(5);

    /** XOR with a header, for train's default loss (BCE, the last column the label). */
    private static final String XOR = "x1,x2,y\n0,0,0\n0,1,1\n\n1,0,1\r\n\"1\",1,0\n";
    /** Softmax over two classes from two inputs. */
    private static final String SOFTMAX = """
            {"format": "myelin-model", "version": 1, "layers": [{"type": "dense", "inputs": 2, "outputs": 2,
              "activation": "softmax", "weights": [[-1, 1], [0.5, 0]], "bias": [0, 1e-3]}]}
            """;
    /** Features and classes for {@link #SOFTMAX}. */
    private static final String LABELLED = "x0,x1,class\n1,0,1\n-1,0.5,0\n2,-3,1\n";

    /** The kernel line that every run logs to stderr (System.Logger "dev.myelin.cli"), quiet while this runs. */
    private static final Logger KERNEL_LOG = Logger.getLogger("dev.myelin.cli");

    private static Path dir;

    @BeforeContainer
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("myelin-cli-fuzz");
        KERNEL_LOG.setLevel(Level.WARNING);
    }

    @AfterContainer
    static void removeDir() throws IOException {
        KERNEL_LOG.setLevel(null);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Property(tries = 50, seed = "20260201")
    void trainOnAnEditedFileSavesAModelOrFailsInOneLine(@ForAll("edits") List<Mutation> edits) throws IOException {
        Path data = write("train.csv", Mutation.applyAll(XOR.getBytes(StandardCharsets.UTF_8), edits));
        Path save = dir.resolve("model.json");
        Files.deleteIfExists(save);
        Cli run = run("train", "--data", data.toString(), "--epochs", "1", "--kernel", "scalar", "--save",
                save.toString());
        if (run.exitCode() == 0) {
            assertEquals(2, ModelFile.read(save).inputs(), "the saved model reads back");
            return;
        }
        assertFalse(Files.exists(save), "a failed run wrote " + save + "\n" + run.transcript());
        if (run.exitCode() == TrainCommand.DIVERGED) { // valid data with huge values (e.g. -2147483649): documented
            assertTrue(run.err().lines().allMatch(l -> l.startsWith(Main.PREFIX)), run.transcript());
            return;
        }
        assertOneLineError(run);
    }

    @Property(tries = 50, seed = "20260202")
    void predictOnAnEditedFilePrintsEveryRowOrFailsInOneLine(@ForAll("edits") List<Mutation> edits)
            throws IOException {
        Path model = write("model.json", SOFTMAX.getBytes(StandardCharsets.UTF_8));
        Path data = write("data.csv", Mutation.applyAll(LABELLED.getBytes(StandardCharsets.UTF_8), edits));
        checkPredict(run("predict", "--model", model.toString(), "--data", data.toString(), "--kernel", "scalar"));
    }

    @Property(tries = 50, seed = "20260203")
    void predictWithAnEditedModelPrintsEveryRowOrFailsInOneLine(@ForAll("edits") List<Mutation> edits)
            throws IOException {
        Path model = write("model.json", Mutation.applyAll(SOFTMAX.getBytes(StandardCharsets.UTF_8), edits));
        Path data = write("data.csv", LABELLED.getBytes(StandardCharsets.UTF_8));
        checkPredict(run("predict", "--model", model.toString(), "--data", data.toString(), "--kernel", "scalar"));
    }

    /** Exit 0 with a header and one complete line per row, or a one-line error and nothing on stdout. */
    private static void checkPredict(Cli run) {
        if (run.exitCode() != 0) {
            assertOneLineError(run);
            return;
        }
        List<String> lines = run.outLines();
        assertTrue(lines.size() >= 2, "a header and at least one row\n" + run.transcript());
        int fields = lines.get(0).split(",", -1).length;
        for (String line : lines) {
            assertEquals(fields, line.split(",", -1).length, "a complete row: " + line + "\n" + run.transcript());
        }
    }

    /** Exit 2, stderr exactly one {@code myelin: } line, stdout empty: the data is checked before any output. */
    private static void assertOneLineError(Cli run) {
        assertEquals(Main.USER_ERROR, run.exitCode(), run.transcript());
        List<String> err = run.err().lines().toList();
        assertEquals(1, err.size(), "stderr is one line\n" + run.transcript());
        assertTrue(err.get(0).startsWith(Main.PREFIX), run.transcript());
        assertEquals(1, run.err().split("\\R", -1).length - 1, "no other line break\n" + run.transcript());
        assertEquals("", run.out(), "nothing on stdout\n" + run.transcript());
    }

    private static Cli run(String... args) {
        return assertTimeoutPreemptively(BOUND, () -> Cli.run(args));
    }

    @Provide
    Arbitrary<List<Mutation>> edits() {
        return Arbitraries.oneOf(Mutation.lists(4), Mutation.injections(2));
    }

    private static Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }
}
