import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.nn.Init;
import dev.myelin.nn.Loss;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.OptimizerSpec;
import dev.myelin.nn.TrainingStep;
import java.lang.reflect.Field;
import java.util.Random;

// One JVM's training-step time (784-256-128-10, batch 128, sigmoid, CE, fused SGD, one thread, synthetic data in
// place; rounds 6-10 of 400 steps, µs a step) and, at its end, where the large arrays lie against the 64-byte cache
// lines: "x 16 W1 40 ... packedB 24/50192" = (address of element 0) mod 64 and the length. The packing buffers are
// read from the thread's GemmWorkspace. Addresses come from sun.misc.Unsafe (compressed oops decoded with a shift
// of 3, the default for heaps of 4-32 GB), so the JVM warns once. docs/kernels.md, fifteenth session: run it in
// several JVMs to see the spread from one to the next.
//   java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
//        --add-opens java.base/java.lang=ALL-UNNAMED -XX:+UseSerialGC -Xmn16m -cp cli/target/myelin.jar \
//        docs/scripts/StepLines.java
public class StepLines {
    static sun.misc.Unsafe unsafe;

    static String line(float[] a) {
        Object[] holder = {a};
        long address = (unsafe.getInt(holder, 16L) & 0xffffffffL) << 3;
        return Long.toString((address + 16) % 64); // element 0 after the 16-byte array header
    }

    public static void main(String[] args) throws Exception {
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        unsafe = (sun.misc.Unsafe) f.get(null);
        int batch = 128, in = 784, batches = 40;
        DenseOps ops = DenseOps.of(KernelRegistry.withThreads("parallel", 1));
        Random r = new Random(21);
        float[] x = new float[batches * batch * in];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        int[] labels = new int[batches * batch];
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(10);
        Mlp model = Mlp.of(new int[] {in, 256, 128, 10}, Activation.SIGMOID, Activation.SOFTMAX);
        Init.TORCH.initialize(model, 4);
        TrainingStep step = new TrainingStep(model, Loss.CE, OptimizerSpec.sgd(0.1), batch, ops);
        StringBuilder out = new StringBuilder();
        for (int round = 0; round < 10; round++) {
            long t0 = System.nanoTime();
            for (int s = 0; s < 400; s++) {
                int b = s % batches;
                step.step(x, b * batch * in, labels, b * batch, batch, 0.1);
            }
            if (round >= 5) out.append(String.format("%.0f ", (System.nanoTime() - t0) / 1e3 / 400));
        }
        out.append("| x ").append(line(x));
        for (int l = 0; l < 3; l++) out.append(" W").append(l + 1).append(' ').append(line(model.layers().get(l).weights()));
        Field locals = Thread.class.getDeclaredField("threadLocals");
        locals.setAccessible(true);
        Object map = locals.get(Thread.currentThread());
        Field table = map.getClass().getDeclaredField("table");
        table.setAccessible(true);
        for (Object entry : (Object[]) table.get(map)) {
            if (entry == null) continue;
            Field value = entry.getClass().getDeclaredField("value");
            value.setAccessible(true);
            Object ws = value.get(entry);
            if (ws != null && ws.getClass().getSimpleName().equals("GemmWorkspace")) {
                for (String name : new String[] {"packedB", "packedA", "edgeA", "tile"}) {
                    Field buffer = ws.getClass().getDeclaredField(name);
                    buffer.setAccessible(true);
                    float[] a = (float[]) buffer.get(ws);
                    out.append(' ').append(name).append(' ').append(line(a)).append('/').append(a.length);
                }
            }
        }
        System.out.println(out);
    }
}
