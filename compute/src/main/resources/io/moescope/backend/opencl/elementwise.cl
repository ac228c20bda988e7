// One work-item per element; the grid is rounded up, so each checks its index.

__kernel void embedding(__global const float* table, __global const int* ids, __global float* out, int T, int D) {
    int i = get_global_id(0);
    if (i >= T * D) return;
    int t = i / D, d = i - t * D;
    out[i] = table[(long) ids[t] * D + d];
}

// Columns are summed one work-item each, in row order, so that repeated ids add up without atomics.
__kernel void embedding_backward(__global const float* dOut, __global const int* ids, __global float* dTable,
                                 int T, int D) {
    int d = get_global_id(0);
    if (d >= D) return;
    for (int t = 0; t < T; t++) dTable[(long) ids[t] * D + d] += dOut[t * D + d];
}

__kernel void add(__global const float* a, __global const float* b, __global float* out, int n) {
    int i = get_global_id(0);
    if (i < n) out[i] = a[i] + b[i];
}

__kernel void add_inplace(__global float* acc, __global const float* x, int n) {
    int i = get_global_id(0);
    if (i < n) acc[i] += x[i];
}

__kernel void scale_inplace(__global float* x, float s, int n) {
    int i = get_global_id(0);
    if (i < n) x[i] *= s;
}

// Comparisons rather than fmin/fmax so that NaN stays NaN, as with Java's Math.min/max.
__kernel void clamp_inplace(__global float* x, float limit, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    float v = x[i];
    x[i] = v > limit ? limit : (v < -limit ? -limit : v);
}

__kernel void clamp_backward(__global float* dx, __global const float* x, float limit, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    float v = x[i];
    if (v >= limit || v <= -limit) dx[i] = 0.0f;
}

__kernel void swiglu(__global const float* gate, __global const float* up, __global float* out, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    float g = gate[i];
    out[i] = g / (1.0f + exp_like_java(-g)) * up[i];
}

__kernel void swiglu_backward(__global const float* dOut, __global const float* gate, __global const float* up,
                              __global float* dGate, __global float* dUp, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    float g = gate[i], s = sigmoid_like_java(g), d = dOut[i];
    dGate[i] = d * up[i] * (s + g * s * (1.0f - s));
    dUp[i] = d * g * s;
}

__kernel void scale_rows_sigmoid(__global float* x, __global const float* gate, int D, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    x[i] *= sigmoid_like_java(gate[i / D]);
}

// One work-group per row: dx = dOut * s, dGate = s (1 - s) * sum(dOut * x).
__kernel void scale_rows_sigmoid_backward(__global const float* dOut, __global const float* x,
                                          __global const float* gate, __global float* dx, __global float* dGate,
                                          int D) {
    __local real buf[RED_WG];
    int r = get_group_id(0), lid = get_local_id(0);
    float s = sigmoid_like_java(gate[r]);
    long o = (long) r * D;
    real acc = 0;
    for (int d = lid; d < D; d += RED_WG) {
        float g = dOut[o + d];
        dx[o + d] = g * s;
        acc += (real) g * x[o + d];
    }
    real total = group_sum(buf, acc);
    if (lid == 0) dGate[r] = (float) (total * s * (1.0f - s));
}

__kernel void copy_columns(__global const float* src, int srcCol, int srcDiv, int srcWidth,
                           __global float* dst, int dstCol, int dstWidth, int rows, int width) {
    int i = get_global_id(0);
    if (i >= rows * width) return;
    int r = i / width, c = i - r * width;
    dst[(long) r * dstWidth + dstCol + c] = src[(long) (r / srcDiv) * srcWidth + srcCol + c];
}

// One work-item per source element, summing its destination rows in order: no write races when
// a source row was broadcast.
__kernel void copy_columns_backward(__global const float* dDst, int dstCol, int dstWidth,
                                    __global float* dSrc, int srcCol, int srcWidth, int srcDiv, int rows, int width) {
    int i = get_global_id(0);
    int srcRows = (rows + srcDiv - 1) / srcDiv;
    if (i >= srcRows * width) return;
    int sr = i / width, c = i - sr * width;
    int r1 = min(rows, (sr + 1) * srcDiv);
    float acc = 0.0f;
    for (int r = sr * srcDiv; r < r1; r++) acc += dDst[(long) r * dstWidth + dstCol + c];
    dSrc[(long) sr * srcWidth + srcCol + c] += acc;
}

// dBias[n] += column n of dy, summed in row order.
__kernel void column_sums_accumulate(__global const float* dy, __global float* dBias, int rows, int N) {
    int n = get_global_id(0);
    if (n >= N) return;
    real acc = 0;
    for (int r = 0; r < rows; r++) acc += dy[(long) r * N + n];
    dBias[n] += (float) acc;
}
