// Shared by every kernel file. The host defines RED_WG (work-group size of the reduction
// kernels, a power of two) and the GEMM tile (GEMM_BM, GEMM_BN, GEMM_BK, GEMM_TM, GEMM_TN) when building.

// Sums that the reference computes in double (softmax denominators, losses, norms) use double
// where the device has it, and float elsewhere: OpenCL 1.2 makes double an optional extension.
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double real;
#else
typedef float real;
#endif

#ifndef RED_WG
#define RED_WG 128
#endif

// The reference takes exp in double and rounds once; where double exists, do the same.
inline float exp_like_java(float x) { return (float) exp((real) x); }

inline float sigmoid_like_java(float x) { return 1.0f / (1.0f + exp_like_java(-x)); }

// Work-group sum of one value per work-item; every work-item gets the total. The tree order is
// fixed, so results do not change from run to run.
inline real group_sum(__local real* buf, real v) {
    int lid = get_local_id(0);
    buf[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = RED_WG / 2; s > 0; s >>= 1) {
        if (lid < s) buf[lid] += buf[lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    real r = buf[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

inline float group_max(__local float* buf, float v) {
    int lid = get_local_id(0);
    buf[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = RED_WG / 2; s > 0; s >>= 1) {
        if (lid < s) buf[lid] = fmax(buf[lid], buf[lid + s]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = buf[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}
