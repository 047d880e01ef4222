package io.kubus.controllers.manager;

import io.kubus.client.api.KubusApi;
import io.kubus.client.tls.Subjects;
import io.kubus.controllers.ControllersApplication;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * kube-controller-manager's delegated authentication and authorization, for its port: {@code /healthz} answers anyone;
 * anything else only a caller the API server vouches for, a client certificate of the cluster's CA (checked in the
 * handshake) or a bearer token (a TokenReview), and allows (a SubjectAccessReview: {@code get} on the path, which the
 * {@code system:monitoring} role grants). 401 without credentials, 403 when not allowed.
 */
@ServerFilter("/**")
@Requires(env = ControllersApplication.ENVIRONMENT)
public class MetricsAuthorization {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsAuthorization.class);
    private final KubusApi api;

    public MetricsAuthorization(KubusApi api) {
        this.api = api;
    }

    @RequestFilter
    @ExecuteOn(TaskExecutors.BLOCKING)
    @Nullable
    public HttpResponse<?> authorize(HttpRequest<?> request) {
        String path = request.getPath();
        if (path.equals("/healthz")) {
            return null;
        }
        Optional<Subjects.Subject> caller;
        try {
            caller = caller(request);
        } catch (RuntimeException e) {
            LOG.warn("cannot authenticate a request for {}: {}", path, e.toString());
            return HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE);
        }
        if (caller.isEmpty()) {
            return HttpResponse.status(HttpStatus.UNAUTHORIZED).contentType(MediaType.TEXT_PLAIN).body("Unauthorized");
        }
        Subjects.Subject who = caller.get();
        if (!api.subjectAccessReview(who.user(), null, who.groups(), Map.of(), "get", path)) {
            return HttpResponse.status(HttpStatus.FORBIDDEN).contentType(MediaType.TEXT_PLAIN)
                    .body("Forbidden: User \"" + who.user() + "\" cannot get path \"" + path + "\"");
        }
        return null;
    }

    private Optional<Subjects.Subject> caller(HttpRequest<?> request) {
        Optional<java.security.cert.Certificate> cert = request.getCertificate();
        if (cert.isPresent() && cert.get() instanceof X509Certificate x509) {
            // verified in the handshake against the cluster's CA; every authenticated user is in this group
            Subjects.Subject subject = Subjects.of(x509);
            List<String> groups = new ArrayList<>(subject.groups());
            groups.add("system:authenticated");
            return Optional.of(new Subjects.Subject(subject.user(), groups));
        }
        return request.getHeaders().get(HttpHeaders.AUTHORIZATION, String.class)
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).trim())
                .filter(t -> !t.isEmpty())
                .flatMap(api::tokenReview);
    }
}
