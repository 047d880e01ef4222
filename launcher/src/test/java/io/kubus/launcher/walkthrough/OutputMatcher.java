package io.kubus.launcher.walkthrough;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether what a command printed is what the README says it prints, up to what differs from run to run.
 *
 * <p>Both sides are normalized line by line: runs of blanks become one space (kubectl's columns widen with their
 * values); ages ({@code 5s}, {@code 2m10s}) become {@code <age>}; IPv4 addresses {@code <ip>}; timestamps
 * {@code <time>}; container and image ids {@code <id>}; the random five-character suffix of a generated name
 * ({@code web-786ff9995b-4k8k8}) {@code -<rand>}; node names {@code kubus-node}, {@code kubus-node-1}
 * {@code <node>} (one node under {@code ./kubus up}, two in the compose stack). {@code kubectl rollout status}'s
 * "Waiting for ..." progress lines are dropped: how many there are depends on timing, the final line does not.
 *
 * <p>Then the lines must be equal in order, or — since kubectl sorts by name and generated names are random —
 * equal as a multiset. A line {@code ...} in the expected output stands for any number of lines (then order
 * counts); the README uses it to shorten {@code kubectl describe}.
 */
public final class OutputMatcher {

    public static final String ELLIPSIS = "...";

    private static final Pattern BLANKS = Pattern.compile("[ \\t]+");
    private static final Pattern TIME_RFC1123 =
            Pattern.compile("\\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{1,2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\b");
    private static final Pattern TIME_ISO =
            Pattern.compile("\\b\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:?\\d{2})?\\b");
    private static final Pattern IDS = Pattern.compile("\\b(docker://|sha256:)?[0-9a-f]{64}\\b");
    private static final Pattern IPV4 = Pattern.compile("\\b\\d{1,3}(\\.\\d{1,3}){3}\\b");
    private static final Pattern NODE = Pattern.compile("\\bkubus-node(-\\d+)?\\b");
    /** Kubernetes' alphabet for generated names (no vowels, no 0/1/3): a word of 5 of them after a dash. */
    private static final Pattern RANDOM_SUFFIX = Pattern.compile("-[bcdfghjklmnpqrstvwxz2456789]{5}\\b");
    private static final Pattern AGE = Pattern.compile("(?<![\\w.:/-])(\\d+d)?(\\d+h)?(\\d+m)?(\\d+s)?(?<=[dhms])(?![\\w/])");
    private static final Pattern ROLLOUT_PROGRESS = Pattern.compile("^Waiting for (deployment|daemon set|partitioned roll out) .*");

    private OutputMatcher() {
    }

    public static String normalize(String line) {
        String s = BLANKS.matcher(line.strip()).replaceAll(" ");
        s = TIME_RFC1123.matcher(s).replaceAll("<time>");
        s = TIME_ISO.matcher(s).replaceAll("<time>");
        s = IDS.matcher(s).replaceAll("$1<id>");
        s = IPV4.matcher(s).replaceAll("<ip>");
        s = NODE.matcher(s).replaceAll("<node>");
        s = RANDOM_SUFFIX.matcher(s).replaceAll("-<rand>");
        return AGE.matcher(s).replaceAll("<age>");
    }

    static List<String> normalizeAll(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank() && out.isEmpty()) {
                continue;
            }
            if (!ROLLOUT_PROGRESS.matcher(line.strip()).matches()) {
                out.add(line.equals(ELLIPSIS) ? ELLIPSIS : normalize(line));
            }
        }
        while (!out.isEmpty() && out.getLast().isBlank()) {
            out.removeLast();
        }
        return out;
    }

    /** Empty when {@code actual} is what {@code expected} says; otherwise why not. */
    public static Optional<String> mismatch(List<String> expected, List<String> actual) {
        List<String> want = normalizeAll(expected);
        List<String> got = normalizeAll(actual);
        if (want.contains(ELLIPSIS)) {
            return globMatches(want, 0, got, 0) ? Optional.empty()
                    : Optional.of("no match in order (with \"...\" for any lines)" + diff(want, got));
        }
        if (want.equals(got)) {
            return Optional.empty();
        }
        if (want.size() == got.size() && want.stream().sorted().toList().equals(got.stream().sorted().toList())) {
            return Optional.empty();
        }
        return Optional.of(diff(want, got));
    }

    private static boolean globMatches(List<String> want, int w, List<String> got, int g) {
        if (w == want.size()) {
            return g == got.size();
        }
        if (want.get(w).equals(ELLIPSIS)) {
            for (int skip = g; skip <= got.size(); skip++) {
                if (globMatches(want, w + 1, got, skip)) {
                    return true;
                }
            }
            return false;
        }
        return g < got.size() && want.get(w).equals(got.get(g)) && globMatches(want, w + 1, got, g + 1);
    }

    private static String diff(List<String> want, List<String> got) {
        StringBuilder b = new StringBuilder("\n  expected (normalized):");
        want.forEach(l -> b.append("\n    | ").append(l));
        b.append("\n  printed (normalized):");
        got.forEach(l -> b.append("\n    | ").append(l));
        return b.toString();
    }
}
