package dev.myelin.core.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/** The vector variant's own properties: widths, description, and the NaN semantics of MAX that relu relies on. */
class VectorKernelTest {

    @Test
    void widthsAndDescription() {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        VectorKernel k0 = new VectorKernel(0);
        assertEquals(preferred, k0.bits());
        assertEquals(preferred / 32, k0.lanes());
        for (int bits : new int[] {128, 256, 512}) {
            VectorKernel k = new VectorKernel(bits);
            assertEquals(bits, k.bits());
            assertEquals(bits / 32, k.lanes());
            assertEquals("vector", k.name());
            assertEquals("vector (FloatVector " + bits + "-bit, " + bits / 32 + " lanes)", k.describe());
        }
        for (int bad : new int[] {-1, 1, 64, 100, 1024}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VectorKernel(bad));
            assertTrue(e.getMessage().contains(String.valueOf(bad)) && e.getMessage().contains("128, 256 or 512"),
                    e.getMessage());
        }
    }

    @Test
    void softmaxIsNotAnElementwiseActivation() {
        float[] a = new float[4];
        assertThrows(UnsupportedOperationException.class,
                () -> new VectorKernel(0).forward(2, 2, 1, a, 0, 1, a, 0, 2, null, 0, Activation.SOFTMAX, a, 0, 2));
    }

    /** relu relies on MAX keeping NaN (Math.max semantics), lane by lane, and on the max of −0 and 0 being +0. */
    @Test
    void vectorMaxKeepsNaN() {
        for (int bits : new int[] {128, 256, 512}) {
            VectorSpecies<Float> species = VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
            float[] in = new float[species.length()];
            in[0] = Float.NaN;
            in[1] = -0f;
            in[2] = -1f;
            in[3] = Float.NEGATIVE_INFINITY;
            float[] out = new float[in.length];
            FloatVector.fromArray(species, in, 0).lanewise(VectorOperators.MAX, 0f).intoArray(out, 0);
            assertTrue(Float.isNaN(out[0]), bits + "-bit MAX(NaN, 0) = " + out[0]);
            assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(out[1]), bits + "-bit MAX(−0, 0)");
            assertEquals(0f, out[2]);
            assertEquals(0f, out[3]);
        }
    }

}
