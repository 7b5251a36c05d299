//! Putting a rendered export in place: written in full next to its destination under a
//! temporary name, then renamed, so a failure never leaves a partial workpaper behind and an
//! earlier export is replaced only when asked to and only by a complete one.
//!
//! Nothing here follows a link: the temporary file is created with a random name and
//! `O_EXCL` (so a link planted at any name makes creation fail and another name be tried),
//! and the rename replaces whatever is at the destination rather than writing through it.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::{Builder, NamedTempFile, TempDir};

use crate::Error;

/// A rendered export: one file (xlsx, html) or a folder of files (csv).
pub(crate) enum Rendered {
    File(Vec<u8>),
    Folder(Vec<(String, Vec<u8>)>),
}

/// Writes `rendered` at `out`. Refuses a missing or unwritable folder, and anything already at
/// `out` unless `force`; even then only the same kind of thing an export makes is replaced (a
/// file by a file, an earlier CSV export folder by a folder), never a folder of other files.
pub(crate) fn place(rendered: &Rendered, out: &Path, force: bool) -> Result<(), Error> {
    let (dir, name) = destination(out)?;
    if let Some(existing) = existing(out)? {
        if !force {
            return Err(Error::AlreadyExists { path: out.to_path_buf() });
        }
        check_replaceable(rendered, out, &existing)?;
    }
    match rendered {
        Rendered::File(bytes) => place_file(bytes, &dir, &name, out, force),
        Rendered::Folder(files) => place_folder(files, &dir, &name, out),
    }
}

/// Writes a file only its owner can read (0600 on Unix, whatever the umask) at `out`: `fill`
/// writes the temporary file at the path it is given, which is then synced and renamed into
/// place. Refused as an export file is: an existing destination unless `force`, and even then
/// anything but an ordinary file.
pub(crate) fn place_private(
    out: &Path,
    force: bool,
    fill: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    let (dir, name) = destination(out)?;
    if let Some(existing) = existing(out)? {
        if !force {
            return Err(Error::AlreadyExists { path: out.to_path_buf() });
        }
        check_replaceable_file(out, &existing)?;
    }
    // tempfile creates it 0600 (less under a strict umask); set exactly that before writing.
    let tmp = temp_in(&dir, &name, |b, d| b.tempfile_in(d))?;
    let io_error = |e| Error::Io { path: out.to_path_buf(), source: e };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(fs::Permissions::from_mode(0o600)).map_err(io_error)?;
    }
    fill(tmp.path())?;
    tmp.as_file().sync_all().map_err(io_error)?;
    persist(tmp, out, force)
}

/// The folder the export goes into and the export's own name.
fn destination(out: &Path) -> Result<(PathBuf, String), Error> {
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::invalid(format!("{}: not a name to export to; give a file name", out.display())))?;
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Error::invalid(format!(
            "{}: no such folder; create it first or export somewhere else",
            dir.display()
        )));
    }
    Ok((dir, name.to_string()))
}

fn existing(out: &Path) -> Result<Option<fs::Metadata>, Error> {
    match fs::symlink_metadata(out) {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::Io { path: out.to_path_buf(), source: e }),
    }
}

fn check_replaceable(rendered: &Rendered, out: &Path, existing: &fs::Metadata) -> Result<(), Error> {
    match rendered {
        Rendered::File(_) => check_replaceable_file(out, existing),
        Rendered::Folder(_) if !existing.is_dir() => refuse(out, "is not a folder of an earlier CSV export"),
        Rendered::Folder(_) if !holds_only_csv_files(out)? => {
            refuse(out, "holds more than the CSV files of an earlier export")
        }
        Rendered::Folder(_) => Ok(()),
    }
}

/// Only an ordinary file is replaced by a file: a link's target may be anything (an evidence
/// folder, the engagement itself), and a device or a pipe is not an earlier export.
fn check_replaceable_file(out: &Path, existing: &fs::Metadata) -> Result<(), Error> {
    let kind = existing.file_type();
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_symlink() {
        "is a symbolic link (Tickmark never writes through one)"
    } else if kind.is_dir() {
        "is a folder, not an earlier export file"
    } else {
        "is a device, a pipe or a socket, not an earlier export file"
    };
    refuse(out, what)
}

fn refuse(out: &Path, why: &str) -> Result<(), Error> {
    Err(Error::invalid(format!("{}: not replaced, because it {why}", out.display())))
}

fn holds_only_csv_files(dir: &Path) -> Result<bool, Error> {
    let io_error = |e| Error::Io { path: dir.to_path_buf(), source: e };
    for entry in fs::read_dir(dir).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        let is_file = entry.file_type().map_err(io_error)?.is_file();
        if !is_file || entry.path().extension().is_none_or(|e| e != "csv") {
            return Ok(false);
        }
    }
    Ok(true)
}

fn place_file(bytes: &[u8], dir: &Path, name: &str, out: &Path, force: bool) -> Result<(), Error> {
    let mut tmp = temp_in(dir, name, |b, d| {
        ordinary_permissions(b);
        b.tempfile_in(d)
    })?;
    // Errors name the export, not the hidden temporary file the auditor never asked for.
    write_all(&mut tmp, bytes).map_err(|e| Error::Io { path: out.to_path_buf(), source: e })?;
    persist(tmp, out, force)
}

/// Renames the complete temporary file to `out`. The rename replaces a link rather than
/// writing through it; on failure the temporary file is dropped with the error, deleting it.
fn persist(tmp: NamedTempFile, out: &Path, force: bool) -> Result<(), Error> {
    let placed = if force { tmp.persist(out) } else { tmp.persist_noclobber(out) };
    placed.map(drop).map_err(|e| match e.error.kind() {
        io::ErrorKind::AlreadyExists => Error::AlreadyExists { path: out.to_path_buf() },
        _ => Error::Io { path: out.to_path_buf(), source: e.error },
    })
}

/// A temporary file is private to its owner; the export it becomes is an ordinary file, as
/// readable as any other the user saves (the umask still applies).
fn ordinary_permissions(builder: &mut Builder) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    #[cfg(not(unix))]
    let _ = builder;
}

fn write_all(tmp: &mut NamedTempFile, bytes: &[u8]) -> io::Result<()> {
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()
}

fn place_folder(files: &[(String, Vec<u8>)], dir: &Path, name: &str, out: &Path) -> Result<(), Error> {
    let tmp = temp_in(dir, name, |b, d| b.tempdir_in(d))?;
    for (file, bytes) in files {
        write_file(&tmp.path().join(file), bytes).map_err(|e| Error::Io { path: out.join(file), source: e })?;
    }
    // An earlier export being replaced is moved aside first (a folder cannot be renamed over a
    // folder that has files) and deleted only once the new one is in place.
    let aside = if out.exists() { Some(move_aside(dir, name, out)?) } else { None };
    if let Err(e) = fs::rename(tmp.path(), out) {
        if let Some((_, old)) = &aside {
            let _ = fs::rename(old, out);
        }
        return Err(Error::Io { path: out.to_path_buf(), source: e });
    }
    // Renamed: the temporary folder no longer exists under its temporary name.
    let _ = tmp.keep();
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = fs::File::create_new(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Moves `out` into a fresh temporary folder, which deletes it when dropped.
fn move_aside(dir: &Path, name: &str, out: &Path) -> Result<(TempDir, PathBuf), Error> {
    let holder = temp_in(dir, name, |b, d| b.tempdir_in(d))?;
    let old = holder.path().join(name);
    fs::rename(out, &old).map_err(|e| Error::Io { path: out.to_path_buf(), source: e })?;
    Ok((holder, old))
}

/// Creates a temporary file or folder in `dir`, saying plainly when the folder is read-only.
/// Its name is hidden and derived from the export's, so whoever finds one left by a killed
/// Tickmark can tell what it is.
fn temp_in<T>(dir: &Path, name: &str, create: impl FnOnce(&mut Builder, &Path) -> io::Result<T>) -> Result<T, Error> {
    let prefix = format!(".{name}.");
    let mut builder = Builder::new();
    builder.prefix(&prefix).suffix(".tickmark-partial");
    create(&mut builder, dir).map_err(|e| unwritable(dir, e))
}

fn unwritable(dir: &Path, e: io::Error) -> Error {
    match e.kind() {
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => Error::invalid(format!(
            "{}: this folder cannot be written to (it is read-only or belongs to someone else); export somewhere else",
            dir.display()
        )),
        _ => Error::Io { path: dir.to_path_buf(), source: e },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The integration tests cannot make a folder read-only for root, which CI containers often
    // are; the mapping from the OS's answer to the auditor's sentence is checked here.
    #[test]
    fn a_permission_error_says_the_folder_cannot_be_written_to() {
        let e = unwritable(Path::new("/srv/audit"), io::Error::from(io::ErrorKind::PermissionDenied));
        assert_eq!(
            e.to_string(),
            "/srv/audit: this folder cannot be written to (it is read-only or belongs to someone else); export somewhere else"
        );
        let full = unwritable(Path::new("/srv/audit"), io::Error::from(io::ErrorKind::StorageFull));
        assert_eq!(full.code(), "io");
    }
}
