import dev.myelin.core.*;
import dev.myelin.nn.*;
import java.io.*;
import java.nio.*;
import java.nio.file.*;
import java.util.*;

/**
 * Usage: Oracle OUTDIR HIDDEN LOSS OPT WD CONV STEPS BATCH ROWS [SIZES]
 * Trains with TrainingStep over batches taken from the middle of larger arrays (offset PAD rows), records
 * the first gradients (gradients() alone on a copy), the loss of every step, the final parameters.
 */
public class Oracle {
    static void dump(Path p, float[] a) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : a) bb.putFloat(f);
        Files.write(p, bb.array());
    }
    static void dumpI(Path p, int[] a) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int f : a) bb.putInt(f);
        Files.write(p, bb.array());
    }
    public static void main(String[] a) throws Exception {
        Path out = Paths.get(a[0]);
        Files.createDirectories(out);
        Activation hidden = Activation.valueOf(a[1].toUpperCase());
        Loss loss = Loss.parse(a[2]);
        String opt = a[3];
        double wd = Double.parseDouble(a[4]);
        GradientConvention conv = GradientConvention.parse(a[5]);
        int steps = Integer.parseInt(a[6]);
        int batch = Integer.parseInt(a[7]);
        int rows = Integer.parseInt(a[8]);
        int[] sizes = a.length > 9 ? Arrays.stream(a[9].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {20, 32, 16, 3};
        int k = sizes[0], n = sizes[sizes.length - 1];
        double lr = opt.startsWith("adam") ? 1e-2 : 0.1;
        OptimizerSpec spec = switch (opt) {
            case "sgd" -> OptimizerSpec.sgd(lr);
            case "momentum" -> OptimizerSpec.momentum(lr, 0.9);
            case "nesterov" -> OptimizerSpec.nesterov(lr, 0.9);
            case "adam" -> OptimizerSpec.adam(lr);
            case "adamw" -> OptimizerSpec.adamW(lr);
            default -> throw new IllegalArgumentException(opt);
        };
        if (wd >= 0 && !opt.equals("adamw")) spec = spec.withWeightDecay(wd);
        if (opt.equals("adamw") && wd >= 0) spec = spec.withWeightDecay(wd);
        Mlp model = Mlp.of(sizes, hidden, loss.outputActivation());
        Init.TORCH.initialize(model, 7);
        Random r = new Random(11);
        int pad = 5; // rows before and after the data in the big arrays
        float[] x = new float[(rows + 2 * pad) * k];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        int[] labels = new int[rows + 2 * pad];
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(n);
        float[] t = new float[(rows + 2 * pad) * n];
        for (int i = 0; i < t.length; i++) t[i] = loss == Loss.BCE ? (r.nextBoolean() ? 1f : (float) r.nextDouble()) : (float) r.nextGaussian();
        // dump init
        for (int l = 0; l < model.layers().size(); l++) {
            dump(out.resolve("w" + l + "_init.bin"), model.layers().get(l).weights());
            dump(out.resolve("b" + l + "_init.bin"), model.layers().get(l).bias());
        }
        dump(out.resolve("x.bin"), x);
        dumpI(out.resolve("labels.bin"), labels);
        dump(out.resolve("t.bin"), t);
        DenseOps ops = DenseOps.defaults();
        // gradients alone on a copy, first batch
        Mlp copy = model.copy();
        TrainingStep g = new TrainingStep(copy, loss, spec, conv, batch, ops);
        int m0 = Math.min(batch, rows);
        double g0 = loss == Loss.CE ? g.gradients(x, pad * k, labels, pad, m0) : g.gradients(x, pad * k, t, pad * n, m0);
        for (int l = 0; l < copy.layers().size(); l++) {
            dump(out.resolve("gw" + l + ".bin"), copy.layers().get(l).weightGradient());
            dump(out.resolve("gb" + l + ".bin"), copy.layers().get(l).biasGradient());
            if (!Arrays.equals(copy.layers().get(l).weights(), model.layers().get(l).weights())) System.out.println("gradients() changed weights!");
        }
        TrainingStep step = new TrainingStep(model, loss, spec, conv, batch, ops);
        StringBuilder losses = new StringBuilder();
        StringBuilder ms = new StringBuilder();
        int start = 0;
        for (int s = 0; s < steps; s++) {
            int m = Math.min(batch, rows - start);
            double v = loss == Loss.CE ? step.step(x, (pad + start) * k, labels, pad + start, m, lr)
                    : step.step(x, (pad + start) * k, t, (pad + start) * n, m, lr);
            losses.append(v).append('\n');
            ms.append(start).append(' ').append(m).append('\n');
            start += m;
            if (start >= rows) start = 0;
        }
        Files.writeString(out.resolve("losses.txt"), losses);
        Files.writeString(out.resolve("batches.txt"), ms);
        Files.writeString(out.resolve("meta.txt"), String.join(" ", a) + "\n" + lr + " " + g0 + " " + pad + " " + Arrays.toString(sizes) + " wdEffective=" + spec.weightDecay() + "\n");
        for (int l = 0; l < model.layers().size(); l++) {
            dump(out.resolve("w" + l + "_final.bin"), model.layers().get(l).weights());
            dump(out.resolve("b" + l + "_final.bin"), model.layers().get(l).bias());
        }
    }
}
