package io.moescope.backend.opencl;

import io.moescope.backend.Rotary;
import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Rotary frequency tables uploaded once: the models pass the same Rotary (and so the same array)
 * to every rope call. Keyed weakly by the array, which compares by identity; a copy of the values
 * guards against an array changed in place since.
 */
final class RotaryTables {
    private record Entry(float[] values, OpenClTensor table) {}

    private final ClContext cl;
    private final Map<float[], Entry> tables = new WeakHashMap<>();

    RotaryTables(ClContext cl) {
        this.cl = cl;
    }

    synchronized OpenClTensor of(Rotary rotary) {
        float[] f = rotary.invFreq();
        Entry e = tables.get(f);
        if (e == null || !Arrays.equals(e.values, f)) {
            if (e != null) e.table.close();
            OpenClTensor t = cl.floats(f.length);
            cl.write(t.mem(), f);
            e = new Entry(f.clone(), t);
            tables.put(f, e);
        }
        return e.table;
    }
}
