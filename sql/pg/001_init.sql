-- SPDX-License-Identifier: Apache-2.0
-- schemaregd on PostgreSQL: initial tables. @S@ is replaced by the quoted --db-schema.
-- Applied once, under an advisory lock, by the first instance that starts.

-- A subject exists while it has at least one version row (soft-deleted ones included).
CREATE TABLE @S@.subjects (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Global schema ids. A sequence, not a counter row: no hot row, no serialisation of writers.
CREATE SEQUENCE @S@.schema_ids AS integer START WITH 1 MINVALUE 1;

-- Schema contents, deduplicated by Confluent's identity hash (MD5 of the canonical string,
-- references, metadata and rule set). The row that owns a hash is the one new registrations
-- of that content reuse; IMPORT mode may add further ids for the same content
-- (is_owner = false). A content row lives exactly as long as some version carries its id.
CREATE TABLE @S@.schemas (
    id          integer PRIMARY KEY CHECK (id > 0),
    hash        bytea NOT NULL CHECK (length(hash) = 16),
    is_owner    boolean NOT NULL,
    schema_type text NOT NULL,
    schema      text NOT NULL,
    refs        text,
    metadata    text,
    rule_set    text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX schemas_owner_hash ON @S@.schemas (hash) WHERE is_owner;
CREATE INDEX schemas_hash ON @S@.schemas (hash);

-- The references of a schema content, one row each, for referencedby and delete checks.
CREATE TABLE @S@.schema_refs (
    schema_id   integer NOT NULL REFERENCES @S@.schemas (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    name        text NOT NULL,
    subject     text NOT NULL,
    version     integer NOT NULL,
    PRIMARY KEY (schema_id, position)
);
CREATE INDEX schema_refs_target ON @S@.schema_refs (subject, version);

-- Subject versions with the soft-delete flag. Version numbers are per subject.
CREATE TABLE @S@.versions (
    subject_id  bigint NOT NULL REFERENCES @S@.subjects (id),
    version     integer NOT NULL CHECK (version > 0),
    schema_id   integer NOT NULL REFERENCES @S@.schemas (id),
    deleted     boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject_id, version)
);
CREATE INDEX versions_schema_id ON @S@.versions (schema_id);

-- Compatibility config (a JSON object) and mode, per subject or global (subject = '').
CREATE TABLE @S@.configs (
    is_global   boolean NOT NULL,
    subject     text NOT NULL,
    config      text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (is_global, subject)
);

CREATE TABLE @S@.modes (
    is_global   boolean NOT NULL,
    subject     text NOT NULL,
    mode        text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (is_global, subject)
);
