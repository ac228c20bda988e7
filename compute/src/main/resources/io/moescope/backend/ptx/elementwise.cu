// Elementwise and copy kernels of the ptx backend; each follows the java backend's arithmetic.

extern "C" __global__ void embedding(const float* table, const int* ids, int T, int D, float* out) {
    GRID_STRIDE(i, (i64)T * D) {
        i64 t = i / D, d = i % D;
        out[i] = table[(i64)ids[t] * D + d];
    }
}

// Repeated ids add into the same row: atomics, so the order of those additions is not fixed.
extern "C" __global__ void embedding_backward(const float* dOut, const int* ids, int T, int D, float* dTable) {
    GRID_STRIDE(i, (i64)T * D) {
        i64 t = i / D, d = i % D;
        atomicAdd(&dTable[(i64)ids[t] * D + d], dOut[i]);
    }
}

extern "C" __global__ void swiglu(const float* g, const float* u, i64 n, float* out) {
    GRID_STRIDE(i, n) {
        float x = g[i];
        out[i] = x / (1.f + expf(-x)) * u[i];
    }
}

extern "C" __global__ void swiglu_backward(const float* dOut, const float* g, const float* u, i64 n, float* dG, float* dU) {
    GRID_STRIDE(i, n) {
        float x = g[i], s = 1.f / (1.f + expf(-x)), d = dOut[i];
        dU[i] = d * (x * s);
        dG[i] = d * u[i] * (s * (1.f + x * (1.f - s)));
    }
}

// As swiglu_backward for rows of width I, writing dGate and dUp side by side: dGU [rows, 2I].
extern "C" __global__ void swiglu_backward_cat(const float* dOut, const float* g, const float* u, i64 rows, int I, float* dGU) {
    GRID_STRIDE(i, rows * I) {
        const i64 r = i / I, c = i % I;
        float x = g[i], s = 1.f / (1.f + expf(-x)), d = dOut[i];
        dGU[r * 2 * I + I + c] = d * (x * s);
        dGU[r * 2 * I + c] = d * u[i] * (s * (1.f + x * (1.f - s)));
    }
}

extern "C" __global__ void add(const float* a, const float* b, i64 n, float* out) {
    GRID_STRIDE(i, n) out[i] = a[i] + b[i];
}

extern "C" __global__ void add_inplace(float* acc, const float* x, i64 n) {
    GRID_STRIDE(i, n) acc[i] += x[i];
}

extern "C" __global__ void scale(float* x, i64 n, float s) {
    GRID_STRIDE(i, n) x[i] *= s;
}

extern "C" __global__ void fill(float* x, i64 n, float v) {
    GRID_STRIDE(i, n) x[i] = v;
}

extern "C" __global__ void fill_int(int* x, i64 n, int v) {
    GRID_STRIDE(i, n) x[i] = v;
}

extern "C" __global__ void clamp(float* x, i64 n, float limit) {
    GRID_STRIDE(i, n) x[i] = fmaxf(-limit, fminf(limit, x[i]));
}

// x is the clamped value: where it sits at a limit the input may have been beyond it, and clamp passes
// no gradient there.
extern "C" __global__ void clamp_backward(float* dx, const float* x, i64 n, float limit) {
    GRID_STRIDE(i, n) {
        float v = x[i];
        if (v >= limit || v <= -limit) dx[i] = 0.f;
    }
}

extern "C" __global__ void scale_rows_sigmoid(float* x, const float* gate, i64 rows, int D) {
    GRID_STRIDE(i, rows * D) x[i] *= sigmoid_ref(gate[i / D]);
}

// One warp per row: dx = dOut * s, dGate = s (1 - s) * (dOut . x).
extern "C" __global__ void scale_rows_sigmoid_backward(const float* dOut, const float* x, const float* gate, i64 rows,
                                                       int D, float* dx, float* dGate) {
    const int lane = threadIdx.x & 31;
    const i64 r = (i64)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (r >= rows) return;
    const float s = sigmoid_ref(gate[r]);
    const float* dr = dOut + r * D;
    const float* xr = x + r * D;
    float dot = 0.f;
    for (int d = lane; d < D; d += 32) {
        dot = fmaf(dr[d], xr[d], dot);
        dx[r * D + d] = dr[d] * s;
    }
    dot = warp_sum(dot);
    if (lane == 0) dGate[r] = dot * s * (1.f - s);
}

extern "C" __global__ void copy_columns(const float* src, int srcCol, int div, int sw, float* dst, int dstCol, int dw,
                                        int rows, int width) {
    GRID_STRIDE(i, (i64)rows * width) {
        i64 r = i / width, c = i % width;
        dst[r * dw + dstCol + c] = src[(r / div) * sw + srcCol + c];
    }
}

// One thread per source element sums its destination rows in order: no two threads write one element.
extern "C" __global__ void copy_columns_backward(const float* dDst, int dstCol, int dw, float* dSrc, int srcCol, int sw,
                                                 int div, int rows, int width) {
    const i64 srcRows = ((i64)rows + div - 1) / div;
    GRID_STRIDE(i, srcRows * width) {
        i64 s = i / width, c = i % width;
        i64 r1 = min((i64)rows, (s + 1) * div);
        float acc = 0.f;
        for (i64 r = s * div; r < r1; ++r) acc += dDst[r * dw + dstCol + c];
        dSrc[s * sw + srcCol + c] += acc;
    }
}
