package io.kubus.gateway.api;

import io.kubus.schema.validation.GoQuote;
import io.kubus.gateway.store.ListKey;
import io.kubus.schema.ResourceType;
import io.micronaut.core.annotation.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The {@code continue} token of a paged list, in kube-apiserver's format (k8s.io/apiserver/pkg/storage/continue.go):
 * unpadded URL-safe base64 of {@code {"v":"meta.k8s.io/v1","rv":N,"start":"KEY"}}, where N is the version every page
 * shows (-1 after a 410: continue at the newest version) and KEY is where the next page starts.
 *
 * <p>KEY is the storage key of the list's last object followed by a NUL byte ("start after this key"), as etcd's key
 * would be, but relative to the store's root rather than to the list's prefix: {@code pods/default/web\u0000}, or
 * {@code nodes/node-1\u0000} for a cluster-scoped kind. Relative to the root, a token names the resource and the
 * namespace it was issued for, so one used with another list is refused instead of quietly listing from a key of
 * someone else's list.
 *
 * <p>Decoding is strict and its errors are the ones kube-apiserver answers with, which are Go's: base64 and JSON
 * syntax errors as Go's encoding packages word them, then the token's own checks. Unlike Go's lenient decoder,
 * an unknown field is an error too.
 */
public record ContinueToken(long resourceVersion, String start) {
    static final String VERSION = "meta.k8s.io/v1";
    /** The resourceVersion of a token that continues at the newest version (kube-apiserver's inconsistent token). */
    static final long LATEST = -1;

    private static final String INVALID = "continue key is not valid";
    private static final String GO_TYPE = "storage.continueToken";
    private static final String URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /** The token's text. */
    public String encode() {
        String json = "{\"v\":" + jsonString(VERSION) + ",\"rv\":" + resourceVersion + ",\"start\":" + jsonString(start)
                + "}";
        return base64(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The start key of the page after the object {@code namespace/name} of a list of {@code type}. Keys name the
     * storage version's resource, as etcd keys do, so a token goes on in any version of the kind.
     */
    static String startAfter(ResourceType type, String namespace, String name) {
        return type.storageType().qualifiedPlural() + "/" + (type.namespaced() ? namespace + "/" : "") + name + "\u0000";
    }

    /** Where a page starts: after {@code key}, or at it when {@code inclusive}. */
    record Position(ListKey key, boolean inclusive) {
    }

    /**
     * Where this token's next page starts in the list of {@code type} in {@code namespace} (null: all namespaces);
     * a 400 if the token was issued for another resource or namespace.
     */
    Position position(ResourceType type, @Nullable String namespace) {
        String prefix = type.storageType().qualifiedPlural() + "/"
                + (type.namespaced() && namespace != null ? namespace + "/" : "");
        if (!start.startsWith(prefix)) {
            throw invalid(INVALID);
        }
        String rest = start.substring(prefix.length());
        boolean inclusive = !rest.endsWith("\u0000");
        if (!inclusive) {
            rest = rest.substring(0, rest.length() - 1);
        }
        String ns = type.namespaced() ? namespace : "";
        String name = rest;
        if (type.namespaced() && namespace == null) {
            int slash = rest.indexOf('/');
            if (slash <= 0) {
                throw invalid(INVALID);
            }
            ns = rest.substring(0, slash);
            name = rest.substring(slash + 1);
        }
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\u0000') >= 0) {
            throw invalid(INVALID);
        }
        return new Position(new ListKey(ns, name), inclusive);
    }

    /** Decodes a token as kube-apiserver's DecodeContinue does; a 400 with its message when it cannot. */
    static ContinueToken decode(String token) {
        byte[] data = unbase64(token);
        Fields f = new Fields();
        new GoJson(data, f).decode();
        if (!VERSION.equals(f.v)) {
            // Go formats this one with "%w %v": no colon, and a trailing space when the version is empty.
            throw invalid("continue key is not valid: server does not recognize this encoded version " + f.v);
        }
        if (f.rv == 0) {
            throw invalid("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
        if (f.start.isEmpty()) {
            throw invalid("continue key is not valid: encoded start key empty (version meta.k8s.io/v1)");
        }
        // kube-apiserver's defence against path traversal: the key must be clean, so it cannot climb out of its list.
        String key = f.start.startsWith("/") ? f.start : "/" + f.start;
        String cleaned = cleanPath(key);
        if (!cleaned.equals(key)) {
            throw invalid(INVALID + ": " + f.start);
        }
        return new ContinueToken(f.rv, cleaned.substring(1));
    }

    private static ApiException invalid(String reason) {
        return ApiException.badRequest("invalid continue token: " + reason);
    }

    private static final class Fields {
        String v = "";
        long rv;
        String start = "";
    }

    // ---- base64, as Go's base64.RawURLEncoding ----

    private static String base64(byte[] data) {
        StringBuilder sb = new StringBuilder((data.length * 4 + 2) / 3);
        for (int i = 0; i < data.length; i += 3) {
            int b = (data[i] & 0xff) << 16 | (i + 1 < data.length ? (data[i + 1] & 0xff) << 8 : 0)
                    | (i + 2 < data.length ? data[i + 2] & 0xff : 0);
            int chars = Math.min(4, (data.length - i) * 4 / 3 + ((data.length - i) * 4 % 3 == 0 ? 0 : 1));
            for (int j = 0; j < chars; j++) {
                sb.append(URL_ALPHABET.charAt(b >> (18 - 6 * j) & 0x3f));
            }
        }
        return sb.toString();
    }

    /**
     * Go's decoder: line breaks are skipped, any other byte outside the alphabet (padding included, since the raw
     * encoding has none) is "illegal base64 data at input byte N", as is a lone last character; the unused low
     * bits of the last character are not checked.
     */
    private static byte[] unbase64(String text) {
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(in.length * 3 / 4);
        int acc = 0;
        int n = 0;
        for (int i = 0; i < in.length; i++) {
            int c = in[i] & 0xff;
            if (c == '\n' || c == '\r') {
                continue;
            }
            int v = c < 128 ? URL_ALPHABET.indexOf(c) : -1;
            if (v < 0) {
                throw invalid(INVALID + ": illegal base64 data at input byte " + i);
            }
            acc = acc << 6 | v;
            if (++n == 4) {
                out.write(acc >> 16);
                out.write(acc >> 8 & 0xff);
                out.write(acc & 0xff);
                acc = 0;
                n = 0;
            }
        }
        switch (n) {
            case 1 -> throw invalid(INVALID + ": illegal base64 data at input byte " + (in.length - 1));
            case 2 -> out.write(acc >> 4);
            case 3 -> {
                out.write(acc >> 10);
                out.write(acc >> 2 & 0xff);
            }
            default -> { }
        }
        return out.toByteArray();
    }

    // ---- path.Clean ----

    /** Go's path.Clean for a rooted path. */
    static String cleanPath(String path) {
        Deque<String> parts = new ArrayDeque<>();
        for (String p : path.split("/", -1)) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return "/" + String.join("/", parts);
    }

    // ---- JSON, as Go's encoding/json reads it into the token's struct ----

    /** A JSON string as Go's encoding/json writes it. */
    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * Checks the syntax first, as Go's Unmarshal does (its scanner's error messages, or "unexpected end of JSON
     * input"), then reads the fields, keeping the first type error in document order as Go's decoder does.
     */
    private static final class GoJson {
        private final byte[] in;
        private final Fields fields;
        private int pos;
        private String firstError;

        GoJson(byte[] in, Fields fields) {
            this.in = in;
            this.fields = fields;
        }

        void decode() {
            pos = 0;
            skipSpace();
            scanValue();
            skipSpace();
            if (pos < in.length) {
                throw syntax("after top-level value");
            }
            pos = 0;
            skipSpace();
            decodeTop();
            if (firstError != null) {
                throw invalid(INVALID + ": " + firstError);
            }
        }

        // -- the syntax check --

        private void scanValue() {
            if (pos >= in.length) {
                throw eof();
            }
            int c = in[pos] & 0xff;
            switch (c) {
                case '{' -> scanObject();
                case '[' -> scanArray();
                case '"' -> scanString();
                case 't' -> scanLiteral("true");
                case 'f' -> scanLiteral("false");
                case 'n' -> scanLiteral("null");
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        scanNumber();
                    } else {
                        throw syntax("looking for beginning of value");
                    }
                }
            }
        }

        private void scanObject() {
            pos++;
            skipSpace();
            if (peek() == '}') {
                pos++;
                return;
            }
            while (true) {
                if (pos >= in.length) {
                    throw eof();
                }
                if (in[pos] != '"') {
                    throw syntax("looking for beginning of object key string");
                }
                scanString();
                skipSpace();
                if (pos >= in.length) {
                    throw eof();
                }
                if (in[pos] != ':') {
                    throw syntax("after object key");
                }
                pos++;
                skipSpace();
                scanValue();
                skipSpace();
                if (pos >= in.length) {
                    throw eof();
                }
                if (in[pos] == '}') {
                    pos++;
                    return;
                }
                if (in[pos] != ',') {
                    throw syntax("after object key:value pair");
                }
                pos++;
                skipSpace();
            }
        }

        private void scanArray() {
            pos++;
            skipSpace();
            if (peek() == ']') {
                pos++;
                return;
            }
            while (true) {
                scanValue();
                skipSpace();
                if (pos >= in.length) {
                    throw eof();
                }
                if (in[pos] == ']') {
                    pos++;
                    return;
                }
                if (in[pos] != ',') {
                    throw syntax("after array element");
                }
                pos++;
                skipSpace();
            }
        }

        private void scanString() {
            pos++;
            while (true) {
                if (pos >= in.length) {
                    throw eof();
                }
                int c = in[pos] & 0xff;
                if (c == '"') {
                    pos++;
                    return;
                }
                if (c < 0x20) {
                    throw syntax("in string literal");
                }
                if (c == '\\') {
                    pos++;
                    if (pos >= in.length) {
                        throw eof();
                    }
                    int e = in[pos] & 0xff;
                    if (e == 'u') {
                        for (int i = 0; i < 4; i++) {
                            pos++;
                            if (pos >= in.length) {
                                throw eof();
                            }
                            if (Character.digit(in[pos] & 0xff, 16) < 0) {
                                throw syntax("in \\u hexadecimal character escape");
                            }
                        }
                    } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                        throw syntax("in string escape code");
                    }
                }
                pos++;
            }
        }

        private void scanNumber() {
            if (in[pos] == '-') {
                pos++;
                if (pos >= in.length) {
                    throw eof();
                }
                if (!digit(in[pos])) {
                    throw syntax("in numeric literal");
                }
            }
            if (in[pos] == '0') {
                pos++;
            } else {
                while (pos < in.length && digit(in[pos])) {
                    pos++;
                }
            }
            if (pos < in.length && in[pos] == '.') {
                pos++;
                if (pos >= in.length) {
                    throw eof();
                }
                if (!digit(in[pos])) {
                    throw syntax("after decimal point in numeric literal");
                }
                while (pos < in.length && digit(in[pos])) {
                    pos++;
                }
            }
            if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
                pos++;
                if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) {
                    pos++;
                }
                if (pos >= in.length) {
                    throw eof();
                }
                if (!digit(in[pos])) {
                    throw syntax("in exponent of numeric literal");
                }
                while (pos < in.length && digit(in[pos])) {
                    pos++;
                }
            }
        }

        private void scanLiteral(String word) {
            pos++;
            for (int i = 1; i < word.length(); i++) {
                if (pos >= in.length) {
                    throw eof();
                }
                if (in[pos] != word.charAt(i)) {
                    throw syntax("in literal " + word + " (expecting '" + word.charAt(i) + "')");
                }
                pos++;
            }
        }

        // -- reading the fields (the syntax is known to be valid) --

        private void decodeTop() {
            int c = in[pos];
            if (c == 'n') {
                return; // null leaves the token empty, as in Go
            }
            if (c != '{') {
                typeError(kind(c) + " into Go value of type " + GO_TYPE);
                return;
            }
            pos++;
            skipSpace();
            if (in[pos] == '}') {
                return;
            }
            while (true) {
                String key = readString();
                skipSpace();
                pos++; // ':'
                skipSpace();
                switch (key) {
                    case "v" -> fields.v = readStringField("v", fields.v);
                    case "start" -> fields.start = readStringField("start", fields.start);
                    case "rv" -> readRv();
                    default -> {
                        if (firstError == null) {
                            firstError = "json: unknown field " + GoQuote.quote(key);
                        }
                        skipValue();
                    }
                }
                skipSpace();
                if (in[pos++] == '}') {
                    return;
                }
                skipSpace();
            }
        }

        private String readStringField(String name, String current) {
            int c = in[pos];
            if (c == '"') {
                return readString();
            }
            if (c != 'n') {
                typeError(kind(c) + " into Go struct field continueToken." + name + " of type string");
            }
            skipValue();
            return current;
        }

        private void readRv() {
            int c = in[pos];
            if (c == '-' || digit(in[pos])) {
                int from = pos;
                skipValue();
                String literal = new String(in, from, pos - from, StandardCharsets.US_ASCII);
                try {
                    fields.rv = Long.parseLong(literal);
                } catch (NumberFormatException e) {
                    typeError("number " + literal + " into Go struct field continueToken.rv of type int64");
                }
                return;
            }
            if (c != 'n') {
                typeError(kind(c) + " into Go struct field continueToken.rv of type int64");
            }
            skipValue();
        }

        private void typeError(String what) {
            if (firstError == null) {
                firstError = "json: cannot unmarshal " + what;
            }
        }

        private static String kind(int c) {
            return switch (c) {
                case '{' -> "object";
                case '[' -> "array";
                case '"' -> "string";
                case 't', 'f' -> "bool";
                default -> "number";
            };
        }

        private void skipValue() {
            scanValue();
        }

        private String readString() {
            pos++;
            java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
            StringBuilder sb = new StringBuilder();
            while (in[pos] != '"') {
                if (in[pos] == '\\') {
                    flush(raw, sb);
                    char e = (char) in[pos + 1];
                    pos += 2;
                    switch (e) {
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'u' -> {
                            sb.append((char) Integer.parseInt(new String(in, pos, 4, StandardCharsets.US_ASCII), 16));
                            pos += 4;
                        }
                        default -> sb.append(e);
                    }
                } else {
                    raw.write(in[pos++]);
                }
            }
            pos++;
            flush(raw, sb);
            return sb.toString();
        }

        private static void flush(java.io.ByteArrayOutputStream raw, StringBuilder sb) {
            if (raw.size() > 0) {
                sb.append(raw.toString(StandardCharsets.UTF_8));
                raw.reset();
            }
        }

        // -- helpers --

        private int peek() {
            return pos < in.length ? in[pos] & 0xff : -1;
        }

        private void skipSpace() {
            while (pos < in.length && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) {
                pos++;
            }
        }

        private static boolean digit(byte b) {
            return b >= '0' && b <= '9';
        }

        private ApiException eof() {
            return invalid(INVALID + ": unexpected end of JSON input");
        }

        private ApiException syntax(String context) {
            return invalid(INVALID + ": invalid character " + quoteChar(in[pos] & 0xff) + " " + context);
        }

        /** Go's quoteChar: the byte as a rune, in single quotes, escaped as strconv.Quote would. */
        private static String quoteChar(int c) {
            if (c == '\'') {
                return "'\\''";
            }
            if (c == '"') {
                return "'\"'";
            }
            String s = switch (c) {
                case 7 -> "\\a";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case 11 -> "\\v";
                case '\\' -> "\\\\";
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        yield String.format("\\x%02x", c);
                    }
                    if ((c >= 0x80 && c <= 0xa0) || c == 0xad) {
                        yield String.format("\\u%04x", c);
                    }
                    yield String.valueOf((char) c);
                }
            };
            return "'" + s + "'";
        }
    }
}
