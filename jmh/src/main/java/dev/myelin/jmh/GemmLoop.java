package dev.myelin.jmh;

import dev.myelin.core.Blas;
import dev.myelin.core.Transpose;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A quick A/B harness beside JMH: the products of one MNIST-sized layer step, all the size of 128×784×256 (the forward, the weight gradient, the input gradient and their variants), timed
 * in one JVM, interleaved round by round, so that two builds of the engine (two class paths) can be compared shape
 * by shape within minutes on a noisy host. JMH ({@code ForwardBenchmark}, {@code ProductBenchmark}) stays the
 * reference for published figures; this loop is what docs/kernels.md quotes for the loop-order and edge-kernel
 * trials.
 *
 * <p>Run: {@code java --add-modules=jdk.incubator.vector -cp jmh/target/benchmarks.jar dev.myelin.jmh.GemmLoop
 * [VARIANT [ROUNDS]]} (default {@code blocked 20}): 15 s of warm-up over every shape, then ROUNDS rounds of 200
 * calls of each shape; prints the median and quartiles of the per-call time of each shape, µs.
 */
public final class GemmLoop {

    private static final int CALLS_PER_ROUND = 200;
    private static final long WARM_UP_NANOS = 15_000_000_000L;

    private GemmLoop() {
    }

    public static void main(String[] args) {
        Blas blas = Blas.of(args.length > 0 ? args[0] : "blocked");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Random random = new Random(1);
        float[] x = LayerShape.fill(random, 1024 * 1024, 0.5f);
        float[] xt = LayerShape.fill(random, 1024 * 1024, 0.5f);
        float[] w = LayerShape.fill(random, 1024 * 1024, 0.5f);
        float[] c = new float[1024 * 1024];
        Transpose no = Transpose.NO_TRANS;
        Transpose t = Transpose.TRANS;
        Map<String, Runnable> calls = new LinkedHashMap<>();
        calls.put("NN 128x784x256 (forward)",
                () -> blas.sgemm(no, no, 128, 256, 784, 1f, x, 0, 784, w, 0, 256, 0f, c, 0, 256));
        calls.put("TN 128x784x256 (A stored 784x128)",
                () -> blas.sgemm(t, no, 128, 256, 784, 1f, xt, 0, 128, w, 0, 256, 0f, c, 0, 256));
        calls.put("TN 784x128x256 (weight gradient)",
                () -> blas.sgemm(t, no, 784, 256, 128, 1f, x, 0, 784, w, 0, 256, 0f, c, 0, 256));
        calls.put("NT 128x256x784 (input gradient, W 784x256)",
                () -> blas.sgemm(no, t, 128, 784, 256, 1f, x, 0, 256, w, 0, 256, 0f, c, 0, 784));
        calls.put("NN 784x128x256",
                () -> blas.sgemm(no, no, 784, 256, 128, 1f, x, 0, 128, w, 0, 256, 0f, c, 0, 256));
        calls.put("NN 132x784x256 (22 full row tiles)",
                () -> blas.sgemm(no, no, 132, 256, 784, 1f, x, 0, 784, w, 0, 256, 0f, c, 0, 256));
        calls.put("NN 128x196x256 x4 (one k block each)", () -> {
            for (int i = 0; i < 4; i++) {
                blas.sgemm(no, no, 128, 256, 196, 1f, x, 0, 196, w, 0, 256, 0f, c, 0, 256);
            }
        });
        long end = System.nanoTime() + WARM_UP_NANOS;
        while (System.nanoTime() < end) {
            for (Runnable call : calls.values()) {
                for (int i = 0; i < 20; i++) {
                    call.run();
                }
            }
        }
        Map<String, List<Double>> micros = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (Map.Entry<String, Runnable> e : calls.entrySet()) {
                long t0 = System.nanoTime();
                for (int i = 0; i < CALLS_PER_ROUND; i++) {
                    e.getValue().run();
                }
                micros.computeIfAbsent(e.getKey(), key -> new ArrayList<>())
                        .add((System.nanoTime() - t0) / 1e3 / CALLS_PER_ROUND);
            }
        }
        for (Map.Entry<String, List<Double>> e : micros.entrySet()) {
            List<Double> v = e.getValue();
            Collections.sort(v);
            System.out.printf("%-40s median %8.1f µs  quartiles %8.1f %8.1f%n", e.getKey(), v.get(v.size() / 2),
                    v.get(v.size() / 4), v.get(3 * v.size() / 4));
        }
    }
}
