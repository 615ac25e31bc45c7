package dev.myelin.nn;

/**
 * The learning rate of each epoch, from the base rate {@code lr0} of an {@link OptimizerSpec}: PyTorch's
 * schedulers in their closed forms, stepped once per epoch ({@code scheduler.step()} after every epoch).
 * {@code epoch} below counts the epochs already finished (PyTorch's {@code last_epoch}): 0 for the first epoch.
 *
 * <p>Each record checks its own fields; messages name them as the command line spells them.
 */
public sealed interface LrSchedule {

    /**
     * The rate for the epoch after {@code epoch} finished ones; computed in double.
     *
     * @throws IllegalArgumentException if {@code epoch} is negative
     */
    double learningRate(double lr0, int epoch);

    /** {@code epoch}, a count of finished epochs, checked: the closed forms would extrapolate a negative one. */
    private static int finished(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch counts the finished epochs, so it is at least 0, got " + epoch);
        }
        return epoch;
    }

    /** {@code lr = lr0} for every epoch. */
    record Constant() implements LrSchedule {
        @Override
        public double learningRate(double lr0, int epoch) {
            LrSchedule.finished(epoch);
            return lr0;
        }

        /** As the command line says it (messages compare schedules by it). */
        @Override
        public String toString() {
            return "--schedule constant";
        }
    }

    /**
     * PyTorch's {@code StepLR}: {@code lr = lr0·γ^⌊epoch / stepSize⌋}, so the rate drops at epochs stepSize,
     * 2·stepSize, … (counted from 0).
     */
    record Step(int stepSize, double gamma) implements LrSchedule {
        public Step {
            if (stepSize < 1) {
                throw new IllegalArgumentException("--lr-step-size must be at least 1, got " + stepSize);
            }
            if (!Double.isFinite(gamma) || gamma <= 0) {
                throw new IllegalArgumentException("--lr-gamma must be finite and greater than 0, got " + gamma);
            }
        }

        @Override
        public double learningRate(double lr0, int epoch) {
            return lr0 * Math.pow(gamma, LrSchedule.finished(epoch) / stepSize);
        }

        @Override
        public String toString() {
            return "--schedule step --lr-step-size " + stepSize + " --lr-gamma " + gamma;
        }
    }

    /**
     * PyTorch's {@code CosineAnnealingLR} in its closed form:
     * {@code lr = ηmin + (lr0 − ηmin)·(1 + cos(π·epoch / tMax)) / 2}, so lr0 at epoch 0 and ηmin at tMax. Past
     * tMax the cosine continues (the rate climbs back), as PyTorch's closed form does.
     */
    record Cosine(int tMax, double etaMin) implements LrSchedule {
        public Cosine {
            if (tMax < 1) {
                throw new IllegalArgumentException("--lr-t-max must be at least 1, got " + tMax);
            }
            if (!Double.isFinite(etaMin) || etaMin < 0) {
                throw new IllegalArgumentException("--lr-min must be finite and at least 0, got " + etaMin);
            }
        }

        @Override
        public double learningRate(double lr0, int epoch) {
            return etaMin + (lr0 - etaMin) * (1 + Math.cos(Math.PI * LrSchedule.finished(epoch) / tMax)) / 2;
        }

        /** The CLI's cosine runs over all of --epochs: that is what tMax is there. */
        @Override
        public String toString() {
            return "--schedule cosine over " + tMax + " epochs (--epochs) --lr-min " + etaMin;
        }
    }

    /**
     * A linear warm-up before {@code then}: {@code lr = then(lr0, epoch)·(epoch + 1)/(epochs + 1)} for
     * {@code epoch < epochs}, then {@code then(lr0, epoch)}. (The ramp starts at lr0/(epochs+1), never at 0, so
     * the first epoch still moves the parameters.) PyTorch's {@code LinearLR(start_factor=1/(epochs+1),
     * total_iters=epochs)} chained with the same schedule gives these rates, except after a cosine with
     * {@code etaMin > 0}: its chain applies the recursive form of the cosine to the warmed-up rate, which drifts
     * from the closed form (by 3 % in the third epoch, {@code epoch} 2, of lr0 0.1, ηmin 0.02, tMax 6, 3 warm-up
     * epochs, torch 1.13; docs/training.md has the five settings measured).
     */
    record Warmup(int epochs, LrSchedule then) implements LrSchedule {
        public Warmup {
            if (epochs < 1) {
                throw new IllegalArgumentException("--lr-warmup must be at least 1, got " + epochs);
            }
            java.util.Objects.requireNonNull(then, "schedule after the warm-up is null");
        }

        @Override
        public double learningRate(double lr0, int epoch) {
            double lr = then.learningRate(lr0, epoch); // which checks epoch
            return epoch < epochs ? lr * (epoch + 1.0) / (epochs + 1.0) : lr; // in double: epochs may be 2^31 − 1
        }

        @Override
        public String toString() {
            return "--lr-warmup " + epochs + " with " + then;
        }
    }
}
