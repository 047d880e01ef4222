package io.kubus.gateway.store;

import io.kubus.gateway.testing.GatewayFixture;

/** Nested writes on H2. */
class NestedWriteH2Test extends NestedWriteContract {
    @Override
    String freshDatabaseUrl() {
        return GatewayFixture.h2InMemory();
    }
}
