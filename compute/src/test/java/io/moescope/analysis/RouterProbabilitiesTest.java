package io.moescope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.moescope.model.ModelConfig.RouterKind;
import org.junit.jupiter.api.Test;

class RouterProbabilitiesTest {

    @Test
    void softmaxOfEqualLogitsIsUniformWithEntropyLnE() {
        float[] p = RouterProbabilities.of(RouterKind.SOFTMAX_TOPK, new float[]{3, 3, 3, 3}, 1, 4);
        for (float x : p) assertEquals(0.25f, x, 1e-7f);
        assertEquals(Math.log(4), Entropy.of(p, 0, 4), 1e-6);
    }

    @Test
    void softmaxByHand() {
        float[] p = RouterProbabilities.of(RouterKind.SOFTMAX_TOPK, new float[]{0, (float) Math.log(3)}, 1, 2);
        assertEquals(0.25f, p[0], 1e-6f);
        assertEquals(0.75f, p[1], 1e-6f);
    }

    @Test
    void sigmoidScoresAreNormalised() {
        // sigmoid(0) = 0.5, sigmoid(ln 3) = 0.75: normalised 0.4 and 0.6
        float[] p = RouterProbabilities.of(RouterKind.SIGMOID_GROUP_LIMITED, new float[]{0, (float) Math.log(3)}, 1, 2);
        assertEquals(0.4f, p[0], 1e-6f);
        assertEquals(0.6f, p[1], 1e-6f);
    }

    @Test
    void oneHotHasZeroEntropy() {
        assertEquals(0, Entropy.of(new float[]{0, 1, 0}, 0, 3), 0);
    }
}
