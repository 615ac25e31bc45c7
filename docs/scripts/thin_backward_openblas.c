/*
 * docs/scripts/thin_backward_openblas.c: OpenBLAS sgemm with the transposes of a thin layer's backward at
 * 128x128x10 on 1 thread, dW = X^T dZ and dX = dZ W^T (row-major, as Myelin's DenseKernel takes them): the peer
 * figures beside ProductBenchmark's weightGradient and inputGradient at that shape (docs/kernels.md).
 *
 * Build: gcc -O2 docs/scripts/thin_backward_openblas.c -o /tmp/thin_backward_openblas
 *            -L/usr/lib/x86_64-linux-gnu/openblas-pthread -l:libopenblas.so.0
 *            -Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-pthread
 * Run:   OPENBLAS_CORETYPE=<the best of ../shared/anchors/openblas/best_coretype.sh> OPENBLAS_NUM_THREADS=1
 *            /tmp/thin_backward_openblas
 * Prints the median and range of 11 rounds of 20 000 calls each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 }; /* CBLAS's values: no cblas.h needed */
extern void cblas_sgemm(int order, int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                        const float *b, int ldb, float beta, float *c, int ldc);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void fill(float *a, int size) {
    for (int i = 0; i < size; i++) {
        a[i] = rand() / (float)RAND_MAX - 0.5f;
    }
}

int main(void) {
    enum { M = 128, K = 128, N = 10, REPS = 20000, ROUNDS = 11 }; /* batch m, inputs k, outputs n */
    static float x[M * K], dz[M * N], w[K * N], dw[K * N], dx[M * K];
    double tw[ROUNDS], tx[ROUNDS];
    fill(x, M * K);
    fill(dz, M * N);
    fill(w, K * N);
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now();
        for (int i = 0; i < REPS; i++) { /* dW[k x n] = X^T dZ */
            cblas_sgemm(ROW_MAJOR, TRANS, NO_TRANS, K, N, M, 1, x, K, dz, N, 0, dw, N);
        }
        double t1 = now();
        for (int i = 0; i < REPS; i++) { /* dX[m x k] = dZ W^T */
            cblas_sgemm(ROW_MAJOR, NO_TRANS, TRANS, M, K, N, 1, dz, N, w, N, 0, dx, K);
        }
        double t2 = now();
        tw[r] = (t1 - t0) / REPS * 1e6;
        tx[r] = (t2 - t1) / REPS * 1e6;
    }
    qsort(tw, ROUNDS, sizeof(double), by_value);
    qsort(tx, ROUNDS, sizeof(double), by_value);
    printf("OpenBLAS %dx%dx%d, 1 thread: dW = X^T dZ median %.2f us [%.2f..%.2f]; dX = dZ W^T median %.2f us "
           "[%.2f..%.2f]\n", M, K, N, tw[ROUNDS / 2], tw[0], tw[ROUNDS - 1], tx[ROUNDS / 2], tx[0], tx[ROUNDS - 1]);
    return 0;
}
