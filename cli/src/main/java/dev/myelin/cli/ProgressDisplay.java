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

    /**
     * Set by {@code ./myelin} to whether stderr, where the bar goes, is a terminal ({@code [ -t 2 ]}): Java
     * cannot tell for stderr itself, and its console check looks at stdin and stdout.
     */
    static final String STDERR_TERMINAL_PROPERTY = "myelin.stderrTerminal";

    /** A bar on stderr when stderr is a terminal, else {@link #NONE}. */
    static ProgressDisplay forTerminal(boolean wanted) {
        String told = System.getProperty(STDERR_TERMINAL_PROPERTY);
        java.io.Console console = System.console();
        boolean terminal = told != null ? Boolean.parseBoolean(told) : console != null && console.isTerminal();
        return wanted && terminal ? new Bar(System.err) : NONE;
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
