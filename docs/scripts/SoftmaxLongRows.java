import dev.myelin.core.*;
import java.util.*;
// Softmax of one long row (n = 10 … 10⁶ logits, N(0, 3²), seed 4) against float64: the largest relative error of a
// probability in units of float epsilon, and the sum of the row minus 1, for every kernel. docs/kernels.md quotes it.
// Run: java --add-modules=jdk.incubator.vector -cp cli/target/myelin.jar docs/scripts/SoftmaxLongRows.java
// PyTorch's float32 softmax on rows of the same sizes, for comparison:
// python3 -c "import torch; g = torch.Generator().manual_seed(4)
// for n in [1000, 100000, 1000000]:
//     z = torch.randn(n, generator=g) * 3; p = torch.softmax(z, 0).double(); ref = torch.softmax(z.double(), 0)
//     print(n, float(((p - ref).abs() / ref).max()) / 2**-23)"
public class SoftmaxLongRows {
    public static void main(String[] a) {
        Random r = new Random(4);
        for (int n : new int[]{10, 1000, 100000, 1000000}) {
            float[] z0 = new float[n];
            for (int i = 0; i < n; i++) z0[i] = (float) (r.nextGaussian() * 3);
            double mx = -1e300; for (float v : z0) mx = Math.max(mx, v);
            double s = 0; for (float v : z0) s += Math.exp(v - mx);
            StringBuilder sb = new StringBuilder("n=" + n);
            for (String kn : new String[]{"scalar", "vector", "blocked", "parallel"}) {
                float[] z = z0.clone();
                DenseOps.of(kn).softmaxRows(1, n, z, 0, n);
                double worst = 0, sum = 0;
                for (int i = 0; i < n; i++) { double ref = Math.exp(z0[i] - mx) / s; worst = Math.max(worst, Math.abs(z[i] - ref) / ref); sum += z[i]; }
                sb.append(String.format("  %s maxrel/eps=%.1f sum-1=%.2e", kn, worst / Math.ulp(1f), sum - 1));
            }
            System.out.println(sb);
        }
    }
}
