package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands a run prints for pasting start with the way the program was started: {@code ./myelin} passes its
 * path ({@code -Dmyelin.launcher=$0}), so that "To continue: …" and the XOR verdict's fix work when pasted into
 * the same shell (they said {@code myelin}, which is not on the PATH of someone running the repository's script).
 */
class LauncherNameTest {

    @TempDir
    Path dir;

    @Test
    void theLauncherIsThePathTheScriptWasRunByQuotedForAShell() {
        try (SystemProperty launcher = SystemProperty.set(Main.LAUNCHER_PROPERTY, null)) {
            assertEquals("myelin", Main.launcher(), "started as a jar: the command's name");
            launcher.to("./myelin");
            assertEquals("./myelin", Main.launcher());
            launcher.to("/opt/my tools/myelin");
            assertEquals("'/opt/my tools/myelin'", Main.launcher());
            Cli run = Cli.run("train", "--epochs", "3", "--log-every", "3");
            assertEquals(0, run.exitCode(), run.transcript());
            assertTrue(run.out().contains("A hidden layer fixes it: '/opt/my tools/myelin' train --preset xor"),
                    run.transcript());
        }
    }

    /** The script itself passes its path: a script run from the repository's root reads back {@code ./myelin}. */
    @Test
    void theScriptPassesItsPath() throws IOException {
        String script = Files.readString(Path.of("..", "myelin"));
        assertEquals(2, script.split("\"-Dmyelin\\.launcher=\\$0\"", -1).length - 1, "both exec lines pass $0");
    }
}
