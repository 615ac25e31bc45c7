package dev.myelin.cli;

import dev.myelin.nn.CsvData;
import dev.myelin.nn.Dataset;
import dev.myelin.nn.Loss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the commands' data come from: a CSV file, or a folder of IDX files in the MNIST layout
 * (train-* for training, t10k-* for evaluation). The one place that decides how a path is read.
 */
final class DataFiles {

    private DataFiles() {
    }

    /** Training data: a CSV file, or the train-* files of an IDX folder. */
    static Dataset trainingData(Path path, Loss loss, int inputs, int outputs) throws IOException {
        return read(path, loss, inputs, outputs, true);
    }

    /** Evaluation data: a CSV file, or the t10k-* files of an IDX folder. */
    static Dataset evaluationData(Path path, Loss loss, int inputs, int outputs) throws IOException {
        return read(path, loss, inputs, outputs, false);
    }

    private static Dataset read(Path path, Loss loss, int inputs, int outputs, boolean training) throws IOException {
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(path + ": is a folder; IDX folders are not supported yet");
        }
        return CsvData.read(path, loss, inputs, outputs);
    }
}
