package dev.myelin.nn;

import dev.myelin.core.Named;

/**
 * How the per-row gradients of a batch are combined.
 *
 * <p>With {@code m} rows in the batch and {@code n} outputs, the output-layer gradient {@code dZ} is scaled by:
 * <pre>
 *              MEAN          DOCUMENT_SUM
 *   BCE        1/(m·n)       1/n          dZ = (Y − T)·scale
 *   CE         1/m           1            dZ = (P − onehot)·scale
 *   MSE        2/(m·n)       2/n          dY = (Y − T)·scale, dZ = dY ⊙ act'(Y)
 * </pre>
 * so DOCUMENT_SUM is always the MEAN gradient multiplied by the batch size m. The reported loss is the same
 * (mean) value under both conventions.
 */
public enum GradientConvention implements Named {
    /**
     * The default: the gradient of the mean loss over the batch, as PyTorch's default {@code reduction='mean'}
     * (for BCE and MSE the mean runs over all m·n outputs, matching {@link dev.myelin.core.Losses}).
     */
    MEAN("mean"),
    /**
     * The document's rule: {@code dZ = Y − T} without the 1/m, {@code dW = Xᵀ·dZ}, {@code db = Σ dZ} summed over
     * the batch — the gradient of m times the mean loss. With one sigmoid output and BCE this is exactly the
     * document's update; its learning rate therefore acts m times more strongly than under MEAN.
     */
    DOCUMENT_SUM("sum");

    private final String id;

    GradientConvention(String id) {
        this.id = id;
    }

    /** {@code mean} or {@code sum}, as on the command line. */
    @Override
    public String id() {
        return id;
    }

    /** Parses {@code mean} or {@code sum} (case-insensitive); the error lists both. */
    public static GradientConvention parse(String s) {
        return Named.parse(GradientConvention.class, "gradient convention", s);
    }
}
