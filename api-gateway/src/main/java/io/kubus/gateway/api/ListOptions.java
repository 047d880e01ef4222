package io.kubus.gateway.api;

import io.fabric8.kubernetes.api.model.StatusCause;
import io.kubus.schema.validation.GoQuote;
import io.micronaut.core.annotation.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The options of a list or watch ({@code metav1.ListOptions}) as kube-apiserver 1.32 reads them from the query: the
 * generated {@code url.Values} conversion (booleans read leniently, integers with strconv.ParseInt: a bad one is a
 * 400), then {@code SetListOptionsDefaults} and {@code ValidateListOptions} with the WatchList feature on, as it is by
 * default in 1.32 (a broken combination is a 422 on {@code ListOptions.meta.k8s.io}). The selectors are parsed
 * where they are applied ({@link ObjectFilter}); limit and continue belong to pagination.
 *
 * @param sendInitialEvents null when the request names none and no default applies
 */
public record ListOptions(boolean watch, boolean allowWatchBookmarks, String resourceVersion,
                          String resourceVersionMatch, @Nullable Long timeoutSeconds,
                          @Nullable Boolean sendInitialEvents, String continueToken) {
    public static final String NOT_OLDER_THAN = "NotOlderThan";
    public static final String EXACT = "Exact";
    /** The annotation of the bookmark that ends a watch's initial events (k8s.io/apiserver storage). */
    public static final String INITIAL_EVENTS_END = "k8s.io/initial-events-end";

    /** Reads, defaults and checks the options; throws the 400 or 422 kube-apiserver answers for bad ones. */
    public static ListOptions of(Query query) {
        ListOptions read = new ListOptions(query.isTrue("watch"), query.isTrue("allowWatchBookmarks"),
                orEmpty(query.get("resourceVersion")), orEmpty(query.get("resourceVersionMatch")),
                query.int64("timeoutSeconds"), query.optionalBoolean("sendInitialEvents"),
                orEmpty(query.get("continue")));
        ListOptions options = read.withDefaults();
        options.validate();
        return options;
    }

    /** The same, for a request that is a watch whatever its {@code watch} parameter says (the /watch/ paths). */
    public static ListOptions ofWatch(Query query) {
        ListOptions read = of(query);
        if (read.watch) {
            return read;
        }
        ListOptions forced = new ListOptions(true, read.allowWatchBookmarks, read.resourceVersion,
                read.resourceVersionMatch, read.timeoutSeconds, read.sendInitialEvents, read.continueToken)
                .withDefaults();
        forced.validate();
        return forced;
    }

    /**
     * SetListOptionsDefaults: with WatchList on, a watch from no resourceVersion or "0" that names neither
     * sendInitialEvents nor resourceVersionMatch is a watch that sends the current objects first (what such a watch
     * always did), so that with allowWatchBookmarks it also gets the bookmark that ends them.
     */
    private ListOptions withDefaults() {
        if (sendInitialEvents != null || !resourceVersionMatch.isEmpty()) {
            return this;
        }
        if (watch && (resourceVersion.isEmpty() || resourceVersion.equals("0"))) {
            return new ListOptions(true, allowWatchBookmarks, resourceVersion, NOT_OLDER_THAN, timeoutSeconds, true,
                    continueToken);
        }
        return this;
    }

    /** ValidateListOptions (k8s.io/apimachinery/pkg/apis/meta/internalversion/validation), WatchList on. */
    private void validate() {
        List<StatusCause> errs = new ArrayList<>();
        String match = resourceVersionMatch;
        if (watch) {
            if (sendInitialEvents != null && !match.equals(NOT_OLDER_THAN)) {
                errs.add(forbidden("resourceVersionMatch",
                        "sendInitialEvents requires setting resourceVersionMatch to " + NOT_OLDER_THAN));
            }
            if (!match.isEmpty()) {
                if (sendInitialEvents == null) {
                    errs.add(forbidden("resourceVersionMatch",
                            "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
                }
                if (!match.equals(NOT_OLDER_THAN)) {
                    errs.add(notSupported("resourceVersionMatch", match, List.of(NOT_OLDER_THAN)));
                }
                if (!continueToken.isEmpty()) {
                    errs.add(forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
                }
            }
        } else {
            if (!match.isEmpty()) {
                if (resourceVersion.isEmpty()) {
                    errs.add(forbidden("resourceVersionMatch",
                            "resourceVersionMatch is forbidden unless resourceVersion is provided"));
                }
                if (!continueToken.isEmpty()) {
                    errs.add(forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
                }
                if (!match.equals(EXACT) && !match.equals(NOT_OLDER_THAN)) {
                    errs.add(notSupported("resourceVersionMatch", match, List.of(EXACT, NOT_OLDER_THAN, "")));
                }
                if (match.equals(EXACT) && resourceVersion.equals("0")) {
                    errs.add(forbidden("resourceVersionMatch",
                            "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
                }
            }
            if (sendInitialEvents != null) {
                errs.add(forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"));
            }
        }
        if (!errs.isEmpty()) {
            throw ApiException.invalid("meta.k8s.io", "ListOptions", "", errs);
        }
    }

    /** Whether a watch starts with the current objects as ADDED events. */
    public boolean initialEvents() {
        return Boolean.TRUE.equals(sendInitialEvents);
    }

    /** Whether the initial events end with a BOOKMARK annotated {@link #INITIAL_EVENTS_END}, as the watch cache sends. */
    public boolean initialEventsEndBookmark() {
        return initialEvents() && allowWatchBookmarks;
    }

    private static StatusCause forbidden(String field, String detail) {
        return ApiException.cause("FieldValueForbidden", field, "Forbidden: " + detail);
    }

    private static StatusCause notSupported(String field, String value, List<String> supported) {
        return ApiException.cause("FieldValueNotSupported", field, "Unsupported value: " + GoQuote.quote(value)
                + ": supported values: " + supported.stream().map(GoQuote::quote).collect(Collectors.joining(", ")));
    }

    private static String orEmpty(@Nullable String s) {
        return s == null ? "" : s;
    }
}
