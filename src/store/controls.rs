//! Controls and their attributes in the engagement file.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::Engagement;
use super::design::{check_criteria, insert_procedures};
use super::team::next_id;
use crate::engagement::design::parse_procedures;
use crate::engagement::{
    Actor, Attribute, Control, ControlInput, Frequency, Nature, parse_attributes, parse_criteria_refs,
};
use crate::import::{self, ImportError, ImportErrorKind, Row};
use crate::{Error, Result, trail};

/// The control matrix's columns; `id` and `description` are required.
const MATRIX_COLUMNS: [&str; 8] =
    ["id", "description", "criteria", "frequency", "nature", "owner", "attributes", "procedures"];

/// Other headers a matrix column is read from: the workpaper's Controls sheet, so an exported
/// control matrix imports without editing.
const MATRIX_ALIASES: [(&str, &str); 2] = [("id", "control"), ("procedures", "test procedure")];

/// Controls added from a matrix, with how their criteria references were read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportedControls {
    pub controls: Vec<Control>,
    /// One line per reference typed differently from its ID: `CC6.1-01: "cc61" read as CC6.1`.
    pub notes: Vec<String>,
}

impl Engagement {
    pub fn add_control(&mut self, input: &ControlInput, actor: &Actor) -> Result<Control> {
        input.validate()?;
        let report = self.info()?.report;
        let checked = check_criteria(self.conn(), report, &input.criteria)?;
        let input = &ControlInput { criteria: checked.ids, ..input.clone() };
        self.write(|tx| {
            let id = insert_control(tx, input)?;
            trail::record_rows(
                tx,
                actor,
                "control.added",
                serde_json::to_value(input).expect("plain data"),
                &control_rows(tx, &[id])?,
            )?;
            load_control(tx, id)
        })
    }

    /// Imports a control matrix (CSV or xlsx): all rows or none.
    pub fn import_controls(&mut self, path: &Path, sheet: Option<&str>, actor: &Actor) -> Result<ImportedControls> {
        let (mut inputs, criteria_column) = read_matrix(path, sheet)?;
        let file = import::table::display_name(path);
        let report = self.info()?.report;
        let mut notes = Vec::new();
        for (line, input) in &mut inputs {
            let checked = check_criteria(self.conn(), report, &input.criteria).map_err(|e| {
                let mut err = ImportError::new(ImportErrorKind::BadValue, &file, e.to_string()).at_line(*line);
                if let Some((i, name)) = &criteria_column {
                    err = err.at_column(*i, name);
                }
                Error::from(err)
            })?;
            notes.extend(checked.notes.iter().map(|n| format!("{} (line {line}): {n}", input.code)));
            input.criteria = checked.ids;
        }
        let controls = self.write(|tx| {
            let mut ids = Vec::new();
            for (line, input) in &inputs {
                if control_id(tx, &input.code)?.is_some() {
                    return Err(ImportError::new(
                        ImportErrorKind::DuplicateKey,
                        &file,
                        format!("control {} is already in the engagement", input.code),
                    )
                    .at_line(*line)
                    .into());
                }
                ids.push(insert_control(tx, input)?);
            }
            trail::record_rows(
                tx,
                actor,
                "controls.imported",
                serde_json::json!({ "file": file, "controls": inputs.iter().map(|(_, c)| &c.code).collect::<Vec<_>>() }),
                &control_rows(tx, &ids)?,
            )?;
            ids.into_iter().map(|id| load_control(tx, id)).collect::<Result<Vec<_>>>()
        })?;
        Ok(ImportedControls { controls, notes })
    }

    pub fn controls(&self) -> Result<Vec<Control>> {
        let ids: Vec<i64> = {
            let mut stmt = self.conn().prepare("SELECT id FROM control ORDER BY code")?;
            stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        ids.into_iter().map(|id| load_control(self.conn(), id)).collect()
    }

    pub fn control(&self, code: &str) -> Result<Control> {
        let id = control_id(self.conn(), code)?.ok_or_else(|| no_control(code))?;
        load_control(self.conn(), id)
    }
}

pub(crate) fn no_control(code: &str) -> Error {
    Error::invalid(format!("no control {code:?} in this engagement; `tickmark controls list` shows them"))
}

pub(crate) fn control_id(conn: &Connection, code: &str) -> Result<Option<i64>> {
    Ok(conn.query_row("SELECT id FROM control WHERE code = ?1", [code.trim()], |r| r.get(0)).optional()?)
}

/// The control, attribute and procedure step rows of `ids`, for the trail.
pub(crate) fn control_rows(conn: &Connection, ids: &[i64]) -> Result<Vec<(&'static str, i64)>> {
    let mut rows = Vec::new();
    let mut attributes = conn.prepare_cached("SELECT id FROM attribute WHERE control_id = ?1 ORDER BY id")?;
    let mut steps = conn.prepare_cached("SELECT id FROM procedure_step WHERE control_id = ?1 ORDER BY position")?;
    for &id in ids {
        rows.push(("control", id));
        for a in attributes.query_map([id], |r| r.get::<_, i64>(0))? {
            rows.push(("attribute", a?));
        }
        for s in steps.query_map([id], |r| r.get::<_, i64>(0))? {
            rows.push(("procedure_step", s?));
        }
    }
    Ok(rows)
}

pub(crate) fn insert_control(tx: &Transaction<'_>, c: &ControlInput) -> Result<i64> {
    if control_id(tx, &c.code)?.is_some() {
        return Err(Error::invalid(format!("control {} already exists in this engagement", c.code.trim())));
    }
    tx.execute(
        "INSERT INTO control (code, description, criteria, frequency, nature, owner, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            c.code.trim(),
            c.description.trim(),
            c.criteria.join(";"),
            c.frequency.as_str(),
            c.nature.as_str(),
            c.owner.trim(),
            next_id(tx, "control")?
        ],
    )?;
    let id = tx.last_insert_rowid();
    for a in &c.attributes {
        tx.execute(
            "INSERT INTO attribute (control_id, label, condition, id) VALUES (?1, ?2, ?3, ?4)",
            params![id, a.label, a.condition, next_id(tx, "attribute")?],
        )?;
    }
    insert_procedures(tx, id, &c.procedures)?;
    Ok(id)
}

fn load_control(conn: &Connection, id: i64) -> Result<Control> {
    let (code, description, criteria, frequency, nature, owner): (String, String, String, String, String, String) =
        conn.query_row(
            "SELECT code, description, criteria, frequency, nature, owner FROM control WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )?;
    let mut stmt = conn.prepare_cached("SELECT label, condition FROM attribute WHERE control_id = ?1 ORDER BY id")?;
    let attributes = stmt
        .query_map([id], |r| Ok(Attribute { label: r.get(0)?, condition: r.get(1)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Control {
        id,
        code,
        description,
        criteria: parse_criteria_refs(&criteria),
        frequency: frequency.parse().map_err(|e| Error::invalid(format!("stored control is damaged: {e}")))?,
        nature: nature.parse()?,
        owner,
        attributes,
    })
}

/// A control matrix read: each control with its line, and the criteria column (index, header).
type Matrix = (Vec<(u64, ControlInput)>, Option<(usize, String)>);

/// Reads a control matrix into inputs, refusing the whole file at the first bad row; also
/// returns the criteria column (index and header), for errors found against the engagement.
fn read_matrix(path: &Path, sheet: Option<&str>) -> Result<Matrix> {
    import::with_table(path, sheet, |table| {
        let file = table.file().to_string();
        let headers = table.headers().to_vec();
        let col = |name: &str| {
            let names = std::iter::once(name).chain(MATRIX_ALIASES.iter().filter(|(n, _)| *n == name).map(|(_, a)| *a));
            names.into_iter().find_map(|n| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(n)))
        };
        let cols: Vec<Option<usize>> = MATRIX_COLUMNS.iter().map(|c| col(c)).collect();
        for required in [0, 1] {
            if cols[required].is_none() {
                return Err(ImportError::new(
                    ImportErrorKind::MissingColumn,
                    &file,
                    format!(
                        "the control matrix has no {:?} column; its headers must include: {}",
                        MATRIX_COLUMNS[required],
                        MATRIX_COLUMNS.join(", ")
                    ),
                )
                .at_line(1)
                .into());
            }
        }
        let get = |row: &Row, k: usize| cols[k].map(|i| row.fields[i].trim().to_string()).unwrap_or_default();
        let mut out: Vec<(u64, ControlInput)> = Vec::new();
        let mut row = Row::default();
        while table.next_row(&mut row)? {
            if row.is_blank() {
                continue;
            }
            let bad = |k: usize, e: &dyn std::fmt::Display| {
                let i = cols[k].unwrap_or(0);
                ImportError::new(ImportErrorKind::BadValue, &file, e.to_string())
                    .at_line(row.line)
                    .at_column(i, &headers[i])
            };
            let frequency_text = get(&row, 3);
            let frequency = if frequency_text.is_empty() {
                Frequency::EventDriven
            } else {
                frequency_text.parse::<Frequency>().map_err(|e| bad(3, &e))?
            };
            let nature_text = get(&row, 4);
            let nature = if nature_text.is_empty() {
                Nature::Manual
            } else {
                nature_text.parse::<Nature>().map_err(|e| bad(4, &e))?
            };
            let input = ControlInput {
                code: get(&row, 0),
                description: get(&row, 1),
                criteria: parse_criteria_refs(&get(&row, 2)),
                frequency,
                nature,
                owner: get(&row, 5),
                attributes: parse_attributes(&get(&row, 6)).map_err(|e| bad(6, &e))?,
                procedures: parse_procedures(&get(&row, 7)).map_err(|e| bad(7, &e))?,
            };
            input.validate().map_err(|e| bad(if input.code.is_empty() { 0 } else { 1 }, &e))?;
            if let Some((first, _)) = out.iter().find(|(_, c)| c.code == input.code) {
                return Err(bad(0, &format!("control {} is listed twice (first on line {first})", input.code)).into());
            }
            out.push((row.line, input));
        }
        if out.is_empty() {
            return Err(
                ImportError::new(ImportErrorKind::HeaderOnly, &file, "the control matrix lists no controls").into()
            );
        }
        Ok((out, cols[2].map(|i| (i, headers[i].clone()))))
    })
}
