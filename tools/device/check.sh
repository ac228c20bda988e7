#!/usr/bin/env bash
# On the GPU machine, from the repository root, after tools/device/check-bundle.sh here (.device
# carried): the backend packages (BackendContractTest on java, opencl and ptx) and the conformance
# suites on NVIDIA, then the ptx benchmark at T = 2048. Logs under $OUT.
. .device/remote-env.sh
mkdir -p /tmp/r && tar xJf .device/ptx.tar.xz -C /tmp/r
D=/tmp/r/ptx; OUT=${OUT:-/tmp/out}; mkdir -p $OUT
CP="$D/classes:$D/test-classes:$(ls $D/lib/*.jar | grep -v junit-console | tr '\n' ':')"
JAVA="java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xmx24g -Dmoescope.conformance.dir=$PWD/compute/src/test/resources/conformance"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
timeout 360 $JAVA -Dmoescope.conformance.backends=java,opencl,ptx -jar $D/lib/junit-console.jar execute --class-path "$CP" \
  --select-package io.moescope.backend --select-package io.moescope.conformance \
  --disable-banner --details=tree > $OUT/tests.log 2>&1
echo "tests exit $?"
grep -E "tests (successful|failed|skipped|aborted)|containers failed" $OUT/tests.log
grep -E "✘" $OUT/tests.log | head -30
grep -m5 -A10 -E "=> (org|java|io)\.[A-Za-z.]*(Exception|Error)" $OUT/tests.log | head -60
grep -E "conformance" $OUT/tests.log | head -40
timeout 150 $JAVA -cp "$CP" io.moescope.backend.ptx.PtxBenchmark $D/mixtral-bench.json 2048 > $OUT/bench.log 2>&1
echo "bench exit $?"; tail -25 $OUT/bench.log
