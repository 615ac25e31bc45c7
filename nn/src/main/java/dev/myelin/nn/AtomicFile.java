package dev.myelin.nn;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replaces a user's file all at once or not at all, and only when it is a regular file.
 *
 * <ul>
 *   <li><b>What is replaced.</b> A regular file, or a new one. A directory, device ({@code /dev/null},
 *       {@code /dev/full}), FIFO or socket is refused with a message naming it and what it is. A symbolic link is
 *       written through: the file it points to (after every link in the chain) is replaced and the link stays.</li>
 *   <li><b>How.</b> The bytes go to {@code .NAME.PID.tmp} in the target's own directory (so the rename cannot
 *       cross file systems), are forced to disk, the temporary file gets the permissions of the file it replaces,
 *       is renamed over it atomically, and the directory is forced so the rename survives a crash. On any
 *       failure the temporary file is deleted and the old file is left as it was.</li>
 *   <li><b>Leftovers.</b> A run killed mid-write leaves its {@code .NAME.PID.tmp}; the next write to the same
 *       target deletes those whose process is no longer alive.</li>
 *   <li><b>Concurrent writers.</b> A writer holds an OS lock ({@link FileChannel#tryLock}) on
 *       {@code .NAME.lock} beside the target while it writes and deletes that file when done; a second writer,
 *       in this process or another, fails at once with "another run is writing NAME" instead of both
 *       reporting success. A run that will write a file later (a model at its end, a checkpoint every epoch)
 *       {@link #reserve}s it for its whole length: another run is then refused at its start, not only while the
 *       first one happens to be writing; this process's own writes go through.</li>
 * </ul>
 * Every message names the file the user gave, never only a hidden temporary or lock file.
 */
public final class AtomicFile {

    /** Links followed before giving up, as the kernel's ELOOP limit. */
    private static final int MAX_LINKS = 40;

    private static final long PID = ProcessHandle.current().pid();

    /**
     * The lock files this process holds. An OS lock cannot exclude this process's own threads, and on Linux
     * closing any channel to a locked file drops the process's lock, so a second writer here must not even open it.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
    /** The lock files held by a {@link #reserve} of this process: its writes to those targets lock nothing more. */
    private static final Set<Path> RESERVED = ConcurrentHashMap.newKeySet();

    private AtomicFile() {
    }

    /**
     * What {@link #write(Path, Content)} puts in a file, written to a stream as it is made: a file of megabytes
     * (a checkpoint at every epoch end) then needs no array of its size, whose bytes would outlive a young
     * collection and stay in the old generation.
     */
    @FunctionalInterface
    public interface Content {
        /** Writes the file's bytes to {@code out}, which buffers them; closing {@code out} only flushes it. */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code bytes} to {@code file} as described in the class comment. */
    public static void write(Path file, byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes is null");
        write(file, out -> out.write(bytes));
    }

    /**
     * Writes what {@code content} makes to {@code file} as described in the class comment. When it throws, the
     * file is left as it was (an {@link IOException} is reported as this file's, naming it).
     */
    public static void write(Path file, Content content) throws IOException {
        Objects.requireNonNull(file, "file is null");
        Objects.requireNonNull(content, "content is null");
        // An interrupted thread (a cancelled task saving what it has: Trainer.fit stops on an interrupt) still
        // writes: file channels are interruptible and would close at once. The flag is set again afterwards.
        boolean interrupted = Thread.interrupted();
        try {
            writeUninterrupted(file, content);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void writeUninterrupted(Path file, Content content) throws IOException {
        Path target = checkReplaceable(file);
        try (Lock lock = RESERVED.contains(Lock.pathFor(target)) ? null : Lock.acquire(file, target)) {
            removeStaleTemporaries(target);
            Path tmp = temporary(target, PID);
            boolean moved = false;
            try {
                Files.deleteIfExists(tmp); // ours, left by a failed delete: no other writer has this name
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    OpenBuffer out = new OpenBuffer(Channels.newOutputStream(ch));
                    content.writeTo(out);
                    out.flush();
                    ch.force(true); // the data is on disk before the rename makes it visible
                }
                keepPermissions(target, tmp);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) { // same directory, so only exotic file systems
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                moved = true;
                forceDirectory(target.getParent());
            } catch (IOException e) {
                throw cannotWrite(file, target, e);
            } finally {
                if (!moved) {
                    deleteQuietly(tmp);
                }
            }
        }
    }

    /**
     * Holds {@code file}'s write lock until the reservation is closed: another process (or thread) that writes
     * or reserves it meanwhile fails at once with "another run is writing …"; this process's {@link #write}s to
     * it go through. Checks the file as {@link #checkReplaceable} does. When the lock file itself cannot be
     * made (a folder that takes no new files, such as /proc), the reservation holds nothing and the failure is
     * left to the write, which reports it where a caller expects it (after training, with its fallback).
     */
    public static Reservation reserve(Path file) throws IOException {
        Objects.requireNonNull(file, "file is null");
        Path target = checkReplaceable(file);
        Lock lock;
        try {
            lock = Lock.acquire(file, target);
        } catch (Busy busyOrNotALock) {
            throw busyOrNotALock;
        } catch (IOException cannotLock) {
            return new Reservation(null);
        }
        RESERVED.add(lock.path);
        return new Reservation(lock);
    }

    /** A file kept for this process's writes ({@link #reserve}); closing it releases the lock. */
    public static final class Reservation implements AutoCloseable {
        private Lock lock; // null once closed, or when the lock file could not be made

        private Reservation(Lock lock) {
            this.lock = lock;
        }

        /** Releases the lock; a second close does nothing (the name may be another run's by then). */
        @Override
        public void close() throws IOException {
            Lock held = lock;
            lock = null;
            if (held != null) {
                RESERVED.remove(held.path);
                held.close();
            }
        }
    }

    /**
     * Why {@code dir} cannot hold a new file: "directory D does not exist", or, when something else has that name
     * (a regular file given as a folder), "D is not a directory". Public for the front ends' checks of their outputs.
     */
    public static String missingDirectory(Path dir) {
        return dir != null && Files.exists(dir) && !Files.isDirectory(dir) ? dir + " is not a directory"
                : "directory " + dir + " does not exist";
    }

    /**
     * The file a write to {@code file} would replace, links followed; checks that it is a regular file this user
     * may write, or does not exist yet, and that its directory exists. Writes nothing: callers use it to fail before long work.
     *
     * @throws IOException naming {@code file} when it could not be replaced
     */
    public static Path checkReplaceable(Path file) throws IOException {
        Path target;
        try {
            target = followLinks(file.toAbsolutePath());
        } catch (IOException e) { // a loop of links: no target to name
            throw cannotWrite(file, file.toAbsolutePath(), e);
        }
        String name = target.getFileName().toString();
        int nameBytes = nameBytes(target);
        if (nameBytes > NAME_MAX) { // known now, not after the training whose result it was to hold
            throw new IOException("cannot write " + shown(file, target) + ": its name is " + nameBytes + " bytes long"
                    + " (UTF-8), more than the " + NAME_MAX + " a file name may have; choose a shorter name");
        }
        if (name.startsWith(".") && (name.endsWith(".lock") || name.matches("\\..+\\.[0-9]+\\.tmp"))) {
            // replacing one would take another run's lock (or temporary file) from under it
            throw new IOException("cannot write " + shown(file, target) + ": that is the name of a lock or temporary"
                    + " file, which Myelin keeps beside a file it writes (.NAME.lock, .NAME.PID.tmp); choose another"
                    + " name");
        }
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            Path dir = target.getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                throw new IOException("cannot write " + shown(file, target) + ": " + missingDirectory(dir));
            }
            return target; // a new file
        } catch (UnsupportedOperationException e) { // not POSIX: the basic kind is all there is
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)
                    || Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                throw notRegular(file, target, "not a regular file");
            }
            return target;
        }
        if (!attributes.isRegularFile()) {
            throw notRegular(file, target, kind(target, attributes));
        }
        if (!Files.isWritable(target)) { // a rename would replace it all the same: respect the permissions, as cp does
            throw new IOException("cannot write " + shown(file, target) + ": it is read-only (its permissions do not"
                    + " let this user write it)");
        }
        return target;
    }

    private static IOException notRegular(Path file, Path target, String kind) {
        return new IOException("cannot write " + shown(file, target) + ": it is " + kind
                + ", and only a regular file is replaced");
    }

    /** What a non-regular file is, from the file-type bits of its mode where the JDK exposes them. */
    private static String kind(Path target, PosixFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a directory";
        }
        try {
            int type = (Integer) Files.getAttribute(target, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000;
            switch (type) {
                case 0140000: return "a socket";
                case 0060000: return "a block device";
                case 0020000: return "a character device";
                case 0010000: return "a FIFO (named pipe)";
                default: break;
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            // no "unix" view here: fall back to the generic word
        }
        return "not a regular file";
    }

    /**
     * The file a write to {@code file} lands on, spelled one way: links followed and its folder's real path
     * (the file itself need not exist). Two names of one target give the same path: a link, another spelling, a
     * linked folder.
     */
    public static Path landing(Path file) throws IOException {
        Path target = followLinks(file.toAbsolutePath());
        Path dir = target.getParent();
        try {
            dir = dir.toRealPath();
        } catch (IOException e) {
            dir = dir.normalize(); // a missing folder: reported by the write itself
        }
        return dir.resolve(target.getFileName());
    }

    /** {@code path} with every symbolic link along the last element resolved; the result may not exist. */
    private static Path followLinks(Path path) throws IOException {
        Path current = path;
        for (int links = 0; Files.isSymbolicLink(current); links++) {
            if (links == MAX_LINKS) {
                throw new FileSystemException(path.toString(), null, "too many levels of symbolic links");
            }
            Path next = Files.readSymbolicLink(current);
            current = current.resolveSibling(next).normalize();
        }
        return current;
    }

    /** {@code .NAME.PID.tmp} beside {@code target}. */
    private static Path temporary(Path target, long pid) {
        return target.resolveSibling("." + helperStem(target.getFileName().toString()) + "." + pid + ".tmp");
    }

    /** The most bytes a file name may have on the file systems Myelin writes to (ext4, XFS, Btrfs, tmpfs, APFS). */
    public static final int NAME_MAX = 255;

    /** The length of {@code file}'s name in the bytes a file system counts (UTF-8), to hold to {@link #NAME_MAX}. */
    public static int nameBytes(Path file) {
        return file.getFileName().toString().getBytes(StandardCharsets.UTF_8).length;
    }
    /**
     * The longest name (in UTF-8 bytes) whose helper files are named after it whole: {@code .NAME.PID.tmp} fits in
     * {@link #NAME_MAX} for any PID (19 digits), and names that had their helper files named so before keep them.
     */
    private static final int WHOLE_STEM_MAX = 230;

    /**
     * What the lock and temporary files of a file named {@code name} are named after: the name itself, or for a
     * name too long for {@code .NAME.PID.tmp} to be a legal name, its first 160 bytes (whole characters) and a
     * hash of all of it, the same in every process, so that writers of one file still meet at one lock.
     */
    static String helperStem(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= WHOLE_STEM_MAX) {
            return name;
        }
        StringBuilder prefix = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > 160) {
                break;
            }
            prefix.appendCodePoint(cp);
            bytes += size;
            i += Character.charCount(cp);
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(utf8);
            return prefix + "~" + java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /** Deletes {@code .NAME.PID.tmp} files of {@code target} whose process is gone; best effort. */
    private static void removeStaleTemporaries(Path target) {
        String prefix = "." + helperStem(target.getFileName().toString()) + ".";
        DirectoryStream.Filter<Path> ours = p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp") && n.length() > prefix.length() + 4
                    && n.substring(prefix.length(), n.length() - 4).chars().allMatch(c -> c >= '0' && c <= '9');
        };
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(target.getParent(), ours)) {
            for (Path tmp : candidates) {
                String n = tmp.getFileName().toString();
                long pid;
                try {
                    pid = Long.parseLong(n.substring(prefix.length(), n.length() - 4));
                } catch (NumberFormatException tooLong) {
                    continue;
                }
                if (pid != PID && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    deleteQuietly(tmp);
                }
            }
        } catch (IOException | RuntimeException e) {
            // cleaning up is a courtesy: it must never fail the write it comes before
        }
    }

    /** Gives {@code tmp} the permission bits of the file it is about to replace, when there is one. */
    private static void keepPermissions(Path target, Path tmp) throws IOException {
        try {
            Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            // a new file keeps the umask's permissions; a non-POSIX file system has none to keep
        }
    }

    /** Forces the directory entry of the rename to disk. */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot open or sync a directory; the rename itself is done and visible
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // the next write removes it once this process has ended
        }
    }

    /** The target as the user named it, with the file actually written when a link led elsewhere. */
    private static String shown(Path file, Path target) {
        return file.toAbsolutePath().equals(target) ? file.toString() : file + " (a link to " + target + ")";
    }

    /** A failure to write, naming the user's file and the reason, never only the hidden file it happened on. */
    private static IOException cannotWrite(Path file, Path target, IOException e) {
        String reason;
        if (e instanceof AccessDeniedException) {
            reason = "permission denied in " + target.getParent();
        } else if (e instanceof NoSuchFileException) {
            reason = "no such file or directory in " + target.getParent();
        } else if (e instanceof FileSystemException f && f.getReason() != null) {
            reason = f.getReason();
        } else {
            reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
        return new IOException("cannot write " + shown(file, target) + ": " + reason, e);
    }

    /** Another writer holds the target's lock. */
    private static final class Busy extends IOException {
        Busy(String message) {
            super(message);
        }
    }

    /** The lock on {@code .NAME.lock}; closing it deletes the lock file, then releases the lock. */
    private static final class Lock implements AutoCloseable {
        private static final int ATTEMPTS = 10;

        private final Path path;
        private final FileChannel channel;

        private Lock(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        /** The lock file of {@code target}: one per file, however it was spelled (./out/m.json, out/m.json). */
        static Path pathFor(Path target) throws IOException {
            Path landing = landing(target);
            return landing.resolveSibling("." + helperStem(landing.getFileName().toString()) + ".lock");
        }

        static Lock acquire(Path file, Path target) throws IOException {
            Path path = pathFor(target);
            if (!HELD.add(path)) {
                throw busy(file, target, path, "this process");
            }
            boolean acquired = false;
            try { // whatever fails from here on, HELD forgets the path (a stat that failed once kept it for good)
                try {
                    BasicFileAttributes lockFile = Files.readAttributes(path, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    if (!lockFile.isRegularFile()) { // a link would have the lock token written into what it names
                        throw new Busy("cannot write " + shown(file, target) + ": its lock file " + path.getFileName()
                                + " is " + (lockFile.isSymbolicLink() ? "a symbolic link" : lockFile.isDirectory()
                                ? "a directory" : "not a regular file") + ", not one Myelin made; remove it");
                    }
                } catch (NoSuchFileException none) {
                    // the usual case: made below
                }
                for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                    Object before = fileKey(path);
                    FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS); // a link put there since fails
                    FileLock lock;
                    try {
                        lock = ch.tryLock();
                    } catch (OverlappingFileLockException e) {
                        lock = null; // held by this JVM outside this class
                    }
                    if (lock == null) {
                        String holder = readHolder(ch);
                        ch.close();
                        throw busy(file, target, path, holder);
                    }
                    // A writer that finished deletes the lock file while holding it: if we locked such an orphan,
                    // the name now leads to another file (or none). The name's file key (device and inode, from
                    // stat) before the open and after the lock says we locked the live one. Never by opening the
                    // name again: on Linux, closing any descriptor of a file drops this process's lock on it.
                    if (before == null || before.equals(fileKey(path))) {
                        String token = PID + " " + System.nanoTime() + "\n"; // for another writer's message
                        ch.truncate(0);
                        ch.write(ByteBuffer.wrap(token.getBytes(StandardCharsets.US_ASCII)), 0);
                        acquired = true;
                        return new Lock(path, ch);
                    }
                    ch.close();
                }
                throw busy(file, target, path, "another process");
            } catch (Busy e) {
                throw e;
            } catch (IOException e) {
                throw cannotWrite(file, target, e);
            } finally {
                if (!acquired) {
                    HELD.remove(path);
                }
            }
        }

        /**
         * The file key (device and inode on Unix) of the file {@code path} names, by stat, which opens nothing;
         * the file is created first when missing. Null where the platform has no file keys (then the check is
         * skipped).
         */
        private static Object fileKey(Path path) throws IOException {
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
                } catch (NoSuchFileException missing) {
                    try {
                        Files.createFile(path); // holding no lock yet: opening it drops nothing
                    } catch (FileAlreadyExistsException raced) {
                        // created meanwhile: read it
                    }
                }
            }
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        }

        /** "process N" from the holder's token, or a generic word when it has not written it yet. */
        private static String readHolder(FileChannel ch) {
            try {
                ByteBuffer buf = ByteBuffer.allocate(64);
                ch.read(buf, 0);
                String token = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
                int space = token.indexOf(' ');
                return space > 0 ? "process " + token.substring(0, space) : "another process";
            } catch (IOException e) {
                return "another process";
            }
        }

        /** {@code path}: the lock file taken ({@link #pathFor}), named as it is, whatever spelling led to it. */
        private static Busy busy(Path file, Path target, Path path, String holder) {
            return new Busy("another run is writing " + shown(file, target) + " (" + holder + " holds its lock "
                    + path.getFileName() + "); try again when it has finished");
        }

        @Override
        public void close() throws IOException {
            try {
                deleteQuietly(path); // while still locked: see acquire; a leftover is only reused next time
            } finally {
                try {
                    channel.close(); // releases the lock
                } finally {
                    HELD.remove(path);
                }
            }
        }
    }

    /**
     * The stream a {@link Content} writes to: buffered, and left open by {@code close()} (which only flushes), so
     * that a writer that closes its stream (a JSON generator does by default) cannot close the channel before it
     * is forced to disk.
     */
    private static final class OpenBuffer extends BufferedOutputStream {
        OpenBuffer(OutputStream out) {
            super(out, 1 << 16);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
