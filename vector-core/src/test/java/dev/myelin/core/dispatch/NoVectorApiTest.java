package dev.myelin.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The library without the Vector API module. Runs only in the {@code no-vector-api} Surefire execution
 * (vector-core/pom.xml), whose JVM is started without {@code --add-modules jdk.incubator.vector}; the
 * default execution excludes it.
 */
class NoVectorApiTest {

    @Test
    void theModuleIsAbsent() {
        assertFalse(VectorSupport.available(), "this test must run without " + VectorSupport.ENABLE_FLAG);
        assertTrue(VectorSupport.vectorKernel(0).isEmpty());
        assertTrue(VectorSupport.blockedKernel(0).isEmpty());
        assertTrue(VectorSupport.parallelKernel(0, 2).isEmpty());
    }

    @Test
    void theDefaultFallsBackToScalar() {
        assertEquals("scalar", KernelRegistry.defaultKernel().name());
        for (String simd : List.of("parallel", "blocked", "vector")) {
            assertFalse(KernelRegistry.names().contains(simd), KernelRegistry.names().toString());
        }
        assertEquals(1, KernelRegistry.defaultKernel().threads());
    }

    @Test
    void forwardStillWorks() {
        // [1 2; 3 4]·[1 0 −1; 0 1 1] + [0.5 0 −1] = [1.5 2 0; 3.5 4 0], then relu
        float[] x = {1, 2, 3, 4};
        float[] w = {1, 0, -1, 0, 1, 1};
        float[] b = {0.5f, 0, -1};
        float[] y = new float[6];
        DenseOps.defaults().forward(2, 3, 2, x, 0, 2, w, 0, 3, b, 0, Activation.RELU, y, 0, 3);
        assertArrayEquals(new float[] {1.5f, 2, 0, 3.5f, 4, 0}, y);
    }

    @Test
    void askingForAnySimdVariantNamesTheFlag() {
        for (String name : List.of("vector", "blocked", "parallel", " parallel ")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelRegistry.get(name));
            assertTrue(e.getMessage().contains("--add-modules jdk.incubator.vector")
                    && e.getMessage().contains("'" + name.trim() + "'"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> DenseOps.of(name));
            IllegalArgumentException threaded = assertThrows(IllegalArgumentException.class,
                    () -> KernelRegistry.withThreads(name, 2));
            assertTrue(threaded.getMessage().contains("--add-modules jdk.incubator.vector"), threaded.getMessage());
        }
    }

    /** -Dmyelin.kernel naming a variant that needs the missing module fails in the check front ends make first. */
    @Test
    void aPropertyNamingASimdVariantFailsTheFirstCheck() {
        String saved = System.getProperty(KernelRegistry.KERNEL_PROPERTY);
        System.setProperty(KernelRegistry.KERNEL_PROPERTY, "vector");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, KernelRegistry::checkProperties);
            assertTrue(e.getMessage().startsWith("-Dmyelin.kernel=vector: kernel 'vector' needs the Vector API"),
                    e.getMessage());
        } finally {
            if (saved == null) {
                System.clearProperty(KernelRegistry.KERNEL_PROPERTY);
            } else {
                System.setProperty(KernelRegistry.KERNEL_PROPERTY, saved);
            }
        }
    }

    @Test
    void withThreadsStillServesScalarAndChecksTheCount() {
        assertEquals("scalar", KernelRegistry.withThreads("scalar", 4).name());
        assertEquals(1, KernelRegistry.withThreads("scalar", 4).threads());
        assertThrows(IllegalArgumentException.class, () -> KernelRegistry.withThreads("scalar", 0));
    }
}
