package io.kubus.gateway.store;

import io.kubus.gateway.testing.GatewayFixture;

/** The store's contract on H2, the local cluster's database. */
class ObjectStoreH2Test extends ObjectStoreContract {
    @Override
    String freshDatabaseUrl() {
        return GatewayFixture.h2InMemory();
    }
}
