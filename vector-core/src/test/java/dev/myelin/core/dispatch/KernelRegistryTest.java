package dev.myelin.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.DenseOps;
import dev.myelin.core.scalar.ScalarKernel;
import dev.myelin.core.simd.VectorKernel;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Names → variants, the default, registration, and the {@code -Dmyelin.vectorBits} override (Vector API present). */
class KernelRegistryTest {

    @Test
    void builtInsAreListedFastestFirst() {
        assertTrue(VectorSupport.available(), "these tests run with " + VectorSupport.ENABLE_FLAG);
        assertTrue(KernelRegistry.names().contains("scalar"), KernelRegistry.names().toString());
        assertTrue(KernelRegistry.names().contains("vector"), KernelRegistry.names().toString());
        assertEquals("vector", KernelRegistry.names().iterator().next());
        assertTrue(KernelRegistry.get("vector") instanceof VectorKernel);
        assertTrue(KernelRegistry.get(" scalar ") instanceof ScalarKernel);
        assertSame(KernelRegistry.get("vector"), KernelRegistry.get("vector"), "one shared instance per name");
    }

    @Test
    void theDefaultIsVectorUnlessOverridden() {
        String forced = System.getProperty(KernelRegistry.KERNEL_PROPERTY);
        String expected = forced == null || forced.isBlank() ? "vector" : forced.trim();
        assertEquals(expected, KernelRegistry.defaultKernel().name());
        assertEquals(expected, DenseOps.defaults().kernel().name());
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelRegistry.get("nope"));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("scalar")
                && e.getMessage().contains("vector"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DenseOps.of("nope"));
    }

    @Test
    void aRegisteredVariantIsSelectableByName() {
        AtomicInteger calls = new AtomicInteger();
        KernelRegistry.register("test-counting", () -> new CountingKernel(calls));
        assertTrue(KernelRegistry.names().contains("test-counting"));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> KernelRegistry.register("test-counting", ScalarKernel::new));
        assertTrue(twice.getMessage().contains("already registered"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelRegistry.register(" ", ScalarKernel::new));

        DenseOps ops = DenseOps.of("test-counting");
        assertEquals("test-counting", ops.kernel().name());
        float[] x = {1, 2}, w = {3, 4}, y = new float[1];
        ops.forward(1, 1, 2, x, 0, 2, w, 0, 1, null, 0, Activation.IDENTITY, y, 0, 1);
        assertEquals(1, calls.get(), "the call reached the registered kernel");
        assertArrayEquals(new float[] {11}, y);
    }

    @Test
    void vectorBitsPropertyIsParsed() {
        String saved = System.getProperty(VectorSupport.VECTOR_BITS_PROPERTY);
        try {
            System.clearProperty(VectorSupport.VECTOR_BITS_PROPERTY);
            assertEquals(0, VectorSupport.requestedBits());
            for (int bits : new int[] {128, 256, 512}) {
                System.setProperty(VectorSupport.VECTOR_BITS_PROPERTY, " " + bits + " ");
                assertEquals(bits, VectorSupport.requestedBits());
            }
            System.setProperty(VectorSupport.VECTOR_BITS_PROPERTY, "");
            assertEquals(0, VectorSupport.requestedBits());
            for (String bad : new String[] {"64", "1024", "wide"}) {
                System.setProperty(VectorSupport.VECTOR_BITS_PROPERTY, bad);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        VectorSupport::requestedBits);
                assertTrue(e.getMessage().contains(bad) && e.getMessage().contains("128, 256 or 512"), e.getMessage());
            }
        } finally {
            if (saved == null) {
                System.clearProperty(VectorSupport.VECTOR_BITS_PROPERTY);
            } else {
                System.setProperty(VectorSupport.VECTOR_BITS_PROPERTY, saved);
            }
        }
    }

    @Test
    void vectorKernelOfEachWidthThroughTheReflectiveDoor() {
        for (int bits : new int[] {128, 256, 512}) {
            DenseKernel k = VectorSupport.vectorKernel(bits).orElseThrow();
            assertEquals("vector", k.name());
            assertTrue(k.describe().contains(bits + "-bit"), k.describe());
        }
        assertThrows(IllegalArgumentException.class, () -> VectorSupport.vectorKernel(64));
    }

    /** The scalar kernel, counting forward calls. */
    private static final class CountingKernel implements DenseKernel {
        private final ScalarKernel delegate = new ScalarKernel();
        private final AtomicInteger calls;

        CountingKernel(AtomicInteger calls) {
            this.calls = calls;
        }

        @Override
        public String name() {
            return "test-counting";
        }

        @Override
        public void forward(int m, int n, int k, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                            float[] b, int bOff, Activation act, float[] y, int yOff, int ldy) {
            calls.incrementAndGet();
            delegate.forward(m, n, k, x, xOff, ldx, w, wOff, ldw, b, bOff, act, y, yOff, ldy);
        }

        @Override
        public void activationBackward(int m, int n, Activation act, float[] y, int yOff, int ldy, float[] dy,
                                       int dyOff, int lddy, float[] dz, int dzOff, int lddz, float[] db, int dbOff,
                                       boolean accumulate) {
            delegate.activationBackward(m, n, act, y, yOff, ldy, dy, dyOff, lddy, dz, dzOff, lddz, db, dbOff,
                    accumulate);
        }

        @Override
        public void weightGradient(int m, int n, int k, float[] x, int xOff, int ldx, float[] dz, int dzOff,
                                   int lddz, float[] dw, int dwOff, int lddw, boolean accumulate) {
            delegate.weightGradient(m, n, k, x, xOff, ldx, dz, dzOff, lddz, dw, dwOff, lddw, accumulate);
        }

        @Override
        public void inputGradient(int m, int n, int k, float[] dz, int dzOff, int lddz, float[] w, int wOff,
                                  int ldw, float[] dx, int dxOff, int lddx) {
            delegate.inputGradient(m, n, k, dz, dzOff, lddz, w, wOff, ldw, dx, dxOff, lddx);
        }

        @Override
        public void outputMinusTarget(int m, int n, float[] y, int yOff, int ldy, float[] t, int tOff, int ldt,
                                      float scale, float[] dz, int dzOff, int lddz, float[] db, int dbOff,
                                      boolean accumulate) {
            delegate.outputMinusTarget(m, n, y, yOff, ldy, t, tOff, ldt, scale, dz, dzOff, lddz, db, dbOff,
                    accumulate);
        }

        @Override
        public void softmaxRows(int m, int n, float[] z, int zOff, int ldz) {
            delegate.softmaxRows(m, n, z, zOff, ldz);
        }

        @Override
        public void softmaxCrossEntropyBackward(int m, int n, float[] p, int pOff, int ldp, int[] labels,
                                                int labelsOff, float scale, float[] dz, int dzOff, int lddz,
                                                float[] db, int dbOff, boolean accumulate) {
            delegate.softmaxCrossEntropyBackward(m, n, p, pOff, ldp, labels, labelsOff, scale, dz, dzOff, lddz, db,
                    dbOff, accumulate);
        }
    }
}
