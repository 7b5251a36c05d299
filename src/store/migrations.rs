//! The engagement file's schema: an append-only list of migrations tracked by
//! `PRAGMA user_version`. A shipped entry is never edited or removed; a change is a new entry.

/// Entry `i` moves a file from schema version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: engagement, controls, populations and the audit trail.
    r#"
    CREATE TABLE engagement (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        client        TEXT NOT NULL,
        report        TEXT NOT NULL,
        period_start  TEXT NOT NULL,
        period_end    TEXT NOT NULL,
        criteria      TEXT NOT NULL,
        firm          TEXT NOT NULL DEFAULT '',
        preparer      TEXT NOT NULL DEFAULT '',
        reviewer      TEXT NOT NULL DEFAULT '',
        created_at    TEXT NOT NULL,
        created_by    TEXT NOT NULL
    );
    CREATE TABLE control (
        id           INTEGER PRIMARY KEY,
        code         TEXT NOT NULL UNIQUE,
        description  TEXT NOT NULL,
        criteria     TEXT NOT NULL,
        frequency    TEXT NOT NULL,
        nature       TEXT NOT NULL,
        owner        TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE attribute (
        id          INTEGER PRIMARY KEY,
        control_id  INTEGER NOT NULL REFERENCES control(id),
        label       TEXT NOT NULL,
        condition   TEXT NOT NULL,
        UNIQUE (control_id, label)
    );
    CREATE TABLE population (
        id             INTEGER PRIMARY KEY,
        control_id     INTEGER NOT NULL REFERENCES control(id),
        origin         TEXT NOT NULL CHECK (origin IN ('file', 'generated')),
        source_name    TEXT NOT NULL,
        source_bytes   INTEGER,
        source_sha256  TEXT,
        format         TEXT NOT NULL,
        columns        TEXT NOT NULL,
        key_column     TEXT NOT NULL,
        date_column    TEXT,
        amount_column  TEXT,
        report         TEXT NOT NULL,
        item_count     INTEGER NOT NULL,
        imported_at    TEXT NOT NULL,
        imported_by    TEXT NOT NULL,
        accepted_at    TEXT,
        accepted_by    TEXT
    );
    CREATE INDEX population_by_control ON population (control_id, id);
    CREATE TABLE population_item (
        population_id  INTEGER NOT NULL REFERENCES population(id),
        position       INTEGER NOT NULL,
        source_row     INTEGER NOT NULL,
        key            TEXT NOT NULL,
        date           TEXT,
        amount         TEXT,
        fields         TEXT NOT NULL,
        PRIMARY KEY (population_id, position)
    ) WITHOUT ROWID;
    CREATE TABLE event (
        seq        INTEGER PRIMARY KEY,
        at         TEXT NOT NULL,
        actor      TEXT NOT NULL,
        action     TEXT NOT NULL,
        payload    TEXT NOT NULL,
        prev_hash  TEXT NOT NULL,
        hash       TEXT NOT NULL
    );
    "#,
    // 2: samples. Every draw is kept, including the ones an auditor replaced, so the
    // workpaper can say how many draws there were.
    r#"
    ALTER TABLE engagement ADD COLUMN frequency_table TEXT;
    CREATE TABLE sample (
        id                 INTEGER PRIMARY KEY,
        control_id         INTEGER NOT NULL REFERENCES control(id),
        population_id      INTEGER NOT NULL REFERENCES population(id),
        draw_number        INTEGER NOT NULL,
        spec               TEXT NOT NULL,
        method             TEXT NOT NULL,
        seed               TEXT NOT NULL,
        seed_proposed      INTEGER NOT NULL,
        population_size    INTEGER NOT NULL,
        population_name    TEXT NOT NULL,
        population_sha256  TEXT,
        filters            TEXT NOT NULL,
        strata             TEXT,
        initial_size       INTEGER NOT NULL,
        size               INTEGER NOT NULL,
        basis              TEXT NOT NULL,
        drawn_at           TEXT NOT NULL,
        drawn_by           TEXT NOT NULL,
        replaced_at        TEXT,
        replaced_by        TEXT,
        replaced_reason    TEXT,
        UNIQUE (control_id, draw_number)
    );
    CREATE TABLE sample_item (
        sample_id  INTEGER NOT NULL REFERENCES sample(id),
        ordinal    INTEGER NOT NULL,
        position   INTEGER NOT NULL,
        stratum    TEXT,
        added_at   TEXT NOT NULL,
        added_by   TEXT NOT NULL,
        PRIMARY KEY (sample_id, ordinal)
    ) WITHOUT ROWID;
    "#,
    // 3: fieldwork records. Every row here is covered by the audit trail: each event carries
    // the full state of the rows it wrote, and `verify` compares the tables with the replay.
    r#"
    ALTER TABLE sample ADD COLUMN confidence TEXT;
    ALTER TABLE sample ADD COLUMN tolerable_rate TEXT;
    CREATE TABLE result (
        id            INTEGER PRIMARY KEY,
        sample_id     INTEGER NOT NULL REFERENCES sample(id),
        ordinal       INTEGER NOT NULL,
        attribute_id  INTEGER NOT NULL REFERENCES attribute(id),
        outcome       TEXT NOT NULL CHECK (outcome IN ('pass', 'exception', 'na')),
        comment       TEXT NOT NULL DEFAULT '',
        tested_by     TEXT NOT NULL,
        tested_at     TEXT NOT NULL,
        UNIQUE (sample_id, ordinal, attribute_id)
    );
    CREATE TABLE exception (
        id                   INTEGER PRIMARY KEY,
        sample_id            INTEGER NOT NULL REFERENCES sample(id),
        ordinal              INTEGER NOT NULL,
        narrative            TEXT NOT NULL,
        cause                TEXT NOT NULL DEFAULT '',
        isolated             INTEGER,
        management_response  TEXT NOT NULL DEFAULT '',
        recorded_by          TEXT NOT NULL,
        recorded_at          TEXT NOT NULL,
        UNIQUE (sample_id, ordinal)
    );
    CREATE TABLE evidence_blob (
        sha256   TEXT PRIMARY KEY,
        size     INTEGER NOT NULL,
        content  BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE evidence (
        id          INTEGER PRIMARY KEY,
        control_id  INTEGER NOT NULL REFERENCES control(id),
        sample_id   INTEGER REFERENCES sample(id),
        ordinal     INTEGER,
        kind        TEXT NOT NULL CHECK (kind IN ('file', 'reference')),
        name        TEXT NOT NULL,
        sha256      TEXT REFERENCES evidence_blob(sha256),
        size        INTEGER,
        added_by    TEXT NOT NULL,
        added_at    TEXT NOT NULL
    );
    CREATE TABLE interview (
        id           INTEGER PRIMARY KEY,
        held_on      TEXT NOT NULL,
        interviewee  TEXT NOT NULL,
        role         TEXT NOT NULL DEFAULT '',
        attendees    TEXT NOT NULL DEFAULT '[]',
        topics       TEXT NOT NULL DEFAULT '',
        notes        TEXT NOT NULL,
        controls     TEXT NOT NULL DEFAULT '[]',
        recorded_by  TEXT NOT NULL,
        recorded_at  TEXT NOT NULL
    );
    CREATE TABLE conclusion (
        id               INTEGER PRIMARY KEY,
        control_id       INTEGER NOT NULL UNIQUE REFERENCES control(id),
        proposed         TEXT NOT NULL,
        concluded        TEXT NOT NULL,
        override_reason  TEXT,
        concluded_by     TEXT NOT NULL,
        concluded_at     TEXT NOT NULL
    );
    CREATE TABLE signoff (
        id              INTEGER PRIMARY KEY,
        control_id      INTEGER NOT NULL REFERENCES control(id),
        role            TEXT NOT NULL CHECK (role IN ('preparer', 'reviewer')),
        signer          TEXT NOT NULL,
        signed_at       TEXT NOT NULL,
        cleared_at      TEXT,
        cleared_reason  TEXT
    );
    CREATE TABLE review_note (
        id           INTEGER PRIMARY KEY,
        control_id   INTEGER NOT NULL REFERENCES control(id),
        text         TEXT NOT NULL,
        status       TEXT NOT NULL CHECK (status IN ('open', 'answered', 'cleared')),
        raised_by    TEXT NOT NULL,
        raised_at    TEXT NOT NULL,
        answer       TEXT,
        answered_by  TEXT,
        answered_at  TEXT,
        cleared_by   TEXT,
        cleared_at   TEXT
    );
    "#,
    // 4: scoping and the sampling approach. Exclusion rules on a population's frame; voided
    // sample items and their replacements; the approach each sample was planned with (filled
    // in for older samples by `store::infer_approaches`); the engagement's sampling policy
    // (event-driven bands, expansion rule) beside its frequency table.
    r#"
    ALTER TABLE engagement ADD COLUMN sampling_policy TEXT;
    ALTER TABLE sample ADD COLUMN approach TEXT;
    ALTER TABLE sample_item ADD COLUMN replaces INTEGER;
    CREATE TABLE exclusion (
        id             INTEGER PRIMARY KEY,
        population_id  INTEGER NOT NULL REFERENCES population(id),
        rule           TEXT NOT NULL,
        reason         TEXT NOT NULL,
        rows_removed   INTEGER NOT NULL,
        lines          TEXT NOT NULL,
        positions      TEXT NOT NULL,
        excluded_by    TEXT NOT NULL,
        excluded_at    TEXT NOT NULL
    );
    CREATE INDEX exclusion_by_population ON exclusion (population_id, id);
    CREATE TABLE sample_void (
        id           INTEGER PRIMARY KEY,
        sample_id    INTEGER NOT NULL REFERENCES sample(id),
        ordinal      INTEGER NOT NULL,
        reason       TEXT NOT NULL,
        replacement  INTEGER NOT NULL,
        voided_by    TEXT NOT NULL,
        voided_at    TEXT NOT NULL,
        UNIQUE (sample_id, ordinal)
    );
    "#,
    // 5: signed events. Each event carries its signer's public key and their signature over
    // its hash; `signer` records every key that signed an event (or that `identity import`
    // pinned for a name); `signing` holds the first event that must be signed, set once by
    // `Engagement::migrate` after any upgrade events (events before it were written by an
    // older Tickmark).
    r#"
    ALTER TABLE event ADD COLUMN signer_key TEXT;
    ALTER TABLE event ADD COLUMN signature TEXT;
    CREATE TABLE signer (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL,
        public_key   TEXT NOT NULL UNIQUE,
        fingerprint  TEXT NOT NULL,
        first_seen   INTEGER,
        pinned_by    TEXT,
        pinned_at    TEXT
    );
    CREATE TABLE signing (
        id     INTEGER PRIMARY KEY CHECK (id = 1),
        since  INTEGER NOT NULL
    );
    "#,
    // 6: a digest of each population's items (position, source row, key, date, amount and
    // fields, see `store::population::ItemsDigest`), recorded at import and carried in the
    // trail's row state, so `verify` sees an item rewritten or swapped. Filled in for older
    // populations on upgrade and recorded in one baseline event.
    r#"
    ALTER TABLE population ADD COLUMN items_sha256 TEXT;
    "#,
    // 7: what an engagement holds beside its samples: each control's test procedure steps, its
    // walkthrough and design conclusion, the deficiency evaluation of a control with
    // exceptions, and a SOC 1 engagement's control objectives. Lists (linked evidence and
    // interviews, assessed criteria, compensating controls) are JSON arrays in their row, so
    // the trail's row state carries them whole.
    r#"
    CREATE TABLE objective (
        id     INTEGER PRIMARY KEY,
        code   TEXT NOT NULL UNIQUE,
        title  TEXT NOT NULL
    );
    CREATE TABLE procedure_step (
        id          INTEGER PRIMARY KEY,
        control_id  INTEGER NOT NULL REFERENCES control(id),
        position    INTEGER NOT NULL,
        nature      TEXT NOT NULL,
        text        TEXT NOT NULL,
        UNIQUE (control_id, position)
    );
    CREATE TABLE walkthrough (
        id            INTEGER PRIMARY KEY,
        control_id    INTEGER NOT NULL UNIQUE REFERENCES control(id),
        narrative     TEXT NOT NULL,
        traced        TEXT NOT NULL,
        evidence      TEXT NOT NULL DEFAULT '[]',
        interviews    TEXT NOT NULL DEFAULT '[]',
        design        TEXT,
        concluded_by  TEXT,
        concluded_at  TEXT,
        recorded_by   TEXT NOT NULL,
        recorded_at   TEXT NOT NULL
    );
    CREATE TABLE deficiency (
        id                   INTEGER PRIMARY KEY,
        control_id           INTEGER NOT NULL UNIQUE REFERENCES control(id),
        deviation            TEXT NOT NULL,
        items_noun           TEXT NOT NULL,
        cause                TEXT NOT NULL,
        isolated             INTEGER NOT NULL,
        criteria             TEXT NOT NULL,
        compensating         TEXT NOT NULL DEFAULT '[]',
        management_response  TEXT NOT NULL DEFAULT '',
        evaluated_by         TEXT NOT NULL,
        evaluated_at         TEXT NOT NULL
    );
    "#,
    // 8: next year's engagement and client requests. `carried` marks each control and walkthrough
    // brought forward as not yet confirmed until someone confirms or edits it; `follow_up`
    // lists the prior year's exceptions and deficiencies on the controls they belong to;
    // `request` holds what was asked of the client (one per sample item and one per control)
    // with its status, and each evidence row cites the request it answered.
    r#"
    CREATE TABLE carried (
        id            INTEGER PRIMARY KEY,
        control_id    INTEGER NOT NULL REFERENCES control(id),
        subject       TEXT NOT NULL,
        confirmed_by  TEXT,
        confirmed_at  TEXT,
        UNIQUE (control_id, subject)
    );
    CREATE TABLE follow_up (
        id          INTEGER PRIMARY KEY,
        control_id  INTEGER NOT NULL REFERENCES control(id),
        kind        TEXT NOT NULL,
        text        TEXT NOT NULL
    );
    CREATE TABLE request (
        id           INTEGER PRIMARY KEY,
        code         TEXT NOT NULL UNIQUE,
        control_id   INTEGER NOT NULL REFERENCES control(id),
        sample_id    INTEGER REFERENCES sample(id),
        ordinal      INTEGER,
        asked        TEXT NOT NULL,
        due          TEXT NOT NULL,
        status       TEXT NOT NULL,
        reason       TEXT,
        created_by   TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        received_at  TEXT,
        closed_by    TEXT,
        closed_at    TEXT
    );
    ALTER TABLE evidence ADD COLUMN request_id INTEGER;
    "#,
    // 9: from this version on, an imported or generated population's
    // `population_item.fields` holds the item's fields as JSONB (SQLite's binary JSON, a BLOB:
    // nothing to quote or escape, about a tenth smaller than the text) instead of JSON text.
    // Older items keep their text; both are read, and SQLite's JSON functions take either
    // (`json(fields)` shows the text). The version moves so that an older Tickmark, which
    // reads only text, refuses the file instead of misreading it.
    r#"
    -- population_item.fields may hold JSONB
    "#,
    // 10: team fieldwork. `handoff` records each working copy handed out (its branch, the
    // assignee and the key they sign with, the controls it holds, the first row id its new rows
    // take, the event it was handed out at) and its return; `working_copy` marks a working copy
    // as such (one row, its branch; empty in the engagement itself); `branch_event` keeps a
    // merged working copy's events exactly as they were signed, chained from the hand-off.
    r#"
    CREATE TABLE handoff (
        id             INTEGER PRIMARY KEY,
        branch         TEXT NOT NULL UNIQUE,
        assignee       TEXT NOT NULL,
        public_key     TEXT NOT NULL,
        controls       TEXT NOT NULL,
        id_floor       INTEGER NOT NULL,
        base_seq       INTEGER NOT NULL,
        out_by         TEXT NOT NULL,
        out_at         TEXT NOT NULL,
        merged_by      TEXT,
        merged_at      TEXT,
        merged_head    TEXT,
        merged_events  INTEGER,
        recalled_by    TEXT,
        recalled_at    TEXT,
        recall_reason  TEXT
    );
    CREATE TABLE working_copy (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        branch  TEXT NOT NULL
    );
    CREATE TABLE branch_event (
        branch      TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        at          TEXT NOT NULL,
        actor       TEXT NOT NULL,
        action      TEXT NOT NULL,
        payload     TEXT NOT NULL,
        prev_hash   TEXT NOT NULL,
        hash        TEXT NOT NULL,
        signer_key  TEXT,
        signature   TEXT,
        PRIMARY KEY (branch, seq)
    ) WITHOUT ROWID;
    "#,
    // 11: a population's items by key, ASCII case folded as the grid's search box folds it: a
    // search reads the index instead of every item, and an import finds its duplicate keys by
    // walking it (keys equal but for case are neighbours, exact repeats found among them)
    // instead of holding every key in memory.
    KEY_INDEX,
    // 12: a population's items in compressed chunks of consecutive positions, and its keys in
    // their own index (see `items`): the engagement holds a fifth of a CSV export instead of
    // 1.8 times it. The keys are copied here; the upgrade moves the items into chunks in Rust
    // (zstd) before 13 drops the old table.
    r#"
    CREATE TABLE population_chunk (
        population_id   INTEGER NOT NULL REFERENCES population(id),
        first_position  INTEGER NOT NULL,
        items           INTEGER NOT NULL,
        keys            BLOB NOT NULL,
        rest            BLOB NOT NULL,
        PRIMARY KEY (population_id, first_position)
    );
    CREATE TABLE population_key (
        population_id  INTEGER NOT NULL,
        key            TEXT NOT NULL,
        position       INTEGER NOT NULL,
        PRIMARY KEY (population_id, key COLLATE NOCASE, position)
    ) WITHOUT ROWID;
    INSERT INTO population_key (population_id, key, position)
        SELECT population_id, key, position FROM population_item ORDER BY population_id, key COLLATE NOCASE, position;
    "#,
    // 13: the items are in their chunks (moved by the upgrade after 12).
    r#"
    DROP INDEX population_item_by_key;
    DROP TABLE population_item;
    "#,
    // 14: each chunk's rest in slices of 64 items, each its own zstd frame, so that fetching
    // one item decompresses a few KB, not the chunk (re-encoded by the upgrade, in Rust).
    "-- population_chunk.rest: sliced (items::slice_rests)",
];

/// The schema whose upgrade moves `population_item` into chunks (after applying it).
pub(crate) const CHUNKS_SINCE: usize = 12;

/// The schema whose upgrade slices each chunk's rest (after applying it), for a file whose
/// chunks were written as one frame (schema 12 and 13).
pub(crate) const SLICES_SINCE: usize = 14;

/// Migration 11's index (dropped by 13, with its table).
const KEY_INDEX: &str = "CREATE INDEX population_item_by_key ON population_item (population_id, key COLLATE NOCASE);";
