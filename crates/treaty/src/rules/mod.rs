//! The rules: one module per part of the treaty. [`Action`] is every decision the engine
//! can take; [`evaluate`] dispatches it to the rule that implements the article.

pub mod application;
pub mod conditions;
pub mod databases;
pub mod deadlines;
pub mod exchange;
pub mod lifecycle;
pub mod operations;
pub mod powers;
pub mod sports;
pub mod traffic;
pub mod transfers;

use serde_json::Value;

use crate::decision::Decision;
use crate::fields::{FieldError, Fields};
use crate::profile::Profile;

/// A kind of action: its name in scenarios and the API, the articles it decides, and what it is.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub name: &'static str,
    pub articles: &'static [u32],
    pub summary: &'static str,
}

/// Every kind the engine decides. The coverage report is built from this table.
pub const KINDS: &[Kind] = &[
    Kind { name: "exchange.request", articles: &[2, 4, 7], summary: "a request for data: purpose, administrative measures, subjects" },
    Kind { name: "exchange.spontaneous", articles: &[4], summary: "spontaneous provision without a request" },
    Kind { name: "exchange.refusal", articles: &[4, 61], summary: "refusing a request on a Directive 2023/977 ground or Art. 61" },
    Kind { name: "exchange.source_database", articles: &[5], summary: "may data be provided from this database (annex 5)" },
    Kind { name: "exchange.channel", articles: &[6, 27, 30], summary: "routing through NCP, regional contact point, joint police centre, liaison officer, or direct with ground a–d" },
    Kind { name: "exchange.feedback_request", articles: &[7], summary: "the provider asks what became of its data" },
    Kind { name: "data.classification", articles: &[8], summary: "the recipient's national marking for a classification" },
    Kind { name: "data.use", articles: &[9, 10, 11], summary: "use of received data: purpose, evidence, disclosure, onward transfer, consent and conditions" },
    Kind { name: "exchange.oral", articles: &[12], summary: "oral exchange and its written confirmation" },
    Kind { name: "exchange.language", articles: &[12], summary: "the language of a provision" },
    Kind { name: "anpr.reference", articles: &[13, 62], summary: "providing ANPR reference data (hotlist entries)" },
    Kind { name: "anpr.use", articles: &[13], summary: "what the recipient may do with reference data" },
    Kind { name: "query.hitnohit", articles: &[5, 14, 62], summary: "hit/no-hit query of a partner database" },
    Kind { name: "consult.direct", articles: &[5, 15, 16, 62], summary: "direct consultation at a joint police post or on a mixed patrol" },
    Kind { name: "consult.owner_conditions", articles: &[15, 16], summary: "the owner's conditions on a named authorisation: hours of the day, daily limit" },
    Kind { name: "consult.register", articles: &[17, 62], summary: "direct consultation of population and public registers" },
    Kind { name: "operation.assistance", articles: &[18, 34, 45, 46], summary: "assistance with personnel and equipment on request" },
    Kind { name: "operation.own_initiative", articles: &[19, 38, 34, 45, 46], summary: "crossing on own initiative in an urgent situation" },
    Kind { name: "operation.pursuit", articles: &[20, 21, 55, 34, 45, 46], summary: "hot pursuit across the border" },
    Kind { name: "operation.observation", articles: &[22, 34, 45, 46], summary: "cross-border observation, authorised or urgent" },
    Kind { name: "operation.investigation", articles: &[23, 24, 34, 45, 46], summary: "cross-border investigation acts with the 48 h / 30 d clocks" },
    Kind { name: "operation.transport", articles: &[25, 41, 34, 45, 46], summary: "transport and escort of persons and goods" },
    Kind { name: "operation.train_boarding", articles: &[26, 34, 45, 46], summary: "boarding international trains and ships abroad" },
    Kind { name: "operation.train_competence", articles: &[26], summary: "which party is competent for an offence on board" },
    Kind { name: "operation.transit", articles: &[32, 41], summary: "transit over the partner's territory" },
    Kind { name: "evidence.urgent_request", articles: &[33], summary: "urgent securing of traces and evidence" },
    Kind { name: "operation.event", articles: &[18, 19, 20, 21, 22, 23, 24, 25, 26, 32, 33, 34, 36, 40, 45, 46, 53, 54], summary: "the life cycle of an operation: who records which event after which, under which article" },
    Kind { name: "operation.host_instruction", articles: &[45, 46], summary: "the host takes over or ends an operation" },
    Kind { name: "powers", articles: &[20, 35, 36, 37, 38, 52, 53, 54, 55, 57], summary: "the powers of sending officers in an operation" },
    Kind { name: "weapons.carry", articles: &[39, 58], summary: "carrying weapons and ammunition abroad" },
    Kind { name: "force.use", articles: &[40, 59], summary: "use of force and firearms, and its report" },
    Kind { name: "officer.identity_disclosure", articles: &[43], summary: "shielded officers' identity" },
    Kind { name: "liability", articles: &[48, 60], summary: "who is liable for damage" },
    Kind { name: "special_units.request", articles: &[53, 54], summary: "special-units assistance in and outside crises" },
    Kind { name: "deadline", articles: &[12, 21, 22, 24, 65, 66], summary: "statutory clocks" },
    Kind { name: "agreement.in_force", articles: &[62], summary: "whether an implementing agreement applies on a day" },
    Kind { name: "territory", articles: &[67], summary: "the treaty's territorial scope" },
    Kind { name: "exchange.direct", articles: &[], summary: "direct exchange of operational findings between the parties' services, under an agreement's own provision (profile data)" },
    Kind { name: "sports.event_data", articles: &[], summary: "supporters' data before an international sports event, erased after it, under an agreement's own provision (profile data)" },
    Kind { name: "traffic.holder_lookup", articles: &[], summary: "the holder of a vehicle registered with the other party, for a road-traffic offence, under an agreement's own provision (profile data)" },
    Kind { name: "transfer.third_country", articles: &[], summary: "a member state's transfer of personal data to a third country or Interpol (Directive 2016/680 Arts. 35–39)" },
];

/// One action to decide, parsed and validated.
#[derive(Debug, Clone)]
pub enum Action {
    Request(exchange::Request),
    Spontaneous(exchange::Spontaneous),
    Refusal(exchange::Refusal),
    SourceDatabase(exchange::SourceDatabase),
    Channel(exchange::Channel),
    FeedbackRequest(exchange::FeedbackRequest),
    Classification(exchange::Classification),
    DataUse(exchange::DataUse),
    Oral(exchange::Oral),
    Language(exchange::LanguageCheck),
    AnprReference(databases::AnprReference),
    AnprUse(databases::AnprUse),
    HitNoHit(databases::HitNoHit),
    Consultation(databases::Consultation),
    RegisterLookup(databases::RegisterLookup),
    OwnerConditions(conditions::OwnerConditions),
    Assistance(operations::Assistance),
    OwnInitiative(operations::OwnInitiative),
    Pursuit(operations::Pursuit),
    Observation(operations::Observation),
    Investigation(operations::Investigation),
    Transport(operations::Transport),
    TrainBoarding(operations::TrainBoarding),
    TrainCompetence(operations::TrainCompetence),
    Transit(operations::Transit),
    UrgentEvidence(operations::UrgentEvidence),
    HostInstruction(operations::HostInstruction),
    OperationEvent(lifecycle::OperationEvent),
    Powers(powers::Powers),
    Weapons(powers::Weapons),
    Force(powers::Force),
    IdentityDisclosure(powers::IdentityDisclosure),
    Liability(powers::Liability),
    SpecialUnitsRequest(powers::SpecialUnitsRequest),
    Deadline(deadlines::Deadline),
    AgreementInForce(application::AgreementInForce),
    Territory(application::Territory),
    ThirdCountryTransfer(transfers::ThirdCountryTransfer),
    DirectExchange(exchange::DirectExchange),
    SportsEventData(sports::SportsEventData),
    HolderLookup(traffic::HolderLookup),
}

impl Action {
    /// Parses `value` (an object with `kind`), naming the field of any error under `path`.
    pub fn parse(value: &Value, path: &str, profile: &Profile) -> Result<Action, FieldError> {
        let f = Fields::new(value, path, profile)?;
        let kind = f.string("kind")?;
        if KINDS.iter().any(|k| k.name == kind) && !profile.provides(kind) {
            return Err(f.error(
                "kind",
                format!(
                    "'{kind}' is not provided by this agreement (profile {}: {}; provides: {})",
                    profile.id,
                    profile.title,
                    profile.kinds.as_deref().unwrap_or_default().join(", ")
                ),
            ));
        }
        Ok(match kind {
            "exchange.request" => Action::Request(exchange::Request::parse(&f)?),
            "exchange.spontaneous" => Action::Spontaneous(exchange::Spontaneous::parse(&f)?),
            "exchange.refusal" => Action::Refusal(exchange::Refusal::parse(&f)?),
            "exchange.source_database" => Action::SourceDatabase(exchange::SourceDatabase::parse(&f)?),
            "exchange.channel" => Action::Channel(exchange::Channel::parse(&f)?),
            "exchange.feedback_request" => Action::FeedbackRequest(exchange::FeedbackRequest::parse(&f)?),
            "data.classification" => Action::Classification(exchange::Classification::parse(&f)?),
            "data.use" => Action::DataUse(exchange::DataUse::parse(&f)?),
            "exchange.oral" => Action::Oral(exchange::Oral::parse(&f)?),
            "exchange.language" => Action::Language(exchange::LanguageCheck::parse(&f)?),
            "anpr.reference" => Action::AnprReference(databases::AnprReference::parse(&f)?),
            "anpr.use" => Action::AnprUse(databases::AnprUse::parse(&f)?),
            "query.hitnohit" => Action::HitNoHit(databases::HitNoHit::parse(&f)?),
            "consult.direct" => Action::Consultation(databases::Consultation::parse(&f)?),
            "consult.register" => Action::RegisterLookup(databases::RegisterLookup::parse(&f)?),
            "consult.owner_conditions" => Action::OwnerConditions(conditions::OwnerConditions::parse(&f)?),
            "operation.assistance" => Action::Assistance(operations::Assistance::parse(&f)?),
            "operation.own_initiative" => Action::OwnInitiative(operations::OwnInitiative::parse(&f)?),
            "operation.pursuit" => Action::Pursuit(operations::Pursuit::parse(&f)?),
            "operation.observation" => Action::Observation(operations::Observation::parse(&f)?),
            "operation.investigation" => Action::Investigation(operations::Investigation::parse(&f)?),
            "operation.transport" => Action::Transport(operations::Transport::parse(&f)?),
            "operation.train_boarding" => Action::TrainBoarding(operations::TrainBoarding::parse(&f)?),
            "operation.train_competence" => Action::TrainCompetence(operations::TrainCompetence::parse(&f)?),
            "operation.transit" => Action::Transit(operations::Transit::parse(&f)?),
            "evidence.urgent_request" => Action::UrgentEvidence(operations::UrgentEvidence::parse(&f)?),
            "operation.host_instruction" => Action::HostInstruction(operations::HostInstruction::parse(&f)?),
            "operation.event" => Action::OperationEvent(lifecycle::OperationEvent::parse(&f)?),
            "powers" => Action::Powers(powers::Powers::parse(&f)?),
            "weapons.carry" => Action::Weapons(powers::Weapons::parse(&f)?),
            "force.use" => Action::Force(powers::Force::parse(&f)?),
            "officer.identity_disclosure" => Action::IdentityDisclosure(powers::IdentityDisclosure::parse(&f)?),
            "liability" => Action::Liability(powers::Liability::parse(&f)?),
            "special_units.request" => Action::SpecialUnitsRequest(powers::SpecialUnitsRequest::parse(&f)?),
            "deadline" => Action::Deadline(deadlines::Deadline::parse(&f)?),
            "agreement.in_force" => Action::AgreementInForce(application::AgreementInForce::parse(&f)?),
            "territory" => Action::Territory(application::Territory::parse(&f)?),
            "transfer.third_country" => Action::ThirdCountryTransfer(transfers::ThirdCountryTransfer::parse(&f)?),
            "exchange.direct" => Action::DirectExchange(exchange::DirectExchange::parse(&f)?),
            "sports.event_data" => Action::SportsEventData(sports::SportsEventData::parse(&f)?),
            "traffic.holder_lookup" => Action::HolderLookup(traffic::HolderLookup::parse(&f)?),
            other => {
                let known: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
                return Err(f.error(
                    "kind",
                    format!("unknown kind '{other}' (known kinds: {})", known.join(", ")),
                ));
            }
        })
    }

    /// The action's kind, as scenarios and the API name it (`exchange.channel`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Request(_) => "exchange.request",
            Action::Spontaneous(_) => "exchange.spontaneous",
            Action::Refusal(_) => "exchange.refusal",
            Action::SourceDatabase(_) => "exchange.source_database",
            Action::Channel(_) => "exchange.channel",
            Action::FeedbackRequest(_) => "exchange.feedback_request",
            Action::Classification(_) => "data.classification",
            Action::DataUse(_) => "data.use",
            Action::Oral(_) => "exchange.oral",
            Action::Language(_) => "exchange.language",
            Action::AnprReference(_) => "anpr.reference",
            Action::AnprUse(_) => "anpr.use",
            Action::HitNoHit(_) => "query.hitnohit",
            Action::Consultation(_) => "consult.direct",
            Action::RegisterLookup(_) => "consult.register",
            Action::OwnerConditions(_) => "consult.owner_conditions",
            Action::Assistance(_) => "operation.assistance",
            Action::OwnInitiative(_) => "operation.own_initiative",
            Action::Pursuit(_) => "operation.pursuit",
            Action::Observation(_) => "operation.observation",
            Action::Investigation(_) => "operation.investigation",
            Action::Transport(_) => "operation.transport",
            Action::TrainBoarding(_) => "operation.train_boarding",
            Action::TrainCompetence(_) => "operation.train_competence",
            Action::Transit(_) => "operation.transit",
            Action::UrgentEvidence(_) => "evidence.urgent_request",
            Action::HostInstruction(_) => "operation.host_instruction",
            Action::OperationEvent(_) => "operation.event",
            Action::Powers(_) => "powers",
            Action::Weapons(_) => "weapons.carry",
            Action::Force(_) => "force.use",
            Action::IdentityDisclosure(_) => "officer.identity_disclosure",
            Action::Liability(_) => "liability",
            Action::SpecialUnitsRequest(_) => "special_units.request",
            Action::Deadline(_) => "deadline",
            Action::AgreementInForce(_) => "agreement.in_force",
            Action::Territory(_) => "territory",
            Action::ThirdCountryTransfer(_) => "transfer.third_country",
            Action::DirectExchange(_) => "exchange.direct",
            Action::SportsEventData(_) => "sports.event_data",
            Action::HolderLookup(_) => "traffic.holder_lookup",
        }
    }

    /// The party whose local time the decision's instants are shown in.
    pub fn local_party<'p>(&self, profile: &'p Profile) -> Option<&'p crate::profile::Party> {
        let code = match self {
            Action::Deadline(d) => &d.party,
            Action::Observation(o) => &o.host,
            Action::Investigation(i) => &i.host,
            Action::Pursuit(p) => &p.host,
            Action::HitNoHit(q) => &q.owner,
            Action::Consultation(c) => &c.owner,
            Action::AnprReference(r) => &r.recipient,
            Action::ThirdCountryTransfer(t) => &t.from,
            Action::DirectExchange(x) => &x.from,
            // The erasure is due in the receiver's time zone.
            Action::SportsEventData(x) => &x.to,
            Action::HolderLookup(x) => &x.requesting,
            _ => return profile.parties.first(),
        };
        profile.party(code)
    }
}

/// The decision on a kind that reads a provision the profile does not have. `Action::parse`
/// does not let such a kind through (`Profile::provides`); this answers an action built in code.
pub(crate) fn without_provision(profile: &Profile, what: &str) -> Decision {
    let mut d = crate::decision::DecisionBuilder::new();
    d.refuse(
        crate::article::art("1"),
        format!("the agreement of profile {} provides no {what}", profile.id),
    );
    d.build()
}

/// Decides an action. Pure: the same profile and action always give the same decision.
pub fn evaluate(profile: &Profile, action: &Action) -> Decision {
    match action {
        Action::Request(r) => exchange::request(r),
        Action::Spontaneous(s) => exchange::spontaneous(s),
        Action::Refusal(r) => exchange::refusal(profile, r),
        Action::SourceDatabase(s) => exchange::source_database(profile, s),
        Action::Channel(c) => exchange::channel(profile, c),
        Action::FeedbackRequest(f) => exchange::feedback_request(f),
        Action::Classification(c) => exchange::classification(profile, c),
        Action::DataUse(u) => exchange::data_use(u),
        Action::Oral(o) => exchange::oral(profile, o),
        Action::Language(l) => exchange::language(profile, l),
        Action::AnprReference(r) => databases::anpr_reference(profile, r),
        Action::AnprUse(u) => databases::anpr_use(u),
        Action::HitNoHit(q) => databases::hit_no_hit(profile, q),
        Action::Consultation(c) => databases::consultation(profile, c),
        Action::RegisterLookup(r) => databases::register_lookup(profile, r),
        Action::OwnerConditions(c) => conditions::owner_conditions(c),
        Action::Assistance(a) => operations::assistance(a),
        Action::OwnInitiative(o) => operations::own_initiative(o),
        Action::Pursuit(p) => operations::pursuit(p),
        Action::Observation(o) => operations::observation(profile, o),
        Action::Investigation(i) => operations::investigation(profile, i),
        Action::Transport(t) => operations::transport(t),
        Action::TrainBoarding(t) => operations::train_boarding(t),
        Action::TrainCompetence(t) => operations::train_competence(t),
        Action::Transit(t) => operations::transit(t),
        Action::UrgentEvidence(u) => operations::urgent_evidence(u),
        Action::HostInstruction(h) => operations::host_instruction(h),
        Action::OperationEvent(e) => lifecycle::operation_event(e),
        Action::Powers(p) => powers::powers(p),
        Action::Weapons(w) => powers::weapons(w),
        Action::Force(f) => powers::force(f),
        Action::IdentityDisclosure(i) => powers::identity_disclosure(i),
        Action::Liability(l) => powers::liability(l),
        Action::SpecialUnitsRequest(s) => powers::special_units_request(s),
        Action::Deadline(d) => deadlines::deadline(profile, d),
        Action::AgreementInForce(a) => application::agreement_in_force(profile, a),
        Action::Territory(t) => application::territory(t),
        Action::ThirdCountryTransfer(t) => transfers::third_country_transfer(t),
        Action::DirectExchange(x) => exchange::direct_exchange(profile, x),
        Action::SportsEventData(x) => sports::sports_event_data(profile, x),
        Action::HolderLookup(x) => traffic::holder_lookup(profile, x),
    }
}
