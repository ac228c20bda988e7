// Optimiser steps and the sum of squares for gradient clipping.

// Partial sums of squares, one per work-group over a grid-stride range, each written as a float
// pair (hi, lo) with hi + lo the partial: the host adds them in double, so the result keeps
// double precision where the device computed in double, without the host knowing which.
__kernel void sum_squares(__global const float* x, int n, __global float* partial) {
    __local real buf[RED_WG];
    real acc = 0;
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) acc += (real) x[i] * x[i];
    acc = group_sum(buf, acc);
    if (get_local_id(0) == 0) {
        float hi = (float) acc;
        partial[2 * get_group_id(0)] = hi;
        partial[2 * get_group_id(0) + 1] = (float) (acc - hi);
    }
}

// PyTorch's AdamW: decay first, then the moments, then the bias-corrected step.
// stepSize = lr / (1 - beta1^t) and bc2Sqrt = sqrt(1 - beta2^t) come from the host, in double.
__kernel void adamw(__global float* param, __global const float* grad, __global float* m, __global float* v, int n,
                    float lr, float beta1, float beta2, float eps, float weightDecay, float stepSize, float bc2Sqrt) {
    int i = get_global_id(0);
    if (i >= n) return;
    float g = grad[i];
    float p = param[i] * (1.0f - lr * weightDecay);
    float mi = beta1 * m[i] + (1.0f - beta1) * g;
    float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = p - stepSize * mi / (sqrt(vi) / bc2Sqrt + eps);
}

// Lion: the sign of the interpolated momentum is the step; the momentum then moves with beta2.
__kernel void lion(__global float* param, __global const float* grad, __global float* m, int n,
                   float lr, float beta1, float beta2, float weightDecay) {
    int i = get_global_id(0);
    if (i >= n) return;
    float g = grad[i], mi = m[i];
    float p = param[i] * (1.0f - lr * weightDecay);
    param[i] = p - lr * sign(beta1 * mi + (1.0f - beta1) * g);
    m[i] = beta2 * mi + (1.0f - beta2) * g;
}
