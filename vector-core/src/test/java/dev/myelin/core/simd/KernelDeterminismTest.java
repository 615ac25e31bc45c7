package dev.myelin.core.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.myelin.core.DenseKernel;
import dev.myelin.core.dispatch.LoopOrder;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The vector kernel gives the same bits whether its code runs in the interpreter (the Vector API's Java
 * fallback, lane by lane) or compiled by C2 (SIMD instructions): training is reproducible for a seed only
 * if results do not depend on when the JIT got to a method. For every case of {@link DeterminismProbe}
 * (every operation and activation, every width, three shapes with tails), the C2 result — from a child JVM
 * per width, run with C2 only ({@link #C2_ONLY}), that warms each case up until it allocates nothing — must
 * equal, bit for bit:
 * <ol>
 * <li>the result in a child JVM under {@code -Xint}, which never compiles anything;</li>
 * <li>the first call, in this JVM, of a fresh hidden copy of {@code FloatKernels} per width (defined here,
 *     so no other test has warmed it: its methods start in the interpreter).</li>
 * </ol>
 * The compiled results come from JVMs of their own, one width each, because a case is only compared once
 * it is known to run as C2 code, and that does not always happen where several widths share a JVM: in this
 * one (after the conformance tests) and in a fresh JVM running all three widths, some widths' kernels stayed
 * in boxing code for good, 30–60 s into the warm-up — with the kernels before and after the determinism fix
 * alike. One width per JVM compiled every case within about 3 s.
 *
 * <p>A width the CPU lacks (512 bits on an AVX2 machine: {@code MaxVectorSize} 32) never becomes SIMD code, so
 * its calls allocate in every tier and "compiled" cannot be told from the allocation; its child compares the
 * bits after a fixed warm-up of 200 calls per case instead (DeterminismProbe#warmedWithoutIntrinsics). Before
 * that rule, both tests failed on such a machine after waiting out the whole warm-up budget.
 *
 * <p>Before the fix, 64 of the 117 × 2 comparisons failed: {@code lanewise(EXP)} and {@code lanewise(TANH)}
 * (C2 calls a SIMD math library, the fallback {@code Math.exp}/{@code Math.tanh}) and
 * {@code reduceLanes(ADD)} (C2 sums lanes in another order).
 */
class KernelDeterminismTest {

    /**
     * Seconds a compiled child may spend warming up before it gives up on the cases still allocating. A child
     * stops as soon as every case runs as C2 code (3.0–5.2 s with C2 only, even with the other core busy), so
     * the budget costs nothing when things go well. When it does not, waiting is the wrong remedy (see {@link
     * #ATTEMPTS}): a case left in boxing code stays there, and 60 s here once made a CI run a minute longer
     * (128-bit {@code softmaxRows}, passed by the next child); so the budget is four times the slowest
     * compile seen, and a stuck case goes to a fresh JVM sooner.
     */
    private static final int WARM_SECONDS = 20;

    /**
     * Compiled children per width at most: the cases a child left allocating are taken from the next one. Which
     * code C2 makes of a method differs from JVM to JVM, and once (2026-12-03, the other core busy, C2 only) the
     * blocked engine's 256-bit {@code softmaxRows} kept allocating in all three shapes for the whole 150 s budget
     * of a single child, while every other run compiled it in seconds: a fresh JVM is a fresh C2 outcome, and
     * waiting longer in the same one is not. What is compared is unchanged: C2's code against the interpreter's.
     */
    private static final int ATTEMPTS = 5;

    /**
     * The compiled children run without C1 (interpreter, then C2), so that no C1 compile stands between a case
     * and C2: C1's profiled compiles of some kernels fail (at 128 bits {@code FixedOrderDot.dot1x1}: "out of
     * virtual registers in LIR generator", seen on a Zen 5 with AVX-512), such a method then runs C1's
     * unprofiled code, and when C2 takes it over depends on the run. Once, with the other core kept busy, the
     * engine's 128-bit {@code 64x64x64 inputGradient} case was still not C2-compiled after the then 150 s budget
     * (2026-12-03). With C2 only, each width's child compiled every case in 3.0–5.2 s under the same load,
     * against about 7 s tiered, and gave the same hashes. What is compared is unchanged: C2's code against the
     * interpreter's.
     */
    private static final String C2_ONLY = "-XX:-TieredCompilation";

    @Test
    void interpretedAndCompiledKernelsGiveTheSameBits() throws Exception {
        String all = allWidths();
        Child interpreted = new Child(List.of("-Xint"), "interpreted", all);

        Map<String, Long> firstCall = new LinkedHashMap<>();
        for (DeterminismProbe.Case c : DeterminismProbe.cases(DeterminismProbe.WIDTHS,
                KernelDeterminismTest::freshCopy)) {
            c.run();
            firstCall.put(c.name(), c.hash());
        }

        Map<String, String> c2 = new LinkedHashMap<>();
        for (int bits : DeterminismProbe.WIDTHS) { // one after another, while the -Xint child runs
            c2.putAll(compiledHashes(List.of(C2_ONLY), bits));
        }
        Map<String, String> xint = interpreted.hashes();
        assertEquals(firstCall.keySet(), xint.keySet(), "the -Xint child ran other cases");
        assertEquals(firstCall.keySet(), c2.keySet(), "the compiled child ran other cases");
        List<String> notCompiled = new ArrayList<>();
        c2.forEach((name, hash) -> {
            if (hash.equals("not-compiled")) {
                notCompiled.add(name);
            }
        });
        assertTrue(notCompiled.isEmpty(), "still not compiled by C2 (allocating) after " + WARM_SECONDS
                + " s of warm-up in each of " + ATTEMPTS + " compiled children: " + notCompiled);

        List<String> differ = new ArrayList<>();
        for (String name : c2.keySet()) {
            String hash = c2.get(name);
            if (!xint.get(name).equals(hash)) {
                differ.add(name + ": -Xint " + xint.get(name) + ", C2 " + hash);
            }
            if (!Long.toHexString(firstCall.get(name)).equals(hash)) {
                differ.add(name + ": first (interpreted) call of a fresh copy " + Long.toHexString(firstCall.get(name))
                        + ", C2 " + hash);
            }
        }
        if (!differ.isEmpty()) {
            fail(differ.size() + " comparisons of output bits differ between interpreted and C2-compiled vector"
                    + " kernels:\n  " + String.join("\n  ", differ));
        }
    }

    /**
     * The same for the packed engine ({@code blocked}, and so {@code parallel}, which runs the same code per
     * slice): every case of {@link DeterminismProbe} through {@link BlockedKernel}, interpreted ({@code -Xint})
     * against C2-compiled. Its shapes reach the engine's edge tiles, narrow panels, in-place and packed B and
     * every activation; the probe's inputs reach every branch of exp.
     */
    @Test
    void interpretedAndCompiledEngineGiveTheSameBits() throws Exception {
        String blocked = "-D" + DeterminismProbe.KERNEL_PROPERTY + "=blocked";
        String all = allWidths();
        Child interpreted = new Child(List.of("-Xint", blocked), "interpreted", all);
        Map<String, String> c2 = new LinkedHashMap<>();
        for (int bits : DeterminismProbe.WIDTHS) {
            c2.putAll(compiledHashes(List.of(C2_ONLY, blocked), bits));
        }
        Map<String, String> xint = interpreted.hashes();
        assertEquals(xint.keySet(), c2.keySet(), "the children ran different cases");
        assertTrue(xint.size() >= 3 * DeterminismProbe.SHAPES.length, "too few cases: " + xint.keySet());
        List<String> differ = new ArrayList<>();
        c2.forEach((name, hash) -> {
            if (hash.equals("not-compiled")) {
                differ.add(name + ": still allocating (not C2-compiled) after " + WARM_SECONDS + " s in each of "
                        + ATTEMPTS + " children");
            } else if (!xint.get(name).equals(hash)) {
                differ.add(name + ": -Xint " + xint.get(name) + ", C2 " + hash);
            }
        });
        if (!differ.isEmpty()) {
            fail(differ.size() + " cases of the blocked engine differ between interpreted and C2-compiled code:\n  "
                    + String.join("\n  ", differ));
        }
    }

    /**
     * The packed engine's two loop orders ({@link LoopOrder}: rows of A outside, the default on AMD, or panels of B
     * outside, the default on Intel) give the same bits: every case of {@link DeterminismProbe} through
     * {@link BlockedKernel} at every width, in a child JVM per order (each case run once, as it comes).
     */
    @Test
    void bothLoopOrdersGiveTheSameBits() throws Exception {
        String blocked = "-D" + DeterminismProbe.KERNEL_PROPERTY + "=blocked";
        String all = allWidths();
        Map<String, String> rows = new Child(List.of(blocked, "-D" + LoopOrder.PROPERTY + "=rows"), "interpreted",
                all).hashes();
        Map<String, String> panels = new Child(List.of(blocked, "-D" + LoopOrder.PROPERTY + "=panels"),
                "interpreted", all).hashes();
        assertTrue(rows.size() >= 3 * DeterminismProbe.SHAPES.length, "too few cases: " + rows.keySet());
        assertEquals(rows, panels);
    }

    /** Every width of the probe, as its command line takes them: "128,256,512". */
    private static String allWidths() {
        StringBuilder all = new StringBuilder();
        for (int bits : DeterminismProbe.WIDTHS) {
            all.append(all.isEmpty() ? "" : ",").append(bits);
        }
        return all.toString();
    }

    /**
     * The C2 hashes of every case at {@code bits}, by case name: from a compiled child, and for the cases it
     * left allocating ("not-compiled") from the next, {@link #ATTEMPTS} at most.
     */
    private static Map<String, String> compiledHashes(List<String> flags, int bits) throws Exception {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Map<String, String> child = new Child(flags, "compiled", String.valueOf(bits),
                    String.valueOf(WARM_SECONDS)).hashes();
            child.forEach((name, hash) -> hashes.merge(name, hash,
                    (had, now) -> had.equals("not-compiled") ? now : had));
            if (!hashes.containsValue("not-compiled")) {
                break;
            }
            List<String> pending = hashes.entrySet().stream().filter(e -> e.getValue().equals("not-compiled"))
                    .map(Map.Entry::getKey).toList();
            System.err.println("KernelDeterminismTest: " + pending.size() + " case(s) still allocating after "
                    + WARM_SECONDS + " s in compiled child " + (attempt + 1) + " of " + ATTEMPTS + " " + flags + ": "
                    + pending); // for the record: which methods C2 left behind, and how often
        }
        return hashes;
    }

    /**
     * {@link DeterminismProbe#main} in a new JVM: this JVM's java and class path, the module, {@code flags}.
     * Its output goes to a file of its own, read only after the child has exited: no reader thread, so
     * nothing here waits on a shared pool (with a blocking reader per child on the common ForkJoinPool,
     * whose parallelism is one on a 2-core machine, the second child's reader queued behind the first's).
     */
    private static final class Child {

        private final Process process;
        private final Path output;

        Child(List<String> flags, String... args) throws IOException {
            String java = ProcessHandle.current().info().command().orElse(
                    System.getProperty("java.home") + "/bin/java");
            List<String> command = new ArrayList<>(List.of(java));
            command.addAll(flags);
            command.addAll(List.of("--add-modules=jdk.incubator.vector", "-Xshare:auto", "-cp",
                    System.getProperty("java.class.path"), DeterminismProbe.class.getName()));
            command.addAll(List.of(args));
            output = Files.createTempFile("myelin-determinism-", ".out");
            output.toFile().deleteOnExit();
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(output.toFile())).start();
        }

        /** Waits for the child and returns its hashes by case name (as hex, or "not-compiled"). */
        Map<String, String> hashes() throws Exception {
            boolean finished = process.waitFor(WARM_SECONDS + 240, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor();
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            Files.deleteIfExists(output);
            assertTrue(finished, "a child JVM did not finish in time; its output so far:\n" + text);
            assertEquals(0, process.exitValue(), "a child JVM failed:\n" + text);
            Map<String, String> hashes = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                int tab = line.lastIndexOf('\t');
                if (tab > 0) {
                    hashes.put(line.substring(0, tab), line.substring(tab + 1).trim());
                }
            }
            return hashes;
        }
    }

    /** A new hidden copy of {@link FloatKernels} for {@code bits}, as {@link VectorKernel} makes them. */
    private static DenseKernel freshCopy(int bits) {
        try (InputStream in = FloatKernels.class.getResourceAsStream("FloatKernels.class")) {
            Class<?> copy = MethodHandles.lookup().defineHiddenClassWithClassData(in.readAllBytes(), bits, true)
                    .lookupClass();
            return (DenseKernel) copy.getDeclaredConstructor().newInstance();
        } catch (IOException | ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
