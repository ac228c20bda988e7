// Rotary embedding in place, one work-group per token: the token's cos and sin are taken once (in
// double, as the reference does) for all its heads, as the PTX kernel does, instead of once per head.
// Blocks are staged in local memory, chunk heads at a time, because interleaved pairs (2i, 2i+1)
// come out as (i, i + half): work-items would otherwise overwrite values another one still has to read.
//
// direction +1 rotates as the forward pass does. direction -1 applies the adjoint: rotation by
// the negative angles (times the same attention factor), then back to the interleaved layout.
__kernel void rope(__global float* x, __global const float* invFreq, int heads, int stride, int offset, int pairs,
                   int interleaved, float factor, int direction, int chunk, __local float* cs, __local float* tmp) {
    int t = get_group_id(0), lid = get_local_id(0), lsz = get_local_size(0);
    __local float* sn = cs + pairs;
    for (int i = lid; i < pairs; i += lsz) {
        float angle = (float) t * invFreq[i];
        cs[i] = (float) cos((real) angle) * factor;
        sn[i] = (float) sin((real) angle) * factor;
    }
    for (int h0 = 0; h0 < heads; h0 += chunk) {
        int n = min(chunk, heads - h0);
        barrier(CLK_LOCAL_MEM_FENCE);   // the tables are in, the previous chunk is written
        for (int x2 = lid; x2 < n * 2 * pairs; x2 += lsz) {
            int hh = x2 / (2 * pairs), e = x2 - hh * 2 * pairs;
            tmp[x2] = x[((long) t * heads + h0 + hh) * stride + offset + e];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int p = lid; p < n * pairs; p += lsz) {
            int hh = p / pairs, i = p - hh * pairs;
            __local const float* blk = tmp + hh * 2 * pairs;
            __global float* out = x + ((long) t * heads + h0 + hh) * stride + offset;
            float c = cs[i], s = sn[i];
            if (direction > 0) {
                float a = interleaved ? blk[2 * i] : blk[i];
                float b = interleaved ? blk[2 * i + 1] : blk[pairs + i];
                out[i] = a * c - b * s;
                out[pairs + i] = b * c + a * s;
            } else {
                float ga = blk[i], gb = blk[pairs + i];
                float da = ga * c + gb * s;
                float db = gb * c - ga * s;
                if (interleaved) {
                    out[2 * i] = da;
                    out[2 * i + 1] = db;
                } else {
                    out[i] = da;
                    out[pairs + i] = db;
                }
            }
        }
    }
}
