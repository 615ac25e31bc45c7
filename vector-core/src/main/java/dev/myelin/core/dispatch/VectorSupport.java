package dev.myelin.core.dispatch;

import dev.myelin.core.DenseKernel;
import java.lang.reflect.InvocationTargetException;
import java.util.Optional;

/**
 * The door to the SIMD variants. Classes that use {@code jdk.incubator.vector} live in
 * {@code dev.myelin.core.simd} and are loaded only here, by reflection, and only when the module is in the
 * boot layer: without {@code --add-modules jdk.incubator.vector} nothing on the scalar path touches them.
 */
public final class VectorSupport {

    /** The JVM flag that enables the SIMD kernels; quoted in every message about it. */
    public static final String ENABLE_FLAG = "--add-modules jdk.incubator.vector";

    /** System property forcing the vector width in bits (128, 256 or 512); unset means the preferred one. */
    public static final String VECTOR_BITS_PROPERTY = "myelin.vectorBits";

    private static final String VECTOR_KERNEL_CLASS = "dev.myelin.core.simd.VectorKernel";

    private VectorSupport() {
    }

    /** Whether the Vector API module is present in this JVM. */
    public static boolean available() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * The vector width requested by {@code -Dmyelin.vectorBits}, or 0 for the preferred species.
     *
     * @throws IllegalArgumentException when the property is set to anything but 128, 256 or 512
     */
    public static int requestedBits() {
        String value = System.getProperty(VECTOR_BITS_PROPERTY);
        if (value == null || value.isBlank()) {
            return 0;
        }
        return switch (value.trim()) {
            case "128" -> 128;
            case "256" -> 256;
            case "512" -> 512;
            default -> throw new IllegalArgumentException("-D" + VECTOR_BITS_PROPERTY + "=" + value
                    + " is not a vector width: use 128, 256 or 512");
        };
    }

    /**
     * The Vector API kernel with {@code bits}-wide float vectors (0 = the platform's preferred width), or
     * empty when the module is absent.
     */
    public static Optional<DenseKernel> vectorKernel(int bits) {
        if (!available()) {
            return Optional.empty();
        }
        try {
            Class<?> type = Class.forName(VECTOR_KERNEL_CLASS);
            return Optional.of((DenseKernel) type.getConstructor(int.class).newInstance(bits));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("cannot create the vector kernel", e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("the Vector API module is present but " + VECTOR_KERNEL_CLASS
                    + " cannot be loaded", e);
        }
    }
}
