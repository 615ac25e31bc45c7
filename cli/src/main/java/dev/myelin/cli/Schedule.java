package dev.myelin.cli;

import dev.myelin.core.Named;
import dev.myelin.nn.LrSchedule;

/** {@code train --schedule}: the names of the learning-rate schedules ({@link LrSchedule}). */
enum Schedule implements Named {
    /** The same rate every epoch. */
    CONSTANT("constant"),
    /** PyTorch's StepLR: times {@code --lr-gamma} every {@code --lr-step-size} epochs. */
    STEP("step"),
    /** PyTorch's CosineAnnealingLR over all {@code --epochs}, down to {@code --lr-min}. */
    COSINE("cosine");

    private final String id;

    Schedule(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    static Schedule parse(String s) {
        return Named.parse(Schedule.class, "schedule", s);
    }

    /** The schedule for a run of {@code epochs} epochs, with an optional linear warm-up first. */
    LrSchedule of(int epochs, int stepSize, double gamma, double min, int warmup) {
        LrSchedule s = switch (this) {
            case CONSTANT -> new LrSchedule.Constant();
            case STEP -> new LrSchedule.Step(stepSize, gamma);
            case COSINE -> new LrSchedule.Cosine(Math.max(1, epochs), min); // bad --epochs: TrainingConfig says so
        };
        return warmup > 0 ? new LrSchedule.Warmup(warmup, s) : s;
    }

    @Override
    public String toString() {
        return id;
    }
}
