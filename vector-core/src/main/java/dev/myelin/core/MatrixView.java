package dev.myelin.core;

/**
 * A row-major float matrix inside an array: element {@code (i, j)} is {@code data[offset + i·stride + j]}.
 * A view does not copy; several views may share one array (e.g. a mini-batch inside a data set).
 * {@link DenseOps} checks a view against its array when it is used, naming the operand.
 */
public record MatrixView(float[] data, int offset, int rows, int cols, int stride) {

    /** A dense {@code rows×cols} matrix that fills {@code data} from index 0. */
    public static MatrixView of(float[] data, int rows, int cols) {
        return new MatrixView(data, 0, rows, cols, cols);
    }

    /** A new zero-filled dense {@code rows×cols} matrix. */
    public static MatrixView allocate(int rows, int cols) {
        if (rows < 0 || cols < 0 || (long) rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("cannot allocate a " + rows + "×" + cols + " matrix");
        }
        return of(new float[rows * cols], rows, cols);
    }

    /**
     * Element {@code (i, j)}; bounds follow the array, not the view.
     *
     * @throws IndexOutOfBoundsException when {@code offset + i·stride + j} is outside the array (computed in long: it
     *                                   must not wrap around to an index inside it)
     */
    public float get(int i, int j) {
        long at = offset + (long) i * stride + j;
        return data[(int) java.util.Objects.checkIndex(at, data.length)];
    }

    /** The rows {@code [from, from + count)} of this view, sharing its array. */
    public MatrixView rowRange(int from, int count) {
        if (from < 0 || count < 0 || (long) from + count > rows) { // long: from + count must not wrap around
            throw new IndexOutOfBoundsException("rows [" + from + ", " + ((long) from + count) + ") of a view with "
                    + rows + " rows");
        }
        long start = offset + (long) from * stride;
        if (start > Integer.MAX_VALUE) {
            throw new IndexOutOfBoundsException("row " + from + " of a view at offset " + offset + " with row stride "
                    + stride + " starts at element " + start + ", beyond any array");
        }
        return new MatrixView(data, (int) start, count, cols, stride);
    }

    /** "rows×cols". */
    public String shape() {
        return rows + "×" + cols;
    }
}
