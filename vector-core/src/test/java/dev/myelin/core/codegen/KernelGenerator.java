package dev.myelin.core.codegen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes the SIMD kernel classes of {@code dev.myelin.core.simd} ({@code FloatKernels}, {@code PackedGemm},
 * {@code FixedOrderDot}) from their templates in {@code vector-core/src/codegen}. The one source of the SIMD
 * arithmetic: each recipe (exp, sigmoid, tanh, the lane-sum ladder), the fused epilogue and each
 * micro-kernel shape is written once, here, and expanded into every kernel that needs it.
 *
 * <p>Why a generator and not helper methods: a helper that takes or returns a {@code FloatVector} is inlined by
 * C2 only while the caller is small; in a micro-kernel it was not ("callee is too large",
 * "NodeCountInliningCutoff"), and the vectors were boxed on every call (docs/kernels.md, "How the kernels are
 * generated"). So every vector must live and die inside one method, and the repetition is written by this
 * program instead of by hand.
 *
 * <p>A template is a Java source file with directive lines {@code //@ NAME ARGS}, each replaced by the code it
 * names (indented as the directive):
 * <ul>
 * <li>{@code //@ microKernel NAME rows=R vectors=V epilogue=add|alphaBeta|gemm [masked]
 *     [aStride=1|MR|ROWS [bStride=ldb]]}: a register tile of R rows × V vectors, {@code depth} rank-1 updates,
 *     then the epilogue on the accumulators and one store.
 *     {@code add}: {@code C (+)= act(acc + bias)} ({@code FloatKernels}); {@code alphaBeta}:
 *     {@code C = act(alpha·acc + beta·C + bias)} ({@code PackedGemm}); {@code gemm}: {@code C = alpha·acc +
 *     beta·C}, the first operations of {@code alphaBeta} (so the same bits), for a caller that passes no bias and
 *     identity: without the bias and activation code the method stays small enough for C1, whose register
 *     allocator gave up on a 24-accumulator tile with them ("out of virtual registers"), which left its speed to
 *     the tiered policy. {@code masked}: lanes from {@code width} on are neither loaded nor stored (one row, one
 *     vector). {@code aStride}: for a caller that guarantees {@code acs} equals that constant (1: A's rows read
 *     in place with unit stride; MR: a packed A panel; ROWS: a packed panel of this tile's R rows) and B packed
 *     {@code NR} wide ({@code ldb == NR}): every index is then linear in q with a constant scale, so C2 hoists
 *     the range checks out of the loop (with {@code aq += acs} it keeps one per load); the same operations in
 *     the same order. With MR or ROWS the caller also guarantees {@code ars == 1}, so row r is read at the
 *     constant offset r from row 0, which the load's address absorbs (no row starts to keep or add).
 *     {@code bStride=ldb}: B's rows {@code ldb} apart instead of {@code NR} (a narrow panel, packed compactly):
 *     A's indices stay linear in q with a constant scale, B's loads keep their range checks.</li>
 * <li>{@code //@ rowEpilogue NAME vectors=V}: bias, activation and store for one row of V vectors of C that a
 *     {@code gemm} micro-kernel stored, the end of the {@code alphaBeta} epilogue ({@code PackedGemm}'s paired
 *     forward tiles).</li>
 * <li>{@code //@ tileSwitch NAME calls=RxV:KERNEL,…}: a method with the parameters of an {@code alphaBeta}
 *     micro-kernel that calls the KERNEL of the class's register tile ({@code MR == R && NR_VECTORS == V}),
 *     for {@code PackedGemm}, whose tile is chosen per vector width.</li>
 * <li>{@code //@ dotTile NAME rows=R cols=P}: R rows of dZ against P rows of W, dot products along n, lanes
 *     summed by the ladder ({@code FloatKernels.inputGradient}).</li>
 * <li>{@code //@ fixedOrderDot NAME cols=P}: one row of dZ against P rows of W in 16 partial sums whatever the
 *     width ({@code FixedOrderDot}).</li>
 * <li>{@code //@ exp X E}: {@code FloatVector E = exp(X)} for a clamped vector {@code X}.</li>
 * </ul>
 * The output goes to {@code src/main/java/<package>/<Name>.java} with a "do not edit" header.
 *
 * <p>Run: {@code vector-core/generate-kernels} (or {@code java KernelGenerator.java [vector-core folder]}).
 * {@code GeneratedKernelsAreCurrentTest} fails while a checked-in file differs from what this writes. The
 * program needs the JDK only, so that it runs with the single-file launcher as well as in the tests.
 */
public final class KernelGenerator {

    /** Where the templates are, relative to the vector-core folder. */
    public static final String TEMPLATES = "src/codegen";
    /** The command that regenerates the kernels, from the repository root. */
    public static final String COMMAND = "vector-core/generate-kernels";

    private static final Pattern DIRECTIVE = Pattern.compile("^(\\s*)//@ (\\w+)(.*)$");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");

    private KernelGenerator() {
    }

    /** Regenerates every kernel class of the vector-core folder {@code args[0]} (default: the current folder). */
    public static void main(String[] args) throws IOException {
        Path module = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        for (Map.Entry<Path, String> file : generate(module).entrySet()) {
            Path target = module.resolve(file.getKey());
            boolean same = Files.exists(target) && Files.readString(target).equals(file.getValue());
            if (!same) {
                Files.writeString(target, file.getValue());
            }
            System.out.println((same ? "unchanged " : "wrote     ") + file.getKey());
        }
    }

    /**
     * What every template of {@code module} (the vector-core folder) generates: the output's path relative to
     * {@code module}, sorted, and its text.
     */
    public static Map<Path, String> generate(Path module) {
        Map<Path, String> out = new TreeMap<>();
        for (Path template : templates(module)) {
            String text = read(template);
            String name = template.getFileName().toString().replace(".java.template", "");
            Matcher pkg = PACKAGE.matcher(text);
            if (!pkg.find()) {
                throw new IllegalArgumentException(template + ": no package declaration");
            }
            Path target = Path.of("src/main/java", pkg.group(1).replace('.', '/'), name + ".java");
            out.put(target, header(name) + expand(text, template.getFileName().toString()));
        }
        return out;
    }

    /** The "do not edit" header of the class generated from {@code Name.java.template}. */
    public static String header(String name) {
        return "// GENERATED by KernelGenerator from vector-core/" + TEMPLATES + "/" + name + ".java.template"
                + " — do not edit.\n"
                + "// Edit the template or KernelGenerator (vector-core/src/test/java/dev/myelin/core/codegen),"
                + " then run\n"
                + "// " + COMMAND + "; GeneratedKernelsAreCurrentTest fails while this file is stale.\n";
    }

    private static List<Path> templates(Path module) {
        try (Stream<Path> files = Files.list(module.resolve(TEMPLATES))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".java.template")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The template's text with every directive line replaced by its code. */
    static String expand(String template, String where) {
        StringBuilder out = new StringBuilder();
        String[] lines = template.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher d = DIRECTIVE.matcher(lines[i]);
            if (!d.matches()) {
                out.append(lines[i]);
                if (i < lines.length - 1) {
                    out.append('\n');
                }
                continue;
            }
            Code code = new Code(d.group(1));
            Args args = new Args(d.group(3).trim(), where + ":" + (i + 1));
            switch (d.group(2)) {
                case "microKernel" -> microKernel(code, args.word(0), args.num("rows"), args.num("vectors"),
                        args.text("epilogue"), args.flag("masked"), args.optional("aStride"),
                        args.optional("bStride"));
                case "tileSwitch" -> tileSwitch(code, args.word(0), args.text("calls"), args.optional("has"));
                case "rowEpilogue" -> rowEpilogue(code, args.word(0), args.num("vectors"));
                case "dotTile" -> dotTile(code, args.word(0), args.num("rows"), args.num("cols"));
                case "fixedOrderDot" -> fixedOrderDot(code, args.word(0), args.num("cols"));
                case "exp" -> exp(code, args.word(0), args.word(1));
                default -> throw new IllegalArgumentException(where + ":" + (i + 1) + ": unknown directive "
                        + d.group(2));
            }
            args.requireAllUsed();
            out.append(code.text());
            if (i == lines.length - 1) {
                out.setLength(out.length() - 1);
            }
        }
        return out.toString();
    }

    // ============================================================================ the recipes, written once

    /**
     * {@code FloatVector e = exp(x)} for x clamped to [EXP_MIN, EXP_MAX] (FloatKernels' class comment):
     * p = round(x / ln 2) by adding and subtracting ROUNDER; r = x − p·ln 2 in two parts (Cody–Waite),
     * |r| ≤ ln 2 / 2; e^r by the degree-7 Taylor polynomial in Horner form; then e^r·2^p1·2^(p − p1),
     * p1 = ⌊p/2⌋, each power of two a normal float built from its bits, so that the first product is exact and
     * the second rounds once.
     */
    static void exp(Code code, String x, String e) {
        code.line("// " + e + " = exp(" + x + "), the recipe of FloatKernels' class comment");
        code.line("FloatVector p = " + x + ".fma(LOG2E, ROUNDER).sub(ROUNDER);");
        code.line("FloatVector r = " + x + ".sub(p.mul(LN2_HI)).sub(p.mul(LN2_LO));");
        code.line("FloatVector " + e + " = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)");
        code.line("        .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)");
        code.line("        .lanewise(FMA, r, 1f);");
        code.line("IntVector p0 = (IntVector) p.convert(VectorOperators.F2I, 0);");
        code.line("IntVector p1 = p0.lanewise(VectorOperators.ASHR, 1);");
        code.line(e + " = " + e + ".mul(p1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())");
        code.line("        .mul(p0.sub(p1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());");
    }

    /** {@code y = sigmoid(z) = 1 / (1 + exp(−z))}; exactly 0 where exp(−z) overflows. */
    static void sigmoid(Code code, String z, String y) {
        code.line("FloatVector x = " + z + ".neg().max(EXP_MIN).min(EXP_MAX); // −z, clamped (NaN stays NaN)");
        exp(code, "x", "e");
        code.line(y + " = FloatVector.broadcast(F, 1f).div(e.add(1f));");
    }

    /**
     * {@code y = tanh(z)}: the odd Taylor series to z¹⁵ below |z| = ½ (the sign of −0 kept), else
     * ±(1 − e) / (1 + e) with e = exp(−2|z|) and z's sign.
     */
    static void tanh(Code code, String z, String y) {
        code.line("FloatVector s = " + z + ".mul(" + z + "); // |z| < ½: z·(1 + s·(c3 + … + s·c15)), s = z²");
        code.line("FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)");
        code.line("        .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)");
        code.line("        .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(" + z + ");");
        code.line("FloatVector absz = " + z + ".abs();");
        code.line("FloatVector x = absz.mul(-2f).max(EXP_MIN); // −2|z| ≤ 0: no upper clamp needed");
        exp(code, "x", "e");
        code.line("FloatVector big = e.neg().add(1f).div(e.add(1f)); // (1 − e) / (1 + e), z's sign next");
        code.line(y + " = big.blend(big.neg(), " + z + ".compare(VectorOperators.LT, 0f))");
        code.line("        .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));");
    }

    /**
     * The lane-sum ladder: each vector plus itself rotated by L/2 lanes, then L/4, …, 1 (constant shuffles,
     * straight-line code; the branches fold away, L being a constant of each copy). Every lane then holds the
     * sum, added in one fixed tree order; the caller reads lane 0.
     */
    static void laneSums(Code code, List<String> accs) {
        code.line("// lane sums in one fixed order: fold by L/2, L/4, …, 1 lanes; lane 0 then holds the sum");
        for (int k : new int[] {32, 16, 8, 4, 2}) {
            code.open("if (L > " + k + ") {");
            for (String acc : accs) {
                code.line(acc + " = " + acc + ".add(" + acc + ".rearrange(ROTATE_" + k + "));");
            }
            code.close("}");
        }
        for (String acc : accs) {
            code.line(acc + " = " + acc + ".add(" + acc + ".rearrange(ROTATE_1));");
        }
    }

    // ============================================================================ GEMM micro-kernels

    /** The parameters of a micro-kernel of {@code rows} rows, as {@code "type name"}. */
    private static List<String> microKernelParams(int rows, boolean alphaBeta, boolean masked) {
        List<String> params = new ArrayList<>(List.of("int depth", "float[] a", "int a0"));
        if (rows > 1 || alphaBeta) {
            params.add("int ars");
        }
        params.addAll(List.of("int acs", "float[] b", "int b0", "int ldb"));
        if (alphaBeta) {
            params.addAll(List.of("float alpha", "float beta", "boolean loadC"));
        }
        params.addAll(List.of("float[] bias", "int bias0", "Activation act"));
        if (!alphaBeta) {
            params.add("boolean accumulate");
        }
        params.addAll(List.of("float[] c", "int c0"));
        if (rows > 1 || alphaBeta) {
            params.add("int ldc");
        }
        if (masked) {
            params.add("int width");
        }
        return params;
    }

    /**
     * A method {@code name} with the parameters of an {@code alphaBeta} micro-kernel that calls the kernel of
     * the class's register tile: {@code calls} lists {@code RxV:KERNEL}, KERNEL called when {@code MR == R} and
     * {@code NR_VECTORS == V}. Those are constants of each hidden copy, so C2 keeps only the one call. With
     * {@code has} (a constant's name), also that boolean constant, true where the list has the copy's tile: for a
     * switch that some tiles lack (the edge kernels), the code that calls it asks the constant, so the tiles it
     * covers are written in one place, the list.
     */
    static void tileSwitch(Code code, String name, String calls, String has) {
        List<String> params = microKernelParams(2, true, false);
        code.signature("private static void " + name, params);
        List<String> args = new ArrayList<>();
        for (String p : params) {
            args.add(p.substring(p.lastIndexOf(' ') + 1) + (args.size() == params.size() - 1 ? ");" : ","));
        }
        String keyword = "if";
        for (String call : calls.split(",")) {
            String[] tileAndKernel = call.split(":");
            String[] rv = tileAndKernel[0].split("x");
            if (tileAndKernel.length != 2 || rv.length != 2) {
                throw new IllegalArgumentException(name + ": calls are RxV:KERNEL, not " + call);
            }
            String test = keyword + " (MR == " + Integer.parseInt(rv[0]) + " && NR_VECTORS == "
                    + Integer.parseInt(rv[1]) + ") {";
            if (keyword.equals("if")) {
                code.open(test);
            } else {
                code.close("} " + test, true);
            }
            keyword = "else if";
            code.wrapped(tileAndKernel[1] + "(" + args.get(0), args.subList(1, args.size()));
        }
        code.close("} else {", true);
        code.line("throw new IllegalStateException(\"no micro-kernel for the tile \" + MR + \"×\" + NR_VECTORS);");
        code.close("}");
        code.close("}");
        if (has != null) {
            List<String> tiles = new ArrayList<>();
            for (String call : calls.split(",")) {
                String[] rv = call.split(":")[0].split("x");
                tiles.add("MR == " + Integer.parseInt(rv[0]) + " && NR_VECTORS == " + Integer.parseInt(rv[1]));
            }
            code.text.append('\n');
            code.line("/** Whether {@link #" + name + "} has a kernel for this copy's tile: the tiles of its calls. */");
            code.line("private static final boolean " + has + " = " + String.join(" || ", tiles) + ";");
        }
    }

    /**
     * A register tile of {@code rows} × {@code vectors}·L: {@code depth} rank-1 updates (A's column q, one
     * broadcast per row, times B's row q, one vector per column vector), then the epilogue and one store.
     * A(r, q) = a[a0 + r·ars + q·acs]; B(q, ·) = b[b0 + q·ldb ..]; C(r, ·) = c[c0 + r·ldc ..].
     */
    static void microKernel(Code code, String name, int rows, int vectors, String epilogue, boolean masked,
                            String aStride, String bStride) {
        boolean alphaBeta = switch (epilogue) {
            case "add" -> false;
            case "alphaBeta", "gemm" -> true;
            default -> throw new IllegalArgumentException(name + ": epilogue is add, alphaBeta or gemm, not "
                    + epilogue);
        };
        if (masked && (rows != 1 || vectors != 1)) {
            throw new IllegalArgumentException(name + ": only a 1 × 1 tile is masked");
        }
        if (aStride != null && !aStride.equals("1") && !aStride.equals("MR") && !aStride.equals("ROWS")) {
            throw new IllegalArgumentException(name + ": aStride is 1, MR or ROWS, not " + aStride);
        }
        if (bStride != null && !bStride.equals("ldb")) {
            throw new IllegalArgumentException(name + ": bStride is ldb, not " + bStride);
        }
        if (bStride != null && aStride == null) {
            throw new IllegalArgumentException(name + ": bStride goes with aStride (it only changes their loop)");
        }
        Tile t = new Tile(rows, vectors, masked);
        List<String> params = microKernelParams(rows, alphaBeta, masked);
        code.signature("private static void " + name, params);
        if (masked) { // made here: a mask passed into a method that is not inlined is boxed
            code.line("VectorMask<Float> cols = F.indexInRange(0, width);");
        }
        for (int r = 0; r < rows; r++) {
            List<String> zeros = new ArrayList<>();
            for (int v = 0; v < vectors; v++) {
                zeros.add(t.acc(r, v) + " = FloatVector.zero(F)");
            }
            declareVectors(code, zeros);
        }
        // a packed panel (aStride MR or ROWS: ars is 1, the dispatch's condition) reads row r at the constant offset
        // r from row 0, which the address of the load absorbs; other layouts keep a start per row
        boolean packed = "MR".equals(aStride) || "ROWS".equals(aStride);
        List<String> rowStarts = new ArrayList<>();
        for (int r = 1; r < rows && !packed; r++) {
            rowStarts.add("a" + r + " = a" + (r - 1) + " + ars");
        }
        for (int from = 0; from < rowStarts.size(); from += 6) {
            code.line("int " + String.join(", ", rowStarts.subList(from, Math.min(from + 6, rowStarts.size())))
                    + ";");
        }
        if (aStride != null) { // acs == aStride, ldb == NR or bStride: indices linear in q (the directive)
            code.open("for (int q = 0; q < depth; q++) {");
            String scale = switch (aStride) {
                case "1" -> "";
                case "ROWS" -> " * " + rows;
                default -> " * " + aStride;
            };
            code.line("int bq = b0 + q * " + (bStride == null ? "NR" : bStride) + ", aq = q" + scale + ";");
        } else {
            code.open("for (int q = 0, bq = b0, aq = 0; q < depth; q++, bq += ldb, aq += acs) {");
        }
        for (int v = 0; v < vectors; v++) {
            code.line("FloatVector b" + v + "v = FloatVector.fromArray(F, b, bq" + lanes(v) + t.mask() + ");");
        }
        for (int r = 0; r < rows; r++) {
            String at = packed ? "a0 + aq" + (r == 0 ? "" : " + " + r) : "a" + r + " + aq";
            code.line("FloatVector a" + r + "v = FloatVector.broadcast(F, a[" + at + "]);");
            for (int v = 0; v < vectors; v++) {
                code.line(t.acc(r, v) + " = a" + r + "v.fma(b" + v + "v, " + t.acc(r, v) + ");");
            }
        }
        code.close("}");
        if (alphaBeta) {
            code.line(epilogue.equals("gemm") ? "// epilogue on the registers: alpha·acc (+ beta·C), one store"
                    : "// epilogue on the registers: z = alpha·acc (+ beta·C) (+ bias), the activation, one store");
            code.line("FloatVector al = FloatVector.broadcast(F, alpha);");
            t.each(code, acc -> acc + " = " + acc + ".mul(al);");
            code.open("if (loadC) { // the only case that reads C: beta != 0, or a later k block");
            code.line("FloatVector be = FloatVector.broadcast(F, beta);");
            t.eachAt(code, (acc, at) -> acc + " = FloatVector.fromArray(F, c, " + at + t.mask() + ").fma(be, "
                    + acc + ");");
            code.close("}");
        } else {
            code.line("// epilogue on the registers: z = acc (+ C) (+ bias), the activation, one store");
            code.open("if (accumulate) { // the only mode that reads C");
            t.eachAt(code, (acc, at) -> acc + " = " + acc + ".add(FloatVector.fromArray(F, c, " + at + t.mask()
                    + "));");
            code.close("}");
        }
        if (epilogue.equals("gemm")) { // no bias, no activation: the caller's guarantee (the directive)
            t.eachAt(code, (acc, at) -> acc + ".intoArray(c, " + at + t.mask() + ");");
            code.close("}");
            return;
        }
        biasActivationStore(code, t);
        code.close("}");
    }

    /**
     * The end of an {@code alphaBeta} epilogue on the accumulators of {@code t}: {@code + bias}, then the
     * activation, then the store (sigmoid and tanh store each result and return).
     */
    private static void biasActivationStore(Code code, Tile t) {
        code.open("if (bias != null) {");
        for (int v = 0; v < t.vectors; v++) {
            code.line("FloatVector bias" + v + "v = FloatVector.fromArray(F, bias, bias0" + lanes(v) + t.mask()
                    + ");");
        }
        for (int r = 0; r < t.rows; r++) {
            for (int v = 0; v < t.vectors; v++) {
                code.line(t.acc(r, v) + " = " + t.acc(r, v) + ".add(bias" + v + "v);");
            }
        }
        code.close("}");
        code.open("if (act == Activation.RELU) { // max(z, 0) keeps NaN, like Math.max");
        t.each(code, acc -> acc + " = " + acc + ".max(0f);");
        code.close("}");
        activation(code, t, "SIGMOID");
        activation(code, t, "TANH");
        t.eachAt(code, (acc, at) -> acc + ".intoArray(c, " + at + t.mask() + ");");
    }

    /**
     * {@code //@ rowEpilogue NAME vectors=V}: the rest of an {@code alphaBeta} epilogue for one row of V vectors
     * of C that a {@code gemm}-epilogue micro-kernel stored as {@code z = alpha·acc (+ beta·C)}: z loaded, then
     * {@code + bias}, the activation and the store, the operations of {@code alphaBeta} after beta·C, so the
     * same bits as a kernel with the whole epilogue. One row a call: no more live vectors than a row's.
     */
    static void rowEpilogue(Code code, String name, int vectors) {
        Tile t = new Tile(1, vectors, false);
        code.signature("private static void " + name,
                List.of("float[] bias", "int bias0", "Activation act", "float[] c", "int c0"));
        List<String> loads = new ArrayList<>();
        for (int v = 0; v < vectors; v++) {
            loads.add(t.acc(0, v) + " = FloatVector.fromArray(F, c, " + t.at(0, v) + ")");
        }
        declareVectors(code, loads);
        biasActivationStore(code, t);
        code.close("}");
    }

    /**
     * Sigmoid or tanh on every accumulator of the tile, each result stored at once, then return. Two
     * independent vectors per step (their exp chains overlap), in a short loop over the steps that picks its
     * accumulators with a conditional chain: one copy of the recipe per step, not per accumulator (8 copies per
     * tile made C1's code ~150 KB and C2's compile 70 % longer; one vector per step made tanh ~15 % slower).
     */
    private static void activation(Code code, Tile t, String act) {
        List<int[]> flat = t.flat();
        code.open("if (act == Activation." + act + ") {");
        if (flat.size() == 1) {
            code.line("FloatVector y0;");
            recipe(code, act, t.acc(flat.get(0)), "y0");
            code.line("y0.intoArray(c, " + t.at(flat.get(0)) + t.mask() + ");");
        } else if (flat.size() == 2) {
            code.line("FloatVector y0, y1;");
            recipe(code, act, t.acc(flat.get(0)), "y0");
            recipe(code, act, t.acc(flat.get(1)), "y1");
            code.line("y0.intoArray(c, " + t.at(flat.get(0)) + ");");
            code.line("y1.intoArray(c, " + t.at(flat.get(1)) + ");");
        } else {
            int steps = flat.size() / 2;
            String first;
            String second;
            if (t.vectors == 2) { // a step is one row
                first = "c0 + i * ldc";
                second = "ci + L";
            } else if (t.vectors == 1 && t.rows % 2 == 0) { // a step is two rows
                first = "c0 + 2 * i * ldc";
                second = "ci + ldc";
            } else if (flat.size() % 2 == 0) { // step i: accumulators 2i and 2i + 1, counted row by row
                first = "c0 + 2 * i / " + t.vectors + " * ldc + 2 * i % " + t.vectors + " * L";
                second = "c0 + (2 * i + 1) / " + t.vectors + " * ldc + (2 * i + 1) % " + t.vectors + " * L";
            } else {
                throw new IllegalArgumentException("sigmoid and tanh steps take two accumulators: an even count, not "
                        + t.rows + " × " + t.vectors);
            }
            code.line("// " + steps + " steps of two independent vectors, each stored at once");
            code.open("for (int i = 0; i < " + steps + "; i++) {");
            for (int k = 0; k < 2; k++) {
                List<String> choices = new ArrayList<>();
                for (int s = 0; s < steps - 1; s++) {
                    choices.add("i == " + s + " ? " + t.acc(flat.get(2 * s + k)) + " :");
                }
                choices.add(t.acc(flat.get(2 * (steps - 1) + k)) + ";");
                code.wrapped("FloatVector z" + k + " =", choices);
            }
            code.line("FloatVector y0, y1;");
            recipe(code, act, "z0", "y0");
            recipe(code, act, "z1", "y1");
            code.line("int ci = " + first + ";");
            code.line("y0.intoArray(c, ci);");
            code.line("y1.intoArray(c, " + second + ");");
            code.close("}");
        }
        code.line("return;");
        code.close("}");
    }

    /** {@code y = act(z)} in a block of its own, so that the recipe's temporaries stay local. */
    private static void recipe(Code code, String act, String z, String y) {
        code.open("{ // " + y + " = " + act.toLowerCase() + "(" + z + ")");
        if (act.equals("SIGMOID")) {
            sigmoid(code, z, y);
        } else {
            tanh(code, z, y);
        }
        code.close("}");
    }

    /** A micro-kernel's accumulators and where each is stored. */
    private record Tile(int rows, int vectors, boolean masked) {

        String acc(int r, int v) {
            return "acc" + r + v;
        }

        String acc(int[] rv) {
            return acc(rv[0], rv[1]);
        }

        /** C's index of accumulator (r, v). */
        String at(int r, int v) {
            return "c0" + (r == 0 ? "" : r == 1 ? " + ldc" : " + " + r + " * ldc") + lanes(v);
        }

        String at(int[] rv) {
            return at(rv[0], rv[1]);
        }

        String mask() {
            return masked ? ", cols" : "";
        }

        /** The accumulators row by row: the order of the activation steps. */
        List<int[]> flat() {
            List<int[]> all = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                for (int v = 0; v < vectors; v++) {
                    all.add(new int[] {r, v});
                }
            }
            return all;
        }

        void each(Code code, Function<String, String> statement) {
            for (int[] rv : flat()) {
                code.line(statement.apply(acc(rv)));
            }
        }

        void eachAt(Code code, BiFunction<String, String, String> statement) {
            for (int[] rv : flat()) {
                code.line(statement.apply(acc(rv), at(rv)));
            }
        }
    }

    /** {@code FloatVector acc = …, …;} two to a line (zeros, or loads). */
    private static void declareVectors(Code code, List<String> zeros) {
        for (int from = 0; from < zeros.size(); from += 2) {
            code.line("FloatVector " + String.join(", ", zeros.subList(from, Math.min(from + 2, zeros.size())))
                    + ";");
        }
    }

    /** {@code ""}, {@code " + L"} or {@code " + v * L"}: the offset of column vector v. */
    private static String lanes(int v) {
        return v == 0 ? "" : v == 1 ? " + L" : " + " + v + " * L";
    }

    // ============================================================================ dot-product tiles (dX = dZ·Wᵀ)

    /**
     * {@code dx[x0 + r·lddx + q] = Σ_j dZ[z0 + r·lddz + j]·W[w0 + q·ldw + j]} for r < rows, q < cols:
     * accumulator (r, q) holds lane-wise partial sums; the vector body over full vectors, one masked vector
     * tail (masked lanes load 0 and add nothing), then the lane-sum ladder.
     */
    static void dotTile(Code code, String name, int rows, int cols) {
        List<String> params = new ArrayList<>(List.of("int n", "float[] dz", "int z0"));
        if (rows > 1) {
            params.add("int lddz");
        }
        params.addAll(List.of("float[] w", "int w0"));
        if (cols > 1) {
            params.add("int ldw");
        }
        params.addAll(List.of("float[] dx", "int x0"));
        if (rows > 1) {
            params.add("int lddx");
        }
        code.signature("private static void " + name, params);
        List<String> accs = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            List<String> zeros = new ArrayList<>();
            for (int q = 0; q < cols; q++) {
                accs.add("acc" + r + q);
                zeros.add("acc" + r + q + " = FloatVector.zero(F)");
            }
            declareVectors(code, zeros);
        }
        for (int r = 1; r < rows; r++) {
            code.line("int z" + r + " = z" + (r - 1) + " + lddz;");
        }
        for (int q = 1; q < cols; q++) {
            code.line("int w" + q + " = w" + (q - 1) + " + ldw;");
        }
        code.line("int j = 0;");
        code.open("for (int full = F.loopBound(n); j < full; j += L) { // vector body");
        dotStep(code, rows, cols, "");
        code.close("}");
        code.open("if (j < n) { // vector tail: the last n % L columns");
        code.line("VectorMask<Float> tail = F.indexInRange(j, n);");
        dotStep(code, rows, cols, ", tail");
        code.close("}");
        laneSums(code, accs);
        for (int r = 1; r < rows; r++) {
            code.line("int x" + r + " = x" + (r - 1) + " + lddx;");
        }
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < cols; q++) {
                code.line("dx[x" + r + (q == 0 ? "" : " + " + q) + "] = acc" + r + q + ".lane(0);");
            }
        }
        code.close("}");
    }

    private static void dotStep(Code code, int rows, int cols, String mask) {
        for (int r = 0; r < rows; r++) {
            code.line("FloatVector z" + r + "v = FloatVector.fromArray(F, dz, z" + r + " + j" + mask + ");");
        }
        for (int q = 0; q < cols; q++) {
            code.line("FloatVector w" + q + "v = FloatVector.fromArray(F, w, w" + q + " + j" + mask + ");");
            for (int r = 0; r < rows; r++) {
                code.line("acc" + r + q + " = z" + r + "v.fma(w" + q + "v, acc" + r + q + ");");
            }
        }
    }

    /**
     * {@code dx[x0 + q] = Σ_j dZ[z0 + j]·W[w0 + q·ldw + j]} for q < cols, each as 16 partial sums in
     * G = 16 / L accumulators (group g holds the elements j ≡ g·L .. g·L + L − 1 mod 16, one fma each, in
     * order), the groups then added in one fixed tree and the ladder finishing it (FixedOrderDot's class
     * comment). The branches on G fold away, G being a constant of each copy.
     */
    static void fixedOrderDot(Code code, String name, int cols) {
        List<String> params = new ArrayList<>(List.of("int n", "float[] dz", "int z0", "float[] w", "int w0"));
        if (cols > 1) {
            params.add("int ldw");
        }
        params.addAll(List.of("float[] dx", "int x0"));
        code.signature("private static void " + name, params);
        code.line("// accQG: row Q of W, accumulator group G");
        for (int q = 0; q < cols; q++) {
            List<String> zeros = new ArrayList<>();
            for (int g = 0; g < 4; g++) {
                zeros.add("acc" + q + g + " = FloatVector.zero(F)");
            }
            declareVectors(code, zeros);
        }
        for (int q = 1; q < cols; q++) {
            code.line("int w" + q + " = w" + (q - 1) + " + ldw;");
        }
        code.line("int j = 0;");
        code.open("for (int full = n - n % VIRTUAL_LANES; j < full; j += VIRTUAL_LANES) { // whole groups of 16");
        groupSteps(code, cols, false);
        code.close("}");
        code.open("if (j < n) { // the last, partial group of 16: each group's vector masked to the columns left");
        groupSteps(code, cols, true);
        code.close("}");
        code.line("// the groups folded into one vector: lane l holds s_l + s_{l+8} (+ s_{l+4} + s_{l+12} at 128 bit)");
        code.open("if (G == 2) {");
        for (int q = 0; q < cols; q++) {
            code.line("acc" + q + "0 = acc" + q + "0.add(acc" + q + "1);");
        }
        code.close("} else if (G == 4) {", true);
        for (int q = 0; q < cols; q++) {
            code.line("acc" + q + "0 = acc" + q + "0.add(acc" + q + "2).add(acc" + q + "1.add(acc" + q + "3));");
        }
        code.close("}");
        List<String> accs = new ArrayList<>();
        for (int q = 0; q < cols; q++) {
            accs.add("acc" + q + "0");
        }
        laneSums(code, accs);
        for (int q = 0; q < cols; q++) {
            code.line("dx[x0" + (q == 0 ? "" : " + " + q) + "] = acc" + q + "0.lane(0);");
        }
        code.close("}");
    }

    /** Groups 0, 1 (when G > 1) and 2, 3 (when G > 2) of one step of 16 elements. */
    private static void groupSteps(Code code, int cols, boolean masked) {
        for (int g = 0; g < 4; g++) {
            if (g == 1) {
                code.open("if (G > 1) {");
            } else if (g == 2) {
                code.open("if (G > 2) {");
            }
            String at = g == 0 ? "j" : "j" + g;
            if (g > 0) {
                code.line("int j" + g + " = j + " + (g == 1 ? "" : g + " * ") + "L;");
            }
            String mask = "";
            if (masked) {
                code.line("VectorMask<Float> m" + g + " = F.indexInRange(" + at + ", n);");
                mask = ", m" + g;
            }
            code.line((g == 0 ? "FloatVector z" : "z") + " = FloatVector.fromArray(F, dz, z0 + " + at + mask + ");");
            for (int q = 0; q < cols; q++) {
                String acc = "acc" + q + g;
                code.line(acc + " = z.fma(FloatVector.fromArray(F, w, w" + q + " + " + at + mask + "), " + acc + ");");
            }
            if (g == 1 || g == 3) {
                code.close("}");
            }
        }
    }

    // ============================================================================ text

    /** Java source lines at a growing and shrinking indentation. */
    static final class Code {
        private final StringBuilder text = new StringBuilder();
        private String indent;

        Code(String indent) {
            this.indent = indent;
        }

        void line(String line) {
            text.append(indent).append(line).append('\n');
        }

        void open(String line) {
            line(line);
            indent += "    ";
        }

        void close(String line) {
            close(line, false);
        }

        /** Ends a block; with {@code reopen} the line opens the next one ({@code "} else {"}). */
        void close(String line, boolean reopen) {
            indent = indent.substring(4);
            line(line);
            if (reopen) {
                indent += "    ";
            }
        }

        /**
         * Opens the method {@code head(params)}: the parameters wrapped at 116 columns, continuation lines
         * indented twice.
         */
        void signature(String head, List<String> params) {
            StringBuilder line = new StringBuilder(head).append('(');
            String continuation = "        ";
            boolean first = true;
            for (int i = 0; i < params.size(); i++) {
                String piece = params.get(i) + (i == params.size() - 1 ? ") {" : ",");
                if (!first && indent.length() + line.length() + 1 + piece.length() > 116) {
                    line(line.toString());
                    line = new StringBuilder(continuation).append(piece);
                } else {
                    line.append(first ? "" : " ").append(piece);
                }
                first = false;
            }
            open(line.toString());
        }

        /** {@code head piece piece …}, wrapped at 116 columns, continuation lines indented twice. */
        void wrapped(String head, List<String> pieces) {
            StringBuilder line = new StringBuilder(head);
            for (String piece : pieces) {
                if (indent.length() + line.length() + 1 + piece.length() > 116) {
                    line(line.toString());
                    line = new StringBuilder("       ");
                }
                line.append(' ').append(piece);
            }
            line(line.toString());
        }

        String text() {
            return text.toString();
        }
    }

    /** A directive's words ({@code NAME}) and {@code key=value} settings, each of which must be used. */
    private static final class Args {
        private final List<String> words = new ArrayList<>();
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final String where;

        Args(String text, String where) {
            this.where = where;
            for (String token : text.isEmpty() ? new String[0] : text.split("\\s+")) {
                int eq = token.indexOf('=');
                if (eq < 0) {
                    words.add(token);
                } else {
                    settings.put(token.substring(0, eq), token.substring(eq + 1));
                }
            }
        }

        String word(int i) {
            if (i >= words.size()) {
                throw new IllegalArgumentException(where + ": missing argument " + (i + 1));
            }
            return words.get(i);
        }

        boolean flag(String name) {
            return words.remove(name);
        }

        /** A setting that may be absent (null then). */
        String optional(String key) {
            return settings.remove(key);
        }

        String text(String key) {
            String value = settings.remove(key);
            if (value == null) {
                throw new IllegalArgumentException(where + ": missing " + key + "=");
            }
            return value;
        }

        int num(String key) {
            return Integer.parseInt(text(key));
        }

        void requireAllUsed() {
            if (!settings.isEmpty()) {
                throw new IllegalArgumentException(where + ": unknown settings " + settings.keySet());
            }
        }
    }
}
