// C(m, n) = sum_k A(m, k) B(n, k) (+ bias[n]) (+ C(m, n) when accumulating): the port of the ptx
// backend's gemm.cu to OpenCL C 1.2. Each operand is either K-contiguous (A(m, k) at a[m lda + k],
// the x w^T layout) or M/N-contiguous (A(m, k) at a[k lda + m]); kernel names spell A's layout then
// B's, k or m/n, and the layout is a constant that the compiler folds away after inlining.
//
// A work-group of GEMM_THREADS work-items computes a GEMM_BM x GEMM_BN tile through local memory,
// double-buffered through registers: the next GEMM_BK columns are loaded from global memory while
// this step's are multiplied. Each work-item owns GEMM_TM x GEMM_TN outputs split into two halves of
// rows (and of columns) GEMM_BM / 2 apart, so that its fragment reads are vector loads that a warp
// serves without bank conflicts. Exact fp32 multiply-adds.
//
// The host chooses the tile with -D (ClContext, GemmConfig); GEMM_TM and GEMM_TN are 4 or 8.

#ifndef GEMM_BM
#define GEMM_BM 64
#define GEMM_BN 64
#define GEMM_BK 16
#define GEMM_TM 4
#define GEMM_TN 4
#endif
#define GEMM_THREADS ((GEMM_BM / GEMM_TM) * (GEMM_BN / GEMM_TN))
// 4 floats of padding keep rows 16-byte aligned and put a warp's transposed stores on distinct banks.
#define GEMM_LDA (GEMM_BM + 4)
#define GEMM_LDB (GEMM_BN + 4)
// float4 loads per work-item per staged tile of A and of B
#define GEMM_NA (GEMM_BM * GEMM_BK / 4 / GEMM_THREADS)
#define GEMM_NB (GEMM_BN * GEMM_BK / 4 / GEMM_THREADS)

// The next GEMM_BK columns k0.. of one operand into registers, zero past kEnd and past rem rows.
// K-contiguous (kc): row r at p + r ld for r < split, else at p2 + (r - split) ld, so that the fused
// gate/up product reads gate rows into the tile's first half and the same rows of up into its second;
// a row counts against rem by its index within its half. Otherwise element (r, k) is at p + k ld + r.
inline void gemm_fetch(float4* reg, const int n4, const int rows, const int kc, __global const float* p,
                       __global const float* p2, int split, int ld, int rem, int vec, int k0, int kEnd) {
    int tid = get_local_id(0);
#pragma unroll
    for (int i = 0; i < n4; i++) {
        int q = tid + i * GEMM_THREADS;
        float4 v = (float4) (0.0f);
        if (kc) {
            int r = q / (GEMM_BK / 4), k = k0 + (q % (GEMM_BK / 4)) * 4;
            int rr = r < split ? r : r - split;
            if (rr < rem) {
                __global const float* row = (r < split ? p : p2) + (long) rr * ld;
                if (vec && k + 3 < kEnd) {
                    v = *(__global const float4*) (row + k);
                } else {
                    if (k < kEnd) v.x = row[k];
                    if (k + 1 < kEnd) v.y = row[k + 1];
                    if (k + 2 < kEnd) v.z = row[k + 2];
                    if (k + 3 < kEnd) v.w = row[k + 3];
                }
            }
        } else {
            int k = k0 + q / (rows / 4), r = (q % (rows / 4)) * 4;
            if (k < kEnd) {
                __global const float* x = p + (long) k * ld + r;
                if (vec && r + 3 < rem) {
                    v = *(__global const float4*) x;
                } else {
                    if (r < rem) v.x = x[0];
                    if (r + 1 < rem) v.y = x[1];
                    if (r + 2 < rem) v.z = x[2];
                    if (r + 3 < rem) v.w = x[3];
                }
            }
        }
        reg[i] = v;
    }
}

// The registers of gemm_fetch into local memory as s[k][r], row stride rows + 4.
inline void gemm_stash(__local float* s, const float4* reg, const int n4, const int rows, const int kc) {
    int tid = get_local_id(0), ld = rows + 4;
#pragma unroll
    for (int i = 0; i < n4; i++) {
        int q = tid + i * GEMM_THREADS;
        if (kc) {
            int r = q / (GEMM_BK / 4), kk = (q % (GEMM_BK / 4)) * 4;
            s[kk * ld + r] = reg[i].x;
            s[(kk + 1) * ld + r] = reg[i].y;
            s[(kk + 2) * ld + r] = reg[i].z;
            s[(kk + 3) * ld + r] = reg[i].w;
        } else {
            int k = q / (rows / 4), r = (q % (rows / 4)) * 4;
            *(__local float4*) (s + k * ld + r) = reg[i];
        }
    }
}

// A work-item's w values of one staged row: w / 2 at t w / 2, the other w / 2 at span / 2 + t w / 2.
inline void gemm_fragment(float* f, __local const float* row, int t, const int w, const int span) {
    __local const float* p0 = row + t * (w / 2);
    __local const float* p1 = row + span / 2 + t * (w / 2);
    if (w == 8) {
        float4 x = *(__local const float4*) p0, y = *(__local const float4*) p1;
        f[0] = x.x; f[1] = x.y; f[2] = x.z; f[3] = x.w;
        f[4] = y.x; f[5] = y.y; f[6] = y.z; f[7] = y.w;
    } else {
        float2 x = *(__local const float2*) p0, y = *(__local const float2*) p1;
        f[0] = x.x; f[1] = x.y; f[2] = y.x; f[3] = y.y;
    }
}

// acc += A B^T over k in [kBegin, kEnd) for this work-group's tile; the operands as gemm_fetch takes them.
// As and Bs hold two stages each. Every work-item of the group must call it (it has barriers).
inline void gemm_mainloop(float* acc, __local float* As, __local float* Bs,
                          const int akc, __global const float* a, int lda, int mRem,
                          const int bkc, __global const float* b, __global const float* b2, int bsplit, int ldb, int nRem,
                          int kBegin, int kEnd) {
    // K-contiguous vectors stay 16-byte aligned only when the K range starts on a multiple of 4.
    int vecA = (lda & 3) == 0 && (!akc || (kBegin & 3) == 0);
    int vecB = (ldb & 3) == 0 && (!bkc || (kBegin & 3) == 0);
    int tid = get_local_id(0);
    int tx = tid % (GEMM_BN / GEMM_TN), ty = tid / (GEMM_BN / GEMM_TN);
    float4 ra[GEMM_NA], rb[GEMM_NB];
    if (kBegin >= kEnd) return;   // uniform across the work-group, before any barrier
    gemm_fetch(ra, GEMM_NA, GEMM_BM, akc, a, a, GEMM_BM, lda, mRem, vecA, kBegin, kEnd);
    gemm_fetch(rb, GEMM_NB, GEMM_BN, bkc, b, b2, bsplit, ldb, nRem, vecB, kBegin, kEnd);
    gemm_stash(As, ra, GEMM_NA, GEMM_BM, akc);
    gemm_stash(Bs, rb, GEMM_NB, GEMM_BN, bkc);
    barrier(CLK_LOCAL_MEM_FENCE);
    int cur = 0;
    for (int k0 = kBegin; k0 < kEnd; k0 += GEMM_BK) {
        int more = k0 + GEMM_BK < kEnd;
        if (more) {
            gemm_fetch(ra, GEMM_NA, GEMM_BM, akc, a, a, GEMM_BM, lda, mRem, vecA, k0 + GEMM_BK, kEnd);
            gemm_fetch(rb, GEMM_NB, GEMM_BN, bkc, b, b2, bsplit, ldb, nRem, vecB, k0 + GEMM_BK, kEnd);
        }
        __local const float* as = As + cur * (GEMM_BK * GEMM_LDA);
        __local const float* bs = Bs + cur * (GEMM_BK * GEMM_LDB);
#pragma unroll
        for (int kk = 0; kk < GEMM_BK; kk++) {
            float af[GEMM_TM], bf[GEMM_TN];
            gemm_fragment(af, as + kk * GEMM_LDA, ty, GEMM_TM, GEMM_BM);
            gemm_fragment(bf, bs + kk * GEMM_LDB, tx, GEMM_TN, GEMM_BN);
#pragma unroll
            for (int i = 0; i < GEMM_TM; i++)
#pragma unroll
                for (int j = 0; j < GEMM_TN; j++) acc[i * GEMM_TN + j] = mad(af[i], bf[j], acc[i * GEMM_TN + j]);
        }
        if (more) {
            // The other stage was last read before the previous barrier: no work-item still needs it.
            gemm_stash(As + (cur ^ 1) * (GEMM_BK * GEMM_LDA), ra, GEMM_NA, GEMM_BM, akc);
            gemm_stash(Bs + (cur ^ 1) * (GEMM_BK * GEMM_LDB), rb, GEMM_NB, GEMM_BN, bkc);
        }
        cur ^= 1;
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

// The tile row of a work-item's i-th output row, and the tile column of its j-th output column.
inline int gemm_row(int i) {
    int ty = get_local_id(0) / (GEMM_BN / GEMM_TN);
    return i < GEMM_TM / 2 ? ty * (GEMM_TM / 2) + i : GEMM_BM / 2 + ty * (GEMM_TM / 2) + (i - GEMM_TM / 2);
}

inline int gemm_col(int j) {
    int tx = get_local_id(0) % (GEMM_BN / GEMM_TN);
    return j < GEMM_TN / 2 ? tx * (GEMM_TN / 2) + j : GEMM_BN / 2 + tx * (GEMM_TN / 2) + (j - GEMM_TN / 2);
}

// acc (+ bias) (+ what c holds, when accumulating) into the tile whose first element is at c.
inline void gemm_store(__global float* c, int ldc, int mRem, int nRem, __global const float* bias, int accumulate,
                       const float* acc) {
    const int H = GEMM_TN / 2;
    int vec = (ldc & 3) == 0;
#pragma unroll
    for (int i = 0; i < GEMM_TM; i++) {
        int r = gemm_row(i);
        if (r >= mRem) continue;
        __global float* crow = c + (long) r * ldc;
#pragma unroll
        for (int h = 0; h < 2; h++) {
            int c0 = gemm_col(h * H);
            float v[GEMM_TN / 2];
#pragma unroll
            for (int j = 0; j < H; j++) {
                v[j] = acc[i * GEMM_TN + h * H + j];
                if (bias && c0 + j < nRem) v[j] += bias[c0 + j];
            }
            if (H == 4 && vec && c0 + 3 < nRem) {
                __global float4* p = (__global float4*) (crow + c0);
                float4 o = (float4) (v[0], v[1], v[2], v[3]);
                *p = accumulate ? *p + o : o;
            } else {
#pragma unroll
                for (int j = 0; j < H; j++) {
                    if (c0 + j < nRem) crow[c0 + j] = accumulate ? crow[c0 + j] + v[j] : v[j];
                }
            }
        }
    }
}

// The fused gate/up epilogue: a work-item's first-half columns are gate values, its second half the up
// values of the same output columns. Writes silu(gate) up to h, and gate and up to g and u when given.
inline void gemm_store_glu(__global float* h, __global float* g, __global float* u, int ldc, int mRem, int nRem,
                           const float* acc) {
    const int H = GEMM_TN / 2;
    int c0 = gemm_col(0);
#pragma unroll
    for (int i = 0; i < GEMM_TM; i++) {
        int r = gemm_row(i);
        if (r >= mRem) continue;
        long o = (long) r * ldc + c0;
#pragma unroll
        for (int j = 0; j < H; j++) {
            if (c0 + j >= nRem) continue;
            float gv = acc[i * GEMM_TN + j], uv = acc[i * GEMM_TN + H + j];
            // as the swiglu kernel computes it, so that the fused product and the separate ones agree
            h[o + j] = gv / (1.0f + exp_like_java(-gv)) * uv;
            if (g) {
                g[o + j] = gv;
                u[o + j] = uv;
            }
        }
    }
}

#define GEMM_LOCALS \
    __local float As[2 * GEMM_BK * GEMM_LDA] __attribute__((aligned(16))); \
    __local float Bs[2 * GEMM_BK * GEMM_LDB] __attribute__((aligned(16))); \
    float acc[GEMM_TM * GEMM_TN]; \
    for (int i = 0; i < GEMM_TM * GEMM_TN; i++) acc[i] = 0.0f;

// ---- dense products: tile (group 0 along N, group 1 along M) -----------------------------------

inline void gemm_dense(__local float* As, __local float* Bs, float* acc, const int akc, const int bkc,
                       __global const float* a, int lda, __global const float* b, int ldb, __global float* c, int ldc,
                       __global const float* bias, int accumulate, int M, int N, int K) {
    int m0 = get_group_id(1) * GEMM_BM, n0 = get_group_id(0) * GEMM_BN;
    __global const float* at = akc ? a + (long) m0 * lda : a + m0;
    __global const float* bt = bkc ? b + (long) n0 * ldb : b + n0;
    gemm_mainloop(acc, As, Bs, akc, at, lda, M - m0, bkc, bt, bt, GEMM_BN, ldb, N - n0, 0, K);
    gemm_store(c + (long) m0 * ldc + n0, ldc, M - m0, N - n0, bias ? bias + n0 : 0, accumulate, acc);
}

#define GEMM_DENSE(NAME, AKC, BKC) \
__kernel __attribute__((reqd_work_group_size(GEMM_THREADS, 1, 1))) \
void NAME(__global const float* a, int lda, __global const float* b, int ldb, __global float* c, int ldc, \
          __global const float* bias, int hasBias, int accumulate, int M, int N, int K) { \
    GEMM_LOCALS \
    gemm_dense(As, Bs, acc, AKC, BKC, a, lda, b, ldb, c, ldc, hasBias ? bias : 0, accumulate, M, N, K); \
}

GEMM_DENSE(gemm_kk, 1, 1)   // x w^T
GEMM_DENSE(gemm_kn, 1, 0)   // dy w
GEMM_DENSE(gemm_mn, 0, 0)   // dy^T x

// ---- the experts' products ------------------------------------------------------------------------
// OpenCL 1.2 cannot pass an array of buffers, so up to 16 experts' own matrices come as arguments
// p0..p15 (and q0..q15: the up weights of the fused product), expert e0 + i as p_i.

#define GEMM_EXPERT_PARAMS(P) \
    __global float* P##0, __global float* P##1, __global float* P##2, __global float* P##3, \
    __global float* P##4, __global float* P##5, __global float* P##6, __global float* P##7, \
    __global float* P##8, __global float* P##9, __global float* P##10, __global float* P##11, \
    __global float* P##12, __global float* P##13, __global float* P##14, __global float* P##15
#define GEMM_EXPERT_ARGS(P) P##0, P##1, P##2, P##3, P##4, P##5, P##6, P##7, P##8, P##9, P##10, P##11, P##12, P##13, P##14, P##15

inline __global float* gemm_pick(int i, GEMM_EXPERT_PARAMS(p)) {
    switch (i) {
        case 0: return p0;   case 1: return p1;   case 2: return p2;   case 3: return p3;
        case 4: return p4;   case 5: return p5;   case 6: return p6;   case 7: return p7;
        case 8: return p8;   case 9: return p9;   case 10: return p10; case 11: return p11;
        case 12: return p12; case 13: return p13; case 14: return p14; default: return p15;
    }
}

// Rows grouped by expert (expert_dispatch): expert e owns rows [offsets[e], offsets[e + 1]) and row
// tiles [tileStart[e], tileStart[e + 1]). This launch covers experts [e0, e0 + n): group 1 counts its
// tiles from tileStart[e0]. Returns the tile's expert, or -1 for a group past the last tile (the grid
// is sized for the most tiles there can be).
inline int gemm_expert_of_tile(__global const int* tileStart, int e0, int n, int* tile) {
    int y = tileStart[e0] + get_group_id(1);
    if (y >= tileStart[e0 + n]) return -1;
    int lo = e0, hi = e0 + n;   // tileStart[lo] <= y < tileStart[hi]
    while (hi - lo > 1) {
        int mid = (lo + hi) >> 1;
        if (tileStart[mid] <= y) lo = mid; else hi = mid;
    }
    *tile = y - tileStart[lo];
    return lo;
}

#define GEMM_ROWS_PARAMS __global const float* a, int lda, __global float* c, int ldc, int ldb, int accumulate, \
    int N, int K, __global const int* offsets, __global const int* tileStart, int e0, int n

// Each expert's rows of C = its rows of A (K-contiguous) times its B, B K-contiguous (kk: its w [N, K]) or
// N-contiguous (kn: its w [K, N]).
inline void gemm_rows(__local float* As, __local float* Bs, float* acc, const int bkc, GEMM_ROWS_PARAMS,
                      int e, int tile, __global const float* own) {
    int m0 = offsets[e] + tile * GEMM_BM, mRem = offsets[e + 1] - m0, n0 = get_group_id(0) * GEMM_BN;
    __global const float* bt = bkc ? own + (long) n0 * ldb : own + n0;
    gemm_mainloop(acc, As, Bs, 1, a + (long) m0 * lda, lda, mRem, bkc, bt, bt, GEMM_BN, ldb, N - n0, 0, K);
    gemm_store(c + (long) m0 * ldc + n0, ldc, mRem, N - n0, 0, accumulate, acc);
}

#define GEMM_ROWS(NAME, BKC) \
__kernel __attribute__((reqd_work_group_size(GEMM_THREADS, 1, 1))) \
void NAME(GEMM_ROWS_PARAMS, GEMM_EXPERT_PARAMS(p)) { \
    GEMM_LOCALS \
    int tile, e = gemm_expert_of_tile(tileStart, e0, n, &tile); \
    if (e < 0) return; \
    gemm_rows(As, Bs, acc, BKC, a, lda, c, ldc, ldb, accumulate, N, K, offsets, tileStart, e0, n, e, tile, \
              gemm_pick(e - e0, GEMM_EXPERT_ARGS(p))); \
}

GEMM_ROWS(gemm_expert_kk, 1)
GEMM_ROWS(gemm_expert_kn, 0)

// silu(A gate^T) (A up^T) per expert over its rows, into h [rows, N]; also A gate^T into g and A up^T
// into u when g is given (the backward pass needs them). A tile spans GEMM_BN / 2 output columns.
__kernel __attribute__((reqd_work_group_size(GEMM_THREADS, 1, 1)))
void gemm_expert_glu(__global const float* a, int lda, __global float* h, __global float* g, __global float* u,
                     int keep, int ldc, int ldb, int N, int K, __global const int* offsets,
                     __global const int* tileStart, int e0, int n, GEMM_EXPERT_PARAMS(p), GEMM_EXPERT_PARAMS(q)) {
    GEMM_LOCALS
    int tile, e = gemm_expert_of_tile(tileStart, e0, n, &tile);
    if (e < 0) return;
    int m0 = offsets[e] + tile * GEMM_BM, mRem = offsets[e + 1] - m0, n0 = get_group_id(0) * (GEMM_BN / 2);
    __global const float* gate = gemm_pick(e - e0, GEMM_EXPERT_ARGS(p)) + (long) n0 * ldb;
    __global const float* up = gemm_pick(e - e0, GEMM_EXPERT_ARGS(q)) + (long) n0 * ldb;
    gemm_mainloop(acc, As, Bs, 1, a + (long) m0 * lda, lda, mRem, 1, gate, up, GEMM_BN / 2, ldb, N - n0, 0, K);
    long o = (long) m0 * ldc + n0;
    gemm_store_glu(h + o, keep ? g + o : 0, keep ? u + o : 0, ldc, mRem, N - n0, acc);
}

// Weight gradients: own_e [M, N] (+)= A_e^T B_e, summing over expert e = e0 + group 2's rows of
// A [rows, M] and B [rows, N] (both read M/N-contiguous).
__kernel __attribute__((reqd_work_group_size(GEMM_THREADS, 1, 1)))
void gemm_expert_inner(__global const float* a, int lda, __global const float* b, int ldb, int ldc, int accumulate,
                       int M, int N, __global const int* offsets, int e0, GEMM_EXPERT_PARAMS(p)) {
    GEMM_LOCALS
    int z = get_group_id(2), e = e0 + z;
    int m0 = get_group_id(1) * GEMM_BM, n0 = get_group_id(0) * GEMM_BN;
    int kBegin = offsets[e], kEnd = offsets[e + 1];
    if (kBegin == kEnd && accumulate) return;
    gemm_mainloop(acc, As, Bs, 0, a + m0, lda, M - m0, 0, b + n0, b + n0, GEMM_BN, ldb, N - n0, kBegin, kEnd);
    gemm_store(gemm_pick(z, GEMM_EXPERT_ARGS(p)) + (long) m0 * ldc + n0, ldc, M - m0, N - n0, 0, accumulate, acc);
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
