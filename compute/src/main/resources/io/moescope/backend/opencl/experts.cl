// Expert dispatch on the device. A slot s = t * k + j is token t's j-th choice. The dispatch
// orders slots by expert, and by token within an expert, so each expert's gathered rows are one
// contiguous range [offsets[e], offsets[e + 1]) and every result is deterministic: order[p] is
// the slot of gathered row p and pos[s] the gathered row of slot s.

__kernel void expert_count(__global const int* index, int n, int E, __global int* counts) {
    int e = get_global_id(0);
    if (e >= E) return;
    int c = 0;
    for (int s = 0; s < n; s++) c += index[s] == e;
    counts[e] = c;
}

__kernel void expert_dispatch(__global const int* index, int n, int E, __global const int* counts,
                              __global int* offsets, __global int* order, __global int* pos) {
    int e = get_global_id(0);
    if (e >= E) return;
    int o = 0;
    for (int i = 0; i < e; i++) o += counts[i];
    offsets[e] = o;
    if (e == E - 1) offsets[E] = o + counts[e];
    int p = o;
    for (int s = 0; s < n; s++) {
        if (index[s] == e) {
            order[p] = s;
            pos[s] = p;
            p++;
        }
    }
}

// out[p] = x[token of slot order[p]], times that slot's weight when useWeight.
__kernel void gather_rows(__global const float* x, __global const int* order, __global const float* weight,
                          int useWeight, int k, int D, int n, __global float* out) {
    int i = get_global_id(0);
    if (i >= n * D) return;
    int p = i / D, d = i - p * D;
    int s = order[p];
    float v = x[(long) (s / k) * D + d];
    out[i] = useWeight ? weight[s] * v : v;
}

// out[t] = sum over t's slots, in slot order, of y[pos[s]] (times the slot's weight when useWeight).
// Slots whose expert was out of range (pos < 0) add nothing.
__kernel void combine_slots(__global const float* y, __global const int* pos, __global const float* weight,
                            int useWeight, int k, int D, int T, __global float* out) {
    int i = get_global_id(0);
    if (i >= T * D) return;
    int t = i / D, d = i - t * D;
    float acc = 0.0f;
    for (int j = 0; j < k; j++) {
        int s = t * k + j, p = pos[s];
        if (p < 0) continue;
        float v = y[(long) p * D + d];
        acc += useWeight ? weight[s] * v : v;
    }
    out[i] = acc;
}

// dWeight[s] = dOut[token of s] . y[pos[s]]
__kernel void slot_dots(__global const float* dOut, __global const float* y, __global const int* pos,
                        int k, int D, int n, __global float* dWeight) {
    int s = get_global_id(0);
    if (s >= n) return;
    int p = pos[s];
    float acc = 0.0f;
    if (p >= 0) {
        for (int d = 0; d < D; d++) acc += dOut[(long) (s / k) * D + d] * y[(long) p * D + d];
    }
    dWeight[s] = acc;
}
