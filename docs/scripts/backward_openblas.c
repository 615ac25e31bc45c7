/*
 * docs/scripts/backward_openblas.c: OpenBLAS sgemm with the transposes of a dense layer's backward on 1 thread,
 * dW = X^T dZ (TN) and dX = dZ W^T (NT), row-major as Myelin's DenseKernel takes them: the peer figures beside
 * ProductBenchmark's weightGradient and inputGradient (docs/kernels.md). The anchors time only the forward's NN.
 *
 * Build: gcc -O2 docs/scripts/backward_openblas.c -o /tmp/backward_openblas
 *            -L/usr/lib/x86_64-linux-gnu/openblas-pthread -l:libopenblas.so.0
 *            -Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-pthread
 * Run:   OPENBLAS_CORETYPE=<the best of ../shared/anchors/openblas/best_coretype.sh> OPENBLAS_NUM_THREADS=1
 *            /tmp/backward_openblas [MxKxN ...]      (batch m, inputs k, outputs n; default 128x128x10)
 * Prints, per shape, the median and range of 11 rounds, each of about 0.1 s of calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void shape(int m, int k, int n) {
    enum { ROUNDS = 11 };
    float *x = malloc(sizeof(float) * m * k), *dz = malloc(sizeof(float) * m * n), *w = malloc(sizeof(float) * k * n);
    float *dw = malloc(sizeof(float) * k * n), *dx = malloc(sizeof(float) * m * k);
    double tw[ROUNDS], tx[ROUNDS];
    int reps = (int)(0.1 / (2.0 * m * k * n / 100e9)) + 1; /* about 0.1 s a round at 100 GFLOP/s */
    fill(x, m * k);
    fill(dz, m * n);
    fill(w, k * n);
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now();
        for (int i = 0; i < reps; i++) { /* dW[k x n] = X^T dZ */
            cblas_sgemm(ROW_MAJOR, TRANS, NO_TRANS, k, n, m, 1, x, k, dz, n, 0, dw, n);
        }
        double t1 = now();
        for (int i = 0; i < reps; i++) { /* dX[m x k] = dZ W^T */
            cblas_sgemm(ROW_MAJOR, NO_TRANS, TRANS, m, k, n, 1, dz, n, w, n, 0, dx, k);
        }
        double t2 = now();
        tw[r] = (t1 - t0) / reps * 1e6;
        tx[r] = (t2 - t1) / reps * 1e6;
    }
    qsort(tw, ROUNDS, sizeof(double), by_value);
    qsort(tx, ROUNDS, sizeof(double), by_value);
    printf("OpenBLAS %dx%dx%d, 1 thread: dW = X^T dZ median %.2f us [%.2f..%.2f]; dX = dZ W^T median %.2f us "
           "[%.2f..%.2f]\n", m, k, n, tw[ROUNDS / 2], tw[0], tw[ROUNDS - 1], tx[ROUNDS / 2], tx[0], tx[ROUNDS - 1]);
    free(x); free(dz); free(w); free(dw); free(dx);
}

int main(int argc, char **argv) {
    if (argc == 1) {
        shape(128, 128, 10);
    }
    for (int i = 1; i < argc; i++) {
        int m, k, n;
        if (sscanf(argv[i], "%dx%dx%d", &m, &k, &n) != 3 || m < 1 || k < 1 || n < 1) {
            fprintf(stderr, "%s: not MxKxN (batch, inputs, outputs), e.g. 128x784x256\n", argv[i]);
            return 2;
        }
        shape(m, k, n);
    }
    return 0;
}
