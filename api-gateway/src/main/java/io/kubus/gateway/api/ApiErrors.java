package io.kubus.gateway.api;

import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.admission.AdmissionException;
import io.kubus.gateway.store.ObjectTooLargeException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.exceptions.ContentLengthExceededException;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.web.router.exceptions.UnsatisfiedRouteException;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every error leaves the gateway as a Kubernetes Status with the matching HTTP code, whatever raised it. */
@Requires(env = GatewayApplication.ENVIRONMENT)
@Controller
public class ApiErrors {
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);

    public static MutableHttpResponse<?> respond(ApiException e) {
        MutableHttpResponse<?> response = HttpResponse.status(HttpStatus.valueOf(e.code()))
                .body(StatusJson.write(e.status()))
                .contentType("application/json").header("Cache-Control", "no-cache, private");
        io.fabric8.kubernetes.api.model.StatusDetails details = e.status().getDetails();
        Integer retryAfter = details == null ? null : details.getRetryAfterSeconds();
        if (retryAfter != null && retryAfter > 0) {
            // as kube-apiserver's error writer does; client-go waits this long and sends the request again
            response.header("Retry-After", Integer.toString(retryAfter));
        }
        return response;
    }

    @Error(global = true, status = HttpStatus.NOT_FOUND)
    public HttpResponse<?> notFound(HttpRequest<?> request) {
        return respond(ApiException.notFound("the server could not find the requested resource"));
    }

    @Error(global = true, status = HttpStatus.METHOD_NOT_ALLOWED)
    public HttpResponse<?> methodNotAllowed(HttpRequest<?> request) {
        return respond(ApiException.methodNotAllowed("the server does not allow this method on the requested resource"));
    }

    @Error(global = true, exception = ContentLengthExceededException.class)
    public HttpResponse<?> tooLarge(HttpRequest<?> request, ContentLengthExceededException e) {
        return respond(ApiException.tooLarge("the request is too large: " + e.getMessage()));
    }

    @Error(global = true, exception = ObjectTooLargeException.class)
    public HttpResponse<?> objectTooLarge(HttpRequest<?> request, ObjectTooLargeException e) {
        return respond(ApiException.tooLarge(e.getMessage()));
    }

    @Error(global = true, exception = UnsatisfiedRouteException.class)
    public HttpResponse<?> unsatisfied(HttpRequest<?> request, UnsatisfiedRouteException e) {
        return respond(ApiException.badRequest(e.getMessage()));
    }

    @Error(global = true, exception = HttpStatusException.class)
    public HttpResponse<?> httpStatus(HttpRequest<?> request, HttpStatusException e) {
        return respond(ApiException.of(e.getStatus().getCode(), e.getStatus().getReason().replace(" ", ""),
                e.getMessage(), null));
    }

    @Error(global = true, exception = Throwable.class)
    public HttpResponse<?> unexpected(HttpRequest<?> request, Throwable e) {
        ApiException api = unwrap(e);
        if (api != null) {
            return respond(api);
        }
        if (e instanceof io.micronaut.http.exceptions.HttpException he && he.getMessage() != null
                && he.getMessage().contains("too large")) {
            return respond(ApiException.tooLarge(he.getMessage()));
        }
        LOG.error("unexpected error serving {} {}", request.getMethod(), request.getPath(), e);
        return respond(ApiException.internal(e.toString()));
    }

    private static ApiException unwrap(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                return api;
            }
            if (t instanceof AdmissionException refused) {
                return ApiException.from(refused);
            }
            if (t instanceof io.kubus.gateway.store.DuplicateObjectException dup) {
                return ApiException.alreadyExists(dup.type(), dup.name());
            }
            if (t instanceof io.kubus.gateway.encryption.ValueTransformException unreadable) {
                // A stored value this gateway cannot decrypt: kube-apiserver's internal error, whose message names
                // the transformer's failure and never the value.
                return ApiException.internal(unreadable.getMessage());
            }
        }
        return null;
    }

    /** ApiExceptions thrown from controllers, including through the store's transaction wrapper. */
    @Singleton
    @Requires(classes = ApiException.class)
    static class Handler implements ExceptionHandler<ApiException, HttpResponse<?>> {
        @Override
        public HttpResponse<?> handle(HttpRequest request, ApiException exception) {
            return respond(exception);
        }
    }

    /** Refusals by admission, mapped to their Kubernetes Status here at the edge. */
    @Singleton
    @Requires(classes = AdmissionException.class)
    static class AdmissionHandler implements ExceptionHandler<AdmissionException, HttpResponse<?>> {
        @Override
        public HttpResponse<?> handle(HttpRequest request, AdmissionException exception) {
            return respond(ApiException.from(exception));
        }
    }
}
