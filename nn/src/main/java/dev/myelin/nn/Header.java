package dev.myelin.nn;

/** Whether the first non-blank row of a CSV file is a header (column names) or data. */
public enum Header {
    /**
     * Decided by rule: the first row is a header if no cell in it is a number (or a NaN/Inf literal) and some
     * cell is text; a row of numbers is data; a row that mixes numbers and text is an error, since it is a
     * header with a numeric name or a data row with a typo, and guessing loses a row either way.
     */
    AUTO,
    /** The first non-blank row is a header and is skipped, whatever it holds. */
    PRESENT,
    /** There is no header: the first non-blank row is data, and text in it is an error. */
    ABSENT
}
