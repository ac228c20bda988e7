#!/usr/bin/env bash
# On the GPU machine, from the repository root, with .devbench/ carried (made by tools/device/bench-bundle.sh):
#   bash tools/device/bench-all.sh
# Runs the OpenCL and PTX test packages and the conformance and gradient suites (io.moescope.conformance,
# whose java rows run on the CPU) on the NVIDIA GPU, then `moescope bench` on
# every backend beside PyTorch on the same machine in the same command. Logs go to $OUT.
set -u
. tools/device/setup.sh
echo "== devices"; $JAVA -cp "$APP" io.moescope.app.Main devices 2>&1 | grep -v incubator
echo "== OpenCL and PTX test packages and the conformance suites on NVIDIA (ops, attention patterns, conformance, gradients, out of memory)"
timeout 330 $JAVA -Dmoescope.conformance.dir=$D/conformance -jar $D/lib/junit-console.jar execute \
  --class-path "$D/test-classes:$APP" --select-package io.moescope.backend.opencl --select-package io.moescope.backend.ptx \
  --select-package io.moescope.conformance --disable-banner --details=summary > "$OUT/conformance.log" 2>&1
echo "exit $?"; grep -E "tests (successful|failed|skipped)|containers failed" "$OUT/conformance.log"
grep -B2 -A8 -E "MethodSource|=> " "$OUT/conformance.log" | head -40
bench() { timeout 120 $JAVA -cp "$APP" io.moescope.app.Main bench --config $D/mixtral-bench.json "$@" --json 2>/dev/null | tail -1; }
echo "== moescope bench (median of 10 timed runs after 3 warm-up)"
for mode in fwd fwdbwd; do
  bench --seq 2048 --mode $mode --backend ptx --warmup 3 --runs 10
  bench --seq 2048 --mode $mode --backend opencl --warmup 3 --runs 10
done
bench --seq 512 --mode fwd --backend java --threads 2 --warmup 3 --runs 15
bench --seq 512 --mode fwdbwd --backend java --threads 2 --warmup 1 --runs 3
echo "== PyTorch, same machine, same command"
PYTHONUNBUFFERED=1 timeout 200 python3 tools/device/torch_bench.py $D/mixtral-bench.json 2048 2>&1 | grep -v -i warn | tail -6
PYTHONUNBUFFERED=1 timeout 200 python3 tools/device/torch_cpu_bench.py $D/mixtral-bench.json 512 2 2>&1 | grep -v -i warn | tail -4
