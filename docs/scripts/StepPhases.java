import dev.myelin.core.*;
import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.nn.*;
import java.util.*;

// Per-operation time of a training step (SyntheticSteps: 784-256-128-10, batch 128, sigmoid, CE), through a timing
// wrapper (so the SGD update runs unfused: the wrapper is not a GemmKernel); rounds 6-8 of 400 steps printed.
// docs/kernels.md, fourteenth session. -Dact1=true sends the dZ pass to a one-thread kernel.
//   java --add-modules=jdk.incubator.vector -XX:+UseSerialGC -cp cli/target/myelin.jar docs/scripts/StepPhases.java THREADS
public class StepPhases {
    static final Map<String, long[]> T = new TreeMap<>();
    static void add(String key, long ns) { T.computeIfAbsent(key, x -> new long[2]); long[] v = T.get(key); v[0] += ns; v[1]++; }
    static final class Timed extends ForwardingKernel {
        final DenseKernel single = Boolean.getBoolean("act1") ? KernelRegistry.withThreads("blocked", 1) : null;
        Timed(DenseKernel d) { super(d); }
        public String name() { return "timed"; }
        public void forward(int m, int n, int k, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw, float[] b, int bOff, Activation act, float[] y, int yOff, int ldy) {
            long t = System.nanoTime(); super.forward(m, n, k, x, xOff, ldx, w, wOff, ldw, b, bOff, act, y, yOff, ldy); add("fwd " + m + "x" + k + "x" + n, System.nanoTime() - t); }
        public void activationBackward(int m, int n, Activation act, float[] y, int yOff, int ldy, float[] dy, int dyOff, int lddy, float[] dz, int dzOff, int lddz, float[] db, int dbOff, boolean acc) {
            long t = System.nanoTime(); if (single != null) single.activationBackward(m, n, act, y, yOff, ldy, dy, dyOff, lddy, dz, dzOff, lddz, db, dbOff, acc); else super.activationBackward(m, n, act, y, yOff, ldy, dy, dyOff, lddy, dz, dzOff, lddz, db, dbOff, acc); add("actBwd " + m + "x" + n, System.nanoTime() - t); }
        public void weightGradient(int m, int n, int k, float[] x, int xOff, int ldx, float[] dz, int dzOff, int lddz, float[] dw, int dwOff, int lddw, boolean acc) {
            long t = System.nanoTime(); super.weightGradient(m, n, k, x, xOff, ldx, dz, dzOff, lddz, dw, dwOff, lddw, acc); add("dW " + m + "x" + k + "x" + n, System.nanoTime() - t); }
        public void inputGradient(int m, int n, int k, float[] dz, int dzOff, int lddz, float[] w, int wOff, int ldw, float[] dx, int dxOff, int lddx) {
            long t = System.nanoTime(); super.inputGradient(m, n, k, dz, dzOff, lddz, w, wOff, ldw, dx, dxOff, lddx); add("dX " + m + "x" + k + "x" + n, System.nanoTime() - t); }
        public void softmaxRows(int m, int n, float[] z, int zOff, int ldz) {
            long t = System.nanoTime(); super.softmaxRows(m, n, z, zOff, ldz); add("softmax", System.nanoTime() - t); }
        public void softmaxCrossEntropyBackward(int m, int n, float[] p, int pOff, int ldp, int[] labels, int labelsOff, float scale, float[] dz, int dzOff, int lddz, float[] db, int dbOff, boolean acc) {
            long t = System.nanoTime(); super.softmaxCrossEntropyBackward(m, n, p, pOff, ldp, labels, labelsOff, scale, dz, dzOff, lddz, db, dbOff, acc); add("ceBwd", System.nanoTime() - t); }
        public void parallelFor(int n, int grain, IndexRange body) {
            long t = System.nanoTime(); super.parallelFor(n, grain, body); add("parallelFor " + n, System.nanoTime() - t); }
    }
    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        SyntheticSteps steps = new SyntheticSteps(DenseOps.of(new Timed(KernelRegistry.withThreads("parallel", threads))));
        for (int round = 0; round < 8; round++) {
            T.clear();
            long total = steps.round();
            if (round < 5) continue;
            long sum = 0;
            int n = SyntheticSteps.STEPS;
            StringBuilder sb = new StringBuilder();
            for (var e : T.entrySet()) { sum += e.getValue()[0]; sb.append(String.format("  %-22s %8.1f us/step (%d calls)%n", e.getKey(), e.getValue()[0] / 1e3 / n, e.getValue()[1] / n)); }
            System.out.printf("threads %d round %d: step %.1f us, ops %.1f, other %.1f%n%s", threads, round, total / 1e3 / n, sum / 1e3 / n, (total - sum) / 1e3 / n, sb);
        }
    }
}
