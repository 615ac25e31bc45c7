package dev.myelin.cli;

import dev.myelin.nn.InputRange;
import dev.myelin.nn.Mlp;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The note {@code predict} and {@code eval} print when their inputs lie far outside the range the model was trained
 * on ({@link InputRange#farOutside}): the results are computed all the same, and the exit code does not change.
 */
final class InputRangeNote {

    private InputRangeNote() {
    }

    /** Prints the note to {@code err} when the raw inputs {@code x} read from {@code data} call for it. */
    static void print(PrintWriter err, Mlp model, Path modelFile, float[] x, Path data) {
        InputRange trained = model.trainingInputs();
        InputRange given = trained == null ? null : InputRange.of(x);
        if (given != null && trained.farOutside(given)) {
            err.println(Main.PREFIX + "note: the inputs of " + data + " range over " + given + ", far outside the "
                    + trained + " of the data " + modelFile + " was trained on: were they scaled as that data was?"
                    + " (an IDX folder's pixels are read as x/255, a CSV file's values as written)");
            err.flush();
        }
    }
}
