// RMSNorm over consecutive groups of d values, one work-group per group.

__kernel void rms_norm(__global const float* x, __global const float* w, __global float* out, int d, float eps) {
    __local real buf[RED_WG];
    int lid = get_local_id(0);
    long o = (long) get_group_id(0) * d;
    real ss = 0;
    for (int i = lid; i < d; i += RED_WG) ss += (real) x[o + i] * x[o + i];
    ss = group_sum(buf, ss);
    float inv = (float) ((real) 1 / sqrt((real) ((float) ss / d + eps)));
    for (int i = lid; i < d; i += RED_WG) out[o + i] = w[i] * (x[o + i] * inv);
}

// y = w x r with r = (mean(x^2) + eps)^-1/2, so dx = r (w dy) - x r^3 / d * sum(w dy x).
// Each group's r goes to rInv for the weight gradient, which sums over groups per column.
__kernel void rms_norm_backward(__global const float* dy, __global const float* x, __global const float* w,
                                __global float* dx, __global float* rInv, int d, float eps) {
    __local real buf[RED_WG];
    int lid = get_local_id(0);
    int g = get_group_id(0);
    long o = (long) g * d;
    real ss = 0, dot = 0;
    for (int i = lid; i < d; i += RED_WG) {
        float xi = x[o + i];
        ss += (real) xi * xi;
        dot += (real) w[i] * dy[o + i] * xi;
    }
    ss = group_sum(buf, ss);
    dot = group_sum(buf, dot);
    real r = (real) 1 / sqrt((real) ((float) ss / d + eps));
    real c = dot * r * r * r / d;
    for (int i = lid; i < d; i += RED_WG) dx[o + i] = (float) (r * w[i] * dy[o + i] - c * x[o + i]);
    if (lid == 0) rInv[g] = (float) r;
}

__kernel void rms_norm_weight_grad(__global const float* dy, __global const float* x, __global const float* rInv,
                                   __global float* dw, int d, int groups) {
    int i = get_global_id(0);
    if (i >= d) return;
    real acc = 0;
    for (int g = 0; g < groups; g++) acc += (real) dy[(long) g * d + i] * x[(long) g * d + i] * rInv[g];
    dw[i] += (float) acc;
}
