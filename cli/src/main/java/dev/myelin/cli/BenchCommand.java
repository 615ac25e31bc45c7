package dev.myelin.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.Named;
import dev.myelin.core.ProductShape;
import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.core.dispatch.KernelUnavailableException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code myelin bench}: times the kernel variants against each other in this JVM, after checking that each one
 * computes what the scalar kernel computes. A quick comparison for users without a JMH run, not a replacement
 * for one.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = {
                "Time the kernel variants on dense-layer shapes and compare them: microseconds per call, GFLOP/s,"
                        + " and each one's time over the fastest's.",
                "forward is Y = act(X·W + b) (2·m·k·n flops); backward is the layer's backward pass given Y and"
                        + " dY: dZ = dY ⊙ act'(Y) with db, dW = Xᵀ·dZ and dX = dZ·Wᵀ (4·m·k·n flops, the two"
                        + " products).",
                "Correctness first: before anything is timed, every variant's outputs (Y; dZ, db, dW, dX) are"
                        + " compared elementwise with the scalar kernel's on the same seeded inputs, within the"
                        + " rounding-error bound of vector-core's conformance tests; one stderr line per check."
                        + " Shapes over 2·10⁹ flops are checked on their first 64 rows. If a variant disagrees,"
                        + " every disagreement is reported and the command exits 1 without timing anything. The"
                        + " same checks run again after each (op, shape) is timed, before its rows are printed, on"
                        + " the code that was timed (the first ones ran before the JIT compiled it) and on the timed"
                        + " arrays given new values (a variant that keeps results by array identity is stale there);"
                        + " a disagreement then also exits 1, its figures not shown.",
                "The variants of each (op, shape) are warmed up in turns, --warmup-ms each, then timed in turns:"
                        + " 5 rounds in which every variant runs for a fifth of --measure-ms (at least one call);"
                        + " the median round of each is reported, and in the table its rounds' spread (half their"
                        + " range over the median). When a variant's calls are so slow that five rounds would"
                        + " overrun the shape's budget (--measure-ms for each variant), every variant of that shape"
                        + " gets fewer rounds: the table then shows their number, ±1.5%%(3), or none(1) for a single"
                        + " round, which has no spread."
                        + " Interleaved, so no variant pays for being first."},
        footer = {"%nExamples:",
                "  myelin bench",
                "  myelin bench --shapes 1024x1024x1024,128x784x256 --kernels all --threads 2",
                "  myelin bench --kernels vector,blocked --op forward --format json > bench.json"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a variant disagrees with the scalar kernel (a bug), or another internal error",
                "2:user error (bad option or value)"})
final class BenchCommand implements Callable<Integer> {

    static final String DEFAULT_SHAPES = "128x784x256,128x128x10";

    /** Timed rounds per (op, shape, kernel); the median is reported. */
    static final int ROUNDS = 5;
    /** The longest turn of one variant in the interleaved warm-up. */
    static final long WARM_UP_TURN_NANOS = 100_000_000L;

    /** Above this many flops of an op, the check runs on the first {@link #CHECK_ROWS} rows only. */
    static final double FULL_CHECK_FLOPS = 2e9;

    static final int CHECK_ROWS = 64;

    @Spec
    CommandSpec spec;

    @Option(names = "--shapes", paramLabel = "MxKxN[,...]", defaultValue = DEFAULT_SHAPES,
            description = {"Comma-separated shapes m×k×n: X is m×k, W is k×n, Y is m×n ('x' or '×' between the"
                    + " sizes; default: ${DEFAULT-VALUE})."})
    String shapes;

    @Option(names = "--kernels", paramLabel = "all|NAME[,...]", defaultValue = "all",
            description = {"The variants to time: all (every one available, see myelin info) or a comma"
                    + " list such as vector,blocked (default: ${DEFAULT-VALUE})."})
    String kernels;

    @Option(names = "--threads", paramLabel = "N",
            description = {"Threads of the parallel kernel; the other variants run on one and report 1."
                    + " Default: every available processor, or -D" + KernelRegistry.THREADS_PROPERTY + "."
                    + " " + Kernels.THREADS_BOUND})
    Integer threads;

    @Option(names = "--op", paramLabel = "forward|backward|both", defaultValue = "both",
            converter = Converters.BenchOpsConverter.class,
            description = "What to time; both gives a forward and a backward row (default: ${DEFAULT-VALUE}).")
    Ops ops;

    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "sigmoid",
            converter = Converters.ActivationConverter.class,
            description = "act: identity, sigmoid, tanh or relu (default: ${DEFAULT-VALUE}).")
    Activation activation;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
            converter = Converters.BenchFormatConverter.class,
            description = {"table: one line per (op, shape, kernel); json: an array of objects"
                    + " {\"op\",\"kernel\",\"m\",\"k\",\"n\",\"threads\",\"micros\",\"gflops\"} and nothing else on"
                    + " stdout (default: ${DEFAULT-VALUE})."})
    Format format;

    /** The longest --warmup-ms and --measure-ms: an hour. */
    private static final long MAX_MS = 3_600_000;

    @Option(names = "--warmup-ms", paramLabel = "MS", defaultValue = "1000",
            description = {"Warm-up time per (op, shape, kernel), so that the JIT has compiled the kernel before"
                    + " it is timed (the Vector API needs seconds; default: ${DEFAULT-VALUE})."})
    long warmupMs;

    @Option(names = "--measure-ms", paramLabel = "MS", defaultValue = "1000",
            description = "Timed time per (op, shape, kernel), in 5 rounds (default: ${DEFAULT-VALUE}).")
    long measureMs;

    /** {@code --op}. */
    enum Ops implements Named {
        FORWARD("forward"), BACKWARD("backward"), BOTH("both");

        private final String id;

        Ops(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        static Ops parse(String s) {
            return Named.parse(Ops.class, "op", s);
        }

        List<Op> list() {
            return switch (this) {
                case FORWARD -> List.of(Op.FORWARD);
                case BACKWARD -> List.of(Op.BACKWARD);
                case BOTH -> List.of(Op.FORWARD, Op.BACKWARD);
            };
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** One timed operation. */
    enum Op {
        FORWARD("forward", 2), BACKWARD("backward", 4);

        final String id;
        /** Flops per m·k·n: the GEMMs only. */
        final int flopsPerMac;

        Op(String id, int flopsPerMac) {
            this.id = id;
            this.flopsPerMac = flopsPerMac;
        }

        double flops(ProductShape s) {
            return (double) flopsPerMac * s.m() * s.k() * s.n();
        }
    }

    /** {@code --format}. */
    enum Format implements Named {
        TABLE("table"), JSON("json");

        private final String id;

        Format(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        static Format parse(String s) {
            return Named.parse(Format.class, "format", s);
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** One timed (op, shape, kernel). */
    /**
     * One timed row; {@code spread} and {@code rounds} (how many were timed) are shown in the table only (the JSON
     * fields are a fixed contract).
     */
    record Result(Op op, ProductShape shape, String kernel, int threads, double micros, double gflops,
                  double spread, int rounds) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        // Every option is checked before anything runs.
        if (threads != null) {
            KernelRegistry.checkThreads(threads, "--threads");
        }
        // an hour a variant is more than any benchmark needs; past it a mistyped value would run for days
        require(warmupMs >= 0 && warmupMs <= MAX_MS, "--warmup-ms must be 0 to " + MAX_MS + " (an hour), got "
                + warmupMs);
        require(measureMs >= 1 && measureMs <= MAX_MS, "--measure-ms must be 1 to " + MAX_MS + " (an hour), got "
                + measureMs);
        List<ProductShape> shapeList = parseShapes(shapes);
        List<DenseKernel> kernelList = kernels(kernels, threads != null ? threads : KernelRegistry.defaultThreads(),
                note -> err.println(Main.PREFIX + note));
        require(!kernelList.isEmpty(), "--kernels all: no variant is available here (myelin info says why)");
        // said when no variant runs on the count, or one runs on several threads but not on it (a variant of one's own
        // over parallel, made with its own count); the table's column says each one's count
        if (threads != null && (kernelList.stream().noneMatch(k -> k.threads() == threads)
                || kernelList.stream().anyMatch(k -> k.threads() > 1 && k.threads() != threads))) {
            String others = otherThreadCounts(kernelList, threads);
            if (!others.isEmpty()) {
                err.println(Main.PREFIX + "note: --threads " + threads + " applies to parallel only: " + others);
                err.flush();
            }
        }
        if (warmupMs < 1000) {
            err.println(Main.PREFIX + "note: --warmup-ms " + warmupMs + " may time the JIT compiling the kernels"
                    + " (1000, the default, or more for figures to compare)");
            err.flush();
        }
        List<Op> opList = ops.list();

        // Correctness first: no timing unless every variant agrees with the scalar kernel everywhere.
        List<String> disagreements = checkAll(shapeList, opList, kernelList, activation, err, "");
        if (!disagreements.isEmpty()) {
            err.println(Main.PREFIX + disagreements.size() + " check" + (disagreements.size() == 1 ? "" : "s")
                    + " failed; nothing was timed. This is a bug in the kernel (in a built-in one: please report it).");
            err.flush();
            return 1;
        }

        // Timing.
        Table table = format == Format.TABLE ? new Table(out, shapeList, kernelList) : null;
        List<Result> results = new ArrayList<>();
        for (ProductShape shape : shapeList) {
            Operands o = Operands.create(shape, activation);
            for (Op op : opList) {
                err.println(Main.PREFIX + "timing " + op.id + " " + shape + ": " + kernelList.stream()
                        .map(DenseKernel::name)
                        .collect(Collectors.joining(", ")));
                err.flush();
                List<Runnable> calls = kernelList.stream().map(k -> o.call(k, op, activation)).toList();
                double[] spreads = new double[calls.size()];
                int[] taken = new int[1];
                double[] times = microsPerCall(calls, nanos(warmupMs), nanos(measureMs), spreads, taken); // interleaved
                List<Result> group = new ArrayList<>();
                for (int v = 0; v < kernelList.size(); v++) {
                    DenseKernel kernel = kernelList.get(v);
                    double micros = roundMicros(times[v]);
                    group.add(new Result(op, shape, kernel.name(), kernel.threads(), micros,
                            gflops(op.flops(shape), micros), spreads[v], taken[0]));
                }
                // Again before these figures are shown, on the code that was timed (the first checks ran before C2
                // had compiled the kernels) and on the very arrays it was timed on, given new values in place: a
                // variant wrong only once compiled, or one that keeps a result or a packed W by array identity
                // (right the first time, stale after an in-place update, as training makes), is caught here.
                o.refill();
                List<String> late = check(o, op, kernelList, activation, err, AFTER_TIMING);
                if (!late.isEmpty()) {
                    err.println(Main.PREFIX + late.size() + " check" + (late.size() == 1 ? "" : "s") + " failed after"
                            + " timing: the figures of that variant are of wrong results and are not shown. This is a"
                            + " bug in the kernel (in a built-in one: please report it).");
                    err.flush();
                    return 1;
                }
                results.addAll(group);
                if (table != null) {
                    table.print(group);
                }
            }
        }
        if (format == Format.JSON) {
            printJson(out, results);
        }
        out.flush();
        return 0;
    }

    /** What the checks after timing add to each line. */
    static final String AFTER_TIMING = " after timing";

    /**
     * Compares every variant with the scalar kernel on every (shape, op) ({@link #check}), on operands made for
     * the check; returns the disagreements.
     */
    static List<String> checkAll(List<ProductShape> shapes, List<Op> ops, List<DenseKernel> kernels, Activation act,
                                 PrintWriter err, String when) {
        List<String> disagreements = new ArrayList<>();
        for (ProductShape shape : shapes) {
            Operands o = Operands.create(shape, act);
            for (Op op : ops) {
                disagreements.addAll(check(o, op, kernels, act, err, when));
            }
        }
        return disagreements;
    }

    /**
     * Compares every variant with the scalar kernel on {@code op} over the operands {@code o}, one stderr line per
     * check, each disagreement as a {@code myelin:} line; returns the disagreements (without the prefix).
     * {@code when} follows the (op, shape) in every line: empty before timing, {@link #AFTER_TIMING} after.
     */
    static List<String> check(Operands o, Op op, List<DenseKernel> kernels, Activation act, PrintWriter err,
                              String when) {
        DenseKernel scalar = KernelRegistry.get("scalar");
        ProductShape shape = o.shape;
        List<String> disagreements = new ArrayList<>();
        int rows = op.flops(shape) > FULL_CHECK_FLOPS ? Math.min(shape.m(), CHECK_ROWS) : shape.m();
        String what = op.id + " " + shape + when;
        String onRows = rows < shape.m() ? " on rows 0.." + (rows - 1) : "";
        KernelCheck.Reference reference = null;
        // before timing: operands of a bounded size for the checks with views and from two threads (KernelCheck)
        ProductShape part = KernelCheck.part(shape, rows);
        String onPart = part.m() == shape.m() && part.k() == shape.k() && part.n() == shape.n() ? ""
                : " (on a " + part + " problem of its own)";
        Operands mine = null;
        Operands other = null;
        KernelCheck.Reference mineReference = null;
        KernelCheck.Reference otherReference = null;
        for (DenseKernel kernel : kernels) {
            if (kernel == scalar) {
                err.println(Main.PREFIX + "check scalar " + what + ": the reference");
                continue;
            }
            if (reference == null) {
                reference = KernelCheck.reference(scalar, op, o, rows, act);
            }
            KernelCheck.Outcome outcome;
            try {
                outcome = KernelCheck.check(kernel, op, o, rows, act, reference);
            } catch (RuntimeException thrown) { // the variant's own failure: named, not an internal error
                String line = "kernel " + kernel.name() + " failed on " + what + onRows + ": " + thrown;
                disagreements.add(line);
                err.println(Main.PREFIX + line);
                err.flush();
                continue;
            }
            if (outcome.failure() == null && when.isEmpty()) { // before timing: views, then two threads at once
                if (mine == null) {
                    mine = Operands.create(part, act);
                    mineReference = KernelCheck.reference(scalar, op, mine, part.m(), act);
                    other = Operands.create(part, act);
                    other.refill(); // values of its own
                    otherReference = KernelCheck.reference(scalar, op, other, part.m(), act);
                }
                String failed = null;
                try {
                    KernelCheck.Outcome placed = KernelCheck.placed(kernel, op, mine, part.m(), act, mineReference);
                    if (placed.failure() != null) {
                        failed = "kernel " + kernel.name() + " disagrees with scalar on " + what + " with every"
                                + " operand a view at an offset, its rows padded" + onPart + ": " + placed.failure();
                    } else {
                        KernelCheck.Outcome shared = KernelCheck.concurrent(kernel, op, mine, mineReference, other,
                                otherReference, part.m(), act);
                        if (shared.failure() != null) {
                            failed = "kernel " + kernel.name() + (shared.failure().startsWith("threw ")
                                    ? " failed" : " is not thread-safe") + ": called from two threads at once on "
                                    + what + onPart + ", each on operands of its own: " + shared.failure();
                        }
                    }
                } catch (RuntimeException thrown) {
                    failed = "kernel " + kernel.name() + " failed on " + what + " with every operand a view at an"
                            + " offset" + onPart + ": " + thrown;
                }
                if (failed != null) {
                    disagreements.add(failed);
                    err.println(Main.PREFIX + failed);
                    err.flush();
                    continue;
                }
            }
            if (outcome.failure() != null) {
                String line = "kernel " + kernel.name() + " disagrees with scalar on " + what + onRows + ": "
                        + outcome.failure();
                disagreements.add(line);
                err.println(Main.PREFIX + line);
            } else {
                err.printf(Locale.ROOT, "%scheck %s %s: ok%s (max error %.2g of bound)%n", Main.PREFIX,
                        kernel.name(), what, onRows, outcome.worstRatio());
            }
            err.flush();
        }
        return disagreements;
    }

    // ------------------------------------------------------------------------------------------- options

    /** {@code 128x784x256,128x128x10}: the shapes, each as {@link ProductShape#parse} reads it. */
    static List<ProductShape> parseShapes(String text) {
        List<ProductShape> list = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            try {
                list.add(ProductShape.parse(part.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--shapes: " + e.getMessage(), e);
            }
        }
        return list;
    }

    /** {@link #kernels(String, int, java.util.function.Consumer)} without notes. */
    static List<DenseKernel> kernels(String text, int threads) {
        return kernels(text, threads, note -> { });
    }

    /**
     * {@code all} or a comma list of names, each variant once (by the name it answers to: {@code blocked,BLOCKED} is one
     * variant), in the order given. {@code all} is every variant available:
     * one that cannot be made here (a provider's that needs an instruction set this CPU lacks, say; myelin info
     * lists it as unavailable) is left out, and {@code notes} hears why; a variant named explicitly must be made.
     */
    static List<DenseKernel> kernels(String text, int threads, java.util.function.Consumer<String> notes) {
        return kernels(text, KernelRegistry.names(), name -> KernelRegistry.withThreads(name, threads), notes);
    }

    /** As {@link #kernels(String, int, java.util.function.Consumer)}, from {@code available} made by {@code make}. */
    static List<DenseKernel> kernels(String text, java.util.Collection<String> available,
                                     java.util.function.Function<String, DenseKernel> make,
                                     java.util.function.Consumer<String> notes) {
        Map<String, DenseKernel> chosen = new LinkedHashMap<>();
        boolean all = text.strip().equalsIgnoreCase("all");
        List<String> names = all ? new ArrayList<>(available)
                : Arrays.stream(text.split(",", -1)).map(String::strip).toList();
        for (String name : names) {
            require(!name.isEmpty(), "--kernels: empty name in '" + text + "' (use all or names such as "
                    + String.join(",", available) + ")");
            try {
                DenseKernel kernel = make.apply(name);
                chosen.putIfAbsent(kernel.name(), kernel);
            } catch (KernelUnavailableException unavailable) { // a provider's create() threw
                if (!all) {
                    throw new IllegalArgumentException("--kernels " + name + ": unavailable here: "
                            + unavailable.reason(), unavailable);
                }
                notes.accept("note: --kernels all leaves out " + name + ", unavailable here: " + unavailable.reason());
            } catch (IllegalArgumentException unknown) { // a name given: the registry's message names the choices
                if (!all) {
                    throw new IllegalArgumentException("--kernels: " + unknown.getMessage(), unknown);
                }
                // every name of all is registered: one refused when made (a provider's kernel under another name)
                notes.accept("note: --kernels all leaves out " + name + ": " + unknown.getMessage());
            } catch (RuntimeException | LinkageError unavailable) { // as myelin info: a native provider's too
                if (!all) {
                    throw new IllegalArgumentException("--kernels " + name + ": unavailable here: "
                            + Main.userMessage(unavailable), unavailable);
                }
                notes.accept("note: --kernels all leaves out " + name + ", unavailable here: "
                        + Main.userMessage(unavailable));
            }
        }
        return List.copyOf(chosen.values());
    }

    /**
     * The variants of {@code list} that run on another count than {@code threads}, by count ("scalar and blocked run
     * on 1 thread; mine on 2"), or empty: the single-threaded ones, and a variant of one's own over {@code parallel},
     * which runs on the count it was made with. The table's column says each one's count.
     */
    static String otherThreadCounts(List<DenseKernel> list, int threads) {
        Map<Integer, List<String>> byCount = new java.util.TreeMap<>();
        for (DenseKernel kernel : list) {
            if (kernel.threads() != threads) {
                byCount.computeIfAbsent(kernel.threads(), t -> new ArrayList<>()).add(kernel.name());
            }
        }
        List<String> parts = new ArrayList<>();
        byCount.forEach((count, names) -> parts.add(String.join(", ", names) + (names.size() == 1 ? " runs" : " run")
                + " on " + count + (count == 1 ? " thread" : " threads")));
        return String.join("; ", parts);
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    // ------------------------------------------------------------------------------------------- timing

    /** {@link #microsPerCall(List, long, long, double[], int[])} for one call. */
    static double microsPerCall(Runnable call, long warmupNanos, long measureNanos) {
        return microsPerCall(List.of(call), warmupNanos, measureNanos, null, null)[0];
    }

    /** {@link #microsPerCall(List, long, long, double[], int[])} without the spread or the rounds taken. */
    static double[] microsPerCall(List<Runnable> calls, long warmupNanos, long measureNanos) {
        return microsPerCall(calls, warmupNanos, measureNanos, null, null);
    }

    /**
     * For each of {@code calls} (the variants of one op and shape), the median over {@link #ROUNDS} rounds of the
     * microseconds per call. Interleaved, so that no variant pays for being first: the warm-up gives each call
     * {@code warmupNanos} (at least one call) in turns of at most {@link #WARM_UP_TURN_NANOS}, while the JIT
     * compiles in the background; then each round times every call in turn for a fifth of {@code measureNanos}
     * (at least one call each). When calls are so slow that the rounds overrun the budget, fewer rounds are taken
     * (at least one). {@code spread} (or null) gets each call's half range of its rounds over its median: how far
     * one round's figure could lie from the reported one on this machine at this time; {@code taken} (or null)
     * gets in its one element how many rounds were taken.
     */
    static double[] microsPerCall(List<Runnable> calls, long warmupNanos, long measureNanos, double[] spread,
                                  int[] taken) {
        int n = calls.size();
        long[] warmed = new long[n];
        boolean[] called = new boolean[n];
        for (boolean more = true; more; ) {
            more = false;
            for (int c = 0; c < n; c++) {
                if (called[c] && warmed[c] >= warmupNanos) {
                    continue;
                }
                long turn = Math.min(WARM_UP_TURN_NANOS, warmupNanos - warmed[c]);
                long t0 = System.nanoTime();
                do {
                    calls.get(c).run();
                } while (System.nanoTime() - t0 < turn);
                warmed[c] += System.nanoTime() - t0;
                called[c] = true;
                more |= warmed[c] < warmupNanos;
            }
        }

        double[][] rounds = new double[n][ROUNDS];
        int done = 0;
        long roundNanos = measureNanos / ROUNDS;
        long begin = System.nanoTime();
        while (done < ROUNDS) {
            for (int c = 0; c < n; c++) {
                long r0 = System.nanoTime();
                long count = 0;
                long elapsed;
                do {
                    calls.get(c).run();
                    count++;
                    elapsed = System.nanoTime() - r0;
                } while (elapsed < roundNanos);
                rounds[c][done] = elapsed / 1e3 / count;
            }
            done++;
            if (System.nanoTime() - begin >= measureNanos * n) {
                break;
            }
        }
        double[] medians = new double[n];
        for (int c = 0; c < n; c++) {
            double[] sorted = Arrays.copyOf(rounds[c], done);
            Arrays.sort(sorted);
            medians[c] = done % 2 == 1 ? sorted[done / 2] : (sorted[done / 2 - 1] + sorted[done / 2]) / 2;
            if (spread != null) {
                spread[c] = (sorted[done - 1] - sorted[0]) / 2 / medians[c];
            }
        }
        if (taken != null) {
            taken[0] = done;
        }
        return medians;
    }

    /**
     * The table's cell for the rounds of a row: their spread, "±1.2%"; with their number when the budget allowed
     * fewer than {@link #ROUNDS}, "±1.2%(3)"; "none(1)" when one round was all it allowed (a call slower than the
     * budget, the scalar kernel at 1024³), which has no spread to show. One word, like every cell of the table.
     */
    static String spreadCell(Result r) {
        if (r.rounds() < 2) {
            return "none(" + r.rounds() + ")";
        }
        String spread = String.format(Locale.ROOT, "±%.1f%%", 100 * r.spread());
        return r.rounds() < ROUNDS ? spread + "(" + r.rounds() + ")" : spread;
    }

    /** Milliseconds as nanoseconds, saturating instead of overflowing. */
    private static long nanos(long ms) {
        return Math.min(ms, Long.MAX_VALUE / 1_000_000L) * 1_000_000L;
    }

    /** Microseconds to the nanosecond, never 0. */
    static double roundMicros(double micros) {
        return Math.max(0.001, Math.round(micros * 1000) / 1000.0);
    }

    /** flops / (µs · 1000), to 6 significant digits. */
    static double gflops(double flops, double micros) {
        return new BigDecimal(flops / (micros * 1000)).round(new MathContext(6, RoundingMode.HALF_EVEN))
                .doubleValue();
    }

    // ------------------------------------------------------------------------------------------- output

    /** The rows of the table, one (op, shape) group at a time, as each is measured. */
    static final class Table {
        private final PrintWriter out;
        private final String format;

        Table(PrintWriter out, List<ProductShape> shapes, List<DenseKernel> kernels) {
            this.out = out;
            int shapeWidth = Math.max("shape".length(), shapes.stream().mapToInt(s -> s.toString().length()).max()
                    .orElse(0));
            int kernelWidth = Math.max("kernel".length(), kernels.stream().mapToInt(k -> k.name().length()).max()
                    .orElse(0));
            this.format = "%-8s  %-" + shapeWidth + "s  %-" + kernelWidth + "s  %7s  %12s  %15s  %10s  %10s%n";
            // the rounds' spread (half their range over the median), with their count when fewer than five
            out.printf(Locale.ROOT, format, "op", "shape", "kernel", "threads", "µs per call", "spread (rounds)", "GFLOP/s",
                    "vs fastest");
            out.flush();
        }

        void print(List<Result> group) {
            double fastest = group.stream().mapToDouble(Result::micros).min().orElse(Double.NaN);
            for (Result r : group) {
                out.printf(Locale.ROOT, format, r.op().id, r.shape(), r.kernel(), r.threads(), number(r.micros()),
                        spreadCell(r), number(r.gflops()),
                        String.format(Locale.ROOT, "%.2f×", r.micros() / fastest));
            }
            out.flush();
        }

        static String number(double v) {
            // three significant digits at least: a rate below 0.001 (a call timed while the JIT compiles) is not 0
            return String.format(Locale.ROOT, v >= 1000 ? "%.0f" : v >= 10 ? "%.1f" : v >= 0.01 || v == 0 ? "%.3f"
                    : "%.3g", v);
        }
    }

    private static void printJson(PrintWriter out, List<Result> results) {
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode array = mapper.createArrayNode();
        for (Result r : results) {
            ObjectNode row = array.addObject();
            row.put("op", r.op().id);
            row.put("kernel", r.kernel());
            row.put("m", r.shape().m());
            row.put("k", r.shape().k());
            row.put("n", r.shape().n());
            row.put("threads", r.threads());
            row.put("micros", r.micros());
            row.put("gflops", r.gflops());
        }
        try {
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(array));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the results as JSON", e);
        }
    }

    // ------------------------------------------------------------------------------------------- operands

    /**
     * One shape's inputs, seeded random ({@link #refill}: X and dY in [−1, 1], W scaled by √(3/k), Y = act(U) with U
     * in [−1, 1], a plausible layer output), and the output buffers the timed calls write; allocated once per shape,
     * outside the timed loop.
     */
    static final class Operands {
        final ProductShape shape;
        final float[] x;
        final float[] w;
        final float[] b;
        final float[] y;
        final float[] dy;
        final float[] yOut;
        final float[] dz;
        final float[] db;
        final float[] dw;
        final float[] dx;

        private final Activation act;
        /** Draws the inputs; {@link #refill} goes on drawing from it. */
        private final java.util.SplittableRandom random;

        private Operands(ProductShape shape, Activation act) {
            int m = shape.m(), k = shape.k(), n = shape.n();
            this.shape = shape;
            this.act = act;
            random = new java.util.SplittableRandom(42L * 0x9E3779B97F4A7C15L + shape.toString().hashCode());
            x = new float[m * k];
            w = new float[k * n];
            b = new float[n];
            y = new float[m * n];
            dy = new float[m * n];
            refill();
            yOut = new float[m * n];
            dz = new float[m * n];
            db = new float[n];
            dw = new float[k * n];
            dx = new float[m * k];
        }

        static Operands create(ProductShape shape, Activation act) {
            try {
                return new Operands(shape, act);
            } catch (OutOfMemoryError e) {
                throw new IllegalArgumentException("--shapes: " + shape + " does not fit in memory (its operands"
                        + " take about " + Math.round(4.0 * (2.0 * shape.m() * shape.k() + 2.0 * shape.k() * shape.n()
                        + 4.0 * shape.m() * shape.n()) / (1 << 20)) + " MiB; give the JVM more with -Xmx)");
            }
        }

        /**
         * New values for the inputs, in place (the arrays stay the same): X, dY in [−1, 1], W in ±√(3/k) so that
         * X·W has about unit variance and the activation is not saturated (else most of Y would be exactly 0 or
         * 1, and the bound of the check, which grows with |X|·|W|, would let through an error on all of it; JMH's
         * LayerShape scales W alike), b in ±0.1, Y = act of values in [−1, 1].
         */
        void refill() {
            fill(x, 1);
            fill(w, Math.sqrt(3.0 / shape.k()));
            fill(b, 0.1);
            fill(y, 1);
            for (int t = 0; t < y.length; t++) {
                y[t] = act.apply(y[t]);
            }
            fill(dy, 1);
        }

        private void fill(float[] a, double scale) {
            for (int t = 0; t < a.length; t++) {
                a[t] = (float) ((2 * random.nextDouble() - 1) * scale);
            }
        }

        /** One call of {@code op} by {@code kernel} on these operands, the thing that is timed. */
        Runnable call(DenseKernel kernel, Op op, Activation act) {
            int m = shape.m(), k = shape.k(), n = shape.n();
            return switch (op) {
                case FORWARD -> () -> kernel.forward(m, n, k, x, 0, k, w, 0, n, b, 0, act, yOut, 0, n);
                case BACKWARD -> () -> {
                    kernel.activationBackward(m, n, act, y, 0, n, dy, 0, n, dz, 0, n, db, 0, false);
                    kernel.weightGradient(m, n, k, x, 0, k, dz, 0, n, dw, 0, n, false);
                    kernel.inputGradient(m, n, k, dz, 0, n, w, 0, n, dx, 0, k);
                };
            };
        }
    }
}
