package dev.myelin.nn;

/**
 * A model or checkpoint file that cannot be read; the message names the file and, where there is one, the layer
 * and field.
 */
public class ModelFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ModelFormatException(String msg) {
        super(msg);
    }

    public ModelFormatException(String msg, Throwable cause) {
        super(msg, cause);
    }
}
