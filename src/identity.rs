//! Auditors' signing identities: an Ed25519 key per auditor, kept in their own config
//! directory, that signs every audit-trail event they write. The hash chain alone proves only
//! that events follow each other (anyone can recompute it); a signature proves who wrote one,
//! because only the holder of the secret key can make it.
//!
//! The engine never looks for a key by itself: the CLI and the app load (or create) the
//! identity at their edge and hand it in with the [`Actor`](crate::engagement::Actor).

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::trail::hex;
use crate::{Error, Result};

/// What a signature covers: this prefix, then the event's hash as its 64 hex characters. The
/// prefix keeps a signature made for Tickmark from meaning anything elsewhere.
pub const SIGNATURE_CONTEXT: &[u8] = b"tickmark-event-signature-v1\n";

/// The first line of an exported public key.
const PUBLIC_KEY_HEADER: &str = "tickmark-public-key-v1";

/// The `format` of a key file.
const KEY_FILE_FORMAT: &str = "tickmark-identity-v1";

/// An auditor's name and signing key.
#[derive(Clone, PartialEq, Eq)]
pub struct Identity {
    name: String,
    key: SigningKey,
}

/// Never prints the secret key.
impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity").field("name", &self.name).field("public_key", &self.public_key().hex()).finish()
    }
}

impl Identity {
    /// An identity from its 32 secret bytes (drawn from the OS's random source by the caller).
    pub fn from_secret(name: &str, secret: [u8; 32]) -> Result<Identity> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("a signing identity needs the auditor's name"));
        }
        Ok(Identity { name: name.to_string(), key: SigningKey::from_bytes(&secret) })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.key.verifying_key())
    }

    /// The signature, as hex, over an event's hash.
    pub fn sign_event(&self, event_hash: &str) -> String {
        hex(&self.key.sign(&message(event_hash)).to_bytes())
    }
}

fn message(event_hash: &str) -> Vec<u8> {
    [SIGNATURE_CONTEXT, event_hash.as_bytes()].concat()
}

/// An Ed25519 public key: what an engagement records of each signer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Parses 64 hex characters.
    pub fn from_hex(s: &str) -> Result<PublicKey> {
        let bad = || Error::invalid(format!("{s:?} is not an Ed25519 public key (64 hex characters)"));
        let bytes: [u8; 32] = unhex(s.trim()).and_then(|b| b.try_into().ok()).ok_or_else(bad)?;
        VerifyingKey::from_bytes(&bytes).map(PublicKey).map_err(|_| bad())
    }

    pub fn hex(&self) -> String {
        hex(self.0.as_bytes())
    }

    /// The first 16 hex characters of the key's SHA-256: short enough to read aloud and
    /// compare by eye, as people compare SSH fingerprints.
    pub fn fingerprint(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))[..16].to_string()
    }

    /// Whether `signature_hex` is this key's signature over `event_hash`.
    pub fn verifies(&self, event_hash: &str, signature_hex: &str) -> bool {
        let Some(bytes) = unhex(signature_hex).and_then(|b| <[u8; 64]>::try_from(b).ok()) else { return false };
        self.0.verify_strict(&message(event_hash), &Signature::from_bytes(&bytes)).is_ok()
    }
}

/// A fingerprint in groups of four, as people read it: `3f2a 91c0 7be4 d015`.
pub fn grouped(fingerprint: &str) -> String {
    fingerprint.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

/// A colleague's public key as `identity export` writes it and `identity import` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedKey {
    pub name: String,
    pub key: PublicKey,
}

impl NamedKey {
    /// A small text file a person can read and compare with what the owner reads out.
    pub fn to_text(&self) -> String {
        format!(
            "{PUBLIC_KEY_HEADER}\nname: {}\npublic-key: {}\nfingerprint: {}\n",
            self.name,
            self.key.hex(),
            grouped(&self.key.fingerprint())
        )
    }

    /// Reads what `to_text` wrote; a fingerprint that does not match the key is refused.
    pub fn parse(text: &str) -> Result<NamedKey> {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        if lines.next() != Some(PUBLIC_KEY_HEADER) {
            return Err(Error::invalid(format!(
                "not a Tickmark public key: the first line should be {PUBLIC_KEY_HEADER}"
            )));
        }
        let (mut name, mut key, mut fingerprint) = (None, None, None);
        for line in lines {
            match line.split_once(':').map(|(k, v)| (k.trim(), v.trim())) {
                Some(("name", v)) => name = Some(v.to_string()),
                Some(("public-key", v)) => key = Some(PublicKey::from_hex(v)?),
                Some(("fingerprint", v)) => fingerprint = Some(v.replace(' ', "")),
                _ => return Err(Error::invalid(format!("unexpected line in the public key: {line:?}"))),
            }
        }
        let name = name.filter(|n| !n.is_empty()).ok_or_else(|| Error::invalid("the public key names nobody"))?;
        let key = key.ok_or_else(|| Error::invalid("the public key file has no public-key line"))?;
        if fingerprint.is_some_and(|f| !f.eq_ignore_ascii_case(&key.fingerprint())) {
            return Err(Error::invalid("the public key's fingerprint does not match its key; the file was altered"));
        }
        Ok(NamedKey { name, key })
    }
}

/// The key file: small JSON, readable only by its owner (mode 0600).
#[derive(Serialize, Deserialize)]
struct KeyFile {
    format: String,
    name: String,
    public_key: String,
    secret_key: String,
}

/// The file that holds `name`'s identity in `dir`: one file per name, named after it (made
/// safe for a file name) plus a short hash so two names never share a file.
pub fn key_path(dir: &Path, name: &str) -> PathBuf {
    let slug: String = name
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let tag = &hex(&Sha256::digest(name.trim().as_bytes()))[..8];
    dir.join(format!("{}-{tag}.key", if slug.is_empty() { "auditor" } else { &slug }))
}

/// Loads `name`'s identity from `dir`, creating it (with `fresh_secret`) on first use.
/// Returns the identity, its file and whether it was created now.
pub fn load_or_create(
    dir: &Path,
    name: &str,
    fresh_secret: impl FnOnce() -> Result<[u8; 32]>,
) -> Result<(Identity, PathBuf, bool)> {
    let path = key_path(dir, name);
    if path.exists() {
        return Ok((load(&path, name)?, path, false));
    }
    let identity = Identity::from_secret(name, fresh_secret()?)?;
    let io = |source| Error::Io { path: path.clone(), source };
    create_private_dir(dir).map_err(|source| Error::Io { path: dir.to_path_buf(), source })?;
    let file = KeyFile {
        format: KEY_FILE_FORMAT.into(),
        name: identity.name.clone(),
        public_key: identity.public_key().hex(),
        secret_key: hex(identity.key.as_bytes()),
    };
    let text = serde_json::to_string_pretty(&file).expect("plain data") + "\n";
    // Written whole under a private temporary name, then linked into place: a reader never
    // sees half a key file, and when two Tickmarks (or two test threads) create the same
    // identity at once, the second finds the first's key and uses it instead of failing.
    let dir_io = |source| Error::Io { path: dir.to_path_buf(), source };
    let mut tmp = tempfile::Builder::new().prefix(".key-").tempfile_in(dir).map_err(dir_io)?;
    tmp.write_all(text.as_bytes()).and_then(|()| tmp.as_file().sync_all()).map_err(io)?;
    match std::fs::hard_link(tmp.path(), &path) {
        Ok(()) => Ok((identity, path, true)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok((load(&path, name)?, path, false)),
        Err(e) => Err(io(e)),
    }
}

/// Reads a key file, refusing one others can read or one whose keys do not belong together.
fn load(path: &Path, name: &str) -> Result<Identity> {
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(io)?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(Error::invalid(format!(
                "{}: the signing key is readable by others (mode {:o}); run chmod 600 on it",
                path.display(),
                mode & 0o777
            )));
        }
    }
    let damaged = |why: &str| Error::invalid(format!("{}: the signing key file is damaged ({why})", path.display()));
    let text = std::fs::read_to_string(path).map_err(io)?;
    let file: KeyFile = serde_json::from_str(&text).map_err(|_| damaged("not a Tickmark key file"))?;
    if file.format != KEY_FILE_FORMAT {
        return Err(damaged("unknown format"));
    }
    let secret: [u8; 32] =
        unhex(&file.secret_key).and_then(|b| b.try_into().ok()).ok_or_else(|| damaged("bad secret key"))?;
    let identity = Identity::from_secret(&file.name, secret)?;
    if identity.public_key().hex() != file.public_key {
        return Err(damaged("its public key does not belong to its secret key"));
    }
    if identity.name != name.trim() {
        return Err(damaged(&format!("it belongs to {:?}", identity.name)));
    }
    Ok(identity)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// 32 bytes from the operating system's random source: a new signing key's secret. For the
/// CLI and the app to pass to [`load_or_create`] at their edge; the engine never calls it.
pub fn os_random_secret() -> Result<[u8; 32]> {
    use rand::TryRngCore;
    let mut secret = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut secret)
        .map_err(|e| Error::Invalid(format!("the operating system gave no random bytes for a signing key: {e}")))?;
    Ok(secret)
}

/// Where identities live unless the caller says otherwise: `$TICKMARK_CONFIG_DIR/identity`,
/// else the user's config directory (`$XDG_CONFIG_HOME` or `~/.config` on Linux). For the CLI
/// and the app, at their edge; the engine itself never calls it.
pub fn default_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(d) = env("TICKMARK_CONFIG_DIR") {
        return Some(d.join("identity"));
    }
    let config = if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env("XDG_CONFIG_HOME").or_else(|| env("HOME").map(|h| h.join(".config")))
    };
    config.map(|c| c.join("tickmark").join("identity"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_hash_and_its_key() {
        let dana = Identity::from_secret("Dana", [7; 32]).unwrap();
        let other = Identity::from_secret("Mallory", [8; 32]).unwrap();
        let sig = dana.sign_event("ab");
        assert!(dana.public_key().verifies("ab", &sig));
        assert!(!dana.public_key().verifies("ac", &sig));
        assert!(!other.public_key().verifies("ab", &sig));
        assert!(!dana.public_key().verifies("ab", "zz"));
        assert_eq!(dana.public_key().fingerprint().len(), 16);
        assert_eq!(grouped("0123456789abcdef"), "0123 4567 89ab cdef");
    }

    #[test]
    fn an_exported_key_reads_back_and_an_altered_one_is_refused() {
        let k =
            NamedKey { name: "Dana Whitfield".into(), key: Identity::from_secret("x", [1; 32]).unwrap().public_key() };
        assert_eq!(NamedKey::parse(&k.to_text()).unwrap(), k);
        let other = Identity::from_secret("x", [2; 32]).unwrap().public_key().hex();
        let forged = k.to_text().replace(&k.key.hex(), &other);
        assert!(NamedKey::parse(&forged).unwrap_err().to_string().contains("fingerprint does not match"));
    }

    #[test]
    fn key_files_are_named_after_the_auditor_and_never_shared() {
        let d = Path::new("/x");
        assert!(key_path(d, "Dana Whitfield").to_string_lossy().starts_with("/x/dana-whitfield-"));
        assert_ne!(key_path(d, "Dana Whitfield"), key_path(d, "dana whitfield"));
    }

    #[test]
    fn identities_created_at_once_are_one_identity_and_the_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let made: Vec<(Identity, bool)> = std::thread::scope(|s| {
            let threads: Vec<_> = (0..8u8)
                .map(|i| {
                    let dir = dir.path();
                    s.spawn(move || {
                        let (id, _, created) = load_or_create(dir, "Dana Whitfield", || Ok([i + 1; 32])).unwrap();
                        (id, created)
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        assert_eq!(made.iter().filter(|(_, created)| *created).count(), 1, "one thread created the key");
        let key = made[0].0.public_key().hex();
        assert!(made.iter().all(|(id, _)| id.public_key().hex() == key), "every thread uses the same key");
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(files.len(), 1, "no temporary file is left: {files:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join(&files[0]);
            assert_eq!(std::fs::metadata(path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
