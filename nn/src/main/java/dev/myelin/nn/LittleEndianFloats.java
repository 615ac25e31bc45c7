package dev.myelin.nn;

import java.io.InputStream;
import java.util.Objects;

/**
 * The raw bits of a float array as a stream of little-endian bytes (NaN payloads kept), read in place: a
 * checkpoint base64-encodes optimizer buffers of megabytes from it without a byte copy of each.
 */
final class LittleEndianFloats extends InputStream {

    private final float[] values;
    private final long length;
    private long position; // in bytes

    LittleEndianFloats(float[] values) {
        this.values = Objects.requireNonNull(values, "values is null");
        this.length = 4L * values.length;
    }

    @Override
    public int read() {
        return position < length ? byteAt(position++) : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (position >= length) {
            return -1;
        }
        int n = (int) Math.min(len, length - position);
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) byteAt(position++);
        }
        return n;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, length - position);
    }

    private int byteAt(long p) {
        return (Float.floatToRawIntBits(values[(int) (p >>> 2)]) >>> (8 * (int) (p & 3))) & 0xFF;
    }
}
