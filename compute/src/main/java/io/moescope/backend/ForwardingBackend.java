package io.moescope.backend;

import io.moescope.checkpoint.StoredWeight;
import io.moescope.tensor.FloatTensor;
import java.util.Optional;

/**
 * A backend that hands every operation to another one; subclasses override the operations they
 * change (the mechanism lab rounds the inputs of matrix products this way, the profiler times
 * them). Tensors are the wrapped backend's own. The one place where every operation passes through.
 */
public abstract class ForwardingBackend implements Backend {
    protected final Backend inner;

    protected ForwardingBackend(Backend inner) {
        this.inner = inner;
    }

    /** The wrapped backend. */
    public Backend inner() {
        return inner;
    }

    @Override
    public void synchronize() {
        inner.synchronize();
    }

    @Override
    public Optional<DeviceMemoryUse> deviceMemory() {
        return inner.deviceMemory();
    }

    /** Does not close the wrapped backend, which its owner closes. */
    @Override
    public void close() {}

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public DeviceInfo device() {
        return inner.device();
    }

    @Override
    public Tensor upload(FloatTensor weight) {
        return inner.upload(weight);
    }

    @Override
    public Tensor upload(StoredWeight weight) {
        return inner.upload(weight);
    }

    @Override
    public Tensor upload(float[] values, int... shape) {
        return inner.upload(values, shape);
    }

    @Override
    public Tensor uploadInts(int[] values, int... shape) {
        return inner.uploadInts(values, shape);
    }

    @Override
    public Tensor zeros(int... shape) {
        return inner.zeros(shape);
    }

    @Override
    public float[] download(Tensor t) {
        return inner.download(t);
    }

    @Override
    public int[] downloadInts(Tensor t) {
        return inner.downloadInts(t);
    }

    @Override
    public Tensor reshape(Tensor t, int... shape) {
        return inner.reshape(t, shape);
    }

    @Override
    public Tensor embedding(Tensor table, Tensor ids) {
        return inner.embedding(table, ids);
    }

    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        return inner.linear(x, w, bias);
    }

    @Override
    public Tensor rmsNorm(Tensor x, Tensor w, float eps) {
        return inner.rmsNorm(x, w, eps);
    }

    @Override
    public void rope(Tensor x, int heads, int stride, int offset, Rotary rotary) {
        inner.rope(x, heads, stride, offset, rotary);
    }

    @Override
    public AttentionOutput attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, boolean keepProbabilities) {
        return inner.attention(q, k, v, spec, keepProbabilities);
    }

    @Override
    public Tensor swiglu(Tensor gate, Tensor up) {
        return inner.swiglu(gate, up);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return inner.add(a, b);
    }

    @Override
    public void addInPlace(Tensor acc, Tensor x) {
        inner.addInPlace(acc, x);
    }

    @Override
    public void clamp(Tensor x, float limit) {
        inner.clamp(x, limit);
    }

    @Override
    public void scaleRowsBySigmoid(Tensor x, Tensor gate) {
        inner.scaleRowsBySigmoid(x, gate);
    }

    @Override
    public void copyColumns(Tensor src, int srcCol, int srcRowDivisor, Tensor dst, int dstCol, int rows, int width) {
        inner.copyColumns(src, srcCol, srcRowDivisor, dst, dstCol, rows, width);
    }

    @Override
    public Routing route(Tensor logits, RouterSpec spec, Tensor correctionBias) {
        return inner.route(logits, spec, correctionBias);
    }

    @Override
    public Tensor experts(Tensor x, Routing routing, ExpertWeights weights) {
        return inner.experts(x, routing, weights);
    }

    @Override
    public Tensor nextTokenLoss(Tensor logits, Tensor ids) {
        return inner.nextTokenLoss(logits, ids);
    }

    @Override
    public void embeddingBackward(Tensor dOut, Tensor ids, Tensor dTable) {
        inner.embeddingBackward(dOut, ids, dTable);
    }

    @Override
    public Tensor linearBackward(Tensor dy, Tensor x, Tensor w, Tensor dW, Tensor dBias) {
        return inner.linearBackward(dy, x, w, dW, dBias);
    }

    @Override
    public Tensor rmsNormBackward(Tensor dy, Tensor x, Tensor w, float eps, Tensor dW) {
        return inner.rmsNormBackward(dy, x, w, eps, dW);
    }

    @Override
    public void ropeBackward(Tensor dx, int heads, int stride, int offset, Rotary rotary) {
        inner.ropeBackward(dx, heads, stride, offset, rotary);
    }

    @Override
    public AttentionGradients attentionBackward(Tensor dContext, Tensor q, Tensor k, Tensor v, Tensor probabilities, AttentionSpec spec) {
        return inner.attentionBackward(dContext, q, k, v, probabilities, spec);
    }

    @Override
    public Tensor[] swigluBackward(Tensor dOut, Tensor gate, Tensor up) {
        return inner.swigluBackward(dOut, gate, up);
    }

    @Override
    public void clampBackward(Tensor dx, Tensor x, float limit) {
        inner.clampBackward(dx, x, limit);
    }

    @Override
    public Tensor[] scaleRowsBySigmoidBackward(Tensor dOut, Tensor x, Tensor gate) {
        return inner.scaleRowsBySigmoidBackward(dOut, x, gate);
    }

    @Override
    public void copyColumnsBackward(Tensor dDst, int dstCol, Tensor dSrc, int srcCol, int srcRowDivisor, int rows, int width) {
        inner.copyColumnsBackward(dDst, dstCol, dSrc, srcCol, srcRowDivisor, rows, width);
    }

    @Override
    public Tensor routeBackward(Tensor dWeight, Tensor logits, Routing routing, Tensor correctionBias) {
        return inner.routeBackward(dWeight, logits, routing, correctionBias);
    }

    @Override
    public Tensor[] expertsBackward(Tensor dOut, Tensor x, Routing routing, ExpertWeights weights, ExpertWeights dWeights) {
        return inner.expertsBackward(dOut, x, routing, weights, dWeights);
    }

    @Override
    public Tensor nextTokenLossBackward(Tensor logits, Tensor ids, float scale) {
        return inner.nextTokenLossBackward(logits, ids, scale);
    }

    @Override
    public Tensor softmaxWeightedSumBackward(Tensor logits, float[] c, float scale) {
        return inner.softmaxWeightedSumBackward(logits, c, scale);
    }

    @Override
    public void scale(Tensor x, float s) {
        inner.scale(x, s);
    }

    @Override
    public void fill(Tensor x, float value) {
        inner.fill(x, value);
    }

    @Override
    public double sumOfSquares(Tensor x) {
        return inner.sumOfSquares(x);
    }

    @Override
    public void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
        inner.adamW(param, grad, m, v, lr, beta1, beta2, eps, weightDecay, step);
    }

    @Override
    public void lion(Tensor param, Tensor grad, Tensor m, float lr, float beta1, float beta2, float weightDecay) {
        inner.lion(param, grad, m, lr, beta1, beta2, weightDecay);
    }
}
