package dev.myelin.cli;

import dev.myelin.nn.TrainingControl;
import java.io.PrintWriter;
import java.util.function.IntConsumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT (Ctrl-C) and SIGTERM during training: the first one asks the trainer to stop after the step in
 * progress, so that {@code train} can write a checkpoint and exit with {@code 128 + signal} (130 or 143); a
 * second one ends the process at once, saying so (files are written atomically, so nothing half-written is left:
 * a file is whole or as it was, and a temporary file left beside it is removed by the next write). After
 * {@link #trainingEnded()} a first signal stops nothing: {@code train} finishes the summary line it is at (or
 * skips the summary when it has not begun), saves the model and then exits with {@code 128 + signal}, so that a
 * signal between the last step and the save never loses the trained model.
 * sun.misc.Signal is the JDK's supported way (module jdk.unsupported) to handle a signal in Java code.
 */
final class Interrupts implements AutoCloseable {

    private static final String[] NAMES = {"INT", "TERM"};

    /** How long a second signal waits for its line to reach stderr before the process ends regardless. */
    private static final long LAST_WORD_MILLIS = 200;

    private final long lastWordMillis;
    private final SignalHandler[] previous = new SignalHandler[NAMES.length];
    private final TrainingControl control;
    private final PrintWriter err;
    private final IntConsumer halt;
    private volatile int signal;
    private volatile String signalName = "";
    private volatile boolean trainingEnded;

    Interrupts(TrainingControl control, PrintWriter err) {
        this(control, err, Runtime.getRuntime()::halt, LAST_WORD_MILLIS);
    }

    /**
     * @param halt           ends the process with the given status (the JVM's halt; a test's recorder)
     * @param lastWordMillis how long a second signal waits for its line to reach {@code err}
     */
    Interrupts(TrainingControl control, PrintWriter err, IntConsumer halt, long lastWordMillis) {
        this.control = control;
        this.err = err;
        this.halt = halt;
        this.lastWordMillis = lastWordMillis;
        for (int i = 0; i < NAMES.length; i++) {
            try {
                previous[i] = Signal.handle(new Signal(NAMES[i]), s -> handle(s.getName(), s.getNumber()));
            } catch (IllegalArgumentException e) {
                previous[i] = null; // the JVM reserves this signal here (e.g. -Xrs): leave it alone
            }
        }
    }

    /** SIG{@code name} ({@code number}) arrived: the first stops training, a second ends the process. */
    void handle(String name, int number) {
        if (signal != 0) {
            // the user asked twice: say what is (not) written, then go; the line is printed by another thread,
            // waited for briefly, so that a stderr nobody reads cannot keep the process alive
            String line = Main.PREFIX + "SIG" + name + " again: quitting at once; " + (trainingEnded
                    ? "the model is not saved" : "this stop's checkpoint is not written") + " (a file being written"
                    + " now is left as it was: each is replaced in one step); the files written before are whole";
            Thread say = new Thread(() -> {
                err.println(line);
                err.flush();
            }, "myelin-last-word");
            say.setDaemon(true);
            say.start();
            try {
                say.join(lastWordMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            halt.accept(128 + number);
            return;
        }
        signalName = name;
        signal = number;
        control.requestStop();
        err.println(Main.PREFIX + "SIG" + name + (trainingEnded
                ? ": training has ended, saving the model first (send it again to quit at once)"
                : ": stopping after this step to write a checkpoint (send it again to quit at once)"));
        err.flush();
    }

    /** The signal that stopped training (2 for SIGINT, 15 for SIGTERM), or 0. */
    int signal() {
        return signal;
    }

    /** The name of {@link #signal()} without "SIG" ("INT", "TERM"), or "" when none came. */
    String signalName() {
        return signalName;
    }

    /** Training is over: a first signal from now on means "save, then exit" (see the class comment). */
    void trainingEnded() {
        trainingEnded = true;
    }

    @Override
    public void close() {
        for (int i = 0; i < NAMES.length; i++) {
            if (previous[i] != null) {
                Signal.handle(new Signal(NAMES[i]), previous[i]);
            }
        }
    }
}
