package dev.myelin.nn;

/**
 * A data file that cannot be used; the message starts with {@code FILE:LINE:} (or {@code FILE:}) and is one line
 * (line breaks in it, e.g. from a quoted cell, are shown as escapes).
 */
public class DataException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public DataException(String msg) {
        super(Messages.oneLine(msg));
    }
}
