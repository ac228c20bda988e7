package io.moescope.backend.profile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Adds up what operations report into a {@link Profile}. Safe to feed from several threads. */
public final class Profiler implements OpRecorder {
    private final Map<String, long[]> byOp = new LinkedHashMap<>();   // op -> {calls, nanos, bytes}
    private long uploadBytes;
    private long downloadBytes;

    @Override
    public synchronized void record(String op, long nanos, long bytes) {
        long[] s = byOp.computeIfAbsent(op, k -> new long[3]);
        s[0]++;
        s[1] += nanos;
        s[2] += bytes;
    }

    @Override
    public synchronized void deviceTime(String op, long nanos) {
        byOp.computeIfAbsent(op, k -> new long[3])[1] += nanos;
    }

    @Override
    public synchronized void uploaded(long bytes) {
        uploadBytes += bytes;
    }

    @Override
    public synchronized void downloaded(long bytes) {
        downloadBytes += bytes;
    }

    /** Forgets everything so far, e.g. the model's upload and warm-up runs before timed ones. */
    public synchronized void reset() {
        byOp.clear();
        uploadBytes = 0;
        downloadBytes = 0;
    }

    /** What was recorded until now. */
    public synchronized Profile snapshot() {
        List<OpStats> ops = new ArrayList<>();
        byOp.forEach((op, s) -> ops.add(new OpStats(op, s[0], s[1], s[2])));
        return new Profile(ops, uploadBytes, downloadBytes);
    }
}
