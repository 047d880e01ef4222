package io.kubus.gateway.api;

import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import io.micronaut.core.annotation.Nullable;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The paging and version parameters of a list ({@code limit}, {@code continue}, {@code resourceVersion},
 * {@code resourceVersionMatch}), decoded and checked in kube-apiserver's order and with its messages: the query
 * decoding's strconv errors (400), then ValidateListOptions (422 Invalid on ListOptions.meta.k8s.io), then the
 * storage's checks of the version and the token (400).
 *
 * @param limit           at most this many objects per page; 0 (or negative, as in Kubernetes) lists them all
 * @param continueToken   the decoded token, or null
 * @param resourceVersion the version asked for: null when absent or "0" (the newest), else a positive number
 * @param exact           whether the list must show exactly {@code resourceVersion} (match=Exact, or a version
 *                        with a limit and no match, as kube-apiserver's legacy rule), or merely one not older
 */
record ListOptions(long limit, @Nullable ContinueToken continueToken, @Nullable BigInteger resourceVersion,
                   boolean exact) {
    static final String EXACT = "Exact";
    static final String NOT_OLDER_THAN = "NotOlderThan";

    boolean paged() {
        return limit > 0;
    }

    static ListOptions parse(Query query) {
        long limit = parseLimit(query.get("limit"));
        String cont = emptyToNull(query.get("continue"));
        String rv = emptyToNull(query.get("resourceVersion"));
        String match = emptyToNull(query.get("resourceVersionMatch"));
        validate(cont, rv, match);
        BigInteger version = parseVersion(rv);
        ContinueToken token = null;
        if (cont != null) {
            token = ContinueToken.decode(cont);
            if (version != null) {
                throw ApiException.badRequest("specifying resource version is not allowed when using continue");
            }
        }
        boolean exact = version != null && (EXACT.equals(match) || (match == null && limit > 0));
        return new ListOptions(limit, token, version, exact);
    }

    /** As Go's strconv.ParseInt, which decodes kube-apiserver's int64 query parameters; its error is the message. */
    private static long parseLimit(@Nullable String value) {
        if (value == null) {
            return 0;
        }
        String digits = value.startsWith("+") || value.startsWith("-") ? value.substring(1) : value;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw ApiException.badRequest("strconv.ParseInt: parsing " + ContinueToken.goQuote(value) + ": invalid syntax");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("strconv.ParseInt: parsing " + ContinueToken.goQuote(value)
                    + ": value out of range");
        }
    }

    /**
     * ValidateListOptions (k8s.io/apimachinery/pkg/apis/meta/internalversion/validation): every error at once, as
     * one 422 on the kind ListOptions of group meta.k8s.io with an empty name.
     */
    private static void validate(@Nullable String cont, @Nullable String rv, @Nullable String match) {
        if (match == null) {
            return;
        }
        List<StatusCause> causes = new ArrayList<>();
        if (rv == null) {
            causes.add(forbidden("resourceVersionMatch is forbidden unless resourceVersion is provided"));
        }
        if (cont != null) {
            causes.add(forbidden("resourceVersionMatch is forbidden when continue is provided"));
        }
        if (!match.equals(EXACT) && !match.equals(NOT_OLDER_THAN)) {
            causes.add(ApiException.cause("FieldValueNotSupported", "resourceVersionMatch", "Unsupported value: "
                    + ContinueToken.goQuote(match) + ": supported values: \"Exact\", \"NotOlderThan\", \"\""));
        }
        if (match.equals(EXACT) && "0".equals(rv)) {
            causes.add(forbidden("resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
        }
        if (!causes.isEmpty()) {
            throw invalid(causes);
        }
    }

    /** ValidateListOptions of a watch: a watch shows changes as they come, so it takes no resourceVersionMatch. */
    static void validateWatch(Query query) {
        if (emptyToNull(query.get("resourceVersionMatch")) != null) {
            throw invalid(List.of(forbidden("resourceVersionMatch is forbidden for watch")));
        }
    }

    private static ApiException invalid(List<StatusCause> causes) {
        String summary = causes.stream().map(c -> c.getField() + ": " + c.getMessage()).collect(Collectors.joining(", "));
        return ApiException.of(422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: "
                        + (causes.size() > 1 ? "[" + summary + "]" : summary),
                new StatusDetailsBuilder().withGroup("meta.k8s.io").withKind("ListOptions").withCauses(causes).build());
    }

    private static StatusCause forbidden(String detail) {
        return ApiException.cause("FieldValueForbidden", "resourceVersionMatch", "Forbidden: " + detail);
    }

    /**
     * The storage versioner's ParseResourceVersion ("" and "0" mean none), inside the etcd store's "invalid resource
     * version" BadRequest.
     */
    private static @Nullable BigInteger parseVersion(@Nullable String rv) {
        if (rv == null || rv.equals("0")) {
            return null;
        }
        String reason = null;
        if (!rv.chars().allMatch(c -> c >= '0' && c <= '9')) {
            reason = "invalid syntax";
        } else if (new BigInteger(rv).bitLength() > 64) {
            reason = "value out of range";
        }
        if (reason != null) {
            throw ApiException.badRequest("invalid resource version: resourceVersion: Invalid value: "
                    + ContinueToken.goQuote(rv) + ": strconv.ParseUint: parsing " + ContinueToken.goQuote(rv) + ": "
                    + reason);
        }
        BigInteger v = new BigInteger(rv);
        return v.signum() == 0 ? null : v;
    }

    private static @Nullable String emptyToNull(@Nullable String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
