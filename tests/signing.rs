//! Who acted is provable: every event is signed by its actor's key, kept in their config
//! directory, and `verify` checks each signature, so an edit behind Tickmark's back that
//! recomputes the keyless hash chain still fails without the signer's secret key.

mod common;

use std::path::Path;
use std::process::Command;

use common::{NOW, Sandbox, items_back_to_schema_11};
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
use rusqlite::{Connection, params};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// What a signature covers, as `tickmark::identity::SIGNATURE_CONTEXT` says.
const CONTEXT: &[u8] = b"tickmark-event-signature-v1\n";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// The event hash exactly as src/trail.rs computes it (tickmark-event-v1, length-prefixed).
fn event_hash(seq: i64, at: &str, actor: &str, action: &str, payload: &str, prev: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"tickmark-event-v1");
    for part in [seq.to_string().as_str(), at, actor, action, payload, prev] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}

/// An engagement with a drawn sample of C1 and item 1's attribute A passed.
fn tested() -> Sandbox {
    let s = Sandbox::new();
    s.engagement();
    let mut csv = String::from("Key,Created\n");
    for i in 1..=40 {
        csv += &format!("K{i:05},2026-03-01\n");
    }
    let p = s.write("tickets.csv", csv);
    s.ok(&["import", "eng.tickmark", "--control", "C1", p.to_str().unwrap(), "--key", "Key", "--date", "Created"]);
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--size", "5", "--seed", "12345", "--tolerable-rate", "0.05"]);
    s.ok(&["result", "eng.tickmark", "--control", "C1", "--item", "1", "--attribute", "A", "--pass"]);
    s
}

/// The acting user's key file, as `identity show` names it.
fn key_file(s: &Sandbox, by: &str) -> Value {
    let shown = s.json(&["identity", "show", "--by", by]);
    let text = std::fs::read_to_string(shown["file"].as_str().unwrap()).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn signing_key(file: &Value) -> SigningKey {
    SigningKey::from_bytes(&unhex(file["secret_key"].as_str().unwrap()).try_into().unwrap())
}

/// What an attacker with sqlite3 does: flips result 1 to an exception, rewrites the event
/// that recorded it to match, and recomputes the hash chain from there. With `resign`, that
/// event (and every later one) is signed again with the attacker's key.
fn forge_result(path: &Path, resign: Option<(&SigningKey, bool)>) -> i64 {
    let conn = Connection::open(path).unwrap();
    conn.execute("UPDATE result SET outcome = 'exception', comment = 'not approved' WHERE id = 1", []).unwrap();
    let target: i64 = conn
        .query_row("SELECT seq FROM event WHERE action = 'result.recorded' ORDER BY seq LIMIT 1", [], |r| r.get(0))
        .expect("a result event");
    let mut events: Vec<(i64, String, String, String, String)> = {
        let mut stmt =
            conn.prepare("SELECT seq, at, actor, action, payload FROM event WHERE seq >= ?1 ORDER BY seq").unwrap();
        stmt.query_map([target], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let mut payload: Value = serde_json::from_str(&events[0].4).unwrap();
    // A careful forger makes the event's own words agree with the row state they forge.
    if payload.get("outcome").is_some() {
        payload["outcome"] = "exception".into();
    }
    for row in payload["rows"].as_array_mut().unwrap() {
        if row["table"] == "result" && row["id"] == 1 {
            row["state"]["outcome"] = "exception".into();
            row["state"]["comment"] = "not approved".into();
        }
    }
    events[0].4 = payload.to_string();
    let mut prev: String =
        conn.query_row("SELECT prev_hash FROM event WHERE seq = ?1", [target], |r| r.get(0)).unwrap();
    for (seq, at, actor, action, payload) in &events {
        let hash = event_hash(*seq, at, actor, action, payload, &prev);
        conn.execute(
            "UPDATE event SET payload = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
            params![payload, prev, hash, seq],
        )
        .unwrap();
        if let Some((key, claim_key)) = resign {
            let sig = hex(&key.sign(&[CONTEXT, hash.as_bytes()].concat()).to_bytes());
            conn.execute("UPDATE event SET signature = ?1 WHERE seq = ?2", params![sig, seq]).unwrap();
            if claim_key {
                let pk = hex(key.verifying_key().as_bytes());
                conn.execute("UPDATE event SET signer_key = ?1 WHERE seq = ?2", params![pk, seq]).unwrap();
            }
        }
        prev = hash;
    }
    target
}

/// `tickmark verify --format json`, which fails (non-zero) but still prints its report.
fn verify_json(s: &Sandbox) -> Value {
    let out = s.run(&["verify", "eng.tickmark", "--format", "json"]);
    assert!(!out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `tickmark verify`'s one-line failure.
fn verify_fails(s: &Sandbox) -> String {
    s.fails(&["verify", "eng.tickmark"])
}

#[test]
fn the_key_file_is_created_owner_only_on_first_use_and_reused() {
    let s = Sandbox::new();
    let first = s.json(&["identity", "show"]);
    assert_eq!(first["name"], "Dana Whitfield");
    assert_eq!(first["created"], true);
    let file = Path::new(first["file"].as_str().unwrap()).to_path_buf();
    assert!(file.starts_with(s.path("config").join("identity")), "{}", file.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let again = s.json(&["identity", "show"]);
    assert_eq!(again["created"], false);
    assert_eq!(again["public_key"], first["public_key"]);
    assert_eq!(first["fingerprint"].as_str().unwrap().len(), 16);
    // The engagement records the same key the first time Dana acts.
    s.engagement();
    let conn = Connection::open(s.path("eng.tickmark")).unwrap();
    let (name, key, first_seen): (String, String, i64) = conn
        .query_row("SELECT name, public_key, first_seen FROM signer", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    assert_eq!((name.as_str(), key.as_str(), first_seen), ("Dana Whitfield", first["public_key"].as_str().unwrap(), 1));
}

#[test]
fn a_key_file_others_can_read_is_refused() {
    let s = Sandbox::new();
    let file = s.json(&["identity", "show"])["file"].as_str().unwrap().to_string();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = s.fails(&["identity", "show"]);
        assert!(err.contains("readable by others"), "{err}");
    }
}

#[test]
fn every_event_of_a_fresh_engagement_carries_a_valid_signature() {
    let s = tested();
    s.ok(&["--by", "Sam Ortiz", "note", "add", "eng.tickmark", "--control", "C1", "--text", "check item 2"]);
    let dana = key_file(&s, "Dana Whitfield");
    let sam = key_file(&s, "Sam Ortiz");
    let conn = Connection::open(s.path("eng.tickmark")).unwrap();
    let events: Vec<(i64, String, String, String, String)> = conn
        .prepare("SELECT seq, actor, hash, signer_key, signature FROM event ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    drop(conn);
    assert!(events.len() >= 6);
    for (seq, actor, hash, key, sig) in &events {
        let expected = if actor == "Sam Ortiz" { &sam } else { &dana };
        assert_eq!(key, expected["public_key"].as_str().unwrap(), "event {seq}");
        let pk = VerifyingKey::from_bytes(&unhex(key).try_into().unwrap()).unwrap();
        let sig = ed25519_dalek::Signature::from_bytes(&unhex(sig).try_into().unwrap());
        pk.verify(&[CONTEXT, hash.as_bytes()].concat(), &sig).unwrap_or_else(|e| panic!("event {seq}: {e}"));
    }
    assert!(events.iter().any(|e| e.1 == "Sam Ortiz"));
    let v = s.json(&["verify", "eng.tickmark"]);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["signatures"]["signed"], events.len());
    assert_eq!(v["signatures"]["unsigned_before_signing"], 0);
    assert_eq!(v["signatures"]["signers"].as_array().unwrap().len(), 2);
    let text = s.ok(&["verify", "eng.tickmark"]);
    assert!(text.contains(&format!("Signatures: {} event(s) signed by Dana Whitfield", events.len())), "{text}");
}

#[test]
fn an_edited_result_with_a_recomputed_chain_is_caught_by_its_signature() {
    let s = tested();
    let seq = forge_result(&s.path("eng.tickmark"), None);
    let v = verify_json(&s);
    // The forgery is good enough for the keyless checks...
    assert_eq!(v["trail"]["intact"], true, "{v}");
    assert_eq!(v["rows"].as_array().unwrap().len(), 0, "{v}");
    // ...but not for the signature.
    assert_eq!(v["ok"], false);
    let first = &v["signatures"]["problems"][0];
    assert_eq!(first["seq"], seq);
    assert!(first["problem"].as_str().unwrap().contains("does not verify"), "{first}");
    let err = verify_fails(&s);
    assert!(err.contains(&format!("first event {seq} (Dana Whitfield)")), "{err}");
}

#[test]
fn an_event_re_signed_with_another_key_is_caught() {
    // Re-signed, still claiming Dana's key: the signature does not verify.
    let s = tested();
    let mallory = signing_key(&key_file(&s, "Mallory"));
    let seq = forge_result(&s.path("eng.tickmark"), Some((&mallory, false)));
    let err = verify_fails(&s);
    assert!(err.contains(&format!("first event {seq} (Dana Whitfield)")) && err.contains("does not verify"), "{err}");

    // Re-signed with Mallory's key named as the signer: the engagement does not record it.
    let s = tested();
    let mallory = signing_key(&key_file(&s, "Mallory"));
    let seq = forge_result(&s.path("eng.tickmark"), Some((&mallory, true)));
    let err = verify_fails(&s);
    assert!(err.contains(&format!("first event {seq}")) && err.contains("signer list does not record"), "{err}");

    // Mallory also adds her key to the signer list under Dana's name: Dana's key was pinned
    // by a colleague, so an event in Dana's name signed by any other key is named.
    let s = tested();
    let exported = s.path("dana.pub");
    s.ok(&["identity", "export", "--out", exported.to_str().unwrap()]);
    s.ok(&["--by", "Sam Ortiz", "identity", "import", "eng.tickmark", exported.to_str().unwrap()]);
    s.ok(&["result", "eng.tickmark", "--control", "C1", "--item", "1", "--attribute", "B", "--pass"]);
    let mallory = signing_key(&key_file(&s, "Mallory"));
    let seq = forge_result(&s.path("eng.tickmark"), Some((&mallory, true)));
    let conn = Connection::open(s.path("eng.tickmark")).unwrap();
    conn.execute(
        "INSERT INTO signer (name, public_key, fingerprint, first_seen) VALUES ('Dana Whitfield', ?1, ?2, ?3)",
        params![
            hex(mallory.verifying_key().as_bytes()),
            &hex(&Sha256::digest(mallory.verifying_key().as_bytes()))[..16],
            seq
        ],
    )
    .unwrap();
    drop(conn);
    let err = verify_fails(&s);
    assert!(
        err.contains(&format!("first event {seq}")) && err.contains("not the key pinned for Dana Whitfield"),
        "{err}"
    );
}

#[test]
fn an_older_file_verifies_with_its_events_reported_unsigned() {
    let s = tested();
    let before = s.json(&["trail", "eng.tickmark"]).as_array().unwrap().len();
    // Take the file back to schema 4, as the release before signing wrote it.
    items_back_to_schema_11(&s.path("eng.tickmark"));
    let conn = Connection::open(s.path("eng.tickmark")).unwrap();
    conn.execute_batch(
        "ALTER TABLE event DROP COLUMN signer_key; ALTER TABLE event DROP COLUMN signature;
         DROP TABLE signer; DROP TABLE signing; ALTER TABLE population DROP COLUMN items_sha256;
         DROP TABLE objective; DROP TABLE procedure_step; DROP TABLE walkthrough; DROP TABLE deficiency;
         DROP TABLE carried; DROP TABLE follow_up; DROP TABLE request;
         DROP TABLE handoff; DROP TABLE working_copy; DROP TABLE branch_event;
         ALTER TABLE evidence DROP COLUMN request_id;
         PRAGMA user_version = 4;",
    )
    .unwrap();
    drop(conn);
    let v = s.json(&["verify", "eng.tickmark"]);
    assert_eq!(v["ok"], true, "{v}");
    // The file's events, and the upgrade's own baseline (the engagement row and the population
    // digests, covered from schema 6 on), all written before signing began.
    let before = before + 1;
    assert_eq!(v["signatures"]["unsigned_before_signing"], before);
    assert_eq!(v["signatures"]["signed"], 0);
    let text = s.ok(&["verify", "eng.tickmark"]);
    assert!(text.contains(&format!("{before} event(s) unsigned (written before signing)")), "{text}");
    // From the upgrade on, every event is signed, and an unsigned one after it fails.
    s.ok(&["result", "eng.tickmark", "--control", "C1", "--item", "1", "--attribute", "B", "--pass"]);
    let v = s.json(&["verify", "eng.tickmark"]);
    assert_eq!((v["ok"].clone(), v["signatures"]["signed"].clone()), (Value::Bool(true), Value::from(1)), "{v}");
    let conn = Connection::open(s.path("eng.tickmark")).unwrap();
    conn.execute("UPDATE event SET signature = NULL WHERE seq = (SELECT MAX(seq) FROM event)", []).unwrap();
    drop(conn);
    let err = verify_fails(&s);
    assert!(err.contains(&format!("first event {} (Dana Whitfield): not signed", before + 1)), "{err}");
}

#[test]
fn a_public_key_exported_and_imported_is_pinned_and_named_in_the_workpaper() {
    let s = tested();
    let sam_pub = s.path("sam.pub");
    s.ok(&["--by", "Sam Ortiz", "identity", "export", "--out", sam_pub.to_str().unwrap()]);
    let text = std::fs::read_to_string(&sam_pub).unwrap();
    let sam = key_file(&s, "Sam Ortiz");
    assert!(text.starts_with("tickmark-public-key-v1\nname: Sam Ortiz\n"), "{text}");
    assert!(text.contains(sam["public_key"].as_str().unwrap()) && !text.contains(sam["secret_key"].as_str().unwrap()));
    let pinned = s.json(&["identity", "import", "eng.tickmark", sam_pub.to_str().unwrap()]);
    assert_eq!(pinned["name"], "Sam Ortiz");
    assert_eq!(pinned["pinned_by"], "Dana Whitfield");
    assert_eq!(pinned["first_seen"], Value::Null);
    // Sam acts with the pinned key: it verifies, and the key is now seen.
    s.ok(&["--by", "Sam Ortiz", "note", "add", "eng.tickmark", "--control", "C1", "--text", "check item 2"]);
    let v = s.json(&["verify", "eng.tickmark"]);
    assert_eq!(v["ok"], true, "{v}");

    // A "Sam Ortiz" on another machine, with another key, cannot write in Sam's name.
    let other = s.path("elsewhere");
    let out = Command::new(env!("CARGO_BIN_EXE_tickmark"))
        .args(["--by", "Sam Ortiz", "note", "add", "eng.tickmark", "--control", "C1", "--text", "x"])
        .current_dir(s.dir.path())
        .env("TICKMARK_NOW", NOW)
        .env("TICKMARK_CONFIG_DIR", &other)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not the key pinned for Sam Ortiz"), "{err}");

    // An altered public key file is refused.
    let forged = s.write(
        "forged.pub",
        text.replace("Sam Ortiz", "Sam").replace(&sam["public_key"].as_str().unwrap()[..4], "0000"),
    );
    assert!(s.fails(&["identity", "import", "eng.tickmark", forged.to_str().unwrap()]).contains("forged.pub"));

    // The workpaper names every signer with the fingerprint they can read out.
    let out = s.path("wp");
    s.ok(&["export", "eng.tickmark", "--format", "csv", "--out", out.to_str().unwrap()]);
    let engagement = std::fs::read_to_string(out.join("engagement.csv")).unwrap();
    for who in ["Dana Whitfield", "Sam Ortiz"] {
        let fp = s.json(&["--by", who, "identity", "show"])["fingerprint"].as_str().unwrap().to_string();
        let grouped = format!("{} {} {} {}", &fp[..4], &fp[4..8], &fp[8..12], &fp[12..]);
        assert!(engagement.contains(&format!("Signing key of {who}")) && engagement.contains(&grouped), "{engagement}");
    }
}

#[test]
fn a_file_from_before_signing_verifies_with_its_events_reported_unsigned() {
    // tests/data/engagement-v1.tickmark was written by Tickmark 0.1.0, long before signing.
    let s = Sandbox::new();
    let path = s.path("old.tickmark");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/engagement-v1.tickmark"), &path).unwrap();
    let v = s.json(&["verify", "old.tickmark"]);
    assert_eq!(v["ok"], true, "{v}");
    let old = s.json(&["trail", "old.tickmark"]).as_array().unwrap().len();
    assert!(old > 0);
    // The upgrade's own baseline event is among them; nothing is signed yet.
    assert_eq!(v["signatures"]["unsigned_before_signing"], old);
    assert_eq!(v["signatures"]["signed"], 0);
    s.ok(&["controls", "add", "old.tickmark", "--id", "C9", "--description", "New", "--frequency", "annual"]);
    let v = s.json(&["verify", "old.tickmark"]);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(
        (v["signatures"]["unsigned_before_signing"].clone(), v["signatures"]["signed"].clone()),
        (Value::from(old), Value::from(1))
    );
}

#[test]
fn a_sign_off_names_the_key_that_signed_it_in_the_workpaper() {
    let s = Sandbox::new();
    s.engagement();
    let p = s.write("tickets.csv", "Key,Created\nK1,2026-03-01\nK2,2026-04-01\nK3,2026-05-01\n");
    s.ok(&["import", "eng.tickmark", "--control", "C1", p.to_str().unwrap(), "--key", "Key", "--date", "Created"]);
    s.ok(&["population", "accept", "eng.tickmark", "--control", "C1"]);
    s.ok(&["sample", "eng.tickmark", "--control", "C1", "--size", "2", "--seed", "1", "--judgemental", "small"]);
    for item in ["1", "2"] {
        for a in ["A", "B"] {
            s.ok(&["result", "eng.tickmark", "--control", "C1", "--item", item, "--attribute", a, "--pass"]);
        }
    }
    s.ok(&["conclude", "eng.tickmark", "--control", "C1"]);
    s.ok(&[
        "walkthrough",
        "eng.tickmark",
        "--control",
        "C1",
        "--narrative",
        "Traced K1",
        "--traced",
        "K1",
        "--design",
        "effective",
    ]);
    let signed = s.json(&["signoff", "eng.tickmark", "--control", "C1", "--as", "preparer"]);
    let fp = s.json(&["identity", "show"])["fingerprint"].as_str().unwrap().to_string();
    assert_eq!(signed["key_fingerprint"], fp.as_str());
    let out = s.path("wp");
    s.ok(&["export", "eng.tickmark", "--format", "csv", "--out", out.to_str().unwrap()]);
    let signoffs = std::fs::read_to_string(out.join("signoffs.csv")).unwrap();
    let grouped = format!("{} {} {} {}", &fp[..4], &fp[4..8], &fp[8..12], &fp[12..]);
    assert!(signoffs.lines().next().unwrap().contains("Signing key"), "{signoffs}");
    assert!(signoffs.contains(&grouped), "{signoffs}");
}
