package dev.myelin.core.simd;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Where a float array's elements stand against the 64-byte cache lines, so that a packing buffer can start its
 * panels on a line.
 *
 * <p><b>Why.</b> The micro-kernels load each row of a packed B panel as whole vectors. A Java array starts where the
 * collector put it (8-byte granules, 16 bytes of header), so in most JVMs every 64-byte vector load from the
 * packing buffer straddled two cache lines, and which JVM got a lined-up buffer was chance: one source of the
 * fork-to-fork spread of the products. Measured on the 2-core Intel Xeon (docs/kernels.md, fifteenth session), JMH
 * {@code ForwardBenchmark} at 128×784×256 on one thread, four forks each: 385.8 ± 7.2 µs with the panels on a line
 * against 415.4 ± 6.5 with them 32 bytes past one and 413.8 ± 13.6 wherever the array fell.
 *
 * <p><b>How.</b> The address is read through a critical downcall that passes the array to C's
 * {@code memset(p, 0, 0)}, which writes nothing and returns {@code p}. That needs native access for this module
 * ({@code --enable-native-access=ALL-UNNAMED}, or {@code Enable-Native-Access: ALL-UNNAMED} in an executable jar's
 * manifest, as the CLI's has); without it (or with {@code -Dmyelin.alignPanels=false}) this answers 0 and the
 * buffers start wherever the array does, as before, with no warning. Either way the packed values and the order of
 * every operation are the same: the bits do not depend on it.
 *
 * <p>The collector may move an array at any safepoint, so a caller asks again for each block it packs; a move within
 * one costs only the lining-up.
 */
final class CacheLines {

    /** Bytes in a cache line. */
    static final int LINE_BYTES = 64;

    /** Floats in a cache line: the slack a buffer keeps so that its contents can start on one. */
    static final int LINE_FLOATS = LINE_BYTES / Float.BYTES;

    /** {@code memset(void*, int, size_t)} as a critical downcall that may take a heap array, or null. */
    private static final MethodHandle MEMSET = memset();

    /**
     * Tests only: when 0 to {@link #LINE_FLOATS} − 1, what {@link #firstIndexOnLine} answers, so that every start of
     * the panels is exercised whatever the addresses ({@code PanelStartTest}); −1 otherwise.
     */
    static int forcedIndex = -1;

    private CacheLines() {
    }

    /** Whether this JVM lets {@link #firstIndexOnLine} see addresses (native access, the property not false). */
    static boolean enabled() {
        return MEMSET != null;
    }

    /** For a kernel's description: whether the B panels start on cache lines, and why not. */
    static String describe() {
        return enabled() ? "B panels on cache lines" : "B panels unaligned (no native access)";
    }

    /**
     * The first index of {@code a} whose element starts a cache line (0 to {@link #LINE_FLOATS} − 1), or 0 where the
     * address cannot be seen ({@link #enabled}).
     */
    static int firstIndexOnLine(float[] a) {
        int forced = forcedIndex;
        if (forced >= 0) {
            return forced;
        }
        if (MEMSET == null) {
            return 0;
        }
        try {
            long address = ((MemorySegment) MEMSET.invokeExact(MemorySegment.ofArray(a), 0, 0L)).address();
            return (int) (-address & (LINE_BYTES - 1)) / Float.BYTES;
        } catch (Throwable e) {
            return 0; // memset cannot fail; should the call, the buffer starts where the array does
        }
    }

    private static MethodHandle memset() {
        if (!Boolean.parseBoolean(System.getProperty("myelin.alignPanels", "true"))
                || !CacheLines.class.getModule().isNativeAccessEnabled()) {
            return null; // asking without native access would make the JVM print a warning
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("memset")
                    .map(symbol -> linker.downcallHandle(symbol,
                            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                                    ValueLayout.JAVA_LONG),
                            Linker.Option.critical(true)))
                    .orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null; // a platform without a C library the linker knows: buffers start where arrays do
        }
    }
}
