package dev.myelin.cli;

import dev.myelin.nn.InputRange;
import dev.myelin.nn.Mlp;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The note {@code predict} and {@code eval} print when their inputs lie far outside the range the model was trained
 * on ({@link InputRange#farOutside}), and {@code train} when its data lies far outside that of the model it starts
 * from ({@code --init}) or its test data far outside its training data: the results are computed all the same, and
 * the exit code does not change.
 */
final class InputRangeNote {

    private InputRangeNote() {
    }

    /** Prints the note to {@code err} when the raw inputs {@code x} read from {@code data} call for it. */
    static void print(PrintWriter err, Mlp model, Path modelFile, float[] x, Path data) {
        InputRange trained = model.trainingInputs();
        if (trained != null) {
            print(err, trained, "the data " + modelFile + " was trained on", InputRange.of(x), data);
        }
    }

    /**
     * Prints the note when {@code given}, the range of the inputs read from {@code data}, lies far outside
     * {@code reference}, which {@code whose} names ("the data M was trained on", "the training data D").
     */
    static void print(PrintWriter err, InputRange reference, String whose, InputRange given, Path data) {
        if (reference.farOutside(given)) {
            err.println(Main.PREFIX + "note: the inputs of " + data + " range over " + given + ", far outside the "
                    + reference + " of " + whose + ": were they scaled as that data was?"
                    + " (an IDX folder's pixels are read as x/255, a CSV file's values as written)");
            err.flush();
        }
    }
}
