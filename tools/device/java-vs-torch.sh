#!/usr/bin/env bash
# On the GPU machine, with .devbench/ carried: the java target against PyTorch's CPU, alternating,
# ROUNDS times each, first unpinned, then both pinned to the same two CPUs of distinct physical
# cores (taskset). Two threads of either may otherwise share one core's SMT siblings, which halves
# the speed of FMA-bound code and made single runs range from 145 to 242 ms.
#   bash tools/device/java-vs-torch.sh [ROUNDS]
set -u
. tools/device/setup.sh
lscpu | grep -E "^(Model name|Thread|Core|Socket|CPU\(s\))"
PIN=$(python3 - <<'PY'
import glob
first = {}
for c in sorted(glob.glob('/sys/devices/system/cpu/cpu[0-9]*'), key=lambda p: int(p.rsplit('cpu', 1)[1])):
    try:
        core = open(c + '/topology/physical_package_id').read().strip() + '/' + open(c + '/topology/core_id').read().strip()
    except OSError:
        continue
    first.setdefault(core, c.rsplit('cpu', 1)[1])
print(','.join(list(first.values())[:2]))
PY
)
echo "pinned runs use CPUs $PIN"
java_once() {
  $1 $JAVA -cp "$APP" io.moescope.app.Main bench --config $D/mixtral-bench.json --seq 512 --mode fwd --backend java --threads 2 --json 2>/dev/null \
    | tail -1 | python3 -c 'import json,sys; j=json.load(sys.stdin); print("java  median %.1f ms (min %.1f, max %.1f, %s warm-up)" % (j["median_ms"], j["min_ms"], j["max_ms"], j["warmup"]))'
}
torch_once() {
  $1 timeout 200 python3 tools/device/torch_cpu_bench.py $D/mixtral-bench.json 512 2 2>&1 | grep -v -i warn | tail -1
}
for mode in "" "taskset -c $PIN"; do
  echo "== ${mode:-unpinned}"
  for ((i = 0; i < ${1:-3}; i++)); do java_once "$mode"; torch_once "$mode"; done
done
