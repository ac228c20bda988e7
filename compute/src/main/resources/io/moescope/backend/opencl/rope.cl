// Rotary embedding in place, one work-group per (token, head). The block is staged in local
// memory first because interleaved pairs (2i, 2i+1) come out as (i, i + half): work-items would
// otherwise overwrite values another one still has to read.
//
// direction +1 rotates as the forward pass does. direction -1 applies the adjoint: rotation by
// the negative angles (times the same attention factor), then back to the interleaved layout.
__kernel void rope(__global float* x, __global const float* invFreq, int heads, int stride, int offset, int pairs,
                   int interleaved, float factor, int direction, __local float* tmp) {
    int row = get_group_id(0), lid = get_local_id(0), lsz = get_local_size(0);
    int t = row / heads;
    long base = (long) row * stride + offset;
    for (int i = lid; i < 2 * pairs; i += lsz) tmp[i] = x[base + i];
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int i = lid; i < pairs; i += lsz) {
        float angle = (float) t * invFreq[i];
        float c = (float) cos((real) angle) * factor, s = (float) sin((real) angle) * factor;
        if (direction > 0) {
            float a = interleaved ? tmp[2 * i] : tmp[i];
            float b = interleaved ? tmp[2 * i + 1] : tmp[pairs + i];
            x[base + i] = a * c - b * s;
            x[base + pairs + i] = b * c + a * s;
        } else {
            float ga = tmp[i], gb = tmp[pairs + i];
            float da = ga * c + gb * s;
            float db = gb * c - ga * s;
            if (interleaved) {
                x[base + 2 * i] = da;
                x[base + 2 * i + 1] = db;
            } else {
                x[base + i] = da;
                x[base + pairs + i] = db;
            }
        }
    }
}
