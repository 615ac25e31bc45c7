package dev.myelin.core.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link CacheLines}: the tests' JVM sees addresses, and an address leads to the next line. */
class CacheLinesTest {

    /** The suite's products take the lined-up path that training takes, not only the forced one. */
    @Test
    void theTestJvmLetsTheEngineSeeAddresses() {
        assertTrue(CacheLines.enabled(), "the tests' JVM runs without native access (the parent pom's "
                + "myelin.runArgs): the panels would start where the buffer does, untested");
        int first = CacheLines.firstIndexOnLine(new float[100]);
        assertTrue(first >= 0 && first < CacheLines.LINE_FLOATS, "first index on a line: " + first);
    }

    /** The index is the one up to the next line, not back to the last (or the address's own offset in a line). */
    @Test
    void theIndexLeadsToTheNextLine() {
        assertEquals(0, CacheLines.indexOnLine(0x7f00_1000L));
        assertEquals(12, CacheLines.indexOnLine(0x7f00_1010L)); // 16 bytes into a line: 48 to the next
        assertEquals(1, CacheLines.indexOnLine(0x7f00_103cL)); // 60 bytes in: one float to go
        assertEquals(14, CacheLines.indexOnLine(0x1008L));
        for (long address = 0x4000; address < 0x4000 + 4 * 64; address += 4) {
            long onLine = address + (long) Float.BYTES * CacheLines.indexOnLine(address);
            assertEquals(0, onLine % CacheLines.LINE_BYTES, "from " + Long.toHexString(address));
            assertTrue(onLine - address < CacheLines.LINE_BYTES, "from " + Long.toHexString(address));
        }
    }
}
