package dev.myelin.cli;

/** Words for a POSIX shell, for the commands the CLI prints to be pasted. */
final class Shell {

    private Shell() {
    }

    /** {@code s} as one word for a POSIX shell: as it is when it is plainly safe, else in single quotes. */
    static String quoted(String s) {
        return !s.isEmpty() && s.matches("[A-Za-z0-9_./=,:@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
