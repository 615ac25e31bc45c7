package dev.myelin.core.dispatch;

/**
 * A registered kernel variant that cannot be made here: its provider's {@code create()} or a registered factory
 * threw (a native library missing, an instruction set this CPU lacks, a bad setting of its own). The message names
 * the variant and where it came from; {@link #reason()} is what its factory said. An
 * {@link IllegalArgumentException}, as an unknown name is: the caller asked for a variant that cannot run here.
 */
public final class KernelUnavailableException extends IllegalArgumentException {

    private final String kernelName;
    private final String reason;

    KernelUnavailableException(String kernelName, String origin, Throwable cause) {
        this(kernelName, origin, cause, OneLine.causes(cause));
    }

    private KernelUnavailableException(String kernelName, String origin, Throwable cause, String reason) {
        super("kernel '" + kernelName + "' is unavailable here: " + origin + " threw " + reason, cause);
        this.kernelName = kernelName;
        this.reason = reason;
    }

    /** The variant's name, as registered. */
    public String kernelName() {
        return kernelName;
    }

    /** What its factory threw, in one line: the exception's simple name and message, and its causes'. */
    public String reason() {
        return reason;
    }
}
