import dev.myelin.core.*;
import dev.myelin.core.dispatch.KernelRegistry;
import java.util.*;
// softmaxRows of 128 rows × N columns (blocked, 1 thread): best of 20 batches of 1 000 calls, rounds 6-8 printed.
// docs/kernels.md, fourteenth session:
//   java --add-modules=jdk.incubator.vector -cp cli/target/myelin.jar docs/scripts/SoftmaxCost.java 10
public class SoftmaxCost {
    public static void main(String[] a) {
        DenseKernel kern = KernelRegistry.withThreads("blocked", 1);
        int m = 128, n = Integer.parseInt(a[0]);
        Random r = new Random(1);
        float[] z0 = new float[m * n], z = new float[m * n];
        for (int i = 0; i < z0.length; i++) z0[i] = r.nextFloat() * 8 - 4;
        for (int round = 0; round < 8; round++) {
            long best = Long.MAX_VALUE;
            for (int t = 0; t < 20; t++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 1000; i++) { System.arraycopy(z0, 0, z, 0, z.length); kern.softmaxRows(m, n, z, 0, n); }
                best = Math.min(best, (System.nanoTime() - t0) / 1000);
            }
            if (round >= 5) System.out.printf("softmax %dx%d: %.2f us%n", m, n, best / 1e3);
        }
    }
}
