#!/usr/bin/env bash
# Run here, from the repository root: builds compute (privately, see /tmp/privbuild.sh) and packs into
# .device/ptx.tar.xz what the GPU machine needs to run the ptx backend's tests, the conformance suites
# (their java and ptx rows) and the benchmark: classes, test classes (with the conformance
# data, moved out of them), jackson and the JUnit console launcher and the benchmark
# config (xz: the carried tree is limited to 64 MiB).
# Then send tools/device/ptx-run.sh with .device carried.
set -euo pipefail
ROOT=$(pwd)
[ -f .device/jre.tar.xz ] || bash /work/shared/device/prepare.sh
/tmp/privbuild.sh ptx -q -o -pl compute test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/ptx/cp.txt -Dmdep.includeScope=runtime
B=/tmp/ptx/main/compute/target
D=/tmp/ptx-bundle/ptx
rm -rf /tmp/ptx-bundle .device/ptx
mkdir -p "$D/lib"
cp -r "$B/classes" "$D/classes"
cp -r "$B/test-classes" "$D/test-classes"
for j in $(tr ':' '\n' < /tmp/ptx/cp.txt | grep -E 'jackson-(databind|core|annotations)'); do cp "$j" "$D/lib/"; done
M2=${M2_REPO:-$HOME/.m2/repository}
JU=$M2/org/junit/platform/junit-platform-console-standalone/1.14.1/junit-platform-console-standalone-1.14.1.jar
[ -f "$JU" ] || mvn -q dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1
cp "$JU" "$D/lib/junit-console.jar"
mv "$D/test-classes/conformance" "$D/conformance"
rm -rf "$D/conformance/tokenizer-kjv"
cp sample-models/configs/mixtral-bench.json "$D/"
tar cf - -C /tmp/ptx-bundle ptx | xz -9 -T2 > .device/ptx.tar.xz
du -sh .device .device/ptx.tar.xz
