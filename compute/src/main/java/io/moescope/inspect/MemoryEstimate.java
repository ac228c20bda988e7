package io.moescope.inspect;

import io.moescope.backend.java.JavaBackend;
import io.moescope.checkpoint.Checkpoint;
import io.moescope.checkpoint.DType;
import io.moescope.model.ModelConfig;
import io.moescope.model.ModelLoader;
import java.util.Locale;
import java.util.Map;

/**
 * What one inspect run needs in memory, estimated from the config and the stored dtypes before
 * anything is loaded, so that a run that cannot fit is refused with the numbers instead of dying in
 * an OutOfMemoryError half-way. Every figure is in bytes and saturates at Long.MAX_VALUE, so that a
 * hostile config gives a huge estimate rather than an overflow.
 *
 * @param weightCopies weights held on the heap: the java backend's float32 panels, kept up to its
 *                     limit ({@link JavaBackend#panelBytesLimit()}) and repacked from the mapping
 *                     beyond it. The checkpoint itself is memory-mapped, file-backed, and not counted:
 *                     the system pages it in and out as the run reads it
 * @param activations  the forward pass's tensors on the backend: the probes until they are brought
 *                     back, plus the working tensors of one layer
 * @param probes       the host copies of attention maps, hidden states, logits and router outputs
 * @param gradients    a gradient per parameter, its host copy and backward's working tensors; 0 without gradients
 * @param largestArray elements of the largest single array the run makes: Java arrays stop below 2^31
 */
public record MemoryEstimate(long weightCopies, long activations, long probes, long gradients, long largestArray) {

    /** The most elements a Java array can hold on common JVMs. */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    public static MemoryEstimate of(Checkpoint ckpt, int tokens, boolean grads) {
        return of(ModelLoader.config(ckpt), ckpt.dtypeCounts(), tokens, grads);
    }

    public static MemoryEstimate of(ModelConfig c, Map<DType, Long> storedParameters, int tokens, boolean grads) {
        long T = tokens, D = c.hiddenSize(), V = c.vocabSize(), L = c.numLayers(), H = c.numHeads();
        long moeLayers = c.moeLayerCount(), E = c.numExperts(), k = c.topK();
        long attentionMap = mul(H, T, T);
        long probes = add(mul(L, attentionMap), mul(L + 1, T, D), mul(T, V),
                mul(moeLayers, T, add(E, mul(2, k))),        // router logits, top-k ids and weights
                mul(moeLayers, T, 2 * D));                   // MoE block inputs and outputs
        long headWidth = Math.max(c.qkHeadDim(), c.valueHeadDim());
        long working = mul(T, add(mul(4, H, headWidth), mul(3, k, c.moeIntermediateSize()),
                mul(3, c.sharedIntermediateSize()), mul(8, Math.max(D, Math.max(E, c.intermediateSize())))));
        long parameters = 0;
        for (long n : storedParameters.values()) parameters = add(parameters, n);
        long panels = Math.min(bytes(parameters), JavaBackend.panelBytesLimit());
        long activations = add(probes, working);
        long gradients = grads ? add(mul(2, parameters), activations) : 0;
        long largest = Math.max(attentionMap, Math.max(mul(T, V), mul(T, Math.max(D, E))));
        if (grads) largest = Math.max(largest, mul(V, D));
        return new MemoryEstimate(panels, bytes(activations), bytes(probes), bytes(gradients), largest);
    }

    /** The same run on weights already loaded: their copies are in the heap's use already. */
    public MemoryEstimate withoutWeightCopies() {
        return new MemoryEstimate(0, activations, probes, gradients, largestArray);
    }

    public long total() {
        return add(weightCopies, activations, probes, gradients);
    }

    /** One line, e.g. "1.2 GiB (packed weights 0.5 GiB + activations 0.4 GiB + probes 0.3 GiB)". */
    public String describe() {
        return gib(total()) + " (packed weights " + gib(weightCopies) + " + activations " + gib(activations)
                + " + probes " + gib(probes) + (gradients > 0 ? " + gradients " + gib(gradients) : "") + ")";
    }

    static String gib(long bytes) {
        if (bytes == Long.MAX_VALUE) return "more than 8 EiB";
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    private static long bytes(long floats) {
        return mul(4, floats);
    }

    private static long mul(long... factors) {
        long n = 1;
        for (long f : factors) {
            if (f <= 0) return 0;
            n = n > Long.MAX_VALUE / f ? Long.MAX_VALUE : n * f;
        }
        return n;
    }

    private static long add(long... terms) {
        long n = 0;
        for (long t : terms) n = n > Long.MAX_VALUE - t ? Long.MAX_VALUE : n + t;
        return n;
    }
}
