package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Myelin's document setup follows the document's own numpy program epoch by epoch.
 *
 * <p>Expected data: {@code src/test/resources/seed/document-trajectory.csv}, produced by running the document's
 * section-4 program ({@code document_program.py} beside it: the program verbatim, except that it starts from
 * W = [[0.5],[0.25]], b = [[0.125]] instead of {@code np.random.rand}, and records instead of printing) with
 * {@code python3 document_program.py > document-trajectory.csv}, in float64. Per epoch it holds the printed loss
 * (which lacks the minus sign, so it is −BCE) and W, b after that epoch's update.
 *
 * <p>Tolerances: Myelin computes in float32, numpy in float64. One epoch's values have relative rounding error
 * of a few float ulps (~1e-7); over 1000 epochs the iteration is contractive near its fixed point
 * (W, b → 0, where the loss is ln 2), so errors do not grow. Measured worst cases (scalar and vector kernels):
 * loss 7.2e-8, parameters 1.5e-7 — so 1e-6 absolute for both keeps a 7× margin, while an error in the update
 * rule (a missing or extra 1/m, a sign, the bias sum) is off by 1e-2 within a few epochs.
 */
class DocumentTrajectoryTest {

    private static final double LOSS_TOLERANCE = 1e-6;
    private static final double PARAMETER_TOLERANCE = 1e-6;

    private record Row(int epoch, double printedLoss, double w0, double w1, double b) {
    }

    static Stream<Arguments> kernels() {
        return Stream.of(
                Arguments.of("scalar", (Supplier<DenseOps>) () -> DenseOps.of("scalar")),
                Arguments.of("default", (Supplier<DenseOps>) DenseOps::defaults));
    }

    private static List<Row> expected() throws IOException {
        List<Row> rows = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Objects.requireNonNull(
                DocumentTrajectoryTest.class.getResourceAsStream("/seed/document-trajectory.csv")),
                StandardCharsets.UTF_8))) {
            assertEquals("epoch,printed_loss,w0_after,w1_after,b_after", in.readLine());
            String line;
            while ((line = in.readLine()) != null) {
                String[] c = line.split(",");
                rows.add(new Row(Integer.parseInt(c[0]), Double.parseDouble(c[1]), Double.parseDouble(c[2]),
                        Double.parseDouble(c[3]), Double.parseDouble(c[4])));
            }
        }
        assertEquals(1000, rows.size());
        return rows;
    }

    @ParameterizedTest(name = "{0} kernel")
    @MethodSource("kernels")
    void followsTheDocumentsProgramEveryEpoch(String kernelName, Supplier<DenseOps> kernel) throws IOException {
        List<Row> expected = expected();
        Dense unit = new Dense(2, 1, Activation.SIGMOID);
        unit.weights()[0] = 0.5f;
        unit.weights()[1] = 0.25f;
        unit.bias()[0] = 0.125f;
        Mlp model = new Mlp(List.of(unit));
        TrainingConfig config = new TrainingConfig(Loss.BCE, 1000, 0, 0.1f, 0, GradientConvention.DOCUMENT_SUM);

        double[] worst = new double[2];
        List<Integer> seen = new ArrayList<>();
        TrainingResult result = new Trainer(kernel.get()).fit(model, Dataset.xor(), config, (epoch, loss) -> {
            Row row = expected.get(epoch - 1);
            assertEquals(row.epoch(), epoch);
            seen.add(epoch);
            String at = kernelName + " kernel, epoch " + epoch;
            assertEquals(-row.printedLoss(), loss, LOSS_TOLERANCE, at + ": loss");
            assertEquals(row.w0(), unit.weights()[0], PARAMETER_TOLERANCE, at + ": W[0][0] after the update");
            assertEquals(row.w1(), unit.weights()[1], PARAMETER_TOLERANCE, at + ": W[1][0] after the update");
            assertEquals(row.b(), unit.bias()[0], PARAMETER_TOLERANCE, at + ": b after the update");
            worst[0] = Math.max(worst[0], Math.abs(-row.printedLoss() - loss));
            worst[1] = Math.max(worst[1], Math.max(Math.abs(row.b() - unit.bias()[0]),
                    Math.max(Math.abs(row.w0() - unit.weights()[0]), Math.abs(row.w1() - unit.weights()[1]))));
        });
        assertEquals(1000, seen.size());
        assertEquals(1000, result.epochs());
        assertEquals(-expected.get(999).printedLoss(), result.finalLoss(), LOSS_TOLERANCE);
        System.out.printf("document trajectory, %s kernel: worst loss error %.3g, worst parameter error %.3g%n",
                kernelName, worst[0], worst[1]);
    }

    /**
     * The optimizer layer must not change the document's arithmetic: a default (plain SGD) config gives, bit for
     * bit, what the hand-written float update {@code p −= lr·g} gives from the same gradients, every epoch.
     */
    @ParameterizedTest(name = "{0} kernel")
    @MethodSource("kernels")
    void plainSgdIsTheDocumentsFloatUpdateBitForBit(String kernelName, Supplier<DenseOps> kernel) {
        Dense unit = new Dense(2, 1, Activation.SIGMOID);
        unit.weights()[0] = 0.5f;
        unit.weights()[1] = 0.25f;
        unit.bias()[0] = 0.125f;
        Mlp trained = new Mlp(List.of(unit));
        Mlp byHand = trained.copy();
        Dense hand = byHand.layers().get(0);
        Trainer trainer = new Trainer(kernel.get());
        float lr = 0.1f;
        trainer.fit(trained, Dataset.xor(), new TrainingConfig(Loss.BCE, 1000, 0, lr, 0,
                GradientConvention.DOCUMENT_SUM), (epoch, loss) -> {
                    trainer.computeGradients(byHand, Dataset.xor(), Loss.BCE, GradientConvention.DOCUMENT_SUM);
                    for (int i = 0; i < 2; i++) {
                        hand.weights()[i] -= lr * hand.weightGradient()[i];
                    }
                    hand.bias()[0] -= lr * hand.biasGradient()[0];
                    String at = kernelName + " kernel, epoch " + epoch;
                    assertArrayEquals(hand.weights(), unit.weights(), at + ": W");
                    assertArrayEquals(hand.bias(), unit.bias(), at + ": b");
                });
    }
}
