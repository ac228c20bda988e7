package io.moescope.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.Tensor;
import io.moescope.tensor.FloatTensor;
import org.junit.jupiter.api.Test;

/** The optimizer steps and helpers against values worked out by hand (see each test's comments). */
class TrainingOpsTest {
    private final JavaBackend b = new JavaBackend(2);

    private static void assertClose(double[] want, float[] got, double tol) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], tol, "at " + i);
    }

    @Test
    void adamWMatchesTorchOverTwoSteps() {
        // lr 0.01, betas (0.9, 0.999), eps 1e-8, weight decay 0.1. Step 1: p *= 1 - lr wd; m = 0.1 g,
        // v = 0.001 g^2; the bias-corrected step is lr * g / (|g| + eps) = ~0.01 sign(g), 0 where g = 0:
        // 1 * 0.999 - 0.01 = 0.989; -2 * 0.999 + 0.01 = -1.988; 0.5 * 0.999 = 0.4995.
        Tensor p = b.upload(new float[]{1f, -2f, 0.5f}, 3), m = b.zeros(3), v = b.zeros(3);
        b.adamW(p, b.upload(new float[]{0.1f, -0.2f, 0f}, 3), m, v, 0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, 1);
        assertClose(new double[]{0.989000001, -1.9880000005, 0.4995}, b.download(p), 2e-7);
        assertClose(new double[]{0.01, -0.02, 0}, b.download(m), 1e-8);
        assertClose(new double[]{1e-5, 4e-5, 0}, b.download(v), 1e-9);   // 1 - 0.999f is 0.001 to 1e-5 only
        // Step 2 with g = (0.3, 0.1, -0.4): for the first value p = 0.989000001 * 0.999 = 0.988011001,
        // m = 0.039, v = 9.999e-5, m_hat = 0.039 / 0.19, v_hat = 9.999e-5 / 0.001999, so
        // p -= 0.01 * 0.2052632 / (0.2236507 + 1e-8) = 0.0091778 -> 0.9788332.
        b.adamW(p, b.upload(new float[]{0.3f, 0.1f, -0.4f}, 3), m, v, 0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, 2);
        assertClose(new double[]{0.978833190, -1.983348630, 0.506441868}, b.download(p), 1e-6);
        assertClose(new double[]{0.039, -0.008, -0.04}, b.download(m), 1e-7);
        assertClose(new double[]{9.999e-5, 4.996e-5, 1.6e-4}, b.download(v), 1e-8);
    }

    @Test
    void lionStepsBySignOfTheInterpolatedMomentum() {
        // lr 0.01, betas (0.9, 0.99), weight decay 0.1. c = 0.9 m + 0.1 g = (0.055, 0.25, -0.09, 0), whose
        // sign moves p by -0.01 each after decay (x 0.999): 0.989, -2.008, 0.5095, and 2.997 where c = 0.
        // m = 0.99 m + 0.01 g = (0.0505, 0.295, -0.099, 0).
        Tensor p = b.upload(new float[]{1f, -2f, 0.5f, 3f}, 4), m = b.upload(new float[]{0.05f, 0.3f, -0.1f, 0f}, 4);
        b.lion(p, b.upload(new float[]{0.1f, -0.2f, 0f, 0f}, 4), m, 0.01f, 0.9f, 0.99f, 0.1f);
        assertClose(new double[]{0.989, -2.008, 0.5095, 2.997}, b.download(p), 1e-6);
        assertClose(new double[]{0.0505, 0.295, -0.099, 0}, b.download(m), 1e-7);
    }

    @Test
    void adamWRefusesStepZero() {
        Tensor p = b.zeros(2);
        assertThrows(IllegalArgumentException.class, () -> b.adamW(p, b.zeros(2), b.zeros(2), b.zeros(2), 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 0));
    }

    @Test
    void scaleFillAndSumOfSquares() {
        Tensor x = b.upload(new float[]{1f, -2f, 3f}, 3);
        b.scale(x, -0.5f);
        assertArrayEquals(new float[]{-0.5f, 1f, -1.5f}, b.download(x));
        assertEquals(0.25 + 1 + 2.25, b.sumOfSquares(x), 1e-12);
        b.fill(x, 0.25f);
        assertArrayEquals(new float[]{0.25f, 0.25f, 0.25f}, b.download(x));
        // Mapped weights (the model's) are read in place, and summed in double.
        Tensor mapped = b.upload(FloatTensor.of(new float[]{3f, 4f, 1e-4f}, 3));
        assertEquals(25.00000001, b.sumOfSquares(mapped), 1e-12);
    }

    @Test
    void mappedCheckpointWeightsAreNotWritable() {
        Tensor mapped = b.upload(FloatTensor.of(new float[]{1f, 2f}, 2));
        var e = assertThrows(IllegalArgumentException.class, () -> b.scale(mapped, 2f));
        assertTrue(e.getMessage().contains("not writable"), e.getMessage());
    }
}
