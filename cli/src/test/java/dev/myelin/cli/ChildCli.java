package dev.myelin.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code myelin ARGS} in a new JVM (this one's java and class path, with the Vector API module), for what
 * an in-process run cannot show: a property read at class initialisation, the real exit code, the working
 * directory. Output goes to files read after the child exits: no reader thread to starve on a 2-core machine.
 */
record ChildCli(int exitCode, String out, String err) {

    static ChildCli run(Path workDir, Map<String, String> env, String... args) throws IOException,
            InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> command = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(Arrays.asList(args));
        return runCommand(command, workDir, env);
    }

    /**
     * Runs {@code command} (any program: the {@code ./myelin} launcher too) in {@code workDir} with {@code env}
     * added to this environment, without {@code JAVA_TOOL_OPTIONS}, {@code JAVA_OPTS} and {@code MYELIN_OPTS} unless
     * {@code env} sets them.
     */
    static ChildCli runCommand(List<String> command, Path workDir, Map<String, String> env) throws IOException,
            InterruptedException {
        Path out = Files.createTempFile("myelin-child-", ".out");
        Path err = Files.createTempFile("myelin-child-", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            builder.environment().remove("JAVA_OPTS");
            builder.environment().remove("MYELIN_OPTS");
            builder.environment().putAll(env);
            int code = builder.start().waitFor();
            return new ChildCli(code, Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** stderr without the JVM's own notes ("Picked up JAVA_TOOL_OPTIONS", the incubator-module warning). */
    List<String> messages() {
        return err.lines().filter(l -> !l.startsWith("Picked up ") && !l.startsWith("WARNING: Using incubator"))
                .toList();
    }

    String transcript() {
        return "exit " + exitCode + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
    }
}
