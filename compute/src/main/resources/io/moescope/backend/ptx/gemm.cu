// fp32 matrix products for the ptx backend: C = alpha * A.B (+ beta * C) (+ bias).
//
// A is M x K and B is K x N in their logical shapes. Each is stored either K-contiguous ("k":
// A(m,k) at A[m*lda + k], B(k,n) at B[n*ldb + k], the nn.Linear weight layout) or M/N-contiguous
// ("m"/"n": A(m,k) at A[k*lda + m], B(k,n) at B[k*ldb + n]); kernel names spell the two layouts.
//
// A block computes a BM x BN tile through shared memory, double-buffered through registers so that
// the next tile's global loads are in flight while this one is multiplied. Each thread owns TM x TN
// results split into two halves of rows (and of columns) BM/2 apart: its fragment reads are then
// vector loads that a warp serves without bank conflicts. Exact fp32 FMAs, no tensor cores.

template <int BM_, int BN_, int BK_, int TM_, int TN_>
struct Cfg {
    static constexpr int BM = BM_, BN = BN_, BK = BK_, TM = TM_, TN = TN_;
    static constexpr int THREADS = (BM / TM) * (BN / TN);
    // 4 floats of padding keep 16-byte alignment and put the transposed stores of a warp on distinct banks
    static constexpr int PAD = 4;
};
typedef Cfg<128, 128, 8, 8, 8> Large;
typedef Cfg<128, 64, 16, 8, 4> Medium;
typedef Cfg<64, 64, 16, 4, 4> Small;

template <class C>
struct Smem {
    float a[2][C::BK][C::BM + C::PAD];
    float b[2][C::BK][C::BN + C::PAD];
};

// Rows of a K-contiguous operand, from the tile's first row; rows at or past rem read as zero.
struct KRows {
    const float* p;
    i64 ld;
    int rem;
    __device__ __forceinline__ const float* row(int r) const { return r < rem ? p + (i64)r * ld : nullptr; }
};

// A gate/up weight pair for the fused SwiGLU product: tile rows [0, half) are gate rows, [half, 2 half) the
// same rows of up, so that each thread ends up holding matching gate and up values.
template <int HALF>
struct GluRows {
    const float* g;
    const float* u;
    i64 ld;
    int rem;
    __device__ __forceinline__ const float* row(int r) const {
        int rr = r % HALF;
        return rr < rem ? (r < HALF ? g : u) + (i64)rr * ld : nullptr;
    }
};

// An M/N-contiguous operand from the tile's first column: element (m, k) at p[k*ld + m], m < rem.
struct MCols {
    const float* p;
    i64 ld;
    int rem;
    __device__ __forceinline__ const float* at(int k) const { return p + (i64)k * ld; }
};

// Two M/N-contiguous matrices stacked along K: rows k < ksplit of p, then rows of p2 (the experts' gate
// and up weights, for dx = dgate gate + dup up in one product).
struct MCols2 {
    const float* p;
    const float* p2;
    i64 ld;
    int rem;
    int ksplit;
    __device__ __forceinline__ const float* at(int k) const {
        return k < ksplit ? p + (i64)k * ld : p2 + (i64)(k - ksplit) * ld;
    }
};

template <class C, int ROWS>
struct Load {
    static constexpr int N4 = ROWS * C::BK / 4 / C::THREADS;
};

template <class C, int ROWS, class S>
__device__ __forceinline__ void load_k(const S& s, int k0, int kEnd, bool vec, float4 (&reg)[Load<C, ROWS>::N4]) {
#pragma unroll
    for (int i = 0; i < Load<C, ROWS>::N4; ++i) {
        int q = threadIdx.x + i * C::THREADS;
        int r = q / (C::BK / 4), k = k0 + (q % (C::BK / 4)) * 4;
        const float* rp = s.row(r);
        float4 v = vec4(0.f, 0.f, 0.f, 0.f);
        if (rp) {
            if (vec && k + 3 < kEnd) {
                v = *reinterpret_cast<const float4*>(rp + k);
            } else {
                if (k < kEnd) v.x = rp[k];
                if (k + 1 < kEnd) v.y = rp[k + 1];
                if (k + 2 < kEnd) v.z = rp[k + 2];
                if (k + 3 < kEnd) v.w = rp[k + 3];
            }
        }
        reg[i] = v;
    }
}

template <class C, int ROWS>
__device__ __forceinline__ void store_k(float (*s)[ROWS + C::PAD], const float4 (&reg)[Load<C, ROWS>::N4]) {
#pragma unroll
    for (int i = 0; i < Load<C, ROWS>::N4; ++i) {
        int q = threadIdx.x + i * C::THREADS;
        int r = q / (C::BK / 4), kk = (q % (C::BK / 4)) * 4;
        s[kk][r] = reg[i].x;
        s[kk + 1][r] = reg[i].y;
        s[kk + 2][r] = reg[i].z;
        s[kk + 3][r] = reg[i].w;
    }
}

template <class C, int ROWS, class S>
__device__ __forceinline__ void load_m(const S& s, int k0, int kEnd, bool vec, float4 (&reg)[Load<C, ROWS>::N4]) {
#pragma unroll
    for (int i = 0; i < Load<C, ROWS>::N4; ++i) {
        int q = threadIdx.x + i * C::THREADS;
        int k = k0 + q / (ROWS / 4), m = (q % (ROWS / 4)) * 4;
        float4 v = vec4(0.f, 0.f, 0.f, 0.f);
        if (k < kEnd) {
            const float* p = s.at(k) + m;
            if (vec && m + 3 < s.rem) {
                v = *reinterpret_cast<const float4*>(p);
            } else {
                if (m < s.rem) v.x = p[0];
                if (m + 1 < s.rem) v.y = p[1];
                if (m + 2 < s.rem) v.z = p[2];
                if (m + 3 < s.rem) v.w = p[3];
            }
        }
        reg[i] = v;
    }
}

template <class C, int ROWS>
__device__ __forceinline__ void store_m(float (*s)[ROWS + C::PAD], const float4 (&reg)[Load<C, ROWS>::N4]) {
#pragma unroll
    for (int i = 0; i < Load<C, ROWS>::N4; ++i) {
        int q = threadIdx.x + i * C::THREADS;
        int k = q / (ROWS / 4), m = (q % (ROWS / 4)) * 4;
        *reinterpret_cast<float4*>(&s[k][m]) = reg[i];
    }
}

// Either loader, chosen by the operand's layout.
template <class C, int ROWS, bool KC, class S>
struct Operand;

template <class C, int ROWS, class S>
struct Operand<C, ROWS, true, S> {
    __device__ __forceinline__ static void load(const S& s, int k0, int kEnd, bool vec, float4 (&r)[Load<C, ROWS>::N4]) {
        load_k<C, ROWS, S>(s, k0, kEnd, vec, r);
    }
    __device__ __forceinline__ static void store(float (*sm)[ROWS + C::PAD], const float4 (&r)[Load<C, ROWS>::N4]) {
        store_k<C, ROWS>(sm, r);
    }
};

template <class C, int ROWS, class S>
struct Operand<C, ROWS, false, S> {
    __device__ __forceinline__ static void load(const S& s, int k0, int kEnd, bool vec, float4 (&r)[Load<C, ROWS>::N4]) {
        load_m<C, ROWS, S>(s, k0, kEnd, vec, r);
    }
    __device__ __forceinline__ static void store(float (*sm)[ROWS + C::PAD], const float4 (&r)[Load<C, ROWS>::N4]) {
        store_m<C, ROWS>(sm, r);
    }
};

// The thread's TM (or TN) values of one shared-memory row: two vectors, BM/2 apart.
template <int T, int SPAN>
__device__ __forceinline__ void fragment(const float* row, int t, float (&f)[T]) {
    const float* p0 = row + t * (T / 2);
    const float* p1 = row + SPAN / 2 + t * (T / 2);
    if constexpr (T == 8) {
        float4 x = *reinterpret_cast<const float4*>(p0), y = *reinterpret_cast<const float4*>(p1);
        f[0] = x.x; f[1] = x.y; f[2] = x.z; f[3] = x.w;
        f[4] = y.x; f[5] = y.y; f[6] = y.z; f[7] = y.w;
    } else {
        float2 x = *reinterpret_cast<const float2*>(p0), y = *reinterpret_cast<const float2*>(p1);
        f[0] = x.x; f[1] = x.y; f[2] = y.x; f[3] = y.y;
    }
}

template <class C, bool AKC, bool BKC, class SA, class SB>
__device__ __forceinline__ void mainloop(const SA& a, const SB& b, int kBegin, int kEnd, bool vecA, bool vecB,
                                         float (&acc)[C::TM][C::TN], Smem<C>& sm) {
    typedef Operand<C, C::BM, AKC, SA> OA;
    typedef Operand<C, C::BN, BKC, SB> OB;
    float4 ra[Load<C, C::BM>::N4], rb[Load<C, C::BN>::N4];
    const int tx = threadIdx.x % (C::BN / C::TN), ty = threadIdx.x / (C::BN / C::TN);
    // K-contiguous vectors stay 16-byte aligned only when the K range starts on a multiple of 4
    vecA = vecA && (!AKC || (kBegin & 3) == 0);
    vecB = vecB && (!BKC || (kBegin & 3) == 0);
    if (kBegin >= kEnd) return;
    OA::load(a, kBegin, kEnd, vecA, ra);
    OB::load(b, kBegin, kEnd, vecB, rb);
    OA::store(sm.a[0], ra);
    OB::store(sm.b[0], rb);
    __syncthreads();
    int cur = 0;
    for (int k0 = kBegin; k0 < kEnd; k0 += C::BK) {
        const bool more = k0 + C::BK < kEnd;
        if (more) {
            OA::load(a, k0 + C::BK, kEnd, vecA, ra);
            OB::load(b, k0 + C::BK, kEnd, vecB, rb);
        }
#pragma unroll
        for (int kk = 0; kk < C::BK; ++kk) {
            float af[C::TM], bf[C::TN];
            fragment<C::TM, C::BM>(sm.a[cur][kk], ty, af);
            fragment<C::TN, C::BN>(sm.b[cur][kk], tx, bf);
#pragma unroll
            for (int i = 0; i < C::TM; ++i)
#pragma unroll
                for (int j = 0; j < C::TN; ++j) acc[i][j] = fmaf(af[i], bf[j], acc[i][j]);
        }
        if (more) {
            OA::store(sm.a[cur ^ 1], ra);
            OB::store(sm.b[cur ^ 1], rb);
        }
        __syncthreads();
        cur ^= 1;
    }
}

template <class C>
__device__ __forceinline__ int tile_row(int i) {
    const int ty = threadIdx.x / (C::BN / C::TN);
    return i < C::TM / 2 ? ty * (C::TM / 2) + i : C::BM / 2 + ty * (C::TM / 2) + (i - C::TM / 2);
}

template <class C>
__device__ __forceinline__ int tile_col(int j) {
    const int tx = threadIdx.x % (C::BN / C::TN);
    return j < C::TN / 2 ? tx * (C::TN / 2) + j : C::BN / 2 + tx * (C::TN / 2) + (j - C::TN / 2);
}

// Writes alpha * acc (+ beta * C) (+ bias) for the tile whose first element is at c.
template <class C>
__device__ __forceinline__ void store_tile(float* c, i64 ldc, int mRem, int nRem, float alpha, float beta,
                                           const float* bias, bool vec, const float (&acc)[C::TM][C::TN]) {
    constexpr int H = C::TN / 2;
#pragma unroll
    for (int i = 0; i < C::TM; ++i) {
        int r = tile_row<C>(i);
        if (r >= mRem) continue;
        float* crow = c + (i64)r * ldc;
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            int c0 = tile_col<C>(h * H);
            float v[H];
#pragma unroll
            for (int j = 0; j < H; ++j) {
                v[j] = alpha * acc[i][h * H + j];
                if (bias && c0 + j < nRem) v[j] += bias[c0 + j];
            }
            if (vec && c0 + H - 1 < nRem) {
                if constexpr (H == 4) {
                    float4* p = reinterpret_cast<float4*>(crow + c0);
                    float4 o = vec4(v[0], v[1], v[2], v[3]);
                    if (beta != 0.f) {
                        float4 old = *p;
                        o.x += beta * old.x; o.y += beta * old.y; o.z += beta * old.z; o.w += beta * old.w;
                    }
                    *p = o;
                } else {
                    float2* p = reinterpret_cast<float2*>(crow + c0);
                    float2 o = vec2(v[0], v[1]);
                    if (beta != 0.f) {
                        float2 old = *p;
                        o.x += beta * old.x; o.y += beta * old.y;
                    }
                    *p = o;
                }
            } else {
#pragma unroll
                for (int j = 0; j < H; ++j) {
                    if (c0 + j < nRem) crow[c0 + j] = beta != 0.f ? v[j] + beta * crow[c0 + j] : v[j];
                }
            }
        }
    }
}

// SwiGLU epilogue: the thread's first-half columns are gate values, the second half the up values of
// the same output columns; writes silu(gate) * up.
template <class C>
__device__ __forceinline__ void store_glu(float* c, i64 ldc, int mRem, int nRem, const float (&acc)[C::TM][C::TN]) {
    constexpr int H = C::TN / 2;
#pragma unroll
    for (int i = 0; i < C::TM; ++i) {
        int r = tile_row<C>(i);
        if (r >= mRem) continue;
        float* crow = c + (i64)r * ldc;
        int c0 = tile_col<C>(0);
#pragma unroll
        for (int j = 0; j < H; ++j) {
            if (c0 + j < nRem) {
                float g = acc[i][j], u = acc[i][H + j];
                crow[c0 + j] = g / (1.f + expf(-g)) * u;
            }
        }
    }
}

// The same split, keeping all three: gate values to g, up values to u, silu(gate) * up to h.
template <class C>
__device__ __forceinline__ void store_gu(float* g, float* u, float* h, i64 ldc, int mRem, int nRem,
                                         const float (&acc)[C::TM][C::TN]) {
    constexpr int H = C::TN / 2;
#pragma unroll
    for (int i = 0; i < C::TM; ++i) {
        int r = tile_row<C>(i);
        if (r >= mRem) continue;
        const i64 o = (i64)r * ldc;
        int c0 = tile_col<C>(0);
#pragma unroll
        for (int j = 0; j < H; ++j) {
            if (c0 + j < nRem) {
                float gv = acc[i][j], uv = acc[i][H + j];
                g[o + c0 + j] = gv;
                u[o + c0 + j] = uv;
                h[o + c0 + j] = gv / (1.f + expf(-gv)) * uv;
            }
        }
    }
}

// One matrix product per batch entry z: A + z*sA, B + (z / bDiv)*sB (query heads sharing a key head), C + z*sC.
// tri: 0 plain; 1 skips output tiles wholly above the diagonal (n > m everywhere), leaving them unwritten;
// 2 treats A as lower triangular (A(m,k) = 0 for k > m); 3 as upper triangular (A(m,k) = 0 for k < m).
// Split K (splits > 1, tri 0 only): blockIdx.z = z * splits + part; part p sums its share of K into
// C + p*sSplit (a workspace, alpha 1, beta 0, no bias) and gemm_splitk_reduce adds the parts in order.
template <class C, bool AKC, bool BKC>
__device__ __forceinline__ void gemm_dense(const float* A, const float* B, float* Cm, const float* bias, int M, int N,
                                           int K, i64 lda, i64 ldb, i64 ldc, i64 sA, i64 sB, i64 sC, int bDiv,
                                           float alpha, float beta, int tri, int vecA, int vecB, int vecC, int splits,
                                           i64 sSplit) {
    __shared__ __align__(16) Smem<C> sm;
    const int m0 = blockIdx.y * C::BM, n0 = blockIdx.x * C::BN, z = blockIdx.z / splits, part = blockIdx.z % splits;
    if (tri == 1 && n0 > m0 + C::BM - 1) return;
    int kBegin = 0, kEnd = K;
    if (tri == 2) kEnd = min(K, m0 + C::BM);
    if (tri == 3) kBegin = (m0 / C::BK) * C::BK;
    if (splits > 1) {
        // shares of whole BK steps, so that every part but the last starts 16-byte aligned
        const int share = ((kEnd - kBegin + splits - 1) / splits + C::BK - 1) / C::BK * C::BK;
        kBegin = min(kEnd, kBegin + part * share);
        kEnd = min(kEnd, kBegin + share);
        Cm += part * sSplit;
    }
    A += z * sA;
    B += (i64)(z / bDiv) * sB;
    Cm += z * sC;
    float acc[C::TM][C::TN];
#pragma unroll
    for (int i = 0; i < C::TM; ++i)
#pragma unroll
        for (int j = 0; j < C::TN; ++j) acc[i][j] = 0.f;
    if constexpr (AKC) {
        KRows a{A + (i64)m0 * lda, lda, M - m0};
        if constexpr (BKC) {
            KRows b{B + (i64)n0 * ldb, ldb, N - n0};
            mainloop<C, true, true>(a, b, kBegin, kEnd, vecA, vecB, acc, sm);
        } else {
            MCols b{B + n0, ldb, N - n0};
            mainloop<C, true, false>(a, b, kBegin, kEnd, vecA, vecB, acc, sm);
        }
    } else {
        MCols a{A + m0, lda, M - m0};
        if constexpr (BKC) {
            KRows b{B + (i64)n0 * ldb, ldb, N - n0};
            mainloop<C, false, true>(a, b, kBegin, kEnd, vecA, vecB, acc, sm);
        } else {
            MCols b{B + n0, ldb, N - n0};
            mainloop<C, false, false>(a, b, kBegin, kEnd, vecA, vecB, acc, sm);
        }
    }
    store_tile<C>(Cm + (i64)m0 * ldc + n0, ldc, M - m0, N - n0, alpha, beta, bias ? bias + n0 : nullptr, vecC, acc);
}

#define DENSE_ARGS const float *A, const float *B, float *C, const float *bias, int M, int N, int K, i64 lda, i64 ldb, \
    i64 ldc, i64 sA, i64 sB, i64 sC, int bDiv, float alpha, float beta, int tri, int vecA, int vecB, int vecC, int splits, i64 sSplit
#define DENSE_PASS A, B, C, bias, M, N, K, lda, ldb, ldc, sA, sB, sC, bDiv, alpha, beta, tri, vecA, vecB, vecC, splits, sSplit

extern "C" __global__ void __launch_bounds__(256, 2) gemm_l_kk(DENSE_ARGS) { gemm_dense<Large, true, true>(DENSE_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) gemm_l_kn(DENSE_ARGS) { gemm_dense<Large, true, false>(DENSE_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) gemm_l_mk(DENSE_ARGS) { gemm_dense<Large, false, true>(DENSE_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) gemm_l_mn(DENSE_ARGS) { gemm_dense<Large, false, false>(DENSE_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) gemm_m_kk(DENSE_ARGS) { gemm_dense<Medium, true, true>(DENSE_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) gemm_m_kn(DENSE_ARGS) { gemm_dense<Medium, true, false>(DENSE_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) gemm_m_mk(DENSE_ARGS) { gemm_dense<Medium, false, true>(DENSE_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) gemm_m_mn(DENSE_ARGS) { gemm_dense<Medium, false, false>(DENSE_PASS); }
extern "C" __global__ void __launch_bounds__(256) gemm_s_kk(DENSE_ARGS) { gemm_dense<Small, true, true>(DENSE_PASS); }
extern "C" __global__ void __launch_bounds__(256) gemm_s_kn(DENSE_ARGS) { gemm_dense<Small, true, false>(DENSE_PASS); }
extern "C" __global__ void __launch_bounds__(256) gemm_s_mk(DENSE_ARGS) { gemm_dense<Small, false, true>(DENSE_PASS); }
extern "C" __global__ void __launch_bounds__(256) gemm_s_mn(DENSE_ARGS) { gemm_dense<Small, false, false>(DENSE_PASS); }

// C_z = alpha * (sum of the parts, in order) + beta * C_z + bias, over z < batch; the parts are [splits][batch][M][N].
extern "C" __global__ void gemm_splitk_reduce(const float* ws, int splits, int batch, int M, int N, float* C, i64 ldc,
                                              i64 sC, float alpha, float beta, const float* bias) {
    const i64 per = (i64)M * N, sSplit = per * batch;
    GRID_STRIDE(i, sSplit) {
        const i64 z = i / per, r = i % per, m = r / N, n = r % N;
        float acc = 0.f;
        for (int p = 0; p < splits; ++p) acc += ws[p * sSplit + i];
        float v = alpha * acc;
        if (bias) v += bias[n];
        float* c = C + z * sC + m * ldc + n;
        *c = beta != 0.f ? v + beta * *c : v;
    }
}

// ---- grouped products for the experts ---------------------------------------------------------------
// Rows of A (tokens gathered per expert) are grouped: expert e owns rows [offsets[e], offsets[e+1]) and
// M tiles [tileStart[e], tileStart[e+1]) of blockIdx.y, both computed on the device by moe_dispatch; the
// grid is launched for the most tiles there can be, and the blocks past the real count return at once.

__device__ __forceinline__ int expert_of_tile(const int* tileStart, int E, int y) {
    int lo = 0, hi = E;   // tileStart[lo] <= y < tileStart[hi]
    while (hi - lo > 1) {
        int mid = (lo + hi) >> 1;
        if (tileStart[mid] <= y) lo = mid; else hi = mid;
    }
    return lo;
}

#define ROWS_B_K 0       // B_e = Btab[e], [N, K]
#define ROWS_B_N 1       // B_e = Btab[e], [K, N]
#define ROWS_GLU 2       // gate Btab[e] and up Btab[E + e], both [N, K]; C = silu(A gate^T) * (A up^T)
#define ROWS_GU 3        // the same, also keeping A gate^T in C2 and A up^T in C3 (C holds the product)
#define ROWS_B_N2 4      // [K, N] rows k < ksplit of Btab[e], the rest of Btab[E + e]

// Per expert e over its rows: C = alpha A B_e (+ beta C), with B_e from the pointer table as MODE says.
template <class C, int MODE>
__device__ __forceinline__ void gemm_rows(const float* A, const float* const* Btab, float* Cm, float* C2, float* C3,
                                          const int* offsets, const int* tileStart, int E, int N, int K, int ksplit,
                                          i64 lda, i64 ldb, i64 ldc, float alpha, float beta, int vecA, int vecB,
                                          int vecC) {
    constexpr bool GLU = MODE == ROWS_GLU || MODE == ROWS_GU;
    __shared__ __align__(16) Smem<C> sm;
    const int y = blockIdx.y;
    if (y >= tileStart[E]) return;
    const int e = expert_of_tile(tileStart, E, y);
    const int m0 = offsets[e] + (y - tileStart[e]) * C::BM, mRem = offsets[e + 1] - m0;
    const int n0 = blockIdx.x * (GLU ? C::BN / 2 : C::BN);
    float acc[C::TM][C::TN];
#pragma unroll
    for (int i = 0; i < C::TM; ++i)
#pragma unroll
        for (int j = 0; j < C::TN; ++j) acc[i][j] = 0.f;
    KRows a{A + (i64)m0 * lda, lda, mRem};
    float* c = Cm + (i64)m0 * ldc + n0;
    if constexpr (GLU) {
        GluRows<C::BN / 2> b{Btab[e] + (i64)n0 * ldb, Btab[E + e] + (i64)n0 * ldb, ldb, N - n0};
        mainloop<C, true, true>(a, b, 0, K, vecA, vecB, acc, sm);
        if constexpr (MODE == ROWS_GLU) {
            store_glu<C>(c, ldc, mRem, N - n0, acc);
        } else {
            const i64 o = (i64)m0 * ldc + n0;
            store_gu<C>(C2 + o, C3 + o, c, ldc, mRem, N - n0, acc);
        }
    } else if constexpr (MODE == ROWS_B_K) {
        KRows b{Btab[e] + (i64)n0 * ldb, ldb, N - n0};
        mainloop<C, true, true>(a, b, 0, K, vecA, vecB, acc, sm);
        store_tile<C>(c, ldc, mRem, N - n0, alpha, beta, nullptr, vecC, acc);
    } else if constexpr (MODE == ROWS_B_N) {
        MCols b{Btab[e] + n0, ldb, N - n0};
        mainloop<C, true, false>(a, b, 0, K, vecA, vecB, acc, sm);
        store_tile<C>(c, ldc, mRem, N - n0, alpha, beta, nullptr, vecC, acc);
    } else {
        MCols2 b{Btab[e] + n0, Btab[E + e] + n0, ldb, N - n0, ksplit};
        mainloop<C, true, false>(a, b, 0, K, vecA, vecB, acc, sm);
        store_tile<C>(c, ldc, mRem, N - n0, alpha, beta, nullptr, vecC, acc);
    }
}

#define ROWS_ARGS const float *A, const float *const *Btab, float *C, float *C2, float *C3, const int *offsets, \
    const int *tileStart, int E, int N, int K, int ksplit, i64 lda, i64 ldb, i64 ldc, float alpha, float beta, int vecA, \
    int vecB, int vecC
#define ROWS_PASS A, Btab, C, C2, C3, offsets, tileStart, E, N, K, ksplit, lda, ldb, ldc, alpha, beta, vecA, vecB, vecC

extern "C" __global__ void __launch_bounds__(256, 2) moe_gemm_glu(ROWS_ARGS) { gemm_rows<Large, ROWS_GLU>(ROWS_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) moe_gemm_gu(ROWS_ARGS) { gemm_rows<Large, ROWS_GU>(ROWS_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) moe_gemm_kk(ROWS_ARGS) { gemm_rows<Large, ROWS_B_K>(ROWS_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) moe_gemm_kn(ROWS_ARGS) { gemm_rows<Large, ROWS_B_N>(ROWS_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) moe_gemm_kn2(ROWS_ARGS) { gemm_rows<Large, ROWS_B_N2>(ROWS_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) moe_gemm_kk_m(ROWS_ARGS) { gemm_rows<Medium, ROWS_B_K>(ROWS_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) moe_gemm_kn_m(ROWS_ARGS) { gemm_rows<Medium, ROWS_B_N>(ROWS_PASS); }
extern "C" __global__ void __launch_bounds__(256, 2) moe_gemm_kn2_m(ROWS_ARGS) { gemm_rows<Medium, ROWS_B_N2>(ROWS_PASS); }

// Weight gradients of the experts: Ctab[e] = beta * Ctab[e] + A_e^T B_e, where A [rows, M] and B [rows, N]
// are row-major and expert e's rows [offsets[e], offsets[e+1]) form the reduction; blockIdx.z = e.
extern "C" __global__ void __launch_bounds__(256, 2) moe_wgrad(const float* A, const float* B, float* const* Ctab,
                                                               const int* offsets, int M, int N, i64 lda, i64 ldb,
                                                               i64 ldc, float beta, int vecA, int vecB, int vecC) {
    typedef Large C;
    __shared__ __align__(16) Smem<C> sm;
    const int e = blockIdx.z, m0 = blockIdx.y * C::BM, n0 = blockIdx.x * C::BN;
    const int kBegin = offsets[e], kEnd = offsets[e + 1];
    if (kBegin == kEnd && beta == 1.f) return;
    float acc[C::TM][C::TN];
#pragma unroll
    for (int i = 0; i < C::TM; ++i)
#pragma unroll
        for (int j = 0; j < C::TN; ++j) acc[i][j] = 0.f;
    MCols a{A + m0, lda, M - m0};
    MCols b{B + n0, ldb, N - n0};
    mainloop<C, false, false>(a, b, kBegin, kEnd, vecA, vecB, acc, sm);
    store_tile<C>(Ctab[e] + (i64)m0 * ldc + n0, ldc, M - m0, N - n0, 1.f, beta, nullptr, vecC, acc);
}
