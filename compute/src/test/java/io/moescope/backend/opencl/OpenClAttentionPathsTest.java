package io.moescope.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.ContractBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * OpenCL's two ways of computing the attention gradients, each against the java backend as the
 * contract test holds every backend to: the tiled products, which PoCL and GPUs run, and the first
 * kernels (per-row probabilities, per-value products), for devices of fewer than 256 work-items a group.
 */
class OpenClAttentionPathsTest {

    @Test
    void thisDeviceRunsTheTiledProducts() {
        assertTrue(AttentionOps.tiledBackward(OpenClTesting.backend().context()), "this device runs the tiled products");
    }

    @ParameterizedTest
    @CsvSource({"7,4,2,0", "70,2,2,40"})
    void attentionBackwardByTheFirstKernels(int T, int H, int Hkv, int window) {
        boolean before = AttentionOps.flash;
        AttentionOps.flash = false;
        try {
            assertFalse(AttentionOps.tiledBackward(OpenClTesting.backend().context()));
            ContractBackends.attentionBackward("opencl", OpenClTesting.backend(), T, H, Hkv, 24, 16, window);
        } finally {
            AttentionOps.flash = before;
        }
    }
}
