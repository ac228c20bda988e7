package io.moescope.backend.ptx;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Device time per kernel, from CUDA events recorded around each launch while enabled or while an
 * operation is being timed (off by default: the events cost a few microseconds a launch).
 * {@link #drain} waits for the device and sums by kernel, {@link #drainByOperation} by the
 * operation that was being timed ({@link io.moescope.backend.profile.DeviceTimer}); either takes
 * every launch recorded so far.
 */
final class KernelProfile {
    /** A kernel's launches and their summed device time. */
    record Entry(String kernel, int launches, double millis) {}

    private record Mark(String kernel, String op, MemorySegment start, MemorySegment end) {}

    private final CudaDriver cu;
    private final List<Mark> marks = new ArrayList<>();
    private final ArrayDeque<MemorySegment> spare = new ArrayDeque<>();
    private volatile boolean enabled;
    /** The operation launches count to, or null when none is being timed. */
    private volatile String op;

    KernelProfile(CudaDriver cu) {
        this.cu = cu;
    }

    void enable(boolean on) {
        enabled = on;
    }

    boolean enabled() {
        return enabled;
    }

    /** Launches from now on count to op (null: none), and are timed while it is set. */
    void timeAs(String op) {
        this.op = op;
    }

    synchronized Object before(String kernel) {
        String current = op;
        if (!enabled && current == null) return null;
        MemorySegment start = event(), end = event();
        cu.record(start);
        Mark m = new Mark(kernel, current, start, end);
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
    List<Entry> drain() {
        List<Entry> out = new ArrayList<>();
        sums(Mark::kernel).forEach((k, s) -> out.add(new Entry(k, (int) s[0], s[1])));
        out.sort(Comparator.comparingDouble(Entry::millis).reversed());
        return out;
    }

    /** Device nanoseconds per timed operation since the last drain (launches outside one go under "?"). */
    Map<String, Long> drainByOperation() {
        Map<String, Long> out = new LinkedHashMap<>();
        sums(m -> m.op() == null ? "?" : m.op()).forEach((op, s) -> out.put(op, Math.round(s[1] * 1e6)));
        return out;
    }

    /** {launches, milliseconds} per key of every mark so far, after waiting for the device; the marks are spent. */
    private synchronized Map<String, double[]> sums(Function<Mark, String> key) {
        cu.synchronize();
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Mark m : marks) {
            double[] s = sums.computeIfAbsent(key.apply(m), k -> new double[2]);
            s[0]++;
            s[1] += cu.elapsedMillis(m.start(), m.end());
            spare.push(m.start());
            spare.push(m.end());
        }
        marks.clear();
        return sums;
    }
}
