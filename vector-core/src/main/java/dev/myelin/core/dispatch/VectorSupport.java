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
    private static final String BLOCKED_KERNEL_CLASS = "dev.myelin.core.simd.BlockedKernel";
    private static final String PARALLEL_KERNEL_CLASS = "dev.myelin.core.simd.ParallelKernel";

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
        return create(VECTOR_KERNEL_CLASS, new Class<?>[] {int.class}, bits);
    }

    /** The packed, cache-blocked single-threaded kernel ({@code blocked}), or empty without the module. */
    public static Optional<DenseKernel> blockedKernel(int bits) {
        return create(BLOCKED_KERNEL_CLASS, new Class<?>[] {int.class}, bits);
    }

    /**
     * The blocked kernel split over {@code threads} threads ({@code parallel}), or empty without the module. A new
     * kernel with its own worker threads: it is {@link AutoCloseable} ({@code if (kernel instanceof AutoCloseable c)
     * c.close()}), and {@code close()} ends them (otherwise they end once the kernel is unreachable and collected);
     * {@link KernelRegistry#withThreads} shares one instead.
     */
    public static Optional<DenseKernel> parallelKernel(int bits, int threads) {
        return create(PARALLEL_KERNEL_CLASS, new Class<?>[] {int.class, int.class}, bits, threads);
    }

    /** The registry's shared {@code parallel}: as {@link #parallelKernel}, but its {@code close()} is refused. */
    static Optional<DenseKernel> sharedParallelKernel(int bits, int threads) {
        return create(PARALLEL_KERNEL_CLASS, "shared", new Class<?>[] {int.class, int.class}, bits, threads);
    }

    /** The registry's default {@code parallel}, held for good: {@code ParallelKernel.sharedForGood}. */
    static Optional<DenseKernel> defaultParallelKernel(int bits, int threads) {
        return create(PARALLEL_KERNEL_CLASS, "sharedForGood", new Class<?>[] {int.class, int.class}, bits, threads);
    }

    private static Optional<DenseKernel> create(String className, Class<?>[] parameterTypes, Object... args) {
        return create(className, null, parameterTypes, args);
    }

    /** An instance of {@code className} from its constructor, or from its static {@code factory} when not null. */
    private static Optional<DenseKernel> create(String className, String factory, Class<?>[] parameterTypes,
                                                Object... args) {
        if (!available()) {
            return Optional.empty();
        }
        LoopOrder.forced(); // a bad -Dmyelin.loopOrder named, not as the engine's failed class initialisation
        try {
            Class<?> type = Class.forName(className);
            Object made = factory == null ? type.getConstructor(parameterTypes).newInstance(args)
                    : type.getMethod(factory, parameterTypes).invoke(null, args);
            return Optional.of((DenseKernel) made);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("cannot create " + className, e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("the Vector API module is present but " + className
                    + " cannot be loaded", e);
        }
    }
}
