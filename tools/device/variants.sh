#!/usr/bin/env bash
# On the GPU machine, from the repository root, with .devbench/ carried (made by tools/device/bench-bundle.sh):
#   bash tools/device/variants.sh FILE [tests] [torch] [torchcpu]
# FILE: targets.variants (the targets: ptx, opencl, java at their defaults), or a sweep of
# settings (opencl-gemm.variants, java-kernel.variants) to run in the same command as the targets,
# whose lines are the sweeps' baselines.
# Runs `moescope bench` once per line of FILE: JVM options, a '|', then bench arguments; prints one
# line each (median, min, max). With 'tests', first runs the OpenCL and PTX test packages and the
# conformance suites (io.moescope.conformance: java, opencl and ptx rows) on the GPU;
# with 'torch' / 'torchcpu', PyTorch's GPU (seq 2048) / CPU (seq 512, 2 threads) figures last.
set -u
. tools/device/setup.sh
if [[ " $* " == *" tests "* ]]; then
  timeout 300 $JAVA -Dmoescope.conformance.dir=$D/conformance -jar $D/lib/junit-console.jar execute \
    --class-path "$D/test-classes:$APP" --select-package io.moescope.backend.opencl --select-package io.moescope.backend.ptx \
    --select-package io.moescope.conformance --disable-banner --details=summary > "$OUT/tests.log" 2>&1
  echo "tests exit $?"; grep -E "tests (successful|failed|skipped)|containers failed" "$OUT/tests.log"
  grep -B2 -A6 -E "MethodSource" "$OUT/tests.log" | head -40
fi
while IFS='|' read -r opts args; do
  [ -z "$args" ] && continue
  r=$(timeout 120 $JAVA $opts -cp "$APP" io.moescope.app.Main bench --config $D/mixtral-bench.json $args --json 2>"$OUT/err.txt" | tail -1)
  m=$(echo "$r" | python3 -c 'import json,sys
try:
  j=json.load(sys.stdin); print("median %.2f ms  min %.2f  max %.2f  (%s warm-up%s, %s faults/pass)" % (j["median_ms"], j["min_ms"], j["max_ms"],
        j.get("warmup"), "" if j.get("jit_settled", True) else " unsettled", j.get("page_faults_per_pass")))
except Exception: print("FAILED")')
  echo "$m  <- $opts | $args"
  [ "$m" = FAILED ] && tail -3 "$OUT/err.txt"
  case "$args" in *--profile*) grep -v incubator "$OUT/err.txt" | head -16;; esac
done < "$1"
case " $* " in
  *" torch "*) PYTHONUNBUFFERED=1 timeout 200 python3 tools/device/torch_bench.py $D/mixtral-bench.json 2048 2>&1 | grep RESULT;;
esac
case " $* " in
  *" torchcpu "*) PYTHONUNBUFFERED=1 timeout 200 python3 tools/device/torch_cpu_bench.py $D/mixtral-bench.json 512 2 2>&1 | grep -v -i warn | tail -1;;
esac
