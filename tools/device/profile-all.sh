#!/usr/bin/env bash
# On the GPU machine, from the repository root, with .devbench/ carried (made by tools/device/bench-bundle.sh):
#   bash tools/device/profile-all.sh
# Where the time goes: `moescope bench --profile` on opencl and ptx (seq 2048) and java (2 threads, seq 512),
# beside PyTorch's own profile of the same CPU forward. Logs go to $OUT.
set -u
B=$(pwd)/.devbench
mkdir -p /tmp/moe-jre /tmp/moe-ocl /tmp/moe-icd /tmp/bench
[ -x /tmp/moe-jre/jre/bin/java ] || tar xJf "$B/jre.tar.xz" -C /tmp/moe-jre
for f in "$B"/debs/*.deb; do dpkg -x "$f" /tmp/moe-ocl; done
ln -sf libOpenCL.so.1 /tmp/moe-ocl/usr/lib/x86_64-linux-gnu/libOpenCL.so
export JAVA_HOME=/tmp/moe-jre/jre PATH=/tmp/moe-jre/jre/bin:$PATH
export LD_LIBRARY_PATH=/tmp/moe-ocl/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
echo libnvidia-opencl.so.1 > /tmp/moe-icd/nvidia.icd
export OCL_ICD_VENDORS=/tmp/moe-icd
tar xJf "$B/bundle.tar.xz" -C /tmp/bench
D=/tmp/bench/bundle
OUT=${OUT:-/tmp/bench-out}
JAVA="java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xms2g -Xmx32g"
APP="$D/app-classes:$(ls $D/lib/*.jar | grep -v junit-console | tr '\n' ':')"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
grep -m1 "model name" /proc/cpuinfo
prof() { echo "== $*"; timeout 150 $JAVA -cp "$APP" io.moescope.app.Main bench --config $D/mixtral-bench.json "$@" --json 2>&1 | grep -v incubator | head -45; }
prof --seq 2048 --mode fwd --backend opencl --warmup 3 --runs 10 --profile
prof --seq 2048 --mode fwd --backend ptx --warmup 3 --runs 10 --profile
prof --seq 512 --mode fwd --backend java --threads 2 --warmup 3 --runs 10 --profile
echo "== PyTorch"
PYTHONUNBUFFERED=1 timeout 200 python3 tools/device/torch_bench.py $D/mixtral-bench.json 2048 2>&1 | grep -v -i warn | tail -4
PYTHONUNBUFFERED=1 timeout 200 python3 tools/device/torch_cpu_profile.py $D/mixtral-bench.json 512 2 2>&1 | grep -v -i warn | tail -40
