package dev.myelin.cli;

import dev.myelin.nn.CsvData;
import dev.myelin.nn.Dataset;
import dev.myelin.nn.Header;
import dev.myelin.nn.IdxData;
import dev.myelin.nn.Loss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the commands' data come from, the one place that decides how a path is read: a CSV file (labels in the
 * last column(s), see {@link CsvData}), or a folder of IDX files in the MNIST layout ({@code train-*} for
 * training, {@code t10k-*} for evaluation; see {@link IdxData}), which holds classes and so needs {@code ce}.
 */
final class DataFiles {

    private DataFiles() {
    }

    /** Training data and, when there is any, evaluation data. */
    record Sets(Dataset train, Dataset test) {
    }

    /**
     * The training data at {@code data} and the evaluation data: {@code test} when given, else the
     * {@code t10k-*} files of an IDX folder, else none (a CSV file, or an IDX folder with neither t10k file).
     */
    static Sets trainingSets(Path data, Path test, Loss loss, int inputs, int outputs, Header header)
            throws IOException {
        Dataset train;
        Dataset held = null;
        if (Files.isDirectory(data)) {
            requireClasses(data, loss, true);
            if (test == null && !IdxData.lacksTestSet(data)) {
                IdxData.Split split = IdxData.readFolder(data);
                train = split.train();
                held = split.test();
            } else { // --test replaces the folder's t10k files, which need not be there; without both: no test set
                train = IdxData.readTrain(data);
            }
        } else {
            train = CsvData.read(data, loss, inputs, outputs, header);
        }
        if (test != null) {
            held = evaluationData(test, loss, true, train.inputs(), train.outputs(), header);
            if (Files.isDirectory(data) && Files.isDirectory(test)) {
                IdxData.requireSameImageSize(data, test);
            }
        }
        return new Sets(train, held);
    }

    /**
     * Evaluation data: a CSV file, or the {@code t10k-*} files of an IDX folder; it must have {@code inputs} inputs
     * and {@code outputs} outputs (classes for CE) where they are at least 1, or the error names the path.
     * {@code lossOption}: whether {@code loss} is train's {@code --loss} (else a saved model's), for the messages.
     */
    static Dataset evaluationData(Path path, Loss loss, boolean lossOption, int inputs, int outputs, Header header)
            throws IOException {
        if (!Files.isDirectory(path)) {
            return CsvData.read(path, loss, inputs, outputs, header); // checks the columns itself, naming the line
        }
        requireClasses(path, loss, lossOption);
        Dataset set = IdxData.readTest(path);
        if (inputs >= 1 && set.inputs() != inputs) {
            throw new IllegalArgumentException(path + ": its images have " + set.inputs() + " pixels but the model"
                    + " takes " + inputs + " inputs");
        }
        if (outputs >= 1 && set.outputs() != outputs) {
            throw new IllegalArgumentException(path + ": its labels are " + set.outputs() + " classes but the model"
                    + " has " + outputs + " outputs");
        }
        return set;
    }

    /**
     * A folder holds IDX files, whose labels are classes: only a softmax model (cross-entropy) fits them. A folder
     * without any is named as such first, whatever the model. {@code lossOption}: whether the loss is train's
     * {@code --loss} (else it is the one of a saved model's output layer).
     */
    private static void requireClasses(Path dir, Loss loss, boolean lossOption) {
        IdxData.requireIdxFiles(dir);
        if (loss != Loss.CE) {
            throw new IllegalArgumentException(dir + ": is a folder of IDX files (MNIST layout), whose labels are"
                    + " classes, so it needs a softmax model" + (lossOption ? " and --loss ce (here: " + loss.id()
                    + ")" : " (cross-entropy), and the model's output layer is not softmax (its loss is " + loss.id()
                    + ")"));
        }
    }
}
