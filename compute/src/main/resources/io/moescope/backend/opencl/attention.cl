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
// A work-group takes FLASH_BQ consecutive queries of one head with FLASH_SPLIT work-items per query:
// keys and values come through local memory FLASH_BK at a time, read once per tile of queries instead
// of once per query, and each of a query's work-items takes every FLASH_SPLIT-th key of a tile, so a
// sequence of a few heads still fills a large GPU. Scores never leave the work-item (online softmax),
// so no [H, T, T] buffer exists; at the end the splits' maxima, sums and contexts are merged through
// local memory. Widths are handled as float4 (one local load per four multiply-adds), so head widths
// must be multiples of 4 and at most FLASH_MAX_D; the host uses the per-row kernel above otherwise.
#define FLASH_BQ 32
#define FLASH_SPLIT 4
#define FLASH_WG (FLASH_BQ * FLASH_SPLIT)
#define FLASH_BK 24
#define FLASH_MAX_D 128
#define FLASH_D4 (FLASH_MAX_D / 4)
#define FLASH_QSTRIDE4 (FLASH_D4 + 1)   // padded: each work-item reads its own query row, off the others' banks
#define FLASH_MERGE (FLASH_MAX_D + 2)   // one query's m, l and context in the merge buffer

__kernel __attribute__((reqd_work_group_size(FLASH_WG, 1, 1)))
void attention_flash(__global const float* q, __global const float* k, __global const float* v, __global float* out,
                     int T, int H, int Hkv, int dqk, int dv, float scale, int window) {
    __local float4 qs[FLASH_BQ * FLASH_QSTRIDE4];
    __local float4 kvs[2 * FLASH_BK * FLASH_D4];   // keys, then values; the merge buffer at the end
    __local float4* ks = kvs;
    __local float4* vs = kvs + FLASH_BK * FLASH_D4;
    __local float* qf = (__local float*) qs;
    __local float* kf = (__local float*) ks;
    __local float* vf = (__local float*) vs;
    int tiles = (T + FLASH_BQ - 1) / FLASH_BQ;
    int g = get_group_id(0), lid = get_local_id(0);
    int ql = lid % FLASH_BQ, split = lid / FLASH_BQ;   // a warp: one split of 32 queries, so key reads broadcast
    int h = g / tiles, q0 = (g - h * tiles) * FLASH_BQ, kh = h / (H / Hkv);
    int rows = min(FLASH_BQ, T - q0), dq4 = dqk / 4, dv4 = dv / 4;
    for (int x = lid; x < rows * dqk; x += FLASH_WG) {
        int r = x / dqk, d = x - r * dqk;
        qf[r * FLASH_QSTRIDE4 * 4 + d] = q[((long) (q0 + r) * H + h) * dqk + d];
    }
    int i = q0 + min(ql, rows - 1);
    int first = first_visible(i, window);
    int last = q0 + rows - 1;
    __local const float4* qi = qs + min(ql, rows - 1) * FLASH_QSTRIDE4;
    float4 acc[FLASH_D4];
#pragma unroll
    for (int d = 0; d < FLASH_D4; d++) acc[d] = (float4) (0.0f);
    float m = -INFINITY, l = 0.0f;
    for (int j0 = first_visible(q0, window); j0 <= last; j0 += FLASH_BK) {
        int n = min(FLASH_BK, last - j0 + 1);
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int x = lid; x < n * dqk; x += FLASH_WG) {
            int r = x / dqk, d = x - r * dqk;
            kf[r * FLASH_MAX_D + d] = k[((long) (j0 + r) * Hkv + kh) * dqk + d];
        }
        for (int x = lid; x < n * dv; x += FLASH_WG) {
            int r = x / dv, d = x - r * dv;
            vf[r * FLASH_MAX_D + d] = v[((long) (j0 + r) * Hkv + kh) * dv + d];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int r = split; r < n; r += FLASH_SPLIT) {
            int j = j0 + r;
            if (j < first || j > i) continue;
            __local const float4* kr = ks + r * FLASH_D4;
            __local const float4* vr = vs + r * FLASH_D4;
            float4 s4 = (float4) (0.0f);
            for (int d = 0; d < dq4; d++) s4 = mad(qi[d], kr[d], s4);
            float s = (s4.x + s4.y + s4.z + s4.w) * scale;
            float c = 1.0f, p = 1.0f;
            if (s > m) {
                c = exp(m - s);
                m = s;
            } else {
                p = exp(s - m);
            }
            l = l * c + p;
#pragma unroll
            for (int d = 0; d < FLASH_D4; d++) {
                if (d < dv4) acc[d] = mad(acc[d], (float4) (c), p * vr[d]);
            }
        }
    }
    // Splits 1.. hand their (m, l, context) to split 0 one after another; a split that saw no key has
    // m = -inf and l = 0 and adds nothing.
    __local float* xf = (__local float*) kvs;
    __local float* mine = xf + ql * FLASH_MERGE;
    for (int from = 1; from < FLASH_SPLIT; from++) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (split == from) {
            mine[0] = m;
            mine[1] = l;
#pragma unroll
            for (int d = 0; d < FLASH_D4; d++) {
                if (d < dv4) {
                    mine[2 + 4 * d] = acc[d].x;
                    mine[3 + 4 * d] = acc[d].y;
                    mine[4 + 4 * d] = acc[d].z;
                    mine[5 + 4 * d] = acc[d].w;
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (split == 0) {
            float m2 = mine[0], l2 = mine[1], M = fmax(m, m2);
            if (M != -INFINITY) {
                float c1 = exp(m - M), c2 = exp(m2 - M);
                l = l * c1 + l2 * c2;
#pragma unroll
                for (int d = 0; d < FLASH_D4; d++) {
                    if (d < dv4) {
                        float4 o = (float4) (mine[2 + 4 * d], mine[3 + 4 * d], mine[4 + 4 * d], mine[5 + 4 * d]);
                        acc[d] = acc[d] * c1 + o * c2;
                    }
                }
                m = M;
            }
        }
    }
    if (split == 0 && ql < rows) {
        float inv = 1.0f / l;
        __global float* o = out + ((long) i * H + h) * dv;
#pragma unroll
        for (int d = 0; d < FLASH_D4; d++) {
            if (d < dv4) {
                float4 a = acc[d] * inv;
                o[4 * d] = a.x;
                o[4 * d + 1] = a.y;
                o[4 * d + 2] = a.z;
                o[4 * d + 3] = a.w;
            }
        }
    }
}
