package io.moescope.inspect;

import io.moescope.checkpoint.DType;
import io.moescope.model.ModelConfig;
import java.util.Map;

/**
 * Memory of runs that build their model from a config instead of reading weights (bench, train),
 * estimated from the config alone before any weight is made, so that a config too large for the
 * heap, or for Java's arrays, is refused with the numbers as {@link RunLimits#checkMemory} refuses
 * inspect's. Every product saturates at Long.MAX_VALUE: a hostile config gives a huge estimate, never
 * an overflow.
 */
public final class ConfigMemory {
    private ConfigMemory() {}

    /** Parameters the config implies (embeddings, attention, experts, shared experts, norms, head). */
    public static long parameters(ModelConfig c) {
        long D = c.hiddenSize(), V = c.vocabSize(), H = c.numHeads(), KV = c.numKvHeads();
        long attention;
        if (c.architecture().usesMla()) {
            long qk = add(c.qkNopeHeadDim(), c.qkRopeHeadDim());
            long q = c.qLoraRank() > 0 ? add(mul(D, c.qLoraRank()), mul(c.qLoraRank(), H, qk)) : mul(D, H, qk);
            long kv = add(mul(D, add(c.kvLoraRank(), c.qkRopeHeadDim())), mul(c.kvLoraRank(), H, add(c.qkNopeHeadDim(), c.vHeadDim())));
            attention = add(q, kv, mul(H, c.vHeadDim(), D));
        } else {
            long hd = c.headDim();
            attention = add(mul(D, H, hd), mul(2, D, KV, hd), mul(H, hd, D));
        }
        long expert = mul(3, D, c.moeIntermediateSize());
        long moe = add(mul(c.numExperts(), expert), mul(D, c.numExperts()), mul(3, D, c.sharedIntermediateSize()), D);
        long dense = mul(3, D, c.intermediateSize());
        long moeLayers = c.moeLayerCount(), denseLayers = c.numLayers() - moeLayers;
        long layers = add(mul(c.numLayers(), add(attention, mul(2, D))), mul(moeLayers, moe), mul(denseLayers, dense));
        return add(mul(V, D), c.tieWordEmbeddings() ? 0 : mul(V, D), layers, D);
    }

    /**
     * One forward (and with {@code backward}, backward) pass of {@code tokens} tokens on weights
     * made in memory: the weights, the pass's activations and, with backward, a gradient per weight.
     */
    public static MemoryEstimate pass(ModelConfig c, int tokens, boolean backward) {
        long p = parameters(c);
        MemoryEstimate run = MemoryEstimate.of(c, Map.of(DType.F32, p), tokens, backward);
        // The weights are made, not mapped: they count in full.
        return new MemoryEstimate(mul(4, p), run.activations(), 0, run.gradients(), run.largestArray());
    }

    /** A training step: the pass with backward, plus the optimizer's moments (two a weight for AdamW, one for Lion). */
    public static MemoryEstimate training(ModelConfig c, int seqLen, int optimizerMoments) {
        MemoryEstimate pass = pass(c, seqLen, true);
        long moments = mul(4, optimizerMoments, parameters(c));
        return new MemoryEstimate(pass.weightCopies(), pass.activations(), 0, add(pass.gradients(), moments), pass.largestArray());
    }

    /** Saturating product: Long.MAX_VALUE instead of an overflow; 0 when a factor is 0 or less. */
    static long mul(long... factors) {
        long n = 1;
        for (long f : factors) {
            if (f <= 0) return 0;
            n = n > Long.MAX_VALUE / f ? Long.MAX_VALUE : n * f;
        }
        return n;
    }

    static long add(long... terms) {
        long n = 0;
        for (long t : terms) n = n > Long.MAX_VALUE - t ? Long.MAX_VALUE : n + t;
        return n;
    }
}
