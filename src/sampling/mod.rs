//! Sampling: placeholder until the sampling engine lands.

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SamplingError(pub String);
