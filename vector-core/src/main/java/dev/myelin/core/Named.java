package dev.myelin.core;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A choice with a lower-case name used in model files and on the command line ({@code sigmoid}, {@code bce},
 * {@code xavier}, ...). {@link #parse} is the one place such names are read, so every option and file field
 * accepts them the same way and fails with the same message.
 */
public interface Named {

    /** The lower-case name. */
    String id();

    /**
     * The constant of {@code type} whose {@link #id()} is {@code text} (ASCII letters in either case, surrounding
     * blanks ignored: {@code SIGMOID} is sigmoid, but not {@code ſigmoid} or {@code SİGMOİD}, which
     * {@link String#equalsIgnoreCase} takes).
     *
     * @param kind what is being named, for the message: {@code unknown loss 'x' (expected one of bce, ce, mse)}
     * @throws IllegalArgumentException when no constant has that name (also for null)
     */
    static <E extends Enum<E> & Named> E parse(Class<E> type, String kind, String text) {
        E[] values = type.getEnumConstants();
        if (text != null) {
            for (E e : values) {
                if (asciiEqualsIgnoreCase(e.id(), text.trim())) {
                    return e;
                }
            }
        }
        throw new IllegalArgumentException("unknown " + kind + " '" + text + "' (expected one of "
                + Arrays.stream(values).map(Named::id).collect(Collectors.joining(", ")) + ")");
    }

    /**
     * Whether {@code text} names {@code id} as {@link #parse} reads names: equal when ASCII letters are compared
     * without case; any other character must match.
     */
    static boolean asciiEqualsIgnoreCase(String id, String text) {
        if (id.length() != text.length()) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char a = id.charAt(i);
            char b = text.charAt(i);
            if (a != b && !(a < 128 && b < 128 && Character.toLowerCase(a) == Character.toLowerCase(b))) {
                return false;
            }
        }
        return true;
    }
}
