package dev.myelin.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link AtomicFile}: what it refuses, what it keeps, what it cleans up and how it excludes a second writer.
 * These tests run as root in CI, where permission bits stop nothing: no case relies on an unwritable mode.
 */
class AtomicFileTest {

    private static final byte[] TEXT = "new\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"/dev/full", "/dev/null"})
    void aDeviceIsRefusedAndNamed(String device) {
        Path target = Path.of(device);
        assumeTrue(Files.exists(target), device + " exists on this system");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(target, TEXT));
        assertEquals("cannot write " + device + ": it is a character device, and only a regular file is replaced",
                e.getMessage());
        assertFalse(Files.exists(Path.of("/dev/." + target.getFileName() + ".lock")), "no lock file in /dev");
    }

    /**
     * An interrupted thread still writes (a cancelled task saving the checkpoint Trainer.fit returned on the
     * interrupt), and keeps its flag: file channels are interruptible, and the write had failed with
     * ClosedByInterruptException.
     */
    @Test
    void anInterruptedThreadStillWritesAndKeepsItsFlag() throws IOException {
        Path file = dir.resolve("interrupted.json");
        Thread.currentThread().interrupt();
        try {
            AtomicFile.write(file, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertTrue(Thread.currentThread().isInterrupted(), "the flag is set again");
        } finally {
            Thread.interrupted(); // clear it for the next test
        }
        assertEquals("{}", Files.readString(file));
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("pipe.json");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assumeTrue(mkfifo.waitFor() == 0, "mkfifo works here");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(fifo, TEXT));
        assertTrue(e.getMessage().contains(fifo + ": it is a FIFO (named pipe)"), e.getMessage());
        assertEquals(List.of(fifo), listing(dir), "nothing written beside it");
    }

    @Test
    void aDirectoryIsRefused() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("model.json"));
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(sub, TEXT));
        assertTrue(e.getMessage().contains(sub + ": it is a directory"), e.getMessage());
    }

    @Test
    void aSocketIsRefused() throws IOException {
        Path socket = dir.resolve("s.json");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            IOException e = assertThrows(IOException.class, () -> AtomicFile.write(socket, TEXT));
            assertTrue(e.getMessage().contains(socket + ": it is a socket"), e.getMessage());
        }
    }

    @Test
    void aSymbolicLinkIsWrittenThroughAndStays() throws IOException {
        Path real = Files.writeString(Files.createDirectory(dir.resolve("real")).resolve("model.json"), "old\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), Path.of("real/model.json"));
        AtomicFile.write(link, TEXT);
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertEquals("new\n", Files.readString(real));
        assertEquals(List.of(real), listing(real.getParent()), "no temporary or lock file left");
    }

    @Test
    void aDanglingLinkCreatesItsTarget() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), Path.of("target.json"));
        AtomicFile.write(link, TEXT);
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("new\n", Files.readString(dir.resolve("target.json")));
    }

    @Test
    void theReplacedFilesPermissionsAreKept() throws IOException {
        Path file = Files.writeString(dir.resolve("model.json"), "old\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        AtomicFile.write(file, TEXT);
        PosixFileAttributes after = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertEquals("rw-r-----", PosixFilePermissions.toString(after.permissions()));
        assertEquals("new\n", Files.readString(file));
    }

    @Test
    void staleTemporaryFilesOfDeadProcessesAreRemoved() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path stale = Files.writeString(dir.resolve(".model.json." + gone.pid() + ".tmp"), "half");
        Path live = Files.writeString(dir.resolve(".model.json.1.tmp"), "pid 1 is alive"); // init never exits
        Path other = Files.writeString(dir.resolve(".other.json." + gone.pid() + ".tmp"), "another target's");
        Path file = dir.resolve("model.json");
        AtomicFile.write(file, TEXT);
        assertFalse(Files.exists(stale), "dead process's temporary file removed");
        assertTrue(Files.exists(live), "a live process's temporary file is kept");
        assertTrue(Files.exists(other), "another target's temporary file is not touched");
        assertEquals(List.of(live, other, file), listing(dir));
    }

    /**
     * A legal name too long for its helper files to be named after it whole (.NAME.lock is one byte past 255 for
     * a 254-byte name): reserved and written like any other, its lock file named by a shortened stem and a hash
     * that every process derives alike. It had failed only at the write after training, saying "another run is
     * writing" it, with this process named as the holder.
     */
    @Test
    void aNameUpToTheLimitIsReservedAndWrittenWithShortenedHelperNames() throws IOException {
        for (int length : new int[] {231, 250, 255}) {
            String name = "é".repeat(20) + "m".repeat(length - 40 - 5) + ".json"; // 2-byte characters at the start
            assertEquals(length, name.getBytes(StandardCharsets.UTF_8).length);
            Path file = dir.resolve(name);
            try (AtomicFile.Reservation run = AtomicFile.reserve(file)) {
                List<Path> locks = listing(dir).stream().filter(p -> p.getFileName().toString().endsWith(".lock"))
                        .toList();
                assertEquals(1, locks.size(), "one lock file while reserved: " + listing(dir));
                String lock = locks.get(0).getFileName().toString();
                assertTrue(lock.getBytes(StandardCharsets.UTF_8).length <= 200, lock); // 183: the stem, ~, hash
                assertTrue(lock.startsWith("." + "é".repeat(20) + "mmm") && lock.matches(".*~[0-9a-f]{16}\\.lock"),
                        lock);
                AtomicFile.write(file, TEXT);
                AtomicFile.write(file, TEXT);
                IOException e = assertThrows(IOException.class, () -> AtomicFile.reserve(file));
                assertTrue(e.getMessage().startsWith("another run is writing " + file), e.getMessage());
                assertTrue(e.getMessage().contains("holds its lock " + lock + ")"), e.getMessage());
            }
            assertEquals("new\n", Files.readString(file));
            assertEquals(List.of(file), listing(dir), "no lock or temporary file left");
            Files.delete(file);
        }
    }

    /** A name past the file system's limit is refused when reserved, before the work whose result it was to hold. */
    @Test
    void aNameLongerThanAFileNameMayBeIsRefusedWhenReserved() throws IOException {
        Path file = dir.resolve("m".repeat(251) + ".json");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.reserve(file));
        assertEquals("cannot write " + file + ": its name is 256 bytes long (UTF-8), more than the 255 a file name"
                + " may have; choose a shorter name", e.getMessage());
        assertEquals(List.of(), listing(dir));
    }

    /** A reservation holds the lock for a whole run: its own writes go through, another reservation fails. */
    @Test
    void aReservedFileIsWrittenByItsRunAndRefusedToAnother() throws IOException {
        Path file = Files.writeString(dir.resolve("model.json"), "old\n");
        try (AtomicFile.Reservation run = AtomicFile.reserve(file)) {
            assertTrue(Files.exists(dir.resolve(".model.json.lock")), "locked from the start");
            AtomicFile.write(file, TEXT); // the reserving run's own write
            AtomicFile.write(file, TEXT); // and again (a checkpoint every epoch)
            assertEquals("new\n", Files.readString(file));
            IOException e = assertThrows(IOException.class, () -> AtomicFile.reserve(file));
            assertTrue(e.getMessage().startsWith("another run is writing " + file), e.getMessage());
        }
        assertEquals(List.of(file), listing(dir), "no lock file left");
        AtomicFile.Reservation next = AtomicFile.reserve(file); // released: the next run may have it
        AtomicFile.write(file, TEXT);
        next.close();
        try (AtomicFile.Reservation another = AtomicFile.reserve(file)) {
            next.close(); // a second close must not release (or delete) another run's lock
            assertThrows(IOException.class, () -> AtomicFile.reserve(file));
        }
        assertThrows(IOException.class, () -> AtomicFile.reserve(dir.resolve("no-such-folder/m.json")));
    }

    /**
     * The lock this process takes holds against another process for as long as it is held (a reservation: a
     * whole run). python3's fcntl.lockf, a POSIX record lock as FileChannel.tryLock's, must fail to take it; it
     * could while the holder read its own lock file back, which on Linux dropped the lock.
     */
    @Test
    void aReservationExcludesAnotherProcessForAsLongAsItIsHeld() throws Exception {
        Path file = Files.writeString(dir.resolve("model.json"), "old\n");
        String probe = "import fcntl, sys\n"
                + "f = open(sys.argv[1], 'a+')\n"
                + "try:\n    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB); print('locked')\n"
                + "except OSError:\n    print('busy')\n";
        try (AtomicFile.Reservation run = AtomicFile.reserve(file)) {
            AtomicFile.write(file, TEXT); // the holder's own writes in between
            for (int i = 0; i < 2; i++) {
                Process python;
                try {
                    python = new ProcessBuilder("python3", "-c", probe, dir.resolve(".model.json.lock").toString())
                            .redirectErrorStream(true).start();
                } catch (IOException noPython) {
                    assumeTrue(false, "python3 is not installed");
                    return;
                }
                String answer = new String(python.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
                python.waitFor();
                assertEquals("busy", answer, "another process took the lock of a reserved file");
                AtomicFile.write(file, TEXT);
            }
        }
    }

    /** A lock file that Myelin did not make is never written through, and a lock file's name is not a target. */
    @Test
    void lockFilesThatAreLinksOrFoldersAndTargetsNamedLikeLockFilesAreRefused() throws IOException {
        Path precious = Files.writeString(dir.resolve("important.txt"), "precious data\n");
        Path file = dir.resolve("sl.json");
        Files.createSymbolicLink(dir.resolve(".sl.json.lock"), precious);
        for (ThrowingWrite write : new ThrowingWrite[] {() -> AtomicFile.write(file, TEXT),
                () -> AtomicFile.reserve(file).close()}) {
            IOException e = assertThrows(IOException.class, write::run);
            assertEquals("cannot write " + file + ": its lock file .sl.json.lock is a symbolic link, not one Myelin"
                    + " made; remove it", e.getMessage());
        }
        assertEquals("precious data\n", Files.readString(precious), "the link's target is untouched");
        assertFalse(Files.exists(file));
        Files.createDirectory(dir.resolve(".dl.json.lock"));
        IOException e = assertThrows(IOException.class, () -> AtomicFile.reserve(dir.resolve("dl.json")));
        assertTrue(e.getMessage().endsWith("its lock file .dl.json.lock is a directory, not one Myelin made; remove"
                + " it"), e.getMessage());
        for (String name : new String[] {".live.json.lock", ".live.json.1234.tmp"}) {
            Path lockName = dir.resolve(name);
            e = assertThrows(IOException.class, () -> AtomicFile.write(lockName, TEXT));
            assertTrue(e.getMessage().contains("that is the name of a lock or temporary file"), e.getMessage());
            assertFalse(Files.exists(lockName));
        }
    }

    private interface ThrowingWrite {
        void run() throws IOException;
    }

    @Test
    void aSecondWriterFailsWhileTheLockIsHeld() throws IOException {
        Path file = Files.writeString(dir.resolve("model.json"), "old\n");
        Path lockFile = dir.resolve(".model.json.lock");
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = ch.lock()) {
            IOException e = assertThrows(IOException.class, () -> AtomicFile.write(file, TEXT));
            assertTrue(e.getMessage().startsWith("another run is writing " + file), e.getMessage());
            assertEquals("old\n", Files.readString(file), "the first writer's file is untouched");
        }
        Files.delete(lockFile);
        AtomicFile.write(file, TEXT); // once it is released, a write goes through
        assertEquals("new\n", Files.readString(file));
        assertEquals(List.of(file), listing(dir));
    }

    @Test
    void aWriterInAnotherProcessIsExcluded() throws Exception {
        // python3's fcntl.lockf takes the same POSIX record lock as FileChannel.tryLock, from another process.
        Path file = Files.writeString(dir.resolve("model.json"), "old\n");
        Path locked = dir.resolve("locked");
        String holder = "import fcntl, sys, os\n"
                + "f = open(sys.argv[1], 'a+'); fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                + "f.seek(0); f.truncate(); f.write(str(os.getpid()) + ' 0\\n'); f.flush()\n"
                + "open(sys.argv[2], 'w').close(); sys.stdin.read()\n";
        Process python;
        try {
            python = new ProcessBuilder("python3", "-c", holder, dir.resolve(".model.json.lock").toString(),
                    locked.toString()).redirectErrorStream(true).start();
        } catch (IOException noPython) {
            assumeTrue(false, "python3 is not installed");
            return;
        }
        try {
            for (int i = 0; i < 500 && !Files.exists(locked) && python.isAlive(); i++) {
                Thread.sleep(20);
            }
            assumeTrue(Files.exists(locked), "python3 took the lock");
            IOException e = assertThrows(IOException.class, () -> AtomicFile.write(file, TEXT));
            assertEquals("another run is writing " + file + " (process " + python.pid() + " holds its lock"
                    + " .model.json.lock); try again when it has finished", e.getMessage());
            assertEquals("old\n", Files.readString(file));
        } finally {
            python.getOutputStream().close(); // ends its stdin.read(), and the lock with the process
            python.waitFor();
        }
        AtomicFile.write(file, TEXT); // the lock file it left holds no lock: it is reused
        assertEquals("new\n", Files.readString(file));
    }

    @Test
    void concurrentWritersEitherSucceedOrReportTheOtherRun() throws Exception {
        Path file = dir.resolve("model.json");
        int writers = 8;
        List<Thread> threads = new java.util.ArrayList<>();
        List<String> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        for (int t = 0; t < writers; t++) {
            byte[] text = ("writer " + t + "\n").repeat(20_000).getBytes(StandardCharsets.UTF_8);
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    AtomicFile.write(file, text);
                } catch (IOException e) {
                    failures.add(e.getMessage());
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        for (String message : failures) {
            assertTrue(message.startsWith("another run is writing " + file), message);
        }
        String written = Files.readString(file);
        assertTrue(written.matches("(?s)(writer (\\d)\n)\\1*"), "one writer's whole text");
        assertEquals(List.of(file), listing(dir));
    }

    @Test
    void aMissingDirectoryIsNamed() {
        Path file = dir.resolve("no/such/model.json");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(file, TEXT));
        assertEquals("cannot write " + file + ": directory " + file.getParent() + " does not exist", e.getMessage());
    }

    @Test
    void anUnwritableDirectoryNamesTheTargetNotTheTemporaryFile() {
        // /proc refuses new files even to root, where a read-only mode would not stop anything.
        Path file = Path.of("/proc/myelin-model.json");
        assumeTrue(Files.isDirectory(file.getParent()), "/proc exists");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(file, TEXT));
        assertTrue(e.getMessage().startsWith("cannot write " + file + ": "), e.getMessage());
        assertFalse(e.getMessage().contains(".tmp") || e.getMessage().contains(".lock"), e.getMessage());
    }

    @Test
    void streamedContentLandsWholeEvenWhenTheWriterClosesItsStream() throws IOException {
        Path file = dir.resolve("big.bin");
        byte[] chunk = new byte[100_003]; // not a multiple of the 64 KiB buffer
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31);
        }
        AtomicFile.write(file, out -> {
            for (int i = 0; i < 7; i++) {
                out.write(chunk);
            }
            out.close(); // as a JSON generator does by default: must not close the file before it is forced
            out.write('!');
        });
        byte[] back = Files.readAllBytes(file);
        assertEquals(7 * chunk.length + 1, back.length);
        for (int i = 0; i < 7; i++) {
            assertTrue(java.util.Arrays.equals(chunk, 0, chunk.length, back, i * chunk.length, (i + 1) * chunk.length),
                    "chunk " + i);
        }
        assertEquals('!', back[back.length - 1]);
        assertEquals(List.of(file), listing(dir), "no temporary or lock file left");
    }

    @Test
    void contentThatFailsHalfWayLeavesTheFileAsItWas() throws IOException {
        Path file = dir.resolve("model.json");
        Files.write(file, TEXT);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AtomicFile.write(file, out -> {
            out.write(new byte[200_000]); // past the buffer: some of it has reached the temporary file
            throw new IllegalStateException("halfway");
        }));
        assertEquals("halfway", e.getMessage());
        IOException io = assertThrows(IOException.class, () -> AtomicFile.write(file, out -> {
            out.write(1);
            throw new IOException("disk gone");
        }));
        assertTrue(io.getMessage().startsWith("cannot write " + file), io.getMessage());
        assertTrue(java.util.Arrays.equals(TEXT, Files.readAllBytes(file)), "the old bytes are kept");
        assertEquals(List.of(file), listing(dir), "the temporary file is deleted");
    }

    private static List<Path> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }
}
