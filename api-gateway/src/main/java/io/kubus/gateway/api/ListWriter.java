package io.kubus.gateway.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubus.schema.KubusJson;
import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Writes a list object by object into a buffer that the caller drains as it goes: a list of JSON, YAML or a Table
 * never exists whole in memory. The stored objects are already the JSON the API serves, so a JSON list copies them.
 *
 * <p>A paged list writes its {@code metadata} after the items: its continue token and remaining count are known only
 * once the page is read. JSON and YAML readers (Go's, Jackson, kubectl) take an object's fields in any order. An
 * unpaged list writes its metadata first, as kube-apiserver does.
 */
abstract sealed class ListWriter {
    /** Where the list is written; the caller takes the bytes out between calls. */
    final ByteArrayOutputStream out = new ByteArrayOutputStream(ListStream.CHUNK_BYTES + 8192);

    static ListWriter of(Format format, ResourceType type, Representation representation, @Nullable String includeObject) {
        return switch (format) {
            case JSON -> new Json(type, representation);
            case YAML -> new Yaml(type, representation);
            case TABLE -> new Table(type, representation, Representation.includeObjectMode(includeObject));
        };
    }

    /** Whether {@link #item} needs the object parsed. */
    abstract boolean parses();

    /** The list's start; with {@code metadataFirst}, its metadata (the resourceVersion) too. */
    abstract void start(long version, boolean metadataFirst);

    abstract void item(String json, @Nullable ObjectNode object);

    /** The list's end; the metadata here unless it came first. */
    abstract void end(long version, boolean metadataFirst, @Nullable String continueToken, @Nullable Long remaining);

    static ObjectNode metadata(long version, @Nullable String continueToken, @Nullable Long remaining) {
        ObjectNode meta = JsonNodeFactory.instance.objectNode();
        meta.put("resourceVersion", Long.toString(version));
        if (continueToken != null) {
            meta.put("continue", continueToken);
        }
        if (remaining != null) {
            meta.put("remainingItemCount", remaining);
        }
        return meta;
    }

    void write(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A JSON list: kind, apiVersion, metadata, items copied as stored, or converted when the list is of a served-only
     * version.
     */
    static final class Json extends ListWriter {
        private final ResourceType type;
        private final Representation representation;
        private boolean first = true;

        Json(ResourceType type, Representation representation) {
            this.type = type;
            this.representation = representation;
        }

        @Override
        boolean parses() {
            return !type.isStorageType();
        }

        @Override
        void start(long version, boolean metadataFirst) {
            write("{\"kind\":" + ContinueToken.jsonString(type.listKind()) + ",\"apiVersion\":"
                    + ContinueToken.jsonString(type.apiVersion()) + ","
                    + (metadataFirst ? "\"metadata\":" + KubusJson.write(metadata(version, null, null)) + "," : "")
                    + "\"items\":[");
        }

        @Override
        void item(String json, @Nullable ObjectNode object) {
            if (!first) {
                out.write(',');
            }
            first = false;
            write(type.isStorageType() ? json : KubusJson.write(representation.served(type, object)));
        }

        @Override
        void end(long version, boolean metadataFirst, @Nullable String continueToken, @Nullable Long remaining) {
            write(metadataFirst ? "]}"
                    : "],\"metadata\":" + KubusJson.write(metadata(version, continueToken, remaining)) + "}");
        }
    }

    /** A meta.k8s.io/v1 Table: the kind's columns, then one row per object. */
    static final class Table extends ListWriter {
        private final ResourceType type;
        private final Representation representation;
        private final String mode;
        private final Instant now;
        private boolean first = true;

        Table(ResourceType type, Representation representation, String mode) {
            this.type = type;
            this.representation = representation;
            this.mode = mode;
            // One "now" for the whole list, so that every row's age is taken at the same moment.
            this.now = Instant.now(representation.clock());
        }

        @Override
        boolean parses() {
            return true;
        }

        @Override
        void start(long version, boolean metadataFirst) {
            write("{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\","
                    + (metadataFirst ? "\"metadata\":" + KubusJson.write(metadata(version, null, null)) + "," : "")
                    + "\"columnDefinitions\":" + KubusJson.write(representation.columnDefinitions(type))
                    + ",\"rows\":[");
        }

        @Override
        void item(String json, @Nullable ObjectNode object) {
            if (!first) {
                out.write(',');
            }
            first = false;
            write(KubusJson.write(representation.tableRow(type, object, now, mode)));
        }

        @Override
        void end(long version, boolean metadataFirst, @Nullable String continueToken, @Nullable Long remaining) {
            write(metadataFirst ? "]}"
                    : "],\"metadata\":" + KubusJson.write(metadata(version, continueToken, remaining)) + "}");
        }
    }

    /** A YAML list, written by Jackson's YAML generator one object at a time. */
    static final class Yaml extends ListWriter {
        private final ResourceType type;
        private final Representation representation;
        private final JsonGenerator gen;

        Yaml(ResourceType type, Representation representation) {
            this.type = type;
            this.representation = representation;
            try {
                this.gen = KubusJson.yaml().createGenerator(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        boolean parses() {
            return true;
        }

        @Override
        void start(long version, boolean metadataFirst) {
            try {
                gen.writeStartObject();
                gen.writeStringField("kind", type.listKind());
                gen.writeStringField("apiVersion", type.apiVersion());
                if (metadataFirst) {
                    gen.writeFieldName("metadata");
                    KubusJson.yaml().writeTree(gen, metadata(version, null, null));
                }
                gen.writeFieldName("items");
                gen.writeStartArray();
                gen.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        void item(String json, @Nullable ObjectNode object) {
            try {
                KubusJson.yaml().writeTree(gen, representation.served(type, object));
                gen.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        void end(long version, boolean metadataFirst, @Nullable String continueToken, @Nullable Long remaining) {
            try {
                gen.writeEndArray();
                if (!metadataFirst) {
                    gen.writeFieldName("metadata");
                    KubusJson.yaml().writeTree(gen, metadata(version, continueToken, remaining));
                }
                gen.writeEndObject();
                gen.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
