package dev.myelin.core.dispatch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the kernels may know of the CPU beyond the vector width: its architecture, as the JVM reports it, and its
 * vendor, as Linux does. The choices made from them (the loop order, {@link LoopOrder}; the transposition in
 * registers, {@code simd.PackedGemm}) change which code runs, never the operations on an element, so the bits are
 * the same on every CPU; and they are read once, never timed, so that results do not depend on noise.
 */
public final class Cpu {

    /** Read once, at the first use. */
    private static final boolean INTEL = readIntel();

    private Cpu() {
    }

    /** Whether this JVM runs on x86-64 ({@code os.arch} amd64 or x86_64). */
    public static boolean x86() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    /**
     * Whether the CPU's vendor is Intel, as Linux's {@code /proc/cpuinfo} says ({@code vendor_id GenuineIntel});
     * false where that cannot be read (not Linux, or not readable).
     */
    public static boolean intel() {
        return INTEL;
    }

    private static boolean readIntel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("vendor_id")).findFirst()
                    .map(l -> l.contains("GenuineIntel")).orElse(false);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
