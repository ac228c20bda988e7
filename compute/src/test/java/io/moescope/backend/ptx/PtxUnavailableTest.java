package io.moescope.backend.ptx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moescope.backend.BackendUnavailableException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Runs everywhere: without the NVIDIA driver, opening the backend says what to install. */
class PtxUnavailableTest {

    @Test
    void aMissingDriverLibraryIsNamedWithWhatToInstall() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> PtxBackend.open("libcuda-not-installed-here.so.1", 0));
        assertTrue(e.getMessage().contains("libcuda-not-installed-here.so.1"), e.getMessage());
        assertTrue(e.getMessage().contains("install the NVIDIA GPU driver"), e.getMessage());
    }

    @Test
    void withoutTheDriverOpenAndDevicesSayWhatToInstall() {
        Assumptions.assumeFalse(PtxTesting.driverPresent(), "this machine has the NVIDIA driver");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, PtxBackend::open);
        assertTrue(e.getMessage().contains("libcuda.so.1") && e.getMessage().contains("NVIDIA GPU driver"), e.getMessage());
        BackendUnavailableException d = assertThrows(BackendUnavailableException.class, PtxBackend::devices);
        assertTrue(d.getMessage().contains("libcuda.so.1"), d.getMessage());
    }

    @Test
    void poolSizeClassesWasteAtMostAnEighth() {
        for (long b : new long[]{1, 511, 512, 513, 1000, 4096, 4097, 1 << 20, (1 << 20) + 1, 123_456_789L}) {
            long c = DevicePool.sizeClass(b);
            assertTrue(c >= b && (c <= 512 || c - b <= b / 8 + 1), b + " -> " + c);
        }
    }
}
