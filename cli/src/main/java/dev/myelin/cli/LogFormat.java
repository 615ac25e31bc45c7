package dev.myelin.cli;

import java.util.Locale;

/** How {@code train} prints its epoch lines. */
enum LogFormat {
    /** {@code Epoch 1, Loss: 0.7332168896846459}, as the document's program prints it. */
    TEXT,
    /** One JSON object per line: {@code {"epoch":1,"loss":0.7332168896846459}}. */
    JSON;

    static LogFormat parse(String s) {
        for (LogFormat f : values()) {
            if (f.name().equalsIgnoreCase(s.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown log format '" + s + "' (expected text or json)");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
