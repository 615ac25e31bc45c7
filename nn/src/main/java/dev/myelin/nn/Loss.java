package dev.myelin.nn;

import dev.myelin.core.Activation;
import dev.myelin.core.Named;
import java.util.Objects;

/**
 * The training loss, with the output activation it pairs with. Values come from
 * {@link dev.myelin.core.Losses} (PyTorch's mean conventions); gradients from the fused heads of
 * {@link dev.myelin.core.DenseOps}.
 */
public enum Loss implements Named {
    /** Binary cross-entropy on sigmoid outputs, mean over all m·n outputs; targets in [0, 1]. */
    BCE("bce"),
    /** Cross-entropy on softmax outputs, mean over the m rows; targets are class labels. */
    CE("ce"),
    /** Mean squared error over all m·n outputs, after any elementwise output activation. */
    MSE("mse");

    private final String id;

    Loss(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    /** Parses a name (case-insensitive); the error lists the valid names. */
    public static Loss parse(String s) {
        return Named.parse(Loss.class, "loss", s);
    }

    /** The output activation a new model gets for this loss: BCE → sigmoid, CE → softmax, MSE → identity. */
    public Activation outputActivation() {
        return switch (this) {
            case BCE -> Activation.SIGMOID;
            case CE -> Activation.SOFTMAX;
            case MSE -> Activation.IDENTITY;
        };
    }

    /**
     * Checks that a model whose last layer has activation {@code output} can be trained with this loss: BCE
     * needs sigmoid, CE softmax, MSE an elementwise activation. The one place this rule lives.
     *
     * @throws IllegalArgumentException naming the loss, the activation found and the loss that would fit
     */
    public void requireOutput(Activation output) {
        boolean fits = switch (this) {
            case BCE -> output == Activation.SIGMOID;
            case CE -> output == Activation.SOFTMAX;
            case MSE -> output.isElementwise();
        };
        if (!fits) {
            throw new IllegalArgumentException("loss " + id + " needs " + switch (this) {
                case BCE -> "a sigmoid";
                case CE -> "a softmax";
                case MSE -> "an elementwise (identity, sigmoid, tanh or relu)";
            } + " output layer, but the model's last layer is " + output.id() + " (its loss would be "
                    + forOutput(output).id() + ")");
        }
    }

    /**
     * BCE's targets are probabilities, as PyTorch's BCELoss requires: the {@code rows × cols} targets of {@code t}
     * from {@code off} (row-major) must lie in [0, 1]. The one place this rule lives.
     *
     * @param rowWord how the message names a row, before its number counted from 1 ("row", "the batch's row")
     * @throws IllegalArgumentException naming the first target outside, by row and column
     */
    public static void requireProbabilities(float[] t, int off, int rows, int cols, String rowWord) {
        Objects.requireNonNull(t, "targets are null");
        if (rows < 0 || cols < 0 || off < 0 || (long) off + (long) rows * cols > t.length) {
            throw new IllegalArgumentException(rows + " rows × " + cols + " targets from offset " + off + " do not fit"
                    + " in an array of " + t.length);
        }
        for (int i = 0; i < rows * cols; i++) {
            float v = t[off + i];
            if (!(v >= 0f && v <= 1f)) {
                throw new IllegalArgumentException("loss bce needs targets in [0, 1], but " + rowWord + " "
                        + (i / cols + 1) + " column " + (i % cols + 1) + " is " + v);
            }
        }
    }

    /** The loss a trained model's output layer implies: sigmoid → BCE, softmax → CE, anything else → MSE. */
    public static Loss forOutput(Activation output) {
        return switch (output) {
            case SIGMOID -> BCE;
            case SOFTMAX -> CE;
            default -> MSE;
        };
    }

    /** {@link #forOutput} of the model's last layer. */
    public static Loss forModel(Mlp model) {
        return forOutput(outputOf(model));
    }

    /** The activation of the model's last layer. */
    public static Activation outputOf(Mlp model) {
        return model.layers().get(model.layers().size() - 1).activation();
    }

    @Override
    public String toString() {
        return id;
    }
}
