//! What every rule returns: a verdict, the articles it applied, reasons a person can
//! read, obligations that follow, and any statutory deadline.

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::article::ArticleRef;
use crate::ids::PartyCode;

/// Whether the treaty allows the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The treaty allows it (possibly with obligations).
    Allowed,
    /// The treaty does not allow it; the reasons say why.
    Refused,
}

/// What must be done as a consequence of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationKind {
    Notify,
    ConfirmInWriting,
    SubmitRequest,
    Report,
    Stop,
    ReturnHits,
    FollowInstructions,
    ComplyConditions,
    Release,
    ExecuteItself,
    GiveReasons,
    /// Keep a record of a transfer for the supervisory authority (Directive 2016/680 Arts.
    /// 37(3), 38(3), 39(4)).
    Document,
    /// Erase the personal data received, by the `due` instant (e.g. a sports event's supporter
    /// data some days after the event).
    Erase,
}

/// To whom an obligation is owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Addressee {
    Host,
    OwnContactPoint,
    Provider,
    Recipient,
    RequestingParty,
    HostAuthority,
    /// The data-protection supervisory authority of the sending member state.
    SupervisoryAuthority,
    /// The member state the data came from (Directive 2016/680 Art. 35(2)).
    OriginatingState,
}

/// When an obligation falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    Immediately,
    AtCrossing,
    BeforeCrossing,
    Asap,
    /// With a `due` instant.
    ByDeadline,
    AfterOperation,
    OnHostRequest,
    /// When the addressee asks (a record kept available).
    OnRequest,
}

/// One obligation that follows from a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Obligation {
    pub kind: ObligationKind,
    pub to: Option<Addressee>,
    pub when: Option<When>,
    /// The instant by which it must be done, for `by_deadline`.
    #[serde(with = "opt_instant")]
    pub due: Option<Timestamp>,
    /// The provision that creates the obligation.
    pub article: ArticleRef,
    /// For `comply_conditions`: the consent's conditions (Art. 11(3)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
}

impl Obligation {
    pub fn new(kind: ObligationKind, to: Addressee, when: When, article: ArticleRef) -> Self {
        Obligation {
            kind,
            to: Some(to),
            when: Some(when),
            due: None,
            article,
            conditions: Vec::new(),
        }
    }

    pub fn by_deadline(kind: ObligationKind, to: Addressee, due: Timestamp, article: ArticleRef) -> Self {
        Obligation {
            due: Some(due),
            ..Obligation::new(kind, to, When::ByDeadline, article)
        }
    }
}

/// The treaty engine's answer for one action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// `None` for actions that only compute (a deadline, a set of powers).
    pub verdict: Option<Verdict>,
    /// Every provision the decision applied, most specific form.
    pub articles: Vec<ArticleRef>,
    /// Human-readable reasons, each naming its article.
    pub reasons: Vec<String>,
    pub obligations: Vec<Obligation>,
    /// The statutory deadline the action starts, if any.
    #[serde(with = "opt_instant")]
    pub deadline: Option<Timestamp>,
    /// Kind-specific results (direct_ground, eu_level, marking, powers, …).
    #[serde(flatten)]
    pub details: Details,
}

/// Results that only some kinds of action produce.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Details {
    /// Art. 6(4): the first ground (a–d) that allows direct exchange.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct_ground: Option<char>,
    /// Art. 8: the EU classification level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eu_level: Option<String>,
    /// Art. 8: the recipient's national marking; `Some(None)` when it has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marking: Option<Option<String>>,
    /// Art. 14(2): what the answer may contain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_scope: Option<String>,
    /// Art. 15(4): the controller after consultation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller: Option<PartyCode>,
    /// Art. 26(3): the competent party.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub competent: Option<PartyCode>,
    /// Arts. 36–38: the powers of the sending officers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub powers: Option<BTreeSet<String>>,
    /// Art. 24(1): the answer deadline of an investigation request.
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_instant", default)]
    pub reply_deadline: Option<Timestamp>,
    /// Art. 24(2)–(3): the execution deadline.
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_instant", default)]
    pub execution_deadline: Option<Timestamp>,
    /// Art. 48 / 60: the party liable for damage, and under whose law.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liable: Option<PartyCode>,
}

impl Decision {
    /// Whether the decision cites `reference` (directly or through a more specific point).
    pub fn cites(&self, reference: &ArticleRef) -> bool {
        self.articles.iter().any(|a| a.covers(reference))
    }

    /// Deadlines are printed in this zone (the party whose local time applies).
    pub fn to_json(&self, zone: &jiff::tz::TimeZone) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        localise_instants(&mut value, zone);
        value
    }
}

/// Rewrites every RFC 3339 UTC instant in `value` to the same instant with `zone`'s offset,
/// so a Belgian deadline reads `2026-03-11T13:00:00+01:00`, not `…12:00:00Z`.
fn localise_instants(value: &mut serde_json::Value, zone: &jiff::tz::TimeZone) {
    match value {
        serde_json::Value::String(s) if s.ends_with('Z') => {
            if let Ok(ts) = s.parse::<Timestamp>() {
                *s = crate::clocks::rfc3339_in(ts, zone);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| localise_instants(v, zone)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| localise_instants(v, zone)),
        _ => {}
    }
}

mod opt_instant {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(ts) => s.collect_str(ts),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        s.map(|s| s.parse().map_err(serde::de::Error::custom)).transpose()
    }
}

/// Accumulates a decision as a rule walks through the treaty's conditions.
///
/// Rules record every condition they check: a failed condition refuses, and the
/// refusal cites every failed provision, so an officer sees all that is wrong at once.
#[derive(Debug, Default)]
pub struct DecisionBuilder {
    refused: bool,
    articles: Vec<ArticleRef>,
    reasons: Vec<String>,
    obligations: Vec<Obligation>,
    deadline: Option<Timestamp>,
    details: Details,
    computes_only: bool,
}

impl DecisionBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A decision with no verdict: the action only computes something.
    pub fn computation() -> Self {
        DecisionBuilder {
            computes_only: true,
            ..Self::default()
        }
    }

    /// Cites a provision with the reason it applies.
    pub fn cite(&mut self, article: ArticleRef, reason: impl Into<String>) -> &mut Self {
        if !self.articles.contains(&article) {
            self.articles.push(article.clone());
        }
        self.reasons.push(format!("Art. {article}: {}", reason.into()));
        self
    }

    /// Cites a further provision behind a reason already given (annex 6 behind Art. 14(1)).
    pub fn also_cite(&mut self, article: ArticleRef) -> &mut Self {
        if !self.articles.contains(&article) {
            self.articles.push(article);
        }
        self
    }

    /// Cites a provision that the action fails: the decision becomes a refusal.
    pub fn refuse(&mut self, article: ArticleRef, reason: impl Into<String>) -> &mut Self {
        self.refused = true;
        self.cite(article, reason)
    }

    /// Checks one condition: cites `article` either way, refuses when it does not hold.
    pub fn require(
        &mut self,
        holds: bool,
        article: ArticleRef,
        ok: impl Into<String>,
        failed: impl Into<String>,
    ) -> bool {
        if holds {
            self.cite(article, ok);
        } else {
            self.refuse(article, failed);
        }
        holds
    }

    pub fn oblige(&mut self, obligation: Obligation) -> &mut Self {
        self.obligations.push(obligation);
        self
    }

    pub fn deadline(&mut self, deadline: Option<Timestamp>) -> &mut Self {
        self.deadline = deadline;
        self
    }

    pub fn details(&mut self) -> &mut Details {
        &mut self.details
    }

    pub fn is_refused(&self) -> bool {
        self.refused
    }

    pub fn build(self) -> Decision {
        let verdict = match (self.computes_only, self.refused) {
            (true, false) => None,
            (_, true) => Some(Verdict::Refused),
            (false, false) => Some(Verdict::Allowed),
        };
        Decision {
            verdict,
            articles: self.articles,
            reasons: self.reasons,
            obligations: self.obligations,
            deadline: self.deadline,
            details: self.details,
        }
    }
}
