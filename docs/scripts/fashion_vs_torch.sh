#!/usr/bin/env bash
# Myelin against the anchors' PyTorch script on Fashion-MNIST, same model and procedure, one sitting:
# 784-256-128-10, sigmoid hidden layers, softmax cross-entropy, plain SGD lr 0.1, batch 128, EPOCHS epochs,
# PyTorch's nn.Linear initialisation (--init-method torch), test accuracy after every epoch (not timed).
# PyTorch runs with OpenBLAS at its best core type (../shared/anchors/openblas/best_coretype.sh).
# Usage: docs/scripts/fashion_vs_torch.sh [EPOCHS] [ANCHORS_DIR]   (needs dataset-fashion-mnist, python3-torch)
set -euo pipefail
if [ $# -ge 2 ]; then anchors=$(cd "$2" && pwd); fi # from the caller's folder, before the cd below
cd "$(dirname "$0")/../.."
epochs=${1:-5}
anchors=${anchors:-../shared/anchors}
lscpu | grep -E '^Model name|^CPU\(s\)' || true
ct=$("$anchors/openblas/best_coretype.sh")
echo "OpenBLAS core type for PyTorch: $ct"
if [ "$ct" = auto ]; then coretype=(-u OPENBLAS_CORETYPE); else coretype=("OPENBLAS_CORETYPE=$ct"); fi
torch() { # threads
  env -u OPENBLAS_L2_SIZE "${coretype[@]}" OPENBLAS_NUM_THREADS="$1" OMP_NUM_THREADS="$1" \
      /usr/bin/python3 "$anchors/torch/train_fashion_mnist.py" "$1" "$epochs" 0
}
myelin() { # threads
  /usr/bin/time -f "myelin peak RSS %M KB" ./myelin train --data /usr/share/datasets/fashion-mnist \
      --layers 784,256,128,10 --activation sigmoid --loss ce --optimizer sgd --lr 0.1 --batch-size 128 \
      --init-method torch --epochs "$epochs" --threads "$1" --log-format json
}
# build the jar now if a source changed, so that no timed run (nor its peak RSS, which would be Maven's) includes it
./myelin info > /dev/null 2>&1 || { echo "building Myelin failed: see ./myelin info" >&2; exit 1; }
for t in 1 2; do
  echo "== PyTorch, $t thread(s)"; torch "$t"
  echo "== Myelin, $t thread(s)"; myelin "$t"
done
