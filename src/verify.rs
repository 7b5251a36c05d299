//! The verdict of `verify`: the samples re-performed, the audit trail's chain and the covered
//! rows replayed, gathered into one answer that the CLI prints and the app shows.

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub ok: bool,
    pub samples: Vec<SampleCheck>,
    pub trail: TrailState,
    pub rows: Vec<RowMismatch>,
    /// Every event's signature, checked against the keys the engagement records.
    pub signatures: Option<SignatureCheck>,
}

impl Verification {
    pub fn new(
        samples: Vec<SampleCheck>,
        chain: Option<ChainBreak>,
        rows: Vec<RowMismatch>,
        head: Option<(i64, String)>,
    ) -> Verification {
        let ok = chain.is_none() && rows.is_empty() && samples.iter().all(|s| s.matches);
        let (events, head) = match head {
            Some((n, h)) => (Some(n), Some(h)),
            None => (None, None),
        };
        Verification {
            ok,
            samples,
            trail: TrailState { intact: chain.is_none(), broken: chain, events, head },
            rows,
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
        let clean = Verification::new(vec![], None, vec![], Some((3, "abc".into())));
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
        let v = Verification::new(vec![check], Some(broken), vec![row], None);
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
        let v = Verification::new(vec![], None, vec![], Some((7, "abc".into()))).with_signatures(check);
        assert_eq!(
            v.failure().unwrap(),
            "verification failed: 1 event signature(s) do not hold, first event 7 (Dana): not signed"
        );
        assert!(
            v.text().contains("4 event(s) unsigned (written before signing)\nEvent 7 (Dana) SIGNATURE: not signed")
        );
    }
}
