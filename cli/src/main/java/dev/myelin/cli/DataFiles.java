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
     * {@code t10k-*} files of an IDX folder, else none.
     */
    static Sets trainingSets(Path data, Path test, Loss loss, int inputs, int outputs, Header header)
            throws IOException {
        Dataset train;
        Dataset held = null;
        if (Files.isDirectory(data)) {
            IdxData.Split split = idxFolder(data, loss);
            train = split.train();
            held = test == null ? split.test() : null;
        } else {
            train = CsvData.read(data, loss, inputs, outputs, header);
        }
        if (test != null) {
            held = evaluationData(test, loss, train.inputs(), train.outputs(), header);
        }
        return new Sets(train, held);
    }

    /** Evaluation data: a CSV file, or the {@code t10k-*} files of an IDX folder. */
    static Dataset evaluationData(Path path, Loss loss, int inputs, int outputs, Header header) throws IOException {
        if (Files.isDirectory(path)) {
            return idxFolder(path, loss).test();
        }
        return CsvData.read(path, loss, inputs, outputs, header);
    }

    private static IdxData.Split idxFolder(Path dir, Loss loss) throws IOException {
        if (loss != Loss.CE) {
            throw new IllegalArgumentException(dir + ": is a folder; a data folder holds IDX files (MNIST layout),"
                    + " whose labels are classes, so it trains with --loss ce (got --loss " + loss.id() + ")");
        }
        return IdxData.readFolder(dir);
    }
}
