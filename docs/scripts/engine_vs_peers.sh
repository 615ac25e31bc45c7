#!/usr/bin/env bash
# The engine beside its peers in one sitting, one benchmark at a time (never two at once on a shared machine):
# the FMA peak, OpenBLAS sgemm (C, best core type), the unfused numpy layer (forward and backward, same OpenBLAS),
# oneDNN's fused matmul + bias + sigmoid, then Myelin's JMH
# ForwardBenchmark (blocked on 1 thread, parallel on 2) and BackwardBenchmark, all at the MLP shapes.
# Needs gcc, g++, libdnnl-dev, libopenblas0-pthread (the anchors' run.sh --install sets them up).
# Usage: docs/scripts/engine_vs_peers.sh [ANCHORS_DIR]      Results: stdout; JMH JSON in $OUT (default /tmp)
set -euo pipefail
mkdir -p "${OUT:-/tmp}"
out=$(cd "${OUT:-/tmp}" && pwd) # OUT and ANCHORS_DIR from the caller's folder, before the cd below
if [ $# -ge 1 ]; then anchors=$(cd "$1" && pwd); fi
cd "$(dirname "$0")/../.."
anchors=${anchors:-$(cd ../shared/anchors && pwd)}
bin=$(mktemp -d)
# the peak of the widest FMA the CPU has: an AVX-512 binary would stop with an illegal instruction on AVX2 (Zen 3)
if grep -qw avx512f /proc/cpuinfo; then isa=avx512; march=-mavx512f; else isa=avx2; march=-mavx2; fi
gcc -O2 "$march" -mfma -fopenmp "$anchors/peak/peak.c" -o "$bin/peak"
gcc -O2 "$anchors/openblas/cblas_sgemm_bench.c" -o "$bin/cblas_sgemm_bench" \
    -L/usr/lib/x86_64-linux-gnu/openblas-pthread -l:libopenblas.so.0 -Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-pthread
g++ -O2 -std=c++17 "$anchors/onednn/dnnl_fused_matmul.cpp" -o "$bin/dnnl_fused_matmul" -ldnnl
lscpu | grep -E '^Model name|^CPU\(s\)|^Flags' | cut -c1-120
ct=$("$anchors/openblas/best_coretype.sh")
if [ "$ct" = auto ]; then coretype=(-u OPENBLAS_CORETYPE); else coretype=("OPENBLAS_CORETYPE=$ct"); fi
echo "== FMA peak, $isa, 1 and 2 threads"; "$bin/peak" "$isa" 1 7; "$bin/peak" "$isa" 2 7
echo "== OpenBLAS cblas_sgemm, core type $ct, 1 thread"
env -u OPENBLAS_L2_SIZE "${coretype[@]}" OPENBLAS_NUM_THREADS=1 "$bin/cblas_sgemm_bench"
echo "== numpy layer (unfused sigmoid(X@W + b) and its backward), OpenBLAS core type $ct, 1 thread"
env -u OPENBLAS_L2_SIZE "${coretype[@]}" OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
    /usr/bin/python3 "$anchors/numpy_layer/bench_numpy_layer.py"
echo "== oneDNN fused matmul + bias + sigmoid, 1 thread"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 "$bin/dnnl_fused_matmul"
jmh=(-f 1 -wi 4 -w 2 -i 5 -r 1)
shapes=128x784x256,256x784x512,1024x784x256,1024x1024x1024,128x128x10
echo "== Myelin forward, blocked, 1 thread"
jmh/run ForwardBenchmark "${jmh[@]}" -p kernel=blocked -p shape=$shapes -prof gc -rf json -rff "$out/forward_blocked.json"
echo "== Myelin forward, parallel, 2 threads"
jmh/run ForwardBenchmark "${jmh[@]}" -p kernel=parallel -p threads=2 -p shape=$shapes -rf json -rff "$out/forward_parallel2.json"
echo "== Myelin backward (and forward + backward), blocked 1 thread and parallel 2 threads"
jmh/run BackwardBenchmark "${jmh[@]}" -p kernel=blocked,parallel -p threads=1,2 -p shape=128x784x256,256x784x512,128x128x10 \
    -rf json -rff "$out/backward.json"
rm -rf "$bin"
