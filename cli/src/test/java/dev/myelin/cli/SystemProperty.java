package dev.myelin.cli;

/** A system property set for the length of a test and put back as it was: {@code try (var p = set(k, v)) { … }}. */
final class SystemProperty implements AutoCloseable {

    private final String key;
    private final String saved;

    private SystemProperty(String key) {
        this.key = key;
        this.saved = System.getProperty(key);
    }

    /** Sets {@code key} to {@code value} (null: clears it) until {@link #close}. */
    static SystemProperty set(String key, String value) {
        SystemProperty held = new SystemProperty(key);
        held.to(value);
        return held;
    }

    /** Sets it again, to {@code value} (null: clears it), within the same hold. */
    void to(String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Override
    public void close() {
        to(saved);
    }
}
