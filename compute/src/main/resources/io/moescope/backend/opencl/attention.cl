// Causal softmax attention. One work-group (RED_WG work-items) per (head, query): keys are
// spread over the work-items, scores use an online max/sum, and the context is accumulated one
// chunk of RED_WG keys at a time, each work-item owning up to ATT_CHUNKS value dimensions.
// Query row (h, i) is group h * T + i, which is also the row of the [H, T, T] probabilities.

#define ATT_CHUNKS 8

inline int first_visible(int i, int window) {
    return window > 0 ? max(0, i - window + 1) : 0;
}

inline float dot_local(__local const float* a, __global const float* b, int n) {
    float s = 0.0f;
    for (int d = 0; d < n; d++) s += a[d] * b[d];
    return s;
}

__kernel void attention(__global const float* q, __global const float* k, __global const float* v,
                        __global float* out, __global float* probs, int keep,
                        int T, int H, int Hkv, int dqk, int dv, float scale, int window,
                        __local float* qs, __local float* p) {
    __local float mbuf[RED_WG];
    __local real sbuf[RED_WG];
    int g = get_group_id(0), lid = get_local_id(0);
    int h = g / T, i = g - h * T, kh = h / (H / Hkv);
    int first = first_visible(i, window);
    __global const float* qi = q + ((long) i * H + h) * dqk;
    for (int d = lid; d < dqk; d += RED_WG) qs[d] = qi[d];
    barrier(CLK_LOCAL_MEM_FENCE);

    float m = -INFINITY;
    real l = 0;
    for (int j = first + lid; j <= i; j += RED_WG) {
        float s = dot_local(qs, k + ((long) j * Hkv + kh) * dqk, dqk) * scale;
        if (s > m) {
            l = l * exp((real) (m - s)) + 1;
            m = s;
        } else {
            l += exp((real) (s - m));
        }
    }
    float M = group_max(mbuf, m);
    real L = group_sum(sbuf, m == -INFINITY ? 0 : l * exp((real) (m - M)));

    __global float* prow = probs + (long) g * T;
    if (keep) {
        for (int j = lid; j < first; j += RED_WG) prow[j] = 0.0f;
        for (int j = i + 1 + lid; j < T; j += RED_WG) prow[j] = 0.0f;
    }
    float acc[ATT_CHUNKS];
    for (int c = 0; c < ATT_CHUNKS; c++) acc[c] = 0.0f;
    for (int j0 = first; j0 <= i; j0 += RED_WG) {
        int j = j0 + lid;
        float pj = 0.0f;
        if (j <= i) {
            float s = dot_local(qs, k + ((long) j * Hkv + kh) * dqk, dqk) * scale;
            pj = (float) (exp((real) (s - M)) / L);
            if (keep) prow[j] = pj;
        }
        p[lid] = pj;
        barrier(CLK_LOCAL_MEM_FENCE);
        int n = min(RED_WG, i - j0 + 1);
        for (int c = 0; c < ATT_CHUNKS; c++) {
            int d = lid + c * RED_WG;
            if (d < dv) {
                float a = acc[c];
                for (int jj = 0; jj < n; jj++) a += p[jj] * v[((long) (j0 + jj) * Hkv + kh) * dv + d];
                acc[c] = a;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int c = 0; c < ATT_CHUNKS; c++) {
        int d = lid + c * RED_WG;
        if (d < dv) out[((long) i * H + h) * dv + d] = acc[c];
    }
}

// dS = P (dP - sum_j P dP) with dP_ij = dO_i . v_j, one work-group per (head, query) row; zero
// where masked.
__kernel void attention_backward_scores(__global const float* dctx, __global const float* v,
                                        __global const float* probs, __global float* ds,
                                        int T, int H, int Hkv, int dv, int window, __local float* dO) {
    __local real sbuf[RED_WG];
    int g = get_group_id(0), lid = get_local_id(0);
    int h = g / T, i = g - h * T, kh = h / (H / Hkv);
    int first = first_visible(i, window);
    __global const float* doi = dctx + ((long) i * H + h) * dv;
    for (int d = lid; d < dv; d += RED_WG) dO[d] = doi[d];
    barrier(CLK_LOCAL_MEM_FENCE);
    __global const float* prow = probs + (long) g * T;
    __global float* drow = ds + (long) g * T;
    real acc = 0;
    for (int j = first + lid; j <= i; j += RED_WG) {
        acc += (real) prow[j] * dot_local(dO, v + ((long) j * Hkv + kh) * dv, dv);
    }
    float D = (float) group_sum(sbuf, acc);
    for (int j = lid; j < T; j += RED_WG) {
        float r = 0.0f;
        if (j >= first && j <= i) r = prow[j] * (dot_local(dO, v + ((long) j * Hkv + kh) * dv, dv) - D);
        drow[j] = r;
    }
}

// dq[i, h, d] = scale * sum_j dS[h, i, j] k[j, kh, d]
__kernel void attention_backward_dq(__global const float* ds, __global const float* k, __global float* dq,
                                    int T, int H, int Hkv, int dqk, float scale, int window) {
    int x = get_global_id(0);
    if (x >= T * H * dqk) return;
    int d = x % dqk, ih = x / dqk, h = ih % H, i = ih / H, kh = h / (H / Hkv);
    __global const float* drow = ds + ((long) h * T + i) * T;
    float acc = 0.0f;
    for (int j = first_visible(i, window); j <= i; j++) acc += drow[j] * k[((long) j * Hkv + kh) * dqk + d];
    dq[x] = acc * scale;
}

inline int last_seeing(int j, int T, int window) {
    return window > 0 ? min(T - 1, j + window - 1) : T - 1;
}

// dk[j, kh, d] = scale * sum over the group's heads h and queries i of dS[h, i, j] q[i, h, d]
__kernel void attention_backward_dk(__global const float* ds, __global const float* q, __global float* dk,
                                    int T, int H, int Hkv, int dqk, float scale, int window) {
    int x = get_global_id(0);
    if (x >= T * Hkv * dqk) return;
    int d = x % dqk, jk = x / dqk, kh = jk % Hkv, j = jk / Hkv, group = H / Hkv;
    int last = last_seeing(j, T, window);
    float acc = 0.0f;
    for (int h = kh * group; h < (kh + 1) * group; h++) {
        for (int i = j; i <= last; i++) acc += ds[((long) h * T + i) * T + j] * q[((long) i * H + h) * dqk + d];
    }
    dk[x] = acc * scale;
}

// dv[j, kh, d] = sum over the group's heads h and queries i of P[h, i, j] dO[i, h, d]
__kernel void attention_backward_dv(__global const float* probs, __global const float* dctx, __global float* dvOut,
                                    int T, int H, int Hkv, int dv, int window) {
    int x = get_global_id(0);
    if (x >= T * Hkv * dv) return;
    int d = x % dv, jk = x / dv, kh = jk % Hkv, j = jk / Hkv, group = H / Hkv;
    int last = last_seeing(j, T, window);
    float acc = 0.0f;
    for (int h = kh * group; h < (kh + 1) * group; h++) {
        for (int i = j; i <= last; i++) acc += probs[((long) h * T + i) * T + j] * dctx[((long) i * H + h) * dv + d];
    }
    dvOut[x] = acc;
}

// The three products of the backward pass, by 16 x 16 tiles out of local memory (the kernels above read
// dS and P down their columns, T floats apart, once per output value). One kernel, two shapes:
// byKey 0, dq: row r is query i of head z; out[i, z, c] = alpha * sum over keys j of A[z, i, j] B[j, kh, c].
// byKey 1, dk and dv: row r is key j of key head z; out[j, z, c] = alpha * sum over the group's heads h and
//   queries i of A[h, i, j] B[i, h, c], A read transposed (still along its rows, so the loads coalesce).
// A (dS or P) is zero wherever a key is hidden, so the tiles may run past the visible keys; they only
// skip what no row of the tile can see: keys past its last query (dq), queries before its first key (dk, dv).
// ATT_TILE: rows and columns of the tiled kernels' work-groups, this one's and attention_row_products'.
#define ATT_TILE 16
__kernel __attribute__((reqd_work_group_size(ATT_TILE, ATT_TILE, 1)))
void attention_backward_product(__global const float* A, __global const float* B, __global float* out,
                                int T, int H, int Hkv, int width, float alpha, int window, int byKey,
                                __local float* at, __local float* bt) {
    int c = get_global_id(0), r = get_global_id(1), z = get_global_id(2);
    int lc = get_local_id(0), lr = get_local_id(1);
    int r0 = get_group_id(1) * ATT_TILE, group = H / Hkv;
    int lo = byKey ? r0 : first_visible(r0, window);
    int hi = byKey ? last_seeing(min(T - 1, r0 + ATT_TILE - 1), T, window) : min(T - 1, r0 + ATT_TILE - 1);
    int heads = byKey ? group : 1;
    float acc = 0.0f;
    for (int g = 0; g < heads; g++) {
        int h = byKey ? z * group + g : z, kh = byKey ? z : z / group;
        __global const float* a = A + (long) h * T * T;
        for (int s0 = lo; s0 <= hi; s0 += ATT_TILE) {
            if (byKey) {
                // at[key][query] = A[h, s0 + lr, r0 + lc]: consecutive work-items read consecutive keys
                int i = min(s0 + lr, T - 1), j = min(r0 + lc, T - 1);
                at[lc * (ATT_TILE + 1) + lr] = s0 + lr <= hi ? a[(long) i * T + j] : 0.0f;
                bt[lr * (ATT_TILE + 1) + lc] = s0 + lr <= hi && c < width ? B[((long) i * H + h) * width + c] : 0.0f;
            } else {
                int i = min(r0 + lr, T - 1), j = s0 + lc, jb = min(s0 + lr, T - 1);
                at[lr * (ATT_TILE + 1) + lc] = j <= hi ? a[(long) i * T + j] : 0.0f;
                bt[lr * (ATT_TILE + 1) + lc] = s0 + lr <= hi && c < width ? B[((long) jb * Hkv + kh) * width + c] : 0.0f;
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            for (int t = 0; t < ATT_TILE; t++) acc = mad(at[lr * (ATT_TILE + 1) + t], bt[t * (ATT_TILE + 1) + lc], acc);
            barrier(CLK_LOCAL_MEM_FENCE);
        }
    }
    if (r < T && c < width) out[((long) r * (byKey ? Hkv : H) + z) * width + c] = acc * alpha;
}

// ---- General attention patterns (AttentionPattern: strided windows, global tokens, top-k keys) ----
// Materialised: scores [H, T, T] (-inf where not visible), a row kernel that keeps the top-k and
// turns the row into probabilities in place, and the context as P v.

// AttentionPattern.visible: causal, then a global query or key, or a shared window.
inline int pattern_visible(int i, int j, int window, int stride, __global const float* glob, int hasGlobal) {
    if (j > i) return 0;
    if (hasGlobal && (glob[i] != 0.0f || glob[j] != 0.0f)) return 1;
    if (window <= 0) return 1;
    return stride == 1 ? i - j < window : i < (j / stride) * stride + window;
}

// S[h, i, j] = scale q_i . k_j where visible, -inf elsewhere; one work-item per entry.
__kernel void attention_pattern_scores(__global const float* q, __global const float* k, __global float* S,
                                       int T, int H, int Hkv, int dqk, float scale,
                                       int window, int stride, __global const float* glob, int hasGlobal) {
    long x = get_global_id(0);
    if (x >= (long) H * T * T) return;
    int j = (int) (x % T);
    long hi = x / T;
    int i = (int) (hi % T), h = (int) (hi / T), kh = h / (H / Hkv);
    float s = -INFINITY;
    if (pattern_visible(i, j, window, stride, glob, hasGlobal)) {
        __global const float* qi = q + ((long) i * H + h) * dqk;
        __global const float* kj = k + ((long) j * Hkv + kh) * dqk;
        float a = 0.0f;
        for (int d = 0; d < dqk; d++) a += qi[d] * kj[d];
        s = a * scale;
    }
    S[x] = s;
}

// Float bits mapped to unsigned integers of the same order.
inline uint ordered_bits(float f) {
    uint u = as_uint(f);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

// One work-group per row (h, i) of S: with topK > 0, keeps the visible scores at or above the
// row's k-th largest (found bit by bit: the largest key with at least topK keys at or above
// it), then softmax over what is kept, in place; zero elsewhere.
__kernel void attention_pattern_softmax(__global float* S, int T, int topK) {
    __local float mbuf[RED_WG];
    __local real sbuf[RED_WG];
    int g = get_group_id(0), lid = get_local_id(0);
    int i = g % T;
    __global float* row = S + (long) g * T;
    uint cut = 0;
    if (topK > 0) {
        real visible = 0;
        for (int j = lid; j <= i; j += RED_WG) visible += row[j] != -INFINITY ? 1 : 0;
        if (group_sum(sbuf, visible) > topK) {
            for (int b = 31; b >= 0; b--) {
                uint c = cut | (1u << b);
                real n = 0;
                for (int j = lid; j <= i; j += RED_WG) {
                    float s = row[j];
                    if (s != -INFINITY && ordered_bits(s) >= c) n += 1;
                }
                if (group_sum(sbuf, n) >= topK) cut = c;
            }
        }
    }
    float m = -INFINITY;
    for (int j = lid; j <= i; j += RED_WG) {
        float s = row[j];
        if (s != -INFINITY && ordered_bits(s) >= cut) m = fmax(m, s);
    }
    float M = group_max(mbuf, m);
    real l = 0;
    for (int j = lid; j <= i; j += RED_WG) {
        float s = row[j];
        if (s != -INFINITY && ordered_bits(s) >= cut) l += exp((real) (s - M));
    }
    real L = group_sum(sbuf, l);
    for (int j = lid; j < T; j += RED_WG) {
        float s = j <= i ? row[j] : -INFINITY;
        row[j] = (s != -INFINITY && ordered_bits(s) >= cut) ? (float) (exp((real) (s - M)) / L) : 0.0f;
    }
}

// out[i, h, d] = sum_j P[h, i, j] v[j, kh, d]; one work-item per output.
__kernel void attention_pattern_context(__global const float* P, __global const float* v, __global float* out,
                                        int T, int H, int Hkv, int dv) {
    int x = get_global_id(0);
    if (x >= T * H * dv) return;
    int d = x % dv, ih = x / dv, h = ih % H, i = ih / H, kh = h / (H / Hkv);
    __global const float* prow = P + ((long) h * T + i) * T;
    float acc = 0.0f;
    for (int j = 0; j <= i; j++) {
        float p = prow[j];
        if (p != 0.0f) acc += p * v[((long) j * Hkv + kh) * dv + d];
    }
    out[x] = acc;
}

// ---- Flash-style attention (plain windows, no probabilities) ----
// The PTX backend's materialised attention as one kernel: a work-group takes FLASH_BQ queries of one head
// and walks their visible keys FLASH_BK at a time. Scores and context are small GEMMs out of local memory
// with a 4 x 4 register tile per work-item (FLASH_TX = BK / 4 work-items across keys, FLASH_TY = BQ / 4
// down queries), so each local load feeds four multiply-adds instead of one; the online softmax keeps
// no [H, T, T] buffer. Work-item (ty, tx) scores queries 4ty..4ty+3 against keys tx + FLASH_TX c (strided,
// so that neighbours read different banks) and accumulates context columns 4 (tx + FLASH_TX c) onwards.
// A row's maximum is shared through local memory once per tile; its sum stays per work-item until the
// end. Queries come pre-scaled by scale log2(e), so probabilities are exp2 of score minus maximum.
// The host picks FLASH_BQ and FLASH_BK (-Dmoescope.opencl.flashTile) and sizes the local buffers for the
// head widths, which must be multiples of 4 and at most FLASH_MAX_D; other shapes use the per-row kernel.
#ifndef FLASH_BQ
#define FLASH_BQ 32
#endif
#ifndef FLASH_BK
#define FLASH_BK 32
#endif
#define FLASH_TY (FLASH_BQ / 4)
#define FLASH_TX (FLASH_BK / 4)
#define FLASH_MAX_D 128
#define FLASH_COLS ((FLASH_MAX_D / 4 + FLASH_TX - 1) / FLASH_TX)   // float4 context columns per work-item, at most
#define FLASH_PSTRIDE (FLASH_TY + 1)                                  // probabilities: a key's queries, in float4, padded

// Rows [0, n) of a [*, width] tensor of heads (row r at base + r * rowStride floats) into local rows of
// stride4 float4; rows from n on are zeroed so that no stale value turns into a NaN.
inline void flash_stage(__local float4* dst, int stride4, __global const float* src, long base, long rowStride,
                        int rows, int n, int width, float mul) {
    int w4 = width / 4;
    for (int x = get_local_id(0); x < rows * w4; x += get_local_size(0)) {
        int r = x / w4, c = x - r * w4;
        dst[r * stride4 + c] = r < n ? vload4(0, src + base + r * rowStride + 4 * c) * mul : (float4) (0.0f);
    }
}

__kernel __attribute__((reqd_work_group_size(FLASH_TX * FLASH_TY, 1, 1)))
void attention_flash(__global const float* q, __global const float* k, __global const float* v, __global float* out,
                     int T, int H, int Hkv, int dqk, int dv, float scale, int window, __global float* lse, int hasLse,
                     __local float4* qs, __local float4* kvs, __local float4* ps, __local float* red) {
    int tiles = (T + FLASH_BQ - 1) / FLASH_BQ;
    int g = get_group_id(0), lid = get_local_id(0);
    int tx = lid % FLASH_TX, ty = lid / FLASH_TX;
    // The longest rows (last query tiles) first, so that the short ones fill in behind them.
    int h = g % H, q0 = (tiles - 1 - g / H) * FLASH_BQ, kh = h / (H / Hkv);
    int rows = min(FLASH_BQ, T - q0);
    int qs4 = dqk / 4 + 1, kvs4 = max(dqk, dv) / 4 + 1, dq4 = dqk / 4, dv4 = dv / 4;
    flash_stage(qs, qs4, q, ((long) q0 * H + h) * dqk, (long) H * dqk, FLASH_BQ, rows, dqk, scale * M_LOG2E_F);

    float m[4], l[4];
    float4 acc[4][FLASH_COLS];
    int first[4], i[4];
#pragma unroll
    for (int r = 0; r < 4; r++) {
        m[r] = -INFINITY;
        l[r] = 0.0f;
        i[r] = min(q0 + 4 * ty + r, T - 1);   // rows past T repeat the last query and are not written
        first[r] = first_visible(i[r], window);
#pragma unroll
        for (int c = 0; c < FLASH_COLS; c++) acc[r][c] = (float4) (0.0f);
    }
    int last = q0 + rows - 1;
    for (int j0 = first_visible(q0, window); j0 <= last; j0 += FLASH_BK) {
        int n = min(FLASH_BK, last - j0 + 1);
        barrier(CLK_LOCAL_MEM_FENCE);   // the previous tile's values and probabilities are used up
        flash_stage(kvs, kvs4, k, ((long) j0 * Hkv + kh) * dqk, (long) Hkv * dqk, FLASH_BK, n, dqk, 1.0f);
        barrier(CLK_LOCAL_MEM_FENCE);
        float s[4][4];
#pragma unroll
        for (int r = 0; r < 4; r++) {
#pragma unroll
            for (int c = 0; c < 4; c++) s[r][c] = 0.0f;
        }
        for (int d = 0; d < dq4; d++) {
            float4 a[4], b[4];
#pragma unroll
            for (int r = 0; r < 4; r++) a[r] = qs[(4 * ty + r) * qs4 + d];
#pragma unroll
            for (int c = 0; c < 4; c++) b[c] = kvs[(tx + FLASH_TX * c) * kvs4 + d];
#pragma unroll
            for (int r = 0; r < 4; r++) {
#pragma unroll
                for (int c = 0; c < 4; c++) {
                    s[r][c] = mad(a[r].x, b[c].x, mad(a[r].y, b[c].y, mad(a[r].z, b[c].z, mad(a[r].w, b[c].w, s[r][c]))));
                }
            }
        }
#pragma unroll
        for (int r = 0; r < 4; r++) {
            float mx = -INFINITY;
#pragma unroll
            for (int c = 0; c < 4; c++) {
                int j = j0 + tx + FLASH_TX * c;
                if (j < first[r] || j > i[r]) s[r][c] = -INFINITY;
                mx = fmax(mx, s[r][c]);
            }
            red[(4 * ty + r) * FLASH_TX + tx] = mx;
        }
        barrier(CLK_LOCAL_MEM_FENCE);   // the row maxima are in, and the keys are used up
        flash_stage(kvs, kvs4, v, ((long) j0 * Hkv + kh) * dv, (long) Hkv * dv, FLASH_BK, n, dv, 1.0f);
        float4 p[4];
#pragma unroll
        for (int r = 0; r < 4; r++) {
            float4 m4 = (float4) (m[r]);
#pragma unroll
            for (int t = 0; t < FLASH_TX / 4; t++) m4 = fmax(m4, vload4((4 * ty + r) * (FLASH_TX / 4) + t, red));
            float mx = fmax(fmax(m4.x, m4.y), fmax(m4.z, m4.w));
            // A row that has seen no key yet keeps m = -inf, l = 0 and a zero context.
            float alpha = mx == -INFINITY ? 1.0f : exp2(m[r] - mx);
            float e[4];
#pragma unroll
            for (int c = 0; c < 4; c++) e[c] = mx == -INFINITY ? 0.0f : exp2(s[r][c] - mx);
            m[r] = mx;
            l[r] = l[r] * alpha + (e[0] + e[1]) + (e[2] + e[3]);
#pragma unroll
            for (int c = 0; c < FLASH_COLS; c++) acc[r][c] *= alpha;
            s[r][0] = e[0];
            s[r][1] = e[1];
            s[r][2] = e[2];
            s[r][3] = e[3];
        }
#pragma unroll
        for (int c = 0; c < 4; c++) ps[(tx + FLASH_TX * c) * FLASH_PSTRIDE + ty] = (float4) (s[0][c], s[1][c], s[2][c], s[3][c]);
        barrier(CLK_LOCAL_MEM_FENCE);   // probabilities and values are in
        for (int j = 0; j < n; j++) {
            float4 pj = ps[j * FLASH_PSTRIDE + ty];
#pragma unroll
            for (int c = 0; c < FLASH_COLS; c++) {
                int col = tx + FLASH_TX * c;
                if (col < dv4) {
                    float4 x = kvs[j * kvs4 + col];
                    acc[0][c] = mad((float4) (pj.x), x, acc[0][c]);
                    acc[1][c] = mad((float4) (pj.y), x, acc[1][c]);
                    acc[2][c] = mad((float4) (pj.z), x, acc[2][c]);
                    acc[3][c] = mad((float4) (pj.w), x, acc[3][c]);
                }
            }
        }
    }
    // Each row's sum over its FLASH_TX work-items; nobody reads the maxima any more.
#pragma unroll
    for (int r = 0; r < 4; r++) red[(4 * ty + r) * FLASH_TX + tx] = l[r];
    barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll
    for (int r = 0; r < 4; r++) {
        if (4 * ty + r >= rows) break;
        float4 l4 = (float4) (0.0f);
#pragma unroll
        for (int t = 0; t < FLASH_TX / 4; t++) l4 += vload4((4 * ty + r) * (FLASH_TX / 4) + t, red);
        float L = (l4.x + l4.y) + (l4.z + l4.w);
        float inv = 1.0f / L;
        // every work-item of a row holds the same maximum: one of them writes the row's log-sum-exp
        if (hasLse && tx == 0) lse[(long) h * T + q0 + 4 * ty + r] = m[r] + log2(L);
        __global float* o = out + ((long) (q0 + 4 * ty + r) * H + h) * dv;
#pragma unroll
        for (int c = 0; c < FLASH_COLS; c++) {
            int col = tx + FLASH_TX * c;
            if (col < dv4) vstore4(acc[r][c] * inv, col, o);
        }
    }
}

// Row-by-key products of two [T, heads, width] tensors, [H, T, T], zero where a key is hidden: a 16 x 16
// work-group takes 16 queries (rows of a, head h) against 16 keys (rows of b, key head h / (H / Hkv)) out of
// local memory. Tiles wholly above the diagonal or before every row's window only write zeros. Two uses:
// - hasLse 1: the probabilities of the flash kernel's rows, exp2(score - lse) from its base-2 log-sum-exp,
//   a = q and mul = scale (times log2(e) here); the scores are the flash kernel's to the bit (queries
//   pre-scaled alike, dimensions summed four at a time, the fourth first), so a row with one visible key gets exactly 1.
//   The forward pass then costs the flash kernel plus one write of the probabilities, where the per-row
//   kernel above read every key and value once per query.
// - hasLse 0: dP = dO v^T for the backward pass, a = dO and mul = 1.
__kernel __attribute__((reqd_work_group_size(ATT_TILE, ATT_TILE, 1)))
void attention_row_products(__global const float* a, __global const float* b, __global const float* lse, int hasLse,
                            __global float* out, int T, int H, int Hkv, int width, float mul, int window,
                            __local float* at, __local float* bt) {
    int j = get_global_id(0), i = get_global_id(1), h = get_global_id(2);
    int lj = get_local_id(0), li = get_local_id(1);
    int j0 = get_group_id(0) * ATT_TILE, i0 = get_group_id(1) * ATT_TILE, kh = h / (H / Hkv);
    // the same for the whole group, so the barriers below are met by all or none
    bool dead = j0 > i0 + ATT_TILE - 1 || j0 + ATT_TILE - 1 < first_visible(i0, window);
    float s = 0.0f, m = hasLse ? mul * M_LOG2E_F : mul;   // as the flash kernel scales its queries
    if (!dead) {
        for (int d0 = 0; d0 < width; d0 += ATT_TILE) {
            int ia = min(i0 + li, T - 1), jb = min(j0 + li, T - 1);
            at[li * ATT_TILE + lj] = d0 + lj < width ? a[((long) ia * H + h) * width + d0 + lj] * m : 0.0f;
            // key j0 + li's dimension d0 + lj, stored by key with a padded stride against bank conflicts
            bt[li * (ATT_TILE + 1) + lj] = d0 + lj < width ? b[((long) jb * Hkv + kh) * width + d0 + lj] : 0.0f;
            barrier(CLK_LOCAL_MEM_FENCE);
            __local const float* x = at + li * ATT_TILE;
            __local const float* y = bt + lj * (ATT_TILE + 1);
            for (int d = 0; d < ATT_TILE; d += 4) s = mad(x[d], y[d], mad(x[d + 1], y[d + 1], mad(x[d + 2], y[d + 2], mad(x[d + 3], y[d + 3], s))));
            barrier(CLK_LOCAL_MEM_FENCE);
        }
    }
    if (i >= T || j >= T) return;
    float p = 0.0f;
    if (!dead && j <= i && j >= first_visible(i, window)) p = hasLse ? exp2(s - lse[(long) h * T + i]) : s;
    out[((long) h * T + i) * T + j] = p;
}

// dS = P (dP - sum_j P dP) in place over dP, one work-group per (head, query) row, the sum in real as the
// per-row kernel above takes it; P is zero wherever a key is hidden, and so is dS then.
__kernel void attention_backward_softmax(__global const float* probs, __global float* ds, int T) {
    __local real sbuf[RED_WG];
    int g = get_group_id(0), lid = get_local_id(0);
    __global const float* prow = probs + (long) g * T;
    __global float* drow = ds + (long) g * T;
    real acc = 0;
    for (int j = lid; j < T; j += RED_WG) acc += (real) prow[j] * drow[j];
    float D = (float) group_sum(sbuf, acc);
    for (int j = lid; j < T; j += RED_WG) drow[j] = prow[j] * (drow[j] - D);
}
