"""Loads each bundled sample model with HF transformers and measures its held-out loss the way
SampleModelsTest does (64 windows of 129 tokens of heldout.txt), to show that the checkpoints the
trainer writes are ordinary transformers checkpoints and that both implementations agree.

    python3 tools/device/check_samples_hf.py sample-models/kjv-mixtral sample-models/kjv-deepseek-v3
"""
import json, sys
import torch
import transformers
from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast

print("transformers", transformers.__version__, "torch", torch.__version__)
for d in sys.argv[1:]:
    card = json.load(open(f"{d}/model-card.json"))
    tok = PreTrainedTokenizerFast(tokenizer_file=f"{d}/tokenizer.json")
    ids = tok(open(f"{d}/heldout.txt", encoding="utf-8").read(), add_special_tokens=False)["input_ids"]
    model = AutoModelForCausalLM.from_pretrained(d, attn_implementation="eager", dtype=torch.float32).eval()
    seq, n = card["seq_len"], card["held_out_windows"]
    n = min(n, (len(ids) - 1) // seq)
    total = 0.0
    with torch.no_grad():
        for i in range(n):
            w = torch.tensor([ids[i * seq: i * seq + seq + 1]])
            logits = model(input_ids=w).logits[0]
            total += torch.nn.functional.cross_entropy(logits[:-1], w[0, 1:]).item()
    loss = total / n
    print(f"{d}: {type(model).__name__}, {sum(p.numel() for p in model.parameters())} parameters, "
          f"held-out loss {loss:.4f} (card: {card['held_out_loss']:.4f}, difference {abs(loss - card['held_out_loss']):.1e})")
