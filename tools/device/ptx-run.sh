#!/usr/bin/env bash
# Run on the GPU machine from the repository root (after tools/device/ptx-bundle.sh here, with .device
# carried): . .device/remote-env.sh; bash tools/device/ptx-run.sh [tests|bench|torch ...]
# Writes logs under $OUT; prints summaries last.
mkdir -p /tmp/ptx-run && tar xJf .device/ptx.tar.xz -C /tmp/ptx-run
D=/tmp/ptx-run/ptx
OUT=${OUT:-/tmp/ptx-out}
mkdir -p "$OUT"
CP="$D/classes:$D/test-classes:$(ls $D/lib/*.jar | grep -v junit-console | tr "\n" ":")"
JAVA="java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xmx24g -Dmoescope.conformance.dir=$D/conformance"
STEPS=${*:-tests bench torch}
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader
for step in $STEPS; do
  case $step in
    tests)
      # the bundle has no OpenCL (neither JOCL nor the loader), so the conformance suites' opencl rows skip
      timeout 330 $JAVA -Dmoescope.conformance.backends=java,ptx -jar $D/lib/junit-console.jar execute --class-path "$CP" \
        --select-package io.moescope.backend.ptx --select-package io.moescope.conformance \
        --disable-banner --details=tree > "$OUT/tests.log" 2>&1
      echo "tests exit $?"
      grep -E "PTX (tests run|conformance|gradient)" "$OUT/tests.log"
      grep -E "tests (successful|failed|skipped|aborted)|containers failed" "$OUT/tests.log"
      grep -E "✘" "$OUT/tests.log" | head -40
      grep -m3 -A12 -E "=> (org|java|io)\.[A-Za-z.]*(Exception|Error)" "$OUT/tests.log" | head -60
      ;;
    bench)
      timeout 240 $JAVA -cp "$CP" io.moescope.backend.ptx.PtxBenchmark $D/mixtral-bench.json 2048 > "$OUT/bench.log" 2>&1
      echo "bench exit $?"
      cat "$OUT/bench.log" | head -150
      ;;
    torch)
      PYTHONUNBUFFERED=1 timeout 200 python3 tools/device/torch_bench.py $D/mixtral-bench.json 2048 > "$OUT/torch.log" 2>&1
      echo "torch exit $?"
      grep -v Warning "$OUT/torch.log" | tail -12
      ;;
  esac
done
