package dev.myelin.cli;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.nn.AtomicFile;
import dev.myelin.nn.CheckpointFile;
import dev.myelin.nn.DataException;
import dev.myelin.nn.DataFingerprint;
import dev.myelin.nn.Dataset;
import dev.myelin.nn.Dense;
import dev.myelin.nn.Evaluation;
import dev.myelin.nn.GradientConvention;
import dev.myelin.nn.Header;
import dev.myelin.nn.IdxData;
import dev.myelin.nn.Init;
import dev.myelin.nn.InputRange;
import dev.myelin.nn.InputScaling;
import dev.myelin.nn.Loss;
import dev.myelin.nn.LrSchedule;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.ModelFile;
import dev.myelin.nn.OptimizerSpec;
import dev.myelin.nn.Trainer;
import dev.myelin.nn.TrainingConfig;
import dev.myelin.nn.TrainingControl;
import dev.myelin.nn.TrainingDivergedException;
import dev.myelin.nn.TrainingResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code myelin train}: builds (or loads) a network, trains it (full batch or shuffled mini-batches, with the
 * chosen optimizer and schedule), prints one line per epoch (evaluated on test data when there is any), then a
 * summary and a verdict; saves the model only after training succeeded.
 */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = {
                "Train a dense network and print its loss every epoch.",
                "Without options it runs the document's program: one sigmoid unit on the four XOR points,"
                        + " 1000 epochs, printing 'Epoch N, Loss: L'. Options given explicitly override the"
                        + " preset's values."},
        footer = {"%nExamples:",
                "  myelin train                  # the document's program (cannot learn XOR)",
                "  myelin train --preset xor     # a hidden layer: learns XOR 4/4",
                "  myelin train --preset fashion-mnist --threads 2 --save fashion.json",
                "  myelin train --data mnist/ --layers 784,128,10 --activation relu \\",
                "               --optimizer adam --lr 1e-3 --batch-size 64 --epochs 5",
                "  myelin train --data docs/examples/iris.csv --loss ce --layers 4,8,3 --save iris.json",
                "  myelin predict --model iris.json --data docs/examples/iris-features.csv"})
final class TrainCommand implements Callable<Integer> {

    /** Data sets up to this many rows get their predictions printed row by row after training. */
    private static final int PRINTED_ROWS = 16;

    private static final long MAX_SEED = 0xFFFF_FFFFL; // numpy's seed range [0, 2^32 − 1]

    /** Exit code of a run stopped because training diverged (NaN, infinite or exploding loss). */
    static final int DIVERGED = 4;

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", paramLabel = "NAME", converter = Converters.PresetConverter.class,
            description = {"document | xor | fashion-mnist | none: the data and the starting values of the"
                    + " options below.",
                    "document: the document's program: a 2→1 sigmoid unit on the XOR points, bce, lr 0.1,"
                            + " 1000 epochs, uniform [0,1) init, summed gradients.",
                    "xor: a 2→4→1 sigmoid network that learns XOR: xavier init, lr 2.0, 2000 epochs, mean"
                            + " gradients.",
                    "fashion-mnist: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist, or"
                            + " $MYELIN_FASHION_MNIST, or --data DIR), 784,256,128,10 relu, ce, he init, adam lr"
                            + " 0.001 with a cosine schedule, batch 128, 15 epochs, evaluated on the t10k set after"
                            + " every epoch.",
                    "none: plain SGD lr 0.1, 1000 full-batch epochs, xavier init, sigmoid hidden layers, mean"
                            + " gradients, and --layers INPUTS,1 when not given (bce, mse; ce from an IDX folder:"
                            + " INPUTS,10).",
                    "Default: document; with --data: none."})
    Preset preset;

    @Option(names = "--data", paramLabel = "FILE|DIR",
            description = {"Training data instead of the preset's: a numeric CSV file (a header line is"
                    + " optional; the label is the last column: 0/1 for bce, the class index 0..C-1 for ce; for"
                    + " mse the last OUTPUTS columns are the targets), or a folder of IDX files in the MNIST"
                    + " layout (train-*-ubyte[.gz] to train on, t10k-* to evaluate on; ce)."})
    Path data;

    @Option(names = "--test", paramLabel = "FILE|DIR",
            description = {"Evaluation data in the training data's format (an IDX folder gives its t10k-*"
                    + " files): loss and accuracy after every epoch. Default: the t10k-* files when --data is"
                    + " an IDX folder, else none."})
    Path test;

    @Mixin
    HeaderOptions headers;

    @Option(names = "--standardize", description = {"Scale every input to (x - mean) / std with the training"
            + " set's per-feature mean and population std (numpy's std, ddof 0; a constant feature, std 0, is only"
            + " centred) (the test data too), and store them in the saved model, so that"
            + " predict and eval scale their raw inputs the same way. Default: inputs as they are (IDX pixels"
            + " are scaled to [0, 1] by the reader). A model from --init or --resume keeps its own scaling."})
    boolean standardize;

    @Option(names = "--layers", paramLabel = "SIZES", split = ",",
            description = {"Layer sizes, e.g. 2,4,1: the first is the number of input columns, the last the"
                    + " number of outputs (1 for bce, the number of classes for ce). Default: the preset's"
                    + " (document 2,1; xor 2,4,1); with --data and no preset INPUTS,1 for bce and mse, and for ce"
                    + " INPUTS,10 from an IDX folder (the classes 0-9; a CSV file's ce needs --layers)."})
    int[] layers;

    @Option(names = "--activation", paramLabel = "NAME", converter = Converters.ActivationConverter.class,
            description = {"Activation of the hidden layers: identity, sigmoid, tanh or relu (default: the"
                    + " preset's: relu for fashion-mnist, else sigmoid). The output layer's follows from --loss:"
                    + " sigmoid for bce, softmax for ce, identity for mse."})
    Activation activation;

    @Option(names = "--loss", paramLabel = "NAME", converter = Converters.LossConverter.class,
            description = {"bce (binary cross-entropy: a 0/1 label column per output; several outputs are"
                    + " independent labels, multi-label), ce (cross-entropy over classes) or mse (mean squared"
                    + " error). Default: the preset's (ce for fashion-mnist, else bce); with --data"
                    + " and no preset, ce for an IDX folder or when --layers ends in more than one output, else"
                    + " bce; with --init or --resume, the loss that fits the model's output layer (sigmoid→bce,"
                    + " softmax→ce, else mse)."})
    Loss loss;

    @Option(names = "--epochs", paramLabel = "N",
            description = "Passes over the data (default: the preset's: document 1000, xor 2000,"
                    + " fashion-mnist 15, none 1000).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N",
            description = {"Rows per step: 0 = the full batch, rows in file order; N > 0 = mini-batches of N"
                    + " rows, shuffled each epoch from --seed (default: the preset's: 128 for fashion-mnist,"
                    + " else 0)."})
    Integer batchSize;

    @Option(names = "--optimizer", paramLabel = "NAME", converter = Converters.OptimizerConverter.class,
            description = {"sgd, momentum, nesterov, adam or adamw, with PyTorch's update rules and defaults"
                    + " (default: the preset's: adam for fashion-mnist, else sgd)."})
    OptimizerSpec.Kind optimizer;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Learning rate (default: the preset's: document 0.1, xor 2.0, fashion-mnist 0.001,"
                    + " none 0.1).")
    Double learningRate;

    @Option(names = "--momentum", paramLabel = "MU",
            description = "Momentum of --optimizer momentum and nesterov, in (0, 1) (default: 0.9 for those).")
    Double momentum;

    @Option(names = "--beta1", paramLabel = "B", description = "Adam's beta1 (default: 0.9).")
    Double beta1;

    @Option(names = "--beta2", paramLabel = "B", description = "Adam's beta2 (default: 0.999).")
    Double beta2;

    @Option(names = "--eps", paramLabel = "E", description = "Adam's epsilon (default: 1e-8).")
    Double epsilon;

    @Option(names = "--weight-decay", paramLabel = "L",
            description = {"L2 penalty added to every gradient as PyTorch's weight_decay (decoupled for"
                    + " adamw), biases included (default: PyTorch's, 0.01 for adamw, else 0)."})
    Double weightDecay;

    @Option(names = "--schedule", paramLabel = "NAME", converter = Converters.ScheduleConverter.class,
            description = {"Learning rate per epoch: constant, step (times --lr-gamma every --lr-step-size"
                    + " epochs) or cosine (annealed over --epochs down to --lr-min) (default: the preset's:"
                    + " cosine for fashion-mnist, else constant)."})
    Schedule schedule;

    @Option(names = "--lr-step-size", paramLabel = "N", defaultValue = "10",
            description = "Epochs between rate drops of --schedule step (default: ${DEFAULT-VALUE}).")
    int lrStepSize;

    @Option(names = "--lr-gamma", paramLabel = "G", defaultValue = "0.1",
            description = "Factor of each drop of --schedule step (default: ${DEFAULT-VALUE}).")
    double lrGamma;

    @Option(names = "--lr-min", paramLabel = "RATE", defaultValue = "0",
            description = "The final rate of --schedule cosine (default: ${DEFAULT-VALUE}).")
    double lrMin;

    @Option(names = "--lr-warmup", paramLabel = "N", defaultValue = "0",
            description = {"Epochs of linear warm-up: epoch e of the first N (e = 1, 2, …, N) runs at the schedule's"
                    + " rate for that epoch times e / (N + 1), so epoch 1 at a (N + 1)th of it; the schedule itself"
                    + " runs from epoch 1 as without warm-up. This is PyTorch's LinearLR(start_factor=1/(N+1),"
                    + " total_iters=N) chained with the schedule: the same rates for constant, step and cosine with"
                    + " --lr-min 0; with cosine and an --lr-min above 0, PyTorch's chain applies its recursive cosine"
                    + " to the warmed-up rate and so drifts from this closed form, by up to 4.3 %% in five settings"
                    + " tried (3.0 %% at epoch 3 of --lr 0.1 --lr-min 0.02 --epochs 6 --lr-warmup 3;"
                    + " docs/scripts/warmup_drift.py)"
                    + " (default: ${DEFAULT-VALUE})."})
    int lrWarmup;

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
                    + " xavier (±sqrt(6/(in+out)), bias 0), he (±sqrt(6/in), bias 0) or torch (weights and"
                    + " biases ±1/sqrt(in), PyTorch's nn.Linear default). Default: the preset's (document"
                    + " uniform, fashion-mnist he, otherwise xavier)."})
    Init initMethod;

    @Option(names = "--init", paramLabel = "MODEL.json",
            description = {"Start from this model file (or a checkpoint's model: a new run from its parameters,"
                    + " e.g. the last good state of a run that diverged, with a smaller --lr) instead of new"
                    + " parameters; its architecture wins over --layers and --activation. It may be the --save file:"
                    + " that file is then replaced only when the run ends well."})
    Path initModel;

    @Option(names = "--save", paramLabel = "MODEL.json",
            description = {"Write the trained model here (atomically), only after training finished. A link is"
                    + " written through; a device, FIFO or socket is refused. If writing fails, the model goes to"
                    + " myelin-model-<time>.json in the working (else temporary) directory and the exit code is 3."})
    Path save;

    @Option(names = "--checkpoint", paramLabel = "FILE.json",
            description = {"Where the training state (model, optimizer state, shuffle stream, position) is written,"
                    + " atomically, every --checkpoint-every epochs and when the run is interrupted. Default:"
                    + " NAME.ckpt.json beside --save NAME.json; without --save, none at epoch ends and"
                    + " myelin-checkpoint-<time>-<pid>.json in the working directory on an interrupt."})
    Path checkpoint;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "1",
            description = "Epochs between two checkpoints (the last epoch is always one) (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--resume", paramLabel = "FILE.json",
            description = {"Continue the run a checkpoint holds, to the same bits as if it had never stopped: give"
                    + " the same data and options as the first run (a different setting is refused, naming it);"
                    + " --epochs may be larger, to train longer, except with --schedule cosine, whose length is"
                    + " --epochs. The model (and its input scaling) comes from the checkpoint."})
    Path resume;

    @Option(names = "--metrics", paramLabel = "FILE.json",
            description = {"Write the per-epoch metrics (loss, rate, seconds, samples/s, test loss and"
                    + " accuracy) here, rewritten atomically after the epochs (after each, unless epochs are far"
                    + " shorter than a write), the last one, and when the run stops; draw them with myelin report."})
    Path metricsFile;

    @Option(names = "--per-class", description = "After training, print the confusion matrix (up to "
            + EvalCommand.MAX_MATRIX_CLASSES + " classes) and the accuracy of"
            + " every class, on the test data (on the training data when there is none).")
    boolean perClass;

    @Option(names = "--log-every", paramLabel = "N", defaultValue = "1",
            description = "Print the loss every N epochs; the last epoch is always printed"
                    + " (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
            converter = Converters.LogFormatConverter.class,
            description = {"text: 'Epoch 1, Loss: 0.9395958765642146' (the default run's first line), then test"
                    + " loss and accuracy and speed when there is evaluation data or mini-batches, and a progress"
                    + " bar on a terminal; json: one object per line, {\"epoch\":1,\"loss\":0.73,\"lr\":0.1,"
                    + "\"seconds\":0.5,\"samples_per_sec\":120000.0,\"test_loss\":0.5,\"test_accuracy\":0.81}"
                    + " (test fields null without evaluation data), and the summary goes to stderr so that stdout is"
                    + " only JSON (default: ${DEFAULT-VALUE})."})
    LogFormat logFormat;

    @Mixin
    KernelOptions kernels;

    @Override
    public Integer call() throws Exception {
        try {
            return train();
        } finally {
            for (AtomicFile.Reservation r : reservations) {
                r.close();
            }
            reservations.clear();
        }
    }

    /** The files this run will write, held from its start ({@link AtomicFile#reserve}): one run per file. */
    private final List<AtomicFile.Reservation> reservations = new ArrayList<>();

    private void reserve(Path file) throws IOException {
        if (file != null) {
            reservations.add(AtomicFile.reserve(file));
        }
    }

    private int train() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Preset p = preset != null ? preset : data != null ? Preset.NONE : Preset.DOCUMENT;

        // Cheap checks first, so a typo fails before any file is read or any epoch runs. The rules on numbers
        // live in the configuration records (OptimizerSpec, LrSchedule, TrainingConfig), which name the options.
        int epochCount = epochs != null ? epochs : p.epochs;
        int batch = batchSize != null ? batchSize : p.batchSize;
        GradientConvention gradients = convention != null ? convention : p.convention;
        Init init = initMethod != null ? initMethod : p.init;
        Activation hidden = activation != null ? activation : p.hidden;
        requireOneWholeList("--layers"); // picocli joins repeated lists, drops empty items: a net nobody asked for
        require(logEvery >= 1, "--log-every must be at least 1, got " + logEvery);
        require(logFormat != LogFormat.JSON || !given("--log-every"), "--log-every thins the text log; --log-format"
                + " json writes one line for every epoch (and --metrics keeps them all): leave one of them out");
        require(seed >= 0 && seed <= MAX_SEED, "--seed must be in [0, " + MAX_SEED + "] (numpy's range), got " + seed);
        headers.mode();
        headers.requireCsv("--data", data, "--test", test);
        require(checkpointEvery >= 1, "--checkpoint-every must be at least 1, got " + checkpointEvery);
        require(lrWarmup >= 0, "--lr-warmup must be at least 0 (0 = none), got " + lrWarmup);
        if (lrWarmup > 0 && lrWarmup >= epochCount) { // allowed (a run to be resumed further), but said
            err.println(Main.PREFIX + "note: --lr-warmup " + lrWarmup + " is not shorter than the run's "
                    + epochs(epochCount) + ": every epoch runs below the schedule's rate, the last at "
                    + fraction(epochCount, lrWarmup + 1L) + " of it");
        }
        require(resume == null || initModel == null, "--resume and --init both give the model: use one of them");
        if (layers != null) {
            checkLayers(layers);
        }
        OptimizerSpec optimizerSpec = optimizerSpec(p, epochCount);
        checkOutput("--save", save);
        // a resumed run goes on writing the checkpoint it resumed from when no other is named
        Path checkpointFile = Checkpoints.fileFor(checkpoint, save, resume);
        require(checkpointFile != null || !given("--checkpoint-every"), "--checkpoint-every needs a checkpoint file:"
                + " give --save NAME.json (the checkpoint goes beside it) or --checkpoint FILE");
        checkOutput("--metrics", metricsFile);
        checkOutput("--checkpoint", checkpoint); // the default one lies beside --save, in a folder checked above
        String checkpointRole = checkpoint != null ? "--checkpoint" : save != null ? "the checkpoint beside --save"
                : "--resume";
        new DistinctFiles().reads("--data", data).reads("--test", test).reads("--init", initModel)
                .reads("--resume", resume).writes("--save", save)
                .writes(checkpointRole, checkpointFile)
                .writes("--metrics", metricsFile)
                // --init X --save X fine-tunes a model in place: X is read before any update and replaced atomically
                // only when the run ends well, so a stop (divergence, interrupt, error) leaves it as it was
                .check("--checkpoint", "--resume", "the checkpoint beside --save", "--resume", "--resume", "--resume",
                        "--init", "--save");
        ResumedRun resumed = resume != null ? ResumedRun.read(resume) : null; // before it is reserved as an output
        // before the checkpoint is judged: a run still writing it is "another run", not an unfinished one to resume
        if (checkpoint == null && checkpointFile != null && !checkpointFile.equals(resume)) { // named after --save
            int bytes = AtomicFile.nameBytes(checkpointFile);
            require(bytes <= AtomicFile.NAME_MAX, "the checkpoint beside --save, " + checkpointFile + ", would have"
                    + " a name of " + bytes + " bytes (UTF-8), more than the " + AtomicFile.NAME_MAX + " a file name"
                    + " may have: give a shorter --save, or name the checkpoint with --checkpoint FILE");
        }
        reserve(save);
        reserve(checkpointFile);
        reserve(metricsFile);
        // a resumed run may go on writing the very checkpoint it resumed from
        boolean continuesResumed = resume != null && checkpointFile != null
                && DistinctFiles.same(checkpointFile, resume);
        if (!continuesResumed) {
            Checkpoints.refuseUnfinished(checkpointFile, checkpointRole, resumed == null ? null : resumed.file(),
                    note -> err.println(Main.PREFIX + note));
        }
        Checkpoints.checkSaveTarget(save);
        if (resume == null) { // a resumed run goes on with the metrics of the run it resumes
            MetricsFile.refuseUnfinished(metricsFile, note -> err.println(Main.PREFIX + note));
        }
        kernels.check();

        // The model's architecture: --resume or --init, else --layers, else the preset's, else from the data.
        Path modelSource = resume != null ? resume : initModel;
        Mlp start = resumed != null ? resumed.model() : initModel != null ? ModelFile.readModelOrCheckpoint(initModel)
                : null;
        if (resumed != null) { // the run's own architecture: a different one given is refused, as other settings are
            resumed.requireArchitecture(layers, given("--activation") ? hidden : null);
            resumed.requireScaling(standardize);
        }
        List<String> ignored = start == null ? List.of()
                : Stream.of("--layers", "--activation", "--init-method")
                        .filter(o -> given(o) && (resumed == null || o.equals("--init-method"))).toList();
        if (!ignored.isEmpty()) {
            err.println(Main.PREFIX + "note: " + String.join(" and ", ignored) + (ignored.size() == 1 ? " is" : " are")
                    + " ignored, the model comes from " + modelSource);
        }
        // a resumed run's loss is its checkpoint's (mse on a sigmoid output would otherwise be read back as bce)
        Loss lossFn = loss != null ? loss : resumed != null ? resumed.file().config().loss()
                : start != null ? Loss.forModel(start) : defaultLoss(p);
        require(!perClass || lossFn != Loss.MSE, "--per-class counts classes, and mse has none; leave it out");
        if (start != null) {
            try {
                lossFn.requireOutput(Loss.outputOf(start));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException((resume != null ? "--resume " : "--init ") + modelSource + ": "
                        + e.getMessage(), e);
            }
            // the library trains mse on a sigmoid; a model file does not record its loss, and eval, predict and a
            // later --init read a sigmoid output as bce, whose 0/1 labels its own mse targets are not. A new run is
            // refused; a run resumed (its checkpoint written by an earlier version, or by the library) goes on
            boolean mseOnSigmoid = lossFn == Loss.MSE && Loss.outputOf(start) == Activation.SIGMOID;
            require(!mseOnSigmoid || resume != null, "--init " + modelSource + ": its output layer is sigmoid, and"
                    + " eval, predict and a later --init read a saved model with a sigmoid output as a bce model, so"
                    + " one trained with mse could not be evaluated on its own targets; train it with --loss bce, or"
                    + " start a model with an identity output (--layers without --init: mse gives one)");
            if (mseOnSigmoid) {
                err.println(Main.PREFIX + "note: this run trains mse on a sigmoid output; its saved model will be"
                        + " read as a bce model (eval, predict, --init), whose labels are 0 or 1");
            }
        }
        int[] sizes = start != null ? start.sizes() : layers != null ? layers : p.layers();
        require(!perClass || lossFn != Loss.BCE || sizes == null || sizes[sizes.length - 1] == 1, "--per-class counts"
                + " classes, and bce with " + (sizes == null ? 0 : sizes[sizes.length - 1]) + " outputs is as many"
                + " independent 0/1 labels (multi-label), not classes; leave it out");
        // --activation is for hidden layers: a model without one would never read it
        if (start == null && given("--activation") && (sizes == null || sizes.length == 2)) {
            String model = layers != null ? "--layers " + joined(sizes)
                    : sizes != null ? "the preset's layers " + joined(sizes) + " (--preset " + p.id() + ")"
                    : "the model --data makes without --layers (inputs,outputs)";
            throw new IllegalArgumentException("--activation " + hidden.id() + ": " + model + " has no hidden layer,"
                    + " and the output layer's activation follows from --loss; give --layers with a hidden layer"
                    + " (e.g. 2,4,1), or leave --activation out");
        }
        TrainingConfig config = new TrainingConfig(lossFn, epochCount, batch, optimizerSpec, seed, gradients);
        // a finished run's checkpoint leaves only its model to write, once the data are known to be the run's
        boolean nothingToTrain = resumed != null && resumed.requireSettings(config, save != null);

        Path dataFrom = dataPath(p); // null: the built-in XOR points
        long loadStart = System.nanoTime();
        DataFiles.Sets sets = readData(p, dataFrom, lossFn, sizes);
        if (dataFrom != null) {
            err.printf(Locale.ROOT, "%sread %d training rows from %s%s in %.2f s%n", Main.PREFIX,
                    sets.train().rows(), dataFrom, sets.test() == null ? ""
                            : " and " + sets.test().rows() + " test rows" + (test != null ? " from " + test : ""),
                    (System.nanoTime() - loadStart) / 1e9);
            if (sets.test() == null && test == null && Files.isDirectory(dataFrom)) {
                err.println(Main.PREFIX + "note: " + dataFrom + " has no t10k-* files, so nothing is evaluated after"
                        + " the epochs; --test FILE|DIR gives evaluation data");
            }
            err.flush();
        }
        Dataset dataset = sets.train();
        String dataName = dataFrom == null ? "the XOR data" : dataFrom.toString();
        if (sizes == null) {
            sizes = new int[] {dataset.inputs(), lossFn == Loss.CE ? dataset.outputs() : 1};
        }
        String architecture = start != null ? modelSource.toString() : layers != null || p.layers() == null
                ? "--layers " + joined(sizes) // given, or from the data
                : "the preset's layers " + joined(sizes) + " (--preset " + p.id() + "; --layers gives others)";
        require(sizes[0] == dataset.inputs(), architecture + " takes " + sizes[0] + " inputs but " + dataName
                + " has " + dataset.inputs() + " input columns");
        require(sizes[sizes.length - 1] == dataset.outputs(), architecture + " has " + sizes[sizes.length - 1]
                + " outputs but " + dataName + " has " + dataset.outputs()
                + (lossFn == Loss.CE ? " classes" : dataset.outputs() == 1 ? " target column" : " target columns")
                + (lossFn == Loss.CE && dataFrom != null && Files.isDirectory(dataFrom) ? " (an IDX folder is read as"
                        + " the 10 classes 0-9, whichever its labels use)" : ""));

        Mlp model;
        if (start != null) {
            model = start;
        } else {
            model = Mlp.of(sizes, hidden, lossFn.outputActivation());
            init.initialize(model, seed);
        }
        DataFingerprint fingerprint = DataFingerprint.of(dataset); // as read, before standardising
        if (resumed != null) {
            resumed.requireSameData(fingerprint);
        }
        if (nothingToTrain) {
            PrintWriter said = logFormat == LogFormat.TEXT ? out : err; // with json, stdout holds epoch lines only
            said.println("Nothing to train: the checkpoint " + resume + " holds all " + epochCount + " epoch"
                    + (epochCount == 1 ? "" : "s") + " of its run; writing the model it holds"
                    + (metricsFile != null ? " (--metrics " + metricsFile + " is left as it is)" : ""));
            int code = ModelSaver.save(resumed.model(), save, said, err);
            out.flush();
            err.flush();
            return code;
        }
        // Inputs standardised once, in place; the model carries the scaling only in the file it is saved to, so
        // that nothing (evaluation, the summary) scales the already scaled data a second time.
        if (standardize && resumed == null && model.inputScaling() != null) {
            err.println(Main.PREFIX + "note: --standardize is ignored: the model from " + initModel + " keeps its own"
                    + " input scaling (the mean and std of the data it was trained on)");
        }
        InputScaling scaling = model.inputScaling() != null ? model.inputScaling()
                : standardize ? InputScaling.fit(dataset) : null;
        model.setInputScaling(null);
        // the inputs as the data gave them, before any standardising: what predict and eval compare theirs with
        InputRange trainingRange = InputRange.of(dataset.features());
        if (initModel != null && model.trainingInputs() != null) { // fine-tuning on data of another scale
            InputRangeNote.print(err, model.trainingInputs(), "the data " + initModel + " was trained on",
                    trainingRange, dataFrom != null ? dataFrom : Path.of("the built-in XOR points"));
        }
        if (sets.test() != null) { // evaluated each epoch on data of another scale: its figures would mislead
            InputRangeNote.print(err, trainingRange, "the training data" + (dataFrom != null ? " " + dataFrom : ""),
                    InputRange.of(sets.test().features()), test != null ? test : dataFrom);
        }
        model.setTrainingInputs(trainingRange);
        // the summary shows the rows as the file has them, not standardised (it shows at most PRINTED_ROWS)
        float[] inputsAsRead = scaling != null && dataset.rows() <= PRINTED_ROWS ? dataset.features().clone() : null;
        if (scaling != null) {
            scaling.apply(dataset);
            if (sets.test() != null) {
                scaling.apply(sets.test());
            }
        }

        DenseOps ops = kernels.use();
        String kernelName = Kernels.recorded(ops.kernel());
        if (resumed != null) {
            resumed.requireKernel(kernelName);
        }
        boolean details = sets.test() != null || !config.fullBatch(dataset.rows());
        EpochLog log = new EpochLog(out, logFormat, logEvery, epochCount, details);
        int firstEpoch = resumed == null ? 1 : resumed.firstEpoch();
        MetricsFile metrics = metricsFile == null ? null
                : resumed == null // a new run's file was judged above (refuseUnfinished): it starts empty
                ? new MetricsFile(metricsFile, model.describe(), fingerprint.hashHex(), config.describeRun(), epochCount,
                        checkpointFile)
                : MetricsFile.continuing(metricsFile, model.describe(), fingerprint.hashHex(), config.describeRun(),
                        firstEpoch - 1, epochCount, checkpointFile, note -> err.println(Main.PREFIX + note));
        ProgressDisplay progress = ProgressDisplay.forTerminal(logFormat == LogFormat.TEXT);
        Checkpoints checkpoints = new Checkpoints(checkpointFile, checkpointEvery, config, err);
        checkpoints.setInputScaling(scaling);
        checkpoints.setData(fingerprint);
        checkpoints.setKernel(kernelName);
        if (continuesResumed && resumed.checkpoint().atEpochBoundary()) {
            checkpoints.resumedFrom(resumed.checkpoint().epochs());
        }
        TrainingMonitor monitor = new TrainingMonitor(model, dataset, sets.test(), lossFn, ops, epochCount,
                config.fullBatch(dataset.rows()) ? dataset.rows() : config.batchSize(), log, metrics, progress,
                checkpoints, err);
        TrainingControl control = new TrainingControl();
        TrainingResult result;
        try (Interrupts interrupts = new Interrupts(control, err)) {
            try {
                result = new Trainer(ops).fit(model, dataset, config, resumed == null ? null : resumed.checkpoint(),
                        monitor, control);
            } catch (TrainingDivergedException e) {
                progress.endEpoch();
                out.flush();
                err.println(Main.PREFIX + e.getMessage());
                flushMetrics(metrics, err);
                int kept = -1;
                String keptFailure = null;
                try {
                    kept = checkpoints.keepGood(e.lastGoodEpoch());
                } catch (IOException | RuntimeException failure) {
                    keptFailure = Main.userMessage(failure);
                }
                err.println(Main.PREFIX + (kept >= 0
                        ? "the last good state, the end of epoch " + kept + ", is in " + checkpoints.file()
                                + " (the model was not saved); to start a new run from it with other settings: --init "
                                + Shell.quoted(checkpoints.file().toString())
                        : keptFailure != null ? "the last good state could not be written back to "
                                + checkpoints.file() + ": " + keptFailure + "; the model was not saved"
                        : checkpoints.fileEpoch() >= 0 ? "no good state was kept: " + checkpoints.file()
                                + " holds the end of epoch " + checkpoints.fileEpoch() + ", whose parameters"
                                + " already give this loss; the model was not saved"
                        : checkpoints.file() != null ? "no checkpoint had been written to " + checkpoints.file()
                                + " yet (one every " + checkpointEvery + " epoch" + (checkpointEvery == 1 ? "" : "s")
                                + "); the model was not saved"
                        : "no checkpoint was written before it (--save or --checkpoint keep one per epoch); the"
                                + " model was not saved"));
                err.flush();
                return DIVERGED;
            } finally {
                progress.endEpoch();
            }
            if (result.stopped()) { // only a signal stops a run
                out.flush();
                String state;
                try {
                    Path written = checkpoints.writeStopped(model, result.checkpoint());
                    state = "the training state is in " + written + ". To continue: " + resumeCommand(written);
                    if (metrics != null) {
                        try { // every epoch finished, and the checkpoint that continues the run
                            metrics.stoppedTo(written);
                        } catch (IOException | RuntimeException e) {
                            err.println(Main.PREFIX + "cannot write the metrics file: " + Main.userMessage(e));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    state = "the training state could not be written: " + Main.userMessage(e);
                    flushMetrics(metrics, err);
                }
                err.println(Main.PREFIX + "interrupted at " + Checkpoints.position(result.checkpoint()) + "; " + state);
                err.flush();
                return 128 + interrupts.signal();
            }
            // From here a first signal no longer stops anything: the trained model is saved before the exit.
            interrupts.trainingEnded();
            out.flush();
            // The summary goes after the epoch lines (text) or to stderr (json, so that stdout stays JSON lines).
            PrintWriter summary = logFormat == LogFormat.TEXT ? out : err;
            if (interrupts.signal() == 0) { // asked to end: save the model without the summary's evaluations
                report(summary, result, model, dataset, inputsAsRead, ops, config, monitor, dataFrom,
                        start(init), scaling != null);
            }
            model.setInputScaling(scaling);
            int code = save == null ? 0 : ModelSaver.save(model, save, summary, err); // a failed save keeps it
            if (checkpoints.lastWriteFailed()) { // said when it failed; the run's end is not in it
                err.println(Main.PREFIX + "the checkpoint " + checkpoints.file() + " does not hold the end of"
                        + " training: its last write failed (" + (checkpoints.fileEpoch() >= 0 ? "it holds the end of"
                        + " epoch " + checkpoints.fileEpoch() : "it holds no epoch end of this run") + ")" + (save == null
                        ? "; without --save it was the model's only file" : code == 0 ? "; the model is in " + save
                        + " (exit code " + ModelSaver.NOT_SAVED + ")" : ""));
                code = save == null ? ModelSaver.saveInstead(model, err, ModelSaver.fallbackDirs())
                        : ModelSaver.NOT_SAVED;
            }
            if (monitor.metricsFailure() != null) {
                err.println(Main.PREFIX + "--metrics " + metricsFile + " is incomplete: " + monitor.metricsFailure()
                        + (metrics.held() == 0 ? "" : "; it holds " + metrics.held() + " epoch"
                        + (metrics.held() == 1 ? "" : "s") + " and says the run did not finish") + " (exit code "
                        + ModelSaver.NOT_SAVED + ")");
                code = ModelSaver.NOT_SAVED;
            }
            if (interrupts.signal() != 0) {
                err.println(Main.PREFIX + "SIG" + interrupts.signalName() + " after training had ended: "
                        + (save != null && code == 0 ? "the model was saved to " + save + " first"
                                : "the summary was cut short"));
                code = code != 0 ? code : 128 + interrupts.signal();
            }
            out.flush();
            err.flush();
            return code;
        }
    }

    /** Writes the epochs a metrics file does not hold yet, when a run stops early; a failure is said, not thrown. */
    private static void flushMetrics(MetricsFile metrics, PrintWriter err) {
        if (metrics == null) {
            return;
        }
        try {
            metrics.flush();
        } catch (IOException | RuntimeException e) {
            err.println(Main.PREFIX + "cannot write the metrics file: " + Main.userMessage(e));
        }
    }

    /** The summary of a finished run: the settings, the final loss, predictions or accuracy, the test result. */
    private void report(PrintWriter summary, TrainingResult result, Mlp model, Dataset dataset,
                        float[] inputsAsRead, DenseOps ops, TrainingConfig config, TrainingMonitor monitor,
                        Path dataFrom, String start, boolean standardized) {
        Loss lossFn = config.loss();
        boolean fullBatch = config.fullBatch(dataset.rows());
        // the seed draws the initial weights and shuffles the batches: a full-batch run from a file uses it for neither
        boolean seedUsed = !fullBatch || (resume == null && initModel == null);
        summary.printf(Locale.ROOT, "Trained %s with %s loss: %d epoch%s, %s, %s gradients, batch %s%s, %s%s;"
                        + " final loss %s%n", model.describe(), lossFn.id(), result.epochs(), result.epochs() == 1 ? ""
                        : "s",
                describe(config.optimizer()), config.convention() == GradientConvention.MEAN ? "mean" : "summed",
                fullBatch ? "full" : String.valueOf(config.batchSize()), seedUsed ? ", seed " + seed : "", start,
                standardized ? ", inputs standardized" : "",
                PythonFloat.repr(result.finalLoss())); // as the epoch lines write it
        Evaluation last = monitor.lastEvaluation();
        // --per-class without test data: the classes of the training data, evaluated once for both uses
        Evaluation training = last == null && perClass ? Evaluation.of(model, dataset, lossFn, ops) : null;
        int correct = Summary.print(summary, model, dataset, lossFn, ops, PRINTED_ROWS, dataFrom != null, training,
                inputsAsRead);
        if (last != null) {
            summary.printf(Locale.ROOT, "Test: %d rows, loss %.6f%s%n", last.rows(), last.loss(),
                    last.hasClasses() ? String.format(Locale.ROOT, ", accuracy %.4f (%d/%d)", last.accuracy(),
                            last.correct(), last.rows()) : "");
        } else if (perClass) {
            last = training;
            summary.println("Per class, on the training data (no test data):");
        }
        if (perClass) {
            if (last.hasClasses()) {
                EvalCommand.printClasses(summary, last);
            } else {
                summary.println("(--per-class: mse has no classes)");
            }
        }
        if (dataFrom == null) {
            xorVerdict(summary, model, lossFn, correct, dataset.rows());
        }
        // the document's procedure on its XOR points, from a new start, whichever preset's values it came from
        if (dataFrom == null && initModel == null && resume == null && Preset.DOCUMENT.procedureOf(model.sizes(),
                lossFn, config.optimizer().kind(), config.fullBatch(dataset.rows()))) {
            documentNotes(summary, config.convention());
        }
        summary.flush();
    }

    /**
     * The seed document's other mistakes, after a run of its procedure (its fourth, one unit on XOR, is the
     * verdict's): the page that explains them is docs/seed-reproduction.md.
     */
    private static void documentNotes(PrintWriter summary, GradientConvention convention) {
        summary.println("Where the document's program is wrong (docs/seed-reproduction.md):");
        summary.println("  - its loss has no minus sign: it prints " + (convention == GradientConvention.DOCUMENT_SUM
                ? "each of these losses negated" : "the losses of its own run (--gradients sum) negated")
                + "; the losses above are the binary cross-entropy that its update minimises;");
        summary.println("  - its dY_pred applies the sigmoid to an output that already is one, and is never used:"
                + " there is no such term here;");
        summary.println(convention == GradientConvention.DOCUMENT_SUM
                ? "  - its gradients are sums over the 4 rows while its loss is their mean: kept here (--gradients"
                        + " sum) to reproduce it step for step; --gradients mean takes the mean's gradient."
                : "  - its gradients are sums over the 4 rows while its loss is their mean: this run takes the"
                        + " mean's gradient (--gradients mean), a step 4 times smaller than the program's.");
    }

    /** The optimizer and its schedule from the options and the preset; its record checks every value. */
    private OptimizerSpec optimizerSpec(Preset p, int epochCount) {
        OptimizerSpec.Kind kind = optimizer != null ? optimizer : p.optimizer;
        double lr = learningRate != null ? learningRate : p.learningRate;
        double mu = momentum != null ? momentum : kind.usesMomentum() ? 0.9 : 0;
        Schedule s = schedule != null ? schedule : p.schedule;
        // an option that the chosen optimizer or schedule never reads is a mistake, not something to ignore
        for (String adamOption : new String[] {"--beta1", "--beta2", "--eps"}) {
            require(kind.isAdam() || !given(adamOption), adamOption + " is used by --optimizer adam and adamw only,"
                    + " but the optimizer is " + kind);
        }
        for (String stepOption : new String[] {"--lr-step-size", "--lr-gamma"}) {
            require(s == Schedule.STEP || !given(stepOption), stepOption + " is used by --schedule step only, but"
                    + " the schedule is " + s);
        }
        require(s == Schedule.COSINE || !given("--lr-min"), "--lr-min is used by --schedule cosine only, but the"
                + " schedule is " + s);
        // !(>): a NaN passes here to the schedule's own check, which says that it must be finite
        require(s != Schedule.COSINE || !(lrMin > lr), "--lr-min " + lrMin + " is above --lr " + lr + ": --schedule"
                + " cosine anneals the rate down from --lr to --lr-min");
        return new OptimizerSpec(kind, lr, mu, beta1 != null ? beta1 : OptimizerSpec.DEFAULT_BETA1,
                beta2 != null ? beta2 : OptimizerSpec.DEFAULT_BETA2,
                epsilon != null ? epsilon : OptimizerSpec.DEFAULT_EPSILON, weightDecay != null ? weightDecay
                        : kind == OptimizerSpec.Kind.ADAMW ? OptimizerSpec.DEFAULT_ADAMW_WEIGHT_DECAY : 0,
                s.of(epochCount, lrStepSize, lrGamma, lrMin, lrWarmup));
    }

    /** The optimizer for the summary line, its numbers written as Python writes them (1e-08, not 1.0E-8). */
    private static String describe(OptimizerSpec o) {
        String rate = "lr " + PythonFloat.repr(o.learningRate());
        String settings = o.kind().usesMomentum() ? ", momentum " + PythonFloat.repr(o.momentum())
                : o.kind().isAdam() ? ", betas " + PythonFloat.repr(o.beta1()) + " and " + PythonFloat.repr(o.beta2())
                + ", eps " + PythonFloat.repr(o.epsilon()) : "";
        String schedule = o.schedule() instanceof LrSchedule.Constant ? "" : ", " + describe(o.schedule());
        return o.kind() + " (" + rate + settings
                + (o.weightDecay() > 0 ? ", weight decay " + PythonFloat.repr(o.weightDecay()) : "") + schedule + ")";
    }

    /** A schedule for the summary line, in the words of its options. */
    private static String describe(LrSchedule s) {
        return switch (s) {
            case LrSchedule.Constant c -> "constant";
            case LrSchedule.Step st -> "step schedule: ×" + PythonFloat.repr(st.gamma()) + " every "
                    + epochs(st.stepSize());
            case LrSchedule.Cosine c -> "cosine schedule over " + epochs(c.tMax()) + " to "
                    + PythonFloat.repr(c.etaMin());
            case LrSchedule.Warmup w -> "warm-up over " + epochs(w.epochs())
                    + (w.then() instanceof LrSchedule.Constant ? "" : ", then " + describe(w.then()));
        };
    }

    /** {@code p/q} in lowest terms ("3/6" is "1/2"). */
    private static String fraction(long p, long q) {
        long g = java.math.BigInteger.valueOf(p).gcd(java.math.BigInteger.valueOf(q)).longValue();
        return p / g + "/" + q / g;
    }

    private static String epochs(int n) {
        return n == 1 ? "1 epoch" : n + " epochs";
    }

    /** Where the run's parameters came from, for the summary line. */
    private String start(Init init) {
        return resume != null ? "resumed from " + resume : initModel != null ? "from " + initModel
                : "init " + init.id();
    }

    /** The environment variable that moves the fashion-mnist preset's folder (default: Debian's location). */
    static final String FASHION_MNIST_ENV = "MYELIN_FASHION_MNIST";

    /**
     * The data the run trains on: --data, else the preset's folder ({@value #FASHION_MNIST_ENV} overrides the
     * fashion-mnist one), else null for the built-in XOR points.
     */
    private Path dataPath(Preset p) {
        if (data != null) {
            return data;
        }
        String moved = p == Preset.FASHION_MNIST ? System.getenv(FASHION_MNIST_ENV) : null;
        return moved != null && !moved.isBlank() ? Path.of(moved) : p.data;
    }

    private DataFiles.Sets readData(Preset p, Path path, Loss lossFn, int[] sizes) throws IOException {
        if (path == null) {
            return new DataFiles.Sets(xorData(lossFn), test == null ? null
                    : DataFiles.evaluationData(test, lossFn, true, 2, lossFn == Loss.CE ? 2 : 1, headerMode()));
        }
        // the preset's folder missing, empty or half there: how to get the data (a given --data is the user's own)
        List<String> missing = data == null ? IdxData.missingFiles(path) : List.of();
        if (test != null) { // --test replaces the folder's t10k files, which need not be there
            missing = missing.stream().filter(name -> name.startsWith("train-")).toList();
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("--preset " + p.id() + ": its data is not in " + path
                    + (Files.isDirectory(path) ? " (no " + String.join(", ", missing) + ")" : "") + ". On Debian"
                    + " or Ubuntu: apt-get install dataset-fashion-mnist; elsewhere give --data DIR (or set "
                    + FASHION_MNIST_ENV + "=DIR), a folder with"
                    + " train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and"
                    + " t10k-labels-idx1-ubyte.gz (from the Fashion-MNIST release)");
        }
        if (Files.isDirectory(path)) { // a folder without IDX files is named as such before any model question
            IdxData.requireIdxFiles(path);
        }
        int outputs;
        if (sizes != null) {
            outputs = sizes[sizes.length - 1];
        } else {
            require(lossFn != Loss.CE || Files.isDirectory(path), "--loss ce with --data needs --layers (its last"
                    + " size is the number of classes) or --init MODEL.json");
            outputs = lossFn == Loss.CE ? IdxData.DEFAULT_CLASSES : 1; // an IDX folder's classes
        }
        require(lossFn != Loss.CE || outputs >= 2, "--loss ce needs at least 2 classes but the network has "
                + outputs + " output");
        // With known sizes the reader checks the column count itself and names the file and line.
        try {
            return DataFiles.trainingSets(path, test, lossFn, sizes != null ? sizes[0] : -1, outputs, headerMode());
        } catch (DataException e) {
            boolean presetsLayers = layers == null && initModel == null && resume == null && p.layers() != null;
            if (presetsLayers && e.getMessage().contains(" but the model needs ")) { // say where the model is from
                throw new IllegalArgumentException(e.getMessage() + "; the model is the preset's layers "
                        + joined(sizes) + " (--preset " + p.id() + "; --layers gives others)", e);
            }
            throw e;
        }
    }

    /**
     * The command line of this run with {@code --resume FILE} in place of any earlier {@code --resume} or
     * {@code --init} (the model now comes from the checkpoint), quoted for a POSIX shell.
     */
    private String resumeCommand(Path file) {
        List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        if (!args.isEmpty() && args.get(0).equals("train")) {
            args.remove(0);
        }
        // the model comes from the checkpoint: the options that would give it are left out (a resume ignores them)
        List<String> modelOptions = List.of("--resume", "--init", "--layers", "--activation", "--init-method");
        List<String> kept = new ArrayList<>(List.of(Main.launcher(), "train"));
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (modelOptions.contains(a)) {
                i++; // and its value
            } else if (modelOptions.stream().noneMatch(o -> a.startsWith(o + "="))) {
                kept.add(Shell.quoted(a));
            }
        }
        kept.add("--resume");
        kept.add(Shell.quoted(file.toString()));
        return String.join(" ", kept);
    }

    private Header headerMode() {
        return headers.mode();
    }

    /** The verdict on the XOR points, with the reason when a model without hidden layer could not learn them. */
    private void xorVerdict(PrintWriter summary, Mlp model, Loss loss, int correct, int rows) {
        if (correct == rows) {
            summary.printf(Locale.ROOT, "XOR learned: %d/%d correct at threshold 0.5.%n", correct, rows);
            return;
        }
        summary.printf(Locale.ROOT, "XOR not learned: %d/%d correct at threshold 0.5.%n", correct, rows);
        if (model.layers().size() == 1) {
            // one layer, whatever its activation: a monotone function of one linear map, so one straight boundary
            summary.println("A single layer (" + model.describe() + ") cannot separate XOR: its decision boundary is"
                    + " one straight line, and no line puts (0,1) and (1,0) on one side and (0,0) and (1,1) on the"
                    + " other.");
            // the best it can do is predict 0.5 everywhere: the loss of that prediction is where it plateaus
            summary.println("Its loss plateaus near " + (loss == Loss.MSE ? "0.25 (the squared error of 0.5)"
                    : "ln 2 ≈ 0.693") + ", with every prediction close to 0.5. A hidden layer fixes it: "
                    + Main.launcher() + " train --preset xor");
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


    private static void checkLayers(int[] sizes) {
        require(sizes.length >= 2, "--layers needs at least two sizes (inputs and outputs), e.g. 2,4,1; got "
                + joined(sizes));
        for (int s : sizes) {
            require(s >= 1, "--layers " + joined(sizes) + ": every size must be at least 1");
        }
    }

    /**
     * The loss when neither --loss nor a model gives it: the preset's, except that without a preset (--data)
     * class data or several outputs mean classes: ce for an IDX folder or --layers ending in more than one
     * output (bce takes one output, and mse must be asked for).
     */
    private Loss defaultLoss(Preset p) {
        if (p != Preset.NONE) {
            return p.loss;
        }
        boolean classes = data != null && Files.isDirectory(data) || layers != null && layers[layers.length - 1] > 1;
        return classes ? Loss.CE : p.loss;
    }

    /**
     * Fails before training when {@code option}'s file could not be written where asked (a folder that is missing
     * or not writable, a name that is a folder), so that no run ends without what it was asked to write.
     */
    private static void checkOutput(String option, Path target) {
        if (target == null) {
            return;
        }
        require(!Files.isDirectory(target), option + " " + target + ": is a directory, expected a file name");
        Path dir = target.toAbsolutePath().getParent();
        require(dir != null && Files.isDirectory(dir), option + " " + target + ": " + AtomicFile.missingDirectory(dir));
        require(Files.isWritable(dir), option + " " + target + ": directory " + dir + " is not writable");
        checkWritable(option, target);
    }

    /** Fails before training when {@code option}'s file could not be replaced (a device, FIFO, directory). */
    private static void checkWritable(String option, Path target) {
        if (target == null) {
            return;
        }
        try {
            AtomicFile.checkReplaceable(target);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + target + ": " + Main.userMessage(e), e);
        }
    }

    /** A list option given once, without empty items (picocli would join repeated lists, and drop empty items). */
    private void requireOneWholeList(String option) {
        ParseResult parsed = spec.commandLine().getParseResult();
        List<String> values = parsed == null || parsed.matchedOption(option) == null ? List.of()
                : parsed.matchedOption(option).originalStringValues();
        if (values.size() > 1) {
            throw new IllegalArgumentException(option + " is given " + values.size() + " times ("
                    + String.join(", ", values) + "); give it once, e.g. " + option + " "
                    + values.get(values.size() - 1));
        }
        // a list's empty item ("2,4,1," or "2,,1"): the split drops a trailing one without a word
        if (values.size() == 1 && (values.get(0).startsWith(",") || values.get(0).endsWith(",")
                || values.get(0).contains(",,"))) {
            throw new IllegalArgumentException(option + " " + values.get(0) + ": an empty size between commas; give"
                    + " the sizes as 2,4,1");
        }
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
