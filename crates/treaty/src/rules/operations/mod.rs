//! Title 3 (Arts. 18–26) and the operational articles of Title 4 (32–33): cross-border
//! operations, with the obligations of Title 5 that follow every operation (34(2), 45, 46).

mod assistance;
mod observation;
mod pursuit;
mod transport;

pub use assistance::*;
pub use observation::*;
pub use pursuit::*;
pub use transport::*;

use crate::article::art;

use crate::decision::{Addressee, DecisionBuilder, Obligation, ObligationKind, When};

use crate::ids::PartyCode;

/// The obligations of Title 5 that bind every cross-border operation once allowed.
fn operation_obligations(d: &mut DecisionBuilder) {
    // Art. 34(2): "… is de ambtenaar van de zendstaat gehouden de aanwijzingen en de bevelen van
    // de bevoegde autoriteiten en diensten van de gaststaat op te volgen."
    d.cite(
        art("34(2)"),
        "the sending officers follow the instructions and orders of the host's authorities and services",
    );
    d.oblige(Obligation::new(
        ObligationKind::FollowInstructions,
        Addressee::Host,
        When::OnHostRequest,
        art("34(2)"),
    ));
    // Art. 45: "De bevoegde diensten van de gaststaat kunnen bepalen dat zij het grensoverschrijdend
    // optreden overnemen …" / "… wordt beëindigd, zodra de bevoegde diensten van de gaststaat zulks
    // te kennen geven."
    d.cite(
        art("45(2)"),
        "the operation ends as soon as the host says so; the host may take it over",
    );
    d.oblige(Obligation::new(
        ObligationKind::Stop,
        Addressee::Host,
        When::OnHostRequest,
        art("45(2)"),
    ));
    // Art. 46(1): "De bevoegde diensten van de zendstaat doen na elk grensoverschrijdend optreden
    // verslag van dit optreden aan de bevoegde autoriteiten van de gaststaat via de bevoegde
    // diensten van de gaststaat."
    d.cite(
        art("46(1)"),
        "after the operation the sending services report to the host's competent authorities",
    );
    d.oblige(Obligation::new(
        ObligationKind::Report,
        Addressee::HostAuthority,
        When::AfterOperation,
        art("46(1)"),
    ));
}

fn require_two_parties(d: &mut DecisionBuilder, host: &PartyCode, sending: &PartyCode, article: &'static str) -> bool {
    d.require(
        host != sending,
        art(article),
        format!("officers of {sending} act on the territory of {host}"),
        "host and sending state are the same party: this is not a cross-border operation",
    )
}
