package io.kubus.gateway.encryption;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.validation.ErrorList;
import io.kubus.schema.validation.FieldProblem;

import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * kube-apiserver's {@code --encryption-provider-config} file (apiserver.config.k8s.io/v1 EncryptionConfiguration),
 * validated as kube-apiserver validates it. Kubus supports the {@code aesgcm} and {@code identity} providers and
 * refuses the others by name. A resource is {@code plural} (core group), {@code plural.group}, {@code *.group},
 * {@code *.} (the core group) or {@code *.*}; the first rule, in file order, that matches a resource encrypts it.
 */
public final class EncryptionConfiguration {
    public static final String API_VERSION = "apiserver.config.k8s.io/v1";
    public static final String KIND = "EncryptionConfiguration";
    private static final List<Integer> AES_KEY_SIZES = List.of(16, 24, 32);
    private static final List<String> KUBE_PROVIDERS = List.of("aesgcm", "aescbc", "secretbox", "kms", "identity");

    private record Rule(List<String> resources, ValueTransformer transformer) {
        boolean matches(String group, String plural) {
            for (String r : resources) {
                int dot = r.indexOf('.');
                String res = dot < 0 ? r : r.substring(0, dot);
                String grp = dot < 0 ? "" : r.substring(dot + 1);
                if ((grp.equals("*") || grp.equals(group)) && (res.equals("*") || res.equals(plural))) {
                    return true;
                }
            }
            return false;
        }
    }

    private final List<Rule> rules;

    private EncryptionConfiguration(List<Rule> rules) {
        this.rules = rules;
    }

    /** The transformer of a resource, or empty when no rule names it (stored as it is). */
    public Optional<ValueTransformer> transformer(ResourceType type) {
        return rules.stream().filter(r -> r.matches(type.group(), type.plural())).findFirst().map(Rule::transformer);
    }

    /**
     * Reads and validates the file; a missing, unreadable or invalid file is an {@link InvalidEncryptionConfigException}
     * whose message names the file and every field at fault (never a key's value).
     */
    public static EncryptionConfiguration read(Path file, SecureRandom random) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidEncryptionConfigException(file, "error opening encryption provider configuration file: "
                    + e);
        }
        JsonNode doc;
        try {
            doc = KubusJson.yaml().readTree(text);
        } catch (JsonProcessingException e) {
            // The parser's own message may quote the line, which may hold a key: only the place is told.
            throw new InvalidEncryptionConfigException(file, "error decoding encryption provider configuration file: "
                    + "not valid YAML at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr());
        }
        if (doc == null || !doc.isObject()) {
            throw new InvalidEncryptionConfigException(file, "error decoding encryption provider configuration file: "
                    + "not a YAML or JSON object");
        }
        if (!API_VERSION.equals(doc.path("apiVersion").asText()) || !KIND.equals(doc.path("kind").asText())) {
            throw new InvalidEncryptionConfigException(file, "got unexpected config type: apiVersion "
                    + KubusJson.write(doc.path("apiVersion")) + ", kind " + KubusJson.write(doc.path("kind"))
                    + " (want apiVersion " + API_VERSION + ", kind " + KIND + ")");
        }
        ErrorList errs = new ErrorList();
        List<Rule> rules = new ArrayList<>();
        List<JsonNode> resources = list(doc.get("resources"), "resources", errs);
        if (resources.isEmpty() && errs.isEmpty()) {
            errs.required("resources", "at least one resources is required");
        }
        for (int i = 0; i < resources.size(); i++) {
            String at = "resources[" + i + "]";
            List<String> names = resourceNames(resources.get(i).get("resources"), at + ".resources", errs);
            List<JsonNode> providerNodes = list(resources.get(i).get("providers"), at + ".providers", errs);
            if (providerNodes.isEmpty()) {
                errs.required(at + ".providers", "at least one " + at + ".providers is required");
            }
            List<Provider> providers = new ArrayList<>();
            for (int j = 0; j < providerNodes.size(); j++) {
                Provider p = provider(providerNodes.get(j), at + ".providers[" + j + "]", errs, random);
                if (p != null) {
                    providers.add(p);
                }
            }
            if (!names.isEmpty() && providers.size() == providerNodes.size() && !providers.isEmpty()) {
                rules.add(new Rule(names, new ValueTransformer(providers)));
            }
        }
        if (!errs.isEmpty()) {
            throw new InvalidEncryptionConfigException(file, errs.problems().stream().map(FieldProblem::toString)
                    .collect(Collectors.joining(", ")));
        }
        return new EncryptionConfiguration(List.copyOf(rules));
    }

    /**
     * A new configuration that encrypts Secrets with a random 32-byte aesgcm key {@code key1}, and reads values stored
     * before encryption was on ({@code identity} second).
     */
    public static String newSecretsConfiguration(SecureRandom random) {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return """
                apiVersion: %s
                kind: %s
                resources:
                  - resources: [secrets]
                    providers:
                      - aesgcm:
                          keys:
                            - name: key1
                              secret: %s
                      - identity: {}
                """.formatted(API_VERSION, KIND, Base64.getEncoder().encodeToString(key));
    }

    private static List<JsonNode> list(JsonNode node, String field, ErrorList errs) {
        List<JsonNode> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            errs.invalid(field, node.getNodeType().name().toLowerCase(), "must be a list");
            return out;
        }
        node.forEach(out::add);
        return out;
    }

    private static List<String> resourceNames(JsonNode node, String field, ErrorList errs) {
        List<String> names = new ArrayList<>();
        for (JsonNode n : list(node, field, errs)) {
            names.add(n.asText());
        }
        if (names.isEmpty()) {
            errs.required(field, "at least one " + field + " is required");
        }
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < names.size(); k++) {
            String r = names.get(k);
            String at = field + "[" + k + "]";
            int dot = r.indexOf('.');
            String group = dot < 0 ? "" : r.substring(dot + 1);
            if (!r.toLowerCase().equals(r)) {
                errs.invalid(at, r, "resource name should not contain capital letters");
            } else if (r.equals("*")) {
                errs.invalid(at, r, "use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources");
            } else if (group.equals("*") && !r.equals("*.*")) {
                errs.invalid(at, r, "encrypting the same resource across groups is not supported");
            } else if (!seen.add(r)) {
                errs.invalid(field, names, "the same resource cannot be specified multiple times");
            }
        }
        return names;
    }

    private static Provider provider(JsonNode node, String at, ErrorList errs, SecureRandom random) {
        List<String> named = new ArrayList<>();
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(f -> {
                if (KUBE_PROVIDERS.contains(f)) {
                    named.add(f);
                }
            });
        }
        if (named.isEmpty()) {
            errs.invalid(at, node.toString(),
                    "provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity");
            return null;
        }
        if (named.size() > 1) {
            errs.invalid(at, node.toString(),
                    "more than one provider specified in a single element, should split into different list elements");
            return null;
        }
        String kind = named.getFirst();
        return switch (kind) {
            case "identity" -> new IdentityProvider();
            case "aesgcm" -> aesGcm(node.get(kind), at + ".aesgcm", errs, random);
            default -> {
                errs.add(FieldProblem.notSupported(at, kind, List.of("aesgcm", "identity")));
                yield null;
            }
        };
    }

    private static Provider aesGcm(JsonNode node, String at, ErrorList errs, SecureRandom random) {
        List<JsonNode> keyNodes = node == null || node.getNodeType() != JsonNodeType.OBJECT ? List.of()
                : list(node.get("keys"), at + ".keys", errs);
        if (keyNodes.isEmpty()) {
            errs.required(at + ".keys", "at least one keys is required");
            return null;
        }
        List<AesGcmProvider.Key> keys = new ArrayList<>();
        for (int k = 0; k < keyNodes.size(); k++) {
            String keyAt = at + ".keys[" + k + "]";
            String name = keyNodes.get(k).path("name").asText("");
            String secret = keyNodes.get(k).path("secret").asText("");
            if (name.isEmpty()) {
                errs.required(keyAt + ".name", "name is a mandatory field for a key");
            }
            if (secret.isEmpty()) {
                errs.required(keyAt + ".secret", "secret is a mandatory field for a key");
                continue;
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(secret);
            } catch (IllegalArgumentException e) {
                errs.invalid(keyAt + ".secret", "REDACTED", "secrets must be base64 encoded");
                continue;
            }
            if (!AES_KEY_SIZES.contains(bytes.length)) {
                errs.invalid(keyAt + ".secret", "REDACTED", "secret is not of the expected length, got "
                        + bytes.length + ", expected one of [16 24 32]");
                continue;
            }
            if (!name.isEmpty()) {
                keys.add(new AesGcmProvider.Key(name, new SecretKeySpec(bytes, "AES")));
            }
        }
        return keys.size() == keyNodes.size() ? new AesGcmProvider(keys, random) : null;
    }
}
