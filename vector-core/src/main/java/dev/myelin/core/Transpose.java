package dev.myelin.core;

/**
 * Whether {@link Blas#sgemm} uses an operand as stored or transposed, as the BLAS {@code TRANSA}/{@code TRANSB}
 * arguments do. Matrices are row-major: a {@code TRANS} operand {@code op(A)[m×k]} is stored as {@code k×m}.
 */
public enum Transpose implements Named {
    NO_TRANS("N"),
    TRANS("T");

    private final String letter;

    Transpose(String letter) {
        this.letter = letter;
    }

    /** The BLAS letter, {@code N} or {@code T}. */
    public String letter() {
        return letter;
    }

    /** {@code n} or {@code t}, so {@link Named#parse} accepts {@code N}/{@code T} in either case. */
    @Override
    public String id() {
        return letter.toLowerCase(java.util.Locale.ROOT);
    }

    public boolean isTransposed() {
        return this == TRANS;
    }
}
