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
        super("kernel '" + kernelName + "' is unavailable here: " + origin + " threw " + reason(cause), cause);
        this.kernelName = kernelName;
        this.reason = reason(cause);
    }

    /** The variant's name, as registered. */
    public String kernelName() {
        return kernelName;
    }

    /** What its factory threw, in one line: the exception's simple name and message, and its causes'. */
    public String reason() {
        return reason;
    }

    private static String reason(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (!text.isEmpty()) {
                text.append(": ");
            }
            String message = t.getMessage();
            text.append(t.getClass().getSimpleName());
            if (message != null && !message.isBlank()) {
                text.append(" (").append(message.replace('\n', ' ')).append(')');
            }
        }
        return text.toString();
    }
}
