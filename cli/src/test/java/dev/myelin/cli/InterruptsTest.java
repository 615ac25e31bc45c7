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
 * second says what that means for the files and ends the process with 128 + the signal. The wait for its line is a
 * minute here (200 ms in the CLI), so a busy machine cannot make the line late.
 */
class InterruptsTest {

    @Test
    void aSecondSignalSaysWhatIsNotWrittenAndQuits() {
        for (boolean ended : new boolean[] {false, true}) {
            TrainingControl control = new TrainingControl();
            StringWriter text = new StringWriter();
            List<Integer> halted = new ArrayList<>();
            try (Interrupts interrupts = new Interrupts(control, new PrintWriter(text), halted::add,
                    60_000)) {
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
                assertEquals("myelin: SIGINT again: quitting at once; " + (ended ? "the model is not saved"
                        : "this stop's checkpoint is not written") + " (a file being written now is left as it was:"
                        + " each is replaced in one step); the files written before are whole", lines[1]);
                assertEquals(2, interrupts.signal());
            }
        }
    }
}
