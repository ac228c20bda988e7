// Routing and expert dispatch, all on the device: the host never learns how many tokens each expert got.

#define RULE_SOFTMAX 0
#define RULE_SOFTMAX_GROUP_MAX 1
#define RULE_SIGMOID_GROUP_TOP2 2

// Warp argmax step: (v, i) beats (ov, oi) by value, then by lower index; i < 0 means none.
__device__ __forceinline__ void argmax_warp(float& v, int& i) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        float ov = __shfl_xor_sync(0xffffffffu, v, o);
        int oi = __shfl_xor_sync(0xffffffffu, i, o);
        if (oi >= 0 && (i < 0 || ov > v || (ov == v && oi < i))) {
            v = ov;
            i = oi;
        }
    }
}

// One warp per token, RoutingRule.select step by step. Shared memory per warp: scores[E], choice[E] (floats),
// gscore[G] (floats), taken[E], kept[G], chosen[k] (ints).
extern "C" __global__ void route(const float* logits, const float* bias, int T, int E, int k, int rule, int G,
                                 int keptG, int renorm, float scaling, int* outIdx, float* outW) {
    extern __shared__ float sh[];
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, nw = blockDim.x >> 5;
    const int t = blockIdx.x * nw + warp;
    if (t >= T) return;
    const int per_warp = 3 * E + 2 * G + k;
    float* scores = sh + warp * per_warp;
    float* choice = scores + E;
    float* gscore = choice + E;
    int* taken = (int*)(gscore + G);
    int* kept = taken + E;
    int* chosen = kept + G;
    const float* l = logits + (i64)t * E;
    if (rule == RULE_SIGMOID_GROUP_TOP2) {
        for (int e = lane; e < E; e += 32) {
            float s = sigmoid_ref(l[e]);
            scores[e] = s;
            choice[e] = s + (bias ? bias[e] : 0.f);
        }
    } else {
        // RoutingRule.softmax: float max, exponentials and their sum in double
        float mx = -INFINITY;
        for (int e = lane; e < E; e += 32) mx = fmaxf(mx, l[e]);
        mx = warp_max(mx);
        double sum = 0;
        for (int e = lane; e < E; e += 32) sum += exp((double)(l[e] - mx));
        sum = warp_sum_d(sum);
        for (int e = lane; e < E; e += 32) {
            float p = (float)(exp((double)(l[e] - mx)) / sum);
            scores[e] = p;
            choice[e] = p;
        }
    }
    for (int e = lane; e < E; e += 32) taken[e] = 0;
    __syncwarp();
    if (rule != RULE_SOFTMAX) {
        const int per = E / G;
        for (int g = lane; g < G; g += 32) {
            const float* c = choice + g * per;
            if (rule == RULE_SOFTMAX_GROUP_MAX) {
                float m = -INFINITY;
                for (int e = 0; e < per; ++e) m = fmaxf(m, c[e]);
                gscore[g] = m;
            } else {
                float a = -INFINITY, b = -INFINITY;
                for (int e = 0; e < per; ++e) {
                    float s = c[e];
                    if (s > a) {
                        b = a;
                        a = s;
                    } else if (s > b) {
                        b = s;
                    }
                }
                gscore[g] = a + b;
            }
        }
        __syncwarp();
        if (lane == 0) {
            for (int g = 0; g < G; ++g) kept[g] = 0;
            for (int r = 0; r < keptG; ++r) {
                int arg = -1;
                for (int g = 0; g < G; ++g)
                    if (!kept[g] && (arg < 0 || gscore[g] > gscore[arg])) arg = g;
                kept[arg] = 1;
            }
        }
        __syncwarp();
        // like transformers, the other groups' scores become 0, not -inf
        for (int e = lane; e < E; e += 32)
            if (!kept[e / per]) choice[e] = 0.f;
        __syncwarp();
    }
    for (int j = 0; j < k; ++j) {
        float bv = 0.f;
        int bi = -1;
        for (int e = lane; e < E; e += 32) {
            if (!taken[e] && (bi < 0 || choice[e] > bv)) {
                bv = choice[e];
                bi = e;
            }
        }
        argmax_warp(bv, bi);
        if (lane == 0) {
            taken[bi] = 1;
            chosen[j] = bi;
        }
        __syncwarp();
    }
    if (lane == 0) {
        float sum = 0.f;
        for (int j = 0; j < k; ++j) sum += scores[chosen[j]];
        // DeepSeek-V3 guards the division with 1e-20; a softmax sum is never zero
        const float denom = rule == RULE_SIGMOID_GROUP_TOP2 ? sum + 1e-20f : sum;
        for (int j = 0; j < k; ++j) {
            float w = scores[chosen[j]];
            if (renorm) w /= denom;
            outIdx[(i64)t * k + j] = chosen[j];
            outW[(i64)t * k + j] = w * scaling;
        }
    }
}

// The chosen experts' score of expert e for one token (the softmax needs the row's max and sum).
__device__ __forceinline__ float routed_score(const float* l, int e, int rule, float mx, double sum) {
    return rule == RULE_SIGMOID_GROUP_TOP2 ? sigmoid_ref(l[e]) : (float)(exp((double)(l[e] - mx)) / sum);
}

// Gradient of the routing weights with respect to the logits, through the chosen experts' scores, the
// renormalisation and the scaling; the choice itself passes none. One warp per token.
extern "C" __global__ void route_backward(const float* dW, const float* logits, const int* index, int T, int E, int k,
                                          int rule, int renorm, float scaling, float* dLogits) {
    const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, nw = blockDim.x >> 5;
    const int t = blockIdx.x * nw + warp;
    if (t >= T) return;
    const float* l = logits + (i64)t * E;
    const int* idx = index + (i64)t * k;
    const float* dw = dW + (i64)t * k;
    float mx = 0.f;
    double sum = 1.0;
    if (rule != RULE_SIGMOID_GROUP_TOP2) {
        mx = -INFINITY;
        for (int e = lane; e < E; e += 32) mx = fmaxf(mx, l[e]);
        mx = warp_max(mx);
        sum = 0;
        for (int e = lane; e < E; e += 32) sum += exp((double)(l[e] - mx));
        sum = warp_sum_d(sum);
    }
    float S = 0.f, A = 0.f;
    for (int j = 0; j < k; ++j) {
        float s = routed_score(l, idx[j], rule, mx, sum);
        S += s;
        A += dw[j] * s;
    }
    const float den = rule == RULE_SIGMOID_GROUP_TOP2 ? S + 1e-20f : S;
    // dScore of chosen slot j: scaling * (dw_j / den - A / den^2) when renormalised, else scaling * dw_j
    float B = 0.f;   // sum over chosen of score * dScore, for the softmax's Jacobian
    for (int j = 0; j < k; ++j) {
        float ds = renorm ? scaling * (dw[j] / den - A / (den * den)) : scaling * dw[j];
        B += routed_score(l, idx[j], rule, mx, sum) * ds;
    }
    for (int e = lane; e < E; e += 32) {
        float ds = 0.f;
        for (int j = 0; j < k; ++j)
            if (idx[j] == e) ds = renorm ? scaling * (dw[j] / den - A / (den * den)) : scaling * dw[j];
        float s = routed_score(l, e, rule, mx, sum);
        dLogits[(i64)t * E + e] = rule == RULE_SIGMOID_GROUP_TOP2 ? ds * s * (1.f - s) : s * (ds - B);
    }
}

// Groups the n = T*k routing slots by expert, stably (token order within an expert): offsets[E+1] of
// each expert's rows, tileStart[E+1] of its BM-row tiles for the grouped products, pos[slot] = its row
// and rowSlot[row] = its slot. One block: each warp ranks a contiguous chunk of slots with match_any,
// then the warps' counts per expert are turned into each chunk's first rank within its expert.
extern "C" __global__ void moe_dispatch(const int* index, int n, int E, int BM, int* offsets, int* tileStart, int* pos,
                                        int* rowSlot) {
    extern __shared__ float shf[];
    int* sh = reinterpret_cast<int*>(shf);
    const int nw = blockDim.x >> 5, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int* counts = sh;             // [nw][E]
    int* base = sh + nw * E;      // [E]
    for (int i = threadIdx.x; i < nw * E; i += blockDim.x) counts[i] = 0;
    __syncthreads();
    const int chunk = ((n + nw - 1) / nw + 31) / 32 * 32;
    int* run = counts + warp * E;
    const int s0 = warp * chunk, s1 = min(n, s0 + chunk);
    for (int b = s0; b < s1; b += 32) {
        const int s = b + lane;
        const int e = s < s1 ? index[s] : -1;
        const unsigned peers = __match_any_sync(0xffffffffu, e);
        const int rank = __popc(peers & ((1u << lane) - 1u));
        const int before = e >= 0 ? run[e] : 0;
        __syncwarp();
        if (s < s1) pos[s] = before + rank;
        if (e >= 0 && lane == __ffs(peers) - 1) run[e] = before + __popc(peers);
        __syncwarp();
    }
    __syncthreads();
    for (int e = threadIdx.x; e < E; e += blockDim.x) {
        int total = 0;
        for (int w = 0; w < nw; ++w) {
            const int c = counts[w * E + e];
            counts[w * E + e] = total;
            total += c;
        }
        base[e] = total;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        int o = 0, ts = 0;
        for (int e = 0; e < E; ++e) {
            const int c = base[e];
            offsets[e] = o;
            tileStart[e] = ts;
            base[e] = o;
            o += c;
            ts += (c + BM - 1) / BM;
        }
        offsets[E] = o;
        tileStart[E] = ts;
    }
    __syncthreads();
    for (int s = threadIdx.x; s < n; s += blockDim.x) {
        const int e = index[s];
        const int p = base[e] + counts[(s / chunk) * E + e] + pos[s];
        pos[s] = p;
        rowSlot[p] = s;
    }
}

// xg[row] = x[token of the row's slot].
extern "C" __global__ void moe_gather(const float* x, const int* rowSlot, int n, int k, int D, float* xg) {
    GRID_STRIDE(i, (i64)n * D) {
        i64 r = i / D, d = i % D;
        xg[i] = x[(i64)(rowSlot[r] / k) * D + d];
    }
}

// The slot of token t that holds its r-th smallest expert index: contributions are summed in expert order,
// as the java backend's loop over experts adds them.
__device__ __forceinline__ int slot_in_expert_order(const int* idx, int k, int r) {
    int prev = -1, j = -1;
    for (int step = 0; step <= r; ++step) {
        int best = -1;
        for (int q = 0; q < k; ++q)
            if (idx[q] > prev && (best < 0 || idx[q] < idx[best])) best = q;
        j = best;
        prev = idx[best];
    }
    return j;
}

// out[t] = sum over the token's slots of weight * y[row of the slot].
extern "C" __global__ void moe_combine(const float* y, const int* pos, const int* index, const float* w, int T, int k,
                                       int D, float* out) {
    GRID_STRIDE(i, (i64)T * D) {
        i64 t = i / D, d = i % D;
        const int* idx = index + t * k;
        float acc = 0.f;
        for (int r = 0; r < k; ++r) {
            const int j = slot_in_expert_order(idx, k, r);
            const i64 s = t * k + j;
            acc = fmaf(y[(i64)pos[s] * D + d], w[s], acc);
        }
        out[i] = acc;
    }
}

// dy[row of slot s] = w[s] * dOut[token of s].
extern "C" __global__ void moe_scatter_grad(const float* dOut, const int* pos, const float* w, int T, int k, int D, float* dy) {
    GRID_STRIDE(i, (i64)T * k * D) {
        i64 s = i / D, d = i % D;
        dy[(i64)pos[s] * D + d] = w[s] * dOut[(s / k) * D + d];
    }
}

// dWeight[s] = dOut[token of s] . y[row of s]; one warp per slot.
extern "C" __global__ void moe_weight_grad(const float* dOut, const float* y, const int* pos, int n, int k, int D,
                                           float* dWeight) {
    const int lane = threadIdx.x & 31;
    const i64 s = (i64)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (s >= n) return;
    const float* a = dOut + (s / k) * D;
    const float* b = y + (i64)pos[s] * D;
    float dot = 0.f;
    for (int d = lane; d < D; d += 32) dot = fmaf(a[d], b[d], dot);
    dot = warp_sum(dot);
    if (lane == 0) dWeight[s] = dot;
}

// dx[t] = sum over the token's slots of dxg[row of the slot], in expert order.
extern "C" __global__ void moe_gather_sum(const float* dxg, const int* pos, const int* index, int T, int k, int D, float* dx) {
    GRID_STRIDE(i, (i64)T * D) {
        i64 t = i / D, d = i % D;
        const int* idx = index + t * k;
        float acc = 0.f;
        for (int r = 0; r < k; ++r) acc += dxg[(i64)pos[t * k + slot_in_expert_order(idx, k, r)] * D + d];
        dx[i] = acc;
    }
}
