"""PyTorch reference timing for the ptx backend's benchmark, run on the GPU machine.

python3 torch_bench.py CONFIG.json [SEQ [WARMUP RUNS]]

Builds transformers' MixtralForCausalLM from the config with random weights (seeded), eager
attention, fp32 with TF32 off, batch 1, and times forward (no grad, with the LM loss) and
forward + backward of the LM loss: CUDA events around each run, median after warm-up.
"""
import json
import statistics
import sys

import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM


def timed(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ms = []
    for _ in range(runs):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        ms.append(start.elapsed_time(end))
    return statistics.median(ms), min(ms), max(ms)


def main():
    path = sys.argv[1]
    seq = int(sys.argv[2]) if len(sys.argv) > 2 else 2048
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    torch.manual_seed(0)
    with open(path) as f:
        cfg = AutoConfig.for_model(**json.load(f))
    model = AutoModelForCausalLM.from_config(cfg, attn_implementation="eager", torch_dtype=torch.float32).cuda().eval()
    ids = torch.randint(0, cfg.vocab_size, (1, seq), device="cuda")
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, {torch.cuda.get_device_name()}, "
          f"{sum(p.numel() for p in model.parameters()) / 1e6:.1f} M parameters")

    def forward():
        with torch.no_grad():
            return model(input_ids=ids, labels=ids).loss

    def forward_backward():
        model.zero_grad(set_to_none=True)
        model(input_ids=ids, labels=ids).loss.backward()

    f = timed(forward, warmup, runs)
    fb = timed(forward_backward, warmup, runs)
    for name, (med, lo, hi) in (("forward", f), ("forward+backward", fb)):
        print(f"torch {name:<18} median {med:8.2f} ms  (min {lo:.2f}, max {hi:.2f}, {runs} runs after {warmup} warm-up)")
    print(f"RESULT torch seq {seq}: forward {f[0]:.2f} ms ({seq / f[0]:.0f} k tok/s), "
          f"forward+backward {fb[0]:.2f} ms ({seq / fb[0]:.0f} k tok/s)")

    a = torch.randn(4096, 4096, device="cuda")
    b = torch.randn(4096, 4096, device="cuda")
    med, _, _ = timed(lambda: a @ b, 2, 10)
    print(f"torch fp32 matmul 4096^3 (TF32 off): {2 * 4096 ** 3 / med / 1e9:.1f} TFLOP/s")


if __name__ == "__main__":
    main()
