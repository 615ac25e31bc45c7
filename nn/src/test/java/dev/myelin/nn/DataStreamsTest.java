package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** How a gzip data file's read failures are told apart: the file's own (the disk's) against the data's. */
class DataStreamsTest {

    /**
     * A disk that fails while a gzip file is read (EIO) is the disk's failure, passed on as it is; it had been
     * reported as "not valid gzip data (Input/output error)", sending the user to a file that is fine.
     */
    @Test
    void aReadFailureOfTheFileItselfIsNotCalledBadGzip() throws IOException {
        byte[] data = new byte[200_000];
        new Random(3).nextBytes(data); // incompressible: the compressed bytes are as many
        byte[] gz = gzip(data);
        Path file = Path.of("disk.gz");
        for (int failAt : new int[] {0, 4, 12, gz.length / 2, gz.length - 1}) {
            IOException eio = new IOException("Input/output error");
            IOException e = assertThrows(IOException.class, () -> {
                try (InputStream in = DataStreams.gunzip(failingAfter(gz, failAt, eio), file)) {
                    in.readAllBytes();
                }
            }, "failing after " + failAt + " bytes");
            assertSame(eio, e, "failing after " + failAt + " bytes: " + e);
        }
        // and the same stream, not failing, reads whole
        try (InputStream in = DataStreams.gunzip(new ByteArrayInputStream(gz), file)) {
            assertEquals(data.length, in.readAllBytes().length);
        }
    }

    /** The data's own faults are still the data's: cut short is named as such (the disk did not fail). */
    @Test
    void aCutStreamIsStillNamedAsCut() throws IOException {
        byte[] gz = gzip(new byte[1000]);
        Path file = Path.of("cut.gz");
        DataException e = assertThrows(DataException.class, () -> {
            try (InputStream in = DataStreams.gunzip(new ByteArrayInputStream(gz, 0, gz.length - 5), file)) {
                in.readAllBytes();
            }
        });
        assertEquals(file + ": the gzip data ends early (the file is cut short)", e.getMessage());
    }

    /** {@code bytes}, then {@code failure} at the first read past {@code limit} bytes. */
    private static InputStream failingAfter(byte[] bytes, int limit, IOException failure) {
        return new InputStream() {
            private int position;

            @Override
            public int read() throws IOException {
                if (position >= limit) {
                    throw failure;
                }
                return bytes[position++] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (position >= limit) {
                    throw failure;
                }
                int n = Math.min(len, limit - position);
                System.arraycopy(bytes, position, b, off, n);
                position += n;
                return n;
            }
        };
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }
}
