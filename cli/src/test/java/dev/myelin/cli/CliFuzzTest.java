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
import java.util.List;
import java.util.Random;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz of the commands that read files, run in-process: {@code train} and {@code predict} on edited CSV files,
 * {@code predict} with edited model files. Each run exits 0 with a complete result, or 2 with exactly one
 * {@code myelin: } line on stderr, nothing on stdout and no file written — never 1 (an internal error and its
 * stack trace), never a hang. {@code train} may also stop with 4 (diverged) on valid data whose huge values blow
 * up the loss, saving nothing. Each test runs over fixed seeds and draws its edits from {@code new Random(seed)}
 * through {@link Mutation} (plain JUnit, no property-testing library: see {@link Mutation} for why), so CI sees the
 * same inputs every run; a failure names its seed and shows the edited file, as there is no shrinking.
 */
class CliFuzzTest {

    /** A hang fails the case; far above a run's milliseconds, so that load cannot fake one (see ReaderFuzzTest). */
    private static final Duration BOUND = Duration.ofSeconds(30);

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

    @TempDir
    static Path dir;

    @BeforeAll
    static void quietKernelLog() {
        KERNEL_LOG.setLevel(Level.WARNING);
    }

    @AfterAll
    static void restoreKernelLog() {
        KERNEL_LOG.setLevel(null);
    }

    static LongStream seeds() {
        return LongStream.range(0, 50);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void trainOnAnEditedFileSavesAModelOrFailsInOneLine(long seed) {
        fuzz(seed, XOR, CliFuzzTest::train);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void predictOnAnEditedFilePrintsEveryRowOrFailsInOneLine(long seed) {
        fuzz(seed, LABELLED, csv -> predict(SOFTMAX.getBytes(StandardCharsets.UTF_8), csv));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void predictWithAnEditedModelPrintsEveryRowOrFailsInOneLine(long seed) {
        fuzz(seed, SOFTMAX, model -> predict(model, LABELLED.getBytes(StandardCharsets.UTF_8)));
    }

    /** One case: {@code file} with the seed's edits (any kind, or injections), given to {@code run}. */
    private static void fuzz(long seed, String file, Case run) {
        Random r = new Random(seed);
        List<Mutation> edits = r.nextBoolean() ? Mutation.lists(r, 4) : Mutation.injections(r, 2);
        byte[] bytes = Mutation.applyAll(file.getBytes(StandardCharsets.UTF_8), edits);
        Mutation.check(seed, "edits " + edits + " give " + Mutation.show(bytes), () -> run.on(bytes));
    }

    /** A run of a command on an edited file, with its checks. */
    private interface Case {
        void on(byte[] edited) throws IOException;
    }

    private static void train(byte[] csv) throws IOException {
        Path data = write("train.csv", csv);
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

    /** Exit 0 with a header and one complete line per row, or a one-line error and nothing on stdout. */
    private static void predict(byte[] modelFile, byte[] csv) throws IOException {
        Path model = write("model.json", modelFile);
        Path data = write("data.csv", csv);
        Cli run = run("predict", "--model", model.toString(), "--data", data.toString(), "--kernel", "scalar");
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

    private static Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }
}
