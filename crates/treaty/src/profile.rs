//! Treaty profiles: the data of an agreement (parties, annexes, classification table,
//! time limits, implementing agreements), loaded from TOML and validated once.

use std::collections::BTreeMap;

pub use crate::provisions::{DirectExchange, Provisions, SportsEvents, TrafficOffences};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use serde::Deserialize;
use toml::Spanned;

use crate::ids::{DatabaseId, Language, PartyCode};

/// The profiles compiled into the binary, by id.
const BUILTIN: &[(&str, &str)] = &[
    ("benelux-2018", include_str!("../../../profiles/benelux-2018.toml")),
    ("si-al", include_str!("../../../profiles/si-al.toml")),
];

/// A profile that could not be loaded: which file, which line, which key, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: key `{key}`: {problem}")]
pub struct ProfileError {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub problem: String,
}

/// The numbers and switches in which agreements differ. Each field names the
/// provision that sets it; a new agreement is a new profile, not new `if`s.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flags {
    /// Art. 4(4) with Directive 2023/977 Art. 6: the admissible refusal grounds.
    pub refusal_grounds: Vec<String>,
    /// Art. 61: whether the exception clause is a refusal ground.
    pub exception_clause: bool,
    /// Art. 12(2): hours to confirm an oral exchange in writing.
    pub oral_confirmation_hours: i64,
    /// Art. 21(3): hours of detention that count before release.
    pub detention_release_hours: i64,
    /// Art. 21(3): start of the night window that does not count (host local time).
    pub detention_uncounted_from: Time,
    /// Art. 21(3): end of that window.
    pub detention_uncounted_until: Time,
    /// Art. 22(5): hours after the crossing by which urgent observation needs authorisation.
    pub urgent_observation_hours: i64,
    /// Art. 23(2): host parties where host presence may be waived by agreement.
    pub host_presence_waivable_in: Vec<PartyCode>,
    /// Art. 24(1): hours to answer an investigation request.
    pub investigation_reply_hours: i64,
    /// Art. 24(2)–(3): calendar days to execute the acts.
    pub investigation_execution_days: i64,
    /// Directive 2023/977 Art. 5(1)(a).
    pub urgent_direct_reply_hours: i64,
    /// Directive 2023/977 Art. 5(1)(b).
    pub urgent_indirect_reply_days: i64,
    /// Directive 2023/977 Art. 5(1)(c).
    pub other_reply_days: i64,
    /// Art. 65: years after entry into force for the evaluation report.
    pub evaluation_report_years: i64,
    /// Art. 66(5): months after notification for a denunciation to take effect.
    pub denunciation_months: i64,
    /// Directive 2016/680 Art. 5: days after a case closes until its first retention review.
    #[serde(default = "default_first_review_days")]
    pub retention_first_review_days: i64,
    /// Directive 2016/680 Art. 5: days between later reviews of a case kept.
    #[serde(default = "default_review_every_days")]
    pub retention_review_every_days: i64,
}

fn default_first_review_days() -> i64 {
    183
}

fn default_review_every_days() -> i64 {
    91
}

/// A contact point of a party (Art. 6(1)–(3)).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactPoint {
    pub id: String,
    /// `ncp`, `regional_contact_point`, `joint_police_centre`, `liaison_officer`, `interpol_ncb`,
    /// `europol_national_unit`.
    pub kind: String,
    pub name: String,
    /// The region it serves; empty for national.
    pub region: String,
}

/// One party to the agreement.
#[derive(Debug, Clone)]
pub struct Party {
    pub code: PartyCode,
    pub name: String,
    pub time_zone_name: String,
    pub time_zone: TimeZone,
    pub languages: Vec<Language>,
    pub competent_services: Vec<String>,
    pub competent_services_article_25: Vec<String>,
    pub competent_authorities: Vec<String>,
    pub competent_authorities_article_25: Vec<String>,
    pub special_units: Vec<String>,
    pub border_regions: Vec<String>,
    pub border_region_aliases: BTreeMap<String, String>,
    pub border_region_whole_territory: bool,
    pub contact_points: Vec<ContactPoint>,
}

impl Party {
    /// Annex 3: whether `region` lies in this party's border region.
    pub fn in_border_region(&self, region: &str) -> bool {
        self.border_region_whole_territory || self.canonical_region(region).is_some()
    }

    /// The annex 3 name of a region given by its name or an alias (spacing, hyphens
    /// and case ignored), if it is one.
    pub fn canonical_region(&self, region: &str) -> Option<&str> {
        let key = region_key(region);
        self.border_regions
            .iter()
            .find(|r| region_key(r) == key)
            .map(String::as_str)
            .or_else(|| {
                self.border_region_aliases
                    .iter()
                    .find(|(alias, _)| region_key(alias) == key)
                    .map(|(_, canonical)| canonical.as_str())
            })
    }
}

fn region_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A database of annexes 5 and 6.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub id: DatabaseId,
    pub party: PartyCode,
    pub name: String,
    /// Annex 5: data may be provided from it under Art. 4.
    pub annex5: bool,
    /// Annex 6 for Art. 14 (hit/no-hit).
    pub art14: bool,
    /// Annex 6 for Art. 15 (joint police post).
    pub art15: bool,
    /// Annex 6 for Art. 16 (mixed patrols, from a vehicle).
    pub art16: bool,
}

impl Database {
    /// Whether annex 6 lists it for direct access under `article` (14, 15 or 16).
    pub fn in_annex6_for(&self, article: u32) -> bool {
        match article {
            14 => self.art14,
            15 => self.art15,
            16 => self.art16,
            _ => false,
        }
    }
}

/// One level of the classification equivalence table (Art. 8).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationLevel {
    /// `TOP SECRET`, `SECRET`, `CONFIDENTIAL`, `RESTRICTED`.
    pub eu: String,
    /// Per party, its markings for this level; the first is the one produced. Empty
    /// where the party has no marking for the level.
    pub markings: BTreeMap<String, Vec<String>>,
}

/// The equivalence table valid from a date (markings change; older data keeps the
/// table it was classified under).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationTable {
    pub valid_from: Date,
    pub source: String,
    pub levels: Vec<ClassificationLevel>,
}

/// An implementing agreement (Art. 62(2)): which parties, which articles, which
/// databases, in force from and until which days (inclusive, parties' local time).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    pub parties: Vec<PartyCode>,
    pub articles: Vec<String>,
    #[serde(default)]
    pub databases: Vec<DatabaseId>,
    pub in_force_from: Date,
    #[serde(default)]
    pub in_force_until: Option<Date>,
}

impl Agreement {
    /// Whether the agreement binds both parties, covers `article` and is in force on `day`.
    pub fn covers(&self, a: &PartyCode, b: &PartyCode, article: &str, day: Date) -> bool {
        self.parties.contains(a)
            && self.parties.contains(b)
            && self.articles.iter().any(|x| x == article)
            && self.in_force_on(day)
    }

    pub fn in_force_on(&self, day: Date) -> bool {
        day >= self.in_force_from && self.in_force_until.is_none_or(|until| day <= until)
    }
}

/// A validated treaty profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: String,
    pub title: String,
    /// Art. 66(3).
    pub entry_into_force: Date,
    pub flags: Flags,
    pub parties: Vec<Party>,
    pub databases: Vec<Database>,
    pub classification_tables: Vec<ClassificationTable>,
    pub agreements: Vec<Agreement>,
    /// The kinds of action the agreement provides; `None`: every kind the engine decides.
    pub kinds: Option<Vec<String>>,
    /// The provisions of the agreement's own (none for the Benelux treaty).
    pub provisions: Provisions,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    id: String,
    title: String,
    entry_into_force: Date,
    flags: Flags,
    parties: Vec<RawParty>,
    databases: Vec<Spanned<Database>>,
    classification_tables: Vec<ClassificationTable>,
    #[serde(default)]
    agreements: Vec<Agreement>,
    #[serde(default)]
    kinds: Option<Vec<String>>,
    #[serde(default)]
    direct_exchange: Option<DirectExchange>,
    #[serde(default)]
    sports_events: Option<SportsEvents>,
    #[serde(default)]
    traffic_offences: Option<TrafficOffences>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParty {
    code: PartyCode,
    name: String,
    time_zone: Spanned<String>,
    languages: Vec<Spanned<String>>,
    competent_services: Vec<String>,
    competent_services_article_25: Vec<String>,
    competent_authorities: Vec<String>,
    competent_authorities_article_25: Vec<String>,
    special_units: Vec<String>,
    border_regions: Vec<String>,
    border_region_aliases: BTreeMap<String, String>,
    border_region_whole_territory: bool,
    contact_points: Vec<ContactPoint>,
}

impl Profile {
    /// The profile compiled into the binary under `id`.
    pub fn builtin(id: &str) -> Option<Result<Profile, ProfileError>> {
        BUILTIN
            .iter()
            .find(|(name, _)| *name == id)
            .map(|(name, text)| Profile::from_toml(&format!("profiles/{name}.toml"), text))
    }

    /// The ids of the profiles compiled into the binary.
    pub fn builtin_ids() -> impl Iterator<Item = &'static str> {
        BUILTIN.iter().map(|(name, _)| *name)
    }

    /// Parses and validates a profile; `file` only names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Profile, ProfileError> {
        let error = |span: Option<std::ops::Range<usize>>, key: String, problem: String| ProfileError {
            file: file.to_owned(),
            line: span.map_or(0, |s| line_of(text, s.start)),
            key,
            problem,
        };
        let raw: RawProfile = serde_path_to_error::deserialize(toml::Deserializer::new(text)).map_err(|e| {
            // `Spanned` fields show up in serde's path under a private name: hide it.
            let key = e
                .path()
                .to_string()
                .replace("$__serde_spanned_private_value.", "")
                .replace(".$__serde_spanned_private_value", "");
            let inner = e.into_inner();
            error(inner.span(), key, inner.message().to_owned())
        })?;

        let mut parties = Vec::with_capacity(raw.parties.len());
        for (i, p) in raw.parties.into_iter().enumerate() {
            let time_zone = TimeZone::get(p.time_zone.get_ref()).map_err(|e| {
                error(
                    Some(p.time_zone.span()),
                    format!("parties[{i}].time_zone"),
                    format!("unknown time zone: {e}"),
                )
            })?;
            let mut languages = Vec::new();
            for (j, l) in p.languages.iter().enumerate() {
                languages.push(
                    Language::parse(l.get_ref())
                        .map_err(|m| error(Some(l.span()), format!("parties[{i}].languages[{j}]"), m))?,
                );
            }
            if parties.iter().any(|q: &Party| q.code == p.code) {
                return Err(error(
                    None,
                    format!("parties[{i}].code"),
                    format!("party {} is listed twice", p.code),
                ));
            }
            parties.push(Party {
                code: p.code,
                name: p.name,
                time_zone_name: p.time_zone.into_inner(),
                time_zone,
                languages,
                competent_services: p.competent_services,
                competent_services_article_25: p.competent_services_article_25,
                competent_authorities: p.competent_authorities,
                competent_authorities_article_25: p.competent_authorities_article_25,
                special_units: p.special_units,
                border_regions: p.border_regions,
                border_region_aliases: p.border_region_aliases,
                border_region_whole_territory: p.border_region_whole_territory,
                contact_points: p.contact_points,
            });
        }
        let mut databases = Vec::with_capacity(raw.databases.len());
        for (i, d) in raw.databases.into_iter().enumerate() {
            let span = d.span();
            let d = d.into_inner();
            if !parties.iter().any(|p| p.code == d.party) {
                return Err(error(
                    Some(span),
                    format!("databases[{i}].party"),
                    format!("{} is not a party of this profile", d.party),
                ));
            }
            databases.push(d);
        }
        for (i, a) in raw.agreements.iter().enumerate() {
            if let Some(p) = a.parties.iter().find(|p| !parties.iter().any(|q| &q.code == *p)) {
                return Err(error(
                    None,
                    format!("agreements[{i}].parties"),
                    format!("{p} is not a party of this profile"),
                ));
            }
        }
        if raw.classification_tables.is_empty() {
            return Err(error(
                None,
                "classification_tables".into(),
                "at least one table is required (Art. 8)".into(),
            ));
        }
        if let Some(kinds) = &raw.kinds {
            if let Some((i, unknown)) = kinds
                .iter()
                .enumerate()
                .find(|(_, k)| !crate::rules::KINDS.iter().any(|known| known.name == k.as_str()))
            {
                return Err(error(
                    None,
                    format!("kinds[{i}]"),
                    format!("'{unknown}' is not a kind the engine decides"),
                ));
            }
        }
        let provisions = Provisions {
            direct_exchange: raw.direct_exchange,
            sports_events: raw.sports_events,
            traffic_offences: raw.traffic_offences,
        };
        provisions.check().map_err(|(key, problem)| error(None, key, problem))?;
        for (i, kind) in raw.kinds.iter().flatten().enumerate() {
            if let Some((table, false)) = provisions.table_for(kind) {
                return Err(error(
                    None,
                    format!("kinds[{i}]"),
                    format!("'{kind}' reads the agreement's own provision: the profile needs a [{table}] table"),
                ));
            }
        }
        let mut classification_tables = raw.classification_tables;
        classification_tables.sort_by_key(|t| t.valid_from);
        Ok(Profile {
            id: raw.id,
            title: raw.title,
            entry_into_force: raw.entry_into_force,
            flags: raw.flags,
            parties,
            databases,
            classification_tables,
            agreements: raw.agreements,
            kinds: raw.kinds,
            provisions,
        })
    }

    /// Whether the agreement provides actions of `kind`.
    ///
    /// A kind that reads a provision of the profile's own (`exchange.direct`,
    /// `sports.event_data`, `traffic.holder_lookup`) is provided only
    /// where the profile has that provision: the Benelux treaty, which lists no kinds, has none.
    pub fn provides(&self, kind: &str) -> bool {
        let listed = self.kinds.as_ref().is_none_or(|kinds| kinds.iter().any(|k| k == kind));
        let has_provision = self.provisions.table_for(kind).is_none_or(|(_, present)| present);
        listed && has_provision
    }

    pub fn party(&self, code: &PartyCode) -> Option<&Party> {
        self.parties.iter().find(|p| &p.code == code)
    }

    /// The party's time zone; UTC for a code that is not a party (callers parse
    /// parties at the edge, so this does not happen for valid actions).
    pub fn zone(&self, code: &PartyCode) -> TimeZone {
        self.party(code).map_or(TimeZone::UTC, |p| p.time_zone.clone())
    }

    pub fn database(&self, id: &str) -> Option<&Database> {
        self.databases.iter().find(|d| d.id.as_str().eq_ignore_ascii_case(id))
    }

    /// The classification table in force on `day` (the latest not after it).
    pub fn classification_table(&self, day: Option<Date>) -> &ClassificationTable {
        let tables = &self.classification_tables;
        let fallback = &tables[tables.len() - 1];
        match day {
            None => fallback,
            Some(day) => tables.iter().rev().find(|t| t.valid_from <= day).unwrap_or(&tables[0]),
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |s| s.matches('\n').count()) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn benelux() -> Profile {
        Profile::builtin("benelux-2018")
            .expect("builtin profile")
            .expect("valid profile")
    }

    #[test]
    fn the_builtin_profile_loads_with_three_parties_and_annex_6() {
        let p = benelux();
        assert_eq!(p.parties.len(), 3);
        assert_eq!(p.databases.len(), 13);
        let lu = p.party(&PartyCode::parse("LU").expect("code")).expect("LU");
        assert!(lu.in_border_region("Esch-sur-Alzette"));
        let be = p.party(&PartyCode::parse("BE").expect("code")).expect("BE");
        assert!(be.in_border_region("Liège"));
        assert!(!be.in_border_region("Brussel"));
        let nl = p.party(&PartyCode::parse("NL").expect("code")).expect("NL");
        assert_eq!(
            nl.canonical_region("zeeland west-brabant"),
            Some("Zeeland-West-Brabant")
        );
    }

    #[test]
    fn a_malformed_profile_names_file_line_and_key() {
        let text = include_str!("../../../profiles/benelux-2018.toml")
            .replace("time_zone = \"Europe/Luxembourg\"", "time_zone = \"Europe/Atlantis\"");
        let err = Profile::from_toml("bad.toml", &text).expect_err("unknown zone must fail");
        assert_eq!(err.file, "bad.toml");
        assert_eq!(err.key, "parties[1].time_zone");
        assert_eq!(
            text.lines().nth(err.line - 1).map(|l| l.contains("Atlantis")),
            Some(true)
        );

        let text = include_str!("../../../profiles/benelux-2018.toml").replace("art14 = true", "art14 = \"yes\"");
        let err = Profile::from_toml("bad.toml", &text).expect_err("wrong type must fail");
        assert_eq!(err.key, "databases[0].art14");
        assert!(
            text.lines().nth(err.line - 1).is_some_and(|l| l.contains("art14")),
            "{err}"
        );

        let text = include_str!("../../../profiles/benelux-2018.toml").replace("oral_confirmation_hours = 24\n", "");
        let err = Profile::from_toml("bad.toml", &text).expect_err("missing key must fail");
        assert!(err.to_string().contains("oral_confirmation_hours"), "{err}");
    }
}
