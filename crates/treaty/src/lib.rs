//! The treaty engine: the 2018 Benelux police cooperation treaty as code.
//!
//! - [`Profile`]: the data of an agreement (parties, annexes, tables, limits), from TOML.
//! - [`rules`]: one module per part of the treaty; [`evaluate`] decides an [`Action`].
//! - [`Decision`]: verdict, cited articles, reasons, obligations, deadline.
//! - [`clocks`]: the statutory clocks, in the party's time zone.
//! - [`instrument`]: which agreement or act a message names, and who may use it.
//! - [`conformance`]: the scenario format shared with other implementations.
//!
//! Pure: no I/O but the profile text it is given, and time is always a parameter.

pub mod article;
pub mod clocks;
pub mod conformance;
pub mod coverage;
pub mod decision;
pub mod fields;
pub mod ids;
pub mod instrument;
pub mod profile;
pub mod provisions;
pub mod rules;

pub use article::ArticleRef;
pub use decision::{Addressee, Decision, Obligation, ObligationKind, Verdict, When};
pub use ids::{DatabaseId, Language, PartyCode};
pub use profile::{Agreement, Profile, ProfileError};
pub use rules::{evaluate, Action};
