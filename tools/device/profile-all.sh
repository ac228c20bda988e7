#!/usr/bin/env bash
# On the GPU machine, from the repository root, with .devbench/ carried (made by tools/device/bench-bundle.sh):
#   bash tools/device/profile-all.sh
# Where the time goes: `moescope bench --profile` on opencl and ptx (seq 2048) and java (2 threads, seq 512),
# beside PyTorch's own profile of the same CPU forward. Logs go to $OUT.
set -u
. tools/device/setup.sh
prof() { echo "== $*"; timeout 150 $JAVA -cp "$APP" io.moescope.app.Main bench --config $D/mixtral-bench.json "$@" --json 2>&1 | grep -v incubator | head -45; }
prof --seq 2048 --mode fwd --backend opencl --warmup 3 --runs 10 --profile
prof --seq 2048 --mode fwd --backend ptx --warmup 3 --runs 10 --profile
prof --seq 512 --mode fwd --backend java --threads 2 --warmup 3 --runs 10 --profile
echo "== PyTorch"
PYTHONUNBUFFERED=1 timeout 200 python3 tools/device/torch_bench.py $D/mixtral-bench.json 2048 2>&1 | grep -v -i warn | tail -4
PYTHONUNBUFFERED=1 timeout 200 python3 tools/device/torch_cpu_bench.py $D/mixtral-bench.json 512 2 --profile 2>&1 | grep -v -i warn | tail -40
