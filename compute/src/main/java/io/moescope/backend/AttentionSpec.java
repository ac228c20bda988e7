package io.moescope.backend;

/**
 * The shape and masking of one causal attention call.
 *
 * @param tokens  T
 * @param heads   query heads H
 * @param kvHeads key/value heads (H divisible by it; grouped-query attention when fewer)
 * @param qkDim   width of a query/key head
 * @param vDim    width of a value head
 * @param scale   factor on q.k before the softmax
 * @param pattern which keys each query sees: causal, a window, global tokens, top-k keys
 */
public record AttentionSpec(int tokens, int heads, int kvHeads, int qkDim, int vDim, float scale, AttentionPattern pattern) {
    public AttentionSpec {
        if (heads % kvHeads != 0) throw new IllegalArgumentException("heads " + heads + " not a multiple of kv heads " + kvHeads);
        if (pattern == null) throw new IllegalArgumentException("attention pattern is null");
        if (pattern.global() != null && pattern.global().length < tokens) {
            throw new IllegalArgumentException("global-token flags cover " + pattern.global().length + " positions, fewer than " + tokens + " tokens");
        }
    }

    /** Full causal attention, or a stride-1 sliding window of {@code window} tokens when above 0. */
    public AttentionSpec(int tokens, int heads, int kvHeads, int qkDim, int vDim, float scale, int window) {
        this(tokens, heads, kvHeads, qkDim, vDim, scale, AttentionPattern.window(window));
    }

    /** The window size (0 for none); for backends' plain-window fast path. */
    public int window() {
        return pattern.window();
    }

    /** The same call with another pattern. */
    public AttentionSpec withPattern(AttentionPattern p) {
        return new AttentionSpec(tokens, heads, kvHeads, qkDim, vDim, scale, p);
    }

    /** Whether query i may attend to key j (before any top-k selection). */
    public boolean visible(int i, int j) {
        return pattern.visible(i, j);
    }
}
