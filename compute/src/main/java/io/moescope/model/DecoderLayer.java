package io.moescope.model;

/** One pre-norm transformer layer: x + attn(norm(x)), then + ffn(norm(x)) with a dense or MoE ffn. */
public record DecoderLayer(int index, RmsNorm inputNorm, Attention attention, RmsNorm postAttentionNorm,
                           FeedForward dense, MoeBlock moe) {

    public boolean isMoe() {
        return moe != null;
    }
}
