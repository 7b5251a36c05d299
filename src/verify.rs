//! The verdict of `verify`: the samples re-performed, the audit trail's chain and the covered
//! rows replayed, bulk content re-hashed, the schema compared with the migrations' and, when
//! one is cited, a trail head looked up — gathered into one answer that the CLI prints and the
//! app shows.

use serde::Serialize;

use crate::store::{RowMismatch, SampleCheck, SignatureCheck};
use crate::trail::ChainBreak;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrailState {
    pub intact: bool,
    #[serde(rename = "break")]
    pub broken: Option<ChainBreak>,
    pub events: Option<i64>,
    pub head: Option<String>,
}

/// A trail head cited elsewhere (a workpaper, or typed by a reviewer): the file must still
/// hold that event, or it was rolled back, truncated or replaced since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedHead {
    pub hash: String,
    /// The event number cited with the hash, when known.
    pub event: Option<i64>,
    /// Where the head was read: `--expect-head` or the workpaper's path.
    pub source: String,
}

impl ExpectedHead {
    /// A head typed by a reviewer: refused unless it is a whole SHA-256 in hexadecimal.
    pub fn typed(hash: &str) -> crate::Result<ExpectedHead> {
        let hash = hash.trim().to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(crate::Error::invalid(format!(
                "--expect-head {hash:?}: a trail head is the 64 hexadecimal digits of an event's SHA-256, as a workpaper cites it"
            )));
        }
        Ok(ExpectedHead { hash, event: None, source: "--expect-head".into() })
    }
}

/// Whether the file's chain holds an expected head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeadCheck {
    #[serde(flatten)]
    pub expected: ExpectedHead,
    pub found: bool,
    /// Why not, in one sentence.
    pub problem: Option<String>,
}

impl HeadCheck {
    /// Compares `expected` with the event the file holds under that hash (`found`, its number)
    /// and the file's own head (`ends`: number and hash).
    pub fn new(expected: ExpectedHead, found: Option<i64>, ends: Option<(i64, String)>) -> HeadCheck {
        let cited = match expected.event {
            Some(n) => format!("{} (event {n})", expected.hash),
            None => expected.hash.clone(),
        };
        let ends = match &ends {
            Some((n, h)) => format!("this file's trail ends at event {n}, {h}"),
            None => "this file's trail is empty".into(),
        };
        let problem = match (found, expected.event) {
            (Some(seq), Some(n)) if seq != n => Some(format!(
                "the trail head {cited} from {} is event {seq} in this file, not event {n}: the trail was rewritten",
                expected.source
            )),
            (Some(_), _) => None,
            (None, _) => Some(format!(
                "the trail head {cited} from {} is not in this file's chain: the file was rolled back, truncated or replaced since ({ends})",
                expected.source
            )),
        };
        HeadCheck { found: problem.is_none(), expected, problem }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub ok: bool,
    pub samples: Vec<SampleCheck>,
    pub trail: TrailState,
    /// Rows (and the bulk content they cover) that are not as the trail recorded them.
    pub rows: Vec<RowMismatch>,
    /// Every event's signature, checked against the keys the engagement records.
    pub signatures: Option<SignatureCheck>,
    /// Ways the file's schema differs from what Tickmark's migrations create.
    pub schema: Vec<String>,
    pub expected_head: Option<HeadCheck>,
}

/// What `verify` found, gathered before it is judged.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub samples: Vec<SampleCheck>,
    pub chain: Option<ChainBreak>,
    pub rows: Vec<RowMismatch>,
    pub schema: Vec<String>,
    pub head: Option<(i64, String)>,
    pub expected_head: Option<HeadCheck>,
}

impl Verification {
    pub fn new(f: Findings) -> Verification {
        let ok = f.chain.is_none()
            && f.rows.is_empty()
            && f.schema.is_empty()
            && f.samples.iter().all(|s| s.matches)
            && f.expected_head.as_ref().is_none_or(|h| h.found);
        let (events, head) = match f.head {
            Some((n, h)) => (Some(n), Some(h)),
            None => (None, None),
        };
        Verification {
            ok,
            samples: f.samples,
            trail: TrailState { intact: f.chain.is_none(), broken: f.chain, events, head },
            rows: f.rows,
            schema: f.schema,
            expected_head: f.expected_head,
            signatures: None,
        }
    }

    /// Adds the signature check: any event unsigned since signing began, or signed wrongly, fails.
    pub fn with_signatures(mut self, check: SignatureCheck) -> Verification {
        self.ok &= check.problems.is_empty();
        self.signatures = Some(check);
        self
    }

    /// Why verification failed, in one line; None when it passed.
    pub fn failure(&self) -> Option<String> {
        if self.ok {
            return None;
        }
        let mut why = Vec::new();
        let bad = self.samples.iter().filter(|s| !s.matches).count();
        if bad > 0 {
            why.push(format!("{bad} sample(s) differ"));
        }
        if let Some(b) = &self.trail.broken {
            why.push(format!("audit trail broken at event {}", b.seq));
        }
        if let Some(r) = self.rows.first() {
            why.push(format!(
                "{} row(s) altered outside Tickmark, first {} {} after event {}",
                self.rows.len(),
                r.table,
                r.id,
                r.event
            ));
        }
        if let Some(p) = self.signatures.as_ref().and_then(|c| c.problems.first()) {
            let n = self.signatures.as_ref().map_or(0, |c| c.problems.len());
            why.push(format!("{n} event signature(s) do not hold, first event {} ({}): {}", p.seq, p.actor, p.problem));
        }
        if let Some(first) = self.schema.first() {
            why.push(format!("{} schema change(s) made outside Tickmark, first {first}", self.schema.len()));
        }
        if let Some(problem) = self.expected_head.as_ref().and_then(|h| h.problem.as_ref()) {
            why.push(problem.clone());
        }
        Some(format!("verification failed: {}", why.join("; ")))
    }

    /// The report a reviewer reads: each draw re-performed, the chain, each altered row.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.samples {
            let status = if c.matches { "re-performed, identical".to_string() } else { c.differences.join("; ") };
            s += &format!("{:<12} draw {} ({}, {} items): {}\n", c.control, c.draw_number, c.method, c.size, status);
        }
        match (&self.trail.broken, self.trail.events, &self.trail.head) {
            (None, Some(n), Some(h)) => s += &format!("Audit trail: {n} events, chain intact, head {h}\n"),
            (None, _, _) => s += "Audit trail: empty\n",
            (Some(b), _, _) => s += &format!("Audit trail BROKEN at event {}: {}\n", b.seq, b.reason),
        }
        for r in &self.rows {
            s += &format!("Row {} {} (last written by event {}): {}\n", r.table, r.id, r.event, r.problem);
        }
        if let Some(c) = &self.signatures {
            s += &signatures_text(c);
        }
        for p in &self.schema {
            s += &format!("Schema: {p}\n");
        }
        match &self.expected_head {
            Some(HeadCheck { problem: Some(p), .. }) => s += &format!("Trail head NOT FOUND: {p}\n"),
            Some(h) => {
                s += &format!("Trail head {} from {}: in this file's chain\n", h.expected.hash, h.expected.source)
            }
            None => {}
        }
        s
    }
}

/// The signature lines of the report: how many events are signed, by whom, and each problem.
fn signatures_text(c: &SignatureCheck) -> String {
    let signers: Vec<String> = c
        .signers
        .iter()
        .filter(|s| s.first_seen.is_some())
        .map(|s| format!("{} {}", s.name, crate::identity::grouped(&s.fingerprint)))
        .collect();
    let mut s = format!("Signatures: {} event(s) signed", c.signed);
    if !signers.is_empty() {
        s += &format!(" by {}", signers.join(", "));
    }
    s += "\n";
    if c.unsigned_before_signing > 0 {
        s += &format!("{} event(s) unsigned (written before signing)\n", c.unsigned_before_signing);
    }
    for p in &c.problems {
        s += &format!("Event {} ({}) SIGNATURE: {}\n", p.seq, p.actor, p.problem);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampling::Method;

    #[test]
    fn any_difference_fails_and_is_named_in_one_line() {
        let clean = Verification::new(Findings { head: Some((3, "abc".into())), ..Findings::default() });
        assert!(clean.ok && clean.failure().is_none());
        assert!(clean.text().contains("Audit trail: 3 events, chain intact, head abc"));
        let check = SampleCheck {
            control: "C1".into(),
            draw_number: 1,
            method: Method::Random,
            size: 5,
            matches: false,
            differences: vec!["item 4: recorded position 1, re-performed position 54".into()],
        };
        let row = RowMismatch { table: "result".into(), id: 7, event: 12, problem: "changed".into() };
        let broken = ChainBreak { seq: 9, reason: "edited".into() };
        let v = Verification::new(Findings {
            samples: vec![check],
            chain: Some(broken),
            rows: vec![row],
            ..Findings::default()
        });
        assert_eq!(
            v.failure().unwrap(),
            "verification failed: 1 sample(s) differ; audit trail broken at event 9; 1 row(s) altered outside Tickmark, first result 7 after event 12"
        );
        let check = crate::store::SignatureCheck {
            signed: 2,
            unsigned_before_signing: 4,
            problems: vec![crate::store::SignatureProblem {
                seq: 7,
                actor: "Dana".into(),
                problem: "not signed".into(),
            }],
            signers: vec![],
        };
        let v =
            Verification::new(Findings { head: Some((7, "abc".into())), ..Findings::default() }).with_signatures(check);
        assert_eq!(
            v.failure().unwrap(),
            "verification failed: 1 event signature(s) do not hold, first event 7 (Dana): not signed"
        );
        assert!(
            v.text().contains("4 event(s) unsigned (written before signing)\nEvent 7 (Dana) SIGNATURE: not signed")
        );
    }

    #[test]
    fn a_cited_head_missing_from_the_chain_fails_naming_the_rollback() {
        let cited = ExpectedHead { hash: "beef".into(), event: Some(9), source: "wp.html".into() };
        let missing = HeadCheck::new(cited.clone(), None, Some((7, "cafe".into())));
        let v = Verification::new(Findings { expected_head: Some(missing), ..Findings::default() });
        assert_eq!(
            v.failure().unwrap(),
            "verification failed: the trail head beef (event 9) from wp.html is not in this file's chain: the file was rolled back, truncated or replaced since (this file's trail ends at event 7, cafe)"
        );
        assert!(HeadCheck::new(cited, Some(9), Some((12, "f00d".into()))).found);
    }
}
