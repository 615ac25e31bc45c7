package dev.myelin.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Prints every {@code every}-th epoch and the last one. Text: {@code Epoch N, Loss: L} (exactly the document's
 * line: the positive loss as Python prints a float, {@link PythonFloat}), followed, for runs with evaluation data
 * or mini-batches, by {@code  | test loss …, accuracy …% | … s, … samples/s}. JSON: one object per line with the fields of
 * {@link EpochStats#toJson} ({@code epoch}, {@code loss}, {@code lr}, {@code seconds}, {@code samples_per_sec},
 * {@code test_loss}, {@code test_accuracy}; the last two null without evaluation data). A NaN loss is printed
 * as it is ({@code nan}, as Python prints it, or {@code "NaN"} in JSON).
 */
final class EpochLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;
    private final LogFormat format;
    private final int every;
    private final int last;
    private final boolean details;

    /** @param details whether text lines carry evaluation and speed after the document's part */
    EpochLog(PrintWriter out, LogFormat format, int every, int last, boolean details) {
        this.out = out;
        this.format = format;
        this.every = every;
        this.last = last;
        this.details = details;
    }

    void print(EpochStats e) {
        if (e.epoch() % every != 0 && e.epoch() != last) {
            return;
        }
        if (format == LogFormat.JSON) {
            try {
                out.println(JSON.writeValueAsString(e.toJson(JSON.createObjectNode())));
            } catch (JsonProcessingException x) {
                throw new UncheckedIOException(x); // cannot happen for numbers
            }
        } else {
            StringBuilder line = new StringBuilder("Epoch ").append(e.epoch()).append(", Loss: ")
                    .append(PythonFloat.repr(e.loss()));
            if (details) {
                if (e.evaluated()) {
                    line.append(String.format(Locale.ROOT, " | test loss %.4f", e.testLoss()));
                    if (!Double.isNaN(e.testAccuracy())) {
                        line.append(String.format(Locale.ROOT, ", accuracy %.2f%%", 100 * e.testAccuracy()));
                    }
                }
                line.append(String.format(Locale.ROOT, " | %.2f s, %.0f samples/s", e.seconds(), e.samplesPerSecond()));
            }
            out.println(line);
        }
        out.flush();
    }
}
