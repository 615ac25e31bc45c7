package dev.myelin.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import dev.myelin.nn.AtomicFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code myelin report}: the loss and accuracy curves of a metrics file as a PNG. */
@Command(name = "report",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        sortOptions = false,
        description = {"Draw the curves of a training run: loss per epoch (training, and test when there was"
                + " evaluation data) above test accuracy, as a PNG."},
        footer = {"%nExample:",
                "  myelin train --preset fashion-mnist --metrics run.json",
                "  myelin report --metrics run.json --out run.png"})
final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--metrics", paramLabel = "FILE.json", required = true,
            description = "Metrics written by myelin train --metrics.")
    Path metrics;

    @Option(names = "--out", paramLabel = "FILE.png", required = true,
            description = "The picture to write (replaced atomically).")
    Path out;

    @Option(names = "--width", paramLabel = "PX", defaultValue = "900",
            description = "Width in pixels, 200 to 10000 (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--height", paramLabel = "PX", defaultValue = "700",
            description = "Height in pixels, 200 to 10000 (default: ${DEFAULT-VALUE}).")
    int height;

    @Override
    public Integer call() throws IOException {
        new DistinctFiles().reads("--metrics", metrics).writes("--out", out).check();
        System.setProperty("java.awt.headless", "true"); // no display needed, and none may exist
        TrainCommand.require(width >= 200 && width <= 10_000, "--width must be in [200, 10000], got " + width);
        TrainCommand.require(height >= 200 && height <= 10_000, "--height must be in [200, 10000], got " + height);
        TrainCommand.require(out.getFileName() != null
                && out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"), "--out " + out
                + ": report writes PNG images; give a file name ending in .png");
        TrainCommand.require(!java.nio.file.Files.isDirectory(metrics), "--metrics " + metrics + ": is a directory,"
                + " expected a metrics file (FILE.json) as written by myelin train --metrics");
        List<MetricsFile.Epoch> epochs = MetricsFile.read(metrics);
        JFreeChart chart = chart(epochs, metrics.getFileName().toString());
        for (String field : new String[] {"loss", "test_loss", "test_accuracy"}) {
            List<Integer> skipped = notDrawn(epochs, field);
            if (!skipped.isEmpty()) {
                PrintWriter err = spec.commandLine().getErr();
                err.println(Main.PREFIX + "note: " + field + " is NaN, infinite or beyond 1e300 at epoch"
                        + (skipped.size() == 1 ? " " : "s ") + shortList(skipped) + "; those points are not drawn");
                err.flush();
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(png, chart, width, height);
        } catch (OutOfMemoryError e) { // the picture's pixels, width × height × 4 bytes, and its PNG
            throw new IllegalArgumentException("--width " + width + " × --height " + height + ": the picture does"
                    + " not fit the JVM's heap of " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB; draw"
                    + " a smaller one, or give the JVM more with MYELIN_OPTS=-Xmx8g (or any size)", null);
        }
        try {
            AtomicFile.write(out, png.toByteArray());
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + out + ": " + Main.userMessage(e), e);
        }
        PrintWriter w = spec.commandLine().getOut();
        w.println("Wrote " + out + " (" + epochs.size() + (epochs.size() == 1 ? " epoch)" : " epochs)"));
        w.flush();
        return 0;
    }

    /**
     * Two plots over one epoch axis: losses above, test accuracy below (only when the file has it). A value that
     * cannot be drawn (NaN, infinite, beyond {@link #LARGEST_DRAWN}, or absent) and an epoch the file lacks break
     * the line there instead of joining its neighbours as if the run had gone straight from one to the other.
     */
    static JFreeChart chart(List<MetricsFile.Epoch> epochs, String title) {
        XYSeries train = new XYSeries("training loss", false);
        XYSeries test = new XYSeries("test loss", false);
        XYSeries accuracy = new XYSeries("test accuracy", false);
        int previous = 0;
        for (MetricsFile.Epoch e : epochs) {
            if (previous > 0 && e.epoch() > previous + 1) { // epochs missing from the file: a gap in every line
                for (XYSeries series : List.of(train, test, accuracy)) {
                    series.add(previous + 1, null);
                }
            }
            previous = e.epoch();
            train.add(e.epoch(), drawable(e.loss()));
            test.add(e.epoch(), drawable(e.testLoss()));
            accuracy.add(e.epoch(), drawable(e.testAccuracy()));
        }
        XYSeriesCollection losses = new XYSeriesCollection(train);
        if (hasPoints(test)) {
            losses.addSeries(test);
        }
        NumberAxis epochAxis = new NumberAxis("epoch");
        epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochAxis);
        plot.add(plot("loss", losses), 3);
        if (hasPoints(accuracy)) {
            plot.add(plot("test accuracy", new XYSeriesCollection(accuracy)), 2);
        }
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /**
     * The largest magnitude drawn: an axis around a larger one overflows to an infinite range (JFreeChart refuses a
     * loss of 1.75·10³⁰⁸, a finite double, with "Must be finite."), and such a loss is a run that diverged.
     */
    static final double LARGEST_DRAWN = 1e300;

    /** {@code v} as a point, or null (a gap in the line) when it cannot be drawn. */
    private static Double drawable(double v) {
        return Math.abs(v) <= LARGEST_DRAWN ? v : null;
    }

    private static boolean hasPoints(XYSeries series) {
        for (int i = 0; i < series.getItemCount(); i++) {
            if (series.getY(i) != null) {
                return true;
            }
        }
        return false;
    }

    /** The epochs whose {@code field} (as the metrics file names it) was written NaN or infinite, or is too large. */
    static List<Integer> notDrawn(List<MetricsFile.Epoch> epochs, String field) {
        return epochs.stream().filter(e -> e.notFinite().contains(field) || tooLarge(value(e, field)))
                .map(MetricsFile.Epoch::epoch).toList();
    }

    private static boolean tooLarge(double v) {
        return Double.isFinite(v) && Math.abs(v) > LARGEST_DRAWN;
    }

    private static double value(MetricsFile.Epoch e, String field) {
        return switch (field) {
            case "loss" -> e.loss();
            case "test_loss" -> e.testLoss();
            default -> e.testAccuracy();
        };
    }

    /** "3, 4, 5" or, for more than 8, the first 8 and how many more. */
    private static String shortList(List<Integer> epochs) {
        String head = epochs.stream().limit(8).map(String::valueOf).collect(Collectors.joining(", "));
        return epochs.size() <= 8 ? head : head + " and " + (epochs.size() - 8) + " more";
    }

    private static XYPlot plot(String label, XYSeriesCollection data) {
        NumberAxis axis = new NumberAxis(label);
        axis.setAutoRangeIncludesZero(false);
        axis.setAutoRangeMinimumSize(1e-3); // a flat curve: a readable range around it, not ticks in 1e-7 steps
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int s = 0; s < data.getSeriesCount(); s++) {
            renderer.setSeriesStroke(s, new BasicStroke(2f));
        }
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }
}
