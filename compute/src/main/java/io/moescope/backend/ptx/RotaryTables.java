package io.moescope.backend.ptx;

import io.moescope.backend.Rotary;
import java.util.Map;
import java.util.WeakHashMap;

/** Each Rotary's inverse frequencies, uploaded once and kept as long as the Rotary's table lives. */
final class RotaryTables {
    private final Gpu gpu;
    private final Map<float[], PtxTensor> tables = new WeakHashMap<>();   // arrays hash by identity

    RotaryTables(Gpu gpu) {
        this.gpu = gpu;
    }

    synchronized PtxTensor of(Rotary rotary) {
        return tables.computeIfAbsent(rotary.invFreq(), f -> gpu.upload(f.clone(), f.length));
    }
}
