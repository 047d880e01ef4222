package io.kubus.gateway.protobuf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubus.gateway.api.ApiException;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.kubus.schema.ResourceTypes;
import jakarta.inject.Singleton;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads request bodies in Kubernetes' protobuf encoding ({@code application/vnd.kubernetes.protobuf}, which the
 * typed clients inside kubectl send) and turns them into the JSON the same object has in Kubernetes' JSON encoding,
 * so the rest of the gateway sees what a JSON client would have sent.
 *
 * <p>The wire form (k8s.io/apimachinery/pkg/runtime/serializer/protobuf) is the four bytes {@code k8s\0} followed by
 * a {@code runtime.Unknown}: the object's apiVersion and kind, and in {@code raw} the object's own message from the
 * Kubernetes {@code generated.proto} files (client-java-proto carries them for Kubernetes 1.32).
 *
 * <p>The conversion walks the message by its descriptor; protobuf's own JSON printer is no use, since it writes
 * int64 as strings and Kubernetes' hand-encoded types (Time, Quantity, IntOrString, ...) as objects. Field names are
 * the proto names, which Kubernetes generates from the Go json tags. Go's protobuf code writes every non-pointer
 * field, zero or not, so a zero string, number or boolean is left out, as Go's {@code omitempty} would when encoding
 * that object as JSON, except in fields that are pointers in the Go types (listed in {@code pointer-fields.txt}),
 * where a zero was set on purpose ({@code replicas: 0}, {@code backoffLimit: 0}). Elements of lists and maps are
 * always kept.
 */
@Singleton
public final class KubernetesProtobuf {
    public static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

    private static final byte[] MAGIC = {0x6b, 0x38, 0x73, 0x00};
    private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1.";
    private static final String TIME = META + "Time";
    private static final String MICRO_TIME = META + "MicroTime";
    private static final String DURATION = META + "Duration";
    private static final String FIELDS_V1 = META + "FieldsV1";
    private static final String QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity";
    private static final String INT_OR_STRING = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
    private static final String RAW_EXTENSION = "k8s.io.apimachinery.pkg.runtime.RawExtension";
    /** The user extras of a CertificateSigningRequest and of the reviews: a []string type of Go's. */
    private static final Set<String> EXTRA_VALUES = Set.of("k8s.io.api.certificates.v1.ExtraValue",
            "k8s.io.api.authorization.v1.ExtraValue", "k8s.io.api.authentication.v1.ExtraValue");
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter RFC3339_MICRO = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX").withZone(ZoneOffset.UTC);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /**
     * Fields of Go structs embedded with {@code json:",inline"}: protobuf nests them under a field of their own,
     * JSON puts their members straight into the enclosing object (a probe's {@code httpGet}, an env var's
     * {@code configMapKeyRef.name}, an Ingress rule's {@code http}). These are all of them in the group versions
     * Kubus serves (k8s.io/api v0.32.0); beside them, only {@link #JSON_NAMES} differ from their JSON names.
     */
    static final Set<String> INLINE_FIELDS = Set.of(
            "k8s.io.api.core.v1.Volume.volumeSource",
            "k8s.io.api.core.v1.PersistentVolumeSpec.persistentVolumeSource",
            "k8s.io.api.core.v1.SecretProjection.localObjectReference",
            "k8s.io.api.core.v1.ConfigMapVolumeSource.localObjectReference",
            "k8s.io.api.core.v1.ConfigMapProjection.localObjectReference",
            "k8s.io.api.core.v1.ConfigMapKeySelector.localObjectReference",
            "k8s.io.api.core.v1.SecretKeySelector.localObjectReference",
            "k8s.io.api.core.v1.ConfigMapEnvSource.localObjectReference",
            "k8s.io.api.core.v1.SecretEnvSource.localObjectReference",
            "k8s.io.api.core.v1.Probe.handler",
            "k8s.io.api.core.v1.EphemeralContainer.ephemeralContainerCommon",
            "k8s.io.api.networking.v1.IngressRule.ingressRuleValue");
    /**
     * Fields whose proto name is not their JSON name: the protobuf generator lower-cased only the first letter of a Go
     * field named with an initialism when its protobuf tag gave no name of its own (APIGroup became aPIGroup).
     */
    static final Map<String, String> JSON_NAMES = Map.of(
            "k8s.io.api.networking.v1.IngressClassParametersReference.aPIGroup", "apiGroup",
            "k8s.io.api.authentication.v1.BoundObjectReference.uID", "uid");
    /**
     * The bodies of requests that are not stored kinds, as "apiVersion kind": a Scale, an Eviction (in
     * policy/v1beta1 too, which the eviction subresource accepts as kube-apiserver does), a TokenRequest, and the
     * reviews ({@code kubectl create token}, {@code auth can-i} and {@code auth whoami} send them as protobuf).
     */
    static final List<String> SUBRESOURCE_BODIES = List.of("autoscaling/v1 Scale", "policy/v1 Eviction",
            "policy/v1beta1 Eviction", "authentication.k8s.io/v1 TokenRequest", "authentication.k8s.io/v1 TokenReview",
            "authentication.k8s.io/v1 SelfSubjectReview", "authorization.k8s.io/v1 SubjectAccessReview",
            "authorization.k8s.io/v1 SelfSubjectAccessReview", "authorization.k8s.io/v1 LocalSubjectAccessReview",
            "authorization.k8s.io/v1 SelfSubjectRulesReview");

    private final Map<String, Descriptor> messages = new HashMap<>();
    private final Set<String> pointerFields;

    public KubernetesProtobuf() {
        // DeleteOptions is registered in every group version, meta.k8s.io/v1 included
        Set<String> apiVersions = new HashSet<>(List.of("meta.k8s.io/v1"));
        for (ResourceType type : ResourceTypes.all()) {
            Descriptor d = protoFile(type.group(), type.version())
                    .map(file -> file.findMessageTypeByName(type.kind())).orElse(null);
            if (d != null) {
                // a kind client-java-proto has no message for cannot come as protobuf; its bodies come as JSON
                messages.put(key(type.apiVersion(), type.kind()), d);
                apiVersions.add(type.apiVersion());
            }
        }
        for (String body : SUBRESOURCE_BODIES) {
            String apiVersion = body.substring(0, body.indexOf(' '));
            String kind = body.substring(body.indexOf(' ') + 1);
            String[] gv = apiVersion.split("/");
            messages.put(key(apiVersion, kind), protoFile(gv[0], gv[1]).map(f -> f.findMessageTypeByName(kind))
                    .orElseThrow(() -> new IllegalStateException("client-java-proto has no " + body)));
            apiVersions.add(apiVersion);
        }
        for (String apiVersion : apiVersions) {
            messages.put(key(apiVersion, "DeleteOptions"), Meta.DeleteOptions.getDescriptor());
        }
        pointerFields = readPointerFields();
    }

    /**
     * The generated.proto of a group version, found by client-java-proto's naming (io.kubernetes.client.proto.V1 for
     * the core group, V1Apps for apps/v1, V1Rbac for rbac.authorization.k8s.io/v1: the version, then the group's
     * first label), so that a new kind needs nothing here.
     */
    static java.util.Optional<FileDescriptor> protoFile(String group, String version) {
        String label = group.isEmpty() ? "" : group.split("\\.")[0];
        String name = "io.kubernetes.client.proto." + Character.toUpperCase(version.charAt(0)) + version.substring(1)
                + (label.isEmpty() ? "" : Character.toUpperCase(label.charAt(0)) + label.substring(1));
        try {
            return java.util.Optional.of((FileDescriptor) Class.forName(name).getMethod("getDescriptor").invoke(null));
        } catch (ClassNotFoundException e) {
            return java.util.Optional.empty();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the protobuf schema " + name, e);
        }
    }

    /** True for a Content-Type naming Kubernetes' protobuf encoding, whatever its parameters. */
    public static boolean isProtobuf(String contentType) {
        return contentType != null
                && contentType.split(";")[0].trim().equalsIgnoreCase(MEDIA_TYPE);
    }

    /** The object in {@code body}, as Kubernetes would write it in JSON, with its kind and apiVersion. */
    public ObjectNode decode(byte[] body) {
        if (body == null || body.length < MAGIC.length
                || !Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw ApiException.badRequest("the body is not in the Kubernetes protobuf encoding: it must start with "
                    + "the bytes \"k8s\\x00\"");
        }
        Runtime.Unknown unknown;
        try {
            unknown = Runtime.Unknown.parseFrom(CodedInputStream.newInstance(body, MAGIC.length,
                    body.length - MAGIC.length));
        } catch (InvalidProtocolBufferException e) {
            throw ApiException.badRequest("the protobuf body could not be decoded: " + e.getMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("the protobuf body could not be read: " + e.getMessage());
        }
        String apiVersion = unknown.getTypeMeta().getApiVersion();
        String kind = unknown.getTypeMeta().getKind();
        if (kind.isEmpty()) {
            throw ApiException.badRequest("Object 'Kind' is missing in the protobuf body");
        }
        if (apiVersion.isEmpty()) {
            throw ApiException.badRequest("Object 'apiVersion' is missing in the protobuf body");
        }
        if (!unknown.getContentEncoding().isEmpty()) {
            throw ApiException.badRequest("the protobuf body has the content encoding \""
                    + unknown.getContentEncoding() + "\": only unencoded bodies are accepted");
        }
        String rawType = unknown.getContentType();
        if (!rawType.isEmpty() && !rawType.equalsIgnoreCase(MEDIA_TYPE)) {
            throw ApiException.badRequest("the protobuf body carries its object as \"" + rawType + "\": only "
                    + MEDIA_TYPE + " is accepted");
        }
        Descriptor descriptor = messages.get(key(apiVersion, kind));
        if (descriptor == null) {
            throw ApiException.badRequest("no kind \"" + kind + "\" is registered for version \"" + apiVersion
                    + "\" in the protobuf encoding");
        }
        Message message;
        try {
            message = DynamicMessage.parseFrom(descriptor, unknown.getRaw());
        } catch (InvalidProtocolBufferException e) {
            throw ApiException.badRequest("the protobuf body could not be decoded as " + apiVersion + " " + kind
                    + ": " + e.getMessage());
        }
        ObjectNode out = NODES.objectNode();
        out.put("kind", kind);
        out.put("apiVersion", apiVersion);
        out.setAll(object(message));
        return out;
    }

    /** Any Kubernetes message as JSON, without the kind and apiVersion an envelope would give. */
    ObjectNode decodeMessage(Message message) {
        return object(message);
    }

    private ObjectNode object(Message message) {
        if (!message.getUnknownFields().asMap().isEmpty()) {
            // A field newer than client-java-proto's schema: dropping it would silently lose what the client set.
            throw ApiException.badRequest("the protobuf body sets field number "
                    + message.getUnknownFields().asMap().keySet().iterator().next() + " of "
                    + message.getDescriptorForType().getFullName() + ", which this server's protobuf schema does "
                    + "not know; send the object as JSON instead");
        }
        ObjectNode out = NODES.objectNode();
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            if (field.isMapField()) {
                int n = message.getRepeatedFieldCount(field);
                if (n == 0) {
                    continue;
                }
                Descriptor entry = field.getMessageType();
                FieldDescriptor keyField = entry.findFieldByNumber(1);
                FieldDescriptor valueField = entry.findFieldByNumber(2);
                ObjectNode map = out.putObject(jsonName(field));
                for (int i = 0; i < n; i++) {
                    Message e = (Message) message.getRepeatedField(field, i);
                    map.set(String.valueOf(e.getField(keyField)), value(valueField, e.getField(valueField), true));
                }
            } else if (field.isRepeated()) {
                int n = message.getRepeatedFieldCount(field);
                if (n == 0) {
                    continue;
                }
                ArrayNode list = out.putArray(jsonName(field));
                for (int i = 0; i < n; i++) {
                    list.add(value(field, message.getRepeatedField(field, i), true));
                }
            } else if (INLINE_FIELDS.contains(field.getFullName())) {
                if (message.hasField(field)) {
                    out.setAll(object((Message) message.getField(field)));
                }
            } else if (message.hasField(field)) {
                JsonNode v = value(field, message.getField(field), pointerFields.contains(field.getFullName()));
                if (v != null) {
                    out.set(jsonName(field), v);
                }
            }
        }
        return out;
    }

    private static String jsonName(FieldDescriptor field) {
        return JSON_NAMES.getOrDefault(field.getFullName(), field.getName());
    }

    /** The JSON for one value, or null when it is Go's zero value and {@code keepZero} is false. */
    private JsonNode value(FieldDescriptor field, Object value, boolean keepZero) {
        switch (field.getJavaType()) {
            case MESSAGE:
                return message((Message) value, keepZero);
            case STRING:
                String s = (String) value;
                return s.isEmpty() && !keepZero ? null : NODES.textNode(s);
            case INT:
                int i = (Integer) value;
                if (i == 0 && !keepZero) {
                    return null;
                }
                boolean unsigned = field.getType() == FieldDescriptor.Type.UINT32
                        || field.getType() == FieldDescriptor.Type.FIXED32;
                return unsigned && i < 0 ? NODES.numberNode(Integer.toUnsignedLong(i)) : NODES.numberNode(i);
            case LONG:
                long l = (Long) value;
                // As Jackson reads JSON: an int when it fits, so the result compares equal to the same object read
                // from JSON (the gateway compares stored and incoming objects as trees).
                return l == 0 && !keepZero ? null
                        : l == (int) l ? NODES.numberNode((int) l) : NODES.numberNode(l);
            case BOOLEAN:
                boolean b = (Boolean) value;
                return !b && !keepZero ? null : NODES.booleanNode(b);
            case BYTE_STRING:
                ByteString bytes = (ByteString) value;
                return bytes.isEmpty() && !keepZero ? null
                        : NODES.textNode(Base64.getEncoder().encodeToString(bytes.toByteArray()));
            case FLOAT:
                float f = (Float) value;
                return f == 0 && !keepZero ? null : NODES.numberNode(new BigDecimal(Float.toString(f)));
            case DOUBLE:
                double d = (Double) value;
                return d == 0 && !keepZero ? null : NODES.numberNode(d);
            case ENUM:
                return NODES.textNode(((com.google.protobuf.Descriptors.EnumValueDescriptor) value).getName());
            default:
                throw new IllegalStateException("unexpected protobuf field type " + field.getJavaType());
        }
    }

    /** A nested message: Kubernetes' hand-encoded types become their JSON form, others an object. */
    private JsonNode message(Message m, boolean keepZero) {
        Descriptor d = m.getDescriptorForType();
        return switch (d.getFullName()) {
            case TIME -> time(m, RFC3339);
            case MICRO_TIME -> time(m, RFC3339_MICRO);
            case QUANTITY -> NODES.textNode(str(m, "string").isEmpty() ? "0" : str(m, "string"));
            case INT_OR_STRING -> intOrString(m, keepZero);
            case DURATION -> NODES.textNode(GoDuration.format(num(m, "duration")));
            case RAW_EXTENSION -> embedded(bytes(m, "raw"));
            case FIELDS_V1 -> embedded(bytes(m, "Raw"));
            default -> EXTRA_VALUES.contains(d.getFullName()) ? extraValue(m) : object(m);
        };
    }

    /** An ExtraValue is a []string in Go, a JSON array; protobuf wraps its strings in a message. */
    private static JsonNode extraValue(Message m) {
        ArrayNode items = NODES.arrayNode();
        FieldDescriptor field = m.getDescriptorForType().findFieldByName("items");
        for (int i = 0; i < m.getRepeatedFieldCount(field); i++) {
            items.add((String) m.getRepeatedField(field, i));
        }
        return items;
    }

    /** A Time that was never set travels as an empty message and is null in JSON, like Go's zero time. */
    private static JsonNode time(Message m, DateTimeFormatter format) {
        FieldDescriptor seconds = m.getDescriptorForType().findFieldByName("seconds");
        FieldDescriptor nanos = m.getDescriptorForType().findFieldByName("nanos");
        if (!m.hasField(seconds) && !m.hasField(nanos)) {
            return NODES.nullNode();
        }
        Instant t = Instant.ofEpochSecond((Long) m.getField(seconds), ((Integer) m.getField(nanos)).longValue());
        return NODES.textNode(format.format(t));
    }

    /** type 1 is a string; anything else is an int. A zero int in a non-pointer field is Go's zero value. */
    private static JsonNode intOrString(Message m, boolean keepZero) {
        if (num(m, "type") == 1) {
            String s = str(m, "strVal");
            return s.isEmpty() && !keepZero ? null : NODES.textNode(s);
        }
        long v = num(m, "intVal");
        return v == 0 && !keepZero ? null : NODES.numberNode((int) v);
    }

    /** Embedded JSON (RawExtension, FieldsV1); an embedded protobuf object is decoded in turn. */
    private JsonNode embedded(ByteString raw) {
        if (raw.isEmpty()) {
            return NODES.nullNode();
        }
        byte[] bytes = raw.toByteArray();
        if (bytes.length >= MAGIC.length && Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return decode(bytes);
        }
        try {
            return KubusJson.json().readTree(bytes);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("an embedded object in the protobuf body is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String str(Message m, String field) {
        return (String) m.getField(m.getDescriptorForType().findFieldByName(field));
    }

    private static long num(Message m, String field) {
        return ((Number) m.getField(m.getDescriptorForType().findFieldByName(field))).longValue();
    }

    private static ByteString bytes(Message m, String field) {
        return (ByteString) m.getField(m.getDescriptorForType().findFieldByName(field));
    }

    private static String key(String apiVersion, String kind) {
        return apiVersion + " " + kind;
    }

    /** The Go pointer fields, by proto full name; package-visible so a test can check each one exists. */
    static Set<String> readPointerFields() {
        Set<String> names = new HashSet<>();
        try (InputStream in = KubernetesProtobuf.class.getResourceAsStream("pointer-fields.txt")) {
            if (in == null) {
                throw new IllegalStateException("pointer-fields.txt is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    names.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(names);
    }
}
