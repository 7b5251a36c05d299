//! Scoping the sampling frame (SAMPLING-SPEC §1): the exclusion rules an auditor records before
//! a sample is drawn, applied to the accepted rows in the spec's order. Pure: the store feeds it
//! the population's rows, the stateless `select` feeds it the client's file, and both get the
//! same frame.

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Period;
use crate::{Error, Result};

/// One recorded exclusion rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExclusionRule {
    /// Rows dated before the period's first day or after its last.
    OutsidePeriod,
    /// Rows whose key is empty after trimming spaces.
    BlankKey,
    /// Every row whose key occurs on an earlier row still in the frame (the first is kept).
    DuplicateKey,
    /// Rows whose column `name` equals one of `values` exactly.
    Column { name: String, values: Vec<String> },
    /// Rows by source line number: inclusive ranges.
    Lines(Vec<(u64, u64)>),
}

impl ExclusionRule {
    /// The spec's order of application: rules of a lower rank are applied first.
    fn rank(&self) -> u8 {
        match self {
            ExclusionRule::OutsidePeriod => 0,
            ExclusionRule::BlankKey => 1,
            ExclusionRule::DuplicateKey => 2,
            ExclusionRule::Column { .. } => 3,
            ExclusionRule::Lines(_) => 4,
        }
    }
}

impl fmt::Display for ExclusionRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExclusionRule::OutsidePeriod => f.write_str("outside-period"),
            ExclusionRule::BlankKey => f.write_str("blank-key"),
            ExclusionRule::DuplicateKey => f.write_str("duplicate-key"),
            ExclusionRule::Column { name, values } => write!(f, "column:{name}={}", values.join("|")),
            ExclusionRule::Lines(ranges) => {
                let parts: Vec<String> =
                    ranges.iter().map(|&(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect();
                write!(f, "lines:{}", parts.join(","))
            }
        }
    }
}

impl FromStr for ExclusionRule {
    type Err = Error;

    fn from_str(s: &str) -> Result<ExclusionRule> {
        let unknown = || {
            Error::invalid(format!(
                "unknown exclusion rule {s:?}: expected outside-period, blank-key, duplicate-key, column:NAME=V1|V2 or lines:L1,L2-L5"
            ))
        };
        match s.trim() {
            "outside-period" => return Ok(ExclusionRule::OutsidePeriod),
            "blank-key" => return Ok(ExclusionRule::BlankKey),
            "duplicate-key" => return Ok(ExclusionRule::DuplicateKey),
            _ => {}
        }
        if let Some(rest) = s.strip_prefix("column:") {
            let (name, values) = rest.split_once('=').ok_or_else(|| {
                Error::invalid(format!("exclusion rule {s:?}: write column:NAME=VALUE (or VALUE1|VALUE2)"))
            })?;
            if name.trim().is_empty() {
                return Err(Error::invalid(format!("exclusion rule {s:?} names no column")));
            }
            // Values are matched exactly as imported: only the separator is interpreted.
            let values: Vec<String> = values.split('|').map(String::from).collect();
            return Ok(ExclusionRule::Column { name: name.to_string(), values });
        }
        if let Some(rest) = s.trim().strip_prefix("lines:") {
            let mut ranges = Vec::new();
            for part in rest.split(',').map(str::trim) {
                let bad = || {
                    Error::invalid(format!(
                        "exclusion rule {s:?}: {part:?} is not a line number or a range such as 12-15"
                    ))
                };
                let (a, b) = part.split_once('-').unwrap_or((part, part));
                let a: u64 = a.trim().parse().map_err(|_| bad())?;
                let b: u64 = b.trim().parse().map_err(|_| bad())?;
                if a == 0 || a > b {
                    return Err(bad());
                }
                ranges.push((a, b));
            }
            return Ok(ExclusionRule::Lines(ranges));
        }
        Err(unknown())
    }
}

impl Serialize for ExclusionRule {
    /// As the rule is typed: `column:Status=Cancelled`.
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ExclusionRule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// One accepted row as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// 1-based among the accepted rows (the import's position).
    pub position: u64,
    /// The row's line in the source file.
    pub line: u64,
    pub key: &'a str,
    pub date: Option<NaiveDate>,
    pub fields: &'a [String],
}

/// What one rule removed from the frame.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleEffect {
    /// Import positions of the rows removed, ascending.
    pub positions: Vec<u64>,
    /// Their source lines, in the same order.
    pub lines: Vec<u64>,
}

/// Applies rules to rows given in position order, one row at a time, so a file of any size
/// can be scoped while it is read.
#[derive(Debug)]
pub struct Scoper {
    /// The rules in the spec's order of application, each with its index in the caller's list.
    order: Vec<usize>,
    rules: Vec<ExclusionRule>,
    column_index: Vec<Option<usize>>,
    line_sets: Vec<Option<Vec<(u64, u64)>>>,
    /// Lines asked for by `lines:` rules and not yet seen as a row.
    lines_unseen: BTreeSet<u64>,
    period: Period,
    keys_seen: HashSet<String>,
    effects: Vec<RuleEffect>,
}

/// The most lines one `lines:` rule may name: the rule is for a handful of rows the auditor
/// identified; larger scoping belongs in a column rule.
const MAX_LINES: u64 = 100_000;

impl Scoper {
    /// `columns` are the population's column names, for `column:` rules.
    pub fn new(rules: &[ExclusionRule], columns: &[String], has_dates: bool, period: Period) -> Result<Scoper> {
        let mut order: Vec<usize> = (0..rules.len()).collect();
        order.sort_by_key(|&i| rules[i].rank());
        let mut column_index = Vec::with_capacity(rules.len());
        let mut line_sets = Vec::with_capacity(rules.len());
        let mut lines_unseen = BTreeSet::new();
        for rule in rules {
            column_index.push(match rule {
                ExclusionRule::Column { name, .. } => {
                    Some(columns.iter().position(|c| c == name).ok_or_else(|| {
                        Error::invalid(format!(
                            "exclusion rule {rule}: the population has no column {name:?}; its columns are {}",
                            columns.join(", ")
                        ))
                    })?)
                }
                _ => None,
            });
            if matches!(rule, ExclusionRule::OutsidePeriod) && !has_dates {
                return Err(Error::invalid(
                    "exclusion rule outside-period needs the population's date column, and none was mapped",
                ));
            }
            line_sets.push(match rule {
                ExclusionRule::Lines(ranges) => {
                    let count: u64 = ranges.iter().map(|(a, b)| b - a + 1).sum();
                    if count > MAX_LINES {
                        return Err(Error::invalid(format!(
                            "exclusion rule {rule} names {count} lines; at most {MAX_LINES} can be named (exclude by a column instead)"
                        )));
                    }
                    for &(a, b) in ranges {
                        lines_unseen.extend(a..=b);
                    }
                    Some(ranges.clone())
                }
                _ => None,
            });
        }
        Ok(Scoper {
            order,
            rules: rules.to_vec(),
            column_index,
            line_sets,
            lines_unseen,
            period,
            keys_seen: HashSet::new(),
            effects: vec![RuleEffect::default(); rules.len()],
        })
    }

    /// The index (in the caller's list) of the rule that removes `row`, if any.
    pub fn check(&mut self, row: Row<'_>) -> Option<usize> {
        self.lines_unseen.remove(&row.line);
        for &i in &self.order {
            let hit = match &self.rules[i] {
                ExclusionRule::OutsidePeriod => row.date.is_some_and(|d| !self.period.contains(d)),
                ExclusionRule::BlankKey => row.key.trim().is_empty(),
                // A row removed by an earlier rule never reaches here, so it is not "earlier
                // and still in the frame" for the rows after it.
                ExclusionRule::DuplicateKey => !self.keys_seen.insert(row.key.to_string()),
                ExclusionRule::Column { values, .. } => {
                    let index = self.column_index[i].expect("resolved in new");
                    row.fields.get(index).is_some_and(|v| values.iter().any(|x| x == v))
                }
                ExclusionRule::Lines(_) => self.line_sets[i]
                    .as_ref()
                    .is_some_and(|ranges| ranges.iter().any(|&(a, b)| (a..=b).contains(&row.line))),
            };
            if hit {
                self.effects[i].positions.push(row.position);
                self.effects[i].lines.push(row.line);
                return Some(i);
            }
        }
        None
    }

    /// Each rule's effect, in the caller's order. Refuses `lines:` rules naming a line that is
    /// no row of the population (a header, a blank line, past the end).
    pub fn finish(self, source: &str) -> Result<Vec<RuleEffect>> {
        if let Some(&first) = self.lines_unseen.iter().next() {
            let more = self.lines_unseen.len() - 1;
            return Err(Error::invalid(format!(
                "{source}: line {first}{} is not a row of the population (the header, a blank line or past the end)",
                if more > 0 { format!(" and {more} other line(s)") } else { String::new() }
            )));
        }
        Ok(self.effects)
    }
}

/// The sampling frame: the accepted rows less the excluded ones, numbered `1..=size` in
/// canonical order. Maps frame positions (what samples record) to import positions (what the
/// population's rows are stored by) and back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    /// Import positions removed by exclusions, ascending and distinct.
    excluded: Vec<u64>,
    size: u64,
}

impl Frame {
    pub fn new(rows: u64, mut excluded: Vec<u64>) -> Frame {
        excluded.sort_unstable();
        excluded.dedup();
        let size = rows - excluded.len() as u64;
        Frame { excluded, size }
    }

    /// The number of items in the frame (N).
    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn excluded(&self) -> &[u64] {
        &self.excluded
    }

    /// The import position of frame item `position` (1-based).
    pub fn row_position(&self, position: u64) -> u64 {
        // Before the j-th excluded row x_j (0-based) lie x_j − j − 1 frame items: skip every
        // excluded row that has fewer than `position` frame items before it.
        let (mut lo, mut hi) = (0usize, self.excluded.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.excluded[mid] - mid as u64 - 1 < position {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        position + lo as u64
    }

    /// The frame position of an import position, or None when that row was excluded.
    pub fn frame_position(&self, row_position: u64) -> Option<u64> {
        match self.excluded.binary_search(&row_position) {
            Ok(_) => None,
            Err(before) => Some(row_position - before as u64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period() -> Period {
        Period::parse("2026-01-01..2026-12-31").unwrap()
    }

    #[test]
    fn rules_read_back_as_typed() {
        for text in ["outside-period", "blank-key", "duplicate-key", "column:Status=Cancelled|Rejected", "lines:4,7-9"]
        {
            assert_eq!(text.parse::<ExclusionRule>().unwrap().to_string(), text);
        }
        assert!("lines:9-7".parse::<ExclusionRule>().is_err());
        assert!("lines:x".parse::<ExclusionRule>().is_err());
        assert!("column:=x".parse::<ExclusionRule>().is_err());
        assert!("cancelled".parse::<ExclusionRule>().is_err());
    }

    #[test]
    fn rules_apply_in_the_specs_order_whatever_order_they_were_recorded() {
        // Hand-made rows: key, date, status.
        let rows = [
            ("A", "2025-12-31", "Done"),      // 1: outside the period
            ("A", "2026-01-05", "Done"),      // 2: first A in the frame: kept
            ("", "2026-01-06", "Done"),       // 3: blank key
            ("A", "2026-01-07", "Done"),      // 4: duplicate of 2
            ("B", "2026-02-01", "Cancelled"), // 5: cancelled
            ("C", "2026-03-01", "Done"),      // 6: line 7 excluded by lines
            ("D", "2026-04-01", "Done"),      // 7: kept
        ];
        let rules: Vec<ExclusionRule> =
            ["lines:7", "column:Status=Cancelled", "duplicate-key", "blank-key", "outside-period"]
                .iter()
                .map(|r| r.parse().unwrap())
                .collect();
        let columns = vec!["Key".to_string(), "Date".to_string(), "Status".to_string()];
        let mut scoper = Scoper::new(&rules, &columns, true, period()).unwrap();
        let mut kept = vec![];
        for (i, (key, date, status)) in rows.iter().enumerate() {
            let fields = vec![key.to_string(), date.to_string(), status.to_string()];
            let row = Row {
                position: i as u64 + 1,
                line: i as u64 + 2,
                key,
                date: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok(),
                fields: &fields,
            };
            if scoper.check(row).is_none() {
                kept.push(i + 1);
            }
        }
        assert_eq!(kept, [2, 7]);
        let effects = scoper.finish("t.csv").unwrap();
        // In the order recorded: lines, column, duplicate, blank, outside.
        let positions: Vec<Vec<u64>> = effects.iter().map(|e| e.positions.clone()).collect();
        assert_eq!(positions, vec![vec![6], vec![5], vec![4], vec![3], vec![1]]);
        assert_eq!(effects[0].lines, [7]);
    }

    #[test]
    fn a_row_outside_the_period_does_not_make_the_next_copy_a_duplicate() {
        let rules = vec![ExclusionRule::OutsidePeriod, ExclusionRule::DuplicateKey];
        let mut scoper = Scoper::new(&rules, &[], true, period()).unwrap();
        let none: Vec<String> = vec![];
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(scoper.check(Row { position: 1, line: 2, key: "K", date: d("2027-01-01"), fields: &none }), Some(0));
        assert_eq!(scoper.check(Row { position: 2, line: 3, key: "K", date: d("2026-06-01"), fields: &none }), None);
        assert_eq!(scoper.check(Row { position: 3, line: 4, key: "K", date: d("2026-06-02"), fields: &none }), Some(1));
    }

    #[test]
    fn bad_rules_are_refused_with_what_is_wrong() {
        let cols = vec!["Key".to_string()];
        let e = Scoper::new(&["column:Status=X".parse().unwrap()], &cols, true, period()).unwrap_err();
        assert!(e.to_string().contains("no column \"Status\""), "{e}");
        let e = Scoper::new(&[ExclusionRule::OutsidePeriod], &cols, false, period()).unwrap_err();
        assert!(e.to_string().contains("date column"), "{e}");
        let mut s = Scoper::new(&["lines:3,50".parse().unwrap()], &cols, true, period()).unwrap();
        let f = vec!["k".to_string()];
        s.check(Row { position: 1, line: 3, key: "k", date: None, fields: &f });
        let e = s.finish("t.csv").unwrap_err();
        assert!(e.to_string().contains("t.csv: line 50 is not a row"), "{e}");
    }

    #[test]
    fn the_frame_maps_positions_both_ways() {
        let frame = Frame::new(10, vec![7, 2, 3]);
        assert_eq!(frame.size(), 7);
        let rows: Vec<u64> = (1..=7).map(|p| frame.row_position(p)).collect();
        assert_eq!(rows, [1, 4, 5, 6, 8, 9, 10]);
        for (p, &r) in (1..).zip(&rows) {
            assert_eq!(frame.frame_position(r), Some(p));
        }
        assert_eq!(frame.frame_position(3), None);
        assert_eq!(Frame::new(5, vec![]).row_position(5), 5);
    }
}
