package io.kubus.gateway.auth;

import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.config.AuthSettings;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * kube-apiserver's --token-auth-file: a CSV file of {@code token,user,uid[,"group1,group2"]}, read at start. A line
 * that does not parse stops the start, naming the line, as kube-apiserver does.
 */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Singleton
public class StaticTokens implements TokenAuthenticator {
    private final Map<String, UserInfo> users = new HashMap<>();

    public StaticTokens(AuthSettings settings) {
        if (settings.getTokenAuthFile() == null || settings.getTokenAuthFile().isBlank()) {
            return;
        }
        Path file = Path.of(settings.getTokenAuthFile());
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token file " + file, e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> fields = csv(line);
            if (fields.size() < 3 || fields.get(0).isEmpty() || fields.get(1).isEmpty()) {
                throw new IllegalArgumentException("token file " + file + ", line " + (i + 1)
                        + ": want token,user,uid[,\"groups\"]");
            }
            List<String> groups = new ArrayList<>();
            if (fields.size() > 3 && !fields.get(3).isEmpty()) {
                groups.addAll(Arrays.stream(fields.get(3).split(",")).map(String::strip).filter(g -> !g.isEmpty()).toList());
            }
            groups.add(UserInfo.ALL_AUTHENTICATED);
            users.put(fields.get(0), new UserInfo(fields.get(1), fields.get(2), groups, Map.of()));
        }
    }

    @Override
    public Optional<UserInfo> authenticate(String token) {
        // compare every known token in constant time, so the time taken does not tell how much of a token matched
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        UserInfo found = null;
        for (Map.Entry<String, UserInfo> e : users.entrySet()) {
            if (MessageDigest.isEqual(given, e.getKey().getBytes(StandardCharsets.UTF_8))) {
                found = e.getValue();
            }
        }
        return Optional.ofNullable(found);
    }

    private static List<String> csv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
