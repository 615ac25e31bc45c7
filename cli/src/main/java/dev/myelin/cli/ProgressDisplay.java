package dev.myelin.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The per-epoch progress bar of {@code train} on a terminal (batches done, rate, time left), drawn by
 * me.tongfei:progressbar on stderr and cleared when the epoch ends, so the epoch's log line takes its place.
 * Off when stderr is not a terminal, when the log is JSON, or for full-batch training (one step an epoch):
 * then {@link #NONE} does nothing.
 */
class ProgressDisplay {

    /** No display: every method does nothing. */
    static final ProgressDisplay NONE = new ProgressDisplay();

    private ProgressDisplay() {
    }

    /** A bar on stderr when this JVM's console is a terminal, else {@link #NONE}. */
    static ProgressDisplay forTerminal(boolean wanted) {
        java.io.Console console = System.console();
        return wanted && console != null && console.isTerminal() ? new Bar(System.err) : NONE;
    }

    void startEpoch(int epoch, int epochs, int batches) {
    }

    void batchDone(int batch) {
    }

    void endEpoch() {
    }

    private static final class Bar extends ProgressDisplay {
        private final PrintStream stream;
        private ProgressBar bar;

        Bar(PrintStream stream) {
            this.stream = stream;
        }

        @Override
        void startEpoch(int epoch, int epochs, int batches) {
            endEpoch();
            bar = new ProgressBarBuilder().setTaskName("Epoch " + epoch + "/" + epochs).setInitialMax(batches)
                    .setUnit(" batches", 1).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200)
                    .setConsumer(new ConsoleProgressBarConsumer(stream)).clearDisplayOnFinish().build();
        }

        @Override
        void batchDone(int batch) {
            if (bar != null) {
                bar.stepTo(batch);
            }
        }

        @Override
        void endEpoch() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
