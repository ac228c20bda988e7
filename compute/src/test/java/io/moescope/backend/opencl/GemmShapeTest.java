package io.moescope.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The GEMM tiles the user may set (-Dmoescope.opencl.gemm, -Dmoescope.opencl.gemm.narrow). */
class GemmShapeTest {
    @Test
    void readsTilesByDimensionsOrName() {
        assertEquals(new GemmConfig(128, 64, 16, 8, 4), GemmConfig.parse("p", " 128x64x16x8x4 "));
        assertEquals(GemmConfig.LARGE, GemmConfig.parse("p", "Large"));
        assertEquals(GemmConfig.SMALL, GemmConfig.parse("p", "small"));
        assertEquals(256, GemmConfig.LARGE.threads());
        assertEquals(" -D GEMM_BM=128 -D GEMM_BN=128 -D GEMM_BK=8 -D GEMM_TM=8 -D GEMM_TN=8", GemmConfig.LARGE.defines());
    }

    @Test
    void refusesWhatIsNotATileNamingTheProperty() {
        for (String bad : new String[]{"8", "16x4", "ax8x8x8x8", "128x128x8x8x8x8", "", "huge"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> GemmConfig.parse("moescope.opencl.gemm", bad), bad);
            assertEquals("system property moescope.opencl.gemm: '" + bad + "' is not a GEMM tile BMxBNxBKxTMxTN"
                    + " (such as 128x128x8x8x8) or one of large, medium, small", e.getMessage());
        }
    }

    @Test
    void refusesTilesTheKernelCannotRun() {
        // 6-wide micro-tiles, a K step not of whole float4s, and 1024 work-items for 32 float4s of a 16 x 8 tile
        for (String bad : new String[]{"96x96x8x6x6", "128x128x6x8x8", "128x128x8x4x4", "0x64x8x4x4"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> GemmConfig.parse("moescope.opencl.gemm", bad), bad);
            assertTrue(e.getMessage().startsWith("system property moescope.opencl.gemm: '" + bad + "': GEMM tile"), e.getMessage());
        }
    }
}
