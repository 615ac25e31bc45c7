package dev.myelin.core.simd;

import com.sun.management.ThreadMXBean;
import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import jdk.incubator.vector.VectorShape;

/**
 * Every vector-kernel operation at every width on a few fixed, seeded shapes, each reduced to a hash of its
 * output bits, for {@link KernelDeterminismTest}. As a {@code main}, in a child JVM: {@code interpreted}
 * computes each case once (run it under {@code -Xint}: the Vector API's Java fallback, never C2);
 * {@code compiled} first warms every case up until one call of it allocates nothing (interpreted and C1
 * Vector API code boxes every vector, so 0 bytes means every vector method on its path is C2 code).
 *
 * <p>Inputs are chosen to reach every branch of the activations and of exp: rows of X scaled from 0.05 to
 * 20 and a few bias columns shifted by ±90 give pre-activations from |z| &lt; 0.5 (tanh's polynomial) to
 * far past sigmoid's underflow and exp's overflow; softmax rows spread from 1 to 120 so that some exp
 * results underflow. One shape also carries ±Inf and NaN. Shapes cross every tile edge: 7×33×17 (a 4-row
 * tile, 3 edge rows, masked columns at every width), 5×100×10, and 64×64×64 (full tiles only, every width).
 *
 * <p>Output: one line per case, {@code name TAB hash}. The hash reads {@code floatToIntBits}, so every NaN
 * counts the same (a NaN's payload is not a result).
 */
final class DeterminismProbe {

    static final int[] WIDTHS = {128, 256, 512};

    /** System property of a child: {@code blocked} probes {@link BlockedKernel}, anything else {@link VectorKernel}. */
    static final String KERNEL_PROPERTY = "probe.kernel";

    /** m, n, k. */
    static final int[][] SHAPES = {{7, 33, 17}, {5, 100, 10}, {64, 64, 64}};

    private DeterminismProbe() {
    }

    /** One operation on fixed inputs; {@link #run} can be repeated (it resets what it accumulates into). */
    interface Case {
        String name();

        void run();

        long hash();
    }

    /** Warm-up calls per case between two checks of whether it is compiled yet. */
    private static final int WARM_CALLS = 300;

    /**
     * {@code interpreted} or {@code compiled}, then the widths (bits) to run, then for {@code compiled} the
     * seconds of warm-up allowed. Prints one line per case, {@code name TAB hash}; in {@code compiled} mode
     * a case still not compiled when the time is up is printed as {@code name TAB not-compiled} instead.
     */
    public static void main(String[] args) {
        boolean compiled = args[0].equals("compiled");
        int[] widths = java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        long budget = TimeUnit.SECONDS.toNanos(compiled ? Long.parseLong(args[2]) : 0);
        // -Dprobe.kernel=blocked probes the packed engine (BlockedKernel) instead of VectorKernel
        boolean blocked = "blocked".equals(System.getProperty(KERNEL_PROPERTY));
        List<Case> cases = cases(widths, blocked ? BlockedKernel::new : VectorKernel::new);
        List<String> hashes = new ArrayList<>();
        if (compiled) {
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            threads.setThreadAllocatedMemoryEnabled(true);
            String[] found = new String[cases.size()];
            long start = System.nanoTime();
            for (boolean pending = true; pending && System.nanoTime() - start < budget; ) {
                pending = false;
                for (int t = 0; t < cases.size(); t++) {
                    if (found[t] == null) {
                        Case c = cases.get(t);
                        if (!widthIsNative(c)) {
                            found[t] = Long.toHexString(warmedWithoutIntrinsics(c));
                            continue;
                        }
                        for (int i = 0; i < WARM_CALLS; i++) {
                            c.run();
                        }
                        long before = threads.getCurrentThreadAllocatedBytes();
                        c.run();
                        if (threads.getCurrentThreadAllocatedBytes() == before) {
                            found[t] = Long.toHexString(c.hash());
                        } else {
                            pending = true;
                        }
                    }
                }
            }
            for (String h : found) {
                hashes.add(h == null ? "not-compiled" : h);
            }
        } else {
            for (Case c : cases) {
                c.run();
                hashes.add(Long.toHexString(c.hash()));
            }
        }
        StringBuilder out = new StringBuilder();
        for (int t = 0; t < cases.size(); t++) {
            out.append(cases.get(t).name()).append('\t').append(hashes.get(t)).append('\n');
        }
        System.out.print(out);
        System.out.flush();
    }

    /**
     * Whether the case's width is one the CPU has ({@code MaxVectorSize}): only then does C2 turn its vectors
     * into SIMD registers, and only then can a call allocate nothing. A wider one (512 bits on an AVX2
     * machine) runs the Vector API's Java fallback even in C2-compiled code, boxing every vector for good.
     */
    private static boolean widthIsNative(Case c) {
        return Integer.parseInt(c.name().substring(0, c.name().indexOf('-')))
                <= VectorShape.preferredShape().vectorBitSize();
    }

    /**
     * The hash of a case of a width the CPU lacks, after {@link #FALLBACK_CALLS} calls (about what C2 needs to
     * compile the fallback's lambdas): its bits are compared like the others', but "compiled" cannot be told
     * from the allocation here, so the warm-up is a fixed count, not a condition.
     */
    private static long warmedWithoutIntrinsics(Case c) {
        for (int i = 0; i < FALLBACK_CALLS; i++) {
            c.run();
        }
        return c.hash();
    }

    /** Warm-up calls of a case whose width the CPU lacks ({@link #warmedWithoutIntrinsics}). */
    private static final int FALLBACK_CALLS = 200;

    /** Every case at the given widths, with the kernel for each width from {@code kernelOfWidth}. */
    static List<Case> cases(int[] widths, IntFunction<DenseKernel> kernelOfWidth) {
        List<Case> cases = new ArrayList<>();
        for (int bits : widths) {
            DenseKernel kernel = kernelOfWidth.apply(bits);
            for (int[] s : SHAPES) {
                addCases(cases, kernel, bits, s[0], s[1], s[2]);
            }
        }
        return cases;
    }

    private static void addCases(List<Case> cases, DenseKernel kr, int bits, int m, int n, int k) {
        String shape = bits + "-bit " + m + "x" + n + "x" + k + " ";
        Random r = new Random(1_000_003L * m + 1_009L * n + k);
        boolean specials = m == 5;

        // forward: X row i scaled by 0.05, 0.5, 3 or 20; every 5th bias column shifted by ±90
        float[] x = uniform(r, m * k, -1, 1);
        float[] rowScale = {0.05f, 0.5f, 3f, 20f};
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                x[i * k + p] *= rowScale[i % 4];
            }
        }
        float[] w = uniform(r, k * n, -1, 1);
        float[] b = uniform(r, n, -1, 1);
        for (int j = 0; j < n; j += 5) {
            b[j] += j % 10 == 0 ? 90 : -90;
        }
        if (specials) {
            x[k + 3] = Float.POSITIVE_INFINITY;
            x[3 * k] = Float.NEGATIVE_INFINITY;
            x[4 * k + 1] = Float.NaN;
        }
        for (Activation act : Activation.values()) {
            if (!act.isElementwise()) {
                continue;
            }
            float[] y = new float[m * n];
            cases.add(new Op(shape + "forward[" + act + "]", () ->
                    kr.forward(m, n, k, x, 0, k, w, 0, n, b, 0, act, y, 0, n), y));
        }

        // activationBackward: plausible outputs of each activation, db accumulated onto a fixed prior
        for (Activation act : Activation.values()) {
            if (!act.isElementwise()) {
                continue;
            }
            float[] y = uniform(r, m * n, act == Activation.TANH ? -1 : 0, 1);
            float[] dy = uniform(r, m * n, -1, 1);
            float[] dz = new float[m * n];
            float[] db0 = uniform(r, n, -1, 1), db = db0.clone();
            cases.add(new Op(shape + "activationBackward[" + act + "]", () -> {
                System.arraycopy(db0, 0, db, 0, n);
                kr.activationBackward(m, n, act, y, 0, n, dy, 0, n, dz, 0, n, db, 0, true);
            }, dz, db));
        }

        float[] dz = uniform(r, m * n, -1, 1);
        float[] dw0 = uniform(r, k * n, -1, 1), dw = dw0.clone();
        cases.add(new Op(shape + "weightGradient", () -> {
            System.arraycopy(dw0, 0, dw, 0, dw.length);
            kr.weightGradient(m, n, k, x, 0, k, dz, 0, n, dw, 0, n, true);
        }, dw));

        float[] dx = new float[m * k];
        cases.add(new Op(shape + "inputGradient", () ->
                kr.inputGradient(m, n, k, dz, 0, n, w, 0, n, dx, 0, k), dx));

        float[] yHead = uniform(r, m * n, 0, 1), t = uniform(r, m * n, 0, 1);
        int[] labels = new int[m];
        for (int i = 0; i < m; i++) {
            labels[i] = r.nextInt(n);
        }
        float[] dzHead = new float[m * n], dbHead = new float[n];
        cases.add(new Op(shape + "outputMinusTarget", () ->
                kr.outputMinusTarget(m, n, yHead, 0, n, t, 0, n, 1f / m, dzHead, 0, n, dbHead, 0, false),
                dzHead, dbHead));
        float[] dzSoft = new float[m * n], dbSoft0 = uniform(r, n, -1, 1), dbSoft = dbSoft0.clone();
        cases.add(new Op(shape + "softmaxCrossEntropyBackward", () -> {
            System.arraycopy(dbSoft0, 0, dbSoft, 0, n);
            kr.softmaxCrossEntropyBackward(m, n, yHead, 0, n, labels, 0, 1f / m, dzSoft, 0, n, dbSoft, 0, true);
        }, dzSoft, dbSoft));

        // softmaxRows in place, so each run starts from a copy of z0; row spreads 1, 10, 40, 120
        float[] z0 = uniform(r, m * n, -0.5f, 0.5f);
        float[] spread = {1, 10, 40, 120};
        for (int i = 0; i < m; i++) {
            float shift = 200 * r.nextFloat() - 100;
            for (int j = 0; j < n; j++) {
                z0[i * n + j] = z0[i * n + j] * spread[i % 4] + shift;
            }
        }
        if (specials) {
            z0[n + 2] = Float.NEGATIVE_INFINITY;
            z0[2 * n + 5] = Float.NaN;
        }
        float[] z = new float[m * n];
        cases.add(new Op(shape + "softmaxRows", () -> {
            System.arraycopy(z0, 0, z, 0, z.length);
            kr.softmaxRows(m, n, z, 0, n);
        }, z));
    }

    private static float[] uniform(Random r, int size, float lo, float hi) {
        float[] a = new float[size];
        for (int t = 0; t < size; t++) {
            a[t] = lo + (hi - lo) * r.nextFloat();
        }
        return a;
    }

    /** A case: the call and the arrays whose bits it produces. */
    private record Op(String name, Runnable call, float[]... outputs) implements Case {

        @Override
        public void run() {
            call.run();
        }

        /** FNV-1a over the outputs' {@code floatToIntBits}, one int at a time. */
        @Override
        public long hash() {
            long h = 0xcbf29ce484222325L;
            for (float[] a : outputs) {
                for (float v : a) {
                    h = (h ^ Float.floatToIntBits(v)) * 0x100000001b3L;
                }
            }
            return h;
        }
    }
}
