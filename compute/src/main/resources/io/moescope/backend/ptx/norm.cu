// RMSNorm, rotary embedding and column sums (bias and norm-weight gradients).

// One warp per row of d values; the same float arithmetic as the java backend.
extern "C" __global__ void rmsnorm(const float* x, const float* w, i64 rows, int d, float eps, float* out) {
    const int lane = threadIdx.x & 31;
    const i64 r = (i64)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (r >= rows) return;
    const float* xr = x + r * d;
    float ss = 0.f;
    for (int j = lane; j < d; j += 32) ss = fmaf(xr[j], xr[j], ss);
    ss = warp_sum(ss);
    const float inv = (float)(1.0 / sqrt((double)(ss / d + eps)));
    for (int j = lane; j < d; j += 32) out[r * d + j] = w[j] * (xr[j] * inv);
}

// dx = inv (dy w) - inv^3 x (sum dy w x) / d; keeps inv per row for the weight gradient.
extern "C" __global__ void rmsnorm_backward(const float* dy, const float* x, const float* w, i64 rows, int d, float eps,
                                            float* dx, float* rinv) {
    const int lane = threadIdx.x & 31;
    const i64 r = (i64)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (r >= rows) return;
    const float* xr = x + r * d;
    const float* dr = dy + r * d;
    float ss = 0.f, dot = 0.f;
    for (int j = lane; j < d; j += 32) {
        ss = fmaf(xr[j], xr[j], ss);
        dot = fmaf(dr[j] * w[j], xr[j], dot);
    }
    ss = warp_sum(ss);
    dot = warp_sum(dot);
    const float inv = (float)(1.0 / sqrt((double)(ss / d + eps)));
    const float c = inv * inv * inv * dot / d;
    for (int j = lane; j < d; j += 32) dx[r * d + j] = inv * (dr[j] * w[j]) - c * xr[j];
    if (lane == 0 && rinv) rinv[r] = inv;
}

// Partial column sums of a (times b, times rowScale[row]) over chunks of rows: partial[chunk, col].
// Summed by colsum_finish in chunk order, so the result does not depend on scheduling.
extern "C" __global__ void colsum_partial(const float* a, const float* b, const float* rowScale, i64 rows, int cols,
                                          int chunk, float* partial) {
    const int col = blockIdx.x * blockDim.x + threadIdx.x;
    if (col >= cols) return;
    const i64 r0 = (i64)blockIdx.y * chunk, r1 = min(rows, r0 + chunk);
    float acc = 0.f;
    for (i64 r = r0; r < r1; ++r) {
        float v = a[r * cols + col];
        if (b) v *= b[r * cols + col];
        if (rowScale) v *= rowScale[r];
        acc += v;
    }
    partial[(i64)blockIdx.y * cols + col] = acc;
}

extern "C" __global__ void colsum_finish(const float* partial, int chunks, int cols, float* out, int accumulate) {
    const int col = blockIdx.x * blockDim.x + threadIdx.x;
    if (col >= cols) return;
    float s = 0.f;
    for (int c = 0; c < chunks; ++c) s += partial[(i64)c * cols + col];
    out[col] = accumulate ? out[col] + s : s;
}

// Rotary embedding in place, one block per position t, one warp per head at a time. Angles as the java
// backend: float t * invFreq, cos and sin in double, times factor. Interleaved tables read pairs (2i, 2i+1)
// and write the rotated halves at (i, half + i), as transformers does for DeepSeek; the backward pass
// (backward = 1, rotation by -angle) reads halves and writes interleaved pairs, the exact adjoint.
extern "C" __global__ void rope(float* x, const float* invFreq, int heads, int stride, int offset, int half,
                                int interleaved, float factor, int backward) {
    extern __shared__ float sh[];
    float* cs = sh;
    float* sn = sh + half;
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, nw = blockDim.x >> 5;
    float* buf = sh + 2 * half + warp * 2 * half;
    const int t = blockIdx.x;
    for (int i = threadIdx.x; i < half; i += blockDim.x) {
        float angle = (float)t * invFreq[i];
        cs[i] = (float)cos((double)angle) * factor;
        float s = (float)sin((double)angle) * factor;
        sn[i] = backward ? -s : s;
    }
    __syncthreads();
    const bool readPairs = interleaved && !backward, writePairs = interleaved && backward;
    for (int h = warp; h < heads; h += nw) {
        float* base = x + ((i64)t * heads + h) * stride + offset;
        for (int i = lane; i < half; i += 32) {
            float a = readPairs ? base[2 * i] : base[i];
            float b = readPairs ? base[2 * i + 1] : base[half + i];
            buf[i] = a * cs[i] - b * sn[i];
            buf[half + i] = b * cs[i] + a * sn[i];
        }
        __syncwarp();
        for (int i = lane; i < half; i += 32) {
            if (writePairs) {
                base[2 * i] = buf[i];
                base[2 * i + 1] = buf[half + i];
            } else {
                base[i] = buf[i];
                base[half + i] = buf[half + i];
            }
        }
        __syncwarp();
    }
}
