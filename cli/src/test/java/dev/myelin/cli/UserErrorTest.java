package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every user error: exit code 2, one "myelin: " message on stderr naming what is wrong (file:line for data),
 * no stack trace, and no model file written.
 */
class UserErrorTest {

    @TempDir
    static Path dir;

    /** Files the cases refer to as {@code @name}. */
    @BeforeAll
    static void files() throws IOException {
        write("xor.csv", "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
        write("bad-cell.csv", "a,b,y\n0,0,0\n0,abc,1\n");
        write("ragged.csv", "0,0,0\n0,1,1\n1,0\n");
        write("label-two.csv", "a,b,y\n0,0,0\n0,1,2\n");
        write("classes.csv", "0,0,0\n0,1,1\n1,0,5\n");
        write("empty.csv", "a,b,y\n");
        write("three-columns.csv", "x,y,z\n1,2,3\n");
        write("four-columns.csv", "a,b,c,d\n1,2,3,4\n");
        write("one-column.csv", "a\n1\n2\n");
        write("comment-first.csv", "# a comment\n1,2,0\n3,4,1\n");
        write("long-header.csv", "a,b,c,note\n1,2,0\n3,4,1\n");
        write("features-bad.csv", "a,b\n0,0\n0,x\n");
        write("not-json.json", "{ \"format\": ");
        write("wrong-format.json", "{\"format\":\"keras\",\"version\":1,\"layers\":[]}");
        write("shape.json", "{\"format\":\"myelin-model\",\"version\":1,\"layers\":[{\"type\":\"dense\",\"inputs\":2,"
                + "\"outputs\":1,\"activation\":\"sigmoid\",\"weights\":[[0.5],[0.25],[1]],\"bias\":[0.1]}]}");
        write("sigmoid.json", "{\"format\":\"myelin-model\",\"version\":1,\"layers\":[{\"type\":\"dense\",\"inputs\":2,"
                + "\"outputs\":1,\"activation\":\"sigmoid\",\"weights\":[[0.5],[0.25]],\"bias\":[0.1]}]}");
        write("three-inputs.json", "{\"format\":\"myelin-model\",\"version\":1,\"layers\":[{\"type\":\"dense\","
                + "\"inputs\":3,\"outputs\":1,\"activation\":\"sigmoid\",\"weights\":[[0.5],[0.25],[1]],\"bias\":[0]}]}");
        write("metrics.json", "{\"format\":\"myelin-metrics\",\"version\":1,\"model\":\"2→1\",\"epochs\":[]}");
        write("inexact-class.csv", "a,b,y\n0,0,0\n0,1,2.0000001\n");
        write("inexact-bce.csv", "a,b,y\n0,0,0\n0,1,0.99999999\n");
        Files.write(dir.resolve("binary.csv"), new byte[] {0, 0, 8, 3, 0, 0, 0, 1});
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write("a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n".getBytes(StandardCharsets.UTF_8));
        }
        Files.write(dir.resolve("cut.csv.gz"), Arrays.copyOf(gz.toByteArray(), gz.size() - 6));
        Files.createDirectory(dir.resolve("a-directory"));
    }

    private static void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
    }

    static Stream<Arguments> trainErrors() {
        return Stream.of(
                // picocli: the message, suggestions, and where the help is (not the 20-line synopsis)
                errorCase("--bogus", "Unknown option: '--bogus' (see 'myelin train --help')"),
                errorCase("--epoch 3", "Unknown options: '--epoch', '3'; did you mean --epochs or --eps?"),
                errorCase("--epochs 99999999999", "'99999999999' is out of range: above 2147483647, the most an int holds"),
                errorCase("--layers 4,8,3 --layers 4,3", "--layers is given 2 times (4,8,3, 4,3); give it once"),
                errorCase("--epochs abc", "--epochs", "'abc' is not an int"),
                // Java's parsing takes other scripts' digits; a count is ASCII
                errorCase("--epochs \u0663", "--epochs", "'\u0663' is not an int"),
                errorCase("--batch-size \uff11\uff12", "--batch-size", "'\uff11\uff12' is not an int"),
                errorCase("--layers 2,\u0664,1", "--layers", "'\u0664' is not an int"),
                errorCase("--seed \u0967", "--seed", "'\u0967' is not a long"),
                errorCase("--epochs -99999999999", "'-99999999999' is out of range: below -2147483648, the least an int holds"),
                errorCase("--seed 99999999999999999999",
                        "'99999999999999999999' is out of range: above 9223372036854775807, the most a long holds"),
                errorCase("--epochs +", "'+' is not an int"),
                errorCase("--layers 2,4,1,", "--layers 2,4,1,: an empty size between commas"),
                errorCase("--preset fancy", "unknown preset 'fancy'", "document, xor, fashion-mnist, none"),
                // the layers the user did not give are named as the preset's
                errorCase("--preset xor --loss ce", "the preset's layers 2,4,1 (--preset xor; --layers gives others)"
                        + " has 1 outputs but the XOR data has 2 classes"),
                errorCase("--loss hinge", "unknown loss 'hinge'", "bce, ce, mse"),
                errorCase("--activation swish", "unknown activation 'swish'"),
                errorCase("--init-method zeros", "unknown init 'zeros'"),
                errorCase("--log-format xml", "unknown log format 'xml'"),
                errorCase("--gradients median", "unknown gradient convention 'median'"),
                errorCase("--layers 2,x,1", "--layers", "'x' is not an int"),
                errorCase("stray", "Unmatched argument", "'stray'"),
                // values
                errorCase("--epochs 0", "--epochs must be at least 1, got 0"),
                errorCase("--lr -0.5", "--lr must be finite and greater than 0, got -0.5"),
                errorCase("--lr NaN", "--lr must be finite and greater than 0"),
                errorCase("--batch-size -1", "--batch-size must be at least 0"),
                errorCase("--log-every 0", "--log-every must be at least 1"),
                errorCase("--seed -1", "--seed must be in [0, 4294967295]"),
                errorCase("--seed 4294967296", "--seed must be in"),
                errorCase("--activation softmax", "softmax is for the output layer only"),
                errorCase("--activation swish", "unknown activation 'swish' (expected one of identity, sigmoid, tanh,"
                        + " relu)"),
                // a name ending in '/' names a folder: never a file of that name written or read in its place
                errorCase("--data @xor.csv/", "Invalid value for option '--data'", "ends in '/', which names a folder,"
                        + " but " + dir.resolve("xor.csv") + " is not a folder; for a file, leave the '/' out"),
                errorCase("--data @xor.csv --save @no-such-folder/", "--save", "there is no folder "
                        + dir.resolve("no-such-folder")),
                // an activation for hidden layers, and the model has none: nothing would read it
                errorCase("--activation tanh", "--activation tanh: the preset's layers 2,1 (--preset document) has no"
                        + " hidden layer, and the output layer's activation follows from --loss; give --layers with a"
                        + " hidden layer (e.g. 2,4,1), or leave --activation out"),
                errorCase("--layers 2,1 --activation relu", "--activation relu: --layers 2,1 has no hidden layer"),
                errorCase("--data @xor.csv --activation relu", "--activation relu: the model --data makes without"
                        + " --layers (inputs,outputs) has no hidden layer"),
                errorCase("--layers 2", "--layers needs at least two sizes"),
                errorCase("--layers 2,0,1", "--layers 2,0,1", "at least 1"),
                errorCase("--kernel turbo", "--kernel: unknown kernel 'turbo'", "scalar"),
                errorCase("--threads 0", "--threads must be at least 1, got 0"),
                errorCase("--kernel parallel --threads -1", "--threads must be at least 1, got -1"),
                errorCase("--threads many", "--threads", "'many' is not an int"),
                errorCase("--threads 100000", "--threads=100000 is more than the", "threads allowed"),
                errorCase("--save /dev/full", "--save /dev/full", "it is a character device",
                        "only a regular file is replaced"),
                // options that the chosen optimizer or schedule would never read
                errorCase("--beta1 0.8", "--beta1 is used by --optimizer adam and adamw only, but the optimizer is sgd"),
                errorCase("--optimizer momentum --eps 1e-6", "--eps is used by --optimizer adam and adamw only",
                        "momentum"),
                errorCase("--preset fashion-mnist --optimizer sgd --beta2 0.99", "--beta2 is used by"),
                errorCase("--lr-gamma 0.5", "--lr-gamma is used by --schedule step only, but the schedule is constant"),
                errorCase("--schedule cosine --lr-step-size 3", "--lr-step-size is used by --schedule step only"),
                errorCase("--schedule step --lr-min 0.01", "--lr-min is used by --schedule cosine only, but the"
                        + " schedule is step"),
                // a NaN is not "above" anything: the option's own check says what is wrong with it
                errorCase("--schedule cosine --lr-min NaN", "--lr-min must be finite and at least 0, got NaN"),
                // Python's and numpy's spellings of NaN and infinity are read as numbers, and refused as such
                errorCase("--lr nan", "--lr must be finite and greater than 0, got NaN"),
                errorCase("--lr -INF", "--lr must be finite and greater than 0, got -Infinity"),
                errorCase("--lr +inf", "--lr must be finite and greater than 0, got Infinity"),
                errorCase("--lr fast", "--lr", "'fast' is not a double"),
                // Java's literal forms, which the CSV reader refuses in a cell, are not numbers here either
                errorCase("--lr 0.1f", "--lr", "'0.1f' is not a double"),
                errorCase("--lr 1d", "--lr", "'1d' is not a double"),
                errorCase("--lr 0x1p-3", "--lr", "'0x1p-3' is not a double"),
                errorCase("--momentum 0.5F", "--momentum", "'0.5F' is not a double"),
                errorCase("--lr 1e", "--lr", "'1e' is not a double"),
                errorCase("--lr .", "--lr", "'.' is not a double"),
                errorCase("--schedule cosine --lr 0.1 --lr-min 5", "--lr-min 5.0 is above --lr 0.1: --schedule cosine"
                        + " anneals the rate down from --lr to --lr-min"),
                errorCase("--save=", "Invalid value for option '--save': empty file name"),
                // options that would do nothing here
                errorCase("--log-format json --log-every 3", "--log-every thins the text log; --log-format json"
                        + " writes one line for every epoch"),
                errorCase("--loss mse --per-class", "--per-class counts classes, and mse has none"),
                errorCase("--data @a-directory --header", "--header is about CSV files, but --data ",
                        "a-directory is an IDX folder"),
                errorCase("--preset xor --no-header", "--no-header is about CSV files, but this run reads none"
                        + " (without --data the training data are the preset's or the built-in XOR points)"),
                errorCase("--header", "--header is about CSV files, but this run reads none"),
                // outputs that could not be written are refused before training, as --save is
                errorCase("--metrics @no-such-dir/m.json", "--metrics", "no-such-dir", "does not exist"),
                errorCase("--metrics @a-directory", "--metrics", "is a directory"),
                errorCase("--checkpoint @no-such-dir/c.json", "--checkpoint", "no-such-dir", "does not exist"),
                // architecture against the XOR points
                errorCase("--layers 3,4,1", "--layers 3,4,1 takes 3 inputs but the XOR data has 2 input columns"),
                errorCase("--layers 2,4,2", "--layers 2,4,2 has 2 outputs but the XOR data has 1 target column"),
                // files
                errorCase("--data /nonexistent.csv", "--data /nonexistent.csv: file not found"),
                errorCase("--data @missing.csv", "--data ", "missing.csv: file not found"),
                errorCase("--data @a-directory --loss bce", "a-directory: is a folder without IDX files; a data"
                        + " folder holds train-images-idx3-ubyte"),
                // a folder makes ce the default loss: the folder is named before the loss's output count
                errorCase("--data @a-directory --layers 3,4,1", "a-directory: is a folder without IDX files"),
                errorCase("--data @a-directory --layers 3,4,10", "a-directory: is a folder without IDX files"),
                // the preset gave the layers: the message says so
                errorCase("--preset document --data @four-columns.csv", "four-columns.csv:2: has 4 columns but the"
                        + " model needs 2 inputs + 1 label column; the model is the preset's layers 2,1 (--preset"
                        + " document; --layers gives others)"),
                errorCase("--data @a-directory", "a-directory", "train-images-idx3-ubyte"), // ce: IDX holds classes
                errorCase("--data @a-directory --loss ce --layers 784,10", "a-directory", "train-images-idx3-ubyte"),
                errorCase("--data @bad-cell.csv", "bad-cell.csv:3:", "'abc' is not a number"),
                errorCase("--data @ragged.csv", "ragged.csv:3:", "ragged row"),
                errorCase("--data @label-two.csv", "label-two.csv:3:", "label 2 is not 0 or 1"),
                errorCase("--data @empty.csv", "empty.csv: no data rows"),
                errorCase("--data @inexact-class.csv --loss ce --layers 2,3",
                        "inexact-class.csv:3: class '2.0000001' is not an integer"),
                errorCase("--data @inexact-bce.csv", "inexact-bce.csv:3: label '0.99999999' is not 0 or 1"),
                errorCase("--data @binary.csv", "binary.csv: not a text file (a zero byte at offset 0)"),
                errorCase("--data @cut.csv.gz", "cut.csv.gz: the gzip data ends early (the file is cut short)"),
                errorCase("--data @xor.csv --layers 3,4,1", "~xor\\.csv:[12]:", "has 3 columns", "3 inputs"),
                errorCase("--data @xor.csv --loss ce", "--loss ce with --data needs --layers"),
                errorCase("--data @xor.csv --layers 2,4,2 --loss bce", "~xor\\.csv:[12]:", "has 3 columns",
                        "2 inputs + 2 label columns"), // bce with 2 outputs: two 0/1 label columns
                errorCase("--layers 2,4,2 --loss bce", "--layers 2,4,2 has 2 outputs but the XOR data has 1 target"
                        + " column"),
                errorCase("--data @classes.csv --loss ce --layers 2,4,3", "classes.csv:3:", "class 5 is outside [0, 3)"),
                errorCase("--data @xor.csv --loss ce --layers 2,1", "--loss ce needs at least 2 classes"),
                errorCase("--init @missing.json", "--init ", "missing.json: file not found"),
                errorCase("--data @xor.csv --test @missing.csv", "--test ", "missing.csv: file not found"),
                errorCase("--data @xor.csv --resume @missing.json", "--resume ", "missing.json: file not found"),
                errorCase("--init @not-json.json", "not-json.json", "not valid JSON"),
                errorCase("--init @wrong-format.json", "wrong-format.json", "\"format\""),
                errorCase("--init @shape.json", "shape.json", "weights has 3 rows but inputs is 2"),
                errorCase("--init @sigmoid.json --loss ce", "loss ce needs a softmax output layer",
                        "sigmoid.json", "its loss would be bce"),
                errorCase("--init @three-inputs.json", "three-inputs.json takes 3 inputs but the XOR data has 2"),
                errorCase("--save @no-such-dir/model.json", "--save", "no-such-dir", "does not exist"),
                errorCase("--save @a-directory", "--save", "is a directory"),
                // a file given as a folder is named as what it is, not as a folder that does not exist
                errorCase("--save @xor.csv/model.json", "--save", "xor.csv is not a directory"),
                // a data folder stands for its IDX files, plain or .gz, whether there or not
                errorCase("--data @a-directory --save @a-directory/train-images-idx3-ubyte", "--data ",
                        "a-directory/train-images-idx3-ubyte and --save ", "are the same file: writing it would"
                        + " destroy what is read; give --save another file"),
                errorCase("--data @xor.csv --test @a-directory --metrics @a-directory/t10k-labels-idx1-ubyte.gz",
                        "--test ", "t10k-labels-idx1-ubyte.gz and --metrics ", "are the same file"));
    }

    private static Arguments errorCase(String args, String... expected) {
        return Arguments.of(args, expected);
    }

    /** A file name of blanks only (an unset variable in quotes) would write files no listing shows: refused. */
    @Test
    void aFileNameOfBlanksOnlyIsRefused() {
        for (String option : List.of("--save", "--metrics", "--data")) {
            Cli run = Cli.run("train", "--epochs", "1", option, "  ");
            assertEquals(Main.USER_ERROR, run.exitCode(), run.transcript());
            assertTrue(run.err().contains("a file name of blanks only ('  ')"), run.transcript());
        }
    }

    /** Every decimal spelling of a real option's value is read as the number it writes: the same run as 0.5. */
    @ParameterizedTest(name = "train --lr {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {".5", "0.50", "5e-1", "5.E-1", "+0.5", "50e-2"})
    void decimalSpellingsAreTheSameNumber(String lr) {
        Cli reference = Cli.run("train", "--epochs", "3", "--lr", "0.5");
        Cli run = Cli.run("train", "--epochs", "3", "--lr", lr);
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(reference.out(), run.out());
    }

    /** A bad command line is one line, as every user error: the message, suggestions and where the help is. */
    @ParameterizedTest(name = "train {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"--bogus", "--epoch 3", "--epochs abc",
            "--epochs 99999999999", "--lr", "--layers 2,x"})
    void aBadCommandLineIsOneLine(String args) {
        List<String> argv = new ArrayList<>(List.of("train"));
        argv.addAll(expand(args));
        Cli run = Cli.run(argv.toArray(String[]::new));
        assertUserError(run, "(see 'myelin train --help')");
        assertEquals(1, run.err().lines().count(), run.transcript());
    }

    /** A value with a line break (a shell's $'5\n') is shown escaped: the message stays one line. */
    @Test
    void aValueWithALineBreakIsShownEscaped() {
        Cli run = Cli.run("train", "--epochs", "5\n", "--seed", "1\r\t2");
        assertUserError(run, "'5\\n' is not an int");
        assertEquals(1, run.err().lines().count(), run.transcript());
    }

    /**
     * An output named with a trailing '/' over an existing file (--save notes.txt/) leaves the file as it was:
     * Path.of drops the separator, so without the check the model would replace notes.txt.
     */
    @Test
    void anOutputEndingInASlashNeverReplacesTheFileOfThatName() throws IOException {
        Path notes = dir.resolve("notes.txt");
        Files.writeString(notes, "precious");
        for (String option : List.of("--save", "--checkpoint", "--metrics")) {
            Cli run = Cli.run("train", "--data", dir.resolve("xor.csv").toString(), "--epochs", "1", option,
                    notes + "/");
            assertUserError(run, option, "is not a folder");
            assertEquals("precious", Files.readString(notes), option);
            assertFalse(Files.exists(dir.resolve("notes.txt.ckpt.json")), option);
        }
    }

    /** A file name with a line break in it is shown escaped: the message stays one line. */
    @Test
    void aFileNameWithALineBreakIsShownEscaped() {
        Cli run = Cli.run("train", "--data", dir.resolve("a\nb.csv").toString());
        assertUserError(run, "a\\nb.csv: file not found");
        assertEquals(1, run.err().lines().count(), run.transcript());
    }

    /** Links that go round in a loop are named as such, on input and on output, with the link the user gave. */
    @Test
    void aLoopOfLinksIsNamedAsOne() throws IOException {
        Path self = dir.resolve("loop.csv");
        Path l1 = dir.resolve("l1.json");
        Path l2 = dir.resolve("l2.json");
        Files.createSymbolicLink(self, self.getFileName());
        Files.createSymbolicLink(l1, l2.getFileName());
        Files.createSymbolicLink(l2, l1.getFileName());
        try {
            Cli run = Cli.run("train", "--data", self.toString(), "--epochs", "1");
            assertUserError(run, self + ": a link that cannot be followed: too many levels of symbolic links");
            run = Cli.run("predict", "--model", l1.toString(), "--data", dir.resolve("xor.csv").toString());
            assertUserError(run, l1 + ": a link that cannot be followed");
            run = Cli.run("train", "--data", dir.resolve("xor.csv").toString(), "--epochs", "1", "--save",
                    l1.toString());
            assertUserError(run, "cannot write " + l1 + ": too many levels of symbolic links");
            assertFalse(run.err().contains("a link to"), run.transcript());
        } finally {
            Files.delete(self);
            Files.delete(l1);
            Files.delete(l2);
        }
    }

    @ParameterizedTest(name = "train {0}")
    @MethodSource("trainErrors")
    void trainUserError(String args, String[] expected) {
        Path save = dir.resolve("must-not-exist.json");
        List<String> argv = new ArrayList<>(List.of("train"));
        argv.addAll(expand(args));
        if (!args.contains("--save")) {
            argv.addAll(List.of("--save", save.toString()));
        }
        Cli run = Cli.run(argv.toArray(String[]::new));
        assertUserError(run, expected);
        assertFalse(Files.exists(save), "--save target written");
        assertFalse(Files.exists(dir.resolve("no-such-dir")));
        assertTrue(run.outLines().stream().noneMatch(l -> l.startsWith("Epoch")), "no training: " + run.transcript());
    }

    static Stream<Arguments> otherErrors() {
        return Stream.of(
                errorCase("", "missing command (train, predict, eval, report, info or bench; see 'myelin --help')"),
                errorCase("fly", "unknown command 'fly' (the commands: "),
                errorCase("trian", "unknown command 'trian'", "did you mean train?"),
                // an unknown option is named before the required option it was meant to be
                errorCase("report --metric @m.json --out @c.png", "Unknown option: '--metric'", "did you mean",
                        "--metrics"),
                errorCase("report --nosuch", "Unknown option: '--nosuch'"),
                errorCase("predict --modle @sigmoid.json --data @xor.csv", "Unknown option: '--modle'",
                        "--model"),
                errorCase("predict --data @xor.csv", "Missing required option: '--model=MODEL.json'"),
                errorCase("predict --model @sigmoid.json", "Missing required option: '--data=FILE|DIR'"),
                errorCase("predict --model @missing.json --data @xor.csv", "--model ", "missing.json: file not found"),
                errorCase("predict --model @sigmoid.json --data @four-columns.csv", "four-columns.csv: has 4 columns",
                        "takes 2 inputs (features only) or 3 (features and the label column)"),
                errorCase("predict --model @sigmoid.json --data @one-column.csv", "one-column.csv: has 1 column but",
                        "takes 2 inputs (features only) or 3 (features and the label column)"),
                // a first row that the data rows disagree with is named by its line, not counted as the file's
                errorCase("predict --model @sigmoid.json --data @comment-first.csv", "comment-first.csv:2: ragged row:"
                        + " 3 columns but the header (line 1) has 1"),
                errorCase("predict --model @sigmoid.json --data @long-header.csv", "long-header.csv:2: ragged row:"
                        + " 3 columns but the header (line 1) has 4"),
                errorCase("predict --model @sigmoid.json --data @label-two.csv", "label-two.csv:3:",
                        "label 2 is not 0 or 1"),
                errorCase("predict --model @a-directory --data @xor.csv", "a-directory: is a directory",
                        "expected a model file"),
                errorCase("predict --model @sigmoid.json --data @xor.csv --format xml", "unknown format 'xml'"),
                errorCase("predict --model @sigmoid.json --data @xor.csv --threads 100000",
                        "--threads=100000 is more than the", "threads allowed"),
                errorCase("predict --model @sigmoid.json --data @features-bad.csv", "features-bad.csv:3:",
                        "'x' is not a number"),
                errorCase("predict --model @sigmoid.json --data @missing.csv", "--data ", "missing.csv: file not found"),
                errorCase("eval --model @missing.json --data @xor.csv", "--model ", "missing.json: file not found"),
                errorCase("eval --model @sigmoid.json --data @missing.csv", "--data ", "missing.csv: file not found"),
                errorCase("report --metrics @missing.json --out @c.png", "--metrics ", "missing.json: file not found"),
                errorCase("predict --model @not-json.json --data @xor.csv", "not-json.json", "not valid JSON"),
                errorCase("predict --model= --data @xor.csv", "Invalid value for option '--model': empty file name"),
                errorCase("eval --model @metrics.json --data @xor.csv", "metrics.json: is a metrics file, not a model"
                        + " file"),
                errorCase("report --metrics @metrics.json --out @curves.jpg", "--out ", "curves.jpg: report writes PNG"
                        + " images; give a file name ending in .png"),
                errorCase("predict --model @sigmoid.json --data @xor.csv --kernel turbo", "--kernel: unknown kernel 'turbo'"),
                errorCase("predict --model @sigmoid.json --data @xor.csv --threads 0",
                        "--threads must be at least 1, got 0"),
                errorCase("train --checkpoint-every 2", "--checkpoint-every needs a checkpoint file"),
                errorCase("predict --model @sigmoid.json --data @a-directory --no-header", "--no-header is about CSV"
                        + " files"),
                errorCase("predict --model @sigmoid.json --data @a-directory", "a-directory: is a folder without IDX"
                        + " files"),
                errorCase("eval --model @sigmoid.json --data @a-directory", "a-directory: is a folder without IDX"
                        + " files"),
                errorCase("bench --shapes 1x2", "--shapes: '1x2' is not m×k×n"),
                errorCase("bench --kernels turbo", "--kernels: unknown kernel 'turbo'"),
                errorCase("bench --threads 100000", "--threads=100000 is more than the"),
                errorCase("bench --activation softmax", "softmax is for the output layer only"),
                errorCase("report --metrics @metrics.json --out @xor.csv/", "--out", "xor.csv is not a folder"),
                errorCase("info --verbose", "Unknown option: '--verbose'"));
    }

    @ParameterizedTest(name = "myelin {0}")
    @MethodSource("otherErrors")
    void otherUserError(String args, String[] expected) {
        Cli run = Cli.run(expand(args).toArray(String[]::new));
        assertUserError(run, expected);
        assertEquals("", run.out(), "nothing on stdout");
    }

    @Test
    void aBugIsExitOneWithItsStackTrace() throws Exception {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cmd = Main.commandLine();
        cmd.setErr(new java.io.PrintWriter(err, true));
        int code = cmd.getExecutionExceptionHandler()
                .handleExecutionException(new IllegalStateException("broken invariant"), cmd, null);
        assertEquals(1, code);
        assertTrue(err.toString().contains("IllegalStateException: broken invariant"), err.toString());
        assertTrue(err.toString().contains("\tat "), err.toString());
    }

    @Test
    void twoOutputsThatLandOnOneFileNotYetWrittenAreTheSameFile() throws IOException {
        // a link to a checkpoint not written yet, and a linked folder: neither file exists, both land on one
        Path checkpoint = dir.resolve("land-ckpt.json");
        Path link = Files.createSymbolicLink(dir.resolve("land-link.json"), checkpoint.getFileName());
        Cli linked = Cli.run("train", "--epochs", "1", "--checkpoint", checkpoint.toString(), "--metrics",
                link.toString());
        assertUserError(linked, "--checkpoint " + checkpoint + " and --metrics " + link + " are the same file");
        Path folder = Files.createSymbolicLink(dir.resolve("land-folder"), dir);
        Cli viaFolder = Cli.run("train", "--epochs", "1", "--save", dir.resolve("land-m.json").toString(),
                "--metrics", folder.resolve("land-m.json").toString());
        assertUserError(viaFolder, "are the same file");
        assertFalse(Files.exists(checkpoint) || Files.exists(dir.resolve("land-m.json")), "nothing written");
    }

    @Test
    void anOutputThatIsAlsoAnInputOrAnotherOutputIsRefusedAndNothingIsWritten() throws IOException {
        Path data = dir.resolve("kept.csv");
        String text = "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n";
        Files.writeString(data, text);
        Path other = dir.resolve("other-spelling").resolve("..").resolve("kept.csv");
        Files.createDirectories(dir.resolve("other-spelling"));
        Path model = dir.resolve("distinct-model.json");
        List<String[]> cases = List.of(
                new String[] {"--save", data.toString()},
                new String[] {"--save", other.toString()},
                new String[] {"--metrics", data.toString()},
                new String[] {"--save", model.toString(), "--checkpoint", data.toString()},
                new String[] {"--save", model.toString(), "--metrics", model.toString()},
                new String[] {"--test", model.toString(), "--save", model.toString()});
        for (String[] extra : cases) {
            List<String> argv = new ArrayList<>(List.of("train", "--data", data.toString(), "--epochs", "2"));
            argv.addAll(Arrays.asList(extra));
            Cli run = Cli.run(argv.toArray(String[]::new));
            assertUserError(run, "are the same file");
            assertEquals(text, Files.readString(data), String.join(" ", argv));
            assertFalse(Files.exists(model), String.join(" ", argv));
        }
        Path checkpointData = Files.writeString(dir.resolve("run.ckpt.json"), text);
        Cli beside = Cli.run("train", "--data", checkpointData.toString(), "--save", dir.resolve("run.json").toString());
        assertUserError(beside, "the checkpoint beside --save", "give --checkpoint a file of its own, or --save"
                + " another name");
        assertEquals(text, Files.readString(checkpointData));
        Cli report = Cli.run("report", "--metrics", data.toString(), "--out", other.toString());
        assertUserError(report, "--metrics", "--out", "are the same file");
        assertEquals(text, Files.readString(data));
    }

    /** A checkpoint remembers its data: a resume on other data (one label changed) is refused, naming both. */
    @Test
    void aResumeOnOtherDataIsRefused() throws IOException {
        Path data = Files.writeString(dir.resolve("resume-data.csv"), "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
        Path changed = Files.writeString(dir.resolve("resume-changed.csv"), "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,1\n");
        Path model = dir.resolve("resume-model.json");
        Path checkpoint = dir.resolve("resume-model.ckpt.json");
        Cli first = Cli.run("train", "--data", data.toString(), "--epochs", "2", "--save", model.toString());
        assertEquals(0, first.exitCode(), first.transcript());
        Cli other = Cli.run("train", "--data", changed.toString(), "--epochs", "4", "--resume", checkpoint.toString());
        assertUserError(other, "--resume " + checkpoint + ": the checkpoint was trained on other data: 4 rows × 2"
                + " inputs → 1 outputs, hash ", "(the same shape, other values or order); resume on the data the run"
                + " started with");
        assertTrue(other.outLines().stream().noneMatch(l -> l.startsWith("Epoch")), other.transcript());
        // another kernel's arithmetic gives other bits: refused; blocked is the default parallel's arithmetic
        Cli scalar = Cli.run("train", "--data", data.toString(), "--epochs", "4", "--resume", checkpoint.toString(),
                "--kernel", "scalar");
        assertUserError(scalar, "the run computed with the parallel kernel, and scalar sums in another order",
                "give --kernel parallel");
        Cli blocked = Cli.run("train", "--data", data.toString(), "--epochs", "3", "--resume", checkpoint.toString(),
                "--kernel", "blocked", "--checkpoint", dir.resolve("resume-blocked.ckpt.json").toString());
        assertEquals(0, blocked.exitCode(), blocked.transcript());
        Cli standardized = Cli.run("train", "--data", data.toString(), "--epochs", "4", "--resume",
                checkpoint.toString(), "--standardize");
        assertUserError(standardized, "--standardize: the run did not standardise its inputs");
        Cli same = Cli.run("train", "--data", data.toString(), "--epochs", "4", "--resume", checkpoint.toString());
        assertEquals(0, same.exitCode(), same.transcript());
        // without --save or --checkpoint, the resumed run keeps writing the checkpoint it resumed from
        assertEquals(4, dev.myelin.nn.CheckpointFile.read(checkpoint).checkpoint().epochs(), same.transcript());
    }

    /**
     * A vector width above the CPU's (here made 128 bits by {@code -XX:MaxVectorSize=16}) is emulated, many times
     * slower: said once on stderr, and the command still works.
     */
    @Test
    void aVectorWidthAboveTheCpusIsAWarning() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        Path err = dir.resolve("emulated.err");
        for (String bits : new String[] {"256", "128"}) {
            ProcessBuilder builder = new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "-Xshare:auto",
                    "-XX:MaxVectorSize=16", "-Dmyelin.vectorBits=" + bits, "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "train", "--epochs", "2").redirectError(err.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            int code = builder.start().waitFor();
            String stderr = Files.readString(err);
            assertEquals(0, code, stderr);
            String warning = "256-bit vectors were asked for (-Dmyelin.vectorBits) but this CPU's are 128 bits: the"
                    + " Vector API emulates them, many times slower (the results are the same bits)";
            if (bits.equals("256")) {
                assertEquals(1, stderr.lines().filter(l -> l.contains(warning)).count(), "once: " + stderr);
            } else {
                assertFalse(stderr.contains("emulates"), stderr); // the CPU's own width: nothing to say
            }
        }
    }

    /**
     * Output that cannot be written (a full disk behind {@code > file}: /dev/full) is not success: exit 2 and one
     * line saying so, for a command that only prints (predict) and for train, whose model is saved all the same.
     */
    @Test
    void aStandardOutputThatCannotBeWrittenIsExitTwo() throws Exception {
        Path model = dir.resolve("stdout-model.json");
        for (List<String> args : List.of(List.of("predict", "--model", dir.resolve("sigmoid.json").toString(),
                "--data", dir.resolve("xor.csv").toString()), List.of("train", "--epochs", "3", "--save",
                model.toString()))) {
            String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home")
                    + "/bin/java");
            List<String> command = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector", "-Xshare:auto",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            command.addAll(args);
            Path err = dir.resolve("stdout-test.err");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(new File("/dev/full"))
                    .redirectError(err.toFile());
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            int code = builder.start().waitFor();
            String stderr = Files.readString(err);
            assertEquals(Main.USER_ERROR, code, args.get(0) + ": " + stderr);
            assertTrue(stderr.contains("myelin: cannot write standard output (a full disk, or the reader closed the"
                    + " pipe): the output is incomplete"), stderr);
            assertFalse(stderr.contains("\tat "), stderr);
        }
        assertTrue(Files.exists(model), "train saved its model");
    }

    @Test
    void aModelTooBigForTheHeapIsOneLineWithExitTwo() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        ChildCli run = ChildCli.runCommand(List.of(java, "-Xmx64m", "--add-modules=jdk.incubator.vector",
                "-Xshare:auto", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train",
                "--layers", "2,100000000,1", "--epochs", "1"), dir, Map.of());
        assertEquals(2, run.exitCode(), run.transcript());
        assertEquals(1, run.messages().size(), run.transcript());
        String line = run.messages().get(0);
        assertTrue(line.startsWith("myelin: out of memory") && line.contains("MYELIN_OPTS=-Xmx"), line);
        assertFalse(run.err().contains("\tat "), run.transcript());
    }

    private static void assertUserError(Cli run, String... expected) {
        assertEquals(2, run.exitCode(), run.transcript());
        String err = run.err();
        assertTrue(err.startsWith("myelin: "), run.transcript());
        for (String text : expected) {
            // "~regex" where the reader may name either of two lines (a header's or the first row's)
            boolean found = text.startsWith("~") ? java.util.regex.Pattern.compile(text.substring(1)).matcher(err).find()
                    : err.contains(text);
            assertTrue(found, "stderr lacks \"" + text + "\":\n" + run.transcript());
        }
        assertFalse(err.contains("Exception"), "exception name on stderr:\n" + run.transcript());
        assertFalse(err.contains("\tat "), "stack trace on stderr:\n" + run.transcript());
    }

    /**
     * Splits the case's arguments; {@code @name} is the file {@code name} in the temporary folder, a trailing '/'
     * kept (Path.resolve drops it).
     */
    private static List<String> expand(String args) {
        if (args.isBlank()) {
            return List.of();
        }
        return Arrays.stream(args.split(" "))
                .map(a -> a.startsWith("@") ? dir.resolve(a.substring(1)) + (a.endsWith("/") ? "/" : "") : a)
                .toList();
    }
}
