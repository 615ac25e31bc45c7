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
 * {@code ForwardBenchmark} at 128×784×256 on one thread, eight forks each, two rounds: fork medians 367.1 and 374.8 µs
 * with the panels on a line against 387.1 and 386.3 wherever the array fell; the layer's backward 0.87–0.93× the
 * time.
 *
 * <p><b>How.</b> The address is read through a critical downcall that passes the array to C's
 * {@code memset(p, 0, 0)}, which writes nothing and returns {@code p}. (The specification promises only an address
 * valid for the call; HotSpot passes the array's own. A JVM that passed a copy would make the lining-up chance
 * again, never the results wrong.) That needs native access for this module ({@code
 * --enable-native-access=ALL-UNNAMED} on the class path, the module's name on the module path, or {@code
 * Enable-Native-Access: ALL-UNNAMED} in an executable jar's manifest, as the CLI's has); without it (or with
 * {@code -Dmyelin.alignPanels=false}) this answers 0 and the buffers start wherever the array does, as before, with
 * no warning. Either way the packed values and the order of every operation are the same: the bits do not depend
 * on it.
 *
 * <p>The collector may move an array at any safepoint, so a caller asks again for each block it packs; a move within
 * one costs only the lining-up.
 */
final class CacheLines {

    /** Bytes in a cache line. */
    static final int LINE_BYTES = 64;

    /** Floats in a cache line: the slack a buffer keeps so that its contents can start on one. */
    static final int LINE_FLOATS = LINE_BYTES / Float.BYTES;

    /** Whether {@code -Dmyelin.alignPanels=false} switched the lining-up off. */
    private static final boolean SWITCHED_OFF = "false".equalsIgnoreCase(System.getProperty("myelin.alignPanels"));

    /** {@code memset(void*, int, size_t)} as a critical downcall that may take a heap array, or null. */
    private static final MethodHandle MEMSET = SWITCHED_OFF ? null : memset();

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
        return enabled() ? "B panels on cache lines"
                : SWITCHED_OFF ? "B panels unaligned (-Dmyelin.alignPanels=false)"
                : "B panels unaligned (no native access)";
    }

    /**
     * The first index of the float array behind {@code array} (a {@code MemorySegment.ofArray} of it) whose element
     * starts a cache line (0 to {@link #LINE_FLOATS} − 1), or 0 where the address cannot be seen ({@link #enabled}).
     * The caller keeps the segment with its array: a heap segment names the array, not an address, so it stays right
     * when the collector moves the array, and nothing is allocated per call. (Made per call, the segment, and the one
     * the downcall returned when its result was an address, were left on the heap in some compilations: 112 bytes
     * for each packed block in a plain loop of forwards, sixteenth session; the result is now memset's pointer as a
     * long.)
     */
    static int firstIndexOnLine(MemorySegment array) {
        int forced = forcedIndex;
        if (forced >= 0) {
            return forced;
        }
        if (MEMSET == null) {
            return 0;
        }
        try {
            return indexOnLine((long) MEMSET.invokeExact(array, 0, 0L));
        } catch (Throwable e) {
            return 0; // memset cannot fail; should the call, the buffer starts where the array does
        }
    }

    /**
     * For an array whose element 0 lies at {@code address}: the first index whose element starts a cache line (the
     * floats up to the next multiple of {@link #LINE_BYTES}).
     */
    static int indexOnLine(long address) {
        return (int) (-address & (LINE_BYTES - 1)) / Float.BYTES;
    }

    private static MethodHandle memset() {
        // Asking without native access would make the JVM print a warning. The check is the module's own: on the
        // class path, --enable-native-access=ALL-UNNAMED; on the module path, the module's name.
        if (!CacheLines.class.getModule().isNativeAccessEnabled()) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            if (linker.canonicalLayouts().get("size_t").byteSize() != Long.BYTES) {
                return null; // memset's size_t is passed as a Java long below
            }
            return linker.defaultLookup().find("memset")
                    .map(symbol -> linker.downcallHandle(symbol,
                            // void* memset(void*, int, size_t), its result taken as the integer it is
                            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                                    ValueLayout.JAVA_LONG),
                            Linker.Option.critical(true)))
                    .orElse(null);
        } catch (RuntimeException | LinkageError e) { // also a canonical layout the linker does not name
            return null; // a platform without a C library the linker knows: buffers start where arrays do
        }
    }
}
