"""Makes extra conformance checkpoints with HF transformers' outputs, for configurations the shared
set does not cover (YaRN, bf16 weights, sharded files, sliding window, clip_qkv, tied embeddings,
dense layers among sparse ones, group-limited routing). Run where torch + transformers are installed:

    python3 tools/goldens/make_goldens.py OUT_DIR

Writes OUT_DIR/<name>/{config.json, model.safetensors[.index.json + shards], golden.safetensors}
with the keys of ../shared/conformance/README.md (no gradients)."""
import json, os, sys, traceback
import torch
import transformers
from safetensors.torch import save_file

T = 24
VARIANTS = {
    "qwen3moe-yarn": ("qwen3_moe", dict(
        vocab_size=320, hidden_size=64, intermediate_size=80, moe_intermediate_size=24, num_hidden_layers=3,
        num_attention_heads=4, num_key_value_heads=1, head_dim=24, num_experts=6, num_experts_per_tok=3,
        norm_topk_prob=False, mlp_only_layers=[1], max_position_embeddings=512,
        rope_parameters={"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0,
                         "original_max_position_embeddings": 128})),
    "deepseekv3-yarn-bf16": ("deepseek_v3", dict(
        vocab_size=320, hidden_size=64, intermediate_size=96, moe_intermediate_size=24, num_hidden_layers=3,
        num_attention_heads=2, num_key_value_heads=2, q_lora_rank=None, kv_lora_rank=24, qk_nope_head_dim=12,
        qk_rope_head_dim=8, v_head_dim=20, head_dim=8, n_routed_experts=8, n_shared_experts=2,
        num_experts_per_tok=2, n_group=2, topk_group=1, norm_topk_prob=False, routed_scaling_factor=1.5,
        first_k_dense_replace=2, rope_interleave=False, max_position_embeddings=512,
        rope_parameters={"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0, "mscale": 0.8,
                         "mscale_all_dim": 0.8, "original_max_position_embeddings": 128, "beta_fast": 32,
                         "beta_slow": 1})),
    "deepseekv2-group": ("deepseek_v2", dict(
        vocab_size=320, hidden_size=64, intermediate_size=96, moe_intermediate_size=16, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=4, q_lora_rank=16, kv_lora_rank=16, qk_nope_head_dim=8,
        qk_rope_head_dim=8, v_head_dim=8, head_dim=8, n_routed_experts=8, n_shared_experts=1,
        num_experts_per_tok=2, n_group=4, topk_group=2, topk_method="group_limited_greedy",
        routed_scaling_factor=2.0, first_k_dense_replace=0, max_position_embeddings=512)),
    "olmoe-clip-tied": ("olmoe", dict(
        vocab_size=320, hidden_size=64, intermediate_size=24, num_hidden_layers=2, num_attention_heads=8,
        num_key_value_heads=2, num_experts=8, num_experts_per_tok=2, norm_topk_prob=True, clip_qkv=0.25,
        tie_word_embeddings=True, max_position_embeddings=512)),
    "mixtral-window-f16": ("mixtral", dict(
        vocab_size=320, hidden_size=64, intermediate_size=40, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=1, head_dim=24, num_local_experts=4, num_experts_per_tok=1, sliding_window=7,
        rms_norm_eps=1e-5, max_position_embeddings=512)),
    "qwen2moe-sharded": ("qwen2_moe", dict(
        vocab_size=320, hidden_size=64, intermediate_size=72, moe_intermediate_size=16,
        shared_expert_intermediate_size=48, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=4,
        num_experts=6, num_experts_per_tok=2, norm_topk_prob=True, decoder_sparse_step=2, mlp_only_layers=[3],
        max_position_embeddings=512)),
}
DTYPE = {"deepseekv3-yarn-bf16": torch.bfloat16, "mixtral-window-f16": torch.float16}


def build(name, model_type, kw):
    torch.manual_seed(1234)
    cfg = transformers.AutoConfig.for_model(model_type, initializer_range=0.08, **kw)
    model = transformers.AutoModelForCausalLM.from_config(cfg, attn_implementation="eager").float().eval()
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n.endswith("mlp.gate.weight") or n.endswith("block_sparse_moe.gate.weight"):
                p.mul_(6.0)  # keep top-k choices away from near ties
        for n, b in model.named_buffers():
            if n.endswith("e_score_correction_bias"):
                b.copy_(torch.randn_like(b) * 0.1)
    return model


def main(out):
    print("transformers", transformers.__version__, "torch", torch.__version__, flush=True)
    for name, (model_type, kw) in VARIANTS.items():
        try:
            model = build(name, model_type, kw)
            d = os.path.join(out, name)
            os.makedirs(d, exist_ok=True)
            dt = DTYPE.get(name)
            if dt is not None:
                model = model.to(dt)
                model.save_pretrained(d)
                model = model.float()
            elif name.endswith("sharded"):
                model.save_pretrained(d, max_shard_size="150KB")
            else:
                model.save_pretrained(d)
            gen = torch.Generator().manual_seed(7)
            ids = torch.randint(0, kw["vocab_size"], (1, T), generator=gen)
            caps = {}
            hooks = []
            for li, layer in enumerate(model.model.layers):
                mlp = layer.mlp
                if hasattr(mlp, "gate") and not hasattr(mlp, "gate_proj"):
                    def gate_hook(mod, inp, outp, li=li):
                        outs = outp if isinstance(outp, tuple) else (outp,)
                        caps[f"cap.model.layers.{li}.mlp.gate.in.0"] = inp[0].reshape(T, -1)
                        for j, o in enumerate(outs):
                            o = o.reshape(T, -1)
                            caps[f"cap.model.layers.{li}.mlp.gate.out.{j}"] = o.int() if not o.is_floating_point() else o
                    def mlp_hook(mod, inp, outp, li=li):
                        o = outp[0] if isinstance(outp, tuple) else outp
                        caps[f"cap.model.layers.{li}.mlp.out"] = o.reshape(1, T, -1)
                    hooks.append(mlp.gate.register_forward_hook(gate_hook))
                    hooks.append(mlp.register_forward_hook(mlp_hook))
            with torch.no_grad():
                o = model(input_ids=ids, output_hidden_states=True, output_attentions=True)
            logits = o.logits[0].float()
            ce = torch.nn.functional.cross_entropy(logits[:-1], ids[0, 1:])
            g = {"input_ids": ids.int(), "logits": logits, "ce_loss": ce.reshape(1)}
            for i, h in enumerate(o.hidden_states):
                g[f"hidden.{i}"] = h[0]
            for l, a in enumerate(o.attentions):
                g[f"attn.{l}"] = a[0]
            g.update(caps)
            save_file({k: v.contiguous().cpu() for k, v in g.items()}, os.path.join(d, "golden.safetensors"))
            print("made", name, "ce", float(ce), "keys", len(g), flush=True)
        except Exception:
            print("FAILED", name, flush=True)
            traceback.print_exc()


if __name__ == "__main__":
    main(sys.argv[1])
