#!/usr/bin/env bash
# TrainingStep against PyTorch, 30 configurations (hidden activation, loss, optimizer, weight decay, gradient
# convention, steps, batch, rows): Oracle.java trains with TrainingStep on batches taken from the middle of larger
# arrays and writes the initial parameters, the batches, each step's loss and the final parameters; oracle.py runs
# the same steps in torch from the same parameters and prints the largest differences.
# Usage: docs/scripts/trainingstep_vs_torch/sweep.sh [OUT_DIR]   (after a build: needs cli/target/myelin.jar)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
. "$root/.mvn/find-jdk.sh"
myelin_find_jdk
out=${1:-/tmp/trainingstep_vs_torch}
mkdir -p "$out"
run() {
  d=$out/$(echo "$@" | tr ' ,' '__')
  "$JAVA_HOME/bin/java" --add-modules=jdk.incubator.vector -cp "$root/cli/target/myelin.jar" "$here/Oracle.java" \
      "$d" "$@" 2>&1 | grep -v -e WARNING -e INFO -e chooseDefault || true
  /usr/bin/python3 "$here/oracle.py" "$d"
}
for loss in ce bce mse; do for opt in sgd momentum nesterov adam adamw; do run relu $loss $opt 0.01 mean 12 32 100; done; done
for h in tanh sigmoid; do for loss in ce bce mse; do run $h $loss adam 0 mean 12 32 100; done; done
for loss in ce bce mse; do run tanh $loss momentum 0.001 sum 8 16 40; run relu $loss adamw 0.01 sum 8 16 40; done
run relu ce nesterov 0 mean 20 1 50
run relu bce adam 0 mean 7 7 13
run relu mse sgd 0 mean 5 200 37
