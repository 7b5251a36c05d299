//! Section 4 of the SOC report, "Tests of controls and results of tests", rendered from a
//! [`Workpaper`]: per criterion (in report order) the controls that address it, the tests the
//! service auditor performed (the procedure steps with their nature) and the results, worded
//! from the evaluation beside them. Written as .docx, .xlsx or .html.
//!
//! As with the workpaper, every writer is a pure function of the model (the export time is in
//! the workpaper), the same engagement gives the same bytes, and nothing is written unless the
//! whole file is rendered. An engagement that is not ready for the report (controls not
//! concluded, exceptions not evaluated, controls without a test procedure) is refused, listing
//! the controls, unless a draft is asked for: every page of a draft says "DRAFT".

mod docx;
mod html;
mod xlsx;

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Serialize;

use super::ExportedFile;
use crate::Error;
use crate::engagement::design::{DesignConclusion, Walkthrough};
use crate::engagement::fieldwork::ConclusionKind;
use crate::engagement::workpaper::{ControlWorkpaper, Workpaper};

/// The three formats Section 4 is written in, chosen by the destination's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Section4Format {
    Docx,
    Xlsx,
    Html,
}

impl Section4Format {
    /// The format `out`'s extension names; anything else is refused naming the three.
    pub fn from_path(out: &Path) -> Result<Section4Format, Error> {
        match out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("docx") => Ok(Section4Format::Docx),
            Some("xlsx") => Ok(Section4Format::Xlsx),
            Some("html" | "htm") => Ok(Section4Format::Html),
            _ => Err(Error::invalid(format!(
                "{}: Section 4 is written as .docx, .xlsx or .html; give the file one of those extensions",
                out.display()
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Section4Format::Docx => "docx",
            Section4Format::Xlsx => "xlsx",
            Section4Format::Html => "html",
        }
    }
}

impl fmt::Display for Section4Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    pub path: PathBuf,
    pub format: Section4Format,
    pub draft: bool,
    /// Criterion groups (CC1, CC2 … A1 …) and criteria printed.
    pub groups: usize,
    pub criteria: usize,
    /// Controls printed (each once, however many criteria it repeats under).
    pub controls: usize,
    pub file: ExportedFile,
}

/// Writes Section 4 of `workpaper` (a whole-engagement workpaper) to `out`, in the format its
/// extension names. Refused with nothing written: an unknown extension, an engagement not
/// ready for the report unless `draft`, an existing file unless `force`.
pub fn export(workpaper: &Workpaper, out: &Path, force: bool, draft: bool) -> Result<ExportSummary, Error> {
    let format = Section4Format::from_path(out)?;
    let model = Section4::new(workpaper, draft)?;
    let bytes = render_model(&model, workpaper, format)?;
    let name = out.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let file = ExportedFile::new(&name, &bytes);
    super::place_file(bytes, out, force)?;
    Ok(ExportSummary {
        path: out.to_path_buf(),
        format,
        draft,
        groups: model.groups.len(),
        criteria: model.groups.iter().map(|g| g.criteria.len()).sum(),
        controls: model.control_count,
        file,
    })
}

/// Section 4's bytes in `format`, in memory (for a preview, or to write elsewhere).
pub fn render(workpaper: &Workpaper, format: Section4Format, draft: bool) -> Result<Vec<u8>, Error> {
    let model = Section4::new(workpaper, draft)?;
    render_model(&model, workpaper, format)
}

fn render_model(model: &Section4, wp: &Workpaper, format: Section4Format) -> Result<Vec<u8>, Error> {
    let exported_at = super::export_time(&wp.exported_at)?;
    match format {
        Section4Format::Docx => docx::document(model, exported_at),
        Section4Format::Xlsx => xlsx::workbook(model, exported_at),
        Section4Format::Html => Ok(html::page(model).into_bytes()),
    }
}

/// Section 4 as every format prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section4 {
    pub client: String,
    pub firm: String,
    /// "SOC 2 Type 2".
    pub report: String,
    /// "For the period January 1, 2026 to December 31, 2026" or "As of June 30, 2026".
    pub period: String,
    pub type1: bool,
    pub draft: bool,
    /// "Trail head: <hash> (event N)".
    pub trail: String,
    /// "Exported 2026-11-23T10:00:00Z by Dana Whitfield (Tickmark 0.1.0)".
    pub exported: String,
    pub groups: Vec<Group>,
    pub control_count: usize,
}

/// One criterion series (CC1, CC2 … A1, C1, PI1, P1 …), or one SOC 1 control objective:
/// each starts a new page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// `CC1`, `A1`, `P6`, or the objective's reference.
    pub series: String,
    /// "CC1.0 Control environment".
    pub title: String,
    pub criteria: Vec<CriterionBlock>,
}

/// One criterion with the controls that address it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionBlock {
    pub id: String,
    pub title: String,
    pub rows: Vec<Row>,
}

/// One control as the table prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub control: String,
    pub activity: String,
    /// One line per test: "Inspection: Inspected …".
    pub tests: Vec<String>,
    /// One paragraph per line: the result, then management's response when there is one.
    pub results: Vec<String>,
}

/// The column headings, in every format.
pub(crate) const COLUMNS: [&str; 4] =
    ["Control number", "Control activity specified by the service organization", "Tests performed", "Results of tests"];

/// What starts the line of management's response in the results.
pub const RESPONSE_LABEL: &str = "Management's response:";

/// The result of a control tested without deviation.
pub const NO_EXCEPTIONS: &str = "No exceptions noted.";

impl Section4 {
    /// The model of `wp`'s Section 4. Unless `draft`, an engagement not ready for the report
    /// is refused in one line naming the controls that stop it.
    pub fn new(wp: &Workpaper, draft: bool) -> Result<Section4, Error> {
        if wp.controls.is_empty() {
            return Err(Error::invalid("the engagement has no controls, so there is no Section 4 to write"));
        }
        let e = &wp.engagement;
        let type1 = e.report.is_type1();
        if !draft {
            readiness(wp, type1)?;
        }
        let mut groups: Vec<Group> = Vec::new();
        let mut printed: Vec<String> = Vec::new();
        for criterion in wp.coverage.criteria.iter().filter(|c| !c.controls.is_empty()) {
            let rows: Vec<Row> = criterion
                .controls
                .iter()
                .filter_map(|c| wp.controls.iter().find(|w| w.control.code == c.code))
                .map(|cw| row(cw, type1, e.period.end))
                .collect();
            if rows.is_empty() {
                continue;
            }
            for r in &rows {
                if !printed.contains(&r.control) {
                    printed.push(r.control.clone());
                }
            }
            let (series, title) = if e.report.is_soc1() {
                (criterion.id.clone(), format!("Control objective {}: {}", criterion.id, criterion.title))
            } else {
                let series = series_of(&criterion.id);
                let title = format!("{series}.0 {}", series_title(&series));
                (series, title)
            };
            let block = CriterionBlock { id: criterion.id.clone(), title: criterion.title.clone(), rows };
            match groups.last_mut() {
                Some(g) if g.series == series => g.criteria.push(block),
                _ => groups.push(Group { series, title, criteria: vec![block] }),
            }
        }
        // A control whose references name no in-scope criterion still belongs in the report.
        let unmapped: Vec<Row> = wp
            .controls
            .iter()
            .filter(|cw| !printed.contains(&cw.control.code))
            .map(|cw| row(cw, type1, e.period.end))
            .collect();
        let control_count = printed.len() + unmapped.len();
        if !unmapped.is_empty() {
            let what = if e.report.is_soc1() { "control objective" } else { "in-scope criterion" };
            groups.push(Group {
                series: "Other".into(),
                title: format!("Controls not mapped to an {what}"),
                criteria: vec![CriterionBlock {
                    id: String::new(),
                    title: format!("Controls whose references name no {what}"),
                    rows: unmapped,
                }],
            });
        }
        let period = if type1 {
            format!("As of {}", long_date(e.period.end))
        } else {
            format!("For the period {} to {}", long_date(e.period.start), long_date(e.period.end))
        };
        Ok(Section4 {
            client: e.client.clone(),
            firm: e.firm.clone(),
            report: e.report.words().to_string(),
            period,
            type1,
            draft,
            trail: format!("{}: {}", super::head::LABEL, super::head::cite(wp)),
            exported: format!("Exported {} by {} (Tickmark {})", wp.exported_at, wp.exported_by, wp.tickmark_version),
            groups,
            control_count,
        })
    }
}

/// Refuses, in one line listing the controls, an engagement whose Section 4 would print
/// results that are not there yet.
fn readiness(wp: &Workpaper, type1: bool) -> Result<(), Error> {
    let codes = |pred: &dyn Fn(&ControlWorkpaper) -> bool| -> Vec<&str> {
        wp.controls.iter().filter(|c| pred(c)).map(|c| c.control.code.as_str()).collect()
    };
    let not_concluded = if type1 { codes(&|c| design(c).is_none()) } else { codes(&|c| c.conclusion.is_none()) };
    let not_evaluated = if type1 {
        codes(&|c| design(c) == Some(DesignConclusion::NotEffective) && c.deficiency.is_none())
    } else {
        codes(&|c| has_exceptions(c) && c.deficiency.is_none())
    };
    let no_procedure = codes(&|c| c.procedures.is_empty());
    let mut problems = Vec::new();
    let list = |v: &[&str]| v.join(", ");
    if !not_concluded.is_empty() {
        let what = if type1 { "no design conclusion" } else { "no operating conclusion" };
        problems.push(format!("{} control(s) with {what} ({})", not_concluded.len(), list(&not_concluded)));
    }
    if !not_evaluated.is_empty() {
        problems.push(format!(
            "{} control(s) with exceptions and no deficiency evaluation ({})",
            not_evaluated.len(),
            list(&not_evaluated)
        ));
    }
    if !no_procedure.is_empty() {
        problems.push(format!("{} control(s) with no test procedure ({})", no_procedure.len(), list(&no_procedure)));
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "Section 4 not written: {}; finish them, or export a draft (--draft) marked DRAFT on every page",
        problems.join("; ")
    )))
}

fn design(c: &ControlWorkpaper) -> Option<DesignConclusion> {
    c.walkthrough.as_ref().and_then(|w| w.design)
}

/// Deviations found, or a conclusion that says there were.
fn has_exceptions(c: &ControlWorkpaper) -> bool {
    c.evaluation.as_ref().is_some_and(|e| e.deviations > 0)
        || matches!(
            c.conclusion.as_ref().map(|k| k.concluded),
            Some(ConclusionKind::ExceptionsNoted | ConclusionKind::NotEffective)
        )
}

fn row(cw: &ControlWorkpaper, type1: bool, as_of: NaiveDate) -> Row {
    let mut tests: Vec<String> =
        cw.procedures.iter().map(|p| format!("{}: {}", p.nature.words(), full_stop(&p.text))).collect();
    if type1 && let Some(w) = &cw.walkthrough {
        tests.push(walkthrough_test(w));
    }
    if tests.is_empty() {
        tests.push("No test procedure recorded.".into());
    }
    let results = if type1 { design_results(cw, as_of) } else { operating_results(cw) };
    Row { control: cw.control.code.clone(), activity: cw.control.description.clone(), tests, results }
}

fn walkthrough_test(w: &Walkthrough) -> String {
    format!(
        "Walkthrough: traced {} through the control to evaluate whether it was suitably designed and implemented.",
        w.traced
    )
}

/// A Type 1 control's result: its design conclusion.
fn design_results(cw: &ControlWorkpaper, as_of: NaiveDate) -> Vec<String> {
    let mut out = match design(cw) {
        Some(DesignConclusion::Effective) => vec![NO_EXCEPTIONS.to_string()],
        Some(DesignConclusion::NotEffective) => {
            vec![format!("Exceptions noted. The control was not suitably designed as of {}.", long_date(as_of))]
        }
        None => vec!["Not concluded: the design of the control has not been evaluated.".to_string()],
    };
    push_response(&mut out, cw);
    out
}

/// A Type 2 control's result, worded from its evaluation (k of n) and conclusion, so the
/// figures printed are always the evaluation's.
fn operating_results(cw: &ControlWorkpaper) -> Vec<String> {
    let Some(conclusion) = cw.conclusion.as_ref().map(|c| c.concluded) else {
        return vec!["Not concluded: testing of the control is not complete.".to_string()];
    };
    let (k, n) = cw.evaluation.as_ref().map_or((0, 0), |e| (e.deviations, e.tested_items));
    let not_effective = conclusion == ConclusionKind::NotEffective;
    if k == 0 && conclusion == ConclusionKind::NoExceptionsNoted {
        return vec![NO_EXCEPTIONS.to_string()];
    }
    let mut first = String::from("Exceptions noted.");
    match &cw.deficiency {
        Some(d) if k > 0 => {
            let noun = if d.items_noun.trim().is_empty() { "items" } else { d.items_noun.trim() };
            first += &format!(" For {k} of {n} {noun} sampled, {}.", sentence_body(&d.deviation));
        }
        Some(d) => first += &format!(" {}.", capitalised(&sentence_body(&d.deviation))),
        None if k > 0 => first += &format!(" Deviations were noted in {k} of {n} items sampled."),
        None => {}
    }
    if not_effective {
        first += " The control was not operating effectively during the period.";
    }
    let mut out = vec![first];
    push_response(&mut out, cw);
    out
}

fn push_response(out: &mut Vec<String>, cw: &ControlWorkpaper) {
    if let Some(d) = &cw.deficiency
        && !d.management_response.trim().is_empty()
    {
        out.push(format!("{RESPONSE_LABEL} {}", d.management_response.trim()));
    }
}

/// A step as a sentence: a matrix's steps are often typed without their full stop.
fn full_stop(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '!', '?', ':', ';']) { text.to_string() } else { format!("{text}.") }
}

/// The deviation as the middle of a sentence: trimmed, without its final full stop.
fn sentence_body(text: &str) -> String {
    text.trim().trim_end_matches('.').trim_end().to_string()
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `CC6.1` → `CC6`, `PI1.3` → `PI1`.
fn series_of(id: &str) -> String {
    id.split('.').next().unwrap_or(id).to_string()
}

/// The heading the 2017 Trust Services Criteria give each series.
fn series_title(series: &str) -> &'static str {
    match series {
        "CC1" => "Control environment",
        "CC2" => "Communication and information",
        "CC3" => "Risk assessment",
        "CC4" => "Monitoring activities",
        "CC5" => "Control activities",
        "CC6" => "Logical and physical access controls",
        "CC7" => "System operations",
        "CC8" => "Change management",
        "CC9" => "Risk mitigation",
        "A1" => "Additional criteria for availability",
        "C1" => "Additional criteria for confidentiality",
        "PI1" => "Additional criteria for processing integrity",
        "P1" => "Privacy: notice and communication of objectives",
        "P2" => "Privacy: choice and consent",
        "P3" => "Privacy: collection",
        "P4" => "Privacy: use, retention and disposal",
        "P5" => "Privacy: access",
        "P6" => "Privacy: disclosure and notification",
        "P7" => "Privacy: quality",
        "P8" => "Privacy: monitoring and enforcement",
        _ => "Criteria",
    }
}

/// "January 1, 2026", as reports print dates.
fn long_date(d: NaiveDate) -> String {
    d.format("%B %-d, %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_and_dates_read_as_reports_print_them() {
        assert_eq!(series_of("CC6.1"), "CC6");
        assert_eq!(series_of("PI1.5"), "PI1");
        assert_eq!(series_title("CC8"), "Change management");
        assert_eq!(long_date(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()), "January 1, 2026");
    }

    #[test]
    fn a_deviation_reads_as_the_middle_of_a_sentence() {
        assert_eq!(sentence_body(" evidence was not retained. "), "evidence was not retained");
        assert_eq!(capitalised("evidence"), "Evidence");
        assert_eq!(full_stop("Inspected the ticket "), "Inspected the ticket.");
        assert_eq!(full_stop("Inspected the ticket."), "Inspected the ticket.");
    }

    #[test]
    fn the_format_follows_the_extension_and_anything_else_is_refused() {
        assert_eq!(Section4Format::from_path(Path::new("s4.DOCX")).unwrap(), Section4Format::Docx);
        assert_eq!(Section4Format::from_path(Path::new("s4.xlsx")).unwrap(), Section4Format::Xlsx);
        assert_eq!(Section4Format::from_path(Path::new("s4.html")).unwrap(), Section4Format::Html);
        let e = Section4Format::from_path(Path::new("s4.pdf")).unwrap_err().to_string();
        assert!(e.contains(".docx, .xlsx or .html"), "{e}");
    }
}
