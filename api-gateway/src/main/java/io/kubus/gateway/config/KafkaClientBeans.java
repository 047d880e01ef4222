package io.kubus.gateway.config;

import io.kubus.client.config.ClientConfig;
import io.kubus.client.kafka.KafkaClientConfig;
import io.kubus.client.tls.CertificateAuthority;
import io.kubus.client.tls.Identities;
import io.kubus.gateway.GatewayApplication;
import io.kubus.gateway.auth.GatewayPki;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.value.PropertyResolver;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Optional;

/**
 * The gateway's Kafka identity: with {@code kubus.kafka.security-protocol: SSL} it presents its own client
 * certificate from the PKI folder, {@code kube-apiserver-kafka-client}, which the broker's ACLs let own the topics.
 */
@Factory
@Requires(env = GatewayApplication.ENVIRONMENT)
public class KafkaClientBeans {
    @Singleton
    KafkaClientConfig kafka(PropertyResolver properties, GatewayPki pki) {
        Identities.Identity me = Identities.GATEWAY_KAFKA_CLIENT;
        CertificateAuthority.Issued cert = pki.pki().client("apiserver-kafka-client", me.user(), me.groups());
        return KafkaClientConfig.fromSettings(
                key -> properties.get(KafkaClientConfig.SETTINGS + key, String.class),
                Optional.of(new ClientConfig.Identity(cert.key(), List.of(cert.certificate()))),
                List.of(pki.pki().ca().certificate()));
    }
}
