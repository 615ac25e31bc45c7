package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.myelin.core.Activation;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer against PyTorch itself: the expected parameters were printed by
 * {@code src/test/resources/optim/torch_optimizers.py} (torch 1.13, CPU, float32; run with
 * {@code /usr/bin/python3 torch_optimizers.py}), which starts W and b of a 2×2 layer from the values below, sets
 * the three gradients below at steps 1, 2 and 3, and calls {@code opt.step()}.
 *
 * <p>Tolerance 2e-7 absolute on values of size ≤ 2, about one float ulp: both sides compute in float32. Measured:
 * Adam and AdamW agree to the bit or within 3e-9; SGD and momentum differ by up to one ulp (1.2e-7), because
 * PyTorch's vectorized {@code p.add_(b, alpha=−lr)} is a fused multiply-add (one rounding) while Myelin keeps the
 * document's {@code p −= lr·g} (two roundings, so the document trajectory stays bit-identical). A wrong rule — no
 * bias correction, decay in the wrong place, b not started at g, 1 − β rounded from a float β — is off by 1e-7 to
 * 1e-3 more.
 */
class OptimizerTorchTest {

    private static final float TOLERANCE = 2e-7f;

    private static final float[] W0 = {0.5f, -1.25f, 2.0f, 0.03125f};
    private static final float[] B0 = {-0.75f, 0.1f};
    private static final float[][] GRAD_W = {{0.2f, -0.4f, 1.5f, 0.0f}, {-0.1f, 0.6f, 1.25f, 0.01f},
            {0.05f, -0.3f, 0.9f, -0.02f}};
    private static final float[][] GRAD_B = {{0.3f, -0.05f}, {0.25f, 0.02f}, {-0.15f, 0.04f}};

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("sgd", OptimizerSpec.sgd(0.1),
                        new float[] {0.484999985f, -1.24000013f, 1.63499999f, 0.0322499983f, -0.790000021f,
                                0.0990000069f}),
                Arguments.of("sgd-wd", OptimizerSpec.sgd(0.1).withWeightDecay(0.05),
                        new float[] {0.477686912f, -1.2214427f, 1.60727108f, 0.0317885876f, -0.778381944f,
                                0.0974676162f}),
                Arguments.of("momentum", OptimizerSpec.momentum(0.1, 0.9),
                        new float[] {0.459800005f, -1.22560012f, 1.26600003f, 0.0313500017f, -0.863799989f,
                                0.105750002f}),
                Arguments.of("momentum-wd", OptimizerSpec.momentum(0.1, 0.9).withWeightDecay(0.05),
                        new float[] {0.446164429f, -1.19114637f, 1.21361101f, 0.0304821841f, -0.842158198f,
                                0.102872118f}),
                Arguments.of("nesterov", OptimizerSpec.nesterov(0.1, 0.9),
                        new float[] {0.448819995f, -1.21803999f, 0.974400103f, 0.0323400013f, -0.892419994f,
                                0.104174994f}),
                Arguments.of("adam", OptimizerSpec.adam(0.01),
                        new float[] {0.483932346f, -1.24178958f, 1.97045517f, 0.0269515011f, -0.774771094f,
                                0.111788556f}),
                Arguments.of("adam-wd", OptimizerSpec.adam(0.01).withWeightDecay(0.05),
                        new float[] {0.481167346f, -1.23925114f, 1.97040725f, 0.0152698047f, -0.773443222f,
                                0.109183021f}),
                Arguments.of("adam-betas", OptimizerSpec.adam(0.01).withBetas(0.8, 0.99).withEpsilon(1e-6),
                        new float[] {0.484841675f, -1.24235654f, 1.97067964f, 0.0272079948f, -0.77397722f,
                                0.110380836f}),
                Arguments.of("adamw-wd", OptimizerSpec.adamW(0.01).withWeightDecay(0.05),
                        new float[] {0.483194023f, -1.23992419f, 1.96747148f, 0.0269083679f, -0.773631692f,
                                0.111626901f}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void threeStepsMatchPyTorch(String name, OptimizerSpec spec, float[] torch) {
        Dense layer = new Dense(2, 2, Activation.IDENTITY);
        System.arraycopy(W0, 0, layer.weights(), 0, 4);
        System.arraycopy(B0, 0, layer.bias(), 0, 2);
        Optimizer optimizer = new Optimizer(spec, new Mlp(List.of(layer)));
        for (int t = 0; t < 3; t++) {
            System.arraycopy(GRAD_W[t], 0, layer.weightGradient(), 0, 4);
            System.arraycopy(GRAD_B[t], 0, layer.biasGradient(), 0, 2);
            optimizer.step(spec.learningRate(0));
        }
        float worst = 0;
        for (int i = 0; i < 6; i++) {
            float mine = i < 4 ? layer.weights()[i] : layer.bias()[i - 4];
            assertEquals(torch[i], mine, TOLERANCE, name + ", value " + i);
            worst = Math.max(worst, Math.abs(torch[i] - mine));
        }
        System.out.printf("%s: worst difference from PyTorch %.3g%n", name, worst);
    }
}
