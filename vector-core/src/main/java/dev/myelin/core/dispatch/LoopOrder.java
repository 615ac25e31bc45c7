package dev.myelin.core.dispatch;

import java.util.Locale;

/**
 * The order of the two loops around the packed engine's micro-kernel ({@code simd.PackedGemm}) for a forward-shaped product (A read in place
 * with unit stride, B packed): rows outside (each MR-row strip of A kept in L1 while every packed panel of B streams
 * past it from L2, as the engine was first written) or panels outside (each NR-wide packed panel of B, KC × NR
 * floats, 32 KiB at 512 bits, kept in L1 while the strips of A stream past it). The order decides only which tile
 * is computed when, never the operations on an element, so the bits are the same either way.
 *
 * <p>Chosen once, from what the JVM can see, never from a timing: {@code -Dmyelin.loopOrder=rows|panels} when set
 * (for measurements), otherwise panels outside on an Intel CPU (Linux's {@code /proc/cpuinfo} vendor
 * {@code GenuineIntel}), where it made the 128×784×256 forward 0.87× the time (JMH, docs/kernels.md, 2026-12-04),
 * and rows outside elsewhere, the order measured on AMD's Zen 4 and Zen 5 (the other order is not measured there).
 * Even on Intel a tall A keeps rows outside for its MR-row tiles: the engine takes panels outside for them only
 * for an A block under 1 MiB, which each panel streams from L2 whole (1024³, a block of 1 MiB, ran 1.07× the time
 * with panels outside); at 512 bits such an A goes in paired tiles instead, packed in chunks under 1 MiB, each
 * panel past a chunk (PackedGemm's {@code pairedInPlaceTiles}).
 *
 * <p>Here, beside {@link VectorSupport}'s width property, so that {@link KernelRegistry#checkProperties} refuses a bad
 * value as one message before any work, not as the engine's failed class initialisation.
 */
public final class LoopOrder {

    /** System property forcing the order: {@code rows} or {@code panels}. */
    public static final String PROPERTY = "myelin.loopOrder";

    private LoopOrder() {
    }

    /** Whether the panels of B go outside the strips of A (see the class comment). */
    public static boolean panelsOutside() {
        Boolean forced = forced();
        return forced != null ? forced : Cpu.intel(); // not Linux, or unreadable: the first-measured order
    }

    /**
     * {@code -Dmyelin.loopOrder} read: true for panels, false for rows, null when unset.
     *
     * @throws IllegalArgumentException for another value, naming the property
     */
    static Boolean forced() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return null;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "panels" -> true;
            case "rows" -> false;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + ": use rows or panels");
        };
    }
}
