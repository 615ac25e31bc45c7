package dev.myelin.cli;

import dev.myelin.core.Named;

/** How {@code train} prints its epoch lines. */
enum LogFormat implements Named {
    /** {@code Epoch 1, Loss: 0.9395958765642146} (the default run's first line), as the document's program prints. */
    TEXT("text"),
    /** One JSON object per line: {@code {"epoch":1,"loss":0.9395958765642146}}. */
    JSON("json");

    private final String id;

    LogFormat(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    static LogFormat parse(String s) {
        return Named.parse(LogFormat.class, "log format", s);
    }

    @Override
    public String toString() {
        return id;
    }
}
