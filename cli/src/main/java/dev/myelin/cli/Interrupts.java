package dev.myelin.cli;

import dev.myelin.nn.TrainingControl;
import java.io.PrintWriter;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT (Ctrl-C) and SIGTERM during training: the first one asks the trainer to stop after the step in
 * progress, so that {@code train} can write a checkpoint and exit with {@code 128 + signal} (130 or 143); a
 * second one ends the process at once (files are written atomically, so nothing half-written is left). After
 * {@link #trainingEnded()} a first signal stops nothing: {@code train} finishes the summary line it is at (or
 * skips the summary when it has not begun), saves the model and then exits with {@code 128 + signal}, so that a
 * signal between the last step and the save never loses the trained model.
 * sun.misc.Signal is the JDK's supported way (module jdk.unsupported) to handle a signal in Java code.
 */
final class Interrupts implements AutoCloseable {

    private static final String[] NAMES = {"INT", "TERM"};

    private final SignalHandler[] previous = new SignalHandler[NAMES.length];
    private volatile int signal;
    private volatile String signalName = "";
    private volatile boolean trainingEnded;

    Interrupts(TrainingControl control, PrintWriter err) {
        for (int i = 0; i < NAMES.length; i++) {
            try {
                previous[i] = Signal.handle(new Signal(NAMES[i]), s -> {
                    if (signal != 0) {
                        Runtime.getRuntime().halt(128 + s.getNumber());
                    }
                    signalName = s.getName();
                    signal = s.getNumber();
                    control.requestStop();
                    err.println(Main.PREFIX + "SIG" + s.getName() + (trainingEnded
                            ? ": training has ended, saving the model first (send it again to quit at once)"
                            : ": stopping after this step to write a checkpoint (send it again to quit at once)"));
                    err.flush();
                });
            } catch (IllegalArgumentException e) {
                previous[i] = null; // the JVM reserves this signal here (e.g. -Xrs): leave it alone
            }
        }
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
