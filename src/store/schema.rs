//! The schema as Tickmark made it: the tables, columns, indexes, triggers and views that
//! applying the migrations gives, compared with the file's. A trigger or view planted with
//! sqlite3 can rewrite what Tickmark writes (an exception saved as a pass), so anything else
//! is named by `verify`.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::migrations::MIGRATIONS;
use crate::Result;

/// `(type, name)` → `(table, SQL with whitespace collapsed)`, SQLite's own objects left out.
type Objects = BTreeMap<(String, String), (String, String)>;

fn objects(conn: &Connection) -> Result<Objects> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master
         WHERE name NOT LIKE 'sqlite\\_autoindex\\_%' ESCAPE '\\' AND name NOT IN ('sqlite_sequence', 'sqlite_stat1', 'sqlite_stat4')",
    )?;
    let rows = stmt.query_map([], |r| {
        let sql: String = r.get(3)?;
        Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, sql.split_whitespace().collect::<Vec<_>>().join(" "))))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
    let names = stmt.query_map([table], |r| r.get(0))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

/// The schema the migrations up to `version` create, in a scratch in-memory database.
fn expected(version: usize) -> Result<Connection> {
    let conn = Connection::open_in_memory()?;
    for sql in &MIGRATIONS[..version.min(MIGRATIONS.len())] {
        conn.execute_batch(sql)?;
    }
    Ok(conn)
}

/// Each way the file's schema differs from what the migrations create, one line each.
pub(crate) fn check(conn: &Connection) -> Result<Vec<String>> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let reference = expected(version.max(0) as usize)?;
    let (want, got) = (objects(&reference)?, objects(conn)?);
    let mut problems = Vec::new();
    for ((kind, name), (table, sql)) in &got {
        match want.get(&(kind.clone(), name.clone())) {
            None if kind == "table" => {
                problems.push(format!("table {name} is not part of Tickmark's schema (added outside Tickmark)"))
            }
            None => problems.push(format!(
                "{kind} {name} on {table} is not part of Tickmark's schema (added outside Tickmark): {sql}"
            )),
            Some((_, want_sql)) if want_sql == sql => {}
            Some(_) if kind == "table" => {
                let (w, g) = (columns(&reference, name)?, columns(conn, name)?);
                let added: Vec<&str> = g.iter().filter(|c| !w.contains(c)).map(String::as_str).collect();
                let missing: Vec<&str> = w.iter().filter(|c| !g.contains(c)).map(String::as_str).collect();
                let what = match (added.is_empty(), missing.is_empty()) {
                    (false, _) => format!("column {} is not part of Tickmark's schema", added.join(", ")),
                    (true, false) => format!("column {} is missing", missing.join(", ")),
                    (true, true) => "its definition differs from Tickmark's schema".to_string(),
                };
                problems.push(format!("table {name}: {what} (changed outside Tickmark)"));
            }
            Some(_) => {
                problems.push(format!("{kind} {name} on {table}: its definition differs from Tickmark's schema"))
            }
        }
    }
    for (kind, name) in want.keys() {
        if !got.contains_key(&(kind.clone(), name.clone())) {
            problems.push(format!("{kind} {name} is missing from the file (dropped outside Tickmark)"));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migrations_schema_matches_itself_and_a_planted_trigger_is_named() {
        let conn = expected(MIGRATIONS.len()).unwrap();
        conn.pragma_update(None, "user_version", MIGRATIONS.len() as i64).unwrap();
        assert_eq!(check(&conn).unwrap(), Vec::<String>::new());
        conn.execute_batch(
            "CREATE TRIGGER pass_all AFTER INSERT ON result BEGIN UPDATE result SET outcome = 'pass' WHERE id = new.id; END;
             CREATE INDEX extra ON control (owner); ALTER TABLE control ADD COLUMN note TEXT;",
        )
        .unwrap();
        let problems = check(&conn).unwrap();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems.iter().any(|p| p.starts_with("trigger pass_all on result is not part")));
        assert!(problems.iter().any(|p| p.starts_with("index extra on control")));
        assert!(problems.iter().any(|p| p.starts_with("table control: column note is not part")));
    }
}
