//! The demo network of `grens demo`, used by the CLI and by the node's and CLI's tests.
//!
//! - [`network`]: nodes on loopback — BE, LU, NL under the Benelux treaty, and in the full
//!   network SI and AL under `si-al` — each with its own store, keys, generated officers,
//!   national databases and the demo's implementing agreements.
//! - [`check`]: the scripted exchange of `grens demo --check`, through the real API and network.
//! - [`history`]: a generated history of requests and operations of every kind, for the
//!   operations board and the Art. 65 evaluation.

mod agreements_check;
pub mod check;
pub mod history;
pub mod network;
mod third_country_check;
pub mod volume;

pub use node::NodeError;
