package dev.myelin.core.dispatch;

/**
 * How many threads a multithreaded kernel may be given: 4 × the available processors, and at least 256. More
 * threads than that cannot make a product faster (each gets a smaller block and they only take turns on the
 * cores), while every platform thread reserves its own stack: {@code --threads 100000} used to run out of memory
 * after a minute. The floor of 256 keeps a script that names a fixed count portable to small machines. One place
 * for the rule: {@code KernelRegistry.withThreads}, {@code --threads} and {@code new ParallelKernel} all check it.
 */
public final class ThreadLimit {

    private ThreadLimit() {
    }

    /** The most threads allowed: max(256, 4 × available processors). */
    public static int max() {
        return Math.max(256, 4 * Runtime.getRuntime().availableProcessors());
    }

    /**
     * {@code threads} when it is in [1, {@link #max()}].
     *
     * @param source what the count came from, for the message (e.g. {@code --threads})
     * @throws IllegalArgumentException otherwise, naming {@code source}, the value and the bound
     */
    public static int check(int threads, String source) {
        return check(threads, source, String.valueOf(threads));
    }

    /** As {@link #check(int, String)}, for a count that may exceed an int, shown as {@code shown}. */
    public static int check(long threads, String source, String shown) {
        if (threads < 1) {
            throw new IllegalArgumentException(source + " must be at least 1, got " + shown);
        }
        int max = max();
        if (threads > max) {
            throw new IllegalArgumentException(source + "=" + shown + " is more than the " + max + " threads"
                    + " allowed (4 × the " + Runtime.getRuntime().availableProcessors() + " available processors,"
                    + " at least 256)");
        }
        return (int) threads;
    }
}
