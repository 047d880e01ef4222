package io.kubus.gateway.api;

import io.kubus.schema.validation.GoQuote;
import io.micronaut.core.annotation.Nullable;

import java.math.BigInteger;

/**
 * The paging and version parameters of a list ({@code limit}, {@code continue}, {@code resourceVersion}, with the
 * match that {@link ListOptions} has checked), read with kube-apiserver's messages: {@code limit} as the query
 * decoding's strconv.ParseInt reads it (400), then the storage's checks of the version and the token (400).
 *
 * @param limit           at most this many objects per page; 0 (or negative, as in Kubernetes) lists them all
 * @param continueToken   the decoded token, or null
 * @param resourceVersion the version asked for: null when absent or "0" (the newest), else a positive number
 * @param exact           whether the list must show exactly {@code resourceVersion} (match=Exact, or a version
 *                        with a limit and no match, as kube-apiserver's legacy rule), or merely one not older
 */
record ListPaging(long limit, @Nullable ContinueToken continueToken, @Nullable BigInteger resourceVersion,
                  boolean exact) {

    boolean paged() {
        return limit > 0;
    }

    /** Reads the paging of a list whose {@link ListOptions} were read and checked already. */
    static ListPaging of(Query query, ListOptions options) {
        Long limit = query.int64("limit");
        BigInteger version = parseVersion(options.resourceVersion());
        ContinueToken token = null;
        if (!options.continueToken().isEmpty()) {
            token = ContinueToken.decode(options.continueToken());
            if (version != null) {
                throw ApiException.badRequest("specifying resource version is not allowed when using continue");
            }
        }
        long n = limit == null ? 0 : limit;
        String match = options.resourceVersionMatch();
        boolean exact = version != null && (match.equals(ListOptions.EXACT) || (match.isEmpty() && n > 0));
        return new ListPaging(n, token, version, exact);
    }

    /**
     * The storage versioner's ParseResourceVersion ("" and "0" mean none), inside the etcd store's "invalid resource
     * version" BadRequest.
     */
    private static @Nullable BigInteger parseVersion(String rv) {
        if (rv.isEmpty() || rv.equals("0")) {
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
                    + GoQuote.quote(rv) + ": strconv.ParseUint: parsing " + GoQuote.quote(rv) + ": " + reason);
        }
        BigInteger v = new BigInteger(rv);
        return v.signum() == 0 ? null : v;
    }
}
