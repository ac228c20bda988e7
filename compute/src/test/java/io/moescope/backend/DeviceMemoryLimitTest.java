package io.moescope.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeviceMemoryLimitTest {

    @Test
    void sizesWithAndWithoutUnits() {
        assertEquals(1048576, DeviceMemoryLimit.parse("1048576"));
        assertEquals(64L << 10, DeviceMemoryLimit.parse("64k"));
        assertEquals(512L << 20, DeviceMemoryLimit.parse("512m"));
        assertEquals(512L << 20, DeviceMemoryLimit.parse(" 512MiB "));
        assertEquals(3L << 29, DeviceMemoryLimit.parse("1.5g"));
        assertEquals(6L << 30, DeviceMemoryLimit.parse("6GB"));
    }

    @Test
    void nonsenseIsRefusedNamingTheValue() {
        for (String bad : new String[]{"", "lots", "-1m", "0", "1e9", "0x10", "NaN", "Infinity", "99999999999t"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceMemoryLimit.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "' is not a memory size"), e.getMessage());
        }
    }

    @Test
    void unsetMeansNoLimitAndABadPropertyIsNamed() {
        String before = System.getProperty(DeviceMemoryLimit.PROPERTY);
        try {
            System.clearProperty(DeviceMemoryLimit.PROPERTY);
            assertEquals(Long.MAX_VALUE, DeviceMemoryLimit.current());
            System.setProperty(DeviceMemoryLimit.PROPERTY, "2m");
            assertEquals(2L << 20, DeviceMemoryLimit.current());
            System.setProperty(DeviceMemoryLimit.PROPERTY, "two");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, DeviceMemoryLimit::current);
            assertTrue(e.getMessage().startsWith("system property " + DeviceMemoryLimit.PROPERTY), e.getMessage());
        } finally {
            if (before == null) System.clearProperty(DeviceMemoryLimit.PROPERTY);
            else System.setProperty(DeviceMemoryLimit.PROPERTY, before);
        }
    }

    @Test
    void theMessageHasTheNumbers() {
        DeviceOutOfMemoryException e = new DeviceOutOfMemoryException("opencl", "pthread-cpu", 3L << 20, 5L << 20, 6L << 20, null);
        assertEquals("opencl: out of device memory (needed 8.0 MiB, limit 6.0 MiB) on pthread-cpu", e.getMessage());
        assertEquals("opencl: out of device memory (needed 8.0 MiB, limit 6.0 MiB) — running on the CPU instead", CpuFallback.notice(e));
        assertEquals("64.0 KiB", DeviceOutOfMemoryException.size(64L << 10));
        assertEquals("1.5 GiB", DeviceOutOfMemoryException.size(3L << 29));
    }
}
