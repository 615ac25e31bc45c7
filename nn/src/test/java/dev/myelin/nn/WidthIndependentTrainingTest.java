package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseKernel;
import dev.myelin.core.DenseOps;
import dev.myelin.core.dispatch.VectorSupport;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A model trained with the default kernel ({@code parallel}) comes out byte-identical with 128-, 256- and
 * 512-bit vectors and with 1 or 2 threads: what a user sees of the engine's width guarantee
 * ({@code EngineWidthBitsTest} checks each operation). Mini-batches of 7 rows (the unpacked few-rows forward)
 * and a last partial batch, a thin softmax head, every hidden activation, sigmoid + BCE and softmax + CE.
 */
class WidthIndependentTrainingTest {

    @ParameterizedTest(name = "{0} hidden, {1}")
    @CsvSource({"sigmoid, ce", "tanh, ce", "relu, ce", "tanh, bce"})
    void theTrainedModelIsTheSameAtEveryWidthAndThreadCount(String hidden, String lossName) {
        Loss loss = Loss.parse(lossName);
        int classes = loss == Loss.CE ? 3 : 1;
        Dataset data = data(203, 20, loss, new Random(11));
        String expected = null;
        String expectedBy = null;
        for (int bits : new int[] {128, 256, 512}) {
            for (int threads = 1; threads <= 2; threads++) {
                DenseKernel kernel = VectorSupport.parallelKernel(bits, threads).orElseThrow();
                Mlp model = Mlp.of(new int[] {20, 64, 32, classes}, Activation.parse(hidden), loss.outputActivation());
                Init.XAVIER.initialize(model, 5);
                new Trainer(DenseOps.of(kernel)).fit(model, data, new TrainingConfig(loss, 3, 7, 0.05f, 9), null);
                String json = ModelFile.toJson(model);
                if (expected == null) {
                    expected = json;
                    expectedBy = kernel.describe();
                } else {
                    assertEquals(expected, json, kernel.describe() + " trained another model than " + expectedBy);
                }
            }
        }
    }

    private static Dataset data(int rows, int inputs, Loss loss, Random r) {
        float[] x = new float[rows * inputs];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        if (loss == Loss.CE) {
            int[] labels = new int[rows];
            for (int i = 0; i < rows; i++) {
                labels[i] = r.nextInt(3);
            }
            return Dataset.classes(x, rows, inputs, labels, 3);
        }
        float[] t = new float[rows];
        for (int i = 0; i < rows; i++) {
            t[i] = r.nextInt(2);
        }
        return Dataset.regression(x, rows, inputs, t, 1);
    }
}
