package io.moescope.backend.ptx;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Device time per kernel, from CUDA events recorded around each launch while enabled (off by default:
 * the events cost a few microseconds a launch). {@link #drain} waits for the device and sums by kernel.
 */
final class KernelProfile {
    /** A kernel's launches and their summed device time. */
    record Entry(String kernel, int launches, double millis) {}

    private record Mark(String kernel, MemorySegment start, MemorySegment end) {}

    private final CudaDriver cu;
    private final List<Mark> marks = new ArrayList<>();
    private final ArrayDeque<MemorySegment> spare = new ArrayDeque<>();
    private volatile boolean enabled;

    KernelProfile(CudaDriver cu) {
        this.cu = cu;
    }

    void enable(boolean on) {
        enabled = on;
    }

    boolean enabled() {
        return enabled;
    }

    Object before(String kernel) {
        if (!enabled) return null;
        MemorySegment start = event(), end = event();
        cu.record(start);
        Mark m = new Mark(kernel, start, end);
        marks.add(m);
        return m;
    }

    void after(Object mark) {
        if (mark instanceof Mark m) cu.record(m.end());
    }

    private MemorySegment event() {
        return spare.isEmpty() ? cu.createEvent() : spare.pop();
    }

    /** Time per kernel since the last drain, slowest first. */
    synchronized List<Entry> drain() {
        cu.synchronize();
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Mark m : marks) {
            double[] s = sums.computeIfAbsent(m.kernel(), k -> new double[2]);
            s[0]++;
            s[1] += cu.elapsedMillis(m.start(), m.end());
            spare.push(m.start());
            spare.push(m.end());
        }
        marks.clear();
        List<Entry> out = new ArrayList<>();
        sums.forEach((k, s) -> out.add(new Entry(k, (int) s[0], s[1])));
        out.sort(Comparator.comparingDouble(Entry::millis).reversed());
        return out;
    }
}
