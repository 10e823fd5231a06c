//! Directive (EU) 2016/680, Chapter V (Arts. 35–39): transfers of personal data by a competent
//! authority of an EU member state to a third country or an international organisation. The
//! directive binds the sending member state whatever police agreement it acts under, so this
//! kind is the same in every profile: BE passing data to Albania under the Benelux treaty and SI
//! sending to the Albanian police under the Slovenia–Albania agreement pass the same checks.
//!
//! The conditions are checked in the directive's order and the first that fails refuses,
//! citing it: an officer is told the one thing to fix (a missing authorisation is not worth
//! discussing if the purpose is already outside Art. 1(1)).

use crate::article::ArticleRef;
use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind, When};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;

/// The member states of the European Union (ISO 3166-1 alpha-2; Greece as `GR`, as ISO has it).
/// Directive 2016/680 binds them; a transfer between two of them is not a Chapter V transfer.
pub const EU_MEMBER_STATES: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV",
    "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Whether `code` is an EU member state (`EL`, the EU's own code for Greece, counts too).
pub fn is_eu_member_state(code: &str) -> bool {
    code == "EL" || EU_MEMBER_STATES.contains(&code)
}

/// Where the data go: a third country, or Interpol (an international organisation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Country(PartyCode),
    Interpol,
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::Country(c) => write!(f, "{c}"),
            Destination::Interpol => f.write_str("Interpol"),
        }
    }
}

/// `transfer.third_country`: may a member state's competent authority send personal data there?
#[derive(Debug, Clone)]
pub struct ThirdCountryTransfer {
    pub from: PartyCode,
    pub to: Destination,
    /// Art. 35(1)(b): the recipient is a competent authority (else Art. 39).
    pub recipient_competent_authority: bool,
    /// `criminal`, `public_security` or `other`.
    pub purpose: &'static str,
    /// The member state the data came from, if not collected by `from` itself.
    pub received_from: Option<PartyCode>,
    pub authorisation_of_originating_state: bool,
    pub immediate_serious_threat: bool,
    pub authorisation_obtainable_in_time: bool,
    pub adequacy_decision: bool,
    /// `legally_binding_instrument` (37(1)(a)) or `controller_assessment` (37(1)(b)).
    pub safeguards: Option<&'static str>,
    /// One of 38(1)(a)–(e): its name, point and words.
    pub derogation: Option<&'static Derogation>,
    pub rights_override_public_interest: bool,
    pub strictly_necessary: bool,
    pub individual_case: bool,
    pub competent_authority_ineffective: bool,
}

/// A derogation of Art. 38(1): the name scenarios use, its point, and the directive's words.
pub type Derogation = (&'static str, &'static str, &'static str);

const DEROGATIONS: &[Derogation] = &[
    ("vital_interests", "38(1)(a)", "to protect the vital interests of the data subject or another person"),
    (
        "data_subject_interests",
        "38(1)(b)",
        "to safeguard legitimate interests of the data subject, where the law of the Member State transferring the personal data so provides",
    ),
    (
        "public_security_threat",
        "38(1)(c)",
        "for the prevention of an immediate and serious threat to public security of a Member State or a third country",
    ),
    ("individual_case", "38(1)(d)", "in individual cases for the purposes set out in Article 1(1)"),
    (
        "legal_claims",
        "38(1)(e)",
        "in an individual case for the establishment, exercise or defence of legal claims relating to the purposes set out in Article 1(1)",
    ),
];

impl ThirdCountryTransfer {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let from = f.party("from")?;
        if !is_eu_member_state(from.as_str()) {
            return Err(f.error(
                "from",
                format!("{from} is not an EU member state: Chapter V of Directive 2016/680 binds the member states' authorities"),
            ));
        }
        let to = match f.string("to")? {
            "INTERPOL" => Destination::Interpol,
            code => {
                let code = PartyCode::parse(code).map_err(|m| f.error("to", m))?;
                if is_eu_member_state(code.as_str()) {
                    return Err(f.error(
                        "to",
                        format!("{code} is an EU member state: not a transfer to a third country (Directive 2016/680 Art. 35(1))"),
                    ));
                }
                Destination::Country(code)
            }
        };
        let received_from = f
            .nullable_string("received_from")?
            .map(|s| PartyCode::parse(s).map_err(|m| f.error("received_from", m)))
            .transpose()?;
        if let Some(origin) = &received_from {
            if !is_eu_member_state(origin.as_str()) {
                return Err(f.error(
                    "received_from",
                    format!(
                        "{origin} is not an EU member state (Art. 35(1)(c) concerns data from another member state)"
                    ),
                ));
            }
        }
        let optional = |name: &str, allowed: &[&'static str]| -> Result<Option<&'static str>, FieldError> {
            match f.nullable_string(name)? {
                None => Ok(None),
                Some(_) => f.one_of(name, allowed).map(Some),
            }
        };
        Ok(ThirdCountryTransfer {
            from,
            to,
            recipient_competent_authority: f.one_of("recipient", &["competent_authority", "other"])?
                == "competent_authority",
            purpose: f.one_of("purpose", &["criminal", "public_security", "other"])?,
            received_from,
            authorisation_of_originating_state: f.bool("authorisation_of_originating_state")?,
            immediate_serious_threat: f.bool("immediate_serious_threat")?,
            authorisation_obtainable_in_time: f.bool("authorisation_obtainable_in_time")?,
            adequacy_decision: f.bool("adequacy_decision")?,
            safeguards: optional("safeguards", &["legally_binding_instrument", "controller_assessment"])?,
            derogation: optional("derogation", &DEROGATIONS.iter().map(|d| d.0).collect::<Vec<_>>())?
                .and_then(|name| DEROGATIONS.iter().find(|d| d.0 == name)),
            rights_override_public_interest: f.bool("rights_override_public_interest")?,
            strictly_necessary: f.bool("strictly_necessary")?,
            individual_case: f.bool("individual_case")?,
            competent_authority_ineffective: f.bool("competent_authority_ineffective")?,
        })
    }
}

/// Whether personal data sent from `from` to `to` are a Chapter V transfer. Directive 2016/680
/// Art. 35(1): "Member States shall provide for any transfer by competent authorities of
/// personal data … to a third country or to an international organisation … to take place …
/// only where the conditions laid down in this Chapter are met". The directive binds the
/// member states (TFEU Art. 288); what a third country sends is not its transfer.
pub fn chapter_v_applies(from: &PartyCode, to: &PartyCode) -> bool {
    is_eu_member_state(from.as_str()) && !is_eu_member_state(to.as_str())
}

/// Where a member state sends personal data to a third country under an agreement's own
/// provision, the decision also cites Directive 2016/680 Art. 35(1) — a transfer takes place
/// "only where the conditions laid down in this Chapter are met" — so that the message passes
/// `transfer.third_country` before it leaves. `what` names the data.
pub(crate) fn cite_chapter_v(d: &mut DecisionBuilder, from: &PartyCode, to: &PartyCode, what: &str) {
    if chapter_v_applies(from, to) {
        d.cite(
            dir("35(1)"),
            format!("{from} is an EU member state and {to} a third country: {what} must pass Chapter V (transfer.third_country) before it leaves"),
        );
    }
}

/// A provision of Directive 2016/680 (`35(1)(a)` → `2016/680:35(1)(a)`).
///
/// # Panics
/// Only on a malformed literal in this file, which the tests exercise (as `art` does).
fn dir(reference: &'static str) -> ArticleRef {
    match format!("2016/680:{reference}").parse() {
        Ok(r) => r,
        Err(e) => panic!("malformed article literal in rules: {e}"),
    }
}

fn document(article: &'static str) -> Obligation {
    Obligation::new(
        ObligationKind::Document,
        Addressee::SupervisoryAuthority,
        When::OnRequest,
        dir(article),
    )
}

/// Directive 2016/680 Art. 35(1): "Member States shall provide for any transfer by competent
/// authorities of personal data … to a third country or to an international organisation … to
/// take place … only where the conditions laid down in this Chapter are met, namely: (a) … (b)
/// … (c) … (d) …".
pub fn third_country_transfer(t: &ThirdCountryTransfer) -> Decision {
    let mut d = DecisionBuilder::new();
    let to = &t.to;

    // 35(1)(a): "the transfer is necessary for the purposes set out in Article 1(1)".
    if t.purpose == "other" {
        d.refuse(
            dir("35(1)(a)"),
            "the purpose is not one of Art. 1(1) (the prevention, investigation, detection or prosecution of criminal offences, the execution of criminal penalties, or safeguarding against threats to public security)",
        );
        return d.build();
    }

    // 35(1)(b): "the personal data are transferred to a controller … that is an authority
    // competent for the purposes referred to in Article 1(1)".
    if t.recipient_competent_authority {
        d.cite(
            dir("35(1)(b)"),
            format!("the recipient in {to} is an authority competent for the purposes of Art. 1(1)"),
        );
    } else if !recipient_other_than_authority(&mut d, t) {
        return d.build();
    }

    // 35(1)(c): "where personal data are transmitted or made available from another Member
    // State, that Member State has given its prior authorisation to the transfer".
    if let Some(origin) = &t.received_from {
        if t.authorisation_of_originating_state {
            d.cite(
                dir("35(1)(c)"),
                format!("{origin}, from which the data came, has authorised the transfer beforehand"),
            );
        } else if t.immediate_serious_threat && !t.authorisation_obtainable_in_time {
            // 35(2): "… only if the transfer … is necessary for the prevention of an immediate
            // and serious threat to public security … and the prior authorisation cannot be
            // obtained in good time. The authority responsible for giving prior authorisation
            // shall be informed without delay."
            d.cite(
                dir("35(2)"),
                format!("without {origin}'s prior authorisation: an immediate and serious threat to public security, and the authorisation cannot be obtained in good time; {origin} must be informed without delay"),
            );
            d.oblige(Obligation::new(
                ObligationKind::Notify,
                Addressee::OriginatingState,
                When::Immediately,
                dir("35(2)"),
            ));
        } else {
            d.refuse(
                dir("35(1)(c)"),
                format!("the data came from {origin}, which has not authorised the transfer (ask it through grens first; without it only under Art. 35(2): an immediate and serious threat, and no time to obtain it)"),
            );
            return d.build();
        }
    }

    // 35(1)(d): an adequacy decision; in its absence appropriate safeguards; in the absence of
    // both, a derogation for a specific situation.
    if t.adequacy_decision {
        d.cite(
            dir("36(1)"),
            format!("the Commission has decided that {to} ensures an adequate level of protection"),
        );
    } else if let Some(safeguards) = t.safeguards {
        if safeguards == "legally_binding_instrument" {
            // 37(1)(a): "appropriate safeguards … have been provided for in a legally binding instrument".
            d.cite(dir("37(1)(a)"), "appropriate safeguards are provided for in a legally binding instrument (the agreement the transfer is made under)");
        } else {
            // 37(1)(b), with 37(3): "such a transfer shall be documented and the documentation
            // shall be made available to the supervisory authority on request, including the date
            // and time of the transfer, information about the receiving competent authority, the
            // justification for the transfer and the personal data transferred."
            d.cite(
                dir("37(1)(b)"),
                "the controller has assessed all the circumstances and concludes that appropriate safeguards exist",
            );
            d.cite(dir("37(3)"), "document the transfer (date and time, receiving authority, justification, data transferred) for the supervisory authority");
            d.oblige(document("37(3)"));
        }
    } else if let Some(&(derogation, point, text)) = t.derogation {
        // 38(2): "Personal data shall not be transferred if the transferring competent authority
        // determines that fundamental rights and freedoms of the data subject concerned override
        // the public interest in the transfer set out in points (d) and (e) of paragraph 1."
        if matches!(derogation, "individual_case" | "legal_claims") && t.rights_override_public_interest {
            d.refuse(
                dir("38(2)"),
                "the data subject's fundamental rights and freedoms override the public interest in the transfer",
            );
            d.also_cite(dir("35(1)(d)"));
            return d.build();
        }
        d.cite(
            dir(point),
            format!("no adequacy decision and no safeguards; the transfer is necessary {text}"),
        );
        // 38(3): "Where a transfer is based on paragraph 1, such a transfer shall be documented …".
        d.cite(dir("38(3)"), "document the transfer (date and time, receiving authority, justification, data transferred) for the supervisory authority");
        d.oblige(document("38(3)"));
    } else {
        d.refuse(
            dir("35(1)(d)"),
            format!("no adequacy decision for {to}, no appropriate safeguards (Art. 37) and no derogation (Art. 38): the transfer may not take place"),
        );
        return d.build();
    }

    d.also_cite(dir("35(1)"));
    d.build()
}

/// Art. 39(1): "By way of derogation from point (b) of Article 35(1) … the competent authorities
/// … may, in individual and specific cases, … transfer personal data directly to recipients
/// established in third countries only if … (a) the transfer is strictly necessary …; (b) … no
/// fundamental rights and freedoms of the data subject concerned override the public interest …;
/// (c) … the transfer to an authority that is competent … is ineffective or inappropriate, in
/// particular because the transfer cannot be achieved in good time". Returns whether it holds.
fn recipient_other_than_authority(d: &mut DecisionBuilder, t: &ThirdCountryTransfer) -> bool {
    let failed = if !t.individual_case {
        Some((
            "39(1)",
            "a recipient other than a competent authority only in an individual and specific case",
        ))
    } else if !t.strictly_necessary {
        Some((
            "39(1)(a)",
            "the transfer is not strictly necessary for a task of the transferring authority",
        ))
    } else if t.rights_override_public_interest {
        Some((
            "39(1)(b)",
            "the data subject's fundamental rights and freedoms override the public interest in the transfer",
        ))
    } else if !t.competent_authority_ineffective {
        Some(("39(1)(c)", "a transfer to the competent authority of the third country would be effective and in time: send it there (Art. 35(1)(b))"))
    } else {
        None
    };
    if let Some((point, reason)) = failed {
        d.refuse(
            dir("35(1)(b)"),
            "the recipient is not an authority competent for the purposes of Art. 1(1)",
        );
        d.refuse(dir(point), reason);
        return false;
    }
    d.cite(
        dir("39(1)"),
        "an individual case: strictly necessary, no overriding rights of the data subject, and the competent authority could not be reached effectively or in time",
    );
    // 39(3): "The transferring competent authority shall inform the supervisory authority about
    // transfers under this Article." 39(4): "Where a transfer is based on paragraph 1, such a
    // transfer shall be documented."
    d.cite(dir("39(3)"), "inform the supervisory authority of the transfer");
    d.oblige(Obligation::new(
        ObligationKind::Notify,
        Addressee::SupervisoryAuthority,
        When::Asap,
        dir("39(3)"),
    ));
    d.cite(dir("39(4)"), "document the transfer");
    d.oblige(document("39(4)"));
    true
}
