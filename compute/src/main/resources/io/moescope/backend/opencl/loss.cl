// Next-token cross-entropy and the softmax gradients, one work-group per row.

// log-sum-exp of row l[0..V), the sum in double where the device has it, as the reference does.
inline real row_logsumexp(__global const float* l, int V, __local float* mbuf, __local real* sbuf) {
    int lid = get_local_id(0);
    float mx = -INFINITY;
    for (int v = lid; v < V; v += RED_WG) mx = fmax(mx, l[v]);
    mx = group_max(mbuf, mx);
    real s = 0;
    for (int v = lid; v < V; v += RED_WG) s += exp((real) l[v] - (real) mx);
    s = group_sum(sbuf, s);
    return log(s) + mx;
}

// rowLoss[p] = lse(logits[p]) - logits[p][ids[p + 1]], for rows p < T - 1.
__kernel void next_token_loss_rows(__global const float* logits, __global const int* ids, int V,
                                   __global float* rowLoss) {
    __local float mbuf[RED_WG];
    __local real sbuf[RED_WG];
    int p = get_group_id(0);
    __global const float* l = logits + (long) p * V;
    real lse = row_logsumexp(l, V, mbuf, sbuf);
    if (get_local_id(0) == 0) rowLoss[p] = (float) (lse - l[ids[p + 1]]);
}

// One work-group: strided partial sums, then the fixed tree of group_sum, so the loss is the same on
// every run without one work-item walking all rows alone.
__kernel void mean_of(__global const float* values, int n, __global float* out) {
    __local real sbuf[RED_WG];
    real part = 0;
    for (int i = get_local_id(0); i < n; i += RED_WG) part += values[i];
    real total = group_sum(sbuf, part);
    if (get_local_id(0) == 0) out[0] = n < 1 ? NAN : (float) (total / n);
}

// scale / (T - 1) * (softmax(logits[p]) - onehot(ids[p + 1])) for p < T - 1; the last row is zero.
__kernel void next_token_loss_backward(__global const float* logits, __global const int* ids, int V, int T,
                                       float scale, __global float* dLogits) {
    __local float mbuf[RED_WG];
    __local real sbuf[RED_WG];
    int p = get_group_id(0), lid = get_local_id(0);
    __global float* dl = dLogits + (long) p * V;
    __global const float* l = logits + (long) p * V;
    // Every group, the last row's too, reaches the reduction's barriers: PoCL crashed (T = 2, V = 7)
    // when the last row's group returned before them.
    real lse = row_logsumexp(l, V, mbuf, sbuf);
    if (p == T - 1) {
        for (int v = lid; v < V; v += RED_WG) dl[v] = 0.0f;
        return;
    }
    real coef = (real) scale / (T - 1);
    int target = ids[p + 1];
    for (int v = lid; v < V; v += RED_WG) {
        real g = exp((real) l[v] - lse);
        if (v == target) g -= 1;
        dl[v] = (float) (g * coef);
    }
}

// d/dlogits of scale * sum_e c[e] softmax(logits[t])[e] = scale * s_e (c_e - sum_m s_m c_m).
__kernel void softmax_weighted_sum_backward(__global const float* logits, __global const float* c, int E, float scale,
                                            __global float* dLogits) {
    __local float mbuf[RED_WG];
    __local real sbuf[RED_WG];
    int t = get_group_id(0), lid = get_local_id(0);
    __global const float* l = logits + (long) t * E;
    __global float* dl = dLogits + (long) t * E;
    real lse = row_logsumexp(l, E, mbuf, sbuf);
    real dot = 0;
    for (int e = lid; e < E; e += RED_WG) dot += exp((real) l[e] - lse) * c[e];
    dot = group_sum(sbuf, dot);
    for (int e = lid; e < E; e += RED_WG) dl[e] = (float) (scale * exp((real) l[e] - lse) * (c[e] - dot));
}
