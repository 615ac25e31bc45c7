package dev.myelin.nn;

import java.util.Objects;

/**
 * What a training run was trained on, in a few numbers: the shape of its {@link Dataset} and a 64-bit hash of
 * every feature, target and label as read (before any standardisation). A checkpoint keeps it, so that a run
 * resumed on other data (another file, an edited one, rows appended) is refused instead of silently continuing
 * a different run. The hash is FNV-1a over the raw float bits and the labels, in row order: the same file read
 * twice gives the same fingerprint; any changed value, row or order gives another (up to a 2⁻⁶⁴ chance).
 *
 * @param rows    training rows
 * @param inputs  feature columns
 * @param outputs target columns, or classes for class labels
 * @param hash    the hash of the values
 */
public record DataFingerprint(int rows, int inputs, int outputs, long hash) {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /** The fingerprint of {@code data} as it is now: take it before standardising the data in place. */
    public static DataFingerprint of(Dataset data) {
        Objects.requireNonNull(data, "data is null");
        long h = FNV_OFFSET;
        for (float f : data.features()) {
            h = (h ^ Float.floatToRawIntBits(f)) * FNV_PRIME;
        }
        if (data.hasLabels()) {
            for (int label : data.labels()) {
                h = (h ^ label) * FNV_PRIME;
            }
        } else {
            for (float f : data.targets()) {
                h = (h ^ Float.floatToRawIntBits(f)) * FNV_PRIME;
            }
        }
        return new DataFingerprint(data.rows(), data.inputs(), data.outputs(), h);
    }

    /** The hash as the checkpoint file writes it: 16 lower-case hex digits. */
    public String hashHex() {
        return String.format("%016x", hash);
    }

    /** "60000 rows × 784 inputs → 10 outputs, hash 0123456789abcdef". */
    @Override
    public String toString() {
        return rows + " rows × " + inputs + " inputs → " + outputs + " outputs, hash " + hashHex();
    }
}
