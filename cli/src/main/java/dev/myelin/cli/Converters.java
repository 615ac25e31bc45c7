package dev.myelin.cli;

import dev.myelin.core.Activation;
import dev.myelin.nn.GradientConvention;
import dev.myelin.nn.Init;
import dev.myelin.nn.Loss;
import dev.myelin.nn.OptimizerSpec;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values parsed by the library's own {@code parse} methods, so the CLI and model files accept the same
 * names and the error lists them ("unknown loss 'x' (expected one of bce, ce, mse)").
 */
final class Converters {

    private Converters() {
    }

    /** Turns the parser's IllegalArgumentException into picocli's "Invalid value for option" error. */
    private abstract static class Parsing<T> implements ITypeConverter<T> {
        private final Function<String, T> parser;

        Parsing(Function<String, T> parser) {
            this.parser = parser;
        }

        @Override
        public T convert(String value) {
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class LossConverter extends Parsing<Loss> {
        LossConverter() {
            super(Loss::parse);
        }
    }

    /**
     * An element-wise activation (identity, sigmoid, tanh, relu: what {@code --activation} chooses for hidden
     * layers and for {@code bench}). Softmax is refused by name, and the list of names in the error leaves it
     * out: it acts on whole rows, so it is only ever the output layer that {@code --loss ce} makes.
     */
    static final class ActivationConverter extends Parsing<Activation> {
        ActivationConverter() {
            super(ActivationConverter::elementwise);
        }

        private static Activation elementwise(String name) {
            String choices = java.util.Arrays.stream(Activation.values()).filter(Activation::isElementwise)
                    .map(Activation::id).collect(java.util.stream.Collectors.joining(", "));
            Activation a;
            try {
                a = Activation.parse(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown activation '" + name + "' (expected one of " + choices
                        + ")");
            }
            if (!a.isElementwise()) {
                throw new IllegalArgumentException(a.id() + " is for the output layer only (it acts on whole rows;"
                        + " --loss ce puts it there); the element-wise activations are " + choices);
            }
            return a;
        }
    }

    static final class InitConverter extends Parsing<Init> {
        InitConverter() {
            super(Init::parse);
        }
    }

    static final class PresetConverter extends Parsing<Preset> {
        PresetConverter() {
            super(Preset::parse);
        }
    }

    static final class OptimizerConverter extends Parsing<OptimizerSpec.Kind> {
        OptimizerConverter() {
            super(OptimizerSpec.Kind::parse);
        }
    }

    static final class ScheduleConverter extends Parsing<Schedule> {
        ScheduleConverter() {
            super(Schedule::parse);
        }
    }

    static final class LogFormatConverter extends Parsing<LogFormat> {
        LogFormatConverter() {
            super(LogFormat::parse);
        }
    }

    /** {@code forward}, {@code backward} or {@code both} (bench). */
    static final class BenchOpsConverter extends Parsing<BenchCommand.Ops> {
        BenchOpsConverter() {
            super(BenchCommand.Ops::parse);
        }
    }

    /** {@code table} or {@code json} (bench). */
    static final class BenchFormatConverter extends Parsing<BenchCommand.Format> {
        BenchFormatConverter() {
            super(BenchCommand.Format::parse);
        }
    }

    /** {@code csv} or {@code json} (predict). */
    static final class PredictFormatConverter extends Parsing<PredictionWriter.Format> {
        PredictFormatConverter() {
            super(PredictionWriter.Format::parse);
        }
    }

    /** {@code mean} or {@code sum} (the document's rule). */
    static final class ConventionConverter extends Parsing<GradientConvention> {
        ConventionConverter() {
            super(GradientConvention::parse);
        }
    }
}
