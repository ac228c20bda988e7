package io.moescope.backend.ptx;

import io.moescope.backend.AttentionGradients;
import io.moescope.backend.AttentionOutput;
import io.moescope.backend.AttentionSpec;
import io.moescope.backend.Backend;
import io.moescope.backend.Routing;
import io.moescope.backend.Tensor;
import io.moescope.grad.Gradients;
import io.moescope.model.DecoderLayer;
import io.moescope.model.GroupedQueryAttention;
import io.moescope.model.ModelConfig;
import io.moescope.model.MoeBlock;
import io.moescope.model.MoeModel;
import io.moescope.model.RmsNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * The same work as PyTorch's timed passes, for the benchmark: a Mixtral-style model's forward to the
 * loss (left on the device, no logits download) and forward + backward into a Gradients, on Backend
 * operations only, closing every intermediate at once so the device pool reuses its memory. Covers
 * grouped-query attention without q/k norms or clipping and MoE layers without shared experts.
 */
final class LeanMixtral {
    private final MoeModel model;
    private final Backend b;
    private final int H, Hkv, d, window;

    LeanMixtral(MoeModel model) {
        this.model = model;
        this.b = model.backend();
        ModelConfig c = model.config();
        this.H = c.numHeads();
        this.Hkv = c.numKvHeads();
        this.d = c.headDim();
        this.window = c.slidingWindow();
        for (DecoderLayer l : model.layers()) {
            if (!(l.attention() instanceof GroupedQueryAttention a) || a.qNorm() != null || !Double.isNaN(c.clipQkv())
                    || !l.isMoe() || l.moe().shared() != null) {
                throw new IllegalArgumentException("LeanMixtral covers Mixtral-style layers only");
            }
        }
    }

    private AttentionSpec spec(int T) {
        return new AttentionSpec(T, H, Hkv, d, d, (float) (1.0 / Math.sqrt(d)), window);
    }

    /** What backward needs of one layer. */
    private record Tape(Tensor h, Tensor x, Tensor q, Tensor k, Tensor v, Tensor probs, Tensor ctx, Tensor mid,
                        Tensor ffnIn, Tensor routerLogits, Routing routing) {
        void close() {
            for (Tensor t : new Tensor[]{h, x, q, k, v, probs, ctx, mid, ffnIn, routerLogits}) t.close();
            routing.close();
        }
    }

    /** The mean next-token loss as a [1] device tensor; nothing else survives. */
    Tensor forward(Tensor ids, int T) {
        Tensor h = b.embedding(model.embeddings(), ids);
        for (DecoderLayer l : model.layers()) {
            Tensor next = layer(l, h, T, null);
            h.close();
            h = next;
        }
        try (Tensor last = model.finalNorm().apply(b, h); Tensor logits = b.linear(last, model.lmHead(), null)) {
            h.close();
            return b.nextTokenLoss(logits, ids);
        }
    }

    private Tensor layer(DecoderLayer l, Tensor h, int T, List<Tape> tapes) {
        GroupedQueryAttention a = (GroupedQueryAttention) l.attention();
        boolean keep = tapes != null;
        Tensor x = l.inputNorm().apply(b, h);
        Tensor q = a.q().apply(b, x), k = a.k().apply(b, x), v = a.v().apply(b, x);
        b.rope(q, H, d, 0, a.rotary());
        b.rope(k, Hkv, d, 0, a.rotary());
        AttentionOutput att = b.attention(q, k, v, spec(T), keep);
        Tensor mid;
        try (Tensor o = a.o().apply(b, att.context())) {
            mid = b.add(h, o);
        }
        Tensor ffnIn = l.postAttentionNorm().apply(b, mid);
        MoeBlock moe = l.moe();
        Tensor routerLogits = b.linear(ffnIn, moe.router().weight(), null);
        Routing r = b.route(routerLogits, moe.router().spec(), moe.router().correctionBias());
        Tensor out;
        try (Tensor f = b.experts(ffnIn, r, moe.experts())) {
            out = b.add(mid, f);
        }
        Tape t = new Tape(h, x, q, k, v, att.probabilities(), att.context(), mid, ffnIn, routerLogits, r);
        if (keep) {
            tapes.add(t);
        } else {
            for (Tensor z : new Tensor[]{x, q, k, v, att.context(), mid, ffnIn, routerLogits}) z.close();
            r.close();
        }
        return out;
    }

    /** Forward, then every parameter's gradient of the mean loss added into g; returns the loss. */
    Tensor forwardBackward(Tensor ids, int T, Gradients g) {
        List<Tape> tapes = new ArrayList<>();
        Tensor h = b.embedding(model.embeddings(), ids);
        for (DecoderLayer l : model.layers()) h = layer(l, h, T, tapes);
        RmsNorm fn = model.finalNorm();
        Tensor last = fn.apply(b, h);
        Tensor logits = b.linear(last, model.lmHead(), null);
        Tensor loss = b.nextTokenLoss(logits, ids);

        Tensor dh;
        try (Tensor dLogits = b.nextTokenLossBackward(logits, ids, 1f);
             Tensor dLast = b.linearBackward(dLogits, last, model.lmHead(), g.of(model.lmHead()), null)) {
            dh = b.rmsNormBackward(dLast, h, fn.weight(), fn.eps(), g.of(fn.weight()));
        }
        for (Tensor z : new Tensor[]{h, last, logits}) z.close();
        for (int i = model.layers().size() - 1; i >= 0; i--) {
            Tape t = tapes.get(i);
            Tensor next = layerBackward(model.layers().get(i), t, dh, g, T);
            dh.close();
            t.close();
            dh = next;
        }
        b.embeddingBackward(dh, ids, g.of(model.embeddings()));
        dh.close();
        return loss;
    }

    private Tensor layerBackward(DecoderLayer l, Tape t, Tensor dOut, Gradients g, int T) {
        GroupedQueryAttention a = (GroupedQueryAttention) l.attention();
        MoeBlock moe = l.moe();
        Tensor[] ex = b.expertsBackward(dOut, t.ffnIn(), t.routing(), moe.experts(), g.of(moe.experts()));
        try (Tensor dLogits = b.routeBackward(ex[1], t.routerLogits(), t.routing(), moe.router().correctionBias());
             Tensor dIn = b.linearBackward(dLogits, t.ffnIn(), moe.router().weight(), g.of(moe.router().weight()), null)) {
            b.addInPlace(ex[0], dIn);
        }
        ex[1].close();
        RmsNorm post = l.postAttentionNorm(), in = l.inputNorm();
        Tensor dMid;
        try (Tensor dNorm = b.rmsNormBackward(ex[0], t.mid(), post.weight(), post.eps(), g.of(post.weight()))) {
            dMid = b.add(dOut, dNorm);
        }
        ex[0].close();
        AttentionGradients ag;
        try (Tensor dCtx = b.linearBackward(dMid, t.ctx(), a.o().weight(), g.of(a.o().weight()), null)) {
            ag = b.attentionBackward(dCtx, t.q(), t.k(), t.v(), t.probs(), spec(T));
        }
        b.ropeBackward(ag.dq(), H, d, 0, a.rotary());
        b.ropeBackward(ag.dk(), Hkv, d, 0, a.rotary());
        Tensor dx = b.linearBackward(ag.dq(), t.x(), a.q().weight(), g.of(a.q().weight()), g.of(a.q().bias()));
        try (Tensor dk = b.linearBackward(ag.dk(), t.x(), a.k().weight(), g.of(a.k().weight()), g.of(a.k().bias()));
             Tensor dv = b.linearBackward(ag.dv(), t.x(), a.v().weight(), g.of(a.v().weight()), g.of(a.v().bias()))) {
            b.addInPlace(dx, dk);
            b.addInPlace(dx, dv);
        }
        for (Tensor z : new Tensor[]{ag.dq(), ag.dk(), ag.dv()}) z.close();
        Tensor dH = b.rmsNormBackward(dx, t.h(), in.weight(), in.eps(), g.of(in.weight()));
        dx.close();
        b.addInPlace(dH, dMid);
        dMid.close();
        return dH;
    }
}
