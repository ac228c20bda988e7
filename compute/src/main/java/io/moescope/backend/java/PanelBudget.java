package io.moescope.backend.java;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bound on the weight panels kept between calls, least recently used dropped first. Panels are
 * float32 repackings of weights; a model whose panels fit (the benchmark model: 0.45 GB) keeps them
 * all and packs each weight once, while a 7 B model (28 GB of panels) repacks what it uses from the
 * mapping instead of filling the heap. Set with {@value #PROPERTY} (bytes, or e.g. 2g, 512m); by
 * default a quarter of the maximum heap.
 */
final class PanelBudget {
    static final String PROPERTY = "moescope.java.panelBytes";
    static final PanelBudget SHARED = new PanelBudget(configured());

    private final long limit;
    private final LinkedHashMap<PanelCache, Long> kept = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    PanelBudget(long limit) {
        this.limit = limit;
    }

    /** The bytes of panels this JVM keeps at most. */
    static long limit() {
        return SHARED.limit;
    }

    /** New panels of {@code size} bytes were packed for this cache: keep them, dropping the oldest beyond the limit. */
    synchronized void kept(PanelCache cache, long size) {
        Long old = kept.put(cache, size);
        bytes += size - (old == null ? 0 : old);
        Iterator<Map.Entry<PanelCache, Long>> it = kept.entrySet().iterator();
        while (bytes > limit && it.hasNext()) {
            Map.Entry<PanelCache, Long> e = it.next();
            if (e.getKey() == cache) continue;   // the panels being used now stay
            e.getKey().panels = null;
            bytes -= e.getValue();
            it.remove();
        }
    }

    /** The cache's panels were used again: they become the most recently used. */
    synchronized void used(PanelCache cache) {
        kept.get(cache);
    }

    private static long configured() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) return Runtime.getRuntime().maxMemory() / 4;
        String s = v.strip().toLowerCase(java.util.Locale.ROOT);
        long unit = s.endsWith("g") ? 1L << 30 : s.endsWith("m") ? 1L << 20 : s.endsWith("k") ? 1L << 10 : 1;
        try {
            return Long.parseLong(unit == 1 ? s : s.substring(0, s.length() - 1)) * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be a size such as 2g or 512m, got '" + v + "'");
        }
    }
}
