package io.kubus.agent.server;

import io.kubus.agent.NodeAgentApplication;
import io.kubus.client.tls.Identities;
import io.kubus.client.tls.Subjects;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.filter.HttpServerFilter;
import io.micronaut.http.filter.ServerFilterChain;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.security.cert.X509Certificate;

/**
 * The agent's endpoints run commands in containers and read their logs: only the gateway may call them, with its
 * kubelet-client certificate ({@link Identities#KUBELET_CLIENT}, kubeadm's apiserver-kubelet-client). The TLS layer already
 * refused anyone without a certificate of the cluster's CA; here every other identity gets 403.
 */
@Requires(env = NodeAgentApplication.ENVIRONMENT)
@Filter("/**")
public class GatewayOnlyFilter implements HttpServerFilter {
    @Override
    public int getOrder() {
        return Integer.MIN_VALUE + 1000;
    }

    @Override
    public Publisher<MutableHttpResponse<?>> doFilter(HttpRequest<?> request, ServerFilterChain chain) {
        boolean gateway = request.getCertificate()
                .filter(c -> c instanceof X509Certificate)
                .map(c -> Subjects.of((X509Certificate) c).user().equals(Identities.KUBELET_CLIENT.user()))
                .orElse(false);
        if (!gateway) {
            return Mono.just(HttpResponse.status(HttpStatus.FORBIDDEN).body("Forbidden: only the API server may call a node agent")
                    .contentType("text/plain"));
        }
        return chain.proceed(request);
    }
}
