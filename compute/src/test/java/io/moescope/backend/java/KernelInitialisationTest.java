package io.moescope.backend.java;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

/**
 * The kernel choice does not depend on which class a JVM initialises first. When WeightPanels.Kernel
 * was initialised before WeightPanels (a test naming a kernel first), its constructor read a
 * WeightPanels constant, which ran WeightPanels' initialiser inside Kernel's, and KERNEL was set to a
 * constant not yet made: null, and every product after it failed.
 */
class KernelInitialisationTest {
    @Test
    void theKernelIsChosenWhicheverClassIsInitialisedFirst() throws Exception {
        URL classes = WeightPanels.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader fresh = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            Class.forName("io.moescope.backend.java.WeightPanels$Kernel", true, fresh);
            Class<?> panels = Class.forName("io.moescope.backend.java.WeightPanels", true, fresh);
            var kernel = panels.getDeclaredField("KERNEL");
            kernel.setAccessible(true);
            assertNotNull(kernel.get(null), "WeightPanels.KERNEL after Kernel was initialised first");
        }
    }
}
