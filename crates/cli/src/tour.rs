//! `grens treaty tour`: a guided tour in which the treaty engine decides each
//! step of the scripted exchange between a Dutch and a Belgian officer.

use std::process::ExitCode;

use anyhow::{Context, Result};
use treaty::{evaluate, Action, Verdict};

use crate::treaty_cmds::ProfileSource;

/// (what happens, the action the engine decides).
const STEPS: &[(&str, &str)] = &[
    (
        "An NL officer in Oost-Brabant asks the BE national contact point about a person and a vehicle (investigation)",
        r#"{"kind":"exchange.request","purpose":"criminal","requested_law_expressly_opposes":false,"subjects":2}"#,
    ),
    (
        "The request goes through the national contact points",
        r#"{"kind":"exchange.channel","from":{"party":"NL","region":"Oost-Brabant"},"to":{"party":"BE","region":"Brussel"},"via":"ncp","within_competence_of_both":true,"subject_in_border_region":false,"urgent_delay_would_jeopardise":false,"prior_consent_of_contact_points":false,"in_cross_border_operation":false}"#,
    ),
    (
        "BE's reply is due (Directive 2023/977, not urgent)",
        r#"{"kind":"deadline","rule":"information_request_reply","party":"BE","start":"2026-11-23T10:00:00+01:00","urgent":false}"#,
    ),
    (
        "BE answers, marked Vertrouwelijk: how NL must protect it",
        r#"{"kind":"data.classification","from":"BE","marking":"Vertrouwelijk (Wet 11.12.1998)","to":"NL"}"#,
    ),
    (
        "BE answers in Dutch",
        r#"{"kind":"exchange.language","provider":"BE","language":"nl"}"#,
    ),
    (
        "NL tries to export the answer as evidence, without consent",
        r#"{"kind":"data.use","use":"evidence","purpose_restriction":true,"consent":null,"at":"2026-11-24T09:00:00+01:00"}"#,
    ),
    (
        "BE consents in writing, with a condition; NL exports again",
        r#"{"kind":"data.use","use":"evidence","purpose_restriction":true,"consent":{"scope":"concrete_case","written":true,"given_at":"2026-11-24T11:00:00+01:00","conditions":["only in case file 2026/0412"]},"at":"2026-11-24T12:00:00+01:00"}"#,
    ),
    (
        "NL tries to forward the answer to a municipality under a general consent",
        r#"{"kind":"data.use","use":"onward_transfer","purpose_restriction":true,"consent":{"scope":"general","written":true,"given_at":"2026-11-24T11:00:00+01:00","conditions":[]},"at":"2026-11-24T12:00:00+01:00"}"#,
    ),
    (
        "A BE unit in Antwerpen and an NL unit in Zeeland-West-Brabant exchange directly on a border incident",
        r#"{"kind":"exchange.channel","from":{"party":"BE","region":"Antwerpen"},"to":{"party":"NL","region":"Zeeland-West-Brabant"},"via":"direct","within_competence_of_both":true,"subject_in_border_region":true,"urgent_delay_would_jeopardise":false,"prior_consent_of_contact_points":false,"in_cross_border_operation":false}"#,
    ),
    (
        "A suspect is detained in BE at 22:00 after a hot pursuit from NL",
        r#"{"kind":"deadline","rule":"detention_release","party":"BE","start":"2026-11-23T22:00:00+01:00","eaw_received":false}"#,
    ),
];

pub fn run(profiles: &ProfileSource) -> Result<ExitCode> {
    let profile = profiles.default_profile()?;
    println!(
        "grens demo — the treaty engine decides a cross-border exchange ({})\n",
        profile.title
    );
    for (i, (what, json)) in STEPS.iter().enumerate() {
        let value: serde_json::Value = serde_json::from_str(json).context("demo step is valid JSON")?;
        let action =
            Action::parse(&value, "action", &profile).map_err(|e| anyhow::anyhow!("demo step {}: {e}", i + 1))?;
        let decision = evaluate(&profile, &action);
        let zone = action
            .local_party(&profile)
            .map(|p| p.time_zone.clone())
            .unwrap_or(jiff::tz::TimeZone::UTC);
        let verdict = match decision.verdict {
            Some(Verdict::Allowed) => "ALLOWED",
            Some(Verdict::Refused) => "REFUSED",
            None => "COMPUTED",
        };
        println!("{}. {what}\n   → {verdict}", i + 1);
        for reason in &decision.reasons {
            println!("     {reason}");
        }
        if let Some(deadline) = decision.deadline {
            println!("     deadline: {}", treaty::clocks::rfc3339_in(deadline, &zone));
        }
        for o in &decision.obligations {
            let o = serde_json::to_value(o)?;
            println!("     obligation: {}", o);
        }
        println!();
    }
    println!(
        "Next: `grens conformance run ../shared/conformance/public`, `grens treaty coverage`, `grens evaluate FILE`."
    );
    Ok(ExitCode::SUCCESS)
}
