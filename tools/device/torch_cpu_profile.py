"""PyTorch's CPU forward of the benchmark Mixtral (as torch_cpu_bench.py), with torch.profiler's table
of where the time goes, to set beside `moescope bench --backend java --profile`.

    python3 torch_cpu_profile.py CONFIG.json SEQ THREADS
"""
import sys, time, statistics
import torch
from torch.profiler import profile, ProfilerActivity
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
print(f"torch {torch.__version__} CPU, {threads} threads, seq {seq}: forward median {statistics.median(ms):.1f} ms")
with profile(activities=[ProfilerActivity.CPU]) as p:
    for _ in range(3):
        run()
print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
