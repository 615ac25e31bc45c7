package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.myelin.core.Activation;
import dev.myelin.core.DenseOps;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A model that carries an {@link InputScaling}: {@link Mlp#predict} and {@link Evaluation} on raw inputs give what
 * the same model without it gives on inputs scaled beforehand, and the model file stores and restores it exactly.
 */
class InputScalingModelTest {

    private static final DenseOps OPS = DenseOps.of("scalar");

    @Test
    void predictAndEvaluationScaleRawInputsAsTrainingDid() {
        Random r = new Random(12);
        int rows = 300;
        float[] x = new float[rows * 3];
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            x[3 * i] = 1000 + 50 * (float) r.nextGaussian(); // far from [0, 1]: scaling matters
            x[3 * i + 1] = (float) r.nextGaussian();
            x[3 * i + 2] = 7f;                               // constant: only centred
            labels[i] = r.nextInt(2);
        }
        Dataset raw = Dataset.classes(x.clone(), rows, 3, labels, 2);
        Dataset scaled = Dataset.classes(x.clone(), rows, 3, labels, 2);
        InputScaling s = InputScaling.fit(scaled);
        s.apply(scaled);
        Mlp model = Mlp.of(new int[] {3, 4, 2}, Activation.TANH, Activation.SOFTMAX);
        Init.XAVIER.initialize(model, 2);

        float[] expected = model.predict(scaled.features(), rows, OPS);
        Evaluation plain = Evaluation.of(model, scaled, Loss.CE, OPS);
        model.setInputScaling(s);
        assertArrayEquals(expected, model.predict(raw.features(), rows, OPS), "predict scales a copy of raw inputs");
        assertArrayEquals(x, raw.features(), "and leaves them as they were");
        Evaluation withScaling = Evaluation.of(model, raw, Loss.CE, OPS);
        assertEquals(plain.loss(), withScaling.loss(), 0.0);
        assertEquals(plain.correct(), withScaling.correct());

        Mlp read = ModelFile.parse(ModelFile.toJson(model), "m.json");
        assertArrayEquals(s.mean(), read.inputScaling().mean(), 0f);
        assertArrayEquals(s.std(), read.inputScaling().std(), 0f);
        assertEquals(1f, read.inputScaling().std()[2], "a constant column's divisor is 1");
        assertArrayEquals(expected, read.predict(raw.features(), rows, OPS));
        assertTrue(ModelFile.toJson(model).contains("\"input_scaling\""));

        model.setInputScaling(null);
        assertNull(ModelFile.parse(ModelFile.toJson(model), "m.json").inputScaling(), "optional in the file");
        assertThrows(IllegalArgumentException.class, () -> model.setInputScaling(
                new InputScaling(new float[] {0, 0}, new float[] {1, 1})));
    }

    /** A view with a scaling shares the parameters and leaves the model's own scaling alone. */
    @Test
    void aViewWithAScalingSharesTheLayersAndLeavesTheModelAsItIs() {
        Mlp model = Mlp.of(new int[] {2, 3, 1}, Activation.TANH, Activation.SIGMOID);
        Init.XAVIER.initialize(model, 5);
        InputScaling s = new InputScaling(new float[] {10, -2}, new float[] {4, 0.5f});
        Mlp view = model.withInputScaling(s);
        assertNull(model.inputScaling());
        assertEquals(s, view.inputScaling());
        for (int l = 0; l < 2; l++) {
            assertTrue(view.layers().get(l) == model.layers().get(l), "layer " + (l + 1) + " shared");
        }
        model.layers().get(0).weights()[0] += 1f; // a later update shows through the view
        assertEquals(model.layers().get(0).weights()[0], view.layers().get(0).weights()[0]);
        assertTrue(ModelFile.toJson(view).contains("\"input_scaling\""));
        assertTrue(!ModelFile.toJson(model).contains("\"input_scaling\""));
        assertThrows(IllegalArgumentException.class, () -> model.withInputScaling(
                new InputScaling(new float[] {0, 0, 0}, new float[] {1, 1, 1})));
    }

    @Test
    void aBadScalingInTheFileIsNamed() {
        Mlp model = Mlp.of(new int[] {2, 1}, Activation.SIGMOID, Activation.SIGMOID);
        String json = ModelFile.toJson(model);
        String base = json.substring(0, json.lastIndexOf('}'));
        assertMessage("m.json: input_scaling: \"std\" must be an array of 2 numbers (one per input), found 1 values",
                base + ",\"input_scaling\":{\"mean\":[0,0],\"std\":[1]}}");
        assertMessage("m.json: input_scaling: std[1] is 0.0; a divisor must be > 0",
                base + ",\"input_scaling\":{\"mean\":[0,0],\"std\":[1,0]}}");
        assertMessage("m.json: input_scaling: missing field \"std\"", base + ",\"input_scaling\":{\"mean\":[0,0]}}");
    }

    private static void assertMessage(String expected, String json) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.parse(json, "m.json"));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
