package dev.myelin.nn;

/**
 * The per-element update rules of {@link Optimizer}, one plain float loop each over one parameter array p, its
 * gradient g and its state, over the elements {@code [from, to)}: no branches inside a loop and no calls but
 * {@link Math#sqrt}, so C2 can auto-vectorize them. Each element is updated on its own, so an array cut into ranges
 * (run on several threads) gets the same bits as one pass. Callers check the sizes; all arrays of a call have the
 * same length.
 *
 * <p>Float, not double: the parameters and gradients are float, PyTorch keeps Adam's m and v in the parameters'
 * float32 too, and a float loop is twice as wide in SIMD lanes. The per-step scalars (bias corrections, step
 * size) are computed in double by the caller and rounded once.
 */
final class UpdateRules {

    private UpdateRules() {
    }

    /** Coupled weight decay, PyTorch's {@code grad = grad + λ·p}, into the gradient array. */
    static void decay(float[] g, float[] p, float lambda, int from, int to) {
        for (int i = from; i < to; i++) {
            g[i] += lambda * p[i];
        }
    }

    /** Decoupled weight decay (AdamW): {@code p *= 1 − lr·λ}, with {@code factor = 1 − lr·λ}. */
    static void shrink(float[] p, float factor, int from, int to) {
        for (int i = from; i < to; i++) {
            p[i] *= factor;
        }
    }

    /** {@code p −= lr·g}: the document's update, in this exact float arithmetic. */
    static void sgd(float[] p, float[] g, float lr, int from, int to) {
        for (int i = from; i < to; i++) {
            p[i] -= lr * g[i];
        }
    }

    /**
     * The momentum buffer: {@code b = g} on the first step (PyTorch clones the gradient), else
     * {@code b = μ·b + g}.
     */
    static void accumulate(float[] b, float[] g, float mu, boolean first, int from, int to) {
        if (first) {
            System.arraycopy(g, from, b, from, to - from);
            return;
        }
        for (int i = from; i < to; i++) {
            b[i] = mu * b[i] + g[i];
        }
    }

    /** Nesterov's look-ahead step {@code p −= lr·(g + μ·b)}, after {@link #accumulate}. */
    static void nesterov(float[] p, float[] g, float[] b, float mu, float lr, int from, int to) {
        for (int i = from; i < to; i++) {
            p[i] -= lr * (g[i] + mu * b[i]);
        }
    }

    /**
     * One Adam step: {@code m = β1·m + (1−β1)·g}, {@code v = β2·v + (1−β2)·g²},
     * {@code p −= stepSize·m / (√v / √(1−β2^t) + ε)} with {@code stepSize = lr/(1−β1^t)} — PyTorch's
     * {@code addcdiv} form, so the bias corrections are two scalars and no m̂, v̂ arrays exist. The caller rounds
     * 1−β from the double β: {@code 1 − (float) 0.999} would carry a relative error of 1.3e-5 into v.
     */
    static void adam(float[] p, float[] g, float[] m, float[] v, float beta1, float oneMinusBeta1, float beta2,
                     float oneMinusBeta2, float stepSize, float sqrtCorrection2, float eps, int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g[i];
            float mi = beta1 * m[i] + oneMinusBeta1 * gi;
            float vi = beta2 * v[i] + oneMinusBeta2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] -= stepSize * (mi / ((float) Math.sqrt(vi) / sqrtCorrection2 + eps));
        }
    }
}
