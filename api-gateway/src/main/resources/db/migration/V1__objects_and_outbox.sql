-- One global, strictly increasing resourceVersion. Every write takes this row's lock for the length of its
-- transaction, so versions commit in order and the outbox relay never passes a version that commits later.
CREATE TABLE resource_version (
    id INTEGER PRIMARY KEY,
    current_version BIGINT NOT NULL
);
INSERT INTO resource_version (id, current_version) VALUES (1, 0);

-- The current state of every API object, as the JSON the API serves.
CREATE TABLE api_object (
    resource VARCHAR(200) NOT NULL,   -- group/version/plural, e.g. apps/v1/deployments
    namespace VARCHAR(63) NOT NULL,   -- '' for cluster-scoped kinds
    name VARCHAR(253) NOT NULL,
    uid VARCHAR(36) NOT NULL,
    resource_version BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (resource, namespace, name)
);

-- Change events waiting for the relay; a row is deleted only after Kafka acknowledged it.
CREATE TABLE outbox (
    resource_version BIGINT PRIMARY KEY,
    topic VARCHAR(255) NOT NULL,
    record_key VARCHAR(320) NOT NULL,
    event_type VARCHAR(16) NOT NULL,
    ce_type VARCHAR(255) NOT NULL,
    event_time VARCHAR(40) NOT NULL,
    body TEXT NOT NULL
);

-- Held by the one gateway that relays at a time, so events leave in resourceVersion order.
CREATE TABLE outbox_relay_lock (
    id INTEGER PRIMARY KEY
);
INSERT INTO outbox_relay_lock (id) VALUES (1);
