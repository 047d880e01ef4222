package io.kubus.launcher.walkthrough;

import java.util.ArrayList;
import java.util.List;

/**
 * The walkthrough of a Markdown file, as a reader types it: one section's {@code ```console} blocks, where a line
 * {@code $ command} is a command (a trailing backslash continues it on the next line) and the lines after it, up to
 * the next command, are what it prints; and the section's {@code ```yaml} blocks whose first line is
 * {@code # path}: each is the whole of the file at that path, that first line included.
 *
 * @param steps the commands in reading order
 * @param files the files the walkthrough shows
 */
public record Walkthrough(List<Step> steps, List<ShownFile> files) {

    /** A command, the output printed under it, and the Markdown line it is on (for messages). */
    public record Step(String command, List<String> expected, int line) {
    }

    /** A file shown in full: its path (relative to the Markdown file) and its text. */
    public record ShownFile(String path, String text, int line) {
    }

    /**
     * @param markdown the Markdown text
     * @param heading  the section's heading line, e.g. {@code ## Walkthrough}; the section ends at the next heading
     *                 of the same or a higher level
     * @throws IllegalArgumentException when the section is missing, a block is not closed, or output comes before
     *                                  any command
     */
    public static Walkthrough parse(String markdown, String heading) {
        List<String> lines = markdown.lines().toList();
        int start = lines.indexOf(heading);
        if (start < 0) {
            throw new IllegalArgumentException("no line \"" + heading + "\"");
        }
        String level = heading.substring(0, heading.indexOf(' ') + 1);
        List<Step> steps = new ArrayList<>();
        List<ShownFile> files = new ArrayList<>();
        for (int i = start + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#") && isHeadingOfLevelAtMost(line, level.length() - 1)) {
                break;
            }
            if (line.equals("```console")) {
                i = consoleBlock(lines, i + 1, steps);
            } else if (line.equals("```yaml") && i + 1 < lines.size() && lines.get(i + 1).startsWith("# ")) {
                int end = closing(lines, i + 1);
                String path = lines.get(i + 1).substring(2).trim();
                files.add(new ShownFile(path, String.join("\n", lines.subList(i + 1, end)) + "\n", i + 2));
                i = end;
            } else if (line.startsWith("```")) {
                i = closing(lines, i + 1);
            }
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("no commands under \"" + heading + "\"");
        }
        return new Walkthrough(List.copyOf(steps), List.copyOf(files));
    }

    private static boolean isHeadingOfLevelAtMost(String line, int level) {
        int hashes = 0;
        while (hashes < line.length() && line.charAt(hashes) == '#') {
            hashes++;
        }
        return hashes <= level && hashes < line.length() && line.charAt(hashes) == ' ';
    }

    /** Reads a console block from {@code from}; returns the index of its closing fence. */
    private static int consoleBlock(List<String> lines, int from, List<Step> steps) {
        int end = closing(lines, from);
        StringBuilder command = null;
        int commandLine = 0;
        List<String> output = new ArrayList<>();
        for (int i = from; i < end; i++) {
            String line = lines.get(i);
            if (command != null && command.toString().endsWith("\\") && output.isEmpty()) {
                command.append('\n').append(line);   // bash reads backslash-newline as a continuation
            } else if (line.startsWith("$ ")) {
                if (command != null) {
                    steps.add(new Step(command.toString(), List.copyOf(output), commandLine));
                }
                command = new StringBuilder(line.substring(2));
                commandLine = i + 1;
                output.clear();
            } else if (command == null) {
                throw new IllegalArgumentException("line " + (i + 1) + ": output before any command: " + line);
            } else {
                output.add(line);
            }
        }
        if (command != null) {
            steps.add(new Step(command.toString(), List.copyOf(output), commandLine));
        }
        return end;
    }

    private static int closing(List<String> lines, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).equals("```")) {
                return i;
            }
        }
        throw new IllegalArgumentException("line " + from + ": a code block that is not closed");
    }
}
