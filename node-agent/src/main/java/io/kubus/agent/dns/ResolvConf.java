package io.kubus.agent.dns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A resolv.conf as the kubelet reads the host's ({@code --resolv-conf}): nameservers, the last {@code search} line's
 * domains (trailing dots trimmed, a lone "." dropped), the options of every {@code options} line. The node's DNS
 * server forwards to its nameservers; pods with dnsPolicy Default get all of it.
 */
public record ResolvConf(List<String> nameservers, List<String> searches, List<String> options) {

    public static ResolvConf parse(String text) {
        List<String> nameservers = new ArrayList<>();
        List<String> searches = new ArrayList<>();
        List<String> options = new ArrayList<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith(";")) {
                continue;
            }
            String[] fields = l.split("\\s+");
            switch (fields[0].toLowerCase(Locale.ROOT)) {
                case "nameserver" -> {
                    if (fields.length > 1) {
                        nameservers.add(fields[1]);
                    }
                }
                case "search" -> {
                    searches.clear();
                    for (int i = 1; i < fields.length; i++) {
                        if (!fields[i].equals(".")) {
                            searches.add(fields[i].endsWith(".")
                                    ? fields[i].substring(0, fields[i].length() - 1) : fields[i]);
                        }
                    }
                }
                case "options" -> {
                    for (int i = 1; i < fields.length; i++) {
                        options.add(fields[i]);
                    }
                }
                default -> {
                    // domain, sortlist: the kubelet ignores them too
                }
            }
        }
        return new ResolvConf(List.copyOf(nameservers), List.copyOf(searches), List.copyOf(options));
    }

    /** The file's content; a missing or unreadable file reads as empty (no nameservers), as the kubelet takes it. */
    public static ResolvConf read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new ResolvConf(List.of(), List.of(), List.of());
        }
    }

    /** The file as written for a pod: search, nameserver and options lines (the order containerd writes). */
    public String render() {
        StringBuilder b = new StringBuilder();
        if (!searches.isEmpty()) {
            b.append("search ").append(String.join(" ", searches)).append('\n');
        }
        for (String ns : nameservers) {
            b.append("nameserver ").append(ns).append('\n');
        }
        if (!options.isEmpty()) {
            b.append("options ").append(String.join(" ", options)).append('\n');
        }
        return b.toString();
    }
}
