-- The newest resourceVersion a relay round may have sent to Kafka, committed by the round before it sends. Outbox
-- rows at or below it that are still there were sent by a round that did not delete them (its gateway died, or
-- Kafka's acknowledgement or the delete failed), so the next round, in whichever gateway, reads what the topics hold
-- before it sends them. Rows already in the outbox when this table is made count as possibly sent.
CREATE TABLE outbox_relay_sent (
    id INTEGER PRIMARY KEY,
    sent_up_to BIGINT NOT NULL
);
INSERT INTO outbox_relay_sent (id, sent_up_to) VALUES (1, COALESCE((SELECT MAX(resource_version) FROM outbox), 0));
