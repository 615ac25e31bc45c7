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
            description = "Width in pixels (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--height", paramLabel = "PX", defaultValue = "700",
            description = "Height in pixels (default: ${DEFAULT-VALUE}).")
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
        List<MetricsFile.Epoch> epochs = MetricsFile.read(metrics);
        JFreeChart chart = chart(epochs, metrics.getFileName().toString());
        for (String field : new String[] {"loss", "test_loss", "test_accuracy"}) {
            List<Integer> skipped = notDrawn(epochs, field);
            if (!skipped.isEmpty()) {
                PrintWriter err = spec.commandLine().getErr();
                err.println(Main.PREFIX + "note: " + field + " is NaN or infinite at epoch"
                        + (skipped.size() == 1 ? " " : "s ") + shortList(skipped) + "; those points are not drawn");
                err.flush();
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(png, chart, width, height);
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

    /** Two plots over one epoch axis: losses above, test accuracy below (only when the file has it). */
    static JFreeChart chart(List<MetricsFile.Epoch> epochs, String title) {
        XYSeries train = new XYSeries("training loss");
        XYSeries test = new XYSeries("test loss");
        XYSeries accuracy = new XYSeries("test accuracy");
        for (MetricsFile.Epoch e : epochs) { // a NaN or infinite value has no place on an axis (call() says so)
            if (Double.isFinite(e.loss())) {
                train.add(e.epoch(), e.loss());
            }
            if (Double.isFinite(e.testLoss())) {
                test.add(e.epoch(), e.testLoss());
            }
            if (Double.isFinite(e.testAccuracy())) {
                accuracy.add(e.epoch(), e.testAccuracy());
            }
        }
        XYSeriesCollection losses = new XYSeriesCollection(train);
        if (!test.isEmpty()) {
            losses.addSeries(test);
        }
        NumberAxis epochAxis = new NumberAxis("epoch");
        epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochAxis);
        plot.add(plot("loss", losses), 3);
        if (!accuracy.isEmpty()) {
            plot.add(plot("test accuracy", new XYSeriesCollection(accuracy)), 2);
        }
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** The epochs whose {@code field} (as the metrics file names it) was written NaN or infinite. */
    static List<Integer> notDrawn(List<MetricsFile.Epoch> epochs, String field) {
        return epochs.stream().filter(e -> e.notFinite().contains(field)).map(MetricsFile.Epoch::epoch).toList();
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
