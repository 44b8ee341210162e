-- SPDX-License-Identifier: Apache-2.0
-- schemaregd on SQLite (the embedded store): initial tables, the model of sql/pg/001_init.sql.
-- Applied inside one transaction when the store opens; text compares bytewise (BINARY).

-- A subject exists while it has at least one version row (soft-deleted ones included).
CREATE TABLE subjects (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Global schema ids: the last id handed out (or imported). Only write transactions touch it,
-- and they are serialised, so ids are monotonic and never reused, even after their rows are
-- deleted. Imported ids push it up (max), like setval on PostgreSQL's sequence.
CREATE TABLE schema_ids (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    last_value  INTEGER NOT NULL CHECK (last_value BETWEEN 0 AND 2147483647)
);
INSERT INTO schema_ids (singleton, last_value) VALUES (1, 0);

-- Schema contents, deduplicated by Confluent's identity hash (MD5 of the canonical string,
-- references, metadata and rule set). The row that owns a hash is the one new registrations
-- of that content reuse; IMPORT mode may add further ids for the same content
-- (is_owner = 0). A content row lives exactly as long as some version carries its id.
CREATE TABLE schemas (
    id          INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 2147483647),
    hash        BLOB NOT NULL CHECK (typeof(hash) = 'blob' AND length(hash) = 16),
    is_owner    INTEGER NOT NULL CHECK (is_owner IN (0, 1)),
    schema_type TEXT NOT NULL,
    schema      TEXT NOT NULL,
    refs        TEXT,
    metadata    TEXT,
    rule_set    TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX schemas_owner_hash ON schemas (hash) WHERE is_owner = 1;

-- The references of a schema content, one row each, for referencedby and delete checks.
CREATE TABLE schema_refs (
    schema_id   INTEGER NOT NULL REFERENCES schemas (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version BETWEEN -2147483648 AND 2147483647),
    PRIMARY KEY (schema_id, position)
);
CREATE INDEX schema_refs_target ON schema_refs (subject, version);

-- Subject versions with the soft-delete flag. Version numbers are per subject.
CREATE TABLE versions (
    subject_id  INTEGER NOT NULL REFERENCES subjects (id),
    version     INTEGER NOT NULL CHECK (version BETWEEN 1 AND 2147483647),
    schema_id   INTEGER NOT NULL REFERENCES schemas (id),
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (subject_id, version)
);
CREATE INDEX versions_schema_id ON versions (schema_id);

-- Compatibility config (a JSON object) and mode, per subject or global (subject = '').
CREATE TABLE configs (
    is_global   INTEGER NOT NULL CHECK (is_global IN (0, 1)),
    subject     TEXT NOT NULL,
    config      TEXT NOT NULL,
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (is_global, subject)
);

CREATE TABLE modes (
    is_global   INTEGER NOT NULL CHECK (is_global IN (0, 1)),
    subject     TEXT NOT NULL,
    mode        TEXT NOT NULL,
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (is_global, subject)
);
