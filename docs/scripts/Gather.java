import java.util.*;
// The gather of a training batch: 128 random rows of 784 floats from a 60 000-row set (Fashion-MNIST's 188 MB),
// copied row by row as the trainer does, µs a batch over an epoch's batches. -Dtouch=true reads every line of the
// rows first (tried, slower). docs/training.md, fourteenth session:
//   java -Xmx1g [-XX:+UseTransparentHugePages] docs/scripts/Gather.java
public class Gather {
    static float sink; static boolean touch = Boolean.getBoolean("touch");
    public static void main(String[] a) {
        int rows = 60000, k = 784, batch = 128;
        float[] data = new float[rows * k];
        Random r = new Random(1);
        for (int i = 0; i < data.length; i += 97) data[i] = r.nextFloat();
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) order[i] = i;
        for (int i = rows - 1; i > 0; i--) { int j = r.nextInt(i + 1); int t = order[i]; order[i] = order[j]; order[j] = t; }
        float[] x = new float[batch * k];
        for (int round = 0; round < 6; round++) {
            long total = 0; int n = 0;
            for (int b = 0; b + batch <= rows; b += batch) {
                long t0 = System.nanoTime();
                if (touch) { float s = 0; for (int i = 0; i < batch; i++) { int o = order[b + i] * k; for (int q = 0; q < k; q += 16) s += data[o + q]; } sink += s; }
                for (int i = 0; i < batch; i++) System.arraycopy(data, order[b + i] * k, x, i * k, k);
                total += System.nanoTime() - t0; n++;
            }
            System.out.printf("gather of %d rows: %.1f us a batch%n", batch, total / 1e3 / n);
        }
    }
}
