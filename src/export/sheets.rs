//! The workpaper as tables: one [`Sheet`] per xlsx sheet and per CSV file, built once from a
//! [`Workpaper`] so that the xlsx, CSV and HTML writers show the same rows and columns and only
//! decide how to lay them out.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::engagement::Control;
use crate::engagement::design::{Deficiency, Walkthrough};
use crate::engagement::evaluation::Approach;
use crate::engagement::fieldwork::{
    Evidence, EvidenceKind, ExceptionRecord, Interview, NoteStatus, Outcome, ReviewNote, SignOff, SignOffRole,
    TICKMARK_LEGEND,
};
use crate::engagement::workpaper::{ControlWorkpaper, Workpaper};
use crate::store::{Handoff, PopulationSummary, Request, Sample, SampleItem};

use Kind::{Code, Prose, Short};

/// One value of a table. The variant decides how each writer renders it: text is always a
/// string (escaped in CSV, a string cell in xlsx), numbers and dates stay numbers and dates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    /// Words from the client, the auditor or Tickmark.
    Text(String),
    Count(u64),
    /// An amount, exact as recorded.
    Amount(Decimal),
    /// A rate as a fraction of one; `text` is the percentage a workpaper prints.
    Rate {
        value: f64,
        text: String,
    },
    Date(NaiveDate),
    /// A recorded time: the text as stored, and its UTC value when it is RFC 3339.
    Time {
        text: String,
        utc: Option<NaiveDateTime>,
    },
}

impl Cell {
    pub(crate) fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
    }

    fn opt_text(s: Option<&str>) -> Cell {
        s.map_or(Cell::Empty, Cell::text)
    }

    pub(crate) fn time(s: &str) -> Cell {
        if s.is_empty() {
            return Cell::Empty;
        }
        let utc = DateTime::parse_from_rfc3339(s).ok().map(|t| t.naive_utc());
        Cell::Time { text: s.to_string(), utc }
    }

    fn opt_time(s: Option<&str>) -> Cell {
        s.map_or(Cell::Empty, Cell::time)
    }

    fn opt_date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }

    fn opt_count(n: Option<u64>) -> Cell {
        n.map_or(Cell::Empty, Cell::Count)
    }

    /// An amount recorded as a decimal string; anything else stays text, never a guessed number.
    fn amount(s: &str) -> Cell {
        Decimal::from_str(s).map_or_else(|_| Cell::text(s), Cell::Amount)
    }

    fn yes_no(b: bool) -> Cell {
        Cell::text(if b { "Yes" } else { "No" })
    }

    /// A rate entered by the auditor as a decimal string (`"0.05"`), shown exactly (`5.0%`).
    fn entered_rate(s: &str) -> Cell {
        match (Decimal::from_str(s), crate::sampling::percent_of_decimal(s)) {
            (Ok(d), Some(text)) => Cell::Rate { value: d.to_f64().unwrap_or(f64::NAN), text },
            _ => Cell::text(s),
        }
    }

    /// `k / n`, printed to a tenth of a percent rounded half up (exact integer arithmetic).
    fn ratio(k: u64, n: u64) -> Cell {
        if n == 0 {
            return Cell::Empty;
        }
        let tenths = (2000 * u128::from(k) + u128::from(n)) / (2 * u128::from(n));
        Cell::Rate { value: k as f64 / n as f64, text: format!("{}.{}%", tenths / 10, tenths % 10) }
    }

    /// The text every writer but xlsx shows, and what column widths are measured on.
    pub(crate) fn display(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(s) | Cell::Rate { text: s, .. } | Cell::Time { text: s, .. } => Cow::Borrowed(s),
            Cell::Count(n) => Cow::Owned(n.to_string()),
            Cell::Amount(d) => Cow::Owned(d.to_string()),
            Cell::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
        }
    }
}

/// How a column is sized and wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Fitted to its longest value, up to a limit, wrapped beyond it.
    Short,
    /// Hashes, seeds and file names: fitted in full so they can be read and compared.
    Code,
    /// Narratives and notes: a fixed width, wrapped.
    Prose,
}

#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub title: String,
    pub kind: Kind,
    /// A results column of one attribute label: it belongs to the controls that test it, even
    /// before any of their items has a result.
    pub attribute: bool,
    /// One of the sample item's own fields (an imported column): a column of its own in xlsx
    /// and CSV, folded into one "Item fields" cell on the printed page.
    pub field: bool,
}

impl Column {
    fn new(title: impl Into<String>, kind: Kind) -> Column {
        Column { title: title.into(), kind, attribute: false, field: false }
    }
}

/// Where and how the HTML page shows a sheet; xlsx and CSV show every sheet as a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// Once, as a table, before the controls (the summary).
    Overview,
    /// In each control's section, each of its rows read down as label and value.
    ControlRecords,
    /// In each control's section, its rows as a table.
    ControlTable,
    /// Once, after the controls, each row read down as label and value.
    EngagementRecords,
}

impl Layout {
    /// Per-control sheets have the control as their first column, for filtering.
    pub(crate) fn has_control_column(self) -> bool {
        !matches!(self, Layout::EngagementRecords)
    }
}

/// Label–value lines shown above a sheet's table (in CSV: a file of their own).
#[derive(Debug, Clone)]
pub(crate) struct Preamble {
    pub title: &'static str,
    pub file: &'static str,
    pub headings: [&'static str; 2],
    pub lines: Vec<(String, Cell)>,
}

#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// Index into `Workpaper::controls`; `None` for engagement-wide rows.
    pub control: Option<usize>,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone)]
pub(crate) struct Sheet {
    /// The xlsx sheet's name and the HTML heading.
    pub title: &'static str,
    /// The CSV file's name, without `.csv`.
    pub file: &'static str,
    pub layout: Layout,
    pub preamble: Option<Preamble>,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// A column's title and kind next to how a record fills it, so the two cannot drift apart.
struct Field<T> {
    title: &'static str,
    kind: Kind,
    value: fn(&T) -> Cell,
}

const fn field<T>(title: &'static str, kind: Kind, value: fn(&T) -> Cell) -> Field<T> {
    Field { title, kind, value }
}

impl Sheet {
    /// A sheet of records; per-control layouts get the control's ID as the first column.
    fn of<T>(
        wp: &Workpaper,
        (title, file, layout): (&'static str, &'static str, Layout),
        fields: &[Field<T>],
        records: impl IntoIterator<Item = (Option<usize>, T)>,
    ) -> Sheet {
        let control_column = layout.has_control_column();
        let mut columns = Vec::with_capacity(fields.len() + 1);
        if control_column {
            columns.push(Column::new("Control", Short));
        }
        columns.extend(fields.iter().map(|f| Column::new(f.title, f.kind)));
        let rows = records
            .into_iter()
            .map(|(control, record)| {
                let mut cells = Vec::with_capacity(columns.len());
                if control_column {
                    cells.push(control.map_or(Cell::Empty, |i| Cell::text(&wp.controls[i].control.code)));
                }
                cells.extend(fields.iter().map(|f| (f.value)(&record)));
                Row { control, cells }
            })
            .collect();
        Sheet { title, file, layout, preamble: None, columns, rows }
    }
}

/// Every sheet of the workpaper, in the order the xlsx workbook, the CSV folder and the HTML
/// page present them.
pub(crate) fn sheets(wp: &Workpaper) -> Vec<Sheet> {
    vec![
        summary(wp),
        controls(wp),
        design(wp),
        population(wp),
        sampling(wp),
        sample(wp),
        results(wp),
        exceptions(wp),
        deficiencies(wp),
        evaluation(wp),
        evidence(wp),
        requests(wp),
        signoffs(wp),
        interviews(wp),
        team(wp),
        trail(wp),
    ]
}

/// Each control with its index, the record every per-control sheet starts from.
fn each_control(wp: &Workpaper) -> impl Iterator<Item = (usize, &ControlWorkpaper)> {
    wp.controls.iter().enumerate()
}

fn engagement_header(wp: &Workpaper) -> Preamble {
    let e = &wp.engagement;
    let line = |label: &str, cell: Cell| (label.to_string(), cell);
    Preamble {
        title: "Engagement",
        file: "engagement",
        headings: ["Field", "Value"],
        lines: vec![
            line("Client", Cell::text(&e.client)),
            line("Report", Cell::text(e.report.words())),
            line("Period start", Cell::Date(e.period.start)),
            line("Period end", Cell::Date(e.period.end)),
            line("Trust Services Criteria", Cell::text(e.criteria.join(", "))),
            line("Firm", Cell::text(&e.firm)),
            line("Preparer", Cell::text(&e.preparer)),
            line("Reviewer", Cell::text(&e.reviewer)),
            line("Controls in this export", Cell::Count(wp.controls.len() as u64)),
            line("Exported at", Cell::time(&wp.exported_at)),
            line("Exported by", Cell::text(&wp.exported_by)),
            line("Tickmark version", Cell::text(&wp.tickmark_version)),
            line("Audit-trail events", Cell::Count(wp.trail_events.max(0) as u64)),
            line("Audit-trail head (SHA-256)", Cell::text(&wp.trail_head)),
            line(super::head::LABEL, Cell::text(super::head::cite(wp))),
        ]
        .into_iter()
        .chain(wp.signers.iter().map(signer_line))
        .collect(),
    }
}

/// One signer of the trail: whose key, its fingerprint and since when it signs (or that it is
/// pinned only), so a reader can compare it with the fingerprint the auditor reads out.
fn signer_line(s: &crate::store::Signer) -> (String, Cell) {
    let since = match (s.first_seen, &s.pinned_by) {
        (Some(seq), _) => format!("signs from event {seq}"),
        (None, Some(by)) => format!("pinned by {by}, not used yet"),
        (None, None) => "not used yet".to_string(),
    };
    (
        format!("Signing key of {}", s.name),
        Cell::text(format!("{} ({since})", crate::identity::grouped(&s.fingerprint))),
    )
}

/// The signer of the role's sign-off that still stands (a later change clears a sign-off).
fn standing_signer(cw: &ControlWorkpaper, role: SignOffRole) -> Option<&str> {
    cw.signoffs.iter().rev().find(|s| s.role == role && s.cleared_at.is_none()).map(|s| s.signer.as_str())
}

fn open_notes(cw: &ControlWorkpaper) -> u64 {
    cw.review_notes.iter().filter(|n| n.status == NoteStatus::Open).count() as u64
}

/// Where the control stands, in the order fieldwork goes.
fn status(cw: &ControlWorkpaper) -> String {
    let Some(population) = &cw.population else { return "No population".into() };
    if population.accepted_at.is_none() {
        return "Population not accepted".into();
    }
    let Some(sample) = &cw.sample else { return "No sample drawn".into() };
    match (&cw.evaluation, &cw.conclusion) {
        (None, None) => return "Sample drawn, not evaluated".into(),
        (Some(e), _) if !e.complete() => {
            return format!("Testing: {} of {} items tested", e.tested_items, sample.size - e.voided_items);
        }
        (_, None) => return "Tested, not concluded".into(),
        (_, Some(_)) => {}
    }
    match (standing_signer(cw, SignOffRole::Preparer), standing_signer(cw, SignOffRole::Reviewer)) {
        (_, Some(_)) => "Reviewed".into(),
        (Some(_), None) => "Prepared, awaiting review".into(),
        (None, None) => "Concluded, not signed off".into(),
    }
}

fn summary(wp: &Workpaper) -> Sheet {
    use SignOffRole::{Preparer, Reviewer};
    let fields: [Field<&ControlWorkpaper>; 10] = [
        field("Description", Prose, |c| Cell::text(&c.control.description)),
        field("Status", Short, |c| Cell::text(status(c))),
        field("Population items", Short, |c| Cell::opt_count(c.population.as_ref().map(|p| p.item_count))),
        field("Sample size", Short, |c| Cell::opt_count(c.sample.as_ref().map(|s| s.size))),
        field("Tested items", Short, |c| Cell::opt_count(c.evaluation.as_ref().map(|e| e.tested_items))),
        field("Deviations", Short, |c| Cell::opt_count(c.evaluation.as_ref().map(|e| e.deviations))),
        field("Conclusion", Short, |c| Cell::opt_text(c.conclusion.as_ref().map(|k| k.concluded.words()))),
        field("Prepared by", Short, |c| Cell::opt_text(standing_signer(c, Preparer))),
        field("Reviewed by", Short, |c| Cell::opt_text(standing_signer(c, Reviewer))),
        field("Open review notes", Short, |c| Cell::Count(open_notes(c))),
    ];
    let records = each_control(wp).map(|(i, c)| (Some(i), c));
    let mut sheet = Sheet::of(wp, ("Summary", "summary", Layout::Overview), &fields, records);
    sheet.preamble = Some(engagement_header(wp));
    sheet
}

fn attributes_text(control: &Control) -> String {
    control.attributes.iter().map(|a| format!("{}: {}", a.label, a.condition)).collect::<Vec<_>>().join("\n")
}

fn procedures_text(cw: &ControlWorkpaper) -> String {
    cw.procedures
        .iter()
        .map(|p| format!("{}. {}: {}", p.position, p.nature.words(), p.text))
        .collect::<Vec<_>>()
        .join("\n")
}

fn controls(wp: &Workpaper) -> Sheet {
    let fields: [Field<&ControlWorkpaper>; 7] = [
        field("Description", Prose, |c| Cell::text(&c.control.description)),
        field("Criteria", Short, |c| Cell::text(c.control.criteria.join("; "))),
        field("Frequency", Short, |c| Cell::text(c.control.frequency.as_str())),
        field("Nature", Short, |c| Cell::text(c.control.nature.as_str())),
        field("Owner", Short, |c| Cell::text(&c.control.owner)),
        field("Attributes", Prose, |c| Cell::text(attributes_text(&c.control))),
        field("Test procedure", Prose, |c| Cell::text(procedures_text(c))),
    ];
    let records = each_control(wp).map(|(i, c)| (Some(i), c));
    Sheet::of(wp, ("Controls", "controls", Layout::ControlRecords), &fields, records)
}

/// What was asked of the client (PBC) and where each request stands.
fn requests(wp: &Workpaper) -> Sheet {
    let fields: [Field<&Request>; 10] = [
        field("Request ID", Code, |r| Cell::text(&r.code)),
        field("Item", Short, |r| Cell::opt_count(r.ordinal)),
        field("Key", Code, |r| Cell::opt_text(r.key.as_deref())),
        field("Evidence requested", Prose, |r| Cell::text(&r.asked)),
        field("Due", Short, |r| Cell::Date(r.due)),
        field("Status", Short, |r| Cell::text(r.status.as_str())),
        field("Rejection reason", Prose, |r| Cell::opt_text(r.reason.as_deref())),
        field("Requested at (UTC)", Short, |r| Cell::time(&r.created_at)),
        field("Received at (UTC)", Short, |r| Cell::opt_time(r.received_at.as_deref())),
        field("Closed at (UTC)", Short, |r| Cell::opt_time(r.closed_at.as_deref())),
    ];
    let records = each_control(wp).flat_map(|(i, c)| c.requests.iter().map(move |r| (Some(i), r)));
    Sheet::of(wp, ("Requests", "requests", Layout::ControlTable), &fields, records)
}

fn ids_text(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

/// Each control's walkthrough and test of design.
fn design(wp: &Workpaper) -> Sheet {
    let fields: [Field<&Walkthrough>; 8] = [
        field("Item traced", Code, |w| Cell::text(&w.traced)),
        field("Walkthrough narrative", Prose, |w| Cell::text(&w.narrative)),
        field("Evidence", Short, |w| Cell::text(ids_text(&w.evidence))),
        field("Interviews", Short, |w| Cell::text(ids_text(&w.interviews))),
        field("Design conclusion", Short, |w| Cell::text(w.design.map_or("Not concluded", |d| d.words()))),
        field("Concluded by", Short, |w| Cell::opt_text(w.concluded_by.as_deref())),
        field("Concluded at (UTC)", Short, |w| Cell::opt_time(w.concluded_at.as_deref())),
        field("Recorded by", Short, |w| Cell::text(&w.recorded_by)),
    ];
    let records = each_control(wp).filter_map(|(i, c)| Some((Some(i), c.walkthrough.as_ref()?)));
    Sheet::of(wp, ("Design", "design", Layout::ControlRecords), &fields, records)
}

/// The deficiency evaluation of each control with exceptions.
fn deficiencies(wp: &Workpaper) -> Sheet {
    let fields: [Field<&Deficiency>; 9] = [
        field("Deviation", Prose, |d| Cell::text(&d.deviation)),
        field("Items sampled", Short, |d| Cell::text(&d.items_noun)),
        field("Cause", Prose, |d| Cell::text(&d.cause)),
        field("Isolated", Short, |d| Cell::text(if d.isolated { "Yes" } else { "No" })),
        field("Criteria affected", Prose, |d| {
            Cell::text(
                d.criteria
                    .iter()
                    .map(|c| format!("{}: {}", c.criterion, if c.met { "still met" } else { "not met" }))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        }),
        field("Compensating controls", Prose, |d| {
            Cell::text(
                d.compensating
                    .iter()
                    .map(|c| format!("{}: {}", c.control, c.conclusion.map_or("not concluded", |k| k.words())))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        }),
        field("Management response", Prose, |d| Cell::text(&d.management_response)),
        field("Evaluated by", Short, |d| Cell::text(&d.evaluated_by)),
        field("Evaluated at (UTC)", Short, |d| Cell::time(&d.evaluated_at)),
    ];
    let records = each_control(wp).filter_map(|(i, c)| Some((Some(i), c.deficiency.as_ref()?)));
    Sheet::of(wp, ("Deficiencies", "deficiencies", Layout::ControlRecords), &fields, records)
}

fn population(wp: &Workpaper) -> Sheet {
    let fields: [Field<&PopulationSummary>; 29] = [
        field("Origin", Short, |p| Cell::text(&p.origin)),
        field("Source file", Code, |p| Cell::text(&p.report.source.name)),
        field("Format", Short, |p| Cell::text(&p.report.source.format)),
        field("File size (bytes)", Short, |p| Cell::Count(p.report.source.bytes)),
        field("SHA-256", Code, |p| Cell::opt_text(p.source_sha256.as_deref())),
        field("Key column", Short, |p| Cell::text(&p.report.key_column)),
        field("Date column", Short, |p| Cell::opt_text(p.report.date_column.as_deref())),
        field("Amount column", Short, |p| Cell::opt_text(p.report.amount_column.as_deref())),
        field("Rows read", Short, |p| Cell::Count(p.report.rows_read)),
        field("Rows accepted", Short, |p| Cell::Count(p.report.rows_accepted)),
        field("Population items", Short, |p| Cell::Count(p.item_count)),
        field("Rows excluded from the frame", Short, |p| Cell::Count(p.item_count - p.frame_size)),
        field("Items in the frame (N)", Short, |p| Cell::Count(p.frame_size)),
        field("Exclusions", Prose, |p| Cell::text(exclusions_text(p))),
        field("Blank rows skipped", Short, |p| Cell::Count(p.report.blank_rows_skipped)),
        field("Blank keys", Short, |p| Cell::Count(p.report.blank_keys)),
        field("Duplicate keys", Short, |p| Cell::Count(p.report.duplicate_key_count)),
        field("Unparseable dates", Short, |p| Cell::Count(p.report.unparseable_date_count)),
        field("Dates outside the period", Short, |p| Cell::Count(p.report.outside_period_count)),
        field("Unparseable amounts", Short, |p| Cell::Count(p.report.unparseable_amount_count)),
        field("Control total", Short, |p| p.report.amount_total.as_deref().map_or(Cell::Empty, Cell::amount)),
        field("Earliest date", Short, |p| Cell::opt_date(p.report.min_date)),
        field("Latest date", Short, |p| Cell::opt_date(p.report.max_date)),
        field("Period start", Short, |p| Cell::Date(p.report.period_start)),
        field("Period end", Short, |p| Cell::Date(p.report.period_end)),
        field("Imported by", Short, |p| Cell::text(&p.imported_by)),
        field("Imported at (UTC)", Short, |p| Cell::time(&p.imported_at)),
        field("Accepted by", Short, |p| Cell::opt_text(p.accepted_by.as_deref())),
        field("Accepted at (UTC)", Short, |p| Cell::opt_time(p.accepted_at.as_deref())),
    ];
    let records = each_control(wp).filter_map(|(i, c)| Some((Some(i), c.population.as_ref()?)));
    Sheet::of(wp, ("Population", "population", Layout::ControlRecords), &fields, records)
}

/// Source lines, shortened to the first few for a cell.
fn lines_text(lines: &[u64]) -> String {
    const SHOWN: usize = 20;
    let mut text: Vec<String> = lines.iter().take(SHOWN).map(u64::to_string).collect();
    if lines.len() > SHOWN {
        text.push(format!("and {} more", lines.len() - SHOWN));
    }
    text.join(", ")
}

fn exclusions_text(p: &PopulationSummary) -> String {
    p.exclusions
        .iter()
        .map(|e| {
            format!(
                "{}: {} row(s) removed (source lines {}). Reason: {} ({}, {})",
                e.rule,
                e.rows_removed,
                lines_text(&e.lines),
                e.reason,
                e.excluded_by,
                e.excluded_at
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One draw of a control's sample: the current one or one the auditor replaced.
struct Draw<'a> {
    sample: &'a Sample,
    current: bool,
    /// Every draw for the control, replaced ones included.
    draws: u64,
}

fn strata_text(s: &Sample) -> String {
    s.strata
        .iter()
        .map(|st| format!("{}: {} items, {} selected", st.label, st.size, st.selected))
        .collect::<Vec<_>>()
        .join("\n")
}

fn sampling(wp: &Workpaper) -> Sheet {
    let fields: [Field<Draw>; 25] = [
        field("Draw", Short, |d| Cell::Count(d.sample.draw_number)),
        field("Status", Short, |d| Cell::text(if d.current { "current" } else { "replaced" })),
        field("Draws for the control", Short, |d| Cell::Count(d.draws)),
        field("Method", Short, |d| Cell::text(d.sample.method.as_str())),
        field("Specification", Short, |d| Cell::text(&d.sample.spec)),
        field("Seed", Code, |d| Cell::text(&d.sample.seed)),
        field("Seed proposed by Tickmark", Short, |d| Cell::yes_no(d.sample.seed_proposed)),
        field("Population", Code, |d| Cell::text(&d.sample.population_name)),
        field("Population SHA-256", Code, |d| Cell::opt_text(d.sample.population_sha256.as_deref())),
        field("Population size (N)", Short, |d| Cell::Count(d.sample.population_size)),
        field("Initial size", Short, |d| Cell::Count(d.sample.initial_size)),
        field("Sample size (n)", Short, |d| Cell::Count(d.sample.size)),
        field("Approach", Prose, |d| Cell::text(d.sample.approach.words())),
        field("Size basis", Prose, |d| Cell::text(&d.sample.basis)),
        field("Size warning", Prose, |d| Cell::opt_text(d.sample.warning.as_deref())),
        field("Exclusion rules", Prose, |d| {
            Cell::text(d.sample.filters.exclusions.iter().map(|e| e.summary()).collect::<Vec<_>>().join("\n"))
        }),
        field(
            "Voided items",
            Short,
            |d| Cell::Count(d.sample.items.iter().filter(|i| i.void.is_some()).count() as u64),
        ),
        field("Strata by", Short, |d| Cell::opt_text(d.sample.strata_by.as_ref().map(|s| s.to_string()).as_deref())),
        field("Strata", Prose, |d| Cell::text(strata_text(d.sample))),
        field("Blank rows skipped", Short, |d| Cell::Count(d.sample.filters.blank_rows_skipped)),
        field("Drawn by", Short, |d| Cell::text(&d.sample.drawn_by)),
        field("Drawn at (UTC)", Short, |d| Cell::time(&d.sample.drawn_at)),
        field("Replaced by", Short, |d| Cell::opt_text(d.sample.replaced_by.as_deref())),
        field("Replaced at (UTC)", Short, |d| Cell::opt_time(d.sample.replaced_at.as_deref())),
        field("Replacement reason", Prose, |d| Cell::opt_text(d.sample.replaced_reason.as_deref())),
    ];
    let records = each_control(wp).flat_map(|(i, c)| {
        let draws = c.sample.as_ref().map_or(c.replaced_draws.len() as u64, |s| s.draws);
        let replaced = c.replaced_draws.iter().map(move |s| Draw { sample: s, current: false, draws });
        let current = c.sample.iter().map(move |s| Draw { sample: s, current: true, draws });
        let mut all: Vec<Draw> = replaced.chain(current).collect();
        all.sort_by_key(|d| d.sample.draw_number);
        all.into_iter().map(move |d| (Some(i), d))
    });
    Sheet::of(wp, ("Sampling", "sampling", Layout::ControlRecords), &fields, records)
}

fn sample(wp: &Workpaper) -> Sheet {
    let fields: [Field<(&Sample, &SampleItem)>; 11] = [
        field("Ordinal", Short, |(_, it)| Cell::Count(it.ordinal)),
        field("Position", Short, |(_, it)| Cell::Count(it.position)),
        field("Source row", Short, |(_, it)| Cell::Count(it.source_row)),
        field("Key", Code, |(_, it)| Cell::text(&it.key)),
        field("Date", Short, |(_, it)| Cell::opt_date(it.date)),
        field("Stratum", Short, |(_, it)| Cell::opt_text(it.stratum.as_deref())),
        // Items past the initial size came from an extension or replace a voided item (SAMPLING-SPEC §3).
        field("Drawn in", Short, |(s, it)| {
            Cell::text(match it.replaces {
                Some(v) => format!("replacement of item {v}"),
                None if it.ordinal <= s.initial_size => "initial draw".into(),
                None => "extension".into(),
            })
        }),
        field("Void", Short, |(_, it)| {
            Cell::opt_text(it.void.as_ref().map(|v| format!("void: replaced by item {}", v.replacement)).as_deref())
        }),
        field("Void reason", Prose, |(_, it)| Cell::opt_text(it.void.as_ref().map(|v| v.reason.as_str()))),
        field("Voided by", Short, |(_, it)| Cell::opt_text(it.void.as_ref().map(|v| v.voided_by.as_str()))),
        field("Added at (UTC)", Short, |(_, it)| Cell::time(&it.added_at)),
    ];
    let records = each_control(wp)
        .flat_map(|(i, c)| c.sample.iter().flat_map(move |s| s.items.iter().map(move |it| (Some(i), (s, it)))));
    let mut sheet = Sheet::of(wp, ("Sample", "sample", Layout::ControlTable), &fields, records);
    // Then the item's own fields, every imported column, so the tester and the client can see
    // what each item is. Columns are the union over the exported controls, first seen first.
    let mut names: Vec<&str> = Vec::new();
    for s in wp.controls.iter().filter_map(|c| c.sample.as_ref()) {
        for n in &s.columns {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
    }
    let items =
        wp.controls.iter().filter_map(|c| c.sample.as_ref()).flat_map(|s| s.items.iter().map(move |it| (s, it)));
    for (row, (s, it)) in sheet.rows.iter_mut().zip(items) {
        row.cells.extend(names.iter().map(|n| {
            let value = s.columns.iter().position(|c| c == n).and_then(|k| it.fields.get(k));
            Cell::opt_text(value.map(String::as_str))
        }));
    }
    sheet.columns.extend(names.iter().map(|n| Column { field: true, ..Column::new(format!("Field: {n}"), Short) }));
    sheet
}

/// The attribute labels of every exported control, in first-seen order: the results columns.
fn attribute_labels(wp: &Workpaper) -> Vec<&str> {
    let mut labels: Vec<&str> = Vec::new();
    for a in wp.controls.iter().flat_map(|c| &c.control.attributes) {
        if !labels.contains(&a.label.as_str()) {
            labels.push(&a.label);
        }
    }
    labels
}

fn legend() -> Preamble {
    let mut lines: Vec<(String, Cell)> =
        TICKMARK_LEGEND.iter().map(|(mark, meaning)| (mark.to_string(), Cell::text(*meaning))).collect();
    lines.push((
        "A, B, C …".into(),
        Cell::text("Attributes tested; each control's pass conditions are listed with the control (Controls)"),
    ));
    Preamble { title: "Legend", file: "legend", headings: ["Tickmark", "Meaning"], lines }
}

/// Distinct values in first-seen order, joined for one cell.
fn distinct_joined<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for v in values {
        if !v.is_empty() && !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen.join("; ")
}

/// One row per sample item and one column per attribute label, so an auditor filters by
/// control, item or tickmark; the comments of the item's results are gathered in one column.
fn results(wp: &Workpaper) -> Sheet {
    let labels = attribute_labels(wp);
    let mut columns = vec![Column::new("Control", Short), Column::new("Ordinal", Short), Column::new("Key", Code)];
    columns.extend(labels.iter().map(|l| Column { attribute: true, ..Column::new(*l, Short) }));
    columns.extend([
        Column::new("Comments", Prose),
        Column::new("Tested by", Short),
        Column::new("Last tested at (UTC)", Short),
    ]);
    let mut rows = Vec::new();
    for (i, c) in each_control(wp) {
        let Some(sample) = &c.sample else { continue };
        for item in &sample.items {
            let results: Vec<_> = c.results.iter().filter(|r| r.ordinal == item.ordinal).collect();
            let mut cells = vec![Cell::text(&c.control.code), Cell::Count(item.ordinal), Cell::text(&item.key)];
            cells.extend(labels.iter().map(|l| {
                results.iter().find(|r| r.attribute == *l).map_or(Cell::Empty, |r| Cell::text(r.outcome.tickmark()))
            }));
            let comments = results
                .iter()
                .filter(|r| !r.comment.is_empty())
                .map(|r| format!("{}: {}", r.attribute, r.comment))
                .collect::<Vec<_>>()
                .join("\n");
            // Times are stored as RFC 3339 in UTC with one format, so the greatest text is the latest.
            let last = results.iter().map(|r| r.tested_at.as_str()).max().unwrap_or("");
            cells.extend([
                Cell::text(comments),
                Cell::text(distinct_joined(results.iter().map(|r| r.tested_by.as_str()))),
                Cell::time(last),
            ]);
            rows.push(Row { control: Some(i), cells });
        }
    }
    Sheet { title: "Results", file: "results", layout: Layout::ControlTable, preamble: Some(legend()), columns, rows }
}

fn isolated_words(isolated: Option<bool>) -> &'static str {
    match isolated {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not assessed",
    }
}

fn exceptions(wp: &Workpaper) -> Sheet {
    let fields: [Field<(&ControlWorkpaper, &ExceptionRecord)>; 9] = [
        field("Ordinal", Short, |(_, x)| Cell::Count(x.ordinal)),
        field("Key", Code, |(_, x)| Cell::text(&x.key)),
        field("Attributes with exception", Short, |(c, x)| {
            let labels = c.results.iter().filter(|r| r.ordinal == x.ordinal && r.outcome == Outcome::Exception);
            Cell::text(labels.map(|r| r.attribute.as_str()).collect::<Vec<_>>().join(", "))
        }),
        field("Narrative", Prose, |(_, x)| Cell::text(&x.narrative)),
        field("Cause", Prose, |(_, x)| Cell::text(&x.cause)),
        field("Isolated", Short, |(_, x)| Cell::text(isolated_words(x.isolated))),
        field("Management response", Prose, |(_, x)| Cell::text(&x.management_response)),
        field("Recorded by", Short, |(_, x)| Cell::text(&x.recorded_by)),
        field("Recorded at (UTC)", Short, |(_, x)| Cell::time(&x.recorded_at)),
    ];
    let records = each_control(wp).flat_map(|(i, c)| c.exceptions.iter().map(move |x| (Some(i), (c, x))));
    Sheet::of(wp, ("Exceptions", "exceptions", Layout::ControlRecords), &fields, records)
}

fn statistical(c: &ControlWorkpaper) -> Option<&crate::sampling::Evaluation> {
    c.evaluation.as_ref()?.statistical.as_ref()
}

fn approach_rate(c: &ControlWorkpaper, pick: fn(&Approach) -> Option<&str>) -> Cell {
    c.evaluation.as_ref().and_then(|e| pick(&e.approach)).map_or(Cell::Empty, Cell::entered_rate)
}

fn evaluation(wp: &Workpaper) -> Sheet {
    let fields: [Field<&ControlWorkpaper>; 20] = [
        field("Approach", Prose, |c| Cell::opt_text(c.evaluation.as_ref().map(|e| e.approach.words()).as_deref())),
        field("Items listed", Short, |c| Cell::opt_count(c.evaluation.as_ref().map(|e| e.listed_items))),
        field("Voided and replaced", Short, |c| Cell::opt_count(c.evaluation.as_ref().map(|e| e.voided_items))),
        // n counts tested items only: voided items and items with every attribute N/A are not tested.
        field("Sample size (n)", Short, |c| Cell::opt_count(c.evaluation.as_ref().map(|e| e.tested_items))),
        field("Untested items", Short, |c| Cell::opt_count(c.evaluation.as_ref().map(|e| e.untested_items))),
        field("Deviations (k)", Short, |c| Cell::opt_count(c.evaluation.as_ref().map(|e| e.deviations))),
        field("k of n", Short, |c| {
            Cell::opt_text(c.evaluation.as_ref().map(|e| format!("{} of {}", e.deviations, e.tested_items)).as_deref())
        }),
        field("Deviation rate", Short, |c| match &c.evaluation {
            Some(e) if e.deviation_rate.is_some() => Cell::ratio(e.deviations, e.tested_items),
            _ => Cell::Empty,
        }),
        // A non-statistical sample or a test of one claims no upper limit: these stay empty.
        field("Confidence", Short, |c| {
            approach_rate(c, |a| match a {
                Approach::Statistical { confidence, .. } => Some(confidence),
                _ => None,
            })
        }),
        field("Upper deviation limit", Short, |c| {
            statistical(c).map_or(Cell::Empty, |e| {
                let shown = e.upper_deviation_limit_display;
                Cell::Rate { value: f64::from(shown.0) / 1000.0, text: shown.to_string() }
            })
        }),
        field("Tolerable rate", Short, |c| {
            approach_rate(c, |a| match a {
                Approach::Statistical { tolerable_rate, .. } => Some(tolerable_rate),
                _ => None,
            })
        }),
        field("Exceeds tolerable rate", Short, |c| {
            statistical(c).and_then(|e| e.exceeds_tolerable).map_or(Cell::Empty, Cell::yes_no)
        }),
        field("Deviations by stratum", Prose, |c| {
            Cell::text(
                c.evaluation
                    .iter()
                    .flat_map(|e| &e.strata)
                    .map(|s| format!("{}: {} of {}", s.label, s.deviations, s.tested))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        }),
        field("Proposed", Short, |c| {
            let proposed = c
                .conclusion
                .as_ref()
                .map(|k| k.proposed)
                .or(c.evaluation.as_ref().and_then(|e| Some(e.proposal.as_ref()?.kind)));
            Cell::opt_text(proposed.map(|k| k.words()))
        }),
        field("Why", Prose, |c| {
            Cell::opt_text(c.evaluation.as_ref().and_then(|e| e.proposal.as_ref()).map(|p| p.reason.as_str()))
        }),
        field("Conclusion", Short, |c| Cell::opt_text(c.conclusion.as_ref().map(|k| k.concluded.words()))),
        field("Override reason", Prose, |c| {
            Cell::opt_text(c.conclusion.as_ref().and_then(|k| k.override_reason.as_deref()))
        }),
        field("Concluded by", Short, |c| Cell::opt_text(c.conclusion.as_ref().map(|k| k.concluded_by.as_str()))),
        field("Concluded at (UTC)", Short, |c| Cell::opt_time(c.conclusion.as_ref().map(|k| k.concluded_at.as_str()))),
        field("Open review notes", Short, |c| Cell::Count(open_notes(c))),
    ];
    let records =
        each_control(wp).filter(|(_, c)| c.evaluation.is_some() || c.conclusion.is_some()).map(|(i, c)| (Some(i), c));
    Sheet::of(wp, ("Evaluation", "evaluation", Layout::ControlRecords), &fields, records)
}

fn evidence(wp: &Workpaper) -> Sheet {
    let fields: [Field<(&ControlWorkpaper, &Evidence)>; 9] = [
        field("Item", Short, |(_, e)| Cell::opt_count(e.ordinal)),
        field("Request answered", Code, |(_, e)| Cell::opt_text(e.request.as_deref())),
        field("Key", Code, |(c, e)| {
            let item = e.ordinal.and_then(|o| c.sample.as_ref()?.items.iter().find(|it| it.ordinal == o));
            Cell::opt_text(item.map(|it| it.key.as_str()))
        }),
        field("Kind", Short, |(_, e)| {
            Cell::text(match e.kind {
                EvidenceKind::File => "file",
                EvidenceKind::Reference => "reference",
            })
        }),
        field("Name or reference", Code, |(_, e)| Cell::text(&e.name)),
        field("Size (bytes)", Short, |(_, e)| Cell::opt_count(e.size)),
        field("SHA-256", Code, |(_, e)| Cell::opt_text(e.sha256.as_deref())),
        field("Added by", Short, |(_, e)| Cell::text(&e.added_by)),
        field("Added at (UTC)", Short, |(_, e)| Cell::time(&e.added_at)),
    ];
    let records = each_control(wp).flat_map(|(i, c)| c.evidence.iter().map(move |e| (Some(i), (c, e))));
    Sheet::of(wp, ("Evidence", "evidence", Layout::ControlTable), &fields, records)
}

/// Sign-offs and review notes share a sheet: both say who stands behind the control and what
/// is still open, and one autofilter on "Status" shows what a reviewer must still clear.
enum Entry<'a> {
    SignOff(&'a SignOff),
    Note(&'a ReviewNote),
}

fn signoffs(wp: &Workpaper) -> Sheet {
    use Entry::{Note, SignOff};
    let fields: [Field<Entry>; 12] = [
        field("Entry", Short, |e| match e {
            SignOff(s) => Cell::text(match s.role {
                SignOffRole::Preparer => "Preparer sign-off",
                SignOffRole::Reviewer => "Reviewer sign-off",
            }),
            Note(_) => Cell::text("Review note"),
        }),
        field("Status", Short, |e| match e {
            SignOff(s) => Cell::text(if s.cleared_at.is_some() { "cleared" } else { "signed" }),
            Note(n) => Cell::text(match n.status {
                NoteStatus::Open => "open",
                NoteStatus::Answered => "answered",
                NoteStatus::Cleared => "cleared",
            }),
        }),
        field("By", Short, |e| match e {
            SignOff(s) => Cell::text(&s.signer),
            Note(n) => Cell::text(&n.raised_by),
        }),
        field("At (UTC)", Short, |e| match e {
            SignOff(s) => Cell::time(&s.signed_at),
            Note(n) => Cell::time(&n.raised_at),
        }),
        field("Signing key", Code, |e| match e {
            SignOff(s) => Cell::opt_text(s.key_fingerprint.as_deref().map(crate::identity::grouped).as_deref()),
            Note(_) => Cell::Empty,
        }),
        field("Note", Prose, |e| match e {
            SignOff(_) => Cell::Empty,
            Note(n) => Cell::text(&n.text),
        }),
        field("Answer", Prose, |e| match e {
            SignOff(_) => Cell::Empty,
            Note(n) => Cell::opt_text(n.answer.as_deref()),
        }),
        field("Answered by", Short, |e| match e {
            SignOff(_) => Cell::Empty,
            Note(n) => Cell::opt_text(n.answered_by.as_deref()),
        }),
        field("Answered at (UTC)", Short, |e| match e {
            SignOff(_) => Cell::Empty,
            Note(n) => Cell::opt_time(n.answered_at.as_deref()),
        }),
        field("Cleared by", Short, |e| match e {
            SignOff(_) => Cell::Empty,
            Note(n) => Cell::opt_text(n.cleared_by.as_deref()),
        }),
        field("Cleared at (UTC)", Short, |e| match e {
            SignOff(s) => Cell::opt_time(s.cleared_at.as_deref()),
            Note(n) => Cell::opt_time(n.cleared_at.as_deref()),
        }),
        field("Cleared because", Prose, |e| match e {
            SignOff(s) => Cell::opt_text(s.cleared_reason.as_deref()),
            Note(_) => Cell::Empty,
        }),
    ];
    let records = each_control(wp).flat_map(|(i, c)| {
        let signed = c.signoffs.iter().map(SignOff);
        let notes = c.review_notes.iter().map(Note);
        signed.chain(notes).map(move |e| (Some(i), e))
    });
    Sheet::of(wp, ("Sign-offs", "signoffs", Layout::ControlTable), &fields, records)
}

fn interviews(wp: &Workpaper) -> Sheet {
    let fields: [Field<&Interview>; 9] = [
        field("Held on", Short, |iv| Cell::Date(iv.held_on)),
        field("Interviewee", Short, |iv| Cell::text(&iv.interviewee)),
        field("Role", Short, |iv| Cell::text(&iv.role)),
        field("Attendees", Short, |iv| Cell::text(iv.attendees.join("; "))),
        field("Controls", Short, |iv| Cell::text(iv.controls.join("; "))),
        field("Topics", Prose, |iv| Cell::text(&iv.topics)),
        field("Notes", Prose, |iv| Cell::text(&iv.notes)),
        field("Recorded by", Short, |iv| Cell::text(&iv.recorded_by)),
        field("Recorded at (UTC)", Short, |iv| Cell::time(&iv.recorded_at)),
    ];
    Sheet::of(
        wp,
        ("Interviews", "interviews", Layout::EngagementRecords),
        &fields,
        wp.interviews.iter().map(|iv| (None, iv)),
    )
}

/// Each working copy handed out and its return: who held which controls, from which event,
/// and the event that merged their work back.
fn team(wp: &Workpaper) -> Sheet {
    let fields: [Field<&Handoff>; 11] = [
        field("Working copy", Code, |h| Cell::text(&h.branch)),
        field("Assignee", Short, |h| Cell::text(&h.assignee)),
        field("Signing key", Code, |h| Cell::text(crate::identity::grouped(&h.fingerprint))),
        field("Controls", Short, |h| Cell::text(h.controls.join("; "))),
        field("Handed out by", Short, |h| Cell::text(&h.out_by)),
        field("Handed out at (UTC)", Short, |h| Cell::time(&h.out_at)),
        field("Hand-off event", Short, |h| Cell::Count(h.base_seq.max(0) as u64)),
        field("Status", Short, |h| {
            Cell::text(match (&h.merged_at, &h.recalled_at) {
                (Some(_), _) => "merged".to_string(),
                (None, Some(_)) => format!("recalled: {}", h.recall_reason.as_deref().unwrap_or_default()),
                (None, None) => "out".to_string(),
            })
        }),
        field("Merged or recalled by", Short, |h| Cell::opt_text(h.merged_by.as_deref().or(h.recalled_by.as_deref()))),
        field("Merged or recalled at (UTC)", Short, |h| {
            Cell::opt_time(h.merged_at.as_deref().or(h.recalled_at.as_deref()))
        }),
        field("Merge event (events merged)", Short, |h| match (h.merge_event, h.merged_events) {
            (Some(e), Some(n)) => Cell::text(format!("{e} ({n})")),
            _ => Cell::Empty,
        }),
    ];
    Sheet::of(wp, ("Team", "team", Layout::EngagementRecords), &fields, wp.handoffs.iter().map(|h| (None, h)))
}

fn trail(wp: &Workpaper) -> Sheet {
    let fields: [Field<&Workpaper>; 5] = [
        field("Audit-trail events", Short, |w| Cell::Count(w.trail_events.max(0) as u64)),
        field("Audit-trail head (SHA-256)", Code, |w| Cell::text(&w.trail_head)),
        field("Tickmark version", Short, |w| Cell::text(&w.tickmark_version)),
        field("Exported at (UTC)", Short, |w| Cell::time(&w.exported_at)),
        field("Exported by", Short, |w| Cell::text(&w.exported_by)),
    ];
    Sheet::of(wp, ("Trail", "trail", Layout::EngagementRecords), &fields, [(None, wp)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_print_to_a_tenth_of_a_percent_rounded_half_up() {
        assert_eq!(Cell::ratio(2, 25).display(), "8.0%");
        assert_eq!(Cell::ratio(1, 3).display(), "33.3%");
        assert_eq!(Cell::ratio(2, 3).display(), "66.7%");
        // 1/16 = 6.25%: exactly half a tenth, rounded up.
        assert_eq!(Cell::ratio(1, 16).display(), "6.3%");
        assert_eq!(Cell::ratio(0, 60).display(), "0.0%");
        assert_eq!(Cell::ratio(0, 0), Cell::Empty);
    }

    #[test]
    fn entered_rates_print_exactly() {
        assert_eq!(Cell::entered_rate("0.05").display(), "5.0%");
        assert_eq!(Cell::entered_rate("0.95").display(), "95.0%");
        assert_eq!(Cell::entered_rate("0.045").display(), "4.5%");
        assert_eq!(Cell::entered_rate("0.0125").display(), "1.25%");
        assert_eq!(Cell::entered_rate("five"), Cell::Text("five".into()));
    }

    #[test]
    fn amounts_keep_their_sign_and_scale_and_text_stays_text() {
        assert_eq!(Cell::amount("-125.00").display(), "-125.00");
        assert_eq!(Cell::amount("1234567.5").display(), "1234567.5");
        assert_eq!(Cell::amount("=1+1"), Cell::Text("=1+1".into()));
    }

    #[test]
    fn times_keep_their_text_and_gain_a_utc_value_when_rfc_3339() {
        let Cell::Time { text, utc } = Cell::time("2026-11-23T11:00:00+01:00") else { panic!() };
        assert_eq!(text, "2026-11-23T11:00:00+01:00");
        assert_eq!(utc.unwrap().to_string(), "2026-11-23 10:00:00");
        assert!(matches!(Cell::time("last Tuesday"), Cell::Time { utc: None, .. }));
        assert_eq!(Cell::time(""), Cell::Empty);
    }
}
