package dev.myelin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.core.dispatch.VectorSupport;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class InfoCommandTest {

    @Test
    void infoShowsTheJdkTheVectorApiAndEveryKernel() {
        Cli run = Cli.run("info");
        assertEquals(0, run.exitCode(), run.transcript());
        String out = run.out();
        assertTrue(out.contains("Java:        " + System.getProperty("java.version")), out);
        assertTrue(out.contains(VectorSupport.available() ? "Vector API:  active" : "Vector API:  not active"), out);
        if (VectorSupport.available()) {
            assertTrue(out.matches("(?s).*Species: +FloatVector \\d+-bit, \\d+ float lanes.*"), out);
        }
        String defaultName = KernelRegistry.defaultKernel().name();
        for (String name : KernelRegistry.names()) {
            assertTrue(out.contains("  " + name + " "), "kernel " + name + " listed:\n" + out);
        }
        assertTrue(out.matches("(?s).*\\n  " + defaultName + " [^\\n]*\\(default\\)\\n.*"), out);
        assertTrue(out.contains("scalar"), out);
        assertTrue(out.contains("VM options:  "), out);
        assertEquals("", run.err().replaceAll("(?m)^.*(kernel|WARNING|INFO).*\\R", ""), "only log lines on stderr");
    }

    @Test
    void simdFeaturesComeFromHotSpotsCpuLine() {
        String vmInfo = """
                 CPUs: 2 total, 2 available
                CPU: total 2 (initial active 2) (2 cores per cpu, 1 threads per core) family 25 model 17 stepping 1\
                 microcode 0x1000065, cx8, cmov, fxsr, mmx, sse, sse2, ssse3, sse4.1, popcnt, avx, avx2, aes, fma,\
                 avx512f, avx512_vnni, f16c
                CPU Model and flags from /proc/cpuinfo:
                flags		: fpu vme de pse tsc avx512f
                """;
        assertEquals(Optional.of("sse sse2 ssse3 sse4.1 avx avx2 fma avx512f avx512_vnni f16c"),
                InfoCommand.simdFeatures(vmInfo));
        assertEquals(Optional.of("asimd sve sve2"),
                InfoCommand.simdFeatures("CPU: total 8 (initial active 8) 0x41:0x0:0xd0c:1, fp, asimd, aes, sve, sve2"));
        assertEquals(Optional.of("avx512f"), InfoCommand.kernelSimdFlags(vmInfo), "the kernel's own flags");
        assertEquals(Optional.empty(), InfoCommand.kernelSimdFlags("flags : avx2\nno copy of /proc/cpuinfo"));
        assertEquals(Optional.empty(), InfoCommand.simdFeatures("no such line\nCPU: unknown"));
        assertEquals(Optional.empty(), InfoCommand.simdFeatures(""));
    }

    @Test
    void logRecordsBecomeOneMyelinLine() {
        OneLineLogFormatter formatter = new OneLineLogFormatter();
        LogRecord kernel = new LogRecord(Level.INFO, "Myelin kernel: {0}");
        kernel.setParameters(new Object[] {"vector (FloatVector 512-bit, 16 lanes)"});
        assertEquals("myelin: kernel vector (FloatVector 512-bit, 16 lanes)" + System.lineSeparator(),
                formatter.format(kernel));
        LogRecord warning = new LogRecord(Level.WARNING, "Myelin: the Vector API is not available.");
        assertEquals("myelin: warning: the Vector API is not available." + System.lineSeparator(),
                formatter.format(warning));
        LogRecord failed = new LogRecord(Level.SEVERE, "kernel failed");
        failed.setThrown(new IllegalStateException("boom"));
        assertEquals("myelin: warning: kernel failed (boom)" + System.lineSeparator(), formatter.format(failed));
    }

    /** -V, listed in every subcommand's help, prints the version there too (it printed nothing). */
    @Test
    void everySubcommandPrintsTheVersion() {
        for (String command : new String[] {"train", "predict", "eval", "report", "info", "bench"}) {
            Cli run = Cli.run(command, "-V");
            assertEquals(0, run.exitCode(), run.transcript());
            assertTrue(run.out().startsWith("myelin "), command + ": " + run.transcript());
        }
    }
}
