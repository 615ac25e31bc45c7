// docs/scripts/ThinLayerLoop.java: the products of a thin layer (128×128×10, ten outputs) with the default engine
// ("blocked", one thread), timed in plain loops of 20 000 calls a round, µs per call: the forward with identity and
// with sigmoid, the weight gradient, the input gradient, and, for comparison, the forward as dot products along k
// (FixedOrderDot on W transposed first: every lane useful, a lane sum per output). The figures docs/kernels.md quotes
// for the tenth session's thin-kernel trials, alternating two builds' jars.
// Run: java --add-modules jdk.incubator.vector [-Dmyelin.vectorBits=256] \
//          -cp vector-core/target/myelin-vector-core-0.1.0-SNAPSHOT.jar docs/scripts/ThinLayerLoop.java
import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.dispatch.KernelRegistry;
import java.lang.reflect.Method;
import java.util.Random;

public class ThinLayerLoop {
    static final int M = 128, K = 128, N = 10, CALLS = 20_000, ROUNDS = 6;

    public static void main(String[] args) throws ReflectiveOperationException {
        Random r = new Random(1);
        float[] x = fill(r, M * K), w = fill(r, K * N), dz = fill(r, M * N), b = new float[N];
        float[] y = new float[M * N], wt = new float[N * K], dw = new float[K * N], dx = new float[M * K];
        DenseKernel engine = KernelRegistry.get("blocked");
        int bits = Integer.getInteger("myelin.vectorBits", 512);
        // FixedOrderDot and its copies per width are package-private: reached by reflection (a call per 10 µs)
        Class<?> copies = Class.forName("dev.myelin.core.simd.HiddenCopies");
        Class<?> dotsType = Class.forName("dev.myelin.core.simd.FewRowsInputGradient");
        Method forWidth = copies.getDeclaredMethod("forWidth", Class.class, Class.class, int.class);
        forWidth.setAccessible(true);
        Object dots = forWidth.invoke(null, Class.forName("dev.myelin.core.simd.FixedOrderDot"), dotsType, bits);
        Method dotProducts = dotsType.getMethod("inputGradient", int.class, int.class, int.class, float[].class,
                int.class, int.class, float[].class, int.class, int.class, float[].class, int.class, int.class);
        dotProducts.setAccessible(true);
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < CALLS; i++) {
                engine.forward(M, N, K, x, 0, K, w, 0, N, b, 0, Activation.IDENTITY, y, 0, N);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < CALLS; i++) {
                engine.forward(M, N, K, x, 0, K, w, 0, N, b, 0, Activation.SIGMOID, y, 0, N);
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < CALLS; i++) {
                engine.weightGradient(M, N, K, x, 0, K, dz, 0, N, dw, 0, N, false);
            }
            long t3 = System.nanoTime();
            for (int i = 0; i < CALLS; i++) {
                engine.inputGradient(M, N, K, dz, 0, N, w, 0, N, dx, 0, K);
            }
            long t4 = System.nanoTime();
            for (int i = 0; i < CALLS; i++) { // Y = X·W as dX = dZ·Wᵀ with dZ := X and Wᵀ := W transposed
                for (int p = 0; p < K; p++) {
                    for (int j = 0; j < N; j++) {
                        wt[j * K + p] = w[p * N + j];
                    }
                }
                dotProducts.invoke(dots, M, K, N, x, 0, K, wt, 0, K, y, 0, N);
            }
            long t5 = System.nanoTime();
            System.out.printf("forward identity %.2f  sigmoid %.2f  dW %.2f  dX %.2f  dot products %.2f µs%n",
                    us(t1 - t0), us(t2 - t1), us(t3 - t2), us(t4 - t3), us(t5 - t4));
        }
    }

    private static double us(long nanos) {
        return nanos / 1e3 / CALLS;
    }

    private static float[] fill(Random r, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        return a;
    }
}
