package dev.myelin.core.simd;

import static dev.myelin.core.simd.BlockSizes.KC;
import static dev.myelin.core.simd.BlockSizes.MR;
import static dev.myelin.core.simd.BlockSizes.NC;
import static dev.myelin.core.simd.ExpConstants.EXP_C3;
import static dev.myelin.core.simd.ExpConstants.EXP_C4;
import static dev.myelin.core.simd.ExpConstants.EXP_C5;
import static dev.myelin.core.simd.ExpConstants.EXP_C6;
import static dev.myelin.core.simd.ExpConstants.EXP_C7;
import static dev.myelin.core.simd.ExpConstants.EXP_MAX;
import static dev.myelin.core.simd.ExpConstants.EXP_MIN;
import static dev.myelin.core.simd.ExpConstants.LN2_HI;
import static dev.myelin.core.simd.ExpConstants.LN2_LO;
import static dev.myelin.core.simd.ExpConstants.LOG2E;
import static dev.myelin.core.simd.ExpConstants.ROUNDER;
import static dev.myelin.core.simd.ExpConstants.TANH_C11;
import static dev.myelin.core.simd.ExpConstants.TANH_C13;
import static dev.myelin.core.simd.ExpConstants.TANH_C15;
import static dev.myelin.core.simd.ExpConstants.TANH_C3;
import static dev.myelin.core.simd.ExpConstants.TANH_C5;
import static dev.myelin.core.simd.ExpConstants.TANH_C7;
import static dev.myelin.core.simd.ExpConstants.TANH_C9;
import static dev.myelin.core.simd.ExpConstants.TANH_POLY_MAX;
import static jdk.incubator.vector.VectorOperators.FMA;

import dev.myelin.core.Activation;
import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The packed, cache-blocked GEMM with the fused epilogue, for one vector width (one hidden copy per width,
 * made by {@link HiddenCopies}, as for {@link FloatKernels}: the species must be a {@code static final}).
 *
 * <p>The algorithm, outermost first (block sizes in {@link BlockSizes}):
 * <ol>
 * <li><b>Column blocks</b> of {@code NC} columns of B and C.</li>
 * <li><b>k blocks</b> of {@code KC}: B's {@code KC×NC} block is packed into NR-column panels
 *     ({@link #packB}), zero-padded at the right edge. A last panel of at most L columns is packed L wide and
 *     served by the narrow micro-kernel.</li>
 * <li><b>A in place</b>, one MR-row tile at a time (rows outside, B panels inside): the tile's MR × kc
 *     values stay in L1 while every B panel of the block passes, so A needs no copy whether it is row-major
 *     (MR sequential row streams) or transposed (kc cache lines, each holding the tile's MR columns). Packing
 *     A was slower in timings during development (docs/kernels.md). Only the last, partial MR rows are copied ({@link #packA}), zero-padded.</li>
 * <li><b>Micro-kernel</b> per {@code MR×NR} tile ({@link #kernel6x2}, {@link #kernel6x1}; a narrow last panel
 *     takes two full MR tiles of rows at once, {@link #kernel12x1}, for 12 FMA chains instead of 6): rank-1
 *     updates into register accumulators, then the <b>epilogue</b> on the registers and one store. The first k block
 *     scales by alpha and adds {@code beta·C} (reading C only when {@code beta ≠ 0}); later blocks add the
 *     partial sum stored in C; only the last one adds the bias and applies the activation.</li>
 * </ol>
 * Tiles that stick out of C (the last rows or columns; a narrow pair, 2·MR × L, fills the MR × NR staging
 * tile exactly as NR = 2L) are computed whole into a staging tile from the
 * zero-padded panels and only their valid part is copied to C, so nothing outside the view is touched and
 * the arithmetic of every element is the same as in a full tile.
 *
 * <p>Rules kept for C2 (see FloatKernels and VECTOR-API-NOTES): vectors never cross a method boundary; the
 * activations are written out in each micro-kernel; no lambdas or nested classes (they would belong to the
 * original class, not to its copies). The exp/sigmoid/tanh recipe and its error bounds are FloatKernels'.
 */
final class PackedGemm implements GemmEngine {

    private static final VectorSpecies<Float> F = HiddenCopies.floatSpecies(MethodHandles.lookup());
    private static final int L = F.length();
    /** Columns of the register tile. */
    private static final int NR = BlockSizes.NR_VECTORS * L;

    /**
     * With at most this many rows, a row-major B is read in place instead of packed: each of its elements
     * then serves at most two register tiles, and the copy would cost as much as the arithmetic it feeds.
     */
    private static final int IN_PLACE_B_MAX_ROWS = 2 * MR;

    /** Each thread's buffers for this width; made on a thread's first call, reused after. */
    private static final ThreadLocal<GemmWorkspace> WORKSPACES = new ThreadLocal<>();

    PackedGemm() {
    }

    @Override
    public int lanes() {
        return L;
    }

    @Override
    public int tileColumns() {
        return NR;
    }

    private static GemmWorkspace workspace() {
        GemmWorkspace ws = WORKSPACES.get();
        if (ws == null) {
            ws = new GemmWorkspace(MR, NR);
            WORKSPACES.set(ws);
        }
        return ws;
    }

    /**
     * The row stride of a narrow panel of {@code cols ≤ L} columns: L, except for a partial one, packed compactly
     * with row stride cols (its row q read as L lanes, the lanes past cols holding the next rows' values: they
     * reach only the tile's lanes past cols, which are never stored).
     */
    private static int narrowStride(int cols) {
        return cols < L ? cols : L;
    }

    /** The width a B panel is packed at: NR, or L for a last panel of at most L columns. */
    private static int panelWidth(int cols) {
        return cols <= L ? L : NR;
    }

    @Override
    public void gemm(int m, int n, int k, float alpha, float[] a, int aOff, int ars, int acs,
                     float[] b, int bOff, int brs, int bcs, float beta, float[] c, int cOff, int ldc,
                     float[] bias, int biasOff, Activation act) {
        if (m == 0 || n == 0) {
            return;
        }
        if (n < L && m >= NR && ars == 1 && bias == null && act == Activation.IDENTITY) {
            // A thin C whose A is read transposed (the weight gradient of a thin layer, dW = Xᵀ·dZ, n = 10):
            // computed as Cᵀ = Bᵀ·Aᵀ, so the vectors run along C's m rows (A's contiguous columns, read in
            // place as rows of a B) and the n columns are tile rows (6 + 4 for n = 10: 10 of 12 rows used
            // instead of 10 of 16 lanes, 12 FMA chains, half the broadcasts per FMA). Cᵀ is written through
            // the staging tile, transposed. Every element is the same sum of the same products in the same
            // order (A(i,p)·B(p,j) = B(p,j)·A(i,p) exactly), with the same alpha and beta·C: the same bits.
            // No bias or activation here: the epilogue would need them along tile rows.
            run(n, m, k, alpha, b, bOff, bcs, brs, a, aOff, acs, ars, beta, c, cOff, 1, ldc, null, 0,
                    Activation.IDENTITY);
            return;
        }
        run(m, n, k, alpha, a, aOff, ars, acs, b, bOff, brs, bcs, beta, c, cOff, ldc, 1, bias, biasOff, act);
    }

    /** {@link #gemm} with C at {@code c[cOff + i·crs + j·ccs]}: row-major ({@code ccs = 1}) or transposed. */
    private static void run(int m, int n, int k, float alpha, float[] a, int aOff, int ars, int acs,
                            float[] b, int bOff, int brs, int bcs, float beta, float[] c, int cOff, int crs,
                            int ccs, float[] bias, int biasOff, Activation act) {
        GemmWorkspace ws = workspace();
        // Few rows: each element of B is used by at most a few tiles, so copying it costs as much as the
        // product; a row-major B is then read in place (only a partial last panel is copied).
        boolean packB = bcs != 1 || m > IN_PLACE_B_MAX_ROWS;
        // k in equal blocks of at most KC (784 = 4 × 196, not 3 × 256 + 16): no thin last block whose C
        // traffic outweighs its arithmetic. Depends on k alone, so every slice of C splits k the same way.
        int kBlock = ceilDiv(k, Math.max(1, ceilDiv(k, KC))); // 0 when k = 0: one pass, epilogue only
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int pc = 0;
            do { // at least once: k = 0 still runs the epilogue (C = act(beta·C + bias))
                int kc = Math.min(kBlock, k - pc);
                boolean first = pc == 0;
                boolean last = pc + kc == k;
                int bBlock = bOff + pc * brs + jc * bcs;
                float[] pb = null;
                if (packB) {
                    pb = ws.packedB(kc * roundUp(nc, NR));
                    packB(kc, nc, b, bBlock, brs, bcs, pb, ws.gather);
                }
                macroKernel(m, nc, kc, a, aOff + pc * acs, ars, acs, pb, b, bBlock, brs,
                        alpha, first ? beta : 1f, !first || beta != 0f,
                        last ? bias : null, biasOff + jc, last ? act : Activation.IDENTITY,
                        c, cOff + jc * ccs, crs, ccs, ws);
                pc += kc;
            } while (pc < k);
        }
    }

    /**
     * One {@code mc×nc} block of C against one k block: every A panel (6 rows × kc, kept in L1 while it is
     * used) against every B panel (streamed from the packed block in L2), each tile through the micro-kernel,
     * edge tiles through the workspace's staging tile. {@code pb} is the packed B block, or null when B is
     * read in place ({@code b} from {@code bBlock}, row stride {@code brs}). Rows outside, panels inside:
     * faster than the other order in timings during development, and a partial last A panel is copied
     * once per block instead of once per B panel. C is at {@code c[cBlock + i·ldc + j·ccs]}. A narrow last
     * panel is left to {@link #narrowTile}, so that the loop over the wide panels stays as short as it was
     * (with a depth of 10, as in the input gradient of a 10-output layer, its per-tile work counts).
     */
    private static void macroKernel(int mc, int nc, int kc, float[] a, int aBlock, int ars, int acs,
                                    float[] pb, float[] b, int bBlock, int brs,
                                    float alpha, float beta, boolean loadC,
                                    float[] bias, int biasOff, Activation act,
                                    float[] c, int cBlock, int ldc, int ccs, GemmWorkspace ws) {
        boolean narrowLast = nc - (nc - 1) / NR * NR <= L;
        int wideEnd = narrowLast ? (nc - 1) / NR * NR : nc; // the wide panels: full, or a last partial one
        // The narrow panel is computed two full MR tiles at a time (kernel12x1) on these rows.
        int pairedRows = narrowLast ? mc / (2 * MR) * (2 * MR) : 0;
        // When C is only written (no beta·C, first k block), the rows left after the pairs (fewer than 2·MR)
        // take one more pair, ending at the last row and overlapping the one before: the overlapped elements
        // are computed again by the same operations from the same operands and stored again with the same
        // bits, which is cheaper than a 6-row tile, a copied edge of A and a staged 6-row tile.
        boolean overlapLast = narrowLast && !loadC && pairedRows > 0 && pairedRows < mc;
        for (int i = 0; i < mc; i += MR) {
            int rows = Math.min(MR, mc - i);
            float[] pa;
            int a0, rs, cs;
            if (rows == MR || overlapLast && wideEnd == 0) { // full, or only the overlapping pair reads them
                pa = a;
                a0 = aBlock + i * ars;
                rs = ars;
                cs = acs;
            } else { // the last rows of an in-place A: copied, zero-padded to MR rows
                pa = ws.edgeA(MR * kc);
                packA(rows, kc, a, aBlock + i * ars, ars, acs, pa);
                a0 = 0;
                rs = 1;
                cs = MR;
            }
            for (int j = 0; j < wideEnd; j += NR) {
                int cols = Math.min(NR, nc - j);
                float[] bp;
                int b0, ldb;
                if (pb != null) {
                    bp = pb;
                    b0 = j * kc;
                    ldb = NR;
                } else if (cols == NR) { // B in place: a full panel is read straight from B's rows
                    bp = b;
                    b0 = bBlock + j;
                    ldb = brs;
                } else { // B in place: the partial last panel is copied, zero-padded
                    bp = ws.packedB(kc * NR);
                    packB(kc, cols, b, bBlock + j, brs, 1, bp, ws.gather);
                    b0 = 0;
                    ldb = NR;
                }
                float[] biasArr = bias;
                int bias0 = biasOff + j;
                if (bias != null && cols < NR) { // the bias of a partial panel, zero-padded to the panel
                    System.arraycopy(bias, bias0, ws.edgeBias, 0, cols);
                    java.util.Arrays.fill(ws.edgeBias, cols, NR, 0f);
                    biasArr = ws.edgeBias;
                    bias0 = 0;
                }
                int c0 = cBlock + i * ldc + j * ccs;
                if (rows == MR && cols == NR && ccs == 1) {
                    kernel6x2(kc, pa, a0, rs, cs, bp, b0, ldb, alpha, beta, loadC, biasArr, bias0, act, c, c0, ldc);
                } else { // an edge tile: computed whole in the staging tile, its valid part copied
                    float[] tile = ws.tile;
                    if (loadC) {
                        stage(c, c0, ldc, ccs, rows, cols, tile, NR, true);
                    }
                    kernel6x2(kc, pa, a0, rs, cs, bp, b0, ldb, alpha, beta, loadC, biasArr, bias0, act, tile, 0,
                            NR);
                    stage(c, c0, ldc, ccs, rows, cols, tile, NR, false);
                }
            }
            if (narrowLast) {
                narrowTile(i, rows, mc, wideEnd, nc - wideEnd, kc, pa, a0, rs, cs, a, aBlock, ars, acs, pb, b,
                        bBlock, brs, alpha, beta, loadC, bias, biasOff, act, c, cBlock, ldc, ccs, pairedRows,
                        overlapLast, ws);
            }
        }
    }

    /**
     * The narrow last panel (columns {@code j .. j + cols − 1}, {@code cols ≤ L}) for the row tile at {@code i}:
     * on the paired rows, the second tile of each pair computes both ({@link #kernel12x1}) and the first
     * nothing; the rows left take the overlapping pair when {@code overlapLast}, else {@link #kernel6x1} per
     * tile. A (tile) is {@code pa, a0, rs, cs} as macroKernel set it, or A in place for a pair.
     */
    private static void narrowTile(int i, int rows, int mc, int j, int cols, int kc, float[] pa, int a0, int rs,
                                   int cs, float[] a, int aBlock, int ars, int acs, float[] pb, float[] b,
                                   int bBlock, int brs, float alpha, float beta, boolean loadC, float[] bias,
                                   int biasOff, Activation act, float[] c, int cBlock, int ldc, int ccs,
                                   int pairedRows, boolean overlapLast, GemmWorkspace ws) {
        boolean pair = i < pairedRows;
        boolean lastPair = overlapLast && i >= pairedRows;
        if (pair && i % (2 * MR) == 0 || lastPair && i + MR < mc) {
            return; // the first MR tile of a pair (or of the rows the last pair covers): done with the last
        }
        float[] bp;
        int b0, ldb;
        if (pb != null) {
            bp = pb;
            b0 = j * kc;
            ldb = narrowStride(cols);
        } else if (cols == L) { // B in place: a full panel is read straight from B's rows
            bp = b;
            b0 = bBlock + j;
            ldb = brs;
        } else { // B in place: the partial panel is copied (packB's layout)
            bp = ws.packedB(kc * L);
            packB(kc, cols, b, bBlock + j, brs, 1, bp, ws.gather);
            b0 = 0;
            ldb = narrowStride(cols);
        }
        float[] biasArr = bias;
        int bias0 = biasOff + j;
        if (bias != null && cols < L) { // the bias of a partial panel, zero-padded to the panel
            System.arraycopy(bias, bias0, ws.edgeBias, 0, cols);
            java.util.Arrays.fill(ws.edgeBias, cols, NR, 0f);
            biasArr = ws.edgeBias;
            bias0 = 0;
        }
        if (pair || lastPair) { // 2·MR rows from `top`, A in place
            int top = pair ? i - MR : mc - 2 * MR;
            int p0 = aBlock + top * ars;
            int pc0 = cBlock + top * ldc + j * ccs;
            if (cols == L && ccs == 1) {
                kernel12x1(kc, a, p0, ars, acs, bp, b0, ldb, alpha, beta, loadC, biasArr, bias0, act, c, pc0, ldc);
            } else { // a partial panel: staged with row stride cols, so that C's rows, when contiguous
                // (ldc = cols), move in one copy. kernel12x1 stores its rows in order, L lanes each: the pad
                // lanes of row r land on row r + 1, which is stored after it. (2·MR − 1)·cols + L floats:
                // inside the MR × 2L staging tile.
                float[] tile = ws.tile;
                boolean contiguous = ccs == 1 && ldc == cols;
                if (loadC) {
                    if (contiguous) {
                        System.arraycopy(c, pc0, tile, 0, 2 * MR * cols);
                    } else {
                        stage(c, pc0, ldc, ccs, 2 * MR, cols, tile, cols, true);
                    }
                }
                kernel12x1(kc, a, p0, ars, acs, bp, b0, ldb, alpha, beta, loadC, biasArr, bias0, act, tile, 0,
                        cols);
                if (contiguous) {
                    System.arraycopy(tile, 0, c, pc0, 2 * MR * cols);
                } else {
                    stage(c, pc0, ldc, ccs, 2 * MR, cols, tile, cols, false);
                }
            }
            return;
        }
        int c0 = cBlock + i * ldc + j * ccs;
        if (rows == MR && cols == L && ccs == 1) {
            kernel6x1(kc, pa, a0, rs, cs, bp, b0, ldb, alpha, beta, loadC, biasArr, bias0, act, c, c0, ldc);
        } else { // an edge tile: computed whole in the staging tile, its valid part copied
            float[] tile = ws.tile;
            if (loadC) {
                stage(c, c0, ldc, ccs, rows, cols, tile, NR, true);
            }
            kernel6x1(kc, pa, a0, rs, cs, bp, b0, ldb, alpha, beta, loadC, biasArr, bias0, act, tile, 0, NR);
            stage(c, c0, ldc, ccs, rows, cols, tile, NR, false);
        }
    }

    /**
     * Copies {@code rows × cols} between C at {@code c0} (row stride {@code crs}, column stride {@code ccs}) and
     * the staging tile (row stride {@code ts}): into the tile when {@code in}, else out of it.
     */
    private static void stage(float[] c, int c0, int crs, int ccs, int rows, int cols, float[] tile, int ts,
                              boolean in) {
        for (int r = 0; r < rows; r++) {
            int cr = c0 + r * crs;
            if (ccs == 1) {
                if (in) {
                    System.arraycopy(c, cr, tile, r * ts, cols);
                } else {
                    System.arraycopy(tile, r * ts, c, cr, cols);
                }
            } else if (in) {
                for (int t = 0; t < cols; t++) {
                    tile[r * ts + t] = c[cr + t * ccs];
                }
            } else {
                for (int t = 0; t < cols; t++) {
                    c[cr + t * ccs] = tile[r * ts + t];
                }
            }
        }
    }

    /**
     * Packs {@code rows} rows × {@code kc} of A into MR-row panels: panel p, column q, row r at
     * {@code p·MR·kc + q·MR + r}; the rows past {@code rows} in the last panel are zeros.
     */
    private static void packA(int rows, int kc, float[] a, int a0, int ars, int acs, float[] pa) {
        for (int p = 0; p < rows; p += MR) {
            int pr = Math.min(MR, rows - p);
            int dst = p * kc;
            int src = a0 + p * ars;
            for (int q = 0; q < kc; q++, dst += MR) {
                int s = src + q * acs;
                for (int r = 0; r < pr; r++) {
                    pa[dst + r] = a[s + r * ars];
                }
                for (int r = pr; r < MR; r++) {
                    pa[dst + r] = 0f;
                }
            }
        }
    }

    /**
     * Packs {@code kc × nc} of B into panels of {@link #panelWidth} columns: the panel starting at column j,
     * row q, column t at {@code j·kc + q·width + t}; columns past {@code nc} are zeros, except in a partial
     * narrow panel, packed compactly at {@code j·kc + q·cols + t} and followed by L − cols zeros
     * ({@link #narrowStride}). Rows of a row-major B
     * are copied a vector at a time; columns of a transposed B (B(q, j) = b[j·bcs + q]) are gathered with
     * one index vector {@code t·bcs}.
     */
    private static void packB(int kc, int nc, float[] b, int b0, int brs, int bcs, float[] pb, int[] gather) {
        for (int j = 0; j < nc; j += NR) {
            int cols = Math.min(NR, nc - j);
            int width = panelWidth(cols);
            int dst = j * kc;
            int src = b0 + j * bcs;
            if (cols == width && bcs == 1) {
                if (width == NR) {
                    for (int q = 0; q < kc; q++, dst += NR) {
                        int s = src + q * brs;
                        FloatVector.fromArray(F, b, s).intoArray(pb, dst);
                        FloatVector.fromArray(F, b, s + L).intoArray(pb, dst + L);
                    }
                } else {
                    for (int q = 0; q < kc; q++, dst += L) {
                        FloatVector.fromArray(F, b, src + q * brs).intoArray(pb, dst);
                    }
                }
            } else if (cols == width && brs == 1) {
                for (int t = 0; t < width; t++) {
                    gather[t] = t * bcs;
                }
                if (width == NR) {
                    for (int q = 0; q < kc; q++, dst += NR) {
                        FloatVector.fromArray(F, b, src + q, gather, 0).intoArray(pb, dst);
                        FloatVector.fromArray(F, b, src + q + L * bcs, gather, 0).intoArray(pb, dst + L);
                    }
                } else {
                    for (int q = 0; q < kc; q++, dst += L) {
                        FloatVector.fromArray(F, b, src + q, gather, 0).intoArray(pb, dst);
                    }
                }
            } else if (width == L) { // a partial narrow panel: compact (a scalar method: packB stays small for C2)
                packNarrow(kc, cols, b, src, brs, bcs, pb, dst);
            } else { // a partial panel: element by element, zero-padded (a masked copy here was slightly faster
                // at 128×128×10 but left this method in C1's boxing code in some JVM runs: no masks)
                for (int q = 0; q < kc; q++, dst += width) {
                    int s = src + q * brs;
                    for (int t = 0; t < cols; t++) {
                        pb[dst + t] = b[s + t * bcs];
                    }
                    for (int t = cols; t < width; t++) {
                        pb[dst + t] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs a partial narrow panel ({@code cols < L} columns, kc rows) compactly: row q, column t at
     * {@code dst + q·cols + t}, then L − cols zeros, so that reading row q as L lanes stays inside the panel
     * ({@link #narrowStride}). No vectors: it is copies only, and keeps them out of {@link #packB}.
     */
    private static void packNarrow(int kc, int cols, float[] b, int src, int brs, int bcs, float[] pb, int dst) {
        if (kc == 0) { // no product term (k = 0 or alpha = 0): the panel is not read, and the buffer may be empty
            return;
        }
        if (bcs == 1 && brs == cols) { // B's rows are contiguous: one copy 
            System.arraycopy(b, src, pb, dst, kc * cols);
        } else if (bcs == 1) {
            for (int q = 0; q < kc; q++) {
                System.arraycopy(b, src + q * brs, pb, dst + q * cols, cols);
            }
        } else {
            for (int q = 0; q < kc; q++) {
                int s = src + q * brs;
                int d = dst + q * cols;
                for (int t = 0; t < cols; t++) {
                    pb[d + t] = b[s + t * bcs];
                }
            }
        }
        java.util.Arrays.fill(pb, dst + kc * cols, dst + kc * cols + L - cols, 0f);
    }

    private static int ceilDiv(int value, int unit) {
        return (value + unit - 1) / unit;
    }

    private static int roundUp(int value, int unit) {
        return (value + unit - 1) / unit * unit;
    }

    /**
     * The micro-kernel: the 6 × 2L tile of C at {@code c0} as {@code kc} rank-1 updates (6 broadcasts of A's
     * column q times the 2 vectors of B's packed row q: 12 FMAs into 12 accumulators), then the epilogue on
     * the registers and the tile's one store. {@code A(r, q) = a[a0 + r·ars + q·acs]}: a packed panel
     * (ars 1, acs MR) or A in place; {@code B(q, ·) = b[b0 + q·NR ..]}, a packed panel.
     */
    private static void kernel6x2(int kc, float[] a, int a0, int ars, int acs, float[] b, int b0,
                                int ldb, float alpha, float beta, boolean loadC, float[] bias, int bias0,
                                Activation act, float[] c, int c0, int ldc) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        int a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars, a4 = a3 + ars, a5 = a4 + ars;
        for (int q = 0, bq = b0, aq = 0; q < kc; q++, bq += ldb, aq += acs) {
            FloatVector b0v = FloatVector.fromArray(F, b, bq);
            FloatVector b1v = FloatVector.fromArray(F, b, bq + L);
            FloatVector a0v = FloatVector.broadcast(F, a[a0 + aq]);
            c00 = a0v.fma(b0v, c00);
            c01 = a0v.fma(b1v, c01);
            FloatVector a1v = FloatVector.broadcast(F, a[a1 + aq]);
            c10 = a1v.fma(b0v, c10);
            c11 = a1v.fma(b1v, c11);
            FloatVector a2v = FloatVector.broadcast(F, a[a2 + aq]);
            c20 = a2v.fma(b0v, c20);
            c21 = a2v.fma(b1v, c21);
            FloatVector a3v = FloatVector.broadcast(F, a[a3 + aq]);
            c30 = a3v.fma(b0v, c30);
            c31 = a3v.fma(b1v, c31);
            FloatVector a4v = FloatVector.broadcast(F, a[a4 + aq]);
            c40 = a4v.fma(b0v, c40);
            c41 = a4v.fma(b1v, c41);
            FloatVector a5v = FloatVector.broadcast(F, a[a5 + aq]);
            c50 = a5v.fma(b0v, c50);
            c51 = a5v.fma(b1v, c51);
        }
        // epilogue on the registers: z = alpha·acc (+ beta·C) (+ bias), activation, one store
        FloatVector al = FloatVector.broadcast(F, alpha);
        c00 = c00.mul(al); c01 = c01.mul(al);
        c10 = c10.mul(al); c11 = c11.mul(al);
        c20 = c20.mul(al); c21 = c21.mul(al);
        c30 = c30.mul(al); c31 = c31.mul(al);
        c40 = c40.mul(al); c41 = c41.mul(al);
        c50 = c50.mul(al); c51 = c51.mul(al);
        if (loadC) { // the only case that reads C: beta != 0, or a later k block
            FloatVector be = FloatVector.broadcast(F, beta);
            c00 = FloatVector.fromArray(F, c, c0 + 0 * ldc).fma(be, c00); c01 = FloatVector.fromArray(F, c, c0 + 0 * ldc + L).fma(be, c01);
            c10 = FloatVector.fromArray(F, c, c0 + 1 * ldc).fma(be, c10); c11 = FloatVector.fromArray(F, c, c0 + 1 * ldc + L).fma(be, c11);
            c20 = FloatVector.fromArray(F, c, c0 + 2 * ldc).fma(be, c20); c21 = FloatVector.fromArray(F, c, c0 + 2 * ldc + L).fma(be, c21);
            c30 = FloatVector.fromArray(F, c, c0 + 3 * ldc).fma(be, c30); c31 = FloatVector.fromArray(F, c, c0 + 3 * ldc + L).fma(be, c31);
            c40 = FloatVector.fromArray(F, c, c0 + 4 * ldc).fma(be, c40); c41 = FloatVector.fromArray(F, c, c0 + 4 * ldc + L).fma(be, c41);
            c50 = FloatVector.fromArray(F, c, c0 + 5 * ldc).fma(be, c50); c51 = FloatVector.fromArray(F, c, c0 + 5 * ldc + L).fma(be, c51);
        }
        if (bias != null) {
            FloatVector bias0v = FloatVector.fromArray(F, bias, bias0);
            FloatVector bias1v = FloatVector.fromArray(F, bias, bias0 + L);
            c00 = c00.add(bias0v); c01 = c01.add(bias1v);
            c10 = c10.add(bias0v); c11 = c11.add(bias1v);
            c20 = c20.add(bias0v); c21 = c21.add(bias1v);
            c30 = c30.add(bias0v); c31 = c31.add(bias1v);
            c40 = c40.add(bias0v); c41 = c41.add(bias1v);
            c50 = c50.add(bias0v); c51 = c51.add(bias1v);
        }
        if (act == Activation.RELU) { // max(z, 0) keeps NaN, like Math.max
            c00 = c00.max(0f); c01 = c01.max(0f);
            c10 = c10.max(0f); c11 = c11.max(0f);
            c20 = c20.max(0f); c21 = c21.max(0f);
            c30 = c30.max(0f); c31 = c31.max(0f);
            c40 = c40.max(0f); c41 = c41.max(0f);
            c50 = c50.max(0f); c51 = c51.max(0f);
        }
        if (act == Activation.SIGMOID) { // 6 steps of two independent vectors, each stored at once
            for (int i = 0; i < 6; i++) {
                FloatVector z0 = i == 0 ? c00 : i == 1 ? c10 : i == 2 ? c20 : i == 3 ? c30 : i == 4 ? c40 : c50;
                FloatVector z1 = i == 0 ? c01 : i == 1 ? c11 : i == 2 ? c21 : i == 3 ? c31 : i == 4 ? c41 : c51;
                FloatVector y0, y1;
                { // y0 = sigmoid(z0) = 1 / (1 + exp(-z0)), exp as in FloatKernels
                    FloatVector x = z0.neg().max(EXP_MIN).min(EXP_MAX);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    y0 = FloatVector.broadcast(F, 1f).div(e.add(1f));
                }
                { // y1 = sigmoid(z1) = 1 / (1 + exp(-z1)), exp as in FloatKernels
                    FloatVector x = z1.neg().max(EXP_MIN).min(EXP_MAX);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    y1 = FloatVector.broadcast(F, 1f).div(e.add(1f));
                }
                int ci = c0 + i * ldc;
                y0.intoArray(c, ci);
                y1.intoArray(c, ci + L);
            }
            return;
        }
        if (act == Activation.TANH) { // 6 steps of two independent vectors, each stored at once
            for (int i = 0; i < 6; i++) {
                FloatVector z0 = i == 0 ? c00 : i == 1 ? c10 : i == 2 ? c20 : i == 3 ? c30 : i == 4 ? c40 : c50;
                FloatVector z1 = i == 0 ? c01 : i == 1 ? c11 : i == 2 ? c21 : i == 3 ? c31 : i == 4 ? c41 : c51;
                FloatVector y0, y1;
                { // y0 = tanh(z0): odd Taylor series below |z| = 1/2, else (1 - e) / (1 + e), e = exp(-2|z|)
                    FloatVector s = z0.mul(z0);
                    FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)
                            .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)
                            .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(z0);
                    FloatVector absz = z0.abs();
                    FloatVector x = absz.mul(-2f).max(EXP_MIN);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    FloatVector big = e.neg().add(1f).div(e.add(1f));
                    y0 = big.blend(big.neg(), z0.compare(VectorOperators.LT, 0f))
                            .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));
                }
                { // y1 = tanh(z1): odd Taylor series below |z| = 1/2, else (1 - e) / (1 + e), e = exp(-2|z|)
                    FloatVector s = z1.mul(z1);
                    FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)
                            .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)
                            .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(z1);
                    FloatVector absz = z1.abs();
                    FloatVector x = absz.mul(-2f).max(EXP_MIN);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    FloatVector big = e.neg().add(1f).div(e.add(1f));
                    y1 = big.blend(big.neg(), z1.compare(VectorOperators.LT, 0f))
                            .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));
                }
                int ci = c0 + i * ldc;
                y0.intoArray(c, ci);
                y1.intoArray(c, ci + L);
            }
            return;
        }
        c00.intoArray(c, c0 + 0 * ldc); c01.intoArray(c, c0 + 0 * ldc + L);
        c10.intoArray(c, c0 + 1 * ldc); c11.intoArray(c, c0 + 1 * ldc + L);
        c20.intoArray(c, c0 + 2 * ldc); c21.intoArray(c, c0 + 2 * ldc + L);
        c30.intoArray(c, c0 + 3 * ldc); c31.intoArray(c, c0 + 3 * ldc + L);
        c40.intoArray(c, c0 + 4 * ldc); c41.intoArray(c, c0 + 4 * ldc + L);
        c50.intoArray(c, c0 + 5 * ldc); c51.intoArray(c, c0 + 5 * ldc + L);
    }

    /**
     * The narrow micro-kernel for a last column panel of at most L columns (thin layers, n = 10): 6 × L, so
     * a 10-column output wastes 6 of 16 lanes instead of 22 of 32. As {@link #kernel6x2} otherwise; the
     * sigmoid and tanh epilogue takes two rows per step.
     */
    private static void kernel6x1(int kc, float[] a, int a0, int ars, int acs, float[] b, int b0,
                                int ldb, float alpha, float beta, boolean loadC, float[] bias, int bias0,
                                Activation act, float[] c, int c0, int ldc) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F);
        int a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars, a4 = a3 + ars, a5 = a4 + ars;
        for (int q = 0, bq = b0, aq = 0; q < kc; q++, bq += ldb, aq += acs) {
            FloatVector b0v = FloatVector.fromArray(F, b, bq);
            FloatVector a0v = FloatVector.broadcast(F, a[a0 + aq]);
            c00 = a0v.fma(b0v, c00);
            FloatVector a1v = FloatVector.broadcast(F, a[a1 + aq]);
            c10 = a1v.fma(b0v, c10);
            FloatVector a2v = FloatVector.broadcast(F, a[a2 + aq]);
            c20 = a2v.fma(b0v, c20);
            FloatVector a3v = FloatVector.broadcast(F, a[a3 + aq]);
            c30 = a3v.fma(b0v, c30);
            FloatVector a4v = FloatVector.broadcast(F, a[a4 + aq]);
            c40 = a4v.fma(b0v, c40);
            FloatVector a5v = FloatVector.broadcast(F, a[a5 + aq]);
            c50 = a5v.fma(b0v, c50);
        }
        // epilogue on the registers: z = alpha·acc (+ beta·C) (+ bias), activation, one store
        FloatVector al = FloatVector.broadcast(F, alpha);
        c00 = c00.mul(al);
        c10 = c10.mul(al);
        c20 = c20.mul(al);
        c30 = c30.mul(al);
        c40 = c40.mul(al);
        c50 = c50.mul(al);
        if (loadC) { // the only case that reads C: beta != 0, or a later k block
            FloatVector be = FloatVector.broadcast(F, beta);
            c00 = FloatVector.fromArray(F, c, c0 + 0 * ldc).fma(be, c00);
            c10 = FloatVector.fromArray(F, c, c0 + 1 * ldc).fma(be, c10);
            c20 = FloatVector.fromArray(F, c, c0 + 2 * ldc).fma(be, c20);
            c30 = FloatVector.fromArray(F, c, c0 + 3 * ldc).fma(be, c30);
            c40 = FloatVector.fromArray(F, c, c0 + 4 * ldc).fma(be, c40);
            c50 = FloatVector.fromArray(F, c, c0 + 5 * ldc).fma(be, c50);
        }
        if (bias != null) {
            FloatVector bias0v = FloatVector.fromArray(F, bias, bias0);
            c00 = c00.add(bias0v);
            c10 = c10.add(bias0v);
            c20 = c20.add(bias0v);
            c30 = c30.add(bias0v);
            c40 = c40.add(bias0v);
            c50 = c50.add(bias0v);
        }
        if (act == Activation.RELU) { // max(z, 0) keeps NaN, like Math.max
            c00 = c00.max(0f);
            c10 = c10.max(0f);
            c20 = c20.max(0f);
            c30 = c30.max(0f);
            c40 = c40.max(0f);
            c50 = c50.max(0f);
        }
        if (act == Activation.SIGMOID) { // 3 steps of two independent vectors, each stored at once
            for (int i = 0; i < 3; i++) {
                FloatVector z0 = i == 0 ? c00 : i == 1 ? c20 : c40;
                FloatVector z1 = i == 0 ? c10 : i == 1 ? c30 : c50;
                FloatVector y0, y1;
                { // y0 = sigmoid(z0) = 1 / (1 + exp(-z0)), exp as in FloatKernels
                    FloatVector x = z0.neg().max(EXP_MIN).min(EXP_MAX);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    y0 = FloatVector.broadcast(F, 1f).div(e.add(1f));
                }
                { // y1 = sigmoid(z1) = 1 / (1 + exp(-z1)), exp as in FloatKernels
                    FloatVector x = z1.neg().max(EXP_MIN).min(EXP_MAX);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    y1 = FloatVector.broadcast(F, 1f).div(e.add(1f));
                }
                int ci = c0 + 2 * i * ldc;
                y0.intoArray(c, ci);
                y1.intoArray(c, ci + ldc);
            }
            return;
        }
        if (act == Activation.TANH) { // 3 steps of two independent vectors, each stored at once
            for (int i = 0; i < 3; i++) {
                FloatVector z0 = i == 0 ? c00 : i == 1 ? c20 : c40;
                FloatVector z1 = i == 0 ? c10 : i == 1 ? c30 : c50;
                FloatVector y0, y1;
                { // y0 = tanh(z0): odd Taylor series below |z| = 1/2, else (1 - e) / (1 + e), e = exp(-2|z|)
                    FloatVector s = z0.mul(z0);
                    FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)
                            .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)
                            .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(z0);
                    FloatVector absz = z0.abs();
                    FloatVector x = absz.mul(-2f).max(EXP_MIN);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    FloatVector big = e.neg().add(1f).div(e.add(1f));
                    y0 = big.blend(big.neg(), z0.compare(VectorOperators.LT, 0f))
                            .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));
                }
                { // y1 = tanh(z1): odd Taylor series below |z| = 1/2, else (1 - e) / (1 + e), e = exp(-2|z|)
                    FloatVector s = z1.mul(z1);
                    FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)
                            .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)
                            .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(z1);
                    FloatVector absz = z1.abs();
                    FloatVector x = absz.mul(-2f).max(EXP_MIN);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    FloatVector big = e.neg().add(1f).div(e.add(1f));
                    y1 = big.blend(big.neg(), z1.compare(VectorOperators.LT, 0f))
                            .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));
                }
                int ci = c0 + 2 * i * ldc;
                y0.intoArray(c, ci);
                y1.intoArray(c, ci + ldc);
            }
            return;
        }
        c00.intoArray(c, c0 + 0 * ldc);
        c10.intoArray(c, c0 + 1 * ldc);
        c20.intoArray(c, c0 + 2 * ldc);
        c30.intoArray(c, c0 + 3 * ldc);
        c40.intoArray(c, c0 + 4 * ldc);
        c50.intoArray(c, c0 + 5 * ldc);
    }

    /**
     * The narrow micro-kernel for two MR tiles of rows at once: the {@code 2·MR × L} tile of C at {@code c0}
     * ({@code 12 × L}, a last column panel of at most L columns), for thin layers (n = 10). One vector of B per
     * k step feeds 12 accumulators (named by row, {@code cR}), so 12 independent FMA chains cover the FMA
     * latency (2 pipes × 4 cycles) where {@link #kernel6x1}'s 6 cannot, and B's row is loaded once for 12 rows
     * instead of twice. Every element goes through exactly the operations of {@link #kernel6x1} (zero, one
     * fma per q in order, alpha, beta·C, bias, activation), so the bits are the same. {@code A(r, q) =
     * a[a0 + r·ars + q·acs]}, A in place (both MR tiles full).
     */
    private static void kernel12x1(int kc, float[] a, int a0, int ars, int acs, float[] b, int b0,
                                 int ldb, float alpha, float beta, boolean loadC, float[] bias, int bias0,
                                 Activation act, float[] c, int c0, int ldc) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F);
        FloatVector c60 = FloatVector.zero(F);
        FloatVector c70 = FloatVector.zero(F);
        FloatVector c80 = FloatVector.zero(F);
        FloatVector c90 = FloatVector.zero(F);
        FloatVector c100 = FloatVector.zero(F);
        FloatVector c110 = FloatVector.zero(F);
        int a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars, a4 = a3 + ars, a5 = a4 + ars, a6 = a5 + ars;
        int a7 = a6 + ars, a8 = a7 + ars, a9 = a8 + ars, a10 = a9 + ars, a11 = a10 + ars;
        for (int q = 0, bq = b0, aq = 0; q < kc; q++, bq += ldb, aq += acs) {
            FloatVector bv = FloatVector.fromArray(F, b, bq);
            c00 = FloatVector.broadcast(F, a[a0 + aq]).fma(bv, c00);
            c10 = FloatVector.broadcast(F, a[a1 + aq]).fma(bv, c10);
            c20 = FloatVector.broadcast(F, a[a2 + aq]).fma(bv, c20);
            c30 = FloatVector.broadcast(F, a[a3 + aq]).fma(bv, c30);
            c40 = FloatVector.broadcast(F, a[a4 + aq]).fma(bv, c40);
            c50 = FloatVector.broadcast(F, a[a5 + aq]).fma(bv, c50);
            c60 = FloatVector.broadcast(F, a[a6 + aq]).fma(bv, c60);
            c70 = FloatVector.broadcast(F, a[a7 + aq]).fma(bv, c70);
            c80 = FloatVector.broadcast(F, a[a8 + aq]).fma(bv, c80);
            c90 = FloatVector.broadcast(F, a[a9 + aq]).fma(bv, c90);
            c100 = FloatVector.broadcast(F, a[a10 + aq]).fma(bv, c100);
            c110 = FloatVector.broadcast(F, a[a11 + aq]).fma(bv, c110);
        }
        // epilogue on the registers: z = alpha·acc (+ beta·C) (+ bias), activation, one store
        FloatVector al = FloatVector.broadcast(F, alpha);
        c00 = c00.mul(al);
        c10 = c10.mul(al);
        c20 = c20.mul(al);
        c30 = c30.mul(al);
        c40 = c40.mul(al);
        c50 = c50.mul(al);
        c60 = c60.mul(al);
        c70 = c70.mul(al);
        c80 = c80.mul(al);
        c90 = c90.mul(al);
        c100 = c100.mul(al);
        c110 = c110.mul(al);
        if (loadC) { // the only case that reads C: beta != 0, or a later k block
            FloatVector be = FloatVector.broadcast(F, beta);
            c00 = FloatVector.fromArray(F, c, c0 + 0 * ldc).fma(be, c00);
            c10 = FloatVector.fromArray(F, c, c0 + 1 * ldc).fma(be, c10);
            c20 = FloatVector.fromArray(F, c, c0 + 2 * ldc).fma(be, c20);
            c30 = FloatVector.fromArray(F, c, c0 + 3 * ldc).fma(be, c30);
            c40 = FloatVector.fromArray(F, c, c0 + 4 * ldc).fma(be, c40);
            c50 = FloatVector.fromArray(F, c, c0 + 5 * ldc).fma(be, c50);
            c60 = FloatVector.fromArray(F, c, c0 + 6 * ldc).fma(be, c60);
            c70 = FloatVector.fromArray(F, c, c0 + 7 * ldc).fma(be, c70);
            c80 = FloatVector.fromArray(F, c, c0 + 8 * ldc).fma(be, c80);
            c90 = FloatVector.fromArray(F, c, c0 + 9 * ldc).fma(be, c90);
            c100 = FloatVector.fromArray(F, c, c0 + 10 * ldc).fma(be, c100);
            c110 = FloatVector.fromArray(F, c, c0 + 11 * ldc).fma(be, c110);
        }
        if (bias != null) {
            FloatVector bias0v = FloatVector.fromArray(F, bias, bias0);
            c00 = c00.add(bias0v);
            c10 = c10.add(bias0v);
            c20 = c20.add(bias0v);
            c30 = c30.add(bias0v);
            c40 = c40.add(bias0v);
            c50 = c50.add(bias0v);
            c60 = c60.add(bias0v);
            c70 = c70.add(bias0v);
            c80 = c80.add(bias0v);
            c90 = c90.add(bias0v);
            c100 = c100.add(bias0v);
            c110 = c110.add(bias0v);
        }
        if (act == Activation.RELU) { // max(z, 0) keeps NaN, like Math.max
            c00 = c00.max(0f);
            c10 = c10.max(0f);
            c20 = c20.max(0f);
            c30 = c30.max(0f);
            c40 = c40.max(0f);
            c50 = c50.max(0f);
            c60 = c60.max(0f);
            c70 = c70.max(0f);
            c80 = c80.max(0f);
            c90 = c90.max(0f);
            c100 = c100.max(0f);
            c110 = c110.max(0f);
        }
        if (act == Activation.SIGMOID) { // 6 steps of two independent vectors, each stored at once
            for (int i = 0; i < 6; i++) {
                FloatVector z0 = i == 0 ? c00 : i == 1 ? c20 : i == 2 ? c40 : i == 3 ? c60 : i == 4 ? c80 : c100;
                FloatVector z1 = i == 0 ? c10 : i == 1 ? c30 : i == 2 ? c50 : i == 3 ? c70 : i == 4 ? c90 : c110;
                FloatVector y0, y1;
                { // y0 = sigmoid(z0) = 1 / (1 + exp(-z0)), exp as in FloatKernels
                    FloatVector x = z0.neg().max(EXP_MIN).min(EXP_MAX);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    y0 = FloatVector.broadcast(F, 1f).div(e.add(1f));
                }
                { // y1 = sigmoid(z1) = 1 / (1 + exp(-z1)), exp as in FloatKernels
                    FloatVector x = z1.neg().max(EXP_MIN).min(EXP_MAX);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    y1 = FloatVector.broadcast(F, 1f).div(e.add(1f));
                }
                int ci = c0 + 2 * i * ldc;
                y0.intoArray(c, ci);
                y1.intoArray(c, ci + ldc);
            }
            return;
        }
        if (act == Activation.TANH) { // 6 steps of two independent vectors, each stored at once
            for (int i = 0; i < 6; i++) {
                FloatVector z0 = i == 0 ? c00 : i == 1 ? c20 : i == 2 ? c40 : i == 3 ? c60 : i == 4 ? c80 : c100;
                FloatVector z1 = i == 0 ? c10 : i == 1 ? c30 : i == 2 ? c50 : i == 3 ? c70 : i == 4 ? c90 : c110;
                FloatVector y0, y1;
                { // y0 = tanh(z0): odd Taylor series below |z| = 1/2, else (1 - e) / (1 + e), e = exp(-2|z|)
                    FloatVector s = z0.mul(z0);
                    FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)
                            .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)
                            .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(z0);
                    FloatVector absz = z0.abs();
                    FloatVector x = absz.mul(-2f).max(EXP_MIN);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    FloatVector big = e.neg().add(1f).div(e.add(1f));
                    y0 = big.blend(big.neg(), z0.compare(VectorOperators.LT, 0f))
                            .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));
                }
                { // y1 = tanh(z1): odd Taylor series below |z| = 1/2, else (1 - e) / (1 + e), e = exp(-2|z|)
                    FloatVector s = z1.mul(z1);
                    FloatVector poly = s.fma(TANH_C15, TANH_C13).lanewise(FMA, s, TANH_C11)
                            .lanewise(FMA, s, TANH_C9).lanewise(FMA, s, TANH_C7).lanewise(FMA, s, TANH_C5)
                            .lanewise(FMA, s, TANH_C3).lanewise(FMA, s, 1f).mul(z1);
                    FloatVector absz = z1.abs();
                    FloatVector x = absz.mul(-2f).max(EXP_MIN);
                    FloatVector n = x.fma(LOG2E, ROUNDER).sub(ROUNDER);
                    FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
                    FloatVector e = r.fma(EXP_C7, EXP_C6).lanewise(FMA, r, EXP_C5).lanewise(FMA, r, EXP_C4)
                            .lanewise(FMA, r, EXP_C3).lanewise(FMA, r, 0.5f).lanewise(FMA, r, 1f)
                            .lanewise(FMA, r, 1f);
                    IntVector n0 = (IntVector) n.convert(VectorOperators.F2I, 0);
                    IntVector n1 = n0.lanewise(VectorOperators.ASHR, 1);
                    e = e.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                            .mul(n0.sub(n1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
                    FloatVector big = e.neg().add(1f).div(e.add(1f));
                    y1 = big.blend(big.neg(), z1.compare(VectorOperators.LT, 0f))
                            .blend(poly, absz.compare(VectorOperators.LT, TANH_POLY_MAX));
                }
                int ci = c0 + 2 * i * ldc;
                y0.intoArray(c, ci);
                y1.intoArray(c, ci + ldc);
            }
            return;
        }
        c00.intoArray(c, c0 + 0 * ldc);
        c10.intoArray(c, c0 + 1 * ldc);
        c20.intoArray(c, c0 + 2 * ldc);
        c30.intoArray(c, c0 + 3 * ldc);
        c40.intoArray(c, c0 + 4 * ldc);
        c50.intoArray(c, c0 + 5 * ldc);
        c60.intoArray(c, c0 + 6 * ldc);
        c70.intoArray(c, c0 + 7 * ldc);
        c80.intoArray(c, c0 + 8 * ldc);
        c90.intoArray(c, c0 + 9 * ldc);
        c100.intoArray(c, c0 + 10 * ldc);
        c110.intoArray(c, c0 + 11 * ldc);
    }
}
