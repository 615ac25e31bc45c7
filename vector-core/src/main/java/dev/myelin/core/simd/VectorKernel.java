package dev.myelin.core.simd;

import dev.myelin.core.DenseKernel;
import dev.myelin.core.ForwardingKernel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API variant ({@code vector}): every {@link DenseKernel} operation with {@code FloatVector}s of
 * one width, 128, 256 or 512 bits, or the platform's preferred one.
 *
 * <p>The arithmetic lives in {@link FloatKernels}. C2 compiles Vector API code into SIMD instructions only
 * when it can prove the species constant: a {@code static final} is. A species kept in an instance field
 * works while a JVM uses one width (type profiles stand in for the constant), but as soon as two widths
 * run — as in the conformance tests, or a benchmark comparing widths — every operation falls back to
 * boxed Java code (measured: 30 KB allocated per call of a 1024-element loop). So that each width gets its
 * own constant without three copies of the source, this class forwards every operation to one hidden copy of
 * {@code FloatKernels} per width ({@link HiddenCopies}); the operations' contracts are {@link DenseKernel}'s.
 */
public final class VectorKernel extends ForwardingKernel {

    public static final String NAME = "vector";

    private final VectorSpecies<Float> species;

    /**
     * A kernel with {@code bits}-wide float vectors: 0 for {@code FloatVector.SPECIES_PREFERRED}, otherwise
     * 128, 256 or 512 (a width the CPU lacks still computes correctly, only slowly).
     */
    public VectorKernel(int bits) {
        this(species(bits));
    }

    private VectorKernel(VectorSpecies<Float> species) {
        super(HiddenCopies.forWidth(FloatKernels.class, DenseKernel.class, species.vectorBitSize()));
        this.species = species;
    }

    private static VectorSpecies<Float> species(int bits) {
        return switch (bits) {
            case 0 -> FloatVector.SPECIES_PREFERRED;
            case 128 -> FloatVector.SPECIES_128;
            case 256 -> FloatVector.SPECIES_256;
            case 512 -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("vector width must be 0 (the preferred one), 128, 256"
                    + " or 512 bits, got " + bits);
        };
    }

    /** The vector width in bits (128, 256, 512, ...). */
    public int bits() {
        return species.vectorBitSize();
    }

    /** The number of float lanes per vector ({@code bits / 32}). */
    public int lanes() {
        return species.length();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String describe() {
        return NAME + " (FloatVector " + bits() + "-bit, " + lanes() + " lanes)";
    }

    @Override
    public String toString() {
        return describe();
    }
}
