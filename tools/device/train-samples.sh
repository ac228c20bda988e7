#!/usr/bin/env bash
# Trains the two bundled sample models side by side on the GPU machine's CPU cores (16), with the
# java backend, 8 threads each. Expects .devtrain/ (see sample-models/README.md) and $OUT.
# A short calibration run of each measures tokens/s, so that the real runs' step counts fill the
# time budget given as $1 (seconds) without overrunning the machine's command limit.
set -u
mkdir -p /tmp/moe-jre
[ -x /tmp/moe-jre/jre/bin/java ] || tar xJf .devtrain/jre.tar.xz -C /tmp/moe-jre
export JAVA_HOME=/tmp/moe-jre/jre PATH=/tmp/moe-jre/jre/bin:$PATH
budget=${1:-360}
cp=".devtrain/app/classes:.devtrain/lib/*"
run() { java -Xmx24g --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$cp" io.moescope.app.Main "$@" 2> >(grep -v "incubator" >&2); }
nproc; grep -m1 "model name" /proc/cpuinfo
d=.devtrain/data
steps_for() {  # config name -> steps that fit the budget at the calibrated speed
  local tps tokens_per_step
  tps=$(sed -n 's/.*(\([0-9,]*\) tokens\/s).*/\1/p' "/tmp/cal-$1.txt" | tr -d ,)
  tokens_per_step=$(python3 -c "import json;t=json.load(open('$d/kjv-$1.json'))['training'];print(t['seq_len']*t['batch_size'])")
  python3 -c "print(max(20, int($budget * $tps / $tokens_per_step) // 10 * 10))"
}
for m in mixtral deepseek-v3; do
  run train --config $d/kjv-$m.json --data $d/kjv.txt --tokenizer $d --steps 30 --out /tmp/cal-$m --backend java --threads 8 > /tmp/cal-$m.txt &
done
wait
cat /tmp/cal-*.txt
for m in mixtral deepseek-v3; do
  s=$(steps_for $m); echo "kjv-$m: $s steps"
  ( start=$(date +%s)
    echo "command: ./moescope train --config sample-models/kjv-$m/training-config.json --data kjv.txt --tokenizer sample-models/kjv-data --steps $s --out kjv-$m --backend java --threads 8"
    run train --config $d/kjv-$m.json --data $d/kjv.txt --tokenizer $d --steps "$s" --out /tmp/kjv-$m --backend java --threads 8
    echo "wall seconds: $(( $(date +%s) - start ))" ) > /tmp/train-$m.txt 2>&1 &
done
wait
for m in mixtral deepseek-v3; do
  tail -c 2000 /tmp/train-$m.txt; echo
  o=/tmp/pack/kjv-$m; mkdir -p $o
  last=$(ls -d /tmp/kjv-$m/checkpoint-* | sort | tail -1)
  cp $last/config.json $last/model.safetensors $last/tokenizer.json /tmp/kjv-$m/training_log.jsonl /tmp/kjv-$m/heldout.txt $o/
  cp /tmp/train-$m.txt $o/train-output.txt
done
tar czf "$OUT/samples.tar.gz" -C /tmp/pack . && ls -la "$OUT"
