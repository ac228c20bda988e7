// Losses, their gradients, reductions and optimiser steps.

// Cross-entropy of row p against ids[p + 1], in double like the java backend; one block per row p < T - 1.
extern "C" __global__ void ce_rows(const float* logits, const int* ids, int T, int V, double* rowLoss) {
    __shared__ double scratchD[32];
    __shared__ float scratchF[32];
    const int p = blockIdx.x;
    const float* l = logits + (i64)p * V;
    float mx = -INFINITY;
    for (int v = threadIdx.x; v < V; v += blockDim.x) mx = fmaxf(mx, l[v]);
    mx = block_max(mx, scratchF);
    double sum = 0;
    for (int v = threadIdx.x; v < V; v += blockDim.x) sum += exp((double)l[v] - (double)mx);
    sum = block_sum_d(sum, scratchD);
    if (threadIdx.x == 0) rowLoss[p] = log(sum) + (double)mx - (double)l[ids[p + 1]];
}

// Mean of the row losses in a fixed order; NaN for fewer than one row, as the java backend gives.
extern "C" __global__ void ce_finish(const double* rowLoss, int rows, float* out) {
    __shared__ double scratch[32];
    double s = 0;
    for (int r = threadIdx.x; r < rows; r += blockDim.x) s += rowLoss[r];
    s = block_sum_d(s, scratch);
    if (threadIdx.x == 0) out[0] = rows < 1 ? __int_as_float(0x7fc00000) : (float)(s / rows);
}

// d(scale * mean loss)/d logits: (softmax - onehot(target)) * scale / (T - 1) for rows p < T - 1, zero in the last.
extern "C" __global__ void ce_backward(const float* logits, const int* ids, int T, int V, float scale, float* out) {
    __shared__ double scratchD[32];
    __shared__ float scratchF[32];
    const int p = blockIdx.x;
    float* o = out + (i64)p * V;
    if (p >= T - 1) {
        for (int v = threadIdx.x; v < V; v += blockDim.x) o[v] = 0.f;
        return;
    }
    const float* l = logits + (i64)p * V;
    float mx = -INFINITY;
    for (int v = threadIdx.x; v < V; v += blockDim.x) mx = fmaxf(mx, l[v]);
    mx = block_max(mx, scratchF);
    double sum = 0;
    for (int v = threadIdx.x; v < V; v += blockDim.x) sum += exp((double)l[v] - (double)mx);
    sum = block_sum_d(sum, scratchD);
    const int target = ids[p + 1];
    const float c = scale / (float)(T - 1);
    for (int v = threadIdx.x; v < V; v += blockDim.x) {
        float q = (float)(exp((double)l[v] - (double)mx) / sum);
        o[v] = (q - (v == target ? 1.f : 0.f)) * c;
    }
}

// d/dlogits of scale * sum_e c[e] softmax(logits[t])[e]: scale * p_e (c_e - sum_e' c_e' p_e'). One warp per row.
extern "C" __global__ void softmax_wsum_backward(const float* logits, const float* c, int T, int E, float scale, float* out) {
    const int lane = threadIdx.x & 31;
    const i64 t = (i64)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (t >= T) return;
    const float* l = logits + t * E;
    float mx = -INFINITY;
    for (int e = lane; e < E; e += 32) mx = fmaxf(mx, l[e]);
    mx = warp_max(mx);
    double sum = 0;
    for (int e = lane; e < E; e += 32) sum += exp((double)(l[e] - mx));
    sum = warp_sum_d(sum);
    float b = 0.f;
    for (int e = lane; e < E; e += 32) b += c[e] * (float)(exp((double)(l[e] - mx)) / sum);
    b = warp_sum(b);
    for (int e = lane; e < E; e += 32) {
        float p = (float)(exp((double)(l[e] - mx)) / sum);
        out[t * E + e] = scale * p * (c[e] - b);
    }
}

// Sum of squares in double: per-block partials, then one block adds them in order.
extern "C" __global__ void sumsq_partial(const float* x, i64 n, double* partial) {
    __shared__ double scratch[32];
    double s = 0;
    GRID_STRIDE(i, n) {
        double v = x[i];
        s += v * v;
    }
    s = block_sum_d(s, scratch);
    if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

extern "C" __global__ void sumsq_finish(const double* partial, int blocks, double* out) {
    __shared__ double scratch[32];
    double s = 0;
    for (int b = threadIdx.x; b < blocks; b += blockDim.x) s += partial[b];
    s = block_sum_d(s, scratch);
    if (threadIdx.x == 0) out[0] = s;
}

// As the java backend (torch.optim.AdamW): moments, then decay and the bias-corrected step
// lr * m_hat / (sqrt(v_hat) + eps), the last in double.
extern "C" __global__ void adamw(float* param, const float* grad, float* m, float* v, i64 n, float lr, float beta1,
                                 float beta2, float eps, float decay, double bc1, double bc2) {
    GRID_STRIDE(i, n) {
        float g = grad[i];
        float mi = beta1 * m[i] + (1.f - beta1) * g;
        float vi = beta2 * v[i] + (1.f - beta2) * g * g;
        double denom = sqrt(vi / bc2) + eps;
        param[i] = (float)(param[i] * decay - lr * (mi / bc1) / denom);
        m[i] = mi;
        v[i] = vi;
    }
}

// Lion: param -= lr * sign(beta1 m + (1 - beta1) g) after decoupled decay; m = beta2 m + (1 - beta2) g.
extern "C" __global__ void lion(float* param, const float* grad, float* m, i64 n, float lr, float beta1, float beta2,
                                float weightDecay) {
    GRID_STRIDE(i, n) {
        float g = grad[i], mi = m[i];
        float c = beta1 * mi + (1.f - beta1) * g;
        float sgn = c > 0.f ? 1.f : (c < 0.f ? -1.f : 0.f);
        param[i] = param[i] * (1.f - lr * weightDecay) - lr * sgn;
        m[i] = beta2 * mi + (1.f - beta2) * g;
    }
}
