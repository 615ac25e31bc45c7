package dev.myelin.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.dispatch.KernelRegistry;
import dev.myelin.core.dispatch.KernelUnavailableException;
import dev.myelin.core.dispatch.VectorSupport;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code myelin info}: the JVM, whether the Vector API is on, the vector shape it prefers, the CPU's SIMD
 * features as HotSpot sees them, and the kernel variants. Vector API classes are reached by reflection only,
 * so this command also works (and says what is missing) without {@code --add-modules jdk.incubator.vector}.
 */
@Command(name = "info",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Show the JDK, the Vector API state, the CPU's SIMD features and the kernel variants.")
final class InfoCommand implements Callable<Integer> {

    /** CPU feature names that concern SIMD, on x86 (sse…, avx…, fma, amx…, f16c) and on ARM (asimd, sve…). */
    private static final Pattern SIMD_FEATURE = Pattern.compile("(sse|ssse|avx|fma|amx|f16c|asimd|sve|neon).*",
            Pattern.CASE_INSENSITIVE);

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Java:        %s (%s), %s %s%n", System.getProperty("java.version"),
                System.getProperty("java.vendor"), System.getProperty("java.vm.name"),
                System.getProperty("java.vm.version"));
        out.printf("OS:          %s %s, %d processors%n", System.getProperty("os.name"),
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors());
        if (VectorSupport.available()) {
            out.println("Vector API:  active (jdk.incubator.vector is loaded)");
            out.println("Species:     "
                    + preferredSpecies().orElse("unknown (FloatVector.SPECIES_PREFERRED unreadable)"));
        } else {
            out.println("Vector API:  not active: start the JVM with " + VectorSupport.ENABLE_FLAG
                    + " (./myelin does); the scalar kernel is used");
        }
        out.println("VM options:  " + vmOptions());
        Optional<String> vmInfo = vmInfo();
        // the kernel's flags where it gives them (Linux): HotSpot's own list can name features the CPU lacks
        // (JDK 25 lists avx512pf and avx512er, Xeon Phi's, on Intel cores that have neither)
        vmInfo.flatMap(InfoCommand::kernelSimdFlags).ifPresent(f -> out.println("CPU SIMD:    " + f
                + "  (/proc/cpuinfo)"));
        vmInfo.flatMap(InfoCommand::simdFeatures).ifPresent(f -> out.println("HotSpot:     " + f
                + "  (the SIMD features the JIT reports)"));
        out.println("Kernels:");
        String defaultName = null;
        String noDefault = null;
        try {
            KernelRegistry.checkProperties(); // a bad -Dmyelin.* named as such, also once the default exists
            defaultName = KernelRegistry.defaultKernel().name();
        } catch (RuntimeException | LinkageError e) {
            noDefault = Main.userMessage(e);
        }
        // the name column as wide as the longest name (a provider's may be longer than the built-ins')
        int width = KernelRegistry.names().stream().mapToInt(String::length).max().orElse(0);
        for (String name : KernelRegistry.names()) {
            out.printf("  %-" + width + "s %s%s%n", name, describe(name), name.equals(defaultName) ? "  (default)" : "");
        }
        if (defaultName == null) {
            out.println("  (no default kernel could be created: " + noDefault + ")");
        }
        out.println("Select one with --kernel NAME (train, predict, eval) or -D" + KernelRegistry.KERNEL_PROPERTY
                + "=NAME; bench compares them with --kernels.");
        out.flush();
        if (noDefault != null) { // a bad -Dmyelin.* is a user error here too, after the listing that helps fix it
            PrintWriter err = spec.commandLine().getErr();
            err.println(Main.PREFIX + noDefault);
            err.flush();
            return Main.USER_ERROR;
        }
        return 0;
    }

    /** "FloatVector 512-bit, 16 lanes", read by reflection so this class never links jdk.incubator.vector. */
    static Optional<String> preferredSpecies() {
        try {
            Class<?> floatVector = Class.forName("jdk.incubator.vector.FloatVector");
            Class<?> species = Class.forName("jdk.incubator.vector.VectorSpecies");
            Object preferred = floatVector.getField("SPECIES_PREFERRED").get(null);
            int bits = (Integer) species.getMethod("vectorBitSize").invoke(preferred);
            int lanes = (Integer) species.getMethod("length").invoke(preferred);
            return Optional.of(String.format(Locale.ROOT, "FloatVector %d-bit, %d float lanes (preferred)",
                    bits, lanes));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** HotSpot's SIMD-related flags, e.g. "UseAVX=3 UseFMA=true MaxVectorSize=64 UseSSE=4"; absent ones are skipped. */
    static String vmOptions() {
        List<String> shown = new ArrayList<>();
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            for (String name : List.of("UseAVX", "UseFMA", "MaxVectorSize", "UseSSE", "UseSVE")) {
                try {
                    shown.add(name + "=" + hotspot.getVMOption(name).getValue());
                } catch (IllegalArgumentException notOnThisCpu) {
                    // e.g. UseAVX on ARM, UseSVE on x86
                }
            }
        } catch (RuntimeException | LinkageError e) {
            return "unavailable (not a HotSpot JVM)";
        }
        return shown.isEmpty() ? "unavailable" : String.join(" ", shown);
    }

    /** The text of the VM.info diagnostic command; empty when the command is not there. */
    private static Optional<String> vmInfo() {
        try {
            Object text = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmInfo",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return text instanceof String s ? Optional.of(s) : Optional.empty();
        } catch (Exception | LinkageError e) {
            return Optional.empty();
        }
    }

    /**
     * The SIMD flags of the kernel's "flags : …" line, which VM.info copies from /proc/cpuinfo on Linux (under
     * "CPU Model and flags from /proc/cpuinfo:"); empty elsewhere (package-private for tests).
     */
    static Optional<String> kernelSimdFlags(String vmInfo) {
        boolean copied = false;
        for (String line : vmInfo.split("\\R")) {
            if (line.strip().startsWith("CPU Model and flags from /proc/cpuinfo")) {
                copied = true;
            } else if (copied && line.startsWith("flags") && line.contains(":")) {
                List<String> simd = new ArrayList<>();
                for (String flag : line.substring(line.indexOf(':') + 1).strip().split("\\s+")) {
                    if (SIMD_FEATURE.matcher(flag).matches()) {
                        simd.add(flag);
                    }
                }
                return simd.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", simd));
            }
        }
        return Optional.empty();
    }

    /**
     * The SIMD part of HotSpot's "CPU: total N (...) ..., cx8, cmov, ..., avx2, ..." line in VM.info's text
     * (package-private for tests).
     */
    static Optional<String> simdFeatures(String vmInfo) {
        for (String line : vmInfo.split("\\R")) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("CPU:") || !trimmed.contains(",")) {
                continue;
            }
            List<String> simd = new ArrayList<>();
            String[] parts = trimmed.split(",");
            for (int i = 1; i < parts.length; i++) { // parts[0] is "CPU: total N (...) family .. microcode .."
                String feature = parts[i].strip();
                if (SIMD_FEATURE.matcher(feature).matches()) {
                    simd.add(feature);
                }
            }
            return simd.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", simd));
        }
        return Optional.empty();
    }

    private static String describe(String name) {
        try {
            DenseKernel kernel = KernelRegistry.get(name);
            String described = kernel.describe(); // "parallel (2 threads, …)": the name is the listing's own column
            return described.startsWith(name + " (") && described.endsWith(")")
                    ? described.substring(name.length() + 2, described.length() - 1) : described;
        } catch (KernelUnavailableException e) {
            return "unavailable: " + e.reason();
        } catch (RuntimeException | LinkageError e) {
            return "unavailable: " + Main.userMessage(e);
        }
    }
}
