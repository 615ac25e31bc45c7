package dev.myelin.nn;

/** A data file that cannot be used; the message starts with {@code FILE:LINE:} (or {@code FILE:}). */
public class DataException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public DataException(String msg) {
        super(msg);
    }
}
