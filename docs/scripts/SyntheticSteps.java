import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import dev.myelin.nn.Init;
import dev.myelin.nn.Loss;
import dev.myelin.nn.Mlp;
import dev.myelin.nn.OptimizerSpec;
import dev.myelin.nn.TrainingStep;
import java.util.Random;

// The training step that StepLines and StepPhases time (java's launcher compiles this file beside them): the
// Fashion-MNIST model, 784-256-128-10, sigmoid, softmax cross-entropy, SGD lr 0.1, batch 128, torch init (seed 4),
// on 40 batches of synthetic data (uniform pixels, random labels, seed 21) held in one array, so the batches come
// from out of the caches, where the trainer gathers each just before its step; with -Dgather=true each batch is
// first copied into a 128-row buffer, as the trainer's gather leaves it.
final class SyntheticSteps {
    static final int BATCH = 128, IN = 784, BATCHES = 40, STEPS = 400;

    final float[] x = new float[BATCHES * BATCH * IN];
    final int[] labels = new int[BATCHES * BATCH];
    final Mlp model = Mlp.of(new int[] {IN, 256, 128, 10}, Activation.SIGMOID, Activation.SOFTMAX);
    final TrainingStep step;
    private final boolean gather = Boolean.getBoolean("gather");
    private final float[] batch = new float[BATCH * IN];
    private final int[] batchLabels = new int[BATCH];

    SyntheticSteps(DenseOps ops) {
        Random r = new Random(21);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(10);
        Init.TORCH.initialize(model, 4);
        step = new TrainingStep(model, Loss.CE, OptimizerSpec.sgd(0.1), BATCH, ops);
    }

    /** One round: STEPS steps, batch after batch; its time in nanoseconds. */
    long round() {
        long t0 = System.nanoTime();
        for (int s = 0; s < STEPS; s++) {
            int b = s % BATCHES;
            if (gather) {
                System.arraycopy(x, b * BATCH * IN, batch, 0, BATCH * IN);
                System.arraycopy(labels, b * BATCH, batchLabels, 0, BATCH);
                step.step(batch, 0, batchLabels, 0, BATCH, 0.1);
            } else {
                step.step(x, b * BATCH * IN, labels, b * BATCH, BATCH, 0.1);
            }
        }
        return System.nanoTime() - t0;
    }
}
