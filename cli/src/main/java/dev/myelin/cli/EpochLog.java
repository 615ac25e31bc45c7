package dev.myelin.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.myelin.nn.EpochListener;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * Prints the loss of every {@code every}-th epoch and of the last one, as {@code Epoch N, Loss: L} (exactly the
 * document's line, {@link Double#toString} of the positive BCE) or as one JSON object per line. A NaN loss is
 * printed as it is ({@code NaN}, or {@code "NaN"} in JSON).
 */
final class EpochLog implements EpochListener {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;
    private final LogFormat format;
    private final int every;
    private final int last;

    EpochLog(PrintWriter out, LogFormat format, int every, int last) {
        this.out = out;
        this.format = format;
        this.every = every;
        this.last = last;
    }

    @Override
    public void onEpoch(int epoch, double loss) {
        if (epoch % every != 0 && epoch != last) {
            return;
        }
        if (format == LogFormat.TEXT) {
            out.println("Epoch " + epoch + ", Loss: " + loss);
        } else {
            try {
                out.println(JSON.writeValueAsString(JSON.createObjectNode().put("epoch", epoch).put("loss", loss)));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e); // cannot happen for two numbers
            }
        }
    }
}
