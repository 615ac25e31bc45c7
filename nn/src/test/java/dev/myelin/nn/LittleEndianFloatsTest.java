package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link LittleEndianFloats}: the same bytes as a little-endian {@link ByteBuffer}, read in any chunk size. */
class LittleEndianFloatsTest {

    private static float[] values(int n) {
        Random r = new Random(n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = Float.intBitsToFloat(r.nextInt()); // every bit pattern: NaN payloads, subnormals, -0.0
        }
        if (n > 2) {
            v[0] = -0.0f;
            v[1] = Float.intBitsToFloat(0x7fc0_1234); // a NaN with a payload that a canonicalising copy would drop
        }
        return v;
    }

    private static byte[] expected(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putInt(Float.floatToRawIntBits(x));
        }
        return b.array();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 4096, 100_000})
    void chunkedReadsGiveTheBufferBytes(int chunk) {
        float[] v = values(1001);
        LittleEndianFloats in = new LittleEndianFloats(v);
        assertEquals(4 * v.length, in.available());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[chunk + 2];
        int n;
        while ((n = in.read(buf, 1, chunk)) > 0) {
            out.write(buf, 1, n);
        }
        assertEquals(-1, n);
        assertEquals(0, in.read(buf, 0, 0), "a read of nothing is 0, also at the end");
        assertArrayEquals(expected(v), out.toByteArray());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3})
    void singleByteReadsGiveTheBufferBytes(int n) {
        float[] v = values(n);
        LittleEndianFloats in = new LittleEndianFloats(v);
        byte[] want = expected(v);
        for (byte b : want) {
            assertEquals(b & 0xFF, in.read());
        }
        assertEquals(-1, in.read());
        assertEquals(0, in.available());
    }
}
