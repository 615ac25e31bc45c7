package dev.myelin.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code myelin} command: {@code train}, {@code predict}, {@code eval}, {@code report}, {@code info} and
 * {@code bench}.
 *
 * <p>Exit codes: 0 success; 1 a bug, reported with its stack trace; 2 a user error (bad option or value, missing
 * or malformed file, data that does not fit the model), reported as one {@code myelin: } line on stderr without a
 * stack trace; 3 a trained model not written to {@code --save} (written beside, {@link ModelSaver}); 4 training
 * diverged; 130/143 training stopped by SIGINT/SIGTERM (checkpoint written). docs/reliability.md lists them.
 */
@Command(name = "myelin",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Dense neural-network layers on the Java Vector API: train a small network, predict with it,"
                + " show what the SIMD kernels see, or time them against each other.",
        subcommands = {TrainCommand.class, PredictCommand.class, EvalCommand.class, ReportCommand.class,
                InfoCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:internal error (a bug: please report the stack trace)",
                "2:user error (bad option, value, file or data)",
                "3:train: the model was trained but not written to --save (stderr names the fallback file), or"
                        + " the last write of --metrics or of the checkpoint failed",
                "4:train: training diverged (NaN, infinite or exploding loss); stderr names epoch, batch and the"
                        + " last good checkpoint",
                "130, 143:train: stopped by SIGINT or SIGTERM after a step; stderr names the checkpoint and the"
                        + " command that resumes it"})
public final class Main implements Callable<Integer> {

    /** Exit code of every user error. */
    public static final int USER_ERROR = 2;

    /** Prefix of every message the CLI writes to stderr. */
    static final String PREFIX = "myelin: ";

    /** Set by the {@code ./myelin} script to the path it was run by ({@code $0}). */
    static final String LAUNCHER_PROPERTY = "myelin.launcher";

    /**
     * How to run this program again, for the commands a run prints to be pasted (the resume command, the fix for
     * XOR): the script's path as the user typed it ({@code ./myelin} from the repository, a folder on the PATH
     * otherwise), quoted for a shell; {@code myelin} when started some other way.
     */
    static String launcher() {
        String path = System.getProperty(LAUNCHER_PROPERTY);
        return path == null || path.isBlank() ? "myelin" : Shell.quoted(path);
    }

    @Spec
    CommandSpec spec;

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        configureLogging();
        int code;
        try {
            CommandLine cli = commandLine();
            code = cli.execute(args);
            // help and the version are the reader's to cut short (myelin train --help | head): not an error then
            code = afterOutput(code, !askedForHelp(cli.getParseResult())
                    && (cli.getOut().checkError() || System.out.checkError()), System.err);
        } catch (OutOfMemoryError e) {
            // a model or data set too big for the heap is a user's sizing, not a bug: one line, exit 2
            System.out.flush();
            System.err.println(outOfMemoryMessage(Runtime.getRuntime().maxMemory()));
            code = USER_ERROR;
        }
        System.exit(code);
    }

    /** Whether the command line asked for help or the version, at any level ({@code help train} too). */
    static boolean askedForHelp(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult r = parsed; r != null; r = r.subcommand()) {
            if (r.isUsageHelpRequested() || r.isVersionHelpRequested()
                    || r.commandSpec().userObject() instanceof CommandLine.HelpCommand) {
                return true;
            }
        }
        return false;
    }

    /**
     * The exit code once the command's standard output is flushed: a write that failed (a full disk behind
     * {@code > file}, a closed pipe) loses output that the user asked for, so a run that would have exited 0
     * exits 2 instead and says so; Java's print streams keep such failures to themselves otherwise.
     */
    static int afterOutput(int code, boolean stdoutFailed, PrintStream err) {
        if (!stdoutFailed) {
            return code;
        }
        err.println(PREFIX + "cannot write standard output (a full disk, or the reader closed the pipe): the output"
                + " is incomplete");
        err.flush();
        return code == 0 ? USER_ERROR : code;
    }

    /** The one line for a heap too small for the model or the data, with how to raise it. */
    static String outOfMemoryMessage(long maxHeapBytes) {
        return PREFIX + "out of memory: the model or the data does not fit the JVM's heap of "
                + maxHeapBytes / (1024 * 1024) + " MB; give it more with MYELIN_OPTS=-Xmx8g (or any size), or use"
                + " smaller layers or data";
    }

    /**
     * The fully configured command line (error handlers included); tests call this and set their own
     * out/err writers.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .registerConverter(Path.class, Main::path)
                .registerConverter(Integer.class, v -> (int) integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE, "an int"))
                .registerConverter(Integer.TYPE, v -> (int) integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE, "an int"))
                .registerConverter(Long.class, v -> integer(v, Long.MIN_VALUE, Long.MAX_VALUE, "a long"))
                .registerConverter(Long.TYPE, v -> integer(v, Long.MIN_VALUE, Long.MAX_VALUE, "a long"))
                .registerConverter(Double.class, Main::real)
                .registerConverter(Double.TYPE, Main::real)
                .setParameterExceptionHandler(new ParameterErrors())
                .setExecutionExceptionHandler(new ExecutionErrors());
    }

    /**
     * A real option's value: a decimal number (an optional sign, digits with an optional point, an optional
     * exponent: {@code 0.1}, {@code .5}, {@code 1e-3}), and nan, inf and infinity with a sign and in any case, as
     * Python and numpy write them, so that {@code --lr nan} meets the option's own "must be finite" check as
     * {@code --lr NaN} does. Nothing else: Java's own parsing also takes {@code 0.1f}, {@code 1d}, hexadecimal
     * ({@code 0x1p-3}) and blanks around the number, which the CSV reader refuses in a cell and no user means as
     * a rate ("'0.1f' is not a double", picocli's words).
     */
    private static double real(String value) {
        String word = value.toLowerCase(java.util.Locale.ROOT);
        boolean negative = word.startsWith("-");
        String unsigned = negative || word.startsWith("+") ? word.substring(1) : word;
        switch (unsigned) {
            case "nan" -> {
                return Double.NaN;
            }
            case "inf", "infinity" -> {
                return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            }
            default -> {
                if (!DECIMAL.matcher(value).matches()) {
                    throw new CommandLine.TypeConversionException("'" + value + "' is not a double");
                }
                return Double.parseDouble(value);
            }
        }
    }

    /**
     * A decimal number as {@link #real} takes it, ASCII digits only. Each run of digits can be matched one way only,
     * so a long value that fails is refused in linear time (the form {@code [0-9]+\\.?[0-9]*} could split a run of
     * digits anywhere, and its backtracking grew with the square of the run's length).
     */
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    /**
     * An integer option's value: ASCII digits with an optional sign ("'x' is not an int" otherwise, picocli's
     * words), within [min, max] ("'99999999999' is out of range: above 2147483647, the most an int holds"). Java's own parsing also
     * takes digits of other scripts ({@code ٣}, {@code ３}), which no user means as a count.
     */
    private static long integer(String value, long min, long max, String type) {
        boolean digits = !value.isEmpty();
        for (int i = 0; i < value.length() && digits; i++) {
            char c = value.charAt(i);
            digits = c >= '0' && c <= '9' || i == 0 && (c == '+' || c == '-') && value.length() > 1;
        }
        if (!digits) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not " + type);
        }
        boolean negative = value.charAt(0) == '-';
        try {
            long v = Long.parseLong(value);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) { // digits only, so: beyond a long, and beyond [min, max]
        }
        // The type's limit, worded so that it is not read as a value the option takes (--epochs takes no negative)
        throw new CommandLine.TypeConversionException("'" + value + "' is out of range: " + (negative
                ? "below " + min + ", the least " : "above " + max + ", the most ") + type + " holds");
    }


    /**
     * A file option's value: any path but the empty one (a forgotten value, {@code --model=}). A name ending in
     * a separator names a folder, as it does for POSIX tools: {@link Path#of} drops the separator, so it is
     * checked here, while the text still has it — {@code --save notes.txt/} must not replace the file notes.txt,
     * nor {@code --save out/} write a file named out. Such a name must be a folder that exists (an IDX
     * {@code --data fashion-mnist/}); a command that wants a file then says that the folder is not one.
     */
    private static Path path(String value) {
        if (value.isEmpty()) {
            throw new CommandLine.TypeConversionException("empty file name");
        }
        if (value.isBlank()) { // an unset variable between quotes with a blank: a file no listing shows
            throw new CommandLine.TypeConversionException("a file name of blanks only ('" + value + "')");
        }
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a file name: " + e.getReason());
        }
        char last = value.charAt(value.length() - 1);
        if ((last == '/' || last == java.io.File.separatorChar) && !Files.isDirectory(path)) {
            throw new CommandLine.TypeConversionException("'" + value + "' ends in '" + last + "', which names a"
                    + " folder, but " + (Files.exists(path, LinkOption.NOFOLLOW_LINKS) ? path + " is not a folder"
                    : "there is no folder " + path) + "; for a file, leave the '" + last + "' out");
        }
        return path;
    }

    /**
     * {@code myelin} without a subcommand: one line, as every user error (not the usage, which would bury it), and a
     * user-error exit code.
     */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println(PREFIX + "missing command (train, predict, eval, report, info or bench; see 'myelin --help')");
        return USER_ERROR;
    }

    /**
     * Routes {@link System.Logger} (whose default backend is java.util.logging) to stderr, one line a record,
     * so that the kernel selection reads {@code myelin: kernel vector (...)} and never mixes with stdout.
     */
    static void configureLogging() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler(); // System.err
        handler.setFormatter(new OneLineLogFormatter());
        handler.setLevel(Level.INFO);
        root.addHandler(handler);
        root.setLevel(Level.INFO);
    }

    /** The user-facing text of a user error: what went wrong, with the file when there is one. */
    static String userMessage(Throwable e) {
        if (e instanceof UncheckedIOException u) {
            return userMessage(u.getCause());
        }
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + ": file not found";
        }
        if (e instanceof AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        if (e instanceof FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName());
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return message;
    }

    /**
     * A user error's text on one line, whatever the user typed: a value or a file name with a line break
     * ({@code $'5\n'}, {@code "$(printf 'a\nb.csv')"}) is shown escaped.
     */
    static String oneLine(String message) {
        return message.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }

    /** Whether {@code e} is a user error (exit 2) rather than a bug (exit 1). */
    static boolean isUserError(Throwable e) {
        return e instanceof IllegalArgumentException || e instanceof IOException || e instanceof UncheckedIOException;
    }

    /**
     * Bad command lines, in one line as every user error: the message, picocli's suggestions ("did you mean"),
     * and where the help is; exit 2. Not the synopsis: train's is twenty lines that bury the one that says what
     * is wrong.
     */
    static final class ParameterErrors implements IParameterExceptionHandler {
        @Override
        public int handleParseException(ParameterException ex, String[] args) {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            // picocli reports a missing required option before an unknown one; the unknown one is usually why the
            // required one is "missing" (--metric for --metrics), so it is named first
            String unknown = ex instanceof CommandLine.MissingParameterException ? unknownOption(cmd, args) : null;
            ParameterException shown = unknown == null ? ex
                    : new UnmatchedArgumentException(cmd, java.util.List.of(unknown));
            err.println(PREFIX + message(shown) + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return USER_ERROR;
        }

        static String message(ParameterException ex) {
            String message = oneLine(ex.getMessage());
            if (ex instanceof UnmatchedArgumentException unmatched && ex.getCommandLine().getParent() == null
                    && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
                // the first word of a command line names the command
                message = "unknown command '" + unmatched.getUnmatched().get(0) + "' (the commands: "
                        + String.join(", ", ex.getCommandLine().getSubcommands().keySet()) + ")";
            }
            if (ex instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
                message += "; did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?";
            }
            return message;
        }

        /**
         * The first word of {@code args} after {@code cmd}'s own name that is written as an option (a dash and a
         * letter) but is none of {@code cmd}'s, or null: negative numbers and the words after {@code --} are values.
         */
        private static String unknownOption(CommandLine cmd, String[] args) {
            int start = java.util.Arrays.asList(args).indexOf(cmd.getCommandName()) + 1;
            for (int i = start; i < args.length && !args[i].equals("--"); i++) {
                String a = args[i];
                boolean optionLike = a.length() > 1 && a.charAt(0) == '-'
                        && (Character.isLetter(a.charAt(1)) || a.startsWith("--") && a.length() > 2);
                String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
                if (optionLike && cmd.getCommandSpec().findOption(name) == null) {
                    return a;
                }
            }
            return null;
        }
    }

    /** Exceptions from a command: user errors as one line (exit 2), anything else with its stack trace (exit 1). */
    static final class ExecutionErrors implements IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
            PrintWriter err = cmd.getErr();
            cmd.getOut().flush();
            if (isUserError(ex)) {
                err.println(PREFIX + oneLine(userMessage(ex)));
                err.flush();
                return USER_ERROR;
            }
            err.println(PREFIX + "internal error, please report it with this stack trace:");
            ex.printStackTrace(err);
            err.flush();
            return 1;
        }
    }

    /** {@code --version}: the jar's Implementation-Version (set by the shade plugin). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"myelin " + (v != null ? v : "(development build)"),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
