//! Arts. 25–26, 32–33 and 45: transport and escort, trains and ships, transit, urgent
//! evidence, and the host taking over or ending an operation.

use super::*;

use crate::article::art;
use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind, When};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;

/// `operation.transport`.
#[derive(Debug, Clone)]
pub struct Transport {
    pub host: PartyCode,
    pub sending: PartyCode,
    pub prior_consent: bool,
}

impl Transport {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(Transport {
            host: f.party("host")?,
            sending: f.party("sending")?,
            prior_consent: f.bool("prior_consent")?,
        })
    }
}

/// Art. 25(1): "… mits daarvoor voorafgaande toestemming van de bevoegde autoriteit of dienst van
/// de gaststaat is verkregen. Indien de bevoegde autoriteit of dienst van de gaststaat geen
/// toestemming verleent …, voert de bevoegde dienst van de gaststaat deze opdracht zelf uit,
/// tenzij zij gegronde redenen heeft om anders te besluiten."
pub fn transport(t: &Transport) -> Decision {
    let mut d = DecisionBuilder::new();
    require_two_parties(&mut d, &t.host, &t.sending, "25(1)");
    if d.require(
        t.prior_consent,
        art("25(1)"),
        "the host's competent authority or service consented in advance to the transport or escort",
        "transport and escort abroad need the host's prior consent; without it the host carries out the task itself unless it has good reasons not to",
    ) {
        d.cite(art("41(1)"), "a deprivation of liberty continues for the whole transport");
        operation_obligations(&mut d);
    } else {
        d.oblige(Obligation::new(ObligationKind::ExecuteItself, Addressee::RequestingParty, When::Asap, art("25(1)")));
    }
    d.build()
}

/// `operation.train_competence`.
#[derive(Debug, Clone)]
pub struct TrainCompetence {
    pub committed_in: Option<PartyCode>,
    pub next_scheduled_stop_in: PartyCode,
}

impl TrainCompetence {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(TrainCompetence {
            committed_in: f.nullable_party("committed_in")?,
            next_scheduled_stop_in: f.party("next_scheduled_stop_in")?,
        })
    }
}

/// Art. 26(3): "… is de Verdragsluitende Partij op wier grondgebied het feit is gepleegd, bevoegd.
/// Wanneer niet kan worden uitgemaakt waar het strafbare feit is gepleegd, is de Verdragsluitende
/// Partij op wier grondgebied de eerstvolgende voorziene halteplaats zich bevindt, bevoegd."
pub fn train_competence(t: &TrainCompetence) -> Decision {
    let mut d = DecisionBuilder::computation();
    let competent = match &t.committed_in {
        Some(p) => {
            d.cite(
                art("26(3)"),
                format!("the offence was committed on the territory of {p}: {p} is competent"),
            );
            p.clone()
        }
        None => {
            d.cite(
                art("26(3)"),
                format!("where the offence was committed cannot be established: the party of the next scheduled stop, {}, is competent", t.next_scheduled_stop_in),
            );
            t.next_scheduled_stop_in.clone()
        }
    };
    d.details().competent = Some(competent);
    d.build()
}

/// `operation.train_boarding`: boarding or leaving an international train or ship abroad.
#[derive(Debug, Clone)]
pub struct TrainBoarding {
    pub host: PartyCode,
    pub sending: PartyCode,
    pub arrest_or_seizure_at_home: bool,
}

impl TrainBoarding {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(TrainBoarding {
            host: f.party("host")?,
            sending: f.party("sending")?,
            arrest_or_seizure_at_home: f.opt_bool("arrest_or_seizure_at_home")?.unwrap_or(false),
        })
    }
}

pub fn train_boarding(t: &TrainBoarding) -> Decision {
    let mut d = DecisionBuilder::new();
    if !require_two_parties(&mut d, &t.host, &t.sending, "26(1)") {
        return d.build();
    }
    // Art. 26(1): "… onder de voorwaarde dat de grensoverschrijding uiterlijk bij het overschrijden
    // van de grens wordt gemeld aan de bevoegde dienst van de gaststaat."
    d.cite(art("26(1)"), "officers may board or leave the international train or ship abroad; the crossing is reported at the latest on crossing");
    d.oblige(Obligation::new(
        ObligationKind::Notify,
        Addressee::Host,
        When::AtCrossing,
        art("26(1)"),
    ));
    d.cite(
        art("26(2)"),
        "a check begun at home may be completed abroad for as long as necessary",
    );
    if t.arrest_or_seizure_at_home {
        // Art. 26(4): the arrest or seizure stays valid; "De bevoegde diensten van de gaststaat worden
        // onverwijld van deze situatie op de hoogte gebracht."
        d.cite(
            art("26(4)"),
            "an arrest or seizure made at home stays valid abroad; the host is told without delay",
        );
        d.oblige(Obligation::new(
            ObligationKind::Notify,
            Addressee::Host,
            When::Immediately,
            art("26(4)"),
        ));
    }
    operation_obligations(&mut d);
    d.build()
}

/// `operation.transit`.
#[derive(Debug, Clone)]
pub struct Transit {
    pub host: PartyCode,
    pub sending: PartyCode,
    pub with_detained_person: bool,
    pub with_goods: bool,
}

impl Transit {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(Transit {
            host: f.party("host")?,
            sending: f.party("sending")?,
            with_detained_person: f.bool("with_detained_person")?,
            with_goods: f.bool("with_goods")?,
        })
    }
}

pub fn transit(t: &Transit) -> Decision {
    let mut d = DecisionBuilder::new();
    if !require_two_parties(&mut d, &t.host, &t.sending, "32") {
        return d.build();
    }
    // Art. 32: "De ambtenaar is bevoegd om zich … over het grondgebied van een Verdragsluitende
    // Partij te bewegen om het eigen grondgebied … langs de snelst mogelijke weg te bereiken."
    d.cite(
        art("32"),
        "transit by the fastest route, with vehicles, equipment and the weapons Art. 39 allows",
    );
    if t.with_detained_person {
        d.cite(
            art("41(2)"),
            "the lawful deprivation of liberty of a transported person continues during the transit",
        );
    }
    if t.with_goods {
        d.cite(
            art("41(3)"),
            "goods the officer may lawfully carry at home may be carried during the transit",
        );
    }
    if t.with_detained_person || t.with_goods {
        // Art. 41(4): "… dan wordt deze doortocht vóór het overschrijden van de grens gemeld aan de
        // bevoegde diensten van de gaststaat."
        d.cite(
            art("41(4)"),
            "the transit is reported to the host's services before crossing the border",
        );
        d.oblige(Obligation::new(
            ObligationKind::Notify,
            Addressee::Host,
            When::BeforeCrossing,
            art("41(4)"),
        ));
    }
    d.build()
}

/// `evidence.urgent_request`: securing traces or evidence (blood, body material) urgently.
#[derive(Debug, Clone)]
pub struct UrgentEvidence {
    pub real_risk_of_loss: bool,
    pub oral: bool,
}

impl UrgentEvidence {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(UrgentEvidence {
            real_risk_of_loss: f.bool("real_risk_of_loss")?,
            oral: f.bool("oral")?,
        })
    }
}

pub fn urgent_evidence(u: &UrgentEvidence) -> Decision {
    let mut d = DecisionBuilder::new();
    // Art. 33(1): "… en er een reëel risico bestaat dat deze sporen of dit bewijsmateriaal verloren
    // zouden gaan indien de onderzoeksmaatregel slechts na ontvangst van een Europees onderzoeksbevel
    // of een verzoek om wederzijdse rechtshulp … zou worden uitgevoerd …"
    if d.require(
        u.real_risk_of_loss,
        art("33(1)"),
        "there is a real risk that the traces or evidence are lost if the measure waits for an EIO or MLA request",
        "without a real risk of loss, use a European Investigation Order or a mutual legal assistance request",
    ) {
        d.cite(
            art("33(3)"),
            "the measure is carried out under the requested party's law",
        );
        d.cite(art("33(4)"), "results are sent under the requested party's EIO law");
        if u.oral {
            // Art. 33(2): "Voor zover het … verzoek mondeling is gedaan, wordt dit zo spoedig mogelijk
            // schriftelijk bevestigd."
            d.cite(
                art("33(2)"),
                "the oral request is confirmed in writing as soon as possible",
            );
            d.oblige(Obligation::new(
                ObligationKind::ConfirmInWriting,
                Addressee::Recipient,
                When::Asap,
                art("33(2)"),
            ));
        }
    }
    d.build()
}

/// `operation.host_instruction`: the host takes over or ends an operation.
#[derive(Debug, Clone)]
pub struct HostInstruction {
    pub take_over: bool,
    pub end: bool,
}

impl HostInstruction {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(HostInstruction {
            take_over: f.bool("take_over")?,
            end: f.bool("end")?,
        })
    }
}

pub fn host_instruction(h: &HostInstruction) -> Decision {
    let mut d = DecisionBuilder::new();
    if h.take_over {
        // Art. 45(1): "… kunnen bepalen dat zij het grensoverschrijdend optreden overnemen of
        // verderzetten samen met ambtenaren van de zendstaat."
        d.cite(
            art("45(1)"),
            "the host takes the operation over, or continues it together with the sending officers",
        );
        d.oblige(Obligation::new(
            ObligationKind::FollowInstructions,
            Addressee::Host,
            When::Immediately,
            art("45(1)"),
        ));
    }
    if h.end {
        // Art. 45(2): "Het grensoverschrijdend optreden wordt beëindigd, zodra de bevoegde diensten
        // van de gaststaat zulks te kennen geven."
        d.cite(art("45(2)"), "the operation ends as soon as the host says so");
        d.oblige(Obligation::new(
            ObligationKind::Stop,
            Addressee::Host,
            When::Immediately,
            art("45(2)"),
        ));
    }
    if h.take_over || h.end {
        d.oblige(Obligation::new(
            ObligationKind::Report,
            Addressee::HostAuthority,
            When::AfterOperation,
            art("46(1)"),
        ));
        d.cite(art("46(1)"), "a report is due after the operation");
    } else {
        d.cite(
            art("45"),
            "no instruction: the operation continues under the host's authority (Art. 34)",
        );
    }
    d.build()
}
