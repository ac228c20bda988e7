// Row-wise parts of attention; the products around them are gemm.cu's batched kernels.
// Scores and probabilities are [H, T, T]: row (h, i) holds query i's scores against keys 0..T-1.
// Query i sees key j when j <= i and (window <= 0 or i - j < window).

// One warp per row: softmax over the visible keys, written to P (which may be S itself), zero elsewhere.
// Entries above the diagonal may never have been computed, so only visible ones are read. Rows are T keys
// long; a head has rowsPerHead rows, for queries q0, q0 + 1, ... (a chunk of the queries when q0 > 0).
extern "C" __global__ void attn_softmax(const float* S, float* P, int T, i64 rows, int window, int rowsPerHead, int q0) {
    const int lane = threadIdx.x & 31;
    const i64 row = (i64)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (row >= rows) return;
    const int i = q0 + (int)(row % rowsPerHead);
    const int first = window > 0 ? max(0, i - window + 1) : 0;
    const float* s = S + row * T;
    float* p = P + row * T;
    float mx = -INFINITY;
    for (int j = first + lane; j <= i; j += 32) mx = fmaxf(mx, s[j]);
    mx = warp_max(mx);
    float sum = 0.f;
    for (int j = first + lane; j <= i; j += 32) sum += expf(s[j] - mx);
    sum = warp_sum(sum);
    for (int j = lane; j < T; j += 32) p[j] = (j >= first && j <= i) ? expf(s[j] - mx) / sum : 0.f;
}

// dS = scale * P * (dP - sum_j P dP) over visible keys, zero elsewhere; dP is overwritten with dS.
extern "C" __global__ void attn_softmax_backward(const float* P, float* dP, int T, i64 rows, int window, float scale) {
    const int lane = threadIdx.x & 31;
    const i64 row = (i64)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (row >= rows) return;
    const int i = (int)(row % T);
    const int first = window > 0 ? max(0, i - window + 1) : 0;
    const float* p = P + row * T;
    float* d = dP + row * T;
    float dot = 0.f;
    for (int j = first + lane; j <= i; j += 32) dot = fmaf(p[j], d[j], dot);
    dot = warp_sum(dot);
    for (int j = lane; j < T; j += 32) d[j] = (j >= first && j <= i) ? scale * p[j] * (d[j] - dot) : 0.f;
}

// ---- General attention patterns (AttentionPattern: strided windows, global tokens, top-k keys) ----

// AttentionPattern.visible: causal, then a global query or key (glob may be null), or a shared window.
__device__ __forceinline__ bool pattern_visible(int i, int j, int window, int stride, const float* glob) {
    if (j > i) return false;
    if (glob != 0 && (glob[i] != 0.f || glob[j] != 0.f)) return true;
    if (window <= 0) return true;
    return stride == 1 ? i - j < window : i < (j / stride) * stride + window;
}

// Float bits mapped to unsigned integers of the same order.
__device__ __forceinline__ unsigned ordered_bits(float f) {
    unsigned u = __float_as_uint(f);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// attn_softmax for any pattern, one warp per row: with topK > 0 the visible scores at or above the row's
// k-th largest are kept (the largest key with at least topK keys at or above it, found bit by bit), then
// softmax over the kept keys in double like the java reference; zero elsewhere.
extern "C" __global__ void attn_softmax_pattern(const float* S, float* P, int T, i64 rows, int window, int stride,
                                                const float* glob, int topK, int rowsPerHead, int q0) {
    const int lane = threadIdx.x & 31;
    const i64 row = (i64)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (row >= rows) return;
    const int i = q0 + (int)(row % rowsPerHead);
    const float* s = S + row * T;
    float* p = P + row * T;
    unsigned cut = 0;
    if (topK > 0) {
        float n = 0.f;
        for (int j = lane; j <= i; j += 32) n += pattern_visible(i, j, window, stride, glob) ? 1.f : 0.f;
        if (warp_sum(n) > (float)topK) {
            for (int b = 31; b >= 0; b--) {
                const unsigned c = cut | (1u << b);
                float m = 0.f;
                for (int j = lane; j <= i; j += 32) m += (pattern_visible(i, j, window, stride, glob) && ordered_bits(s[j]) >= c) ? 1.f : 0.f;
                if (warp_sum(m) >= (float)topK) cut = c;
            }
        }
    }
    float mx = -INFINITY;
    for (int j = lane; j <= i; j += 32) {
        if (pattern_visible(i, j, window, stride, glob) && ordered_bits(s[j]) >= cut) mx = fmaxf(mx, s[j]);
    }
    mx = warp_max(mx);
    double sum = 0.0;
    for (int j = lane; j <= i; j += 32) {
        if (pattern_visible(i, j, window, stride, glob) && ordered_bits(s[j]) >= cut) sum += exp((double)(s[j] - mx));
    }
    sum = warp_sum_d(sum);
    for (int j = lane; j < T; j += 32) {
        const bool keep = j <= i && pattern_visible(i, j, window, stride, glob) && ordered_bits(s[j]) >= cut;
        p[j] = keep ? (float)(exp((double)(s[j] - mx)) / sum) : 0.f;
    }
}
