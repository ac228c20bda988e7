package io.moescope.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The minor page faults this process has taken, from Linux's /proc/self/stat. A forward pass on the
 * java backend allocates its activations afresh; where the heap keeps growing into memory never
 * touched, every new 4 KB page costs a fault in the kernel, which can take a large share of a pass
 * (and shows as system time). The benchmark reports them per timed pass so that this is seen.
 */
final class PageFaults {
    private static final Path STAT = Path.of("/proc/self/stat");

    private PageFaults() {}

    /** The count so far, or empty where there is no /proc (not Linux) or it cannot be read. */
    static OptionalLong minor() {
        try {
            return parse(Files.readString(STAT));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * minflt, the 10th field of a stat line. The 2nd, the command name in parentheses, may itself
     * hold spaces and parentheses, so fields are counted from after the last ')'.
     */
    static OptionalLong parse(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) return OptionalLong.empty();
        String[] rest = stat.substring(close + 1).strip().split("\\s+");
        // rest[0] is field 3 (state), so field 10 is rest[7].
        if (rest.length < 8) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(rest[7]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
