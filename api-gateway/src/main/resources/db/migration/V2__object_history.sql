-- The states that writes replaced or deleted, so that a list can be read at an earlier resourceVersion (the pages
-- of one paged list all show the version of its first page, as kube-apiserver reads them from etcd's history).
-- A state lived from resource_version (its own write) until superseded_version (the write that replaced or deleted
-- it): a list at version V holds the current rows with resource_version <= V and these rows with
-- resource_version <= V < superseded_version. A write moves the old row here in its own transaction.
CREATE TABLE api_object_history (
    resource VARCHAR(200) NOT NULL,
    namespace VARCHAR(63) NOT NULL,
    name VARCHAR(253) NOT NULL,
    resource_version BIGINT NOT NULL,
    superseded_version BIGINT NOT NULL,
    superseded_at BIGINT NOT NULL,    -- epoch milliseconds of the superseding write, for compaction
    body TEXT NOT NULL,
    PRIMARY KEY (resource, namespace, name, resource_version)
);
-- Compaction deletes by superseded_version.
CREATE INDEX api_object_history_superseded ON api_object_history (superseded_version);

-- History is kept for a window (kubus.gateway.history-window); compaction deletes every state superseded at or
-- below compacted_version, so a list at an older version can no longer be read (410 Expired).
CREATE TABLE api_object_history_compaction (
    id INTEGER PRIMARY KEY,
    compacted_version BIGINT NOT NULL
);
INSERT INTO api_object_history_compaction (id, compacted_version) VALUES (1, 0);
