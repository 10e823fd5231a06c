//! Cross-border operations between nodes (Titles 3 and 5), starting with hot pursuit (Arts. 21,
//! 55). An operation is the signed events its two parties send each other — the crossing
//! notice, the host's acknowledgement and instructions, a stop order, a detention, the European
//! Arrest Warrant, the release, the end, the report — and both nodes build its record, and its
//! clocks, from those events alone: a node restarted in the middle of a detention computes the
//! same release instant from what it stored. The treaty engine decides whether the pursuit may
//! cross (`operation.pursuit`) and when the detained person must be released (`deadline`,
//! `detention_release`); no rule is written twice.

use serde_json::Value;
use treaty::rules::lifecycle::{self, Answer, OperationKind, OperationStatus, Side, StartFacts};
use treaty::Action;

use super::{actor, party, DecisionView, Desk, DeskError};

mod alerts;
mod board;
mod events;
mod start;

use alerts::ALERT_BEFORE;
pub use alerts::REPORT_REMINDER_EVERY;
use board::{by_operation, events_of, hours_used};
pub use board::{
    BoardFilter, ClockView, DeadlineClock, EventView, HoursView, OperationPage, OperationView, PowersView,
};
pub use events::EventAsk;
pub use start::{OfficerOnOperation, OperationStart, PursuitStart};

/// The kinds of operation an officer starts, each decided by the engine
/// ([`OperationKind::engine_action`]). Mixed patrols (Art. 20) are started by the host through
/// its patrol desk and appear on the board as kind `patrol`.
pub const KINDS: [&str; 10] = {
    let k = OperationKind::STARTED_BY_OFFICERS;
    [
        k[0].as_str(),
        k[1].as_str(),
        k[2].as_str(),
        k[3].as_str(),
        k[4].as_str(),
        k[5].as_str(),
        k[6].as_str(),
        k[7].as_str(),
        k[8].as_str(),
        k[9].as_str(),
    ]
};

/// Registry kind of the shielded officers' pseudonyms, kept on the sending node only.
const SHIELDED: &str = "operation.shielded";

/// The kind an operation's events name (from this node or a partner).
fn kind_of(text: &str) -> Result<OperationKind, DeskError> {
    OperationKind::parse(text.trim())
        .ok_or_else(|| DeskError::invalid(format!("kind: '{text}' is not one of {}, patrol", KINDS.join(", "))))
}

/// What a start's facts say that decides the article of the host's answer.
fn start_facts(facts: &Value) -> StartFacts {
    StartFacts {
        crisis: facts["crisis"] == true,
        prior_authorisation: facts["prior_authorisation"] == true,
    }
}
