package dev.myelin.nn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * IDX files (the MNIST and Fashion-MNIST format) as {@link Dataset}s: images {@code uint8 [count][rows][cols]}
 * (magic {@code 0x00000803}) with labels {@code uint8 [count]} (magic {@code 0x00000801}), big-endian int32
 * header fields, each file raw or gzip-compressed (recognised by its first bytes {@code 1f 8b}, whatever its
 * name).
 *
 * <p>Features are the pixels row by row, {@code rows·cols} inputs per image, scaled to [0, 1] as {@code x/255f};
 * labels are class indices in [0, classes), 10 classes unless said otherwise (MNIST and Fashion-MNIST have 10;
 * an explicit count, not "largest label + 1", so a training set that lacks the last class still has the
 * model's shape). The label file is read whole (one byte a label); the images are streamed into the float
 * array in chunks, so a data set costs its floats and no copy of the file. Errors are
 * {@link DataException}s that start with {@code FILE: byte OFFSET:} where a place in the file is to blame.
 */
public final class IdxData {

    /** The classes of MNIST and Fashion-MNIST. */
    public static final int DEFAULT_CLASSES = 10;

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    private static final int IMAGES_HEADER = 16; // magic, count, rows, cols
    private static final int LABELS_HEADER = 8;  // magic, count
    /** Pixels converted per read: small enough to stay in L1/L2, large enough that a read call is rare. */
    private static final int CHUNK = 1 << 16;

    /** The four files of the MNIST layout, each with or without {@code .gz}. */
    static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    /** The four files of the MNIST layout, in this order everywhere they are listed. */
    private static final List<String> LAYOUT = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    /** 0..255 scaled to [0, 1]: a table, so the conversion loop is one load per pixel. */
    private static final float[] SCALE = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            SCALE[i] = i / 255f;
        }
    }

    /** A training set and a test set, as the MNIST folder layout gives them. */
    public record Split(Dataset train, Dataset test) {
        public Split {
            Objects.requireNonNull(train, "train is null");
            Objects.requireNonNull(test, "test is null");
        }
    }

    private IdxData() {
    }

    /** Images and their labels as a 10-class data set ({@link #DEFAULT_CLASSES}). */
    public static Dataset read(Path images, Path labels) throws IOException {
        return read(images, labels, DEFAULT_CLASSES);
    }

    /** Images and their labels as a data set of {@code classes} classes; a label outside [0, classes) is an error. */
    public static Dataset read(Path images, Path labels, int classes) throws IOException {
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be at least 1, got " + classes);
        }
        try (InputStream imageStream = DataStreams.open(images, "an IDX file")) {
            byte[] image = imageStream.readNBytes(IMAGES_HEADER);
            byte[] label = readAll(labels);
            String imageName = images.toString();
            String labelName = labels.toString();
            checkMagic(image, imageName, IMAGES_MAGIC, "images (unsigned bytes, 3 dimensions)");
            checkMagic(label, labelName, LABELS_MAGIC, "labels (unsigned bytes, 1 dimension)");
            requireBytes(image.length, imageName, IMAGES_HEADER, "the header (magic, count, rows, columns)");
            requireBytes(label.length, labelName, LABELS_HEADER, "the header (magic, count)");
            int count = headerInt(image, imageName, 4, "image count");
            int height = headerInt(image, imageName, 8, "rows");
            int width = headerInt(image, imageName, 12, "columns");
            int labelCount = headerInt(label, labelName, 4, "label count");
            if (count == 0 || height == 0 || width == 0) {
                throw new DataException(imageName + ": has " + count + " images of " + height + "×" + width
                        + " pixels; a data set needs at least 1 image of at least 1 pixel");
            }
            long pixels = (long) height * width; // below 2^62: two ints
            // pixels first, so that count · pixels cannot wrap around a long (200 images of 1252623716×1840810596
            // pixels wrapped to 784 a picture)
            long data = pixels > Integer.MAX_VALUE ? Long.MAX_VALUE : count * pixels;
            if (data > Integer.MAX_VALUE - 8) {
                throw new DataException(imageName + ": " + count + " images of " + height + "×" + width + " = "
                        + java.math.BigInteger.valueOf(count).multiply(java.math.BigInteger.valueOf(pixels))
                        + " pixels, more than one array holds");
            }
            String imagesWhat = "the header and " + count + " images of " + height + "×" + width + " pixels";
            if (!DataStreams.isGzip(imageStream) && Files.isRegularFile(images)) {
                // A raw file's size is known before the pixel array is allocated, so a header that claims more
                // images than the file holds is reported, not allocated.
                requireSize(Files.size(images), imageName, IMAGES_HEADER + data, imagesWhat);
            } else if (DataStreams.isGzip(imageStream) && Files.isRegularFile(images)) {
                // deflate expands at most 1032:1, so a gzip file of S bytes holds at most about 1032·S: a header
                // that claims more is a file cut short (or made up), refused before the pixel array is allocated
                long compressed = Files.size(images);
                long most = compressed * 1032 + 1024;
                if (IMAGES_HEADER + data > most) {
                    throw new DataException(imageName + ": the header announces " + imagesWhat + " ("
                            + (IMAGES_HEADER + data) + " bytes), but a gzip file of " + compressed + " bytes holds at"
                            + " most " + most + " (the file is cut short, or the header is wrong)");
                }
            }
            requireSize(label.length, labelName, LABELS_HEADER + (long) labelCount,
                    "the header and " + labelCount + " labels");
            if (count != labelCount) {
                throw new DataException(imageName + ": has " + count + " images but " + labelName + " has "
                        + labelCount + " labels; they must be the same count");
            }
            float[] features = readPixels(imageStream, (int) data, imageName, imagesWhat);
            return Dataset.classes(features, count, (int) pixels, classIndex(label, count, classes, labelName),
                    classes);
        }
    }

    /**
     * The pixels after the header, streamed in chunks and scaled as they come: the data set's float array is the
     * only large allocation (no copy of the file is held), and the stream must end exactly after them.
     */
    private static float[] readPixels(InputStream in, int count, String name, String what) throws IOException {
        float[] features = new float[count];
        byte[] chunk = new byte[CHUNK];
        int done = 0;
        while (done < count) {
            int n = in.read(chunk, 0, Math.min(CHUNK, count - done));
            if (n < 0) {
                throw endsEarly(IMAGES_HEADER + (long) done, name, IMAGES_HEADER + (long) count, what);
            }
            for (int i = 0; i < n; i++) {
                features[done + i] = SCALE[chunk[i] & 0xFF];
            }
            done += n;
        }
        long extra = 0;
        for (int n; (n = in.read(chunk)) >= 0; ) {
            extra += n;
        }
        requireSize(IMAGES_HEADER + (long) count + extra, name, IMAGES_HEADER + (long) count, what);
        return features;
    }

    private static int[] classIndex(byte[] label, int count, int classes, String labelName) {
        int[] classIndex = new int[count];
        for (int i = 0; i < count; i++) {
            int c = label[LABELS_HEADER + i] & 0xFF;
            if (c >= classes) {
                throw new DataException(labelName + ": byte " + (LABELS_HEADER + i) + ": label " + c + " of item "
                        + (i + 1) + " is outside [0, " + classes + ")");
            }
            classIndex[i] = c;
        }
        return classIndex;
    }

    /**
     * The training and test sets of a folder in the MNIST layout: {@code train-images-idx3-ubyte},
     * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each
     * possibly with {@code .gz} (not both: which one holds the data would be a guess); 10 classes.
     */
    public static Split readFolder(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir is null");
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir + ": not a folder; expected a folder with " + expectedFiles());
        }
        Dataset train = readTrain(dir);
        Path testImages = find(dir, TEST_IMAGES);
        Dataset test = read(testImages, find(dir, TEST_LABELS));
        if (test.inputs() != train.inputs()) {
            throw new DataException(testImages + ": its images have " + test.inputs() + " pixels but those of "
                    + find(dir, TRAIN_IMAGES) + " have " + train.inputs());
        }
        requireSameImageSize(dir, dir);
        return new Split(train, test);
    }

    /**
     * Refuses test images ({@code t10k-*} of {@code testDir}) of another shape than the training images
     * ({@code train-*} of {@code trainDir}): the same pixel count is not the same picture, 4×16 images are not 8×8
     * ones. Meant after both were read (their headers are valid); a file cut within its header is refused.
     */
    public static void requireSameImageSize(Path trainDir, Path testDir) throws IOException {
        Path testImages = find(testDir, TEST_IMAGES);
        Path trainImages = find(trainDir, TRAIN_IMAGES);
        requireSameShape(testImages, imageSize(testImages), trainImages, imageSize(trainImages));
    }

    private static void requireSameShape(Path testImages, int[] testSize, Path trainImages, int[] trainSize) {
        if (!java.util.Arrays.equals(testSize, trainSize)) {
            throw new DataException(testImages + ": its images are " + testSize[0] + "×" + testSize[1] + " pixels but"
                    + " those of " + trainImages + " are " + trainSize[0] + "×" + trainSize[1]);
        }
    }

    /**
     * Rows and columns of the images in {@code dir}'s file {@code base} (plain or .gz), or null when there is no
     * such file, it is there both plain and gzipped, or its header is not a valid images header.
     */
    private static int[] validImageSize(Path dir, String base) {
        Path file = stored(dir, base);
        if (file == null || Files.exists(dir.resolve(base)) && Files.exists(dir.resolve(base + ".gz"))) {
            return null;
        }
        try {
            int[] size = imageSize(file);
            return size[0] >= 1 && size[1] >= 1 ? size : null;
        } catch (IOException | RuntimeException e) { // not this read's file: a damaged one is train's to name
            return null;
        }
    }

    /**
     * Rows and columns of the images of {@code images}, from its header: a file already read whole (its header is
     * valid), or one that {@link #validImageSize} only looks at.
     */
    private static int[] imageSize(Path images) throws IOException {
        try (InputStream in = DataStreams.open(images, "an IDX file")) {
            byte[] header = in.readNBytes(IMAGES_HEADER);
            if (header.length < IMAGES_HEADER) { // its callers read the file whole first; a public caller may not
                throw new DataException(images + ": the file ends within its header (" + header.length + " of "
                        + IMAGES_HEADER + " bytes)");
            }
            checkMagic(header, images.toString(), IMAGES_MAGIC, "images (unsigned bytes, 3 dimensions)");
            return new int[] {readInt(header, 8), readInt(header, 12)};
        }
    }

    /** The training set of a folder in the MNIST layout: its {@code train-*} files only (see {@link #readFolder}). */
    public static Dataset readTrain(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir is null");
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir + ": not a folder; expected a folder with " + expectedFiles());
        }
        return read(find(dir, TRAIN_IMAGES), find(dir, TRAIN_LABELS));
    }

    /**
     * The test set of a folder in the MNIST layout: its {@code t10k-*} files (see {@link #readFolder}). Where the
     * folder also holds training images (one file, with a valid images header), the test images must have their
     * shape, as {@link #readFolder} requires: a model trained on that folder's 28×28 images would otherwise
     * evaluate 14×56 ones of the same pixel count. A training file that is not there, is there twice (plain and
     * .gz) or is damaged is not this read's concern: only the test files are read.
     */
    public static Dataset readTest(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir is null");
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir + ": not a folder; expected a folder with " + expectedFiles());
        }
        Path testImages = find(dir, TEST_IMAGES);
        Dataset test = read(testImages, find(dir, TEST_LABELS));
        int[] trainSize = validImageSize(dir, TRAIN_IMAGES);
        if (trainSize != null) {
            requireSameShape(testImages, imageSize(testImages), stored(dir, TRAIN_IMAGES), trainSize);
        }
        return test;
    }

    /**
     * Refuses a folder that holds none of the four IDX files of the MNIST layout (plain or {@code .gz}), naming
     * them: an empty folder, or one of CSV files, is not a data folder with some files missing.
     */
    public static void requireIdxFiles(Path dir) {
        requireSearchable(dir);
        if (missingFiles(dir).size() < LAYOUT.size()) {
            return;
        }
        throw new DataException(dir + ": is a folder without IDX files; a data folder holds " + expectedFiles()
                + ", and a CSV file is given by its own path");
    }

    /**
     * Whether the folder {@code dir} has neither of the test set's files ({@code t10k-images-idx3-ubyte},
     * {@code t10k-labels-idx1-ubyte}, plain or {@code .gz}): a training set alone, with nothing to evaluate on. A
     * folder with one of the two is not: the other one is missing.
     */
    public static boolean lacksTestSet(Path dir) {
        // anything of the name, a folder too: the reader then says what is wrong with it
        return anyOfTheName(dir, TEST_IMAGES) == null && anyOfTheName(dir, TEST_LABELS) == null;
    }

    /**
     * Every name of the MNIST layout in {@code dir}, plain and {@code .gz}, whether it exists or not: the files a
     * reader of the folder may read, which nothing written while it is read may replace.
     */
    public static List<Path> layoutFiles(Path dir) {
        List<Path> files = new java.util.ArrayList<>();
        for (String base : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
            files.add(dir.resolve(base));
            files.add(dir.resolve(base + ".gz"));
        }
        return files;
    }

    /** Whatever {@code dir} holds under the name {@code base}, plain or {@code .gz} (a folder too), or null. */
    private static Path anyOfTheName(Path dir, String base) {
        for (Path p : new Path[] {dir.resolve(base), dir.resolve(base + ".gz")}) {
            if (Files.exists(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * The files of the MNIST layout that {@code dir} lacks (neither plain nor {@code .gz}), in the layout's order;
     * all four when it is not a folder, none when it holds them all.
     */
    public static List<String> missingFiles(Path dir) {
        boolean folder = Files.isDirectory(dir);
        List<String> missing = new java.util.ArrayList<>();
        for (String base : LAYOUT) {
            if (!folder || stored(dir, base) == null) {
                missing.add(base);
            }
        }
        return missing;
    }

    /** A folder whose files this process may not look up is "permission denied", not one without the files. */
    private static void requireSearchable(Path dir) {
        if (Files.isDirectory(dir) && !Files.isExecutable(dir)) {
            throw new DataException(dir + ": permission denied (this process may not look into the folder)");
        }
    }

    /**
     * The file {@code base} of the layout in {@code dir}. Both forms at once are refused rather than one chosen
     * silently: they may hold different data (or one may be damaged), and the user knows which one is meant.
     */
    private static Path find(Path dir, String base) {
        requireSearchable(dir);
        Path file = stored(dir, base);
        Path other = file == null ? anyOfTheName(dir, base) : null;
        if (other != null) { // a folder (or a device) of the file's name: say so, not "no file"
            throw new DataException(other + ": is " + (Files.isDirectory(other) ? "a folder" : "not a regular file")
                    + ", not the IDX file of that name; an IDX folder holds " + expectedFiles());
        }
        if (file == null) {
            throw new DataException(dir + ": no " + base + " or " + base + ".gz; an IDX folder holds "
                    + expectedFiles());
        }
        if (file.getFileName().toString().equals(base) && Files.isRegularFile(dir.resolve(base + ".gz"))) {
            throw new DataException(dir + ": holds both " + base + " and " + base + ".gz; keep one of them (they"
                    + " may hold different data)");
        }
        return file;
    }

    /** The file {@code base} of the layout in {@code dir}, plain or {@code .gz} (plain first), or null. */
    private static Path stored(Path dir, String base) {
        Path plain = dir.resolve(base);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = dir.resolve(base + ".gz");
        return Files.isRegularFile(gz) ? gz : null;
    }

    private static String expectedFiles() {
        return String.join(", ", LAYOUT) + " (each may end in .gz)";
    }

    /** The whole file, decompressed when it is gzip ({@link DataStreams}). */
    static byte[] readAll(Path file) throws IOException {
        try (InputStream in = DataStreams.open(file, "an IDX file")) {
            return in.readAllBytes();
        }
    }

    private static void checkMagic(byte[] b, String name, int expected, String what) {
        if (b.length < 4 || readInt(b, 0) != expected) {
            String found = b.length < 4 ? "only " + b.length + " byte" + (b.length == 1 ? "" : "s")
                    : String.format("0x%08X", readInt(b, 0));
            throw new DataException(name + ": byte 0: magic number " + found + ", expected "
                    + String.format("0x%08X", expected) + " for IDX " + what);
        }
    }

    /** The file holds at least {@code expected} bytes (it has {@code size}); fewer is a truncated file. */
    private static void requireBytes(long size, String name, long expected, String what) {
        if (size < expected) {
            throw endsEarly(size, name, expected, what);
        }
    }

    private static DataException endsEarly(long size, String name, long expected, String what) {
        return new DataException(name + ": byte " + size + ": the file ends early: expected " + expected
                + " bytes for " + what + ", " + (expected - size) + " more than it has");
    }

    /** The file holds exactly {@code expected} bytes: fewer is a truncated file, more are bytes no header counts. */
    private static void requireSize(long size, String name, long expected, String what) {
        requireBytes(size, name, expected, what);
        if (size > expected) {
            throw new DataException(name + ": byte " + expected + ": " + (size - expected) + " byte"
                    + (size - expected == 1 ? "" : "s") + " after " + what + ", more than the header announces");
        }
    }

    private static int headerInt(byte[] b, String name, int offset, String what) {
        int v = readInt(b, offset);
        if (v < 0) {
            throw new DataException(name + ": byte " + offset + ": " + what + " is " + Integer.toUnsignedLong(v)
                    + ", beyond what this reader takes (2^31 - 1)");
        }
        return v;
    }

    /** A big-endian int32, as IDX headers store them. */
    private static int readInt(byte[] b, int offset) {
        return (b[offset] & 0xFF) << 24 | (b[offset + 1] & 0xFF) << 16 | (b[offset + 2] & 0xFF) << 8
                | (b[offset + 3] & 0xFF);
    }
}
