package dev.myelin.cli;

import dev.myelin.core.DenseOps;
import dev.myelin.nn.CsvData;
import dev.myelin.nn.DataException;
import dev.myelin.nn.Dataset;
import dev.myelin.nn.Evaluation;
import dev.myelin.nn.Header;
import dev.myelin.nn.Loss;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.ModelFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code myelin predict}: a header, then one line per input row; with labels, the accuracy on stderr. */
@Command(name = "predict",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = {"Run a saved model on a CSV file and print a header, then one line per row, each number"
                + " in the shortest digits that read back to its float, as numpy 1.x prints a float32 (0.8807971,"
                + " 4e-07): for a softmax model the most probable class and every class's probability"
                + " (class,p0,p1,…); for a one-output sigmoid model the class at threshold 0.5 (1 when p1 >= 0.5) and the"
                + " probability of 1 (class,p1); for any other model its outputs (y or y1,y2,…). NaN and"
                + " infinite outputs are written NaN, Infinity, -Infinity (strings in JSON). A row whose"
                + " output is NaN has no class: NaN (null in JSON), never counted right.",
                "When the file also has the label column(s), as the training file does, a label (or target)"
                        + " column follows the class (or outputs), and the accuracy (the mean squared error for"
                        + " regression, the bce loss for a sigmoid model of several outputs, whose labels are 0/1"
                        + " each) goes to stderr as one 'myelin: ' line after the table."})
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL.json", required = true,
            description = "Model file written by myelin train --save, or a checkpoint (its model).")
    Path model;

    @Option(names = "--data", paramLabel = "FILE|DIR", required = true,
            description = {"Numeric CSV, a header line optional: the model's inputs only, or the training file's"
                    + " layout with the label column(s) last; which one is told from the number of columns (a pipe"
                    + " is copied to a temporary file first, to count them). Or a"
                    + " folder of IDX files (MNIST layout), whose labelled t10k-* files are used."})
    Path data;

    @Option(names = "--format", paramLabel = "csv|json", defaultValue = "csv",
            converter = Converters.PredictFormatConverter.class,
            description = {"csv: a header row, then comma-separated rows; json: one JSON object per row, one per"
                    + " line (JSON Lines), e.g. {\"class\":1,\"probability\":0.998} (default: ${DEFAULT-VALUE})."})
    PredictionWriter.Format format;

    @Mixin
    KernelOptions kernels;

    @Mixin
    HeaderOptions headers;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        kernels.check();
        new DistinctFiles().reads("--model", model).reads("--data", data).check();
        Header header = headers.mode();
        headers.requireCsv("--data", data);
        Mlp mlp = ModelFile.readModelOrCheckpoint(model); // a checkpoint's model too
        PredictionWriter.Kind kind = PredictionWriter.Kind.of(mlp);
        Loss loss = Loss.forModel(mlp); // as eval reads the labels: a sigmoid model's are 0/1, however many
        int inputs = mlp.inputs();
        int n = mlp.outputs();
        int labelColumns = kind == PredictionWriter.Kind.VALUES ? n : 1;
        Dataset labelled = null;
        float[] x;
        // A pipe can be read only once, and the layout is told from the columns before the rows are read: its
        // bytes go to a temporary file first (only the owner may read it), and messages name the pipe. Devices
        // are read as they are: /dev/zero is "not a text file" at its first byte, not gigabytes in /tmp.
        Path spool = isPipe(data) ? spool(data) : null;
        Path source = spool != null ? spool : data;
        try {
            int[] counts = Files.isDirectory(source) ? new int[0] : CsvData.columnCounts(source, 2);
            int columns = counts.length == 0 ? -1 : counts[0];
            if (counts.length == 2 && counts[1] != columns
                    && (counts[1] == inputs + labelColumns || counts[1] == inputs)) {
                // a first row (a header, a comment line) that the data rows disagree with: their layout is read,
                // and the reader names the row that disagrees (file:line, "ragged row"), not a count of the first
                columns = counts[1];
            }
            if (Files.isDirectory(source) || columns == inputs + labelColumns) { // IDX, or the training layout
                labelled = DataFiles.evaluationData(source, loss, false, inputs, n, header);
                x = labelled.features();
            } else if (columns == inputs || columns < 0) {
                x = CsvData.readFeatures(source, inputs, header); // also the reader's message for a file it cannot read
            } else {
                throw new DataException(data + ": has " + columns + " column" + (columns == 1 ? "" : "s")
                        + " but the model takes " + inputs
                        + " input" + (inputs == 1 ? "" : "s") + " (features only) or " + (inputs + labelColumns)
                        + " (features and " + (labelColumns == 1 ? "the label column" : labelColumns
                        + " target columns") + ")");
            }
        } catch (DataException e) {
            throw spool == null ? e : new DataException(e.getMessage().replace(spool.toString(), data.toString()));
        } finally {
            if (spool != null) {
                Files.deleteIfExists(spool);
            }
        }
        InputRangeNote.print(spec.commandLine().getErr(), mlp, model, x, data);
        DenseOps ops = kernels.use();
        int rows = x.length / inputs;
        float[] y = mlp.predict(x, rows, ops);
        int right = PredictionWriter.write(out, format, kind, y, rows, n, labelled);
        if (labelled != null) {
            PrintWriter err = spec.commandLine().getErr();
            // several sigmoid outputs are several binary labels: judged by their bce, as eval judges them
            err.println(Main.PREFIX + (kind == PredictionWriter.Kind.VALUES && loss == Loss.BCE
                    ? String.format(Locale.ROOT, "loss (bce) %.6g over %d rows", Evaluation.of(mlp, labelled, loss,
                            ops).loss(), rows)
                    : PredictionWriter.verdict(kind, y, rows, n, labelled, right)));
            err.flush();
        }
        return 0;
    }

    /** Whether {@code file} is a FIFO: a pipe, {@code <(…)}, or {@code /dev/stdin} fed by one. */
    private static boolean isPipe(Path file) {
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode");
            return (mode & 0xF000) == 0x1000; // S_IFIFO
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false; // missing, or no unix attributes here: read as it is, and the reader says what is wrong
        }
    }

    /**
     * The bytes of a pipe in a new temporary file that only its owner may read (written into the file
     * createTempFile made, which keeps its rw------- mode), deleted when the JVM exits if not before.
     */
    private static Path spool(Path pipe) throws IOException {
        Path copy = Files.createTempFile("myelin-predict-", ".data");
        copy.toFile().deleteOnExit(); // a signal on the way runs the exit hooks
        try (InputStream in = Files.newInputStream(pipe); OutputStream out = Files.newOutputStream(copy)) {
            in.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(copy);
            throw e;
        }
        return copy;
    }
}
