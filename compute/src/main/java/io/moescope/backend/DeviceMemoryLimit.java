package io.moescope.backend;

import java.util.Locale;

/**
 * A budget of device memory the user sets for the GPU backends, for sharing a GPU with other work
 * (and for testing what happens when the device fills). Read when a backend opens, from the system
 * property {@value #PROPERTY}; the command line's {@code --device-memory} and the launcher set it.
 */
public final class DeviceMemoryLimit {
    private DeviceMemoryLimit() {}

    public static final String PROPERTY = "moescope.deviceMemory";

    /** The limit in bytes, or Long.MAX_VALUE when none is set. */
    public static long current() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) return Long.MAX_VALUE;
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property " + PROPERTY + ": " + e.getMessage(), e);
        }
    }

    /**
     * Bytes, or a number with a unit: 512m, 1.5g, 64k (binary units; "b", "kb", "mib" and so on also accepted).
     *
     * @throws IllegalArgumentException naming the value when it is not a positive size
     */
    public static long parse(String value) {
        String s = value.strip().toLowerCase(Locale.ROOT).replaceAll("i?b$", "");
        long unit = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                case 't' -> unit = 1L << 40;
                default -> unit = 1;
            }
            if (unit > 1) s = s.substring(0, s.length() - 1).strip();
        }
        double n;
        try {
            n = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            n = Double.NaN;
        }
        if (!(n > 0) || n * unit >= Long.MAX_VALUE || s.contains("e") || s.contains("x")) {
            throw new IllegalArgumentException("'" + value + "' is not a memory size (examples: 512m, 2g, 1048576)");
        }
        return Math.max(1, (long) (n * unit));
    }
}
