package io.moescope.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.moescope.backend.Tensor;
import org.junit.jupiter.api.Test;

/** The backend opens, lists its device, and moves data both ways. */
class OpenClSmokeTest {
    @Test
    void opensAndRoundTrips() {
        OpenClBackend b = OpenClTesting.backend();
        assertFalse(OpenClBackend.devices().isEmpty());
        float[] v = {1, 2, 3, -4.5f, 5, 6};
        try (Tensor t = b.upload(v, 2, 3)) {
            assertArrayEquals(v, b.download(t));
            try (Tensor r = b.reshape(t, 3, 2)) {
                assertArrayEquals(v, b.download(r));
            }
        }
        int[] ids = {7, 0, -3};
        try (Tensor t = b.uploadInts(ids, 3)) {
            assertArrayEquals(ids, b.downloadInts(t));
        }
    }
}
