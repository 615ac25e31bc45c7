package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.nn.TrainingControl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The signal handler's two steps, called directly (a second real signal races the checkpoint write that the first
 * one starts, so a child process could end before it arrives): the first asks training to stop and says so; the
 * second says what is not written and ends the process with 128 + the signal.
 */
class InterruptsTest {

    @Test
    void aSecondSignalSaysWhatIsNotWrittenAndQuits() {
        for (boolean ended : new boolean[] {false, true}) {
            TrainingControl control = new TrainingControl();
            StringWriter text = new StringWriter();
            List<Integer> halted = new ArrayList<>();
            try (Interrupts interrupts = new Interrupts(control, new PrintWriter(text), halted::add)) {
                if (ended) {
                    interrupts.trainingEnded();
                }
                interrupts.handle("INT", 2);
                assertTrue(control.stopRequested(), "the first signal stops training");
                assertEquals(List.of(), halted, "the first signal does not end the process");
                interrupts.handle("INT", 2);
                assertEquals(List.of(130), halted);
                String[] lines = text.toString().split(System.lineSeparator());
                assertEquals(2, lines.length, text.toString());
                assertEquals("myelin: SIGINT again: quitting at once, without " + (ended ? "saving the model"
                        : "this stop's checkpoint") + "; the files written before are whole, each replaced in one"
                        + " step", lines[1]);
                assertEquals(2, interrupts.signal());
            }
        }
    }
}
