package dev.myelin.core.codegen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checked-in kernel classes are what {@link KernelGenerator} writes from the templates today: a template or
 * generator edited without running {@value KernelGenerator#COMMAND}, or a generated file edited by hand, fails
 * here with the file, the first differing line and the command that brings it up to date.
 */
class GeneratedKernelsAreCurrentTest {

    /** vector-core: Surefire runs in the module's folder and says so in {@code basedir}. */
    private static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();

    @Test
    void everyGeneratedFileMatchesItsTemplate() throws IOException {
        Map<Path, String> generated = KernelGenerator.generate(MODULE);
        assertFalse(generated.isEmpty(), "no templates in " + MODULE.resolve(KernelGenerator.TEMPLATES));
        List<String> stale = new ArrayList<>();
        for (Map.Entry<Path, String> file : generated.entrySet()) {
            Path path = MODULE.resolve(file.getKey());
            if (!Files.exists(path)) {
                stale.add("vector-core/" + file.getKey() + " is missing");
                continue;
            }
            String onDisk = Files.readString(path);
            if (!onDisk.equals(file.getValue())) {
                stale.add("vector-core/" + file.getKey() + " differs from its template at line "
                        + firstDifferentLine(onDisk, file.getValue()));
            }
        }
        if (!stale.isEmpty()) {
            fail(String.join("\n", stale) + "\nThese files are generated: run " + KernelGenerator.COMMAND
                    + " (and edit the template in vector-core/" + KernelGenerator.TEMPLATES
                    + " or KernelGenerator, never the generated file).");
        }
    }

    private static int firstDifferentLine(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        int i = 0;
        while (i < x.length && i < y.length && x[i].equals(y[i])) {
            i++;
        }
        return i + 1;
    }
}
