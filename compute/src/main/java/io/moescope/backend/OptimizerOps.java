package io.moescope.backend;

/** What training does with parameters and gradients besides computing them: scaling, norms, optimizer steps. */
public interface OptimizerOps {

    /** In place: x *= s. */
    void scale(Tensor x, float s);

    /** In place: every value of x = value. */
    void fill(Tensor x, float value);

    /** Sum of squares of all values (for gradient norms and clipping), computed in double. */
    double sumOfSquares(Tensor x);

    /** In place: one AdamW step (decoupled weight decay) on param with grad, moments m and v; step counts from 1. */
    void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
               float weightDecay, int step);

    /** In place: one Lion step (sign of interpolated momentum, decoupled weight decay). */
    void lion(Tensor param, Tensor grad, Tensor m, float lr, float beta1, float beta2, float weightDecay);
}
