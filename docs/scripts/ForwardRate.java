// docs/scripts/ForwardRate.java: GFLOP/s of the default engine's forward ("blocked", one thread, identity: the
// product without its activation) at the shapes given as m,k,n, in plain loops of calls, four rounds. The figures
// docs/kernels.md quotes for the tenth session's trials of the wide micro-kernel, alternating two builds' jars.
// Run: java --add-modules jdk.incubator.vector -cp vector-core/target/myelin-vector-core-0.1.0-SNAPSHOT.jar \
//          docs/scripts/ForwardRate.java 600,256,256 128,784,256 256,784,512
import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.dispatch.KernelRegistry;
import java.util.Random;

public class ForwardRate {
    public static void main(String[] args) {
        DenseKernel engine = KernelRegistry.get("blocked");
        for (int round = 0; round < 4; round++) {
            StringBuilder line = new StringBuilder();
            for (String shape : args) {
                String[] p = shape.split(",");
                int m = Integer.parseInt(p[0]), k = Integer.parseInt(p[1]), n = Integer.parseInt(p[2]);
                Random r = new Random(1);
                float[] x = new float[m * k], w = new float[k * n], b = new float[n], y = new float[m * n];
                for (int i = 0; i < x.length; i++) {
                    x[i] = r.nextFloat() - 0.5f;
                }
                for (int i = 0; i < w.length; i++) {
                    w[i] = r.nextFloat() - 0.5f;
                }
                long flops = 2L * m * n * k;
                int calls = (int) Math.max(10, 4e9 / flops);
                for (int i = 0; i < calls / 4; i++) { // warm-up
                    engine.forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.IDENTITY, y, 0, n);
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    engine.forward(m, n, k, x, 0, k, w, 0, n, b, 0, Activation.IDENTITY, y, 0, n);
                }
                double seconds = (System.nanoTime() - t0) / 1e9 / calls;
                line.append(String.format("%s: %.1f GFLOP/s  ", shape, flops / seconds / 1e9));
            }
            System.out.println(line);
        }
    }
}
