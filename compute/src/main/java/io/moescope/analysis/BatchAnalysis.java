package io.moescope.analysis;

import java.nio.file.Path;
import java.util.List;

/**
 * Expert load and routing figures over a whole text file, processed in chunks of a fixed number
 * of tokens (each chunk one forward pass, as one training sequence would be).
 *
 * @param load              counts and balance figures summed over all chunks
 * @param chunkLoads        each chunk's own load; capacity applies per forward pass, so drops are summed over these
 * @param coActivation      per MoE layer, [E][E] summed over chunks
 * @param flows             top-1 transitions between consecutive MoE layers, summed over chunks
 * @param meanRouterEntropy per MoE layer, mean over all tokens, in nats
 * @param attentionEntropy  [layer][head], mean over chunks
 */
public record BatchAnalysis(Path file, long tokens, int chunkTokens, ExpertLoad load, List<ExpertLoad> chunkLoads,
                            List<long[][]> coActivation, List<ExpertFlow> flows, double[] meanRouterEntropy,
                            AttentionStats attentionEntropy) {

    public int chunks() {
        return chunkLoads.size();
    }

    /** Assignments a capacity factor would drop, over every chunk and MoE layer. */
    public long dropped(double capacityFactor) {
        long d = 0;
        for (ExpertLoad c : chunkLoads) d += c.dropped(capacityFactor);
        return d;
    }
}
