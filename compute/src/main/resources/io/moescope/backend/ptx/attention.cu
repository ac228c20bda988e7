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
