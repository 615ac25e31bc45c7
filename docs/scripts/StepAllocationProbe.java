import dev.myelin.core.*;
import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.nn.*;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.Random;

// The allocation probe of docs/kernels.md ("Rules kept for C2"): one JVM trains a 300-72-10 model with `blocked`, 20 steps
// then 10 measured, until a round allocates nothing ("OK round R, S s") or 6 000 rounds pass ("STUCK", exit 1).
// Run it in several JVMs: java --add-modules=jdk.incubator.vector -XX:+UseSerialGC -cp cli/target/myelin.jar \
//     docs/scripts/StepAllocationProbe.java blocked
public class StepAllocationProbe {
    public static void main(String[] args) {
        ThreadMXBean T = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        int INPUTS = 300, HIDDEN = 72, CLASSES = 10, BATCH = 64;
        DenseOps ops = DenseOps.of(KernelRegistry.withThreads(args[0], 1));
        Random r = new Random(21);
        float[] x = new float[3 * BATCH * INPUTS];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        int[] labels = new int[3 * BATCH];
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(CLASSES);
        Mlp model = Mlp.of(new int[] {INPUTS, HIDDEN, CLASSES}, Activation.RELU, Activation.SOFTMAX);
        Init.TORCH.initialize(model, 4);
        TrainingStep step = new TrainingStep(model, Loss.CE, OptimizerSpec.sgd(0.05), BATCH, ops);
        long start = System.nanoTime();
        for (int round = 1; round <= 6000; round++) {
            for (int s = 0; s < 20; s++) { int b = s % 3; step.step(x, b * BATCH * INPUTS, labels, b * BATCH, BATCH, 1e-3); }
            long before = T.getCurrentThreadAllocatedBytes();
            for (int s = 0; s < 10; s++) { int b = s % 3; step.step(x, b * BATCH * INPUTS, labels, b * BATCH, BATCH, 1e-3); }
            long bytes = (T.getCurrentThreadAllocatedBytes() - before) / 10;
            if (bytes == 0) { System.out.printf("OK round %d %.1f s%n", round, (System.nanoTime() - start) / 1e9); return; }
            if (round % 200 == 0) System.out.printf("round %d: %d B/step %.1f s%n", round, bytes, (System.nanoTime() - start) / 1e9);
        }
        System.out.println("STUCK " + (System.nanoTime() - start) / 1e9);
        System.exit(1);
    }
}
