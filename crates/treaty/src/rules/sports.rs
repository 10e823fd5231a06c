//! `sports.event_data`: what the parties' football (sports) information points may send each
//! other before an international match, under an agreement that provides it in its own words
//! (the SI–AL agreement as modernised, seed 004: "exchange of travel data of sports teams and
//! supporters"). The model is Council Decision 2002/348/JHA and the EU Football Handbook:
//! general information (supporter movements, numbers, transport, routes, ticketing, requests
//! for spotters, the evaluation afterwards) freely; personal data only of risk supporters, each
//! with the reason, and erased a number of days after the event. The provision and that number
//! are the profile's data (`[sports_events]`).

use jiff::civil::Date;
use jiff::ToSpan;

use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;
use crate::profile::Profile;
use crate::rules::transfers::cite_chapter_v;

/// The window an event's date must fall in: a typo'd year is refused where it enters.
const EARLIEST_EVENT: Date = jiff::civil::date(2000, 1, 1);
const LATEST_EVENT: Date = jiff::civil::date(2100, 12, 31);

/// What an information point sends about an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventData {
    /// Supporter movements, numbers, transport, routes, arrival times, ticketing, spotters.
    General,
    /// Persons considered a risk, each with the reason (personal data).
    RiskSupporters,
    /// The post-event evaluation.
    Evaluation,
}

/// `sports.event_data`: one party's information point sends the other's data for an event.
#[derive(Debug, Clone)]
pub struct SportsEventData {
    pub from: PartyCode,
    pub to: PartyCode,
    pub event_date: Date,
    pub data: EventData,
    /// For risk supporters: each person is listed with the reason he or she is considered one.
    pub reason_given: bool,
}

impl SportsEventData {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let from = f.party("from")?;
        let to = f.other_party("to", &from, "event data go to the other party's information point")?;
        let event_date = f.date("event_date")?;
        if !(EARLIEST_EVENT..=LATEST_EVENT).contains(&event_date) {
            return Err(f.error(
                "event_date",
                format!("{event_date} is outside {EARLIEST_EVENT} to {LATEST_EVENT}"),
            ));
        }
        let data = match f.one_of("data", &["general", "risk_supporters", "evaluation"])? {
            "risk_supporters" => EventData::RiskSupporters,
            "evaluation" => EventData::Evaluation,
            _ => EventData::General,
        };
        let reason_given = match data {
            EventData::RiskSupporters => f.bool("reason_given")?,
            _ => f.opt_bool("reason_given")?.unwrap_or(false),
        };
        Ok(SportsEventData {
            from,
            to,
            event_date,
            data,
            reason_given,
        })
    }
}

/// Decides an exchange of event data under the profile's provision.
pub fn sports_event_data(profile: &Profile, x: &SportsEventData) -> Decision {
    let Some(provision) = &profile.provisions.sports_events else {
        return crate::rules::without_provision(profile, "exchange for sports events");
    };
    let mut d = DecisionBuilder::new();
    let article = provision.article.clone();
    match x.data {
        EventData::General | EventData::Evaluation => {
            let what = if x.data == EventData::General {
                "general information on the event (supporter movements, numbers, transport, routes, ticketing, spotters)"
            } else {
                "the post-event evaluation"
            };
            d.cite(
                article,
                format!("{} to {}: {what}: \"{}\"", x.from, x.to, provision.words),
            );
        }
        EventData::RiskSupporters if !x.reason_given => {
            d.refuse(
                article,
                "risk supporters' personal data only with the reason each is considered a risk (Council Decision 2002/348/JHA model): give the reason for every person",
            );
        }
        EventData::RiskSupporters => {
            // Erased at the end of the N-th day after the event, in the receiver's time zone.
            let last_day = x
                .event_date
                .checked_add(i64::from(provision.erasure_days).days())
                .unwrap_or(LATEST_EVENT);
            let due = last_day
                .checked_add(1.day())
                .ok()
                .and_then(|next| next.to_zoned(profile.zone(&x.to)).ok())
                .map(|z| z.timestamp());
            d.cite(
                article.clone(),
                format!(
                    "{} to {}: risk supporters, each with the reason; erased {} days after the event ({last_day}): \"{}\"",
                    x.from, x.to, provision.erasure_days, provision.words
                ),
            );
            if let Some(due) = due {
                d.oblige(Obligation::by_deadline(
                    ObligationKind::Erase,
                    Addressee::Recipient,
                    due,
                    article,
                ));
            }
            cite_chapter_v(&mut d, &x.from, &x.to, "the supporters' data");
        }
    }
    d.build()
}
