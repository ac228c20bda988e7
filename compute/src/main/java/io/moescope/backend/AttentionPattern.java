package io.moescope.backend;

import java.util.Arrays;

/**
 * Which keys each query may see, beyond causality. Key j is visible from query i when j &lt;= i and
 * at least one of: j is in a window with i, i or j is a global token. Then, when {@code keepTopK}
 * is above zero, each query keeps only its visible keys whose score is at least its k-th highest
 * visible score (ties at the threshold are all kept) and the softmax runs over those.
 *
 * <p>Windows: with stride 1, key j is in a window with query i when i - j &lt; window (Mixtral's
 * sliding window). With a larger stride the sequence is covered by windows of {@code window}
 * tokens starting every {@code stride} tokens (overlapping when stride &lt; window, blocks when
 * equal); j and i share one when i &lt; floor(j / stride) * stride + window. Window 0 means no
 * window limit at all.
 *
 * @param window   window size in tokens; 0 for unlimited (full causal attention)
 * @param stride   start-to-start distance of windows, 1 &lt;= stride &lt;= window (1 when window is 0)
 * @param global   per position, whether the token is global (sees and is seen by all others,
 *                 causally); null for none. Its length must cover the sequence.
 * @param keepTopK keys kept per query by score; 0 keeps all visible keys
 */
public record AttentionPattern(int window, int stride, boolean[] global, int keepTopK) {
    public static final AttentionPattern CAUSAL = new AttentionPattern(0, 1, null, 0);

    public AttentionPattern {
        if (window < 0) throw new IllegalArgumentException("window must be 0 (none) or positive, got " + window);
        if (stride < 1) throw new IllegalArgumentException("window stride must be at least 1, got " + stride);
        if (window > 0 && stride > window) throw new IllegalArgumentException("window stride " + stride + " exceeds window size " + window + ": some tokens would see nothing");
        if (window == 0 && stride != 1) throw new IllegalArgumentException("a stride needs a window size");
        if (keepTopK < 0) throw new IllegalArgumentException("keep-top-k must be 0 (all) or positive, got " + keepTopK);
        global = global == null ? null : global.clone();
    }

    /** Plain causal attention, or Mixtral's sliding window of {@code window} tokens (0 for none). */
    public static AttentionPattern window(int window) {
        return window == 0 ? CAUSAL : new AttentionPattern(window, 1, null, 0);
    }

    /** True for full causal attention or a stride-1 window: the masks every backend's fast path handles. */
    public boolean isPlainWindow() {
        return stride == 1 && global == null && keepTopK == 0;
    }

    /** Whether query i may attend to key j, before any top-k selection. */
    public boolean visible(int i, int j) {
        if (j > i) return false;
        if (global != null && (global[i] || global[j])) return true;
        if (window == 0) return true;
        return stride == 1 ? i - j < window : i < Math.floorDiv(j, stride) * stride + window;
    }

    @Override
    public boolean[] global() {
        return global == null ? null : global.clone();
    }

    /** Whether position t is global, without copying. */
    public boolean isGlobal(int t) {
        return global != null && global[t];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttentionPattern p && p.window == window && p.stride == stride && p.keepTopK == keepTopK
                && Arrays.equals(p.global, global);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * window + stride) + keepTopK) + Arrays.hashCode(global);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(window == 0 ? "causal" : "window " + window + (stride > 1 ? " stride " + stride : ""));
        if (global != null) {
            int n = 0;
            for (boolean g : global) if (g) n++;
            s.append(", ").append(n).append(" global tokens");
        }
        if (keepTopK > 0) s.append(", top-").append(keepTopK).append(" keys");
        return s.toString();
    }
}
