package dev.myelin.nn;

/**
 * A model or checkpoint file that cannot be read; the message names the file and, where there is one, the layer
 * and field. The message is one line: line breaks in it (e.g. from a JSON string) are shown as escapes.
 */
public class ModelFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ModelFormatException(String msg) {
        super(Messages.oneLine(msg));
    }

    public ModelFormatException(String msg, Throwable cause) {
        super(Messages.oneLine(msg), cause);
    }
}
