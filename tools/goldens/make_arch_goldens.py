"""Conformance checkpoints and HF transformers outputs for the seven newer MoE model types (gpt_oss,
granitemoe, granitemoeshared, glm4_moe, phimoe, llama4_text, qwen3_next). Run where torch and
transformers 5.x are installed (the GPU machine; it computes on the CPU in float32):

    python3 tools/goldens/make_arch_goldens.py OUT_DIR

For each model, OUT_DIR/<name>/ gets config.json, the weights as stored (float32, bf16, or MXFP4 experts
packed as openai/gpt-oss-20b packs them), golden.safetensors and golden.json. The keys follow
compute/src/test/resources/conformance/README.md (logits, hidden.i, attn.l, losses, gradients), and
every router and MoE block is captured as cap.<module>.in.0 / cap.<module>.out.j with its class recorded
in golden.json, so that a loader can tell what each output holds.

The goldens come from a fresh from_pretrained(dtype=float32) of the SAVED checkpoint, never from the
model that was built and cast: a model cast to bf16 and back keeps bf16-rounded rotary frequencies
(the inv_freq buffer), which nobody who loads the checkpoint gets."""
import json
import math
import os
import sys
import traceback

import torch
import transformers
from safetensors.torch import load_file, save_file

T = 24
SEED = 1234

# Small shapes (hidden 32, vocabulary 256: about 4 MB in all, gradients included) that still exercise every
# mechanism; T = 24 crosses the windows and chunks of 8. MXFP4 needs input widths that are multiples of 32.
ARCHS = {
    "gptoss-mxfp4": ("gpt_oss", dict(
        vocab_size=256, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, head_dim=16, num_local_experts=4, num_experts_per_tok=2, sliding_window=8,
        layer_types=["sliding_attention", "full_attention"], max_position_embeddings=512,
        rope_parameters={"rope_type": "yarn", "rope_theta": 150000.0, "factor": 4.0, "beta_fast": 32.0,
                         "beta_slow": 1.0, "original_max_position_embeddings": 128, "truncate": False}),
        dict(store="mxfp4")),
    "granitemoe-a": ("granitemoe", dict(
        vocab_size=256, hidden_size=32, intermediate_size=32, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, num_local_experts=4, num_experts_per_tok=2, embedding_multiplier=6.0,
        attention_multiplier=0.1, residual_multiplier=0.3, logits_scaling=4.0, max_position_embeddings=512,
        tie_word_embeddings=True), dict()),
    "granitemoeshared-a": ("granitemoeshared", dict(
        vocab_size=256, hidden_size=32, intermediate_size=32, shared_intermediate_size=48, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, num_local_experts=4, num_experts_per_tok=2,
        embedding_multiplier=6.0, attention_multiplier=0.1, residual_multiplier=0.3, logits_scaling=4.0,
        max_position_embeddings=512, tie_word_embeddings=True), dict(store="bf16")),
    "glm4moe-a": ("glm4_moe", dict(
        vocab_size=256, hidden_size=32, intermediate_size=64, moe_intermediate_size=16, num_hidden_layers=3,
        num_attention_heads=4, num_key_value_heads=2, head_dim=16, partial_rotary_factor=0.5,
        n_routed_experts=8, n_shared_experts=1, num_experts_per_tok=2, n_group=2, topk_group=1,
        norm_topk_prob=True, routed_scaling_factor=2.5, first_k_dense_replace=1, use_qk_norm=True,
        attention_bias=True, max_position_embeddings=512), dict(store="bf16")),
    "phimoe-a": ("phimoe", dict(
        vocab_size=256, hidden_size=32, intermediate_size=32, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, num_local_experts=4, num_experts_per_tok=2, max_position_embeddings=512,
        lm_head_bias=True, attention_bias=True), dict()),
    "llama4-a": ("llama4_text", dict(
        vocab_size=256, hidden_size=32, intermediate_size=32, intermediate_size_mlp=64, num_hidden_layers=4,
        num_attention_heads=4, num_key_value_heads=2, head_dim=16, num_local_experts=4, num_experts_per_tok=1,
        interleave_moe_layer_step=2, attention_chunk_size=8, use_qk_norm=True, attn_temperature_tuning=True,
        floor_scale=4, attn_scale=0.1, no_rope_layer_interval=2, max_position_embeddings=512),
        dict(store="bf16")),
    "qwen3next-a": ("qwen3_next", dict(
        vocab_size=256, hidden_size=32, intermediate_size=64, moe_intermediate_size=16, num_hidden_layers=4,
        num_attention_heads=4, num_key_value_heads=2, head_dim=16, partial_rotary_factor=0.25,
        num_experts=8, num_experts_per_tok=2, shared_expert_intermediate_size=32, norm_topk_prob=True,
        linear_num_value_heads=4, linear_num_key_heads=2, linear_key_head_dim=16, linear_value_head_dim=16,
        linear_conv_kernel_dim=4, full_attention_interval=2, max_position_embeddings=512), dict()),
}

ROUTER_CLASSES = ("Router", "TopK", "Gate")
FP4_VALUES = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0]


def config_for(model_type, kw):
    """AutoConfig with kw; a key the installed version rejects is dropped and reported, never guessed."""
    kw = dict(kw)
    dropped = []
    while True:
        try:
            cfg = transformers.AutoConfig.for_model(model_type, initializer_range=0.08, **kw)
            return cfg, dropped
        except TypeError as e:
            bad = [k for k in kw if f"'{k}'" in str(e)]
            if not bad:
                raise
            for k in bad:
                dropped.append(k)
                kw.pop(k)


def randomise(model):
    """Weights away from the defaults that hide bugs: biases, sinks and norm gains non-trivial, router
    logits spread so that top-k choices are not near ties, correction biases random."""
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n.endswith("bias") or n.endswith("sinks"):
                p.copy_(torch.randn_like(p) * 0.2)
            elif "norm" in n and n.endswith("weight"):
                p.add_(torch.randn_like(p) * 0.1)
            if any(n.endswith(s) for s in ("mlp.gate.weight", "mlp.router.weight", "block_sparse_moe.gate.weight",
                                           "feed_forward.router.weight", "router.layer.weight")):
                p.mul_(6.0)
        for n, b in model.named_buffers():
            if n.endswith("e_score_correction_bias"):
                b.copy_(torch.randn_like(b) * 0.1)


def mxfp4_pack(w):
    """w [..., rows, cols] -> (blocks uint8 [..., rows, cols/32, 16], scales uint8 [..., rows, cols/32],
    dequantised values [..., rows, cols]). Groups of 32 along cols share an E8M0 scale (bias 127); two
    E2M1 codes a byte, the even element in the low nibble, as gpt-oss-20b stores them."""
    *pre, rows, cols = w.shape
    g = w.reshape(*pre, rows, cols // 32, 32)
    amax = g.abs().amax(-1).clamp_min(1e-12)
    exp = torch.floor(torch.log2(amax / 6.0)).clamp(-127, 127) + 1  # largest code 6 covers amax
    lut = torch.tensor(FP4_VALUES)
    scaled = g / torch.pow(2.0, exp)[..., None]
    codes = (scaled[..., None] - lut[:8]).abs().argmin(-1)  # magnitude code 0..7
    codes = torch.where(scaled < 0, codes + 8, codes).to(torch.uint8)
    deq = lut[codes.long()] * torch.pow(2.0, exp)[..., None]
    lo, hi = codes[..., 0::2], codes[..., 1::2]
    blocks = (lo | (hi << 4)).to(torch.uint8)
    scales = (exp + 127).to(torch.uint8)
    return blocks, scales, deq.reshape(*pre, rows, cols)


def store_mxfp4(model, d):
    """Replaces each expert tensor (transformers' [E, in, out]) by MXFP4 blocks of its [E, out, in]
    transpose, as openai/gpt-oss-20b stores them, and sets the in-memory weights to the dequantised values
    so that the golden is of the quantised model."""
    sd = load_file(os.path.join(d, "model.safetensors"))
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n.endswith("experts.gate_up_proj") or n.endswith("experts.down_proj"):
                blocks, scales, deq = mxfp4_pack(p.detach().float().transpose(1, 2).contiguous())
                sd.pop(n)
                sd[n + "_blocks"] = blocks
                sd[n + "_scales"] = scales
                p.copy_(deq.transpose(1, 2))
    save_file(sd, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
    cfg_path = os.path.join(d, "config.json")
    cfg = json.load(open(cfg_path))
    cfg["quantization_config"] = {"quant_method": "mxfp4", "modules_to_not_convert": [
        "model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"]}
    json.dump(cfg, open(cfg_path, "w"), indent=2)


def reload(d, store):
    kwargs = dict(dtype=torch.float32, attn_implementation="eager")
    if store == "mxfp4":
        kwargs["quantization_config"] = transformers.Mxfp4Config(dequantize=True)
    try:
        m = transformers.AutoModelForCausalLM.from_pretrained(d, **kwargs)
    except TypeError:
        kwargs["torch_dtype"] = kwargs.pop("dtype")
        m = transformers.AutoModelForCausalLM.from_pretrained(d, **kwargs)
    return m.float().eval()


def capture(model, caps):
    """Hooks on every router and every MoE block (a module with an `experts` child)."""
    hooks, classes = [], {}
    for name, mod in model.named_modules():
        cls = type(mod).__name__
        is_router = any(c in cls for c in ROUTER_CLASSES) and "proj" not in name.rsplit(".", 1)[-1]
        is_moe = hasattr(mod, "experts") and not cls.endswith("Experts")
        is_mixer = "linear_attn" in name.rsplit(".", 1)[-1]
        if not (is_router or is_moe or is_mixer) or not name.startswith("model.layers."):
            continue
        classes[name] = cls

        def hook(m, inp, outp, name=name):
            outs = outp if isinstance(outp, tuple) else (outp,)
            if inp and torch.is_tensor(inp[0]):
                caps[f"cap.{name}.in.0"] = inp[0].detach().reshape(T, -1).float()
            for j, o in enumerate(outs):
                if torch.is_tensor(o):
                    o = o.detach()
                    o = o.reshape(T, -1) if o.numel() % T == 0 and o.dim() > 1 else o
                    caps[f"cap.{name}.out.{j}"] = o.int() if not o.is_floating_point() else o.float()
        hooks.append(mod.register_forward_hook(hook))
    return hooks, classes


def golden(model, vocab):
    gen = torch.Generator().manual_seed(7)
    ids = torch.randint(0, vocab, (1, T), generator=gen)
    caps = {}
    hooks, classes = capture(model, caps)
    kwargs = dict(input_ids=ids, labels=ids, output_hidden_states=True, output_attentions=True)
    try:
        o = model(output_router_logits=True, **kwargs)
    except (TypeError, AttributeError):  # granitemoe 5.17 fails adding an aux loss it never computed
        caps.clear()
        o = model(**kwargs)
    for h in hooks:
        h.remove()
    logits = o.logits[0].float()
    ce = torch.nn.functional.cross_entropy(logits[:-1], ids[0, 1:])
    model.zero_grad()
    ce.backward()
    g = {"input_ids": ids.int(), "logits": logits.detach(), "ce_loss": ce.detach().reshape(1)}
    if torch.is_tensor(getattr(o, "loss", None)):
        g["loss"] = o.loss.detach().reshape(1)
    if torch.is_tensor(getattr(o, "aux_loss", None)):  # granite returns 0 where it computes none
        g["aux_loss"] = o.aux_loss.detach().float().reshape(1)
    for i, h in enumerate(o.hidden_states):
        g[f"hidden.{i}"] = h[0].detach()
    attn_layers = []
    for l, a in enumerate(o.attentions or ()):
        if a is not None:
            g[f"attn.{l}"] = a[0].detach()
            attn_layers.append(l)
    j = 0
    for r in getattr(o, "router_logits", None) or ():
        if r is not None and torch.is_tensor(r):
            g[f"router_logits.{j}"] = r.detach().reshape(T, -1).float()
            j += 1
    g.update(caps)
    for n, p in model.named_parameters():
        if p.grad is not None:
            g[f"grad.{n}"] = p.grad.detach().float()
    return g, classes, attn_layers


def make(out, name, model_type, kw, opts):
    torch.manual_seed(SEED)
    cfg, dropped = config_for(model_type, kw)
    built = transformers.AutoModelForCausalLM.from_config(cfg, attn_implementation="eager").float().eval()
    randomise(built)
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    store = opts.get("store", "f32")
    if store in ("bf16", "mxfp4"):
        built = built.to(torch.bfloat16)
    built.save_pretrained(d, safe_serialization=True)
    if store == "mxfp4":
        store_mxfp4(built, d)
    model = reload(d, store)
    # The reloaded weights must be exactly what was stored (MXFP4 and bf16 values are exact in float32).
    ref = {n: p.detach().float() for n, p in built.named_parameters()}
    worst = max(((p.detach().float() - ref[n]).abs().max().item() for n, p in model.named_parameters() if n in ref),
                default=0.0)
    missing = sorted(set(ref) - {n for n, _ in model.named_parameters()})
    g, classes, attn_layers = golden(model, cfg.vocab_size)
    save_file({k: v.detach().cpu().clone().contiguous() for k, v in g.items()}, os.path.join(d, "golden.safetensors"))
    info = {
        "model_type": model_type, "class": type(model).__name__, "store": store,
        "transformers": transformers.__version__, "torch": torch.__version__,
        "command": "python3 tools/goldens/make_arch_goldens.py OUT_DIR", "tokens": T,
        "dropped_config_keys": dropped, "reload_max_abs_diff": worst, "params_missing_after_reload": missing,
        "captured_modules": classes, "attention_layers": attn_layers,
        "layer_types": getattr(cfg, "layer_types", None),
        "keys": {k: [list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in g.items()},
    }
    json.dump(info, open(os.path.join(d, "golden.json"), "w"), indent=1)
    print(f"made {name}: ce {float(g['ce_loss']):.6f}, keys {len(g)}, reload diff {worst:.3g}, "
          f"dropped {dropped}, missing {missing[:4]}", flush=True)


def main(out):
    print("transformers", transformers.__version__, "torch", torch.__version__, flush=True)
    failed = []
    only = sys.argv[2:]
    for name, (model_type, kw, opts) in ARCHS.items():
        if only and name not in only:
            continue
        try:
            make(out, name, model_type, kw, opts)
        except Exception:
            failed.append(name)
            print("FAILED", name, flush=True)
            traceback.print_exc()
    print("failed:", failed or "none", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
