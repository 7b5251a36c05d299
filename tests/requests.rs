//! Client requests (PBC) generated from the samples, the list for the client, and a folder of
//! returned files received as evidence.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::{Sandbox, assert_unchanged, bytes};
use sha2::{Digest, Sha256};

fn sheet(path: &std::path::Path, name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| if let Data::Empty = c { String::new() } else { c.to_string() }).collect())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn demo_with_requests(s: &Sandbox) {
    s.ok(&["demo", "--out", "demo.tickmark"]);
    s.ok(&["requests", "demo.tickmark", "--due", "2026-12-15", "--out", "requests.xlsx"]);
}

#[test]
fn requests_are_one_per_sampled_item_and_one_per_control_and_the_list_carries_nothing_else() {
    let s = Sandbox::new();
    demo_with_requests(&s);
    let rows = sheet(&s.path("requests.xlsx"), "Requests");
    assert_eq!(
        rows[3],
        [
            "Request ID",
            "Control",
            "Item key",
            "Item date",
            "Item details",
            "Evidence requested",
            "Due",
            "Status",
            "Note"
        ]
    );
    // 16 controls; CC8.1-01's 26 listed items less the voided item 3; CC6.1-01's 4 items.
    let requests = &rows[4..];
    assert_eq!(requests.len(), 16 + 25 + 4);
    let find = |id: &str| requests.iter().find(|r| r[0] == id).unwrap_or_else(|| panic!("{id}"));
    assert!(requests.iter().all(|r| r[0] != "CC8.1-01-03"), "a voided item is not asked for");
    let item = find("CC6.1-01-02");
    assert_eq!(item[2], "UAR-2026Q3-SNOWFLAKE");
    assert!(item[4].contains("Review Completed: 2026-11-04"), "{}", item[4]);
    assert!(
        item[5].starts_with(
            "Evidence showing, for this item:\nA: review completed for the system within the quarter it covers\nB: "
        ),
        "{}",
        item[5]
    );
    assert_eq!((item[6].as_str(), item[7].as_str()), ("2026-12-15", "open"));
    assert_eq!(find("CC8.1-01-C")[2], "(the control)");
    assert!(find("CC8.1-01-C")[5].contains("the item traced: ACME-1049"));
    // Nothing the auditor did not choose to ask: no result, exception or conclusion reaches the client.
    let all: String = rows.iter().flatten().cloned().collect::<Vec<_>>().join("\n");
    for secret in ["35 days after", "Exceptions noted", "extended leave", "✓", "Dana Whitfield"] {
        assert!(!all.contains(secret), "the client's list shows {secret:?}");
    }
    // Asking again makes no new requests; the list is the same requests.
    let again =
        s.json(&["requests", "demo.tickmark", "--control", "CC6.1-01", "--due", "2026-12-20", "--out", "again.xlsx"]);
    assert_eq!(again.as_array().unwrap().len(), 5);
    assert_eq!(again[0]["due"], "2026-12-15", "an existing request keeps its due date");
}

#[test]
fn a_folder_of_returned_files_is_matched_stored_once_and_listed() {
    let s = Sandbox::new();
    demo_with_requests(&s);
    std::fs::create_dir(s.path("back")).unwrap();
    s.write("back/CC8.1-01-07 approval.png", b"approval of ACME-7");
    s.write("back/CC8.1-01-07 approval (copy).png", b"approval of ACME-7");
    s.write("back/cc6.1-01-C UAR policy.pdf", b"the access review policy");
    s.write("back/CC8.1-01-70 typo.png", b"no such item");
    s.write("back/notes.txt", b"from the client");
    let got = s.json(&["requests", "receive", "demo.tickmark", "back"]);
    assert_eq!(
        got["stored"],
        serde_json::json!([
            ["CC8.1-01-07", "CC8.1-01-07 approval (copy).png", hex(b"approval of ACME-7")],
            ["CC6.1-01-C", "cc6.1-01-C UAR policy.pdf", hex(b"the access review policy")]
        ])
    );
    assert_eq!(got["duplicates"], serde_json::json!(["CC8.1-01-07 approval.png"]));
    assert_eq!(got["unmatched"], serde_json::json!(["CC8.1-01-70 typo.png", "notes.txt"]));
    assert_eq!(got["still_open"].as_array().unwrap().len(), 45 - 2);

    // The evidence is on the item, with its hash and the request it answered.
    let ev = s.json(&["evidence", "list", "demo.tickmark", "--control", "CC8.1-01"]);
    let e = ev.as_array().unwrap().iter().find(|e| e["request"] == "CC8.1-01-07").unwrap();
    assert_eq!((e["ordinal"].as_u64(), e["sha256"].as_str()), (Some(7), Some(hex(b"approval of ACME-7").as_str())));
    // Received twice: nothing new.
    let again = s.json(&["requests", "receive", "demo.tickmark", "back"]);
    assert_eq!(again["stored"], serde_json::json!([]));
    assert_eq!(again["duplicates"].as_array().unwrap().len(), 3);

    // Accept, reject with a reason; an open request cannot be judged.
    let err = s.fails(&["requests", "accept", "demo.tickmark", "--id", "CC8.1-01-08"]);
    assert!(err.contains("request CC8.1-01-08 has received nothing yet"), "{err}");
    let err = s.fails(&["requests", "accept", "demo.tickmark", "--id", "CC9.9-01-01"]);
    assert!(err.contains("no request \"CC9.9-01-01\""), "{err}");
    s.ok(&["requests", "accept", "demo.tickmark", "--id", "CC8.1-01-07"]);
    let err = s.fails(&["requests", "reject", "demo.tickmark", "--id", "CC6.1-01-C", "--reason", " "]);
    assert!(err.contains("needs the reason"), "{err}");
    s.ok(&["requests", "reject", "demo.tickmark", "--id", "CC6.1-01-C", "--reason", "The policy is the 2024 version"]);
    let list = s.json(&["requests", "list", "demo.tickmark", "--control", "CC6.1-01"]);
    let c = list.as_array().unwrap().iter().find(|r| r["code"] == "CC6.1-01-C").unwrap();
    assert_eq!(
        (c["status"].as_str(), c["reason"].as_str()),
        (Some("rejected"), Some("The policy is the 2024 version"))
    );

    // The workpaper shows the requests with their status and the evidence with its request.
    s.ok(&["export", "demo.tickmark", "--format", "xlsx", "--out", "wp.xlsx"]);
    let req = sheet(&s.path("wp.xlsx"), "Requests");
    let row = req.iter().find(|r| r.get(1).is_some_and(|c| c == "CC8.1-01-07")).unwrap();
    assert_eq!(row[6], "accepted");
    let evidence = sheet(&s.path("wp.xlsx"), "Evidence");
    assert!(evidence.iter().any(|r| r.contains(&"CC8.1-01-07".to_string())));
    s.ok(&["verify", "demo.tickmark"]);
}

#[test]
fn a_folder_with_a_sub_folder_a_link_or_an_oversized_file_is_refused_whole() {
    let s = Sandbox::new();
    demo_with_requests(&s);
    let before = bytes(&s.path("demo.tickmark"));
    std::fs::create_dir_all(s.path("nested/deeper")).unwrap();
    s.write("nested/CC8.1-01-07 a.png", b"a");
    let err = s.fails(&["requests", "receive", "demo.tickmark", "nested"]);
    assert!(err.contains("holds deeper (a folder)") && err.contains("nothing was stored"), "{err}");
    std::fs::create_dir(s.path("linked")).unwrap();
    s.write("linked/CC8.1-01-07 a.png", b"a");
    std::os::unix::fs::symlink("/etc/passwd", s.path("linked/CC8.1-01-08 b.png")).unwrap();
    let err = s.fails(&["requests", "receive", "demo.tickmark", "linked"]);
    assert!(err.contains("CC8.1-01-08 b.png (a symbolic link)"), "{err}");
    std::fs::create_dir(s.path("big")).unwrap();
    s.write("big/CC8.1-01-07 a.png", b"a");
    let f = std::fs::File::create(s.path("big/CC8.1-01-08 huge.mov")).unwrap();
    f.set_len(257 << 20).unwrap();
    let err = s.fails(&["requests", "receive", "demo.tickmark", "big"]);
    assert!(err.contains("huge.mov") && err.contains("above the 256 MiB limit"), "{err}");
    let err = s.fails(&["requests", "demo.tickmark", "--due", "15/12/2026", "--out", "r.xlsx"]);
    assert!(err.contains("--due \"15/12/2026\" is not a date"), "{err}");
    assert_unchanged(&s.path("demo.tickmark"), &before);
}
