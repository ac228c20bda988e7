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
 * @param window  0 for full causal attention; else key j is visible from query i when i - j &lt; window
 */
public record AttentionSpec(int tokens, int heads, int kvHeads, int qkDim, int vDim, float scale, int window) {
    public AttentionSpec {
        if (heads % kvHeads != 0) throw new IllegalArgumentException("heads " + heads + " not a multiple of kv heads " + kvHeads);
    }

    /** Whether query i may attend to key j. */
    public boolean visible(int i, int j) {
        return j <= i && (window <= 0 || i - j < window);
    }
}
