//! `tickmark verify` against the attacks a colleague with sqlite3 can make on an engagement
//! file: each is performed with rusqlite on the file, and verify must fail naming it.

mod common;

use common::Sandbox;
use serde_json::Value;

/// An engagement whose control C1 has an accepted population of 30 tickets and a sample of
/// 5 drawn with seed 12345.
fn sampled() -> Sandbox {
    let s = Sandbox::new();
    s.engagement();
    let mut csv = String::from("Key,Created,Amount\n");
    for i in 1..=30 {
        csv += &format!("K{i:05},2026-03-{:02},{i}.00\n", i % 28 + 1);
    }
    let p = s.write("tickets.csv", csv);
    s.ok(&[
        "import",
        "eng.tickmark",
        "--control",
        "C1",
        p.to_str().unwrap(),
        "--key",
        "Key",
        "--date",
        "Created",
        "--amount",
        "Amount",
    ]);
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--size", "5", "--seed", "12345", "--tolerable-rate", "0.05"]);
    s
}

/// Runs SQL on the engagement file the way sqlite3 would.
fn sql(s: &Sandbox, q: &str) {
    rusqlite::Connection::open(s.path("eng.tickmark")).unwrap().execute_batch(q).unwrap();
}

/// Runs verify with `extra` arguments, which must fail; returns the one-line reason and the
/// JSON verdict.
fn verify_fails(s: &Sandbox, extra: &[&str]) -> (String, Value) {
    let mut args = vec!["verify", "eng.tickmark"];
    args.extend(extra);
    let reason = s.fails(&args);
    args.extend(["--format", "json"]);
    let out = s.run(&args);
    assert!(!out.status.success());
    (reason, serde_json::from_slice(&out.stdout).expect("one JSON verdict"))
}

/// The rows verify names, as `(table, id, event, problem)`.
fn named(v: &Value) -> Vec<(String, i64, i64, String)> {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap().to_string();
            (text("table"), r["id"].as_i64().unwrap(), r["event"].as_i64().unwrap(), text("problem"))
        })
        .collect()
}

fn last_event(s: &Sandbox, action: &str) -> i64 {
    let trail = s.json(&["trail", "eng.tickmark"]);
    trail.as_array().unwrap().iter().rev().find(|e| e["action"] == action).unwrap()["seq"].as_i64().unwrap()
}

#[test]
fn an_untouched_demo_engagement_verifies_clean_and_reports_its_head_and_event_count() {
    let s = Sandbox::new();
    s.ok(&["demo", "--out", "demo.tickmark"]);
    let v = s.json(&["verify", "demo.tickmark"]);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["schema"], serde_json::json!([]));
    let head = v["trail"]["head"].as_str().unwrap();
    assert_eq!(head.len(), 64);
    let events = v["trail"]["events"].as_i64().unwrap();
    assert!(events > 10, "{events}");
    let text = s.ok(&["verify", "demo.tickmark"]);
    assert!(text.contains(&format!("Audit trail: {events} events, chain intact, head {head}")), "{text}");
}

/// Rewrites the keys of population 1's first chunk as someone with sqlite3 and zstd would:
/// the keys frame decompressed, edited by `edit`, compressed again and written back. The
/// format is the one `src/store/items.rs` documents: per item, an unsigned LEB128 length and
/// the key's bytes.
fn edit_chunk_keys(s: &Sandbox, edit: impl FnOnce(&mut Vec<String>)) {
    let conn = rusqlite::Connection::open(s.path("eng.tickmark")).unwrap();
    let (first, frame): (i64, Vec<u8>) = conn
        .query_row(
            "SELECT first_position, keys FROM population_chunk WHERE population_id = 1 ORDER BY first_position LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let raw = zstd::decode_all(&frame[..]).unwrap();
    let mut keys = Vec::new();
    let mut at = 0;
    while at < raw.len() {
        let (mut len, mut shift) = (0usize, 0);
        loop {
            let b = raw[at];
            at += 1;
            len |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b < 0x80 {
                break;
            }
        }
        keys.push(String::from_utf8(raw[at..at + len].to_vec()).unwrap());
        at += len;
    }
    edit(&mut keys);
    let mut raw = Vec::new();
    for k in &keys {
        assert!(k.len() < 0x80, "one-byte lengths in this test");
        raw.push(k.len() as u8);
        raw.extend_from_slice(k.as_bytes());
    }
    let frame = zstd::encode_all(&raw[..], 1).unwrap();
    conn.execute(
        "UPDATE population_chunk SET keys = ?2 WHERE population_id = 1 AND first_position = ?1",
        rusqlite::params![first, frame],
    )
    .unwrap();
    // The key index follows, so that only the digest can tell.
    conn.execute("DELETE FROM population_key WHERE population_id = 1", []).unwrap();
    for (i, k) in keys.iter().enumerate() {
        conn.execute("INSERT INTO population_key VALUES (1, ?1, ?2)", rusqlite::params![k, first + i as i64]).unwrap();
    }
}

#[test]
fn a_population_item_rewritten_is_named_with_its_population_and_last_event() {
    let s = sampled();
    s.ok(&["verify", "eng.tickmark"]);
    let accepted = last_event(&s, "population.accepted");
    edit_chunk_keys(&s, |keys| keys[3] = "K99999".into());
    let (reason, v) = verify_fails(&s, &[]);
    assert!(reason.contains("first population 1 after event"), "{reason}");
    let rows = named(&v);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (table, id, event, problem) = &rows[0];
    assert_eq!((table.as_str(), *id, *event), ("population", 1, accepted));
    assert!(problem.contains("population_chunk rows") && problem.contains("no longer match the digest"), "{problem}");
}

#[test]
fn two_population_items_swapped_are_named() {
    let s = sampled();
    // The attack that made sample item 4 show another ticket: two rows trade places.
    edit_chunk_keys(&s, |keys| keys.swap(2, 6));
    let (_, v) = verify_fails(&s, &[]);
    assert!(named(&v).iter().any(|(t, id, _, p)| t == "population" && *id == 1 && p.contains("swapped")), "{v}");
}

#[test]
fn a_damaged_chunk_or_a_key_index_out_of_step_is_named() {
    let s = sampled();
    sql(&s, "UPDATE population_key SET key = 'K99999' WHERE population_id = 1 AND position = 4");
    let (_, v) = verify_fails(&s, &[]);
    let rows = named(&v);
    assert!(
        rows.iter().any(|(t, id, _, p)| t == "population"
            && *id == 1
            && p.contains("key index (population_key) has \"K99999\" at position 4")),
        "{rows:?}"
    );
    // The rest as one frame, the way schema 13 stored it: the slices' header does not add up.
    sql(&s, "UPDATE population_chunk SET rest = x'28b52ffd' WHERE population_id = 1");
    let (_, v) = verify_fails(&s, &[]);
    let rows = named(&v);
    assert!(
        rows.iter().any(|(t, id, _, p)| t == "population"
            && *id == 1
            && p == "the stored items from position 1 (population_chunk) are damaged: its slices' lengths do not add up"),
        "{rows:?}"
    );
    // A header that holds (64 items a slice, one slice of 4 bytes) over a frame cut short.
    sql(&s, "UPDATE population_chunk SET rest = x'400428b52ffd' WHERE population_id = 1");
    let (_, v) = verify_fails(&s, &[]);
    let rows = named(&v);
    assert!(
        rows.iter().any(|(t, id, _, p)| t == "population" && *id == 1 && p.contains("are damaged: not a zstd frame")),
        "{rows:?}"
    );
    // The sample's items say so too, rather than showing nothing.
    let err = s.fails(&["sample", "eng.tickmark", "--control", "C1", "--show"]);
    assert!(err.contains("are damaged"), "{err}");
}

#[test]
fn the_engagement_row_edited_is_named_with_the_column() {
    let s = sampled();
    sql(&s, "UPDATE engagement SET client = 'Other Client, Inc.'");
    let (reason, v) = verify_fails(&s, &[]);
    assert!(reason.contains("first engagement 1 after event 1"), "{reason}");
    assert!(named(&v).iter().any(|(t, id, e, p)| t == "engagement" && *id == 1 && *e == 1 && p.contains("client")));
    sql(&s, "UPDATE engagement SET client = 'Acme Cloud, Inc.', period_end = '2026-06-30'");
    let (_, v) = verify_fails(&s, &[]);
    assert!(named(&v).iter().any(|(t, _, _, p)| t == "engagement" && p.contains("column period_end differs")), "{v}");
}

#[test]
fn the_frequency_table_and_sampling_policy_edited_are_named() {
    let s = sampled();
    s.ok(&["plan", "--frequency-table", "--set", "weekly=10-20", "--set", "expansion=1:planned", "eng.tickmark"]);
    s.ok(&["verify", "eng.tickmark"]);
    let changed = last_event(&s, "sampling_policy.changed").max(last_event(&s, "frequency_table.changed"));
    let conn = rusqlite::Connection::open(s.path("eng.tickmark")).unwrap();
    let table: String = conn.query_row("SELECT frequency_table FROM engagement", [], |r| r.get(0)).unwrap();
    drop(conn);
    assert!(table.contains("10"), "{table}");
    sql(&s, "UPDATE engagement SET frequency_table = replace(frequency_table, '10', '2')");
    let (_, v) = verify_fails(&s, &[]);
    let rows = named(&v);
    assert!(rows.iter().any(|(t, _, e, p)| t == "engagement" && *e == changed && p.contains("frequency_table")));
    sql(&s, &format!("UPDATE engagement SET frequency_table = '{table}'"));
    s.ok(&["verify", "eng.tickmark"]);
    sql(&s, "UPDATE engagement SET sampling_policy = replace(sampling_policy, '1', '9')");
    let (_, v) = verify_fails(&s, &[]);
    assert!(named(&v).iter().any(|(t, _, _, p)| t == "engagement" && p.contains("column sampling_policy differs")));
}

#[test]
fn an_exclusion_edited_is_named() {
    let s = Sandbox::new();
    s.engagement();
    let p = s.write("t.csv", "Key,Created\nA1,2026-02-01\nA2,2025-12-01\nA3,2026-03-01\n");
    s.ok(&["import", "eng.tickmark", "--control", "C1", p.to_str().unwrap(), "--key", "Key", "--date", "Created"]);
    s.ok(&[
        "population",
        "exclude",
        "eng.tickmark",
        "--control",
        "C1",
        "--rule",
        "outside-period",
        "--reason",
        "before the period",
    ]);
    s.ok(&["verify", "eng.tickmark"]);
    sql(&s, "UPDATE exclusion SET reason = 'client asked'");
    let (_, v) = verify_fails(&s, &[]);
    assert!(named(&v).iter().any(|(t, _, _, p)| t == "exclusion" && p.contains("column reason differs")), "{v}");
}

#[test]
fn the_bytes_of_a_stored_evidence_file_changed_are_named() {
    let s = sampled();
    let f = s.write("approval.txt", "CAB approved 2026-03-04");
    s.ok(&["evidence", "add", "eng.tickmark", "--control", "C1", "--item", "1", "--file", f.to_str().unwrap()]);
    s.ok(&["verify", "eng.tickmark"]);
    let added = last_event(&s, "evidence.added");
    sql(&s, "UPDATE evidence_blob SET content = CAST('CAB rejected 2026-03-04' AS BLOB)");
    let (reason, v) = verify_fails(&s, &[]);
    assert!(reason.contains("first evidence 1"), "{reason}");
    let rows = named(&v);
    let (_, _, event, problem) = rows.iter().find(|(t, id, _, _)| t == "evidence" && *id == 1).unwrap();
    assert_eq!(*event, added);
    assert!(problem.contains("\"approval.txt\"") && problem.contains("no longer match the recorded"), "{problem}");
}

#[test]
fn a_planted_trigger_that_turns_exceptions_into_passes_is_named_and_so_is_the_event_it_contradicts() {
    let s = sampled();
    sql(
        &s,
        "CREATE TRIGGER keep_clean AFTER INSERT ON result BEGIN UPDATE result SET outcome = 'pass' WHERE id = new.id; END;",
    );
    s.ok(&[
        "result",
        "eng.tickmark",
        "--control",
        "C1",
        "--item",
        "2",
        "--attribute",
        "A",
        "--exception",
        "not approved",
    ]);
    let recorded = last_event(&s, "result.recorded");
    let (reason, v) = verify_fails(&s, &[]);
    assert!(reason.contains("schema change(s) made outside Tickmark, first trigger keep_clean on result"), "{reason}");
    assert!(v["schema"][0].as_str().unwrap().contains("UPDATE result SET outcome = 'pass'"), "{v}");
    let rows = named(&v);
    let (_, _, event, problem) = rows.iter().find(|(t, _, _, _)| t == "result").expect("the result is named");
    assert_eq!(*event, recorded);
    assert!(
        problem.contains("says outcome \"exception\" but the row state it recorded has outcome \"pass\""),
        "{problem}"
    );
    let text = String::from_utf8(s.run(&["verify", "eng.tickmark"]).stdout).unwrap();
    assert!(text.contains("Schema: trigger keep_clean on result is not part of Tickmark's schema"), "{text}");
}

#[test]
fn a_view_or_column_added_behind_tickmarks_back_is_named() {
    let s = sampled();
    sql(&s, "CREATE VIEW passes AS SELECT * FROM result; ALTER TABLE control ADD COLUMN note TEXT;");
    let (_, v) = verify_fails(&s, &[]);
    let schema: Vec<&str> = v["schema"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(
        schema.iter().any(|p| p.starts_with("view passes on passes is not part of Tickmark's schema")),
        "{schema:?}"
    );
    assert!(schema.iter().any(|p| p.starts_with("table control: column note is not part of Tickmark's schema")));
}

/// Exports the whole engagement in every format; returns the paths.
fn export_all(s: &Sandbox, stem: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for (format, name) in
        [("xlsx", format!("{stem}.xlsx")), ("html", format!("{stem}.html")), ("csv", stem.to_string())]
    {
        s.ok(&["export", "eng.tickmark", "--format", format, "--out", &name]);
        paths.push(name);
    }
    paths.push(format!("{stem}/engagement.csv"));
    paths
}

#[test]
fn every_export_format_cites_the_trail_head_and_verify_accepts_it_for_an_untouched_file() {
    let s = sampled();
    let v = s.json(&["verify", "eng.tickmark"]);
    let cited = format!("{} (event {})", v["trail"]["head"].as_str().unwrap(), v["trail"]["events"]);
    let paths = export_all(&s, "wp");
    let html = std::fs::read_to_string(s.path("wp.html")).unwrap();
    assert!(html.contains(&format!("Trail head: {cited}")), "the page says it in words");
    let csv = std::fs::read_to_string(s.path("wp/engagement.csv")).unwrap();
    assert!(csv.contains(&format!("Trail head,{cited}")), "{csv}");
    for p in &paths {
        let out = s.ok(&["verify", "eng.tickmark", "--workpaper", p]);
        assert!(out.contains("in this file's chain"), "{p}: {out}");
    }
    s.ok(&["verify", "eng.tickmark", "--expect-head", v["trail"]["head"].as_str().unwrap()]);
    let err = s.fails(&["verify", "eng.tickmark", "--expect-head", "abc123"]);
    assert!(err.contains("a trail head is the 64 hexadecimal digits"), "{err}");
}

#[test]
fn the_last_events_deleted_with_the_rows_they_wrote_are_caught_by_the_workpapers_head() {
    let s = sampled();
    s.ok(&["result", "eng.tickmark", "--control", "C1", "--item", "1", "--attribute", "A", "--pass"]);
    s.ok(&["result", "eng.tickmark", "--control", "C1", "--item", "2", "--attribute", "A", "--exception", "no CAB"]);
    let head = s.json(&["verify", "eng.tickmark"])["trail"].clone();
    let (hash, events) = (head["head"].as_str().unwrap().to_string(), head["events"].as_i64().unwrap());
    let paths = export_all(&s, "wp");
    // The exception and its event go together: the chain and the rows stay consistent.
    sql(&s, &format!("DELETE FROM result WHERE outcome = 'exception'; DELETE FROM event WHERE seq = {events};"));
    let v = s.json(&["verify", "eng.tickmark"]);
    assert_eq!(v["ok"], true, "without a cited head a truncated trail looks whole: {v}");
    let (reason, v) = verify_fails(&s, &["--expect-head", &hash]);
    assert_eq!(
        reason,
        format!(
            "tickmark: verification failed: the trail head {hash} from --expect-head is not in this file's chain: the file was rolled back, truncated or replaced since (this file's trail ends at event {}, {})",
            events - 1,
            v["trail"]["head"].as_str().unwrap()
        )
    );
    assert_eq!(v["expected_head"]["found"], false);
    for p in &paths {
        let (reason, _) = verify_fails(&s, &["--workpaper", p]);
        assert!(
            reason.contains(&format!("the trail head {hash} (event {events}) from {p} is not in this file's chain")),
            "{p}: {reason}"
        );
    }
}

#[test]
fn a_file_replaced_by_an_older_copy_is_caught_by_a_later_workpaper() {
    let s = sampled();
    std::fs::copy(s.path("eng.tickmark"), s.path("before.tickmark")).unwrap();
    s.ok(&["result", "eng.tickmark", "--control", "C1", "--item", "1", "--attribute", "A", "--exception", "no CAB"]);
    s.ok(&["export", "eng.tickmark", "--format", "html", "--out", "wp.html"]);
    std::fs::copy(s.path("before.tickmark"), s.path("eng.tickmark")).unwrap();
    s.ok(&["verify", "eng.tickmark"]);
    let (reason, _) = verify_fails(&s, &["--workpaper", "wp.html"]);
    assert!(reason.contains("from wp.html is not in this file's chain: the file was rolled back"), "{reason}");
}

#[test]
fn a_workpaper_without_a_trail_head_is_refused_clearly() {
    let s = sampled();
    s.write("notes.html", "<p>no head here</p>");
    let err = s.fails(&["verify", "eng.tickmark", "--workpaper", "notes.html"]);
    assert!(err.contains("notes.html: no \"Trail head: <hash> (event N)\" found"), "{err}");
}

#[test]
fn a_file_upgraded_from_schema_1_verifies_clean_and_its_items_are_covered_from_then_on() {
    let s = Sandbox::new();
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/engagement-v1.tickmark"),
        s.path("eng.tickmark"),
    )
    .unwrap();
    let v = s.json(&["verify", "eng.tickmark"]);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["schema"], serde_json::json!([]));
    let upgraded = last_event(&s, "schema.upgraded");
    let trail = s.json(&["trail", "eng.tickmark"]);
    assert_eq!(trail.as_array().unwrap().iter().filter(|e| e["action"] == "schema.upgraded").count(), 1);
    sql(&s, "UPDATE population_key SET key = 'forged' WHERE position = 2");
    sql(&s, "UPDATE engagement SET period_start = '2025-01-01'");
    let (_, v) = verify_fails(&s, &[]);
    let rows = named(&v);
    assert!(rows.iter().any(|(t, _, e, _)| t == "population" && *e == upgraded), "{rows:?}");
    assert!(rows.iter().any(|(t, _, e, p)| t == "engagement" && *e == upgraded && p.contains("period_start")));
}

/// Reads an unsigned LEB128 number at `at`, as `src/store/items.rs` documents the format.
fn leb128(b: &[u8], at: &mut usize) -> usize {
    let (mut v, mut shift) = (0usize, 0);
    loop {
        let byte = b[*at];
        *at += 1;
        v |= usize::from(byte & 0x7f) << shift;
        shift += 7;
        if byte < 0x80 {
            return v;
        }
    }
}

/// The rest of a chunk as stored from schema 14 on, read by hand: the items a slice, then each
/// slice's compressed length, then the frames. Returns the items a slice and each slice
/// decompressed.
fn slices_of(rest: &[u8], items: usize) -> (usize, Vec<Vec<u8>>) {
    let mut at = 0;
    let per = leb128(rest, &mut at);
    let lengths: Vec<usize> = (0..items.div_ceil(per)).map(|_| leb128(rest, &mut at)).collect();
    let mut slices = Vec::new();
    for len in lengths {
        slices.push(zstd::decode_all(&rest[at..at + len]).unwrap());
        at += len;
    }
    assert_eq!(at, rest.len(), "the frames end where the rest ends");
    (per, slices)
}

#[test]
fn a_schema_13_file_has_its_chunks_sliced_by_the_upgrade_and_keeps_every_item_and_digest() {
    // 1,500 tickets: a chunk of 1,024 (16 slices of 64) and one of 476 (7 full slices and 28).
    let s = Sandbox::new();
    s.engagement();
    let mut csv = String::from("Key,Created,Amount,Summary\n");
    for i in 1..=1500 {
        csv += &format!("T-{i:05},2026-03-{:02},{}.{:02},\"Change {i}, reviewed\"\n", i % 28 + 1, i * 7, i % 100);
    }
    let p = s.write("tickets.csv", csv);
    let import = ["import", "eng.tickmark", "--control", "C1", p.to_str().unwrap(), "--key", "Key"];
    s.ok(&[&import[..], &["--date", "Created", "--amount", "Amount"]].concat());
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--size", "25", "--seed", "777", "--tolerable-rate", "0.05"]);
    let listed = |from: &str| {
        s.ok(&["population", "items", "eng.tickmark", "--control", "C1", "--from", from, "--limit", "100"])
    };
    let before =
        (listed("1"), listed("1001"), listed("1450"), s.ok(&["sample", "eng.tickmark", "--control", "C1", "--show"]));
    assert!(
        before.1.contains(
            "1001     1002  T-01001 | 2026-03-22 | 7007.01 | T-01001 | 2026-03-22 | 7007.01 | Change 1001, reviewed"
        ),
        "{}",
        before.1
    );

    // As schema 13 stored it: each chunk's rest one zstd frame.
    let conn = rusqlite::Connection::open(s.path("eng.tickmark")).unwrap();
    let chunks: Vec<(i64, i64, Vec<u8>)> = conn
        .prepare(
            "SELECT first_position, items, rest FROM population_chunk WHERE population_id = 1 ORDER BY first_position",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(chunks.iter().map(|c| (c.0, c.1)).collect::<Vec<_>>(), [(1, 1024), (1025, 476)]);
    let mut sliced = Vec::new();
    for (first, items, rest) in &chunks {
        let (per, slices) = slices_of(rest, *items as usize);
        assert_eq!((per, slices.len()), (64, (*items as usize).div_ceil(64)));
        sliced.push(slices.clone());
        let whole = zstd::encode_all(&slices.concat()[..], 3).unwrap();
        conn.execute(
            "UPDATE population_chunk SET rest = ?2 WHERE population_id = 1 AND first_position = ?1",
            rusqlite::params![first, whole],
        )
        .unwrap();
    }
    conn.execute_batch("PRAGMA user_version = 13").unwrap();
    drop(conn);

    // The upgrade slices them again, to the same slices; the items, the sample and the digests hold.
    let v = s.json(&["verify", "eng.tickmark"]);
    assert_eq!(v["ok"], true, "{v}");
    let after =
        (listed("1"), listed("1001"), listed("1450"), s.ok(&["sample", "eng.tickmark", "--control", "C1", "--show"]));
    assert_eq!(after, before);
    let conn = rusqlite::Connection::open(s.path("eng.tickmark")).unwrap();
    assert_eq!(
        conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap(),
        tickmark::store::SCHEMA_VERSION
    );
    for ((first, items, _), slices) in chunks.iter().zip(&sliced) {
        let rest: Vec<u8> = conn
            .query_row(
                "SELECT rest FROM population_chunk WHERE population_id = 1 AND first_position = ?1",
                [first],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(&slices_of(&rest, *items as usize), &(64, slices.clone()));
    }
}

#[test]
fn a_key_edited_into_bytes_that_are_not_utf8_is_named_as_damage() {
    let s = sampled();
    let conn = rusqlite::Connection::open(s.path("eng.tickmark")).unwrap();
    let frame: Vec<u8> = conn
        .query_row("SELECT keys FROM population_chunk WHERE population_id = 1 AND first_position = 1", [], |r| r.get(0))
        .unwrap();
    let mut raw = zstd::decode_all(&frame[..]).unwrap();
    // Keys are "K00001", "K00002", …, each after its one-byte length: item 3's "K" is at 2 × 7 + 1.
    assert_eq!(&raw[14..21], b"\x06K00003");
    raw[15] = 0xFF;
    conn.execute(
        "UPDATE population_chunk SET keys = ?1 WHERE population_id = 1 AND first_position = 1",
        [zstd::encode_all(&raw[..], 1).unwrap()],
    )
    .unwrap();
    drop(conn);
    let (_, v) = verify_fails(&s, &[]);
    assert!(
        named(&v).iter().any(|(t, id, _, p)| t == "population"
            && *id == 1
            && p.contains("from position 1 (population_chunk) are damaged: the key of item 3 is not UTF-8")),
        "{v}"
    );
}
