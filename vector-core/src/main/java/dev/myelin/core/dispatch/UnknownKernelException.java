package dev.myelin.core.dispatch;

/**
 * A kernel name that names no variant here; the message lists the names there are and how a variant of one's own
 * gets in. An {@link IllegalArgumentException}, so that a caller may tell it from the other failures of a lookup (a
 * variant that cannot be made, {@link KernelUnavailableException}; a bad property its factory reads).
 */
public final class UnknownKernelException extends IllegalArgumentException {

    UnknownKernelException(String message) {
        super(message);
    }
}
