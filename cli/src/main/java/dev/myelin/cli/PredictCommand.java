package dev.myelin.cli;

import dev.myelin.core.DenseOps;
import dev.myelin.nn.CsvData;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.ModelFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code myelin predict}: one line of outputs per input row. */
@Command(name = "predict",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Run a saved model on a CSV file and print one line per row: the model's outputs,"
                + " comma-separated (the probability of 1 for bce, one probability per class for ce)."})
final class PredictCommand implements Callable<Integer> {

    /** Output is written in chunks of about this many characters (PrintWriter flushes on every println). */
    private static final int CHUNK = 1 << 16;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "MODEL.json", required = true,
            description = "Model file written by myelin train --save.")
    Path model;

    @Option(names = "--data", paramLabel = "FILE.csv", required = true,
            description = {"Numeric CSV, a header line optional; every column is an input, so it must have"
                    + " exactly as many columns as the model has inputs (no label column)."})
    Path data;

    @Option(names = "--kernel", paramLabel = "NAME",
            description = "Kernel variant (see myelin info). Default: the best one available.")
    String kernel;

    @Option(names = "--threads", paramLabel = "N",
            description = {"Threads of the parallel kernel; the other kernels run on one. Default: every"
                    + " available processor, or -Dmyelin.threads. " + Kernels.THREADS_BOUND})
    Integer threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Kernels.Choice chosen = Kernels.named(kernel, threads);
        Mlp mlp = ModelFile.read(model);
        float[] x = CsvData.readFeatures(data, mlp.inputs());
        DenseOps ops = Kernels.use(chosen);
        int rows = x.length / mlp.inputs();
        float[] y = mlp.predict(x, rows, ops);
        int n = mlp.outputs();
        StringBuilder text = new StringBuilder();
        String newline = System.lineSeparator();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < n; j++) {
                text.append(j == 0 ? "" : ",").append(y[i * n + j]);
            }
            text.append(newline);
            if (text.length() >= CHUNK) {
                out.print(text);
                text.setLength(0);
            }
        }
        out.print(text);
        out.flush();
        return 0;
    }
}
