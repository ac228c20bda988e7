#!/usr/bin/env bash
# Run here from the repository root: builds everything and packs into .devbench/ what
# tools/device/bench-all.sh needs on the GPU machine (runtime, OpenCL loader, app, tests, data). The
# tests are all of compute's test classes: the OpenCL and PTX packages, io.moescope.conformance and
# the helpers they share (io.moescope.testing).
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
grep -qx '/.devbench/' .git/info/exclude || echo '/.devbench/' >> .git/info/exclude
[ -f .device/jre.tar.xz ] || bash ../shared/device/prepare.sh
rm -rf .devbench /tmp/devbench && mkdir -p .devbench /tmp/devbench/bundle/lib
cp .device/jre.tar.xz .devbench/ && cp -r .device/debs .devbench/
./mvnw -q -B -o -DskipTests install
./mvnw -q -B -o -pl compute test-compile
D=/tmp/devbench/bundle
cp -r app/target/classes "$D/app-classes"
cp -r compute/target/test-classes "$D/test-classes"
for j in app/target/lib/*.jar; do case $(basename "$j") in javafx*|tokenizers*|jna*|controlsfx*|jfree*|pdfbox*|fontbox*|api-*|commons-*|gson*) ;; *) cp "$j" "$D/lib/";; esac; done
cp ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.14.1/junit-platform-console-standalone-1.14.1.jar "$D/lib/junit-console.jar"
mv "$D/test-classes/conformance" "$D/conformance" && rm -rf "$D/conformance/tokenizer-kjv"
cp sample-models/configs/mixtral-bench.json "$D/"
tar cf - -C /tmp/devbench bundle | xz -6 -T2 > .devbench/bundle.tar.xz
du -sh .devbench
