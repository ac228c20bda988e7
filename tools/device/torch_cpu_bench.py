"""PyTorch's CPU figure for the java backend's target: the benchmark Mixtral, fp32, eager attention,
batch 1, forward with the LM loss, torch.set_num_threads(THREADS); median of timed runs after warm-up.

    python3 torch_cpu_bench.py CONFIG.json SEQ THREADS [--profile]

With --profile, torch.profiler's table of where the time goes follows, to set beside
`moescope bench --backend java --profile`.
"""
import statistics, sys, time
import torch
from transformers import AutoConfig, AutoModelForCausalLM

cfg_path, seq, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)
cfg = AutoConfig.from_pretrained(cfg_path)
model = AutoModelForCausalLM.from_config(cfg, attn_implementation="eager").float().eval()
ids = torch.randint(0, cfg.vocab_size, (1, seq))
def run():
    with torch.no_grad():
        model(input_ids=ids, labels=ids)
for _ in range(2):
    run()
ms = []
for _ in range(5):
    t = time.perf_counter(); run(); ms.append((time.perf_counter() - t) * 1000)
print(f"torch {torch.__version__} CPU, {threads} threads, seq {seq}: forward median {statistics.median(ms):.1f} ms "
      f"(min {min(ms):.1f}, max {max(ms):.1f}); {seq / statistics.median(ms) * 1000:.0f} tok/s")
if "--profile" in sys.argv[4:]:
    from torch.profiler import profile, ProfilerActivity
    with profile(activities=[ProfilerActivity.CPU]) as p:
        for _ in range(3):
            run()
    print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
