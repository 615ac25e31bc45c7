package dev.myelin.cli;

import dev.myelin.core.DenseOps;
import dev.myelin.nn.Dataset;
import dev.myelin.nn.Evaluation;
import dev.myelin.nn.Header;
import dev.myelin.nn.Loss;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.ModelFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code myelin eval}: a saved model's loss, accuracy and confusion matrix on labelled data. */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = {"Evaluate a saved model on labelled data: the mean loss (the one the model was trained"
                + " with: bce for a sigmoid output, ce for softmax, mse otherwise), the accuracy and, for"
                + " classes, the confusion matrix (up to " + EvalCommand.MAX_MATRIX_CLASSES + " classes) and the accuracy of each"
                + " class."},
        footer = {"%nExamples:",
                "  myelin eval --model fashion.json --data /usr/share/datasets/fashion-mnist",
                "  myelin eval --model iris.json --data docs/examples/iris-test.csv"})
final class EvalCommand implements Callable<Integer> {

    /** Confusion matrices are printed up to this many classes; beyond, only per-class accuracy. */
    static final int MAX_MATRIX_CLASSES = 20;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL.json", required = true,
            description = "Model file written by myelin train --save, or a checkpoint (its model).")
    Path model;

    @Option(names = "--data", paramLabel = "FILE|DIR", required = true,
            description = {"Labelled data in the training format: a CSV file whose last column(s) are the"
                    + " labels, or a folder of IDX files (MNIST layout), whose t10k-* test files are used."})
    Path data;

    @Mixin
    KernelOptions kernels;

    @Mixin
    HeaderOptions headers;

    @Override
    public Integer call() throws Exception {
        kernels.check();
        new DistinctFiles().reads("--model", model).reads("--data", data).check();
        Header header = headers.mode();
        headers.requireCsv("--data", data);
        Mlp mlp = ModelFile.readModelOrCheckpoint(model); // a checkpoint's model too
        Loss loss = Loss.forModel(mlp);
        Dataset set = DataFiles.evaluationData(data, loss, false, mlp.inputs(), mlp.outputs(), header);
        InputRangeNote.print(spec.commandLine().getErr(), mlp, model, set.features(), data);
        DenseOps ops = kernels.use();
        Evaluation e = Evaluation.of(mlp, set, loss, ops);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s on %s: %d rows%n", model, data, e.rows());
        out.printf(Locale.ROOT, "loss (%s): %.6g%n", loss.id(), e.loss()); // %g: an mse of 7e-9 is not 0
        if (e.hasClasses()) {
            out.printf(Locale.ROOT, "accuracy: %.4f (%d/%d)%n", e.accuracy(), e.correct(), e.rows());
            printClasses(out, e);
        }
        out.flush();
        return 0;
    }

    /** The confusion matrix (rows: actual class, columns: predicted) and the accuracy of each class. */
    static void printClasses(PrintWriter out, Evaluation e) {
        long[][] c = e.confusion();
        int classes = c.length;
        if (classes <= MAX_MATRIX_CLASSES) {
            long max = 1;
            for (long[] row : c) {
                for (long v : row) {
                    max = Math.max(max, v);
                }
            }
            int w = Math.max(4, String.valueOf(max).length() + 1);
            out.println("confusion matrix (rows: actual class, columns: predicted class):");
            StringBuilder head = new StringBuilder("      ");
            for (int j = 0; j < classes; j++) {
                head.append(String.format(Locale.ROOT, "%" + w + "d", j));
            }
            out.println(head);
            for (int i = 0; i < classes; i++) {
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%5d ", i));
                for (int j = 0; j < classes; j++) {
                    row.append(String.format(Locale.ROOT, "%" + w + "d", c[i][j]));
                }
                out.println(row);
            }
        } else {
            out.printf(Locale.ROOT, "confusion matrix: not printed for %d classes (only up to %d)%n", classes,
                    MAX_MATRIX_CLASSES);
        }
        if (e.noClassRows() > 0) {
            out.printf(Locale.ROOT, "rows without a class (a NaN output, counted wrong): %d%n", e.noClassRows());
        }
        out.println("accuracy per class:");
        for (int i = 0; i < classes; i++) {
            double a = e.classAccuracy(i);
            out.printf(Locale.ROOT, "  class %d: %s%n", i, Double.isNaN(a) ? "no rows" : String.format(Locale.ROOT,
                    "%.4f", a));
        }
    }
}
