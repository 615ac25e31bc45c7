package dev.myelin.cli;

import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One stderr line per log record, in the CLI's voice: {@code myelin: kernel vector (FloatVector 512-bit, 16 lanes)}.
 * The library writes its messages for any host ("Myelin kernel: …", "Myelin: …"); here its own name is
 * dropped because the prefix already says it. A thrown exception adds its message, never a stack trace.
 */
final class OneLineLogFormatter extends Formatter {

    @Override
    public String format(LogRecord record) {
        String message = formatMessage(record)
                .replaceFirst("^Myelin kernel: ", "kernel ")
                .replaceFirst("^Myelin:? ", "");
        StringBuilder line = new StringBuilder(Main.PREFIX);
        if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            line.append("warning: ");
        }
        line.append(message);
        if (record.getThrown() != null) {
            line.append(" (").append(Main.userMessage(record.getThrown())).append(')');
        }
        return line.append(System.lineSeparator()).toString();
    }
}
