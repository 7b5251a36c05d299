//! Re-performing a selection from the client's file alone (`tickmark select`, and the app's
//! "re-perform from a file"): the file is read with the import's own rules so positions are the
//! engagement's, the exclusion rules rebuild the frame, the spec selects, voided items are
//! replaced as the spec says, and the selected rows are fetched in a second pass.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use crate::draw::{self, Later, StrataBy, StrataValues};
use crate::engagement::Period;
use crate::engagement::scope::{ExclusionRule, Row, Scoper};
use crate::import::{self, Mapping};
use crate::sampling::{Method, SPEC_VERSION, Seed};
use crate::{Error, Result};

/// What a reviewer gives to re-perform a sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSelection {
    pub method: Method,
    pub size: u64,
    pub seed: Seed,
    pub strata: Option<StrataBy>,
    /// The key column; the file's first column when None.
    pub key: Option<String>,
    pub date: Option<String>,
    pub sheet: Option<String>,
    pub date_format: Option<String>,
    /// The review period: needed for strata by quarter or month and for `outside-period`.
    pub period: Option<Period>,
    /// The exclusion rules recorded with the sample (SAMPLING-SPEC §1).
    pub exclusions: Vec<ExclusionRule>,
    /// Ordinals voided, in the order they were voided; each is replaced by the next item of
    /// its stream (SAMPLING-SPEC §3).
    pub voids: Vec<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Selection {
    pub spec: &'static str,
    pub method: Method,
    pub seed: String,
    pub population: SelectionPopulation,
    pub exclusions: Vec<SelectionExclusion>,
    pub items: Vec<SelectionItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SelectionPopulation {
    pub name: String,
    /// N: the items in the frame after exclusions.
    pub items: u64,
    /// Accepted rows before exclusions.
    pub rows: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SelectionExclusion {
    pub rule: String,
    pub rows_removed: u64,
    pub lines: Vec<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SelectionItem {
    pub ordinal: u64,
    /// Position in the frame (1..N).
    pub position: u64,
    /// The row's line in the file.
    pub row: u64,
    pub key: String,
    pub stratum: Option<String>,
    /// The ordinal of the voided item this one replaces.
    pub replaces: Option<u64>,
    pub void: bool,
}

/// What the first pass over the client's file gives: the frame and what stratification needs.
struct FileFrame {
    report: crate::import::ValidationReport,
    /// Import positions of the rows the rules keep, in order: frame position p is `rows[p - 1]`.
    rows: Vec<u64>,
    effects: Vec<crate::engagement::scope::RuleEffect>,
    values: Option<StrataValues>,
}

/// Reads `source` with the import's rules and `mapping`, applies the exclusion rules and keeps
/// what `strata` needs of each kept row.
fn read_frame(
    source: &Path,
    mapping: &Mapping,
    period: Period,
    exclusions: &[ExclusionRule],
    strata: Option<&StrataBy>,
) -> Result<FileFrame> {
    let column = match strata {
        Some(StrataBy::Column(c)) => Some(c.clone()),
        _ => None,
    };
    let mut rows: Vec<u64> = Vec::new();
    let mut dates: Vec<Option<NaiveDate>> = Vec::new();
    let mut column_values: Vec<String> = Vec::new();
    let mut effects = Vec::new();
    let report = import::with_table(source, mapping.sheet.as_deref(), |table| {
        rows.clear();
        dates.clear();
        column_values.clear();
        let file = table.file().to_string();
        let headers = table.headers().to_vec();
        let index = column.as_deref().map(|c| import::find_column(&file, &headers, c, "strata")).transpose()?;
        let mut scoper = Scoper::new(exclusions, &headers, mapping.date.is_some(), period)?;
        let report = import::scan(table, mapping, period, &mut |_| true, &mut |item| {
            let kept = scoper
                .check(Row {
                    position: item.position,
                    line: item.line,
                    key: item.key,
                    date: item.date,
                    fields: &item.row.fields,
                })
                .is_none();
            if kept {
                rows.push(item.position);
                dates.push(item.date);
                if let Some(i) = index {
                    column_values.push(item.row.fields[i].clone());
                }
            }
            Ok(())
        })?;
        effects = scoper.finish(&file)?;
        Ok(report)
    })?;
    let values = match strata {
        Some(StrataBy::Quarter) | Some(StrataBy::Month) => {
            Some(StrataValues::Dates { monthly: strata == Some(&StrataBy::Month), period, dates })
        }
        Some(StrataBy::Column(_)) => Some(StrataValues::Column(column_values)),
        None => None,
    };
    Ok(FileFrame { report, rows, effects, values })
}

/// Second pass: the line and key of the rows at the given frame positions, in the order given.
fn fetch(
    source: &Path,
    mapping: &Mapping,
    period: Period,
    frame: &FileFrame,
    positions: &[u64],
) -> Result<Vec<(u64, String)>> {
    let wanted: HashMap<u64, Vec<usize>> = positions.iter().enumerate().fold(HashMap::new(), |mut m, (i, p)| {
        m.entry(frame.rows[(p - 1) as usize]).or_default().push(i);
        m
    });
    let mut rows: Vec<(u64, String)> = vec![(0, String::new()); positions.len()];
    import::with_table(source, mapping.sheet.as_deref(), |table| {
        import::scan(table, mapping, period, &mut |_| true, &mut |item| {
            for &i in wanted.get(&item.position).into_iter().flatten() {
                rows[i] = (item.line, item.key.to_string());
            }
            Ok(())
        })
    })?;
    Ok(rows)
}

/// Re-performs a selection from `source`.
pub fn select_from_file(source: &Path, req: &FileSelection) -> Result<Selection> {
    // Quarters, months and the period rule all read each row's date within the period.
    let needs_period = matches!(req.strata, Some(StrataBy::Quarter | StrataBy::Month))
        || req.exclusions.contains(&ExclusionRule::OutsidePeriod);
    let period = match req.period {
        Some(p) => p,
        None if needs_period => {
            return Err(Error::invalid(
                "strata by quarter or month and the outside-period rule need the review period: --period START..END",
            ));
        }
        None => Period::new(NaiveDate::MIN, NaiveDate::MAX)?,
    };
    let key = match &req.key {
        Some(k) => k.clone(),
        None => import::preview(source, req.sheet.as_deref(), 0)?.columns.first().cloned().unwrap_or_default(),
    };
    let mapping = Mapping {
        key,
        date: req.date.clone(),
        amount: None,
        sheet: req.sheet.clone(),
        date_format: req.date_format.clone(),
    };
    if needs_period && mapping.date.is_none() {
        return Err(Error::invalid(
            "strata by quarter or month and the outside-period rule need the date column: --date COLUMN",
        ));
    }
    let mut frame = read_frame(source, &mapping, period, &req.exclusions, req.strata.as_ref())?;
    let n = frame.rows.len() as u64;
    let selected = replay(req, n, frame.values.take())?;
    let positions: Vec<u64> = selected.iter().map(|s| s.position).collect();
    let rows = fetch(source, &mapping, period, &frame, &positions)?;
    let FileFrame { report, effects, .. } = frame;
    Ok(Selection {
        spec: SPEC_VERSION,
        method: req.method,
        seed: req.seed.as_str().to_string(),
        population: SelectionPopulation {
            name: report.source.name.clone(),
            items: n,
            rows: report.rows_accepted,
            sha256: report.source.sha256.clone(),
        },
        exclusions: req
            .exclusions
            .iter()
            .zip(effects)
            .map(|(rule, e)| SelectionExclusion {
                rule: rule.to_string(),
                rows_removed: e.lines.len() as u64,
                lines: e.lines,
            })
            .collect(),
        items: selected
            .into_iter()
            .zip(rows)
            .map(|(s, (row, key))| SelectionItem {
                ordinal: s.ordinal,
                position: s.position,
                row,
                key,
                stratum: s.stratum,
                replaces: s.replaces,
                void: req.voids.contains(&s.ordinal),
            })
            .collect(),
    })
}

/// A recorded sample re-performed from a copy of the client's file: the file read with the
/// population's recorded mapping, the sample's recorded exclusion rules re-applied, the spec
/// re-run with the recorded method, seed, strata, extensions and replacements, and every
/// item's key compared with the file's row at the re-performed position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileCheck {
    pub control: String,
    pub file: String,
    pub file_sha256: String,
    /// The SHA-256 recorded when the population was imported.
    pub recorded_sha256: Option<String>,
    pub same_file: bool,
    pub frame_size: u64,
    pub recorded_frame_size: u64,
    pub items_checked: u64,
    /// True when every item re-performs to the recorded position and key.
    pub matches: bool,
    /// One sentence per difference, naming the item.
    pub differences: Vec<String>,
}

/// Re-performs `sample` (of a population imported as `report` over `period`) from `source`.
pub fn check_sample_against_file(
    source: &Path,
    sample: &crate::store::Sample,
    report: &crate::import::ValidationReport,
    period: Period,
) -> Result<FileCheck> {
    let mapping = Mapping {
        key: report.key_column.clone(),
        date: report.date_column.clone(),
        amount: None,
        sheet: report.source.sheet.clone(),
        date_format: report.date_format_used.clone(),
    };
    let rules: Vec<ExclusionRule> = sample.filters.exclusions.iter().map(|e| e.rule.clone()).collect();
    let mut frame = read_frame(source, &mapping, period, &rules, sample.strata_by.as_ref())?;
    let n = frame.rows.len() as u64;
    let file_sha256 = frame.report.source.sha256.clone();
    let mut differences = Vec::new();
    if n != sample.population_size {
        differences.push(format!(
            "the file's frame holds {n} items after the recorded exclusions; the sample was drawn from {}",
            sample.population_size
        ));
    }
    let seed = Seed::new(sample.seed.clone())?;
    let redrawn =
        draw::reperform(sample.method, n, &seed, sample.initial_size, frame.values.take(), &sample.later_steps())?;
    if redrawn.len() != sample.items.len() {
        differences.push(format!("{} items recorded, {} re-performed", sample.items.len(), redrawn.len()));
    }
    let positions: Vec<u64> = redrawn.iter().map(|s| s.position).collect();
    let rows = fetch(source, &mapping, period, &frame, &positions)?;
    for ((redone, (line, key)), recorded) in redrawn.iter().zip(&rows).zip(&sample.items) {
        if redone.position != recorded.position {
            differences.push(format!(
                "item {}: recorded at frame position {}, re-performed at {} (line {line}, key {key:?})",
                recorded.ordinal, recorded.position, redone.position
            ));
        } else if *key != recorded.key {
            differences.push(format!(
                "item {}: recorded key {:?}; the file has {key:?} at line {line}",
                recorded.ordinal, recorded.key
            ));
        }
    }
    Ok(FileCheck {
        control: sample.control.clone(),
        file: frame.report.source.name.clone(),
        same_file: sample.population_sha256.as_deref() == Some(file_sha256.as_str()),
        file_sha256,
        recorded_sha256: sample.population_sha256.clone(),
        frame_size: n,
        recorded_frame_size: sample.population_size,
        items_checked: redrawn.len().min(sample.items.len()) as u64,
        matches: differences.is_empty(),
        differences,
    })
}

impl crate::Engagement {
    /// Re-performs the control's current sample from a copy of the client's file.
    pub fn reperform_from_file(&self, control: &str, source: &Path) -> Result<FileCheck> {
        let sample = self
            .sample(control)?
            .ok_or_else(|| Error::invalid(format!("control {control} has no sample to re-perform")))?;
        let population = self
            .current_population(control)?
            .filter(|p| p.id == sample.population_id && p.origin == "file")
            .ok_or_else(|| {
                Error::invalid(format!(
                    "the sample of {control} was not drawn from an imported file (or its population was replaced since): nothing to re-perform it from"
                ))
            })?;
        check_sample_against_file(source, &sample, &population.report, self.info()?.period)
    }
}

struct Replayed {
    ordinal: u64,
    position: u64,
    stratum: Option<String>,
    replaces: Option<u64>,
}

/// The first `size` items, then one replacement per void in the order given.
fn replay(req: &FileSelection, n: u64, values: Option<StrataValues>) -> Result<Vec<Replayed>> {
    let first = draw::select(req.method, n, req.size, &req.seed, values.clone())?;
    let mut strata_of: Vec<Option<String>> = first.iter().map(|s| s.stratum.clone()).collect();
    let mut later = Vec::with_capacity(req.voids.len());
    for (i, &v) in req.voids.iter().enumerate() {
        let listed = req.size + i as u64;
        if v == 0 || v > listed {
            return Err(Error::invalid(format!(
                "--void {v}: the selection has no item {v} (its items are 1 to {listed})"
            )));
        }
        if req.voids[..i].contains(&v) {
            return Err(Error::invalid(format!("--void {v} is given twice")));
        }
        let stratum = strata_of[(v - 1) as usize].clone();
        strata_of.push(stratum.clone());
        later.push(Later::Replacement { stratum });
    }
    if req.method == Method::Systematic && !later.is_empty() {
        return Err(Error::invalid(
            "a systematic sample has no replacement rule (SAMPLING-SPEC §3): a voided item means drawing again",
        ));
    }
    let all = draw::reperform(req.method, n, &req.seed, req.size, values, &later)?;
    Ok(all
        .into_iter()
        .map(|s| Replayed {
            replaces: (s.ordinal > req.size).then(|| req.voids[(s.ordinal - req.size - 1) as usize]),
            ordinal: s.ordinal,
            position: s.position,
            stratum: s.stratum,
        })
        .collect())
}
