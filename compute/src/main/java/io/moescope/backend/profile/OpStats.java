package io.moescope.backend.profile;

/** What the profiler saw of one operation: how often it ran, for how long, and how many bytes it moved. */
public record OpStats(String op, long calls, long totalNanos, long bytes) {

    public double totalMs() {
        return totalNanos / 1e6;
    }

    public double meanMs() {
        return calls == 0 ? 0 : totalMs() / calls;
    }
}
