package dev.myelin.nn;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Opens a data file (CSV or IDX) for reading, decompressing it when it is gzip: recognised by its first two bytes
 * {@code 1f 8b}, whatever its name, as {@code gzip -d} and numpy's loaders do; several gzip members back to back
 * are one stream, as {@code gzip -d} reads them. A gzip stream that is cut short, corrupt, or followed by bytes
 * that are not another member fails while it is read, as a {@link DataException} naming the file, never as the
 * decompressor's own exception, and never as a short file that parses as fewer rows.
 */
final class DataStreams {

    private static final int BUFFER = 1 << 16;

    private DataStreams() {
    }

    /**
     * The bytes of {@code file}, decompressed when gzip. A missing file or a folder is a {@link DataException};
     * {@code what} names the expected content in the folder message ("a CSV file", "an IDX file").
     */
    static InputStream open(Path file, String what) throws IOException {
        Objects.requireNonNull(file, "file is null");
        if (Files.isDirectory(file)) {
            throw new DataException(file + ": is a directory, not " + what);
        }
        InputStream raw;
        try {
            raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": file not found");
        }
        try {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            return gzip ? gunzip(raw, file) : raw;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** {@code raw}, gzip bytes read from {@code file}, decompressed; package-private for tests of its failures. */
    static InputStream gunzip(InputStream raw, Path file) throws IOException {
        return new Gunzip(raw, file);
    }

    /** Whether {@code in}, from {@link #open}, decompresses (so the file's size is not the data's). */
    static boolean isGzip(InputStream in) {
        return in instanceof Gunzip;
    }

    /**
     * A gzip stream whose failures name the file and say what is wrong in words. Failures to read the file itself
     * (a disk's EIO, a network file system gone) pass through as they are: they are not the data's fault, and
     * calling them invalid gzip would send the user to the wrong place.
     */
    private static final class Gunzip extends FilterInputStream {
        private final Path file;

        Gunzip(InputStream raw, Path file) throws IOException {
            super(decompressor(new Source(raw), file));
            this.file = file;
        }

        private static InputStream decompressor(InputStream source, Path file) throws IOException {
            try {
                return GzipCompressorInputStream.builder().setInputStream(source).setDecompressConcatenated(true)
                        .setBufferSize(BUFFER).get();
            } catch (SourceFailure e) {
                throw e.getCause();
            } catch (IOException e) {
                throw failure(file, e, 0);
            }
        }

        /** How many bytes the decompressor has given so far: where a failure is in the data. */
        private long decompressed() {
            return ((org.apache.commons.compress.utils.InputStreamStatistics) in).getUncompressedCount();
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (SourceFailure e) {
                throw e.getCause();
            } catch (IOException e) {
                throw failure(file, e, decompressed());
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (SourceFailure e) {
                throw e.getCause();
            } catch (IOException e) {
                throw failure(file, e, decompressed());
            }
        }
    }

    /** The compressed bytes, whose read failures are marked as the file's, so that {@link Gunzip} tells them apart. */
    private static final class Source extends FilterInputStream {
        Source(InputStream raw) {
            super(raw);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw new SourceFailure(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw new SourceFailure(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (IOException e) {
                throw new SourceFailure(e);
            }
        }
    }

    /** A failure to read the file, carried through the decompressor to be rethrown as it was. */
    private static final class SourceFailure extends IOException {
        private static final long serialVersionUID = 1L;

        SourceFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /**
     * A gzip stream that is cut short (EOF), followed by other bytes, or corrupt, in words, naming the file and, for
     * corrupt data, how many bytes had been decompressed when it was found ({@code decompressed}): the damage is
     * there or before (a damaged byte that still inflates is found only by the checksum, at the member's end).
     */
    private static DataException failure(Path file, IOException e, long decompressed) {
        if (e instanceof EOFException) {
            return new DataException(file + ": the gzip data ends early (the file is cut short)");
        }
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("Unexpected data after a valid .gz stream")) {
            return new DataException(file + ": has bytes after the end of its gzip data, which is not another gzip"
                    + " member (bytes appended to the file, or a damaged member); they would be left unread");
        }
        return new DataException(file + ": not valid gzip data" + (decompressed > 0 ? ", found after " + decompressed
                + " bytes of its decompressed content were read" : "") + " (" + message + ")");
    }
}
