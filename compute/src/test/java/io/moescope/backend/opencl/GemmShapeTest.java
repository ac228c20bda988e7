package io.moescope.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The GEMM work-group shape the user may set (-Dmoescope.opencl.gemm), and how a small device shrinks it. */
class GemmShapeTest {
    @Test
    void readsThreadsByWidthAndFitsTheDevicesWorkGroups() {
        assertArrayEquals(new int[]{8, 8}, ClContext.gemmShape("8x8", 1024));
        assertArrayEquals(new int[]{16, 4}, ClContext.gemmShape(" 16x4 ", 256));
        assertArrayEquals(new int[]{8, 4}, ClContext.gemmShape("16x4", 128), "16 x 16 work-items do not fit 128");
    }

    @Test
    void refusesWhatIsNotAShapeNamingTheProperty() {
        for (String bad : new String[]{"8", "8x6", "0x8", "ax8", "8x8x8", ""}) {
            var e = assertThrows(IllegalArgumentException.class, () -> ClContext.gemmShape(bad, 1024), bad);
            assertEquals("system property moescope.opencl.gemm: '" + bad + "' is not a GEMM shape THREADSxWIDTH,"
                    + " WIDTH a multiple of 4 (examples: 8x8, 16x4)", e.getMessage());
        }
    }
}
