package dev.myelin.core.dispatch;

/**
 * An error and its causes as one line of text, for the registry's warnings and for
 * {@link KernelUnavailableException#reason()}: {@code IllegalStateException (libmine.so not found): …}, each cause
 * after a colon, newlines in messages turned into blanks. Class names are simple: the line is read by a person
 * deciding what to fix, and the exception itself (with its stack trace) stays attached where there is one.
 */
final class OneLine {

    private OneLine() {
    }

    static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        // each cause once: initCause allows a cycle (A caused by B caused by A), which must end the line, not loop
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
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
