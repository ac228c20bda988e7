# Sourced by the tools/device scripts on the GPU machine, from the repository root, with .devbench/
# carried (made by tools/device/bench-bundle.sh): unpacks the Java runtime, the OpenCL loader (pointed
# at NVIDIA's driver) and the bundle once, then sets D (the bundle), OUT, JAVA and APP (the class path).
B=$(pwd)/.devbench
mkdir -p /tmp/moe-jre /tmp/moe-ocl /tmp/moe-icd /tmp/bench
[ -x /tmp/moe-jre/jre/bin/java ] || tar xJf "$B/jre.tar.xz" -C /tmp/moe-jre
for f in "$B"/debs/*.deb; do dpkg -x "$f" /tmp/moe-ocl; done
ln -sf libOpenCL.so.1 /tmp/moe-ocl/usr/lib/x86_64-linux-gnu/libOpenCL.so
export JAVA_HOME=/tmp/moe-jre/jre PATH=/tmp/moe-jre/jre/bin:$PATH
export LD_LIBRARY_PATH=/tmp/moe-ocl/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
echo libnvidia-opencl.so.1 > /tmp/moe-icd/nvidia.icd
export OCL_ICD_VENDORS=/tmp/moe-icd
rm -rf /tmp/bench/bundle && tar xJf "$B/bundle.tar.xz" -C /tmp/bench
D=/tmp/bench/bundle
OUT=${OUT:-/tmp/bench-out}
mkdir -p "$OUT"
# -Xms2g, and huge pages where the kernel offers them, as ./moescope passes them
JAVA="java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xms2g -Xmx32g"
grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null && JAVA="$JAVA -XX:+UseTransparentHugePages"
echo "java: $JAVA; transparent huge pages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
APP="$D/app-classes:$(ls $D/lib/*.jar | grep -v junit-console | tr '\n' ':')"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
grep -m1 "model name" /proc/cpuinfo
