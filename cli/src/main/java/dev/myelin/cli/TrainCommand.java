package dev.myelin.cli;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import dev.myelin.nn.CsvData;
import dev.myelin.nn.Dataset;
import dev.myelin.nn.Dense;
import dev.myelin.nn.GradientConvention;
import dev.myelin.nn.Init;
import dev.myelin.nn.Loss;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.ModelFile;
import dev.myelin.nn.Trainer;
import dev.myelin.nn.TrainingConfig;
import dev.myelin.nn.TrainingResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code myelin train}: builds (or loads) a network, trains it with full-batch or mini-batch SGD, prints one
 * line per epoch, then the predictions and a verdict; saves the model only after training succeeded.
 */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Train a dense network with SGD and print its loss every epoch.",
                "Without options it runs the document's program: one sigmoid unit on the four XOR points,"
                        + " 1000 epochs, printing 'Epoch N, Loss: L'. Options given explicitly override the"
                        + " preset's values."},
        footer = {"%nExamples:",
                "  myelin train                  # the document's program (cannot learn XOR)",
                "  myelin train --preset xor     # a hidden layer: learns XOR 4/4",
                "  myelin train --data iris.csv --loss ce --layers 4,8,3 --save iris.json",
                "  myelin predict --model iris.json --data iris-features.csv"})
final class TrainCommand implements Callable<Integer> {

    /** Data sets up to this many rows get their predictions printed row by row after training. */
    private static final int PRINTED_ROWS = 16;

    private static final long MAX_SEED = 0xFFFF_FFFFL; // numpy's seed range [0, 2^32 − 1]

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME", converter = Converters.PresetConverter.class,
            description = {"document | xor | none: the data and the starting values of the options below.",
                    "document: the document's program: a 2→1 sigmoid unit on the XOR points, bce, lr 0.1,"
                            + " 1000 epochs, uniform [0,1) init, summed gradients.",
                    "xor: a 2→4→1 sigmoid network that learns XOR: xavier init, lr 2.0, 2000 epochs, mean"
                            + " gradients.",
                    "none: lr 0.1, 1000 epochs, xavier init, mean gradients, and --layers INPUTS,1 when"
                            + " not given (bce, mse).",
                    "Default: document; with --data: none."})
    Preset preset;

    @Option(names = "--data", paramLabel = "FILE.csv",
            description = {"Numeric CSV to train on instead of the preset's XOR points; a header line is"
                    + " optional. The label is the last column: 0/1 for bce, the class index 0..C-1 for ce;"
                    + " for mse the last OUTPUTS columns are the targets."})
    Path data;

    @Option(names = "--layers", paramLabel = "SIZES", split = ",",
            description = {"Layer sizes, e.g. 2,4,1: the first is the number of input columns, the last the"
                    + " number of outputs (1 for bce, the number of classes for ce). Default: the preset's"
                    + " (document 2,1; xor 2,4,1); with --data and no preset INPUTS,1 (required for ce)."})
    int[] layers;

    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "sigmoid",
            converter = Converters.ActivationConverter.class,
            description = {"Activation of the hidden layers: identity, sigmoid, tanh or relu"
                    + " (default: ${DEFAULT-VALUE}). The output layer's follows from --loss: sigmoid for"
                    + " bce, softmax for ce, identity for mse."})
    Activation activation;

    @Option(names = "--loss", paramLabel = "NAME", converter = Converters.LossConverter.class,
            description = {"bce (binary cross-entropy, 0/1 labels), ce (cross-entropy over classes) or mse"
                    + " (mean squared error). Default: bce; with --init, the loss that fits the model's"
                    + " output layer (sigmoid→bce, softmax→ce, else mse)."})
    Loss loss;

    @Option(names = "--epochs", paramLabel = "N",
            description = "Passes over the data (default: the preset's: document 1000, xor 2000, none 1000).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "0",
            description = {"Rows per SGD step: 0 = the full batch, rows in file order; N > 0 = mini-batches"
                    + " of N rows, shuffled each epoch from --seed (default: ${DEFAULT-VALUE})."})
    int batchSize;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Learning rate (default: the preset's: document 0.1, xor 2.0, none 0.1).")
    Float learningRate;

    @Option(names = "--gradients", paramLabel = "mean|sum", converter = Converters.ConventionConverter.class,
            description = {"mean: gradients of the mean loss over the batch (PyTorch's convention); sum: the"
                    + " document's rule dZ = Y - T without 1/m (the mean's gradients times the batch rows)."
                    + " Default: the preset's (document sum, otherwise mean)."})
    GradientConvention convention;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
            description = {"Seed of the initial parameters and of the mini-batch shuffling, in [0, 2^32-1];"
                    + " the same numbers as numpy's np.random.seed(S) + np.random.rand"
                    + " (default: ${DEFAULT-VALUE})."})
    long seed;

    @Option(names = "--init-method", paramLabel = "NAME", converter = Converters.InitConverter.class,
            description = {"Initial parameters: uniform (every weight and bias in [0,1), as the document),"
                    + " xavier (±sqrt(6/(in+out)), bias 0) or he (±sqrt(6/in), bias 0). Default: the"
                    + " preset's (document uniform, otherwise xavier)."})
    Init initMethod;

    @Option(names = "--init", paramLabel = "MODEL.json",
            description = {"Start from this model file instead of new parameters; its architecture wins over"
                    + " --layers and --activation."})
    Path initModel;

    @Option(names = "--save", paramLabel = "MODEL.json",
            description = {"Write the trained model here (atomically), only after training finished. A link is"
                    + " written through; a device, FIFO or socket is refused. If writing fails, the model goes to"
                    + " myelin-model-<time>.json in the working (else temporary) directory and the exit code is 3."})
    Path save;

    @Option(names = "--log-every", paramLabel = "N", defaultValue = "1",
            description = "Print the loss every N epochs; the last epoch is always printed"
                    + " (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
            converter = Converters.LogFormatConverter.class,
            description = {"text: 'Epoch 1, Loss: 0.7332168896846459'; json: one object per line,"
                    + " {\"epoch\":1,\"loss\":0.7332168896846459}, and the summary goes to stderr so that"
                    + " stdout is only JSON (default: ${DEFAULT-VALUE})."})
    LogFormat logFormat;

    @Option(names = "--kernel", paramLabel = "NAME",
            description = {"Kernel variant, e.g. scalar or vector (see myelin info). Default: the best one"
                    + " available, or -Dmyelin.kernel."})
    String kernel;

    @Option(names = "--threads", paramLabel = "N",
            description = {"Threads of the parallel kernel (its results are the same for every count); the"
                    + " other kernels run on one. Default: every available processor, or -Dmyelin.threads.",
                    Kernels.THREADS_BOUND})
    Integer threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Preset p = preset != null ? preset : data != null ? Preset.NONE : Preset.DOCUMENT;

        // Cheap checks first, so a typo fails before any file is read or any epoch runs.
        int epochCount = epochs != null ? epochs : p.epochs;
        float lr = learningRate != null ? learningRate : p.learningRate;
        GradientConvention gradients = convention != null ? convention : p.convention;
        Init init = initMethod != null ? initMethod : p.init;
        require(epochCount >= 1, "--epochs must be at least 1, got " + epochCount);
        require(batchSize >= 0, "--batch-size must be 0 (full batch) or more, got " + batchSize);
        require(Float.isFinite(lr) && lr > 0, "--lr must be a positive number, got " + lr);
        require(logEvery >= 1, "--log-every must be at least 1, got " + logEvery);
        require(seed >= 0 && seed <= MAX_SEED, "--seed must be in [0, " + MAX_SEED + "] (numpy's range), got " + seed);
        require(activation.isElementwise(),
                "--activation softmax: softmax is for the output layer only, and --loss ce puts it there");
        if (layers != null) {
            checkLayers(layers);
        }
        checkSaveTarget(save);
        Kernels.Choice chosen = Kernels.named(kernel, threads);

        // The model's architecture: --init, else --layers, else the preset's, else from the data.
        Mlp start = initModel != null ? ModelFile.read(initModel) : null;
        if (start != null && (given("--layers") || given("--activation"))) {
            err.println(Main.PREFIX + "note: --layers and --activation are ignored, the architecture comes from "
                    + initModel);
        }
        Loss lossFn = loss != null ? loss : start != null ? Loss.forModel(start) : Loss.BCE;
        if (start != null) {
            checkOutputLayer(start, lossFn);
        }
        int[] sizes = start != null ? sizesOf(start) : layers != null ? layers : p.layers();

        Dataset dataset = data == null ? xorData(lossFn) : readData(lossFn, sizes);
        String dataName = data == null ? "the XOR data" : data.toString();
        if (sizes == null) {
            sizes = new int[] {dataset.inputs(), lossFn == Loss.CE ? dataset.outputs() : 1};
        }
        String architecture = start != null ? initModel.toString() : "--layers " + joined(sizes);
        require(sizes[0] == dataset.inputs(), architecture + " takes " + sizes[0] + " inputs but " + dataName
                + " has " + dataset.inputs() + " input columns");
        require(sizes[sizes.length - 1] == dataset.outputs(), architecture + " has " + sizes[sizes.length - 1]
                + " outputs but " + dataName + " has " + dataset.outputs()
                + (lossFn == Loss.CE ? " classes" : dataset.outputs() == 1 ? " target column" : " target columns")
                + (lossFn == Loss.BCE ? " (bce takes one output; for several classes use --loss ce)" : ""));

        Mlp model;
        if (start != null) {
            model = start;
        } else {
            model = Mlp.of(sizes, activation, lossFn.outputActivation());
            init.initialize(model, seed);
        }

        DenseOps ops = Kernels.use(chosen);
        TrainingConfig config = new TrainingConfig(lossFn, epochCount, batchSize, lr, seed, gradients);
        EpochLog log = new EpochLog(out, logFormat, logEvery, epochCount);
        TrainingResult result = new Trainer(ops).fit(model, dataset, config, log);
        out.flush();

        // The summary goes after the epoch lines (text) or to stderr (json, so stdout stays JSON lines).
        PrintWriter summary = logFormat == LogFormat.TEXT ? out : err;
        summary.printf(Locale.ROOT, "Trained %s with %s loss: %d epochs, lr %s, %s gradients, batch %s, seed %d;"
                        + " final loss %s%n", model.describe(), lossFn.id(), result.epochs(), lr,
                gradients == GradientConvention.MEAN ? "mean" : "summed",
                batchSize == 0 ? "full" : String.valueOf(batchSize), seed, result.finalLoss());
        int correct = Summary.print(summary, model, dataset, lossFn, ops, PRINTED_ROWS, data != null);
        if (data == null) {
            xorVerdict(summary, model, correct, dataset.rows());
        }
        int code = save == null ? 0 : ModelSaver.save(model, save, summary, err); // a failed save keeps the model
        summary.flush();
        return code;
    }

    /** The verdict on the XOR points, with the reason when a model without hidden layer could not learn them. */
    private void xorVerdict(PrintWriter summary, Mlp model, int correct, int rows) {
        if (correct == rows) {
            summary.printf(Locale.ROOT, "XOR learned: %d/%d correct at threshold 0.5.%n", correct, rows);
            return;
        }
        summary.printf(Locale.ROOT, "XOR not learned: %d/%d correct at threshold 0.5.%n", correct, rows);
        if (model.layers().size() == 1) {
            summary.println("A single sigmoid unit cannot separate XOR: its decision boundary is one straight line,"
                    + " and no line puts (0,1) and (1,0) on one side and (0,0) and (1,1) on the other.");
            summary.println("Its loss plateaus near ln 2 ≈ 0.693, with every prediction close to 0.5."
                    + " A hidden layer fixes it: myelin train --preset xor");
        } else {
            summary.println("Try more --epochs, a larger --lr, more hidden units (--layers 2,8,1) or another"
                    + " --seed.");
        }
    }

    /** The four XOR points; for ce they become classes 0/1 of a two-output softmax. */
    private static Dataset xorData(Loss loss) {
        Dataset xor = Dataset.xor();
        if (loss != Loss.CE) {
            return xor;
        }
        int[] labels = new int[xor.rows()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = Math.round(xor.targets()[i]);
        }
        return Dataset.classes(xor.features(), xor.rows(), xor.inputs(), labels, 2);
    }

    private Dataset readData(Loss lossFn, int[] sizes) throws java.io.IOException {
        int outputs;
        if (sizes != null) {
            outputs = sizes[sizes.length - 1];
        } else {
            require(lossFn != Loss.CE, "--loss ce with --data needs --layers (its last size is the number of"
                    + " classes) or --init MODEL.json");
            outputs = 1;
        }
        require(lossFn != Loss.BCE || outputs == 1, "--loss bce takes one output (a 0/1 label in the last"
                + " column) but the network has " + outputs + " outputs; for " + outputs
                + " classes use --loss ce");
        require(lossFn != Loss.CE || outputs >= 2, "--loss ce needs at least 2 classes but the network has "
                + outputs + " output");
        // With known sizes the reader checks the column count itself and names the file and line.
        return CsvData.read(data, lossFn, sizes != null ? sizes[0] : -1, outputs);
    }

    private void checkOutputLayer(Mlp model, Loss lossFn) {
        Activation last = lastActivation(model);
        boolean fits = switch (lossFn) {
            case BCE -> last == Activation.SIGMOID;
            case CE -> last == Activation.SOFTMAX;
            case MSE -> last.isElementwise();
        };
        require(fits, "--loss " + lossFn.id() + " needs " + switch (lossFn) {
            case BCE -> "a sigmoid";
            case CE -> "a softmax";
            case MSE -> "an elementwise";
        } + " output layer but the last layer of " + initModel + " is " + last.id() + " (use --loss "
                + Loss.forModel(model).id() + ")");
    }

    private static Activation lastActivation(Mlp model) {
        List<Dense> layers = model.layers();
        return layers.get(layers.size() - 1).activation();
    }

    private static int[] sizesOf(Mlp model) {
        List<Dense> layers = model.layers();
        int[] sizes = new int[layers.size() + 1];
        sizes[0] = model.inputs();
        for (int l = 0; l < layers.size(); l++) {
            sizes[l + 1] = layers.get(l).outputs();
        }
        return sizes;
    }

    private static void checkLayers(int[] sizes) {
        require(sizes.length >= 2, "--layers needs at least two sizes (inputs and outputs), e.g. 2,4,1; got "
                + joined(sizes));
        for (int s : sizes) {
            require(s >= 1, "--layers " + joined(sizes) + ": every size must be at least 1");
        }
    }

    /** Fails before training when the model could not be saved where asked. */
    private static void checkSaveTarget(Path target) {
        if (target == null) {
            return;
        }
        require(!Files.isDirectory(target), "--save " + target + ": is a directory, expected a file name");
        Path dir = target.toAbsolutePath().getParent();
        require(dir != null && Files.isDirectory(dir), "--save " + target + ": directory " + dir
                + " does not exist");
        require(Files.isWritable(dir), "--save " + target + ": directory " + dir + " is not writable");
        ModelSaver.check(target);
    }

    private boolean given(String option) {
        ParseResult parsed = spec.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption(option);
    }

    static String joined(int[] sizes) {
        return Arrays.stream(sizes).mapToObj(String::valueOf).collect(Collectors.joining(","));
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
