//! The commands the UI calls. Each takes its input, calls the engine and maps the error:
//! no business logic lives here. Blocking work runs through `AppState::with_engagement` or
//! `state::blocking`, off the IPC runtime.

pub mod carry;
pub mod controls;
pub mod design;
pub mod dialogs;
pub mod drops;
pub mod engagements;
pub mod export;
pub mod fieldwork;
pub mod interviews;
pub mod population;
pub mod requests;
pub mod sampling;
pub mod team;
pub mod trail;
