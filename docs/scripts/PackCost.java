import dev.myelin.core.*;
import dev.myelin.core.dispatch.KernelRegistry;
import java.util.*;
// Forward time against m at k = 784, n = 256, or K and N given (blocked, 1 thread, sigmoid): the intercept is what does
// not scale with the rows (B's packing). docs/kernels.md, fourteenth session:
//   java --add-modules=jdk.incubator.vector -cp cli/target/myelin.jar docs/scripts/PackCost.java [KERNEL [K N]]
// (the thin forward: ... PackCost.java blocked 128 10)
public class PackCost {
    public static void main(String[] a) {
        DenseOps ops = DenseOps.of(KernelRegistry.withThreads(a.length > 0 ? a[0] : "blocked", 1));
        int k = a.length > 2 ? Integer.parseInt(a[1]) : 784, n = a.length > 2 ? Integer.parseInt(a[2]) : 256;
        int[] ms = {13, 24, 48, 72, 128};
        Random r = new Random(1);
        float[] x = new float[128 * k], w = new float[k * n], b = new float[n], y = new float[128 * n];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        for (int i = 0; i < w.length; i++) w[i] = r.nextFloat() - 0.5f;
        for (int round = 0; round < 6; round++) {
            StringBuilder sb = new StringBuilder();
            for (int m : ms) {
                int reps = Math.max(20000 / m, (int) (2e7 / ((double) m * k * n))); // small products: more calls
                long best = Long.MAX_VALUE;
                for (int t = 0; t < 5; t++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < reps; i++) ops.forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.SIGMOID, y, 0, n);
                    best = Math.min(best, (System.nanoTime() - t0) / reps);
                }
                sb.append(String.format(" m=%d %.1f", m, best / 1e3));
            }
            if (round >= 3) System.out.println("us:" + sb);
        }
    }
}
