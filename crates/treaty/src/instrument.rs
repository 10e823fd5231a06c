//! The legal instrument an envelope names (`legal_basis.instrument`), and whether two nodes may
//! exchange a message under it.
//!
//! A network can carry more than one agreement: BE, LU and NL under the Benelux treaty, SI and AL
//! under their bilateral agreement. A node takes part in the agreements its party is party to
//! and the directory lists for it; a message under an agreement reaches only nodes of that
//! agreement. EU acts (Directive 2016/680, 2023/977) bind the member states they are addressed
//! to, whatever agreement they act under; the protocol's own messages (receipts, journal
//! checkpoints) carry no personal data and no legal basis of their own.

use crate::ids::PartyCode;
use crate::profile::Profile;
use crate::rules::transfers::is_eu_member_state;

/// The protocol's own messages (receipts, checkpoints) name this instead of an instrument.
pub const PROTOCOL: &str = "grens";

/// Directive (EU) 2016/680: what member states' authorities send third countries (Chapter V)
/// and the notices of correction (Art. 7(3)) travel under it.
pub const DIRECTIVE_2016_680: &str = "2016/680";

/// What `legal_basis.instrument` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instrument {
    /// A receipt or checkpoint of the protocol itself.
    Protocol,
    /// An act of the European Union by its number (`2016/680`, `2023/977`).
    EuAct(String),
    /// An agreement with a profile (`benelux-2018`, `si-al`).
    Agreement(String),
}

impl Instrument {
    /// Reads an instrument name: the protocol, an EU act's `YYYY/N`, or a built-in profile id.
    pub fn parse(text: &str) -> Result<Instrument, String> {
        if text == PROTOCOL {
            return Ok(Instrument::Protocol);
        }
        if let Some((year, number)) = text.split_once('/') {
            let digits = |s: &str, max: usize| !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit());
            if year.len() == 4 && digits(year, 4) && digits(number, 4) {
                return Ok(Instrument::EuAct(text.to_owned()));
            }
        }
        if Profile::builtin_ids().any(|id| id == text) {
            return Ok(Instrument::Agreement(text.to_owned()));
        }
        Err(format!(
            "unknown instrument '{}': neither an agreement ({}), an EU act (YYYY/N, e.g. 2016/680) nor the protocol ({PROTOCOL})",
            text.chars().take(64).collect::<String>(),
            Profile::builtin_ids().collect::<Vec<_>>().join(", ")
        ))
    }
}

/// A node as the directory describes it: its party and the agreements it takes part in.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub node: &'a str,
    pub party: &'a PartyCode,
    pub agreements: &'a [String],
}

impl Member<'_> {
    fn takes_part_in(&self, agreement: &str) -> bool {
        self.agreements.iter().any(|a| a == agreement)
    }
}

/// Why a message may not name its instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inadmissible {
    /// Neither an agreement, an EU act nor the protocol.
    Unknown(String),
    /// A known instrument one of the two nodes may not use.
    NotParty(String),
}

impl std::fmt::Display for Inadmissible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Inadmissible::Unknown(why) | Inadmissible::NotParty(why) => f.write_str(why),
        }
    }
}

/// Whether `sender` may send `receiver` a message under `instrument`; the refusal says which
/// node is not party to what.
pub fn admissible(instrument: &str, sender: Member<'_>, receiver: Member<'_>) -> Result<Instrument, Inadmissible> {
    let parsed = Instrument::parse(instrument).map_err(Inadmissible::Unknown)?;
    not_party(&parsed, sender, receiver).map_err(Inadmissible::NotParty)?;
    Ok(parsed)
}

fn not_party(parsed: &Instrument, sender: Member<'_>, receiver: Member<'_>) -> Result<(), String> {
    match &parsed {
        Instrument::Protocol => {}
        Instrument::EuAct(act) => {
            // TFEU Art. 288: "A directive shall be binding, as to the result to be achieved, upon
            // each Member State to which it is addressed" — a third country's node cannot act
            // under one.
            if !is_eu_member_state(sender.party.as_str()) {
                return Err(format!(
                    "{} ({}) cannot act under EU act {act}: it binds only the EU member states it is addressed to (TFEU Art. 288); name the agreement instead",
                    sender.node, sender.party
                ));
            }
        }
        Instrument::Agreement(agreement) => {
            for (role, member) in [("sender", sender), ("receiver", receiver)] {
                if !member.takes_part_in(agreement) {
                    return Err(format!(
                        "the {role} {} ({}) is not party to agreement {agreement} (it takes part in {})",
                        member.node,
                        member.party,
                        if member.agreements.is_empty() {
                            "none".to_owned()
                        } else {
                            member.agreements.join(", ")
                        }
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The built-in agreements `party` is a party to, in the order they are built in (the
/// development PKI lists these for a node; a production directory lists them explicitly).
pub fn agreements_of(party: &PartyCode) -> Vec<String> {
    builtin_parties()
        .iter()
        .filter(|(_, parties)| parties.as_ref().is_ok_and(|p| p.contains(party)))
        .map(|(id, _)| (*id).to_owned())
        .collect()
}

/// A built-in agreement's id and its parties (or why its profile does not load).
type AgreementParties = (&'static str, Result<Vec<PartyCode>, String>);

/// The parties of each built-in agreement, read once.
fn builtin_parties() -> &'static [AgreementParties] {
    static PARTIES: std::sync::OnceLock<Vec<AgreementParties>> = std::sync::OnceLock::new();
    PARTIES.get_or_init(|| {
        Profile::builtin_ids()
            .map(|id| {
                let parties = match Profile::builtin(id) {
                    Some(Ok(profile)) => Ok(profile.parties.iter().map(|p| p.code.clone()).collect()),
                    Some(Err(e)) => Err(e.to_string()),
                    None => Err("not built in".to_owned()),
                };
                (id, parties)
            })
            .collect()
    })
}

/// Checks a directory entry's agreements: each a built-in profile with the node's party among
/// its parties, at least one, none twice.
pub fn check_membership(party: &PartyCode, agreements: &[String]) -> Result<(), String> {
    if agreements.is_empty() {
        return Err("takes part in no agreement: list at least one (e.g. benelux-2018)".into());
    }
    for (i, id) in agreements.iter().enumerate() {
        if agreements[..i].contains(id) {
            return Err(format!("agreement {id} is listed twice"));
        }
        let Some((_, parties)) = builtin_parties().iter().find(|(known, _)| known == id) else {
            return Err(format!(
                "unknown agreement '{id}' (known: {})",
                Profile::builtin_ids().collect::<Vec<_>>().join(", ")
            ));
        };
        let parties = parties
            .as_ref()
            .map_err(|e| format!("agreement {id}: its profile does not load: {e}"))?;
        if !parties.contains(party) {
            return Err(format!(
                "{party} is not a party to agreement {id} (its parties: {})",
                parties.iter().map(PartyCode::as_str).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: &str) -> PartyCode {
        PartyCode::parse(c).expect("party")
    }

    fn agreements(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn instruments_are_read_strictly() {
        assert_eq!(Instrument::parse("grens"), Ok(Instrument::Protocol));
        assert_eq!(Instrument::parse("2016/680"), Ok(Instrument::EuAct("2016/680".into())));
        assert_eq!(Instrument::parse("si-al"), Ok(Instrument::Agreement("si-al".into())));
        for bad in ["", "benelux", "16/680", "2016/", "2016/68x", "GRENS", "2016/680/1"] {
            let e = Instrument::parse(bad).expect_err(bad);
            assert!(e.contains("unknown instrument"), "{bad}: {e}");
        }
    }

    #[test]
    fn an_agreement_needs_both_nodes_and_an_eu_act_an_eu_sender() {
        let (be, al, si) = (code("BE"), code("AL"), code("SI"));
        let benelux = agreements(&["benelux-2018"]);
        let si_al = agreements(&["si-al"]);
        let member = |node, party, agreements| Member {
            node,
            party,
            agreements,
        };
        let be_node = member("BE-NCP", &be, &benelux);
        let al_node = member("AL-NCP", &al, &si_al);
        let si_node = member("SI-NCP", &si, &si_al);

        let e = admissible("benelux-2018", be_node, al_node).expect_err("AL is not Benelux");
        assert!(matches!(e, Inadmissible::NotParty(_)), "{e}");
        let e = e.to_string();
        assert!(
            e.contains("receiver AL-NCP (AL) is not party to agreement benelux-2018"),
            "{e}"
        );
        let e = admissible("benelux-2018", al_node, be_node)
            .expect_err("nor as sender")
            .to_string();
        assert!(e.contains("sender AL-NCP (AL) is not party"), "{e}");
        assert!(admissible("si-al", si_node, al_node).is_ok());
        assert!(admissible("si-al", al_node, si_node).is_ok());

        assert!(admissible("2016/680", si_node, al_node).is_ok());
        let e = admissible("2016/680", al_node, si_node)
            .expect_err("AL is not bound by the directive")
            .to_string();
        assert!(matches!(
            admissible("benelux", be_node, be_node),
            Err(Inadmissible::Unknown(_))
        ));
        assert!(e.contains("TFEU Art. 288"), "{e}");
        // The protocol's receipts travel between any two nodes of the directory.
        assert!(admissible("grens", al_node, be_node).is_ok());
    }

    #[test]
    fn each_party_takes_part_in_the_agreements_it_is_party_to() {
        assert_eq!(agreements_of(&code("LU")), ["benelux-2018"]);
        assert_eq!(agreements_of(&code("AL")), ["si-al"]);
        assert!(agreements_of(&code("DE")).is_empty());
    }

    #[test]
    fn membership_is_checked_against_the_profiles_parties() {
        assert!(check_membership(&code("SI"), &agreements(&["si-al"])).is_ok());
        assert!(check_membership(&code("BE"), &agreements(&["benelux-2018"])).is_ok());
        let e = check_membership(&code("AL"), &agreements(&["benelux-2018"])).expect_err("AL");
        assert!(
            e.contains("AL is not a party to agreement benelux-2018 (its parties: BE, LU, NL)"),
            "{e}"
        );
        let e = check_membership(&code("BE"), &agreements(&["benelux-2019"])).expect_err("unknown");
        assert!(e.contains("unknown agreement 'benelux-2019'"), "{e}");
        assert!(check_membership(&code("BE"), &[]).is_err());
        assert!(check_membership(&code("BE"), &agreements(&["benelux-2018", "benelux-2018"])).is_err());
    }
}
