package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDataTest {

    @TempDir
    Path dir;

    /** Three 2×2 images, pixels 0, 1, ..., 11, scaled by 255 as the reader does. */
    private static final byte[] PIXELS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 255};
    private static final byte[] LABELS = {7, 0, 9};

    private static byte[] images(int count, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(IdxData.IMAGES_MAGIC).putInt(count).putInt(rows)
                .putInt(cols).put(pixels).array();
    }

    private static byte[] labels(int count, byte[] labels) {
        return ByteBuffer.allocate(8 + labels.length).putInt(IdxData.LABELS_MAGIC).putInt(count).put(labels)
                .array();
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static void assertScaled(Dataset d) {
        assertEquals(3, d.rows());
        assertEquals(4, d.inputs());
        assertEquals(10, d.outputs());
        float[] expected = new float[PIXELS.length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (PIXELS[i] & 0xFF) / 255f;
        }
        assertArrayEquals(expected, d.features());
        assertEquals(1f, d.features()[11]);
        assertArrayEquals(new int[] {7, 0, 9}, d.labels());
    }

    @Test
    void rawFiles() throws IOException {
        assertScaled(IdxData.read(write("i", images(3, 2, 2, PIXELS)), write("l", labels(3, LABELS))));
    }

    @Test
    void gzipIsRecognisedByItsMagicBytesNotItsName() throws IOException {
        Path images = write("images.bin", gzip(images(3, 2, 2, PIXELS)));
        Path labels = write("labels.gz", labels(3, LABELS)); // raw despite its name
        assertScaled(IdxData.read(images, labels));
    }

    @Test
    void explicitClassCount() throws IOException {
        Dataset d = IdxData.read(write("i", images(3, 2, 2, PIXELS)), write("l", labels(3, LABELS)), 12);
        assertEquals(12, d.outputs());
    }

    @Test
    void folderWithTheFourMnistFiles() throws IOException {
        write("train-images-idx3-ubyte.gz", gzip(images(3, 2, 2, PIXELS)));
        write("train-labels-idx1-ubyte.gz", gzip(labels(3, LABELS)));
        write("t10k-images-idx3-ubyte", images(1, 2, 2, new byte[] {0, 0, 0, (byte) 255}));
        write("t10k-labels-idx1-ubyte", labels(1, new byte[] {4}));
        IdxData.Split split = IdxData.readFolder(dir);
        assertScaled(split.train());
        assertEquals(1, split.test().rows());
        assertArrayEquals(new float[] {0, 0, 0, 1}, split.test().features());
        assertArrayEquals(new int[] {4}, split.test().labels());
    }

    /** Training files only (the t10k ones replaced by --test): readTrain needs no t10k files. */
    @Test
    void theTrainingFilesAloneAndTestImagesOfAnotherSize() throws IOException {
        write("train-images-idx3-ubyte", images(3, 2, 2, PIXELS));
        write("train-labels-idx1-ubyte", labels(3, LABELS));
        assertScaled(IdxData.readTrain(dir));
        Path testImages = write("t10k-images-idx3-ubyte", images(1, 3, 3, new byte[9]));
        write("t10k-labels-idx1-ubyte", labels(1, new byte[] {4}));
        DataException e = assertThrows(DataException.class, () -> IdxData.readFolder(dir));
        assertEquals(testImages + ": its images have 9 pixels but those of " + dir.resolve("train-images-idx3-ubyte")
                + " have 4", e.getMessage());
        // the same pixel count in another shape (1×4 against 2×2) is another picture
        write("t10k-images-idx3-ubyte", images(1, 1, 4, new byte[4]));
        e = assertThrows(DataException.class, () -> IdxData.readFolder(dir));
        assertEquals(testImages + ": its images are 1×4 pixels but those of " + dir.resolve("train-images-idx3-ubyte")
                + " are 2×2", e.getMessage());
        // so does the test set alone (eval and predict read it), where the folder has training images
        e = assertThrows(DataException.class, () -> IdxData.readTest(dir));
        assertEquals(testImages + ": its images are 1×4 pixels but those of " + dir.resolve("train-images-idx3-ubyte")
                + " are 2×2", e.getMessage());
        // a training file that is not a valid images file, or is there twice, is not the test set's read's concern
        write("train-images-idx3-ubyte", "not an IDX file at all".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(4, IdxData.readTest(dir).inputs());
        write("train-images-idx3-ubyte", java.util.Arrays.copyOf(images(3, 2, 2, PIXELS), 8)); // cut in its header
        assertEquals(4, IdxData.readTest(dir).inputs());
        write("train-images-idx3-ubyte", images(3, 2, 2, PIXELS));
        write("train-images-idx3-ubyte.gz", gzip(images(3, 2, 2, PIXELS)));
        assertEquals(4, IdxData.readTest(dir).inputs());
        // and without them there is nothing to compare with: the test set is read
        Files.delete(dir.resolve("train-images-idx3-ubyte"));
        Files.delete(dir.resolve("train-images-idx3-ubyte.gz"));
        assertEquals(4, IdxData.readTest(dir).inputs());
    }

    /** A file there both plain and as .gz is refused, naming both, whichever of them is good or damaged. */
    @Test
    void aFileBothPlainAndGzippedIsRefusedNotChosen() throws IOException {
        write("train-images-idx3-ubyte", images(3, 2, 2, PIXELS));
        write("train-labels-idx1-ubyte", labels(3, LABELS));
        write("t10k-images-idx3-ubyte", images(1, 2, 2, new byte[4]));
        write("t10k-labels-idx1-ubyte", labels(1, new byte[] {4}));
        assertScaled(IdxData.readFolder(dir).train());
        write("train-labels-idx1-ubyte.gz", new byte[] {1, 2, 3}); // damaged, beside a good plain file
        DataException e = assertThrows(DataException.class, () -> IdxData.readFolder(dir));
        assertEquals(dir + ": holds both train-labels-idx1-ubyte and train-labels-idx1-ubyte.gz; keep one of them"
                + " (they may hold different data)", e.getMessage());
        write("train-labels-idx1-ubyte.gz", gzip(labels(3, new byte[] {1, 2, 3}))); // good, with other labels
        e = assertThrows(DataException.class, () -> IdxData.readTrain(dir));
        assertTrue(e.getMessage().contains("holds both train-labels-idx1-ubyte and"), e.getMessage());
        Files.delete(dir.resolve("train-labels-idx1-ubyte"));
        assertArrayEquals(new int[] {1, 2, 3}, IdxData.readTrain(dir).labels());
    }

    @Test
    void aMissingFileNamesTheFolderAndTheFilesExpected() throws IOException {
        write("train-images-idx3-ubyte.gz", gzip(images(3, 2, 2, PIXELS)));
        write("train-labels-idx1-ubyte.gz", gzip(labels(3, LABELS)));
        DataException e = assertThrows(DataException.class, () -> IdxData.readFolder(dir));
        assertEquals(dir + ": no t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz; an IDX folder holds"
                + " train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte"
                + " (each may end in .gz)", e.getMessage());
        Path folder = Files.createDirectory(dir.resolve("t10k-images-idx3-ubyte")); // a folder of the file's name
        e = assertThrows(DataException.class, () -> IdxData.readFolder(dir));
        assertTrue(e.getMessage().startsWith(folder + ": is a folder, not the IDX file of that name; an IDX folder"
                + " holds train-images-idx3-ubyte"), e.getMessage());
        Files.delete(folder);
        Path file = dir.resolve("train-images-idx3-ubyte.gz");
        e = assertThrows(DataException.class, () -> IdxData.readFolder(file));
        assertTrue(e.getMessage().startsWith(file + ": not a folder; expected a folder with train-images"),
                e.getMessage());
        Path missing = dir.resolve("nothing");
        e = assertThrows(DataException.class, () -> IdxData.read(missing, missing));
        assertEquals(missing + ": file not found", e.getMessage());
    }

    @Test
    void badMagicNumber() throws IOException {
        Path labels = write("l", labels(3, LABELS));
        // labels where images are expected: the two magics differ in the dimension byte
        DataException e = assertThrows(DataException.class, () -> IdxData.read(labels, labels));
        assertEquals(labels + ": byte 0: magic number 0x00000801, expected 0x00000803 for IDX images (unsigned"
                + " bytes, 3 dimensions)", e.getMessage());
        Path images = write("i", images(3, 2, 2, PIXELS));
        e = assertThrows(DataException.class, () -> IdxData.read(images, images));
        assertEquals(images + ": byte 0: magic number 0x00000803, expected 0x00000801 for IDX labels (unsigned"
                + " bytes, 1 dimension)", e.getMessage());
        Path tiny = write("tiny", new byte[] {0, 0});
        e = assertThrows(DataException.class, () -> IdxData.read(tiny, labels));
        assertEquals(tiny + ": byte 0: magic number only 2 bytes, expected 0x00000803 for IDX images (unsigned"
                + " bytes, 3 dimensions)", e.getMessage());
    }

    @Test
    void truncatedFiles() throws IOException {
        Path labels = write("l", labels(3, LABELS));
        byte[] full = images(3, 2, 2, PIXELS);
        Path cut = write("cut", Arrays.copyOf(full, full.length - 5));
        DataException e = assertThrows(DataException.class, () -> IdxData.read(cut, labels));
        assertEquals(cut + ": byte 23: the file ends early: expected 28 bytes for the header and 3 images of"
                + " 2×2 pixels, 5 more than it has", e.getMessage());
        Path header = write("header", Arrays.copyOf(full, 10));
        e = assertThrows(DataException.class, () -> IdxData.read(header, labels));
        assertEquals(header + ": byte 10: the file ends early: expected 16 bytes for the header (magic, count,"
                + " rows, columns), 6 more than it has", e.getMessage());
        Path images = write("i", full);
        Path shortLabels = write("sl", labels(3, new byte[] {1, 2}));
        e = assertThrows(DataException.class, () -> IdxData.read(images, shortLabels));
        assertEquals(shortLabels + ": byte 10: the file ends early: expected 11 bytes for the header and 3 labels, 1"
                + " more than it has", e.getMessage());
        byte[] gz = gzip(full);
        Path cutGzip = write("cut.gz", Arrays.copyOf(gz, gz.length - 12));
        e = assertThrows(DataException.class, () -> IdxData.read(cutGzip, labels));
        assertEquals(cutGzip + ": the gzip data ends early (the file is cut short)", e.getMessage());
        // A whole gzip stream whose content is short: its size is only known while the pixels stream in.
        Path shortGzip = write("short.gz", gzip(Arrays.copyOf(full, full.length - 5)));
        e = assertThrows(DataException.class, () -> IdxData.read(shortGzip, labels));
        assertEquals(shortGzip + ": byte 23: the file ends early: expected 28 bytes for the header and 3 images of"
                + " 2×2 pixels, 5 more than it has", e.getMessage());
    }

    /**
     * Corrupt compressed data says how far reading had got when it was found. The stream here inflates its first
     * 1 000 000 bytes and then holds a block of the reserved type, an error found right there: the count it names
     * lies between what the reader had asked for before and that point.
     */
    @Test
    void corruptGzipDataSaysHowFarReadingHadGot() throws IOException {
        int count = 2000;
        byte[] pixels = new byte[count * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i % 28 < 14 ? (i / 28) % 9 * 17 : i % 251);
        }
        byte[] raw = images(count, 28, 28, pixels);
        int good = 1_000_000;
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        gz.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff}); // a gzip member's header
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(6, true);
        deflater.setInput(raw, 0, good);
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = deflater.deflate(buffer, 0, buffer.length, java.util.zip.Deflater.SYNC_FLUSH)) > 0; ) {
            gz.write(buffer, 0, n);
        }
        deflater.end();
        gz.write(0x07); // the last block, of type 3: reserved, an error
        gz.write(new byte[8]);
        Path corrupt = write("corrupt-images.gz", gz.toByteArray());
        Path labels = write("l", labels(count, new byte[count]));
        DataException e = assertThrows(DataException.class, () -> IdxData.read(corrupt, labels));
        java.util.regex.Matcher at = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(corrupt.toString())
                + ": not valid gzip data, found after (\\d+) bytes of its decompressed content were read \\(")
                .matcher(e.getMessage());
        assertTrue(at.lookingAt(), e.getMessage());
        long offset = Long.parseLong(at.group(1));
        assertTrue(offset > good / 2 && offset <= good, e.getMessage());
    }

    @Test
    void aRawFileThatClaimsMoreImagesThanItHoldsIsReportedBeforeAnyAllocation() throws IOException {
        // 2^31 - 9 pixels would be an 8 GiB float array: the raw file's size refutes the header first.
        int count = (Integer.MAX_VALUE - 8) / 4;
        Path images = write("i", images(count, 2, 2, PIXELS));
        Path labels = write("l", labels(3, LABELS));
        DataException e = assertThrows(DataException.class, () -> IdxData.read(images, labels));
        assertEquals(images + ": byte 28: the file ends early: expected " + (16 + 4L * count) + " bytes for the header"
                + " and " + count + " images of 2×2 pixels, " + (16 + 4L * count - 28) + " more than it has",
                e.getMessage());
    }

    /**
     * A gzip file's size is not the data's, but deflate expands at most 1032:1: a header that claims more than the
     * file can hold is refused before the pixel array is allocated (a 40-byte file claiming 2.7 million images ran
     * out of memory allocating 8.5 GB).
     */
    @Test
    void aGzipFileThatClaimsMoreImagesThanItCanHoldIsReportedBeforeAnyAllocation() throws IOException {
        int count = 2_700_000;
        Path images = write("i.gz", gzip(images(count, 28, 28, new byte[0])));
        Path labels = write("l", labels(3, LABELS));
        long size = Files.size(images);
        DataException e = assertThrows(DataException.class, () -> IdxData.read(images, labels));
        assertEquals(images + ": the header announces the header and " + count + " images of 28×28 pixels ("
                + (16 + 784L * count) + " bytes), but a gzip file of " + size + " bytes holds at most "
                + (size * 1032 + 1024) + " (the file is cut short, or the header is wrong)", e.getMessage());
    }

    /**
     * Sizes whose product overflows a long are refused as too large, never wrapped around: 200 images of
     * 1252623716×1840810596 pixels wrap to 784 pixels an image, and were read as such.
     */
    @Test
    void sizesWhoseProductOverflowsAreTooLargeNotWrappedAround() throws IOException {
        byte[] pixels = new byte[3 * 784];
        Path labels = write("l", labels(3, LABELS));
        for (int[] dims : new int[][] {{3, 1252623716, 1840810596}, {3, Integer.MAX_VALUE, Integer.MAX_VALUE},
                {Integer.MAX_VALUE, 65536, 65536}}) {
            Path images = write("i", images(dims[0], dims[1], dims[2], pixels));
            DataException e = assertThrows(DataException.class, () -> IdxData.read(images, labels));
            assertTrue(e.getMessage().startsWith(images + ": " + dims[0] + " images of " + dims[1] + "×" + dims[2]
                    + " = "), e.getMessage());
            assertTrue(e.getMessage().endsWith(" = " + java.math.BigInteger.valueOf(dims[0]).multiply(
                    java.math.BigInteger.valueOf((long) dims[1] * dims[2])) + " pixels, more than one array holds"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("= -"), e.getMessage());
        }
    }

    @Test
    void bytesBeyondWhatTheHeaderAnnounces() throws IOException {
        Path images = write("i", images(2, 2, 2, PIXELS)); // 12 pixels, the header says 8
        Path labels = write("l", labels(2, new byte[] {1, 2}));
        DataException e = assertThrows(DataException.class, () -> IdxData.read(images, labels));
        assertEquals(images + ": byte 24: 4 bytes after the header and 2 images of 2×2 pixels, more than the header"
                + " announces", e.getMessage());
        Path gz = write("i.gz", gzip(images(2, 2, 2, PIXELS)));
        e = assertThrows(DataException.class, () -> IdxData.read(gz, labels));
        assertEquals(gz + ": byte 24: 4 bytes after the header and 2 images of 2×2 pixels, more than the header"
                + " announces", e.getMessage());
    }

    @Test
    void imagesAndLabelsOfDifferentCounts() throws IOException {
        Path images = write("i", images(3, 2, 2, PIXELS));
        Path labels = write("l", labels(2, new byte[] {1, 2}));
        DataException e = assertThrows(DataException.class, () -> IdxData.read(images, labels));
        assertEquals(images + ": has 3 images but " + labels + " has 2 labels; they must be the same count",
                e.getMessage());
    }

    @Test
    void labelOutOfRange() throws IOException {
        Path images = write("i", images(3, 2, 2, PIXELS));
        Path labels = write("l", labels(3, new byte[] {1, 10, 2}));
        DataException e = assertThrows(DataException.class, () -> IdxData.read(images, labels));
        assertEquals(labels + ": byte 9: label 10 of item 2 is outside [0, 10)", e.getMessage());
        Path high = write("h", labels(3, new byte[] {1, (byte) 200, 2}));
        e = assertThrows(DataException.class, () -> IdxData.read(images, high, 12));
        assertEquals(high + ": byte 9: label 200 of item 2 is outside [0, 12)", e.getMessage());
    }

    @Test
    void emptySetsAndBadArguments() throws IOException {
        Path images = write("i", images(0, 2, 2, new byte[0]));
        Path labels = write("l", labels(0, new byte[0]));
        DataException e = assertThrows(DataException.class, () -> IdxData.read(images, labels));
        assertTrue(e.getMessage().startsWith(images + ": has 0 images of 2×2 pixels"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IdxData.read(images, labels, 0));
    }
}
