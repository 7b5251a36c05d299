//! Tickmark's engine: engagement files, population import, sampling, fieldwork records and
//! workpaper export. No Tauri and no UI here: the CLI and the desktop shell are thin callers.

pub mod demo;
pub mod draw;
pub mod engagement;
pub mod error;
pub mod export;
pub mod identity;
pub mod import;
pub mod reperform;
pub mod sampling;
pub mod store;
pub mod trail;
pub mod verify;

pub use error::{Error, Result};
pub use store::Engagement;

/// This build's version, as workpapers cite it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
