import dev.myelin.core.DenseOps;
import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.nn.Mlp;
import java.lang.reflect.Field;

// One JVM's training-step time (SyntheticSteps: 784-256-128-10, batch 128, sigmoid, CE, fused SGD, one thread;
// rounds 6-10 of 400 steps, µs a step) and, at its end, where the large arrays lie against the 64-byte cache
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
        SyntheticSteps steps = new SyntheticSteps(DenseOps.of(KernelRegistry.withThreads("parallel", 1)));
        StringBuilder out = new StringBuilder();
        for (int round = 0; round < 10; round++) {
            long ns = steps.round();
            if (round >= 5) out.append(String.format("%.0f ", ns / 1e3 / SyntheticSteps.STEPS));
        }
        float[] x = steps.x;
        Mlp model = steps.model;
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
