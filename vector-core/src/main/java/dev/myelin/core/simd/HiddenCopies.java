package dev.myelin.core.simd;

import java.io.IOException;
import java.lang.constant.ConstantDescs;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * One hidden copy of a kernel class per vector width. C2 compiles Vector API code into SIMD instructions only
 * when the species is a constant; a {@code static final} is. So that each width gets its own constant without
 * a copy of the source per width, the class's bytecode is defined again as a hidden class whose class data is
 * the width in bits; its {@code static final} species is read from that class data. Copies are made once per
 * class and width and shared; callers reach them through an interface, never with a vector argument.
 */
final class HiddenCopies {

    private static final Map<String, Object> COPIES = new ConcurrentHashMap<>();
    private static final System.Logger LOG = System.getLogger("dev.myelin");
    /** The widths already warned about (once per width and JVM). */
    private static final java.util.Set<Integer> EMULATED = ConcurrentHashMap.newKeySet();

    private HiddenCopies() {
    }

    /**
     * The shared instance of {@code template}'s copy for {@code bits}-wide vectors, made through its no-argument
     * constructor. {@code template} must live in this package and implement {@code type}.
     */
    static <T> T forWidth(Class<?> template, Class<T> type, int bits) {
        warnIfEmulated(bits);
        Object copy = COPIES.computeIfAbsent(template.getName() + "/" + bits, key -> define(template, bits));
        return type.cast(copy);
    }

    /**
     * A width above the CPU's ({@code -Dmyelin.vectorBits=512} on an AVX2 machine) computes the same bits, but
     * the Vector API emulates it, many times slower (a user probe timed 5–30× on a 128³ forward): said once, as a
     * warning, rather than left to be found.
     */
    static void warnIfEmulated(int bits) {
        int own = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        if (bits > own && EMULATED.add(bits)) {
            LOG.log(System.Logger.Level.WARNING, "Myelin: " + bits + "-bit vectors were asked for (-Dmyelin.vectorBits)"
                    + " but this CPU's are " + own + " bits: the Vector API emulates them, many times slower (the"
                    + " results are the same bits)");
        }
    }

    /**
     * The float species of the class behind {@code lookup}: the width in its class data for a copy made by
     * {@link #forWidth}, the preferred species for the original class (which is never used for arithmetic).
     * Called from each template's {@code static final} initializer with its own {@code MethodHandles.lookup()}.
     */
    static VectorSpecies<Float> floatSpecies(MethodHandles.Lookup lookup) {
        try {
            Integer bits = MethodHandles.classData(lookup, ConstantDescs.DEFAULT_NAME, Integer.class);
            return bits == null ? FloatVector.SPECIES_PREFERRED
                    : VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object define(Class<?> template, int bits) {
        String classFile = template.getSimpleName() + ".class";
        try (InputStream in = template.getResourceAsStream(classFile)) {
            if (in == null) {
                throw new IllegalStateException(classFile + " is missing next to " + template.getName());
            }
            Class<?> copy = MethodHandles.lookup().defineHiddenClassWithClassData(in.readAllBytes(), bits, true)
                    .lookupClass();
            var constructor = copy.getDeclaredConstructor();
            constructor.setAccessible(true);
            return constructor.newInstance();
        } catch (IOException | ReflectiveOperationException e) {
            throw new IllegalStateException("cannot specialise " + template.getSimpleName() + " for " + bits
                    + "-bit vectors", e);
        }
    }
}
