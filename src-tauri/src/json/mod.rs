//! Transport types: the camelCase shapes the UI sees, converted from the engine's types. The
//! TypeScript twins under `ui/src/lib/bindings/` are generated from these by ts-rs
//! (`cargo test -p tickmark-app export_bindings`); never edit those by hand.
//!
//! Counts and ids are `u64`/`i64` here and `number` in TypeScript: a population of 2^53 items
//! is not a concern, and JSON carries them as plain numbers. One file per area; everything is
//! re-exported here, so callers write `crate::json::X`.

/// Declares a transport enum that mirrors an engine enum variant for variant (attributes, doc
/// comments and serde/ts shapes passed through) and the `From` impls both ways. The matches are
/// exhaustive: a variant added on either side breaks the build instead of being mapped wrongly.
macro_rules! mirror_enum {
    (
        $(#[$attr:meta])*
        $vis:vis enum $name:ident <=> $engine:ident {
            $($(#[$vattr:meta])* $variant:ident),+ $(,)?
        }
    ) => {
        $(#[$attr])*
        $vis enum $name {
            $($(#[$vattr])* $variant,)+
        }

        impl From<$engine> for $name {
            fn from(v: $engine) -> $name {
                match v {
                    $($engine::$variant => $name::$variant,)+
                }
            }
        }

        impl From<$name> for $engine {
            fn from(v: $name) -> $engine {
                match v {
                    $($name::$variant => $engine::$variant,)+
                }
            }
        }
    };
}

mod carry;
mod design;
mod engagement;
mod export;
mod fieldwork;
mod population;
mod requests;
mod sampling;
mod startup;
mod team;
mod trail;
mod vocabulary;

pub use carry::*;
pub use design::*;
pub use engagement::*;
pub use export::*;
pub use fieldwork::*;
pub use population::*;
pub use requests::*;
pub use sampling::*;
pub use startup::*;
pub use team::*;
pub use trail::*;

#[cfg(test)]
mod tests {
    use tickmark::engagement::fieldwork::Outcome;

    use super::*;

    #[test]
    fn a_mirrored_variant_keeps_its_wire_name_and_maps_to_the_engines_variant() {
        let na: OutcomeKind = serde_json::from_str("\"na\"").unwrap();
        assert_eq!(Outcome::from(na), Outcome::NotApplicable);
        assert_eq!(serde_json::to_string(&OutcomeKind::from(Outcome::NotApplicable)).unwrap(), "\"na\"");
        assert_eq!(serde_json::to_string(&FrequencyKind::MultipleDaily).unwrap(), "\"multiple-daily\"");
        // The vocabulary keys natures by the engine's `as_str`, so the wire name must be the same.
        let nature = tickmark::engagement::design::ProcedureNature::Reperformance;
        assert_eq!(
            serde_json::to_string(&ProcedureNatureKind::from(nature)).unwrap(),
            format!("\"{}\"", nature.as_str())
        );
    }
}
