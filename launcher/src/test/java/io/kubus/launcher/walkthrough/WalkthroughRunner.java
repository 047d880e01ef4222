package io.kubus.launcher.walkthrough;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs the README's walkthrough against a running cluster, verbatim: every command in order with {@code bash -c}
 * in the README's folder, its output (stdout and stderr, as a terminal shows them) checked with
 * {@link OutputMatcher}; and every file the walkthrough shows must be the file in the repository. Stops at the
 * first difference, with exit status 1.
 *
 * <pre>
 *   java launcher/src/test/java/io/kubus/launcher/walkthrough/WalkthroughRunner.java README.md ["## Walkthrough"]
 * </pre>
 *
 * The cluster is the one of {@code KUBECONFIG} (set by the caller: {@code .ci/walkthrough} for {@code ./kubus up},
 * {@code .ci/compose-smoke} for the compose stack). A read-only command ({@code kubectl get}, {@code describe},
 * {@code logs}, {@code rollout history}) whose output differs is run again for up to {@value #SETTLE_SECONDS} s, as
 * a reader who typed it a moment later would see the state settled (a pod of the old ReplicaSet still terminating);
 * any other command runs once. Plain Java, no dependencies, so that it runs from source on any JDK 25.
 */
public final class WalkthroughRunner {

    static final int SETTLE_SECONDS = 30;
    static final int COMMAND_TIMEOUT_SECONDS = 240;
    private static final Pattern READ_ONLY =
            Pattern.compile("^kubectl (get|describe|logs|rollout history|exec \\S+ -c \\S+ -- wget)\\b.*", Pattern.DOTALL);

    private WalkthroughRunner() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: WalkthroughRunner README.md [\"## Walkthrough\"]");
            System.exit(2);
        }
        Path readme = Path.of(args[0]).toAbsolutePath();
        String heading = args.length > 1 ? args[1] : "## Walkthrough";
        Walkthrough walkthrough = Walkthrough.parse(Files.readString(readme), heading);
        Path dir = readme.getParent();
        long start = System.nanoTime();

        for (Walkthrough.ShownFile file : walkthrough.files()) {
            Path path = dir.resolve(file.path());
            if (!Files.isRegularFile(path) || !Files.readString(path).equals(file.text())) {
                fail(readme, file.line(), file.path() + " is not the file the README shows");
            }
            System.out.println("walkthrough: " + file.path() + " is as shown");
        }
        int n = 0;
        for (Walkthrough.Step step : walkthrough.steps()) {
            n++;
            System.out.println("$ " + step.command());
            long t0 = System.nanoTime();
            boolean retry = READ_ONLY.matcher(step.command()).matches();
            long settleDeadline = t0 + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
            int runs = 0;
            while (true) {
                runs++;
                List<String> printed = run(step.command(), dir);
                Optional<String> mismatch = OutputMatcher.mismatch(step.expected(), printed);
                if (mismatch.isEmpty()) {
                    printed.forEach(l -> System.out.println("  " + l));
                    System.out.printf("  (ok in %.1f s%s)%n", (System.nanoTime() - t0) / 1e9,
                            runs > 1 ? ", " + runs + " runs" : "");
                    break;
                }
                if (!retry || System.nanoTime() > settleDeadline) {
                    printed.forEach(l -> System.out.println("  " + l));
                    fail(readme, step.line(), "step " + n + " printed something else" + mismatch.get());
                }
                Thread.sleep(1000);
            }
        }
        System.out.printf("walkthrough: %d commands and %d files as the README shows them, in %.1f s%n",
                walkthrough.steps().size(), walkthrough.files().size(), (System.nanoTime() - start) / 1e9);
    }

    private static List<String> run(String command, Path dir) throws IOException, InterruptedException {
        Path out = Files.createTempFile("walkthrough", ".out");   // a file, so that a hung command cannot block us
        try {
            Process p = new ProcessBuilder("bash", "-c", command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return List.of("(no exit within " + COMMAND_TIMEOUT_SECONDS + " s)");
            }
            return Files.readString(out, StandardCharsets.UTF_8).lines().toList();
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void fail(Path readme, int line, String message) {
        System.out.println("walkthrough: FAILED at " + readme.getFileName() + ":" + line + ": " + message);
        System.exit(1);
    }
}
