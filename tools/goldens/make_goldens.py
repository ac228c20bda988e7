"""Makes every piece of conformance data that MoEScope's tests read: tiny HF checkpoints of the six
supported architectures with what HF transformers computes for them, and the tokenizer's golden
encodings. From the repository root, where torch, transformers, safetensors and tokenizers are
installed (the committed data was made with transformers 5.17.0 and PyTorch 2.11):

    python3 tools/goldens/make_goldens.py --out compute/src/test/resources/conformance

It runs on the CPU in float32 (a minute or so) and rewrites, in OUT:
  <model>/config.json, model.safetensors (or a sharded index and its shards), golden.safetensors,
      golden.json: the twelve checkpoints below, with the keys of OUT/README.md; the six in MODELS
      also carry every parameter's gradient (grad.*), the six in EXTRA_MODELS do not;
  tokenizer-kjv/tokenizer.json, golden.json: sample-models/kjv-data/tokenizer.json and what it makes
      of TEXTS (ids, tokens, decoded text).

Every golden comes from the checkpoint as saved: the model is saved in its dtype, then loaded afresh
with from_pretrained(..., dtype=float32) and only that copy is run. A model cast to bf16 and back
would keep bf16-rounded buffers (RoPE's inv_freq among them) that a fresh load recomputes in float32,
and MoEScope, which reads the checkpoint, would be compared with numbers no loader produces.

--small makes the same configurations with hidden size 32, vocabulary 256 and narrower experts (about
a third of the bytes), keeping every head count, expert count, top-k, group and dense/sparse layer
pattern. Tests that name figures of these checkpoints (ConformanceFilesTest's first weights and
parameter counts, ModelSummaryTest, InspectServiceTest, ...) must then be updated with the new data.
"""
import argparse
import json
import os
import shutil
import sys

import torch
import torch.nn.functional as F
import transformers
from safetensors.torch import save_file
from tokenizers import Tokenizer

T = 24  # tokens in the golden sequence
WEIGHT_SEED = 1234
IDS_SEED = 7
ROUTER_SCALE = 6.0  # router weights scaled up so that top-k choices are not near ties
CORRECTION_BIAS_STD = 0.1  # DeepSeek-V3's e_score_correction_bias, random so that the bias path matters

# One configuration per architecture, with gradients. Each dict is the config.json that transformers
# 5.17 wrote for it, less architectures/dtype/transformers_version/model_type: from_pretrained builds
# a config from exactly these keys, so they make the same model.
MODELS = {
    "mixtral-a": ("mixtral", {
        'attention_dropout': 0.0, 'bos_token_id': 1, 'eos_token_id': 2, 'head_dim': None, 'hidden_act': 'silu',
        'hidden_size': 64, 'initializer_range': 0.08, 'intermediate_size': 48, 'max_position_embeddings': 512,
        'num_attention_heads': 4, 'num_experts_per_tok': 2, 'num_hidden_layers': 2, 'num_key_value_heads': 2,
        'num_local_experts': 8, 'output_router_logits': False, 'pad_token_id': None, 'rms_norm_eps': 1e-06,
        'rope_parameters': {'rope_theta': 10000.0, 'rope_type': 'default'}, 'router_aux_loss_coef': 0.02,
        'router_jitter_noise': 0.0, 'sliding_window': None, 'tie_word_embeddings': False, 'use_cache': True,
        'vocab_size': 384}),
    "qwen2moe-a": ("qwen2_moe", {
        'attention_dropout': 0.0, 'bos_token_id': None, 'decoder_sparse_step': 1, 'eos_token_id': None,
        'hidden_act': 'silu', 'hidden_size': 64, 'initializer_range': 0.08, 'intermediate_size': 96,
        'layer_types': ['full_attention', 'full_attention'], 'max_position_embeddings': 512, 'max_window_layers': 28,
        'mlp_only_layers': [], 'moe_intermediate_size': 32, 'norm_topk_prob': False, 'num_attention_heads': 4,
        'num_experts': 8, 'num_experts_per_tok': 2, 'num_hidden_layers': 2, 'num_key_value_heads': 2,
        'output_router_logits': False, 'pad_token_id': None, 'qkv_bias': True, 'rms_norm_eps': 1e-06,
        'rope_parameters': {'rope_theta': 10000.0, 'rope_type': 'default'}, 'router_aux_loss_coef': 0.001,
        'shared_expert_intermediate_size': 64, 'sliding_window': 0, 'tie_word_embeddings': False, 'use_cache': True,
        'use_sliding_window': False, 'vocab_size': 384}),
    "qwen3moe-a": ("qwen3_moe", {
        'attention_bias': False, 'attention_dropout': 0.0, 'bos_token_id': None, 'decoder_sparse_step': 1,
        'eos_token_id': None, 'head_dim': 16, 'hidden_act': 'silu', 'hidden_size': 64, 'initializer_range': 0.08,
        'intermediate_size': 96, 'max_position_embeddings': 512, 'mlp_only_layers': [], 'moe_intermediate_size': 32,
        'norm_topk_prob': True, 'num_attention_heads': 4, 'num_experts_per_tok': 2, 'num_hidden_layers': 2,
        'num_key_value_heads': 2, 'num_local_experts': 8, 'output_router_logits': False, 'pad_token_id': None,
        'rms_norm_eps': 1e-06, 'rope_parameters': {'rope_theta': 1000000.0, 'rope_type': 'default'},
        'router_aux_loss_coef': 0.001, 'sliding_window': None, 'tie_word_embeddings': False, 'use_cache': True,
        'use_sliding_window': False, 'vocab_size': 384}),
    "olmoe-a": ("olmoe", {
        'attention_bias': False, 'attention_dropout': 0.0, 'bos_token_id': None, 'clip_qkv': None,
        'eos_token_id': 50279, 'hidden_act': 'silu', 'hidden_size': 64, 'initializer_range': 0.08,
        'intermediate_size': 32, 'max_position_embeddings': 512, 'norm_topk_prob': False, 'num_attention_heads': 4,
        'num_experts': 16, 'num_experts_per_tok': 4, 'num_hidden_layers': 2, 'num_key_value_heads': 4,
        'output_router_logits': False, 'pad_token_id': 1, 'rms_norm_eps': 1e-06,
        'rope_parameters': {'rope_theta': 10000.0, 'rope_type': 'default'}, 'router_aux_loss_coef': 0.01,
        'tie_word_embeddings': False, 'use_cache': True, 'vocab_size': 384}),
    "deepseekv2-a": ("deepseek_v2", {
        'attention_bias': False, 'attention_dropout': 0.0, 'bos_token_id': 1, 'eos_token_id': 2,
        'first_k_dense_replace': 1, 'head_dim': 8, 'hidden_act': 'silu', 'hidden_size': 64, 'initializer_range': 0.08,
        'intermediate_size': 128, 'kv_lora_rank': 16, 'max_position_embeddings': 512, 'mlp_bias': False,
        'moe_intermediate_size': 32, 'n_group': 1, 'n_routed_experts': 16, 'n_shared_experts': 2,
        'norm_topk_prob': False, 'num_attention_heads': 4, 'num_experts_per_tok': 3, 'num_hidden_layers': 3,
        'num_key_value_heads': 4, 'pad_token_id': None, 'pretraining_tp': 1, 'q_lora_rank': None, 'qk_head_dim': 24,
        'qk_nope_head_dim': 16, 'qk_rope_head_dim': 8, 'rms_norm_eps': 1e-06,
        'rope_parameters': {'rope_theta': 10000.0, 'rope_type': 'default'}, 'routed_scaling_factor': 1.0,
        'tie_word_embeddings': False, 'topk_group': 1, 'topk_method': 'greedy', 'use_cache': True, 'v_head_dim': 16,
        'vocab_size': 384}),
    "deepseekv3-a": ("deepseek_v3", {
        'attention_bias': False, 'attention_dropout': 0.0, 'bos_token_id': 0, 'eos_token_id': 1,
        'first_k_dense_replace': 1, 'head_dim': 8, 'hidden_act': 'silu', 'hidden_size': 64, 'initializer_range': 0.08,
        'intermediate_size': 128, 'kv_lora_rank': 16, 'max_position_embeddings': 512, 'moe_intermediate_size': 32,
        'n_group': 4, 'n_routed_experts': 16, 'n_shared_experts': 1, 'norm_topk_prob': True,
        'num_attention_heads': 4, 'num_experts_per_tok': 4, 'num_hidden_layers': 3, 'num_key_value_heads': 4,
        'num_nextn_predict_layers': 1, 'pad_token_id': None, 'pretraining_tp': 1, 'q_lora_rank': 32,
        'qk_head_dim': 24, 'qk_nope_head_dim': 16, 'qk_rope_head_dim': 8, 'rms_norm_eps': 1e-06,
        'rope_interleave': True, 'rope_parameters': {'rope_theta': 10000.0, 'rope_type': 'default'},
        'routed_scaling_factor': 2.5, 'tie_word_embeddings': False, 'topk_group': 2, 'use_cache': True,
        'v_head_dim': 16, 'vocab_size': 384}),
}

# What the six leave out: YaRN with and without DeepSeek's mscale, bf16 and f16 weights, a sharded
# index, Mixtral's sliding window, OLMoE's clip_qkv with tied embeddings, DeepSeek-V2's
# group_limited_greedy, dense layers among sparse ones. No gradients (they would double the bytes).
EXTRA_MODELS = {
    "qwen3moe-yarn": ("qwen3_moe", dict(
        vocab_size=320, hidden_size=64, intermediate_size=80, moe_intermediate_size=24, num_hidden_layers=3,
        num_attention_heads=4, num_key_value_heads=1, head_dim=24, num_experts=6, num_experts_per_tok=3,
        norm_topk_prob=False, mlp_only_layers=[1], max_position_embeddings=512, initializer_range=0.08,
        rope_parameters={"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0,
                         "original_max_position_embeddings": 128})),
    "deepseekv3-yarn-bf16": ("deepseek_v3", dict(
        vocab_size=320, hidden_size=64, intermediate_size=96, moe_intermediate_size=24, num_hidden_layers=3,
        num_attention_heads=2, num_key_value_heads=2, q_lora_rank=None, kv_lora_rank=24, qk_nope_head_dim=12,
        qk_rope_head_dim=8, v_head_dim=20, head_dim=8, n_routed_experts=8, n_shared_experts=2,
        num_experts_per_tok=2, n_group=2, topk_group=1, norm_topk_prob=False, routed_scaling_factor=1.5,
        first_k_dense_replace=2, rope_interleave=False, max_position_embeddings=512, initializer_range=0.08,
        rope_parameters={"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0, "mscale": 0.8,
                         "mscale_all_dim": 0.8, "original_max_position_embeddings": 128, "beta_fast": 32,
                         "beta_slow": 1})),
    "deepseekv2-group": ("deepseek_v2", dict(
        vocab_size=320, hidden_size=64, intermediate_size=96, moe_intermediate_size=16, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=4, q_lora_rank=16, kv_lora_rank=16, qk_nope_head_dim=8,
        qk_rope_head_dim=8, v_head_dim=8, head_dim=8, n_routed_experts=8, n_shared_experts=1,
        num_experts_per_tok=2, n_group=4, topk_group=2, topk_method="group_limited_greedy",
        routed_scaling_factor=2.0, first_k_dense_replace=0, max_position_embeddings=512, initializer_range=0.08)),
    "olmoe-clip-tied": ("olmoe", dict(
        vocab_size=320, hidden_size=64, intermediate_size=24, num_hidden_layers=2, num_attention_heads=8,
        num_key_value_heads=2, num_experts=8, num_experts_per_tok=2, norm_topk_prob=True, clip_qkv=0.25,
        tie_word_embeddings=True, max_position_embeddings=512, initializer_range=0.08)),
    "mixtral-window-f16": ("mixtral", dict(
        vocab_size=320, hidden_size=64, intermediate_size=40, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=1, head_dim=24, num_local_experts=4, num_experts_per_tok=1, sliding_window=7,
        rms_norm_eps=1e-5, max_position_embeddings=512, initializer_range=0.08)),
    "qwen2moe-sharded": ("qwen2_moe", dict(
        vocab_size=320, hidden_size=64, intermediate_size=72, moe_intermediate_size=16,
        shared_expert_intermediate_size=48, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=4,
        num_experts=6, num_experts_per_tok=2, norm_topk_prob=True, decoder_sparse_step=2, mlp_only_layers=[3],
        max_position_embeddings=512, initializer_range=0.08)),
}
SAVED_DTYPE = {"deepseekv3-yarn-bf16": torch.bfloat16, "mixtral-window-f16": torch.float16}
MAX_SHARD_SIZE = {"qwen2moe-sharded": "150KB"}

# --small: the same models at hidden size 32 and vocabulary 256 with narrower MLPs and MLA ranks.
SMALL = {
    "mixtral-a": dict(vocab_size=256, hidden_size=32, intermediate_size=24),
    "qwen2moe-a": dict(vocab_size=256, hidden_size=32, intermediate_size=48, moe_intermediate_size=16,
                       shared_expert_intermediate_size=32),
    "qwen3moe-a": dict(vocab_size=256, hidden_size=32, intermediate_size=48, moe_intermediate_size=16),
    "olmoe-a": dict(vocab_size=256, hidden_size=32, intermediate_size=16),
    "deepseekv2-a": dict(vocab_size=256, hidden_size=32, intermediate_size=64, moe_intermediate_size=16, kv_lora_rank=8),
    "deepseekv3-a": dict(vocab_size=256, hidden_size=32, intermediate_size=64, moe_intermediate_size=16,
                         q_lora_rank=16, kv_lora_rank=8),
    "qwen3moe-yarn": dict(vocab_size=256, hidden_size=32, intermediate_size=40, moe_intermediate_size=12),
    "deepseekv3-yarn-bf16": dict(vocab_size=256, hidden_size=32, intermediate_size=48, moe_intermediate_size=12,
                                 kv_lora_rank=12),
    "deepseekv2-group": dict(vocab_size=256, hidden_size=32, intermediate_size=48, moe_intermediate_size=8,
                             q_lora_rank=8, kv_lora_rank=8),
    "olmoe-clip-tied": dict(vocab_size=256, hidden_size=32, intermediate_size=12),
    "mixtral-window-f16": dict(vocab_size=256, hidden_size=32, intermediate_size=20),
    "qwen2moe-sharded": dict(vocab_size=256, hidden_size=32, intermediate_size=36, moe_intermediate_size=8,
                             shared_expert_intermediate_size=24),
}

# What the tokenizer golden encodes: verse text, leading spaces and numbers, non-ASCII and an emoji,
# the empty string, whitespace runs and tabs, and scripts the tokenizer never saw in training.
TEXTS = [
    "In the beginning God created the heaven and the earth.",
    "  12 And Jacob said, Behold, Esau my brother is a hairy man",
    "Hello, wörld! 123 — naïve café 😀",
    "",
    "\n\n  tabs\tand  spaces  ",
    "ÆØÅ 日本語 テスト",
]
TOKENIZER_SOURCE = os.path.join("sample-models", "kjv-data", "tokenizer.json")


def build(model_type, kw):
    """A seeded random model in float32, routers sharpened and DeepSeek-V3's correction bias set."""
    torch.manual_seed(WEIGHT_SEED)
    cfg = transformers.AutoConfig.for_model(model_type, **kw)
    model = transformers.AutoModelForCausalLM.from_config(cfg, attn_implementation="eager").float().eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("mlp.gate.weight") or name.endswith("block_sparse_moe.gate.weight"):
                p.mul_(ROUTER_SCALE)
        for name, b in model.named_buffers():
            if name.endswith("e_score_correction_bias"):
                b.copy_(torch.randn_like(b) * CORRECTION_BIAS_STD)
    return model


def load_float32(folder):
    """The saved checkpoint loaded afresh in float32: buffers such as inv_freq are computed anew."""
    version = tuple(int(x) for x in transformers.__version__.split(".")[:2])
    dtype_arg = "dtype" if version >= (4, 56) else "torch_dtype"  # transformers renamed the argument in 4.56
    model = transformers.AutoModelForCausalLM.from_pretrained(
        folder, attn_implementation="eager", **{dtype_arg: torch.float32}).eval()
    wrong = [n for n, t in list(model.named_parameters()) + list(model.named_buffers())
             if t.is_floating_point() and t.dtype != torch.float32]
    if wrong:
        raise RuntimeError(f"{folder}: not float32 after loading: {wrong[:5]}")
    return model


def copy(t):
    """A tensor of its own: views of one storage (a block's input and its router's, the router's logits
    and transformers' router_logits) cannot be saved side by side, and later steps may reuse it."""
    return t.detach().clone().contiguous()


def capture_moe_blocks(model, caps):
    """Forward hooks on every MoE block and its router; returns the handles."""
    hooks = []
    for li, layer in enumerate(model.model.layers):
        mlp = layer.mlp
        if not hasattr(mlp, "gate") or hasattr(mlp, "gate_proj"):
            continue  # a dense layer: its MLP has gate_proj, a MoE block has a router called gate

        def gate_hook(mod, inp, outp, li=li):
            caps[f"cap.model.layers.{li}.mlp.gate.in.0"] = copy(inp[0]).reshape(T, -1)
            for j, o in enumerate(outp if isinstance(outp, tuple) else (outp,)):
                o = copy(o).reshape(T, -1)
                caps[f"cap.model.layers.{li}.mlp.gate.out.{j}"] = o if o.is_floating_point() else o.int()

        def block_hook(mod, inp, outp, li=li):
            caps[f"cap.model.layers.{li}.mlp.in.0"] = copy(inp[0]).reshape(1, T, -1)
            o = outp[0] if isinstance(outp, tuple) else outp
            caps[f"cap.model.layers.{li}.mlp.out"] = copy(o).reshape(1, T, -1)

        hooks.append(mlp.gate.register_forward_hook(gate_hook))
        hooks.append(mlp.register_forward_hook(block_hook))
    return hooks


def goldens(model, ids, with_gradients):
    """What transformers computes for ids: the keys of the conformance README."""
    caps = {}
    hooks = capture_moe_blocks(model, caps)
    extra = {"output_router_logits": True} if hasattr(model.config, "output_router_logits") else {}
    model.zero_grad(set_to_none=True)
    with torch.set_grad_enabled(with_gradients):
        o = model(input_ids=ids, labels=ids, output_hidden_states=True, output_attentions=True, **extra)
        logits = o.logits[0]
        ce = F.cross_entropy(logits[:-1].double(), ids[0, 1:])  # labels are the ids shifted by one
        if with_gradients:
            ce.backward()  # the cross-entropy alone: no auxiliary loss in the gradients
    for h in hooks:
        h.remove()
    g = {"input_ids": ids.int(), "logits": logits, "ce_loss": ce.float().reshape(1), "loss": o.loss.reshape(1)}
    if getattr(o, "aux_loss", None) is not None:
        g["aux_loss"] = o.aux_loss.reshape(1)
    for j, r in enumerate(getattr(o, "router_logits", None) or ()):
        g[f"router_logits.{j}"] = r.reshape(T, -1)
    for i, h in enumerate(o.hidden_states):
        g[f"hidden.{i}"] = h[0]
    for layer, a in enumerate(o.attentions):
        g[f"attn.{layer}"] = a[0]
    g.update(caps)
    if with_gradients:
        for name, p in model.named_parameters():  # tied weights appear once, with both shares
            g[f"grad.{name}"] = p.grad if p.grad is not None else torch.zeros_like(p)
    g = {k: copy(v).cpu() for k, v in g.items()}
    return g, float(ce), float(o.loss)


def make_model(out, name, model_type, kw, with_gradients):
    folder = os.path.join(out, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    model = build(model_type, kw)
    dtype = SAVED_DTYPE.get(name, torch.float32)
    model.to(dtype).save_pretrained(folder, **({"max_shard_size": MAX_SHARD_SIZE[name]} if name in MAX_SHARD_SIZE else {}))
    del model
    model = load_float32(folder)
    ids = torch.randint(0, kw["vocab_size"], (1, T), generator=torch.Generator().manual_seed(IDS_SEED))
    g, ce, loss = goldens(model, ids, with_gradients)
    save_file(g, os.path.join(folder, "golden.safetensors"))
    with open(os.path.join(folder, "golden.json"), "w") as f:
        json.dump({"model_type": model_type, "dtype_saved": str(dtype).removeprefix("torch."), "T": T,
                   "transformers": transformers.__version__, "torch": torch.__version__,
                   "loss": loss, "ce_loss": ce, "keys": sorted(g)}, f, indent=1)
    print(f"made {name}: ce {ce:.6f}, {len(g)} keys", flush=True)


def make_tokenizer(out):
    folder = os.path.join(out, "tokenizer-kjv")
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(TOKENIZER_SOURCE, os.path.join(folder, "tokenizer.json"))
    tok = Tokenizer.from_file(TOKENIZER_SOURCE)
    hf = transformers.PreTrainedTokenizerFast(tokenizer_file=TOKENIZER_SOURCE)
    entries = []
    for text in TEXTS:
        enc = tok.encode(text)  # special tokens where the post-processor adds them, as transformers does
        if hf(text)["input_ids"] != enc.ids:
            raise RuntimeError(f"tokenizers and transformers disagree on {text!r}")
        entries.append({"text": text, "ids": enc.ids, "tokens": enc.tokens,
                        "decoded": tok.decode(enc.ids, skip_special_tokens=False)})
    with open(os.path.join(folder, "golden.json"), "w", encoding="utf-8") as f:
        json.dump(entries, f, indent=1, ensure_ascii=False)
    print(f"made tokenizer-kjv: {len(entries)} texts", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="conformance folder to rewrite")
    parser.add_argument("--small", action="store_true", help="hidden size 32, vocabulary 256 (see the docstring)")
    parser.add_argument("--only", nargs="*", help="names of the folders to make (default: all)")
    args = parser.parse_args()
    if not os.path.isfile(TOKENIZER_SOURCE):
        sys.exit(f"run from the repository root: {TOKENIZER_SOURCE} not found")
    torch.set_default_dtype(torch.float32)
    print("transformers", transformers.__version__, "torch", torch.__version__, flush=True)
    wanted = set(args.only) if args.only else None
    for table, with_gradients in ((MODELS, True), (EXTRA_MODELS, False)):
        for name, (model_type, kw) in table.items():
            if wanted is None or name in wanted:
                kw = {**kw, **SMALL[name]} if args.small else kw
                make_model(args.out, name, model_type, kw, with_gradients)
    if wanted is None or "tokenizer-kjv" in wanted:
        make_tokenizer(args.out)


if __name__ == "__main__":
    main()
