#!/usr/bin/env bash
# Run here, from the repository root: builds compute's classes and test classes and packs what the
# GPU machine needs to run the backend packages and the conformance suites into .device/ptx.tar.xz
# (the conformance data is not packed: the tree carries it). Then, with .device carried:
#   bash tools/device/check.sh
# The tree plus the JRE is over the 64 MiB a call may carry: move sample-models/kjv-mixtral and
# docs/screenshots aside for the call (nothing in the check reads them), and put them back after.
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f .device/jre.tar.xz ] || bash ../shared/device/prepare.sh
./mvnw -B -q -o -pl compute test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/check-cp.txt -Dmdep.includeScope=test
B=compute/target; D=/tmp/check-bundle/ptx
rm -rf /tmp/check-bundle; mkdir -p "$D/lib"
cp -r $B/classes $D/classes; cp -r $B/test-classes $D/test-classes
rm -rf $D/test-classes/conformance $D/test-classes/conformance-arch
for j in $(tr ':' '\n' < /tmp/check-cp.txt | grep -E 'jackson-(databind|core|annotations)|jocl'); do cp "$j" "$D/lib/"; done
JU=$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.14.1/junit-platform-console-standalone-1.14.1.jar
[ -f "$JU" ] || ./mvnw -q dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1
cp "$JU" "$D/lib/junit-console.jar"
cp sample-models/configs/mixtral-bench.json "$D/"
tar cf - -C /tmp/check-bundle ptx | xz -9 -T2 > .device/ptx.tar.xz
du -sh .device
