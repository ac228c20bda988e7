// Expert dispatch on the device. A slot s = t * k + j is token t's j-th choice. The dispatch
// orders slots by expert, and by token within an expert, so each expert's gathered rows are one
// contiguous range [offsets[e], offsets[e + 1]) and every result is deterministic: order[p] is
// the slot of gathered row p and pos[s] the gathered row of slot s.

// One work-group per expert: counts[e] = the slots that chose e.
__kernel void expert_count(__global const int* index, int n, __global int* counts) {
    __local int part[RED_WG];
    int e = get_group_id(0), lid = get_local_id(0);
    int c = 0;
    for (int s = lid; s < n; s += RED_WG) c += index[s] == e;
    part[lid] = c;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = RED_WG / 2; h > 0; h >>= 1) {
        if (lid < h) part[lid] += part[lid + h];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) counts[e] = part[0];
}

// One work-group per expert: its offset and first row tile of GEMM_BM rows (tileStart, for the grouped
// products in gemm.cl), then its slots in token order, RED_WG at a time, each placed by a prefix sum.
__kernel void expert_dispatch(__global const int* index, int n, int E, __global const int* counts,
                              __global int* offsets, __global int* tileStart, __global int* order, __global int* pos) {
    __local int scan[RED_WG];
    int e = get_group_id(0), lid = get_local_id(0);
    int o = 0, ts = 0;
    for (int i = 0; i < e; i++) {
        o += counts[i];
        ts += (counts[i] + GEMM_BM - 1) / GEMM_BM;
    }
    if (lid == 0) {
        offsets[e] = o;
        tileStart[e] = ts;
        if (e == E - 1) {
            offsets[E] = o + counts[e];
            tileStart[E] = ts + (counts[e] + GEMM_BM - 1) / GEMM_BM;
        }
    }
    int p = o;
    for (int s0 = 0; s0 < n; s0 += RED_WG) {
        int s = s0 + lid, hit = s < n && index[s] == e;
        scan[lid] = hit;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int d = 1; d < RED_WG; d <<= 1) {
            int v = lid >= d ? scan[lid - d] : 0;
            barrier(CLK_LOCAL_MEM_FENCE);
            scan[lid] += v;
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        if (hit) {
            int r = p + scan[lid] - 1;
            order[r] = s;
            pos[s] = r;
        }
        p += scan[RED_WG - 1];
        barrier(CLK_LOCAL_MEM_FENCE);   // everyone has read scan before the next chunk overwrites it
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
