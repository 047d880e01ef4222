package io.kubus.gateway.config;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Clock;

@Factory
class GatewayFactory {
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
