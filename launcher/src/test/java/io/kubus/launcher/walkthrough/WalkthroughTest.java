package io.kubus.launcher.walkthrough;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The walkthrough's parser and output matcher (pure logic); the runs against clusters are in CI's scripts. */
class WalkthroughTest {

    static final String MD = """
            # Title
            ## Before
            ```console
            $ not-this
            ```
            ## Walkthrough
            Text.
            ```yaml
            # examples/a.yaml
            kind: Pod
            ```
            ```yaml
            kind: NotShownAsAFile
            ```
            ```console
            $ kubectl apply -f examples/a.yaml
            pod/a created
            $ kubectl get pods \\
                -o wide
            NAME   READY
            a      1/1

            $ true
            ```
            ### A subsection belongs to it
            ```console
            $ echo sub
            sub
            ```
            ## After
            ```console
            $ not-this-either
            ```
            """;

    @Test
    void parsesCommandsTheirOutputAndShownFilesOfTheSectionOnly() {
        Walkthrough w = Walkthrough.parse(MD, "## Walkthrough");
        assertEquals(List.of("kubectl apply -f examples/a.yaml", "kubectl get pods \\\n    -o wide", "true",
                "echo sub"), w.steps().stream().map(Walkthrough.Step::command).toList());
        assertEquals(List.of("pod/a created"), w.steps().get(0).expected());
        assertEquals(List.of("NAME   READY", "a      1/1", ""), w.steps().get(1).expected());
        assertEquals(List.of(), w.steps().get(2).expected());
        assertEquals(16, w.steps().get(0).line());
        assertEquals(9, w.files().get(0).line());
        assertEquals(1, w.files().size());
        assertEquals("examples/a.yaml", w.files().get(0).path());
        assertEquals("# examples/a.yaml\nkind: Pod\n", w.files().get(0).text());
    }

    @Test
    void refusesWhatItCannotRead() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Walkthrough.parse(MD, "## Missing"))
                .getMessage().contains("## Missing"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Walkthrough.parse("## W\n```console\noutput first\n```\n", "## W"))
                .getMessage().contains("output before any command"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Walkthrough.parse("## W\n```console\n$ ls\n", "## W")).getMessage().contains("not closed"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Walkthrough.parse("## W\nno commands\n## X\n", "## W")).getMessage().contains("no commands"));
    }

    @Test
    void whatVariesFromRunToRunIsNormalizedAndNothingElse() {
        assertEquals("web-cc5b578c6-<rand> 1/1 Running 0 <age> <ip> <node>",
                OutputMatcher.normalize("web-cc5b578c6-6jtbk   1/1     Running   0          4s    172.17.0.4   kubus-node"));
        assertEquals("Node: <node>/<ip>", OutputMatcher.normalize("Node:         kubus-node-2/127.0.0.1"));
        assertEquals("Start Time: <time>", OutputMatcher.normalize("Start Time:   Sun, 22 Nov 2026 07:16:24 +0000"));
        assertEquals("Container ID: docker://<id>", OutputMatcher.normalize(
                "Container ID:  docker://e5f7471bfa43cb1d7cc400f8649611319fad69102e7eb2c635f3f08bf107c3a7"));
        assertEquals("default Active <age>", OutputMatcher.normalize("default           Active   2m20s"));
        assertEquals("Normal Scheduled <age> default-scheduler x (x2 over <age>)",
                OutputMatcher.normalize("Normal  Scheduled  28s   default-scheduler  x (x2 over 3m)"));
        // not ages, not generated names
        assertEquals("web 3/3 3 3 8080/TCP pod-template-hash=cc5b578c6 memory: 16Mi",
                OutputMatcher.normalize("web 3/3 3 3 8080/TCP pod-template-hash=cc5b578c6 memory: 16Mi"));
        assertEquals("deployment \"web\" successfully rolled out",
                OutputMatcher.normalize("deployment \"web\" successfully rolled out"));
    }

    @Test
    void matchesTheSameOutputOfAnotherRun() {
        List<String> readme = List.of(
                "NAME                  READY   STATUS    RESTARTS   AGE",
                "web-cc5b578c6-6jtbk   1/1     Running   0          4s",
                "web-cc5b578c6-fvc48   1/1     Running   0          4s");
        List<String> printed = List.of(
                "NAME                  READY   STATUS    RESTARTS   AGE",
                "web-cc5b578c6-zq2xm   1/1     Running   0          1m5s",
                "web-cc5b578c6-b8c4d   1/1     Running   0          59s",
                "");
        assertTrue(OutputMatcher.mismatch(readme, printed).isEmpty());
        // lines in another order (kubectl logs -l of several pods)
        assertTrue(OutputMatcher.mismatch(List.of("a", "b", "c"), List.of("c", "a", "b")).isEmpty());
        // progress lines of rollout status, however many
        assertTrue(OutputMatcher.mismatch(
                List.of("Waiting for deployment \"web\" rollout to finish: 0 of 3 updated replicas are available...",
                        "deployment \"web\" successfully rolled out"),
                List.of("Waiting for deployment spec update to be observed...",
                        "Waiting for deployment \"web\" rollout to finish: 2 out of 3 new replicas have been updated...",
                        "Waiting for deployment \"web\" rollout to finish: 2 out of 3 new replicas have been updated...",
                        "deployment \"web\" successfully rolled out")).isEmpty());
    }

    @Test
    void findsEveryRealDifference() {
        List<String> readme = List.of(
                "NAME                  READY   STATUS    RESTARTS   AGE",
                "web-cc5b578c6-6jtbk   1/1     Running   0          4s",
                "web-cc5b578c6-fvc48   1/1     Running   0          4s");
        // a pod not running
        assertTrue(OutputMatcher.mismatch(readme, List.of(readme.get(0), readme.get(1),
                "web-cc5b578c6-fvc48   0/1     Pending   0          4s")).isPresent());
        // one pod missing, one too many
        assertTrue(OutputMatcher.mismatch(readme, readme.subList(0, 2)).isPresent());
        assertTrue(OutputMatcher.mismatch(readme, List.of(readme.get(0), readme.get(1), readme.get(2),
                "web-cc5b578c6-x2x2x   1/1     Running   0          4s")).isPresent());
        // a pod of another ReplicaSet (another template): the hash is no random suffix
        assertTrue(OutputMatcher.mismatch(readme, List.of(readme.get(0), readme.get(1),
                "web-66dcd8bd6f-fvc48   1/1     Running   0          4s")).isPresent());
        // an error instead of the output
        String why = OutputMatcher.mismatch(List.of("pod/pair created"),
                List.of("Error from server (AlreadyExists): pods \"pair\" already exists")).orElseThrow();
        assertTrue(why.contains("AlreadyExists") && why.contains("pod/pair created"), why);
        // the final line of rollout status is not progress
        assertTrue(OutputMatcher.mismatch(List.of("deployment \"web\" successfully rolled out"),
                List.of("error: deployment \"web\" exceeded its progress deadline")).isPresent());
    }

    @Test
    void anEllipsisStandsForAnyLinesInOrder() {
        List<String> readme = List.of("Name: pair", "...", "Events:", "...");
        assertTrue(OutputMatcher.mismatch(readme, List.of("Name: pair", "Events:")).isEmpty());
        assertTrue(OutputMatcher.mismatch(readme, List.of("Name: pair", "x", "y", "Events:", "z")).isEmpty());
        assertTrue(OutputMatcher.mismatch(readme, List.of("Events:", "Name: pair")).isPresent(), "order counts");
        assertTrue(OutputMatcher.mismatch(readme, List.of("Name: other", "Events:")).isPresent());
        assertTrue(OutputMatcher.mismatch(List.of("a", "..."), List.of("b", "a")).isPresent(), "anchored at the start");
    }

    @Test
    void theReadmesWalkthroughReadsAndShowsTheRepositorysFiles() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Walkthrough w = Walkthrough.parse(Files.readString(root.resolve("README.md")), "## Walkthrough");
        assertTrue(w.steps().size() >= 30, w.steps().size() + " commands");
        assertEquals(List.of("examples/pair.yaml", "examples/web.yaml", "examples/db.yaml"),
                w.files().stream().map(Walkthrough.ShownFile::path).toList());
        for (Walkthrough.ShownFile file : w.files()) {
            assertEquals(Files.readString(root.resolve(file.path())), file.text(), file.path());
        }
        assertTrue(w.steps().stream().allMatch(s -> s.command().startsWith("kubectl ")),
                "every command is kubectl: the cluster is started outside the section");
    }
}
