// C(m, n) = sum_k A(m, k) B(n, k) (+ bias[n]) (+ C(m, n) when accumulating), with A and B read
// through strides so that one kernel serves x w^T, dy w and dy^T x. Each work-group of
// GEMM_T x GEMM_T work-items computes a GEMM_TILE x GEMM_TILE block, GEMM_W x GEMM_W outputs per
// work-item, from tiles of GEMM_K columns staged in local memory.
//
// For the experts (gemm_experts), the row range comes from the device: mode EXPERT_ROWS takes the
// expert's rows [offsets[e], offsets[e + 1]) of A and C, mode EXPERT_INNER sums k over that range
// of A's and B's rows. Such launches use a worst-case grid; work-groups past the expert's rows
// leave at once.

#ifndef GEMM_T
#define GEMM_T 16
#endif
// GEMM_W x GEMM_W outputs per work-item, a multiple of 4 (the host sets it with GEMM_T, see ClContext).
#ifndef GEMM_W
#define GEMM_W 4
#endif
#define GEMM_TILE (GEMM_T * GEMM_W)
#define GEMM_K 16
#define GEMM_LD (GEMM_TILE + 4)   // a multiple of 4, so that a work-item's GEMM_W values load as float4

#define GEMM_EXPERT_ROWS 1
#define GEMM_EXPERT_INNER 2

// tile[c][r] = S(r0 + r, c0 + c) for S(r, c) = src[r sr + c sc], zero outside R x C. Work-items
// walk whichever index has unit stride, so that neighbours read neighbouring addresses; along a unit
// stride each reads four columns at once (vload4 needs no more than float alignment).
inline void gemm_load(__local float* tile, __global const float* src, int sr, int sc,
                      int r0, int R, int c0, int C, int tid) {
    const int threads = GEMM_T * GEMM_T;
    if (sc == 1) {
        for (int x = tid; x < GEMM_TILE * GEMM_K / 4; x += threads) {
            int c = (x % (GEMM_K / 4)) * 4, r = x / (GEMM_K / 4);
            int gr = r0 + r, gc = c0 + c;
            float4 v = (float4) (0.0f);
            if (gr < R) {
                __global const float* row = src + (long) gr * sr;
                if (gc + 3 < C) {
                    v = vload4(0, row + gc);
                } else {
                    if (gc < C) v.x = row[gc];
                    if (gc + 1 < C) v.y = row[gc + 1];
                    if (gc + 2 < C) v.z = row[gc + 2];
                }
            }
            tile[c * GEMM_LD + r] = v.x;
            tile[(c + 1) * GEMM_LD + r] = v.y;
            tile[(c + 2) * GEMM_LD + r] = v.z;
            tile[(c + 3) * GEMM_LD + r] = v.w;
        }
    } else {
        for (int x = tid; x < GEMM_TILE * GEMM_K; x += threads) {
            int r = x % GEMM_TILE, c = x / GEMM_TILE;
            int gr = r0 + r, gc = c0 + c;
            tile[c * GEMM_LD + r] = (gr < R && gc < C) ? src[(long) gr * sr + (long) gc * sc] : 0.0f;
        }
    }
}

// One GEMM_TILE x GEMM_TILE block of C, the block chosen by the work-group's ids 0 (n) and 1 (m).
// Work-item (tx, ty) owns the GEMM_W x GEMM_W outputs at rows ty GEMM_W.. and columns tx GEMM_W..,
// so that its values of each staged column are adjacent and load as float4.
inline void gemm_block(__local float* As, __local float* Bs,
                       __global const float* a, int sam, int sak, __global const float* b, int sbn, int sbk,
                       __global float* c, int scm, __global const float* bias, int hasBias, int accumulate,
                       int M, int N, int K) {
    int tx = get_local_id(0), ty = get_local_id(1), tid = ty * GEMM_T + tx;
    int n0 = get_group_id(0) * GEMM_TILE, m0 = get_group_id(1) * GEMM_TILE;
    if (m0 >= M) return;   // the whole work-group leaves together, before any barrier

    float acc[GEMM_W][GEMM_W];
#pragma unroll
    for (int i = 0; i < GEMM_W; i++)
        for (int j = 0; j < GEMM_W; j++) acc[i][j] = 0.0f;
    for (int k0 = 0; k0 < K; k0 += GEMM_K) {
        gemm_load(As, a, sam, sak, m0, M, k0, K, tid);
        gemm_load(Bs, b, sbn, sbk, n0, N, k0, K, tid);
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < GEMM_K; kk++) {
            float av[GEMM_W], bv[GEMM_W];
#pragma unroll
            for (int i = 0; i < GEMM_W; i += 4) {
                float4 x = vload4(0, As + kk * GEMM_LD + ty * GEMM_W + i);
                float4 y = vload4(0, Bs + kk * GEMM_LD + tx * GEMM_W + i);
                av[i] = x.x; av[i + 1] = x.y; av[i + 2] = x.z; av[i + 3] = x.w;
                bv[i] = y.x; bv[i + 1] = y.y; bv[i + 2] = y.z; bv[i + 3] = y.w;
            }
#pragma unroll
            for (int i = 0; i < GEMM_W; i++)
#pragma unroll
                for (int j = 0; j < GEMM_W; j++) acc[i][j] = mad(av[i], bv[j], acc[i][j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int i = 0; i < GEMM_W; i++) {
        int m = m0 + ty * GEMM_W + i;
        if (m >= M) continue;
        for (int j = 0; j < GEMM_W; j++) {
            int n = n0 + tx * GEMM_W + j;
            if (n >= N) continue;
            float r = acc[i][j];
            if (hasBias) r += bias[n];
            long ci = (long) m * scm + n;
            c[ci] = accumulate ? c[ci] + r : r;
        }
    }
}

__kernel __attribute__((reqd_work_group_size(GEMM_T, GEMM_T, 1)))
void gemm(__global const float* a, int sam, int sak,
          __global const float* b, int sbn, int sbk,
          __global float* c, int scm,
          __global const float* bias, int hasBias, int accumulate,
          int M, int N, int K) {
    __local float As[GEMM_K * GEMM_LD];
    __local float Bs[GEMM_K * GEMM_LD];
    gemm_block(As, Bs, a, sam, sak, b, sbn, sbk, c, scm, bias, hasBias, accumulate, M, N, K);
}

// Up to 16 experts per launch, expert expert0 + z on the grid's third index z, so that the small
// per-expert products fill the device together. OpenCL 1.2 cannot pass an array of buffers, so
// each expert's own matrix comes as one of the arguments p0..p15: B (its weight) in EXPERT_ROWS
// mode, C (its weight gradient) in EXPERT_INNER mode.
__kernel __attribute__((reqd_work_group_size(GEMM_T, GEMM_T, 1)))
void gemm_experts(__global const float* a, int sam, int sak,
                  __global const float* b, int sbn, int sbk,
                  __global float* c, int scm, int accumulate, int M, int N, int K,
                  __global const int* offsets, int expert0, int mode,
                  __global float* p0, __global float* p1, __global float* p2, __global float* p3,
                  __global float* p4, __global float* p5, __global float* p6, __global float* p7,
                  __global float* p8, __global float* p9, __global float* p10, __global float* p11,
                  __global float* p12, __global float* p13, __global float* p14, __global float* p15) {
    __local float As[GEMM_K * GEMM_LD];
    __local float Bs[GEMM_K * GEMM_LD];
    int z = get_group_id(2);
    __global float* own;
    switch (z) {
        case 0: own = p0; break;   case 1: own = p1; break;   case 2: own = p2; break;   case 3: own = p3; break;
        case 4: own = p4; break;   case 5: own = p5; break;   case 6: own = p6; break;   case 7: own = p7; break;
        case 8: own = p8; break;   case 9: own = p9; break;   case 10: own = p10; break; case 11: own = p11; break;
        case 12: own = p12; break; case 13: own = p13; break; case 14: own = p14; break; default: own = p15; break;
    }
    int o = offsets[expert0 + z], rows = offsets[expert0 + z + 1] - o;
    if (mode == GEMM_EXPERT_ROWS) {
        gemm_block(As, Bs, a + (long) o * sam, sam, sak, own, sbn, sbk, c + (long) o * scm, scm, 0, 0, accumulate,
                   min(M, rows), N, K);
    } else {
        gemm_block(As, Bs, a + (long) o * sak, sam, sak, b + (long) o * sbk, sbn, sbk, own, scm, 0, 0, accumulate,
                   M, N, rows);
    }
}

// x[T, K] w[N, K]^T (+ bias) for a few rows (T <= SMALL_T), as in decoding: the tiled kernel would
// leave most of a tile idle and the device mostly empty. One work-group per output column n reads
// w's row n once, coalesced, for all T rows.
#define SMALL_T 8
__kernel void linear_small(__global const float* x, __global const float* w, __global const float* bias, int hasBias,
                           __global float* out, int T, int N, int K) {
    __local float part[SMALL_T * RED_WG];
    int n = get_group_id(0), lid = get_local_id(0);
    float acc[SMALL_T];
    for (int t = 0; t < SMALL_T; t++) acc[t] = 0.0f;
    __global const float* wr = w + (long) n * K;
    for (int k = lid; k < K; k += RED_WG) {
        float wk = wr[k];
        for (int t = 0; t < T; t++) acc[t] += x[(long) t * K + k] * wk;
    }
    for (int t = 0; t < T; t++) part[t * RED_WG + lid] = acc[t];
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = RED_WG / 2; s > 0; s >>= 1) {
        if (lid < s) for (int t = 0; t < T; t++) part[t * RED_WG + lid] += part[t * RED_WG + lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid < T) out[(long) lid * N + n] = part[lid * RED_WG] + (hasBias ? bias[n] : 0.0f);
}
