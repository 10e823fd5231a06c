//! `deadline`: every statutory clock of the treaty and of Directive 2023/977, in the local
//! time of the party whose clock it is.

use jiff::Timestamp;

use crate::article::art;
use crate::clocks;
use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind, When};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;
use crate::profile::Profile;

/// Which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineRule {
    DetentionRelease,
    UrgentObservationAuthorisation,
    InvestigationReply,
    InvestigationExecution,
    OralConfirmation,
    InformationRequestReply,
    DenunciationEffective,
    EvaluationReport,
}

/// `deadline`.
#[derive(Debug, Clone)]
pub struct Deadline {
    pub rule: DeadlineRule,
    pub party: PartyCode,
    pub start: Timestamp,
    pub eaw_received: bool,
    pub urgent: bool,
    pub directly_accessible: bool,
}

impl Deadline {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let rule = match f.one_of(
            "rule",
            &[
                "detention_release",
                "urgent_observation_authorisation",
                "investigation_reply",
                "investigation_execution",
                "oral_confirmation",
                "information_request_reply",
                "denunciation_effective",
                "evaluation_report",
            ],
        )? {
            "detention_release" => DeadlineRule::DetentionRelease,
            "urgent_observation_authorisation" => DeadlineRule::UrgentObservationAuthorisation,
            "investigation_reply" => DeadlineRule::InvestigationReply,
            "investigation_execution" => DeadlineRule::InvestigationExecution,
            "oral_confirmation" => DeadlineRule::OralConfirmation,
            "information_request_reply" => DeadlineRule::InformationRequestReply,
            "denunciation_effective" => DeadlineRule::DenunciationEffective,
            _ => DeadlineRule::EvaluationReport,
        };
        let eaw_received = match rule {
            DeadlineRule::DetentionRelease => f.bool("eaw_received")?,
            _ => f.opt_bool("eaw_received")?.unwrap_or(false),
        };
        let urgent = match rule {
            DeadlineRule::InformationRequestReply => f.bool("urgent")?,
            _ => f.opt_bool("urgent")?.unwrap_or(false),
        };
        let directly_accessible = match (rule, urgent) {
            (DeadlineRule::InformationRequestReply, true) => f.bool("directly_accessible")?,
            _ => f.opt_bool("directly_accessible")?.unwrap_or(false),
        };
        Ok(Deadline {
            rule,
            party: f.party("party")?,
            start: f.instant("start")?,
            eaw_received,
            urgent,
            directly_accessible,
        })
    }
}

pub fn deadline(profile: &Profile, d: &Deadline) -> Decision {
    let mut b = DecisionBuilder::computation();
    let zone = profile.zone(&d.party);
    let flags = &profile.flags;
    let due = match d.rule {
        // Art. 21(3): "Deze persoon wordt uiterlijk zes uren na het begin van deze vasthouding – de
        // uren tussen middernacht en negen uur niet meegeteld – in vrijheid gesteld, tenzij de
        // bevoegde autoriteiten van de gaststaat voordien een Europees aanhoudingsbevel hebben ontvangen."
        DeadlineRule::DetentionRelease if d.eaw_received => {
            b.cite(
                art("21(3)"),
                "a European Arrest Warrant was received: the release clock stops",
            );
            None
        }
        DeadlineRule::DetentionRelease => {
            let due = clocks::detention_release(
                d.start,
                flags.detention_release_hours,
                flags.detention_uncounted_from,
                flags.detention_uncounted_until,
                &zone,
            );
            b.cite(
                art("21(3)"),
                format!(
                    "release at the latest {} hours after detention began, the hours between {} and {} {} time not counted, unless a European Arrest Warrant is received",
                    flags.detention_release_hours, flags.detention_uncounted_from.strftime("%H:%M"), flags.detention_uncounted_until.strftime("%H:%M"), d.party
                ),
            );
            b.oblige(Obligation::by_deadline(
                ObligationKind::Release,
                Addressee::Host,
                due,
                art("21(3)"),
            ));
            Some(due)
        }
        // Art. 22(5): "… indien de toestemming vijf uren na de grensoverschrijding nog niet is verleend."
        DeadlineRule::UrgentObservationAuthorisation => {
            let due = clocks::after_hours(d.start, flags.urgent_observation_hours);
            b.cite(
                art("22(5)"),
                format!(
                    "the observation stops if not authorised {} hours after the crossing",
                    flags.urgent_observation_hours
                ),
            );
            b.oblige(Obligation::by_deadline(
                ObligationKind::Stop,
                Addressee::Host,
                due,
                art("22(5)"),
            ));
            Some(due)
        }
        // Art. 24(1): "De aangezochte Verdragsluitende Partij reageert binnen een termijn van 48 uur
        // of, in geval van spoed, zo snel mogelijk."
        DeadlineRule::InvestigationReply if d.urgent => {
            b.cite(
                art("24(1)"),
                "urgent: the requested party answers as soon as possible (no fixed limit)",
            );
            None
        }
        DeadlineRule::InvestigationReply => {
            b.cite(
                art("24(1)"),
                format!(
                    "the requested party answers within {} hours",
                    flags.investigation_reply_hours
                ),
            );
            Some(clocks::after_hours(d.start, flags.investigation_reply_hours))
        }
        // Art. 24(2): "… uiterlijk 30 dagen na ontvangst van het verzoek …"; 24(3) the same limit
        // when the host executes the acts itself.
        DeadlineRule::InvestigationExecution if d.urgent => {
            b.cite(
                art("24(2)"),
                "urgent: the acts are made possible as soon as possible (no fixed limit)",
            );
            None
        }
        DeadlineRule::InvestigationExecution => {
            let due = clocks::after_calendar_days(d.start, flags.investigation_execution_days, &zone);
            b.cite(
                art("24(2)"),
                format!(
                    "the acts can be carried out at the latest {} days after receipt of the request",
                    flags.investigation_execution_days
                ),
            );
            b.cite(
                art("24(3)"),
                "the same limit applies when the host carries out the acts itself",
            );
            Some(due)
        }
        // Art. 12(2): "… binnen 24 uur na de mondelinge uitwisseling …"
        DeadlineRule::OralConfirmation => {
            let due = clocks::after_hours(d.start, flags.oral_confirmation_hours);
            b.cite(
                art("12(2)"),
                format!(
                    "an oral exchange is confirmed in writing within {} hours",
                    flags.oral_confirmation_hours
                ),
            );
            b.oblige(Obligation::by_deadline(
                ObligationKind::ConfirmInWriting,
                Addressee::Recipient,
                due,
                art("12(2)"),
            ));
            Some(due)
        }
        // Directive 2023/977 Art. 5(1): "(a) eight hours in the case of urgent requests relating to
        // directly accessible information; (b) three calendar days in the case of urgent requests
        // relating to indirectly accessible information; (c) seven calendar days in the case of all
        // other requests." The limits run from receipt of the request.
        DeadlineRule::InformationRequestReply => Some(match (d.urgent, d.directly_accessible) {
            (true, true) => {
                b.cite(
                    art("2023/977:5(1)(a)"),
                    format!(
                        "urgent request for directly accessible information: {} hours",
                        flags.urgent_direct_reply_hours
                    ),
                );
                clocks::after_hours(d.start, flags.urgent_direct_reply_hours)
            }
            (true, false) => {
                b.cite(
                    art("2023/977:5(1)(b)"),
                    format!(
                        "urgent request for indirectly accessible information: {} calendar days",
                        flags.urgent_indirect_reply_days
                    ),
                );
                clocks::after_calendar_days(d.start, flags.urgent_indirect_reply_days, &zone)
            }
            (false, _) => {
                b.cite(
                    art("2023/977:5(1)(c)"),
                    format!("any other request: {} calendar days", flags.other_reply_days),
                );
                clocks::after_calendar_days(d.start, flags.other_reply_days, &zone)
            }
        }),
        // Art. 66(5): "De opzegging wordt van kracht zes maanden na laatstgenoemde kennisgeving.
        // Het Verdrag blijft in werking tussen de overige twee Verdragsluitende Partijen."
        DeadlineRule::DenunciationEffective => {
            b.cite(art("66(5)"), format!("a denunciation takes effect {} months after the depositary's notification; the treaty stays in force between the other parties", flags.denunciation_months));
            Some(clocks::after_months(d.start, flags.denunciation_months, &zone))
        }
        // Art. 65: "Uiterlijk vijf jaren na de inwerkingtreding van dit Verdrag brengen de bevoegde
        // ministers … een verslag uit …"
        DeadlineRule::EvaluationReport => {
            let due = clocks::after_years(d.start, flags.evaluation_report_years, &zone);
            b.cite(
                art("65"),
                format!(
                    "the ministers report on the treaty's effect within {} years of its entry into force",
                    flags.evaluation_report_years
                ),
            );
            b.oblige(Obligation {
                kind: ObligationKind::Report,
                to: None,
                when: Some(When::ByDeadline),
                due: Some(due),
                article: art("65"),
                conditions: Vec::new(),
            });
            Some(due)
        }
    };
    b.deadline(due);
    b.build()
}
