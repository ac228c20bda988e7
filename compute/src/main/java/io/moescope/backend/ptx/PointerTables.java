package io.moescope.backend.ptx;

import io.moescope.backend.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Device arrays of device addresses, so that one launch can reach every expert's weights. A table
 * depends only on the addresses in it, so it is cached under them: weights keep their addresses while
 * they live, and the lookup costs no upload (which would wait for the device).
 */
final class PointerTables {
    private record Key(long[] addresses) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(addresses, k.addresses);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(addresses);
        }
    }

    private static final int CAPACITY = 512;

    private final Gpu gpu;
    private final Map<Key, PtxTensor> tables = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, PtxTensor> eldest) {
            // queued launches that read an evicted table are safe: its memory is reused only by later launches
            if (size() <= CAPACITY) return false;
            eldest.getValue().close();
            return true;
        }
    };

    PointerTables(Gpu gpu) {
        this.gpu = gpu;
    }

    @SafeVarargs
    final synchronized PtxTensor of(List<Tensor>... lists) {
        int n = 0;
        for (List<Tensor> l : lists) n += l.size();
        long[] a = new long[n];
        int i = 0;
        for (List<Tensor> l : lists) for (Tensor t : l) a[i++] = Gpu.t(t).ptr();
        return tables.computeIfAbsent(new Key(a), k -> gpu.uploadLongs(k.addresses()));
    }
}
