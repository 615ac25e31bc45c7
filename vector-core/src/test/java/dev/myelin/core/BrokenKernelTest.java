package dev.myelin.core;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.myelin.core.scalar.ScalarKernel;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * The conformance bounds are tight enough to catch real bugs: kernels that are wrong by one term of a
 * reduction, by a relative 10⁻³ in a single element, or that drop the prior contents when asked to
 * accumulate, all fail the very checks the real variants pass.
 */
class BrokenKernelTest {

    enum Fault {
        /** Each reduction skips its last term: the k-th in forward, the m-th row in dW, the n-th in dX. */
        DROP_LAST_TERM,
        /** The largest-magnitude element of the main output is multiplied by 1 + 10⁻³. */
        PERTURB_ONE_ELEMENT,
        /** accumulate = true is treated as overwrite. */
        IGNORE_ACCUMULATE
    }

    /** Every dimension at least 2, so that there is a last term to drop. */
    static Stream<Arguments> cases() {
        List<Conformance.Case> shapes = List.of(
                new Conformance.Case(17, 33, 31, 7L, Mat.Layout.GUARDED),
                new Conformance.Case(100, 65, 64, 8L, Mat.Layout.TIGHT),
                new Conformance.Case(2, 3, 2, 9L, Mat.Layout.TIGHT));
        return shapes.stream().flatMap(c -> Stream.of(Fault.values()).map(f -> Arguments.of(f, c)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void theCheckerCatchesABrokenKernel(Fault fault, Conformance.Case c) {
        DenseKernel broken = new Broken(fault);
        switch (fault) {
            case DROP_LAST_TERM -> {
                for (Activation act : KernelConformanceTest.elementwise()) {
                    fails(() -> Conformance.forward(broken, c, act, true));
                }
                fails(() -> Conformance.weightGradient(broken, c, false));
                fails(() -> Conformance.inputGradient(broken, c));
            }
            case PERTURB_ONE_ELEMENT -> {
                for (Activation act : KernelConformanceTest.elementwise()) {
                    fails(() -> Conformance.forward(broken, c, act, true));
                    fails(() -> Conformance.activationBackward(broken, c, act, true, false));
                }
                fails(() -> Conformance.weightGradient(broken, c, true));
                fails(() -> Conformance.inputGradient(broken, c));
                fails(() -> Conformance.outputMinusTarget(broken, c, false));
                fails(() -> Conformance.softmaxCrossEntropyBackward(broken, c, false));
                fails(() -> Conformance.softmaxRows(broken, c));
            }
            case IGNORE_ACCUMULATE -> {
                fails(() -> Conformance.activationBackward(broken, c, Activation.TANH, true, true));
                fails(() -> Conformance.weightGradient(broken, c, true));
                fails(() -> Conformance.outputMinusTarget(broken, c, true));
                fails(() -> Conformance.softmaxCrossEntropyBackward(broken, c, true));
            }
        }
    }

    private static void fails(Executable check) {
        assertThrows(AssertionFailedError.class, check, "the checker accepted a broken kernel");
    }

    /** The scalar kernel with one {@link Fault}. */
    private static final class Broken implements DenseKernel {

        private final ScalarKernel ok = new ScalarKernel();
        private final Fault fault;

        Broken(Fault fault) {
            this.fault = fault;
        }

        @Override
        public String name() {
            return "broken-" + fault;
        }

        @Override
        public void forward(int m, int n, int k, float[] x, int xOff, int ldx, float[] w, int wOff, int ldw,
                            float[] b, int bOff, Activation act, float[] y, int yOff, int ldy) {
            int depth = fault == Fault.DROP_LAST_TERM ? k - 1 : k;
            ok.forward(m, n, depth, x, xOff, ldx, w, wOff, ldw, b, bOff, act, y, yOff, ldy);
            perturb(m, n, y, yOff, ldy);
        }

        @Override
        public void activationBackward(int m, int n, Activation act, float[] y, int yOff, int ldy, float[] dy,
                                       int dyOff, int lddy, float[] dz, int dzOff, int lddz, float[] db, int dbOff,
                                       boolean accumulate) {
            ok.activationBackward(m, n, act, y, yOff, ldy, dy, dyOff, lddy, dz, dzOff, lddz, db, dbOff,
                    accumulate && fault != Fault.IGNORE_ACCUMULATE);
            perturb(m, n, dz, dzOff, lddz);
        }

        @Override
        public void weightGradient(int m, int n, int k, float[] x, int xOff, int ldx, float[] dz, int dzOff,
                                   int lddz, float[] dw, int dwOff, int lddw, boolean accumulate) {
            int rows = fault == Fault.DROP_LAST_TERM ? m - 1 : m;
            ok.weightGradient(rows, n, k, x, xOff, ldx, dz, dzOff, lddz, dw, dwOff, lddw,
                    accumulate && fault != Fault.IGNORE_ACCUMULATE);
            perturb(k, n, dw, dwOff, lddw);
        }

        @Override
        public void inputGradient(int m, int n, int k, float[] dz, int dzOff, int lddz, float[] w, int wOff,
                                  int ldw, float[] dx, int dxOff, int lddx) {
            int cols = fault == Fault.DROP_LAST_TERM ? n - 1 : n;
            ok.inputGradient(m, cols, k, dz, dzOff, lddz, w, wOff, ldw, dx, dxOff, lddx);
            perturb(m, k, dx, dxOff, lddx);
        }

        @Override
        public void outputMinusTarget(int m, int n, float[] y, int yOff, int ldy, float[] t, int tOff, int ldt,
                                      float scale, float[] dz, int dzOff, int lddz, float[] db, int dbOff,
                                      boolean accumulate) {
            ok.outputMinusTarget(m, n, y, yOff, ldy, t, tOff, ldt, scale, dz, dzOff, lddz, db, dbOff,
                    accumulate && fault != Fault.IGNORE_ACCUMULATE);
            perturb(m, n, dz, dzOff, lddz);
        }

        @Override
        public void softmaxRows(int m, int n, float[] z, int zOff, int ldz) {
            ok.softmaxRows(m, n, z, zOff, ldz);
            perturb(m, n, z, zOff, ldz);
        }

        @Override
        public void softmaxCrossEntropyBackward(int m, int n, float[] p, int pOff, int ldp, int[] labels,
                                                int labelsOff, float scale, float[] dz, int dzOff, int lddz,
                                                float[] db, int dbOff, boolean accumulate) {
            ok.softmaxCrossEntropyBackward(m, n, p, pOff, ldp, labels, labelsOff, scale, dz, dzOff, lddz, db, dbOff,
                    accumulate && fault != Fault.IGNORE_ACCUMULATE);
            perturb(m, n, dz, dzOff, lddz);
        }

        /** With PERTURB_ONE_ELEMENT: the largest |value| in the view times 1 + 10⁻³. */
        private void perturb(int rows, int cols, float[] a, int off, int ld) {
            if (fault != Fault.PERTURB_ONE_ELEMENT) {
                return;
            }
            int at = off;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    if (Math.abs(a[off + i * ld + j]) > Math.abs(a[at])) {
                        at = off + i * ld + j;
                    }
                }
            }
            a[at] *= 1 + 1e-3f;
        }
    }
}
