import dev.myelin.core.*;
import dev.myelin.core.dispatch.KernelRegistry;
import java.util.*;
// Forward µs (sigmoid; best of 5 batches of calls, rounds 5-7 printed) of KERNEL on THREADS threads at the training
// shapes; W does not change between calls. docs/kernels.md, fourteenth session ("B packed once for both threads"):
//   java --add-modules=jdk.incubator.vector -cp cli/target/myelin.jar docs/scripts/ForwardLoop.java parallel 2
public class ForwardLoop {
    public static void main(String[] a) {
        DenseOps ops = DenseOps.of(KernelRegistry.withThreads(a[0], Integer.parseInt(a[1])));
        int[][] shapes = {{128, 784, 256}, {256, 784, 512}, {128, 256, 128}, {1024, 784, 256}};
        Random r = new Random(1);
        float[] x = new float[1024 * 784], w = new float[784 * 512], b = new float[512], y = new float[1024 * 512];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        for (int i = 0; i < w.length; i++) w[i] = r.nextFloat() - 0.5f;
        for (int round = 0; round < 7; round++) {
            StringBuilder sb = new StringBuilder();
            for (int[] s : shapes) {
                int m = s[0], k = s[1], n = s[2];
                int reps = (int) Math.max(20, 4e8 / (2.0 * m * n * k));
                long best = Long.MAX_VALUE;
                for (int t = 0; t < 5; t++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < reps; i++) ops.forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.SIGMOID, y, 0, n);
                    best = Math.min(best, (System.nanoTime() - t0) / reps);
                }
                sb.append(String.format(" %dx%dx%d %.1f", m, k, n, best / 1e3));
            }
            if (round >= 4) System.out.println(a[0] + " " + a[1] + "t us:" + sb);
        }
    }
}
