package io.kubus.gateway.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the installed kubectl against a kubeconfig, with its own discovery cache so runs never share one. */
public final class Kubectl {
    private final Path kubeconfig;
    private final Path cacheDir;
    private final Path workDir;

    public Kubectl(Path kubeconfig, Path workDir) {
        this.kubeconfig = kubeconfig;
        this.workDir = workDir;
        this.cacheDir = workDir.resolve("kube-cache");
    }

    public Result run(String... args) {
        return run(30, args);
    }

    public Result run(int timeoutSeconds, String... args) {
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", cacheDir.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).start();
            p.getOutputStream().close();
            var out = p.getInputStream();
            var err = p.getErrorStream();
            var outBytes = new java.io.ByteArrayOutputStream();
            var errBytes = new java.io.ByteArrayOutputStream();
            // Platform threads: a virtual thread reading a pipe holds its carrier, and with kubectl waiting long (a
            // delete --wait, a watch) the two copies took both carriers of a 2-core machine, starving the gateway in
            // the same JVM, whose requests run on virtual threads.
            Thread to = Thread.ofPlatform().daemon().start(() -> copy(out, outBytes));
            Thread te = Thread.ofPlatform().daemon().start(() -> copy(err, errBytes));
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor();
            }
            to.join();
            te.join();
            return new Result(p.exitValue(), outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("kubectl is not runnable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts kubectl without waiting, e.g. for {@code get -w}. */
    public Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", cacheDir.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
    }

    /** Starts kubectl without waiting, its stderr going to {@code errors}: for output to be parsed, e.g. a watch's JSON. */
    public Process start(Path errors, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", cacheDir.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(workDir.toFile()).redirectError(errors.toFile()).start();
    }

    private static void copy(java.io.InputStream in, java.io.OutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            // the process ended
        }
    }

    /** What kubectl printed and returned. */
    public record Result(int exitCode, String out, String err) {
        public Result ok() {
            if (exitCode != 0) {
                throw new AssertionError("kubectl failed (" + exitCode + "): " + err + out);
            }
            return this;
        }
    }
}
