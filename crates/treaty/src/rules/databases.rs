//! Title 2, Arts. 13–17: ANPR reference data, hit/no-hit queries, direct consultation
//! at joint police posts and on mixed patrols, and public registers — each only under an
//! implementing agreement in force (Art. 62(2)).

use jiff::Timestamp;

use crate::article::{art, ArticleRef};
use crate::decision::{Addressee, Decision, DecisionBuilder, Obligation, ObligationKind, When};
use crate::fields::{FieldError, Fields};
use crate::ids::PartyCode;
use crate::profile::{Agreement, Profile};

/// The agreements of the action's world: the profile's registry plus the action's own.
fn agreements_in_force<'a>(
    profile: &'a Profile,
    extra: &'a [Agreement],
    a: &PartyCode,
    b: &PartyCode,
    article: &str,
    at: Timestamp,
) -> Vec<&'a Agreement> {
    // "Dates are whole days, inclusive, in the parties' local time": the day of `at` in the
    // zone of the party whose database or service is used.
    let day = at.to_zoned(profile.zone(b)).date();
    profile
        .agreements
        .iter()
        .chain(extra)
        .filter(|ag| ag.covers(a, b, article, day))
        .collect()
}

/// Checks the implementing agreement an article requires; cites `article_ref` either way.
#[allow(clippy::too_many_arguments)]
fn require_agreement(
    d: &mut DecisionBuilder,
    profile: &Profile,
    extra: &[Agreement],
    a: &PartyCode,
    b: &PartyCode,
    article: &str,
    database: Option<&str>,
    at: Timestamp,
    article_ref: ArticleRef,
) {
    let in_force = agreements_in_force(profile, extra, a, b, article, at);
    let covering = in_force
        .iter()
        .any(|ag| database.is_none_or(|db| ag.databases.iter().any(|x| x.as_str().eq_ignore_ascii_case(db))));
    let any_between = profile
        .agreements
        .iter()
        .chain(extra)
        .filter(|ag| ag.parties.contains(a) && ag.parties.contains(b) && ag.articles.iter().any(|x| x == article));
    let failure = if covering {
        String::new()
    } else if !in_force.is_empty() {
        format!(
            "the implementing agreement between {a} and {b} for Art. {article} in force does not name {}",
            database.unwrap_or("this use")
        )
    } else if let Some(ag) = any_between.clone().next() {
        match ag.in_force_until {
            Some(until) if ag.in_force_from <= until && at.to_zoned(profile.zone(b)).date() > until => format!(
                "the implementing agreement between {a} and {b} for Art. {article} expired on {until}"
            ),
            _ => format!(
                "the implementing agreement between {a} and {b} for Art. {article} is not in force on that day (in force from {})",
                ag.in_force_from
            ),
        }
    } else {
        format!("there is no implementing agreement between {a} and {b} for Art. {article}")
    };
    d.require(
        covering,
        article_ref,
        format!(
            "an implementing agreement between {a} and {b} for Art. {article} is in force{}",
            database.map(|db| format!(" and names {db}")).unwrap_or_default()
        ),
        failure,
    );
    // Art. 62(2): implementing agreements "zullen van toepassing zijn vanaf de datum bepaald in de
    // uitvoeringsovereenkomst".
    d.also_cite(art("62(2)"));
}

// ---------------------------------------------------------------- Art. 13: ANPR

/// `anpr.reference`: providing ANPR reference data (a hotlist entry).
#[derive(Debug, Clone)]
pub struct AnprReference {
    pub provider: PartyCode,
    pub recipient: PartyCode,
    pub follow_up_action: Option<String>,
    pub international_alert: Option<String>,
    pub recipient_legal_basis_without_alert: bool,
    pub at: Timestamp,
    pub agreements: Vec<Agreement>,
}

impl AnprReference {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let text = |name| -> Result<Option<String>, FieldError> {
            Ok(f.nullable_string(name)?
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned))
        };
        Ok(AnprReference {
            provider: f.party("provider")?,
            recipient: f.party("recipient")?,
            follow_up_action: text("follow_up_action")?,
            international_alert: text("international_alert")?,
            recipient_legal_basis_without_alert: f.bool("recipient_legal_basis_without_alert")?,
            at: f.instant("at")?,
            agreements: f.agreements("agreements")?,
        })
    }
}

pub fn anpr_reference(profile: &Profile, r: &AnprReference) -> Decision {
    let mut d = DecisionBuilder::new();
    if r.provider == r.recipient {
        d.refuse(
            art("13(1)"),
            "reference data go to a competent service of another party",
        );
        return d.build();
    }
    d.cite(
        art("13(1)"),
        format!("{} provides ANPR reference data to {}", r.provider, r.recipient),
    );
    // Art. 13(2): "De verstrekkende bevoegde dienst vermeldt bij de verstrekking van
    // referentiegegevens … de opvolgingshandeling die gevraagd wordt van de ontvangende
    // Verdragsluitende Partij."
    d.require(
        r.follow_up_action.is_some(),
        art("13(2)"),
        format!(
            "the follow-up action is stated: {}",
            r.follow_up_action.as_deref().unwrap_or_default()
        ),
        "the provider must state the follow-up action it asks of the recipient",
    );
    // "… slechts indien deze betrekking hebben op personen of voorwerpen die het voorwerp uitmaken
    // van een internationale signalering of indien de ontvangende Verdragsluitende Partij een
    // wettelijke basis heeft om de gevraagde opvolgingshandeling ook zonder internationale
    // signalering uit te voeren."
    let basis = match (&r.international_alert, r.recipient_legal_basis_without_alert) {
        (Some(alert), _) => Ok(format!(
            "the person or object is subject of an international alert ({alert})"
        )),
        (None, true) => Ok(format!(
            "{} has a legal basis to perform the follow-up action without an international alert",
            r.recipient
        )),
        (None, false) => {
            Err("reference data need an international alert, or a legal basis of the recipient to act without one")
        }
    };
    match basis {
        Ok(why) => d.cite(art("13(2)"), why),
        Err(why) => d.refuse(art("13(2)"), why),
    };
    // Art. 13(6): the conditions and procedure are laid down in an implementing agreement.
    require_agreement(
        &mut d,
        profile,
        &r.agreements,
        &r.provider,
        &r.recipient,
        "13",
        None,
        r.at,
        art("13(6)"),
    );
    if !d.is_refused() {
        // Art. 13(5): Art. 6(1) applies — reference data go through the national contact points.
        d.cite(
            art("13(5)"),
            "reference data are exchanged through the national contact points (Art. 6(1))",
        );
        // Art. 13(3): "… gebruikt deze enkel voor een geautomatiseerde vergelijking … en verstrekt
        // de positieve resultaten van deze vergelijking (hits) aan de bevoegde dienst die de
        // referentiegegevens heeft verstrekt."
        d.cite(
            art("13(3)"),
            "the recipient uses them only for automated comparison and returns the hits to the provider",
        );
        d.oblige(Obligation::new(
            ObligationKind::ReturnHits,
            Addressee::Provider,
            When::Asap,
            art("13(3)"),
        ));
    }
    d.build()
}

/// `anpr.use`: what the recipient does with reference data.
#[derive(Debug, Clone)]
pub struct AnprUse {
    pub automated_comparison: bool,
}

impl AnprUse {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(AnprUse {
            automated_comparison: f.one_of("use", &["automated_comparison", "other"])? == "automated_comparison",
        })
    }
}

/// Art. 13(3): "… gebruikt deze enkel voor een geautomatiseerde vergelijking …"
pub fn anpr_use(u: &AnprUse) -> Decision {
    let mut d = DecisionBuilder::new();
    d.require(
        u.automated_comparison,
        art("13(3)"),
        "reference data are used for automated comparison with plate reads",
        "reference data may be used only for automated comparison with plate reads",
    );
    d.build()
}

// ---------------------------------------------------------------- Art. 14: hit/no-hit

/// `query.hitnohit`.
#[derive(Debug, Clone)]
pub struct HitNoHit {
    pub requesting: PartyCode,
    pub owner: PartyCode,
    pub database: String,
    pub individual_case: bool,
    pub at: Timestamp,
    pub agreements: Vec<Agreement>,
}

impl HitNoHit {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(HitNoHit {
            requesting: f.party("requesting")?,
            owner: f.party("owner")?,
            database: f.string("database")?.to_owned(),
            individual_case: f.bool("individual_case")?,
            at: f.instant("at")?,
            agreements: f.agreements("agreements")?,
        })
    }
}

/// Annex 6 (Art. 5(2)): is `database` a database of `owner` listed for `article`?
fn require_annex6(
    d: &mut DecisionBuilder,
    profile: &Profile,
    owner: &PartyCode,
    database: &str,
    article: u32,
    main: ArticleRef,
) {
    let db = profile.database(database);
    let (ok, why) = match db {
        None => (false, format!("{database} is not a database of annexes 5–6")),
        Some(db) if &db.party != owner => (
            false,
            format!("{database} is a database of {}, not of {owner}", db.party),
        ),
        Some(db) if !db.in_annex6_for(article) => (
            false,
            format!(
                "annex 6 does not list {} ({}) of {owner} for Art. {article}",
                db.id, db.name
            ),
        ),
        Some(db) => (
            true,
            format!("annex 6 lists {} ({}) of {owner} for Art. {article}", db.id, db.name),
        ),
    };
    d.require(ok, main, why.clone(), why);
    d.also_cite(art("annex6")).also_cite(art("5(2)"));
}

pub fn hit_no_hit(profile: &Profile, q: &HitNoHit) -> Decision {
    let mut d = DecisionBuilder::new();
    // Art. 14(1): "… elkaars bevoegde diensten de mogelijkheid bieden tot rechtstreekse
    // geautomatiseerde bevraging van politiedatabanken bedoeld in artikel 5, tweede lid …"
    if q.requesting == q.owner {
        d.refuse(art("14(1)"), "a hit/no-hit query is of another party's database");
    }
    require_annex6(&mut d, profile, &q.owner, &q.database, 14, art("14(1)"));
    // Art. 14(3): "De bevraging mag uitsluitend in individuele gevallen … worden uitgevoerd."
    d.require(
        q.individual_case,
        art("14(3)"),
        "the query concerns an individual case",
        "hit/no-hit queries are allowed only in individual cases, not in bulk",
    );
    // Art. 14(5): "De bevoegde diensten kunnen de in dit artikel bedoelde bevraging pas uitvoeren
    // na sluiting en inwerkingtreding van de uitvoeringsovereenkomst."
    require_agreement(
        &mut d,
        profile,
        &q.agreements,
        &q.requesting,
        &q.owner,
        "14",
        Some(&q.database),
        q.at,
        art("14(5)"),
    );
    if !d.is_refused() {
        // Art. 14(2): "De bevraging … is beperkt tot de enkele vaststelling of … gegevens in die
        // databanken zijn opgenomen."
        d.cite(
            art("14(2)"),
            "the answer is only whether the database holds data on the person or object",
        );
        // Art. 14(4): the content of a hit is obtained by an Art. 4 request.
        d.cite(art("14(4)"), "a hit's content is obtained by a request under Art. 4");
        d.details().response_scope = Some("hit_no_hit".into());
    }
    d.build()
}

// ---------------------------------------------------------------- Arts. 15–16: consultation

/// A named authorisation (Arts. 15(2)–(3), 16(2)–(3)).
#[derive(Debug, Clone)]
pub struct Authorisation {
    pub granted_by: PartyCode,
    pub named: bool,
    pub valid_from: Timestamp,
    pub valid_until: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// `consult.direct`.
#[derive(Debug, Clone)]
pub struct Consultation {
    /// 15 or 16.
    pub article: u32,
    pub officer_party: PartyCode,
    pub owner: PartyCode,
    pub database: String,
    pub authorisation: Option<Authorisation>,
    pub at: Timestamp,
    pub agreements: Vec<Agreement>,
    /// Art. 15: the officer works at a joint police post.
    pub at_joint_police_post: bool,
    /// Art. 16: the mixed patrol or joint check is under way.
    pub patrol_active: bool,
    /// Art. 16: the consultation is made from a vehicle of the patrol.
    pub from_vehicle: bool,
}

impl Consultation {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        let article: u32 = match f.one_of("article", &["15", "16"])? {
            "15" => 15,
            _ => 16,
        };
        let authorisation = match f.raw("authorisation") {
            None => return Err(f.error("authorisation", "missing (write null when there is none)")),
            Some(serde_json::Value::Null) => None,
            Some(_) => {
                let path = f.path_of("authorisation");
                let a = f.object("authorisation", &path)?;
                Some(Authorisation {
                    granted_by: a.party("granted_by")?,
                    named: a.bool("named")?,
                    valid_from: a.instant("valid_from")?,
                    valid_until: a.nullable_instant("valid_until")?,
                    revoked_at: a.nullable_instant("revoked_at")?,
                })
            }
        };
        let (at_joint_police_post, patrol_active, from_vehicle) = if article == 15 {
            (f.bool("at_joint_police_post")?, false, false)
        } else {
            (false, f.bool("patrol_active")?, f.bool("from_vehicle")?)
        };
        Ok(Consultation {
            article,
            officer_party: f.party("officer_party")?,
            owner: f.party("owner")?,
            database: f.string("database")?.to_owned(),
            authorisation,
            at: f.instant("at")?,
            agreements: f.agreements("agreements")?,
            at_joint_police_post,
            patrol_active,
            from_vehicle,
        })
    }
}

pub fn consultation(profile: &Profile, c: &Consultation) -> Decision {
    let mut d = DecisionBuilder::new();
    let (p1, p2, p3, p5) = if c.article == 15 {
        (art("15(1)"), art("15(2)"), art("15(3)"), art("15(5)"))
    } else {
        (art("16(1)"), art("16(2)"), art("16(3)"), art("16(5)"))
    };
    if c.officer_party == c.owner {
        d.refuse(p1.clone(), "direct consultation is of another party's databases");
    }
    require_annex6(&mut d, profile, &c.owner, &c.database, c.article, p1.clone());
    if c.article == 15 {
        // Art. 15(1): "De Verdragsluitende Partijen die deelnemen aan een gemeenschappelijke
        // politiepost kunnen elkaars ambtenaren die werkzaam zijn in deze post rechtstreeks toegang
        // geven tot hun politiedatabanken …"
        d.require(
            c.at_joint_police_post,
            p1.clone(),
            "the officer works at a joint police post",
            "Art. 15 access is only for officers working at a joint police post",
        );
    } else {
        // Art. 16(1): "… kunnen tijdens deze patrouille of controle elkaars databanken raadplegen,
        // indien … opgenomen in bijlage 6 … en indien deze kunnen worden geraadpleegd in een
        // voertuig dat ingezet wordt tijdens deze patrouille of controle."
        d.require(
            c.patrol_active,
            p1.clone(),
            "the mixed patrol or joint check is under way",
            "Art. 16 consultation is only during an active mixed patrol or joint check (Art. 20)",
        );
        d.require(
            c.from_vehicle,
            p1.clone(),
            "the database is consulted from a vehicle of the patrol",
            "Art. 16 consultation is of databases consultable from a vehicle used in the patrol",
        );
    }
    // Arts. 15(2)/16(2): "… door een op naam verleende autorisatie vanwege de bevoegde dienst die
    // de databanken beheert aan de ambtenaren voorgedragen door de bevoegde dienst die de
    // databanken wil raadplegen …"; 15(3)/16(3): "De autorisatie kan op elk moment worden ingetrokken."
    match &c.authorisation {
        None => {
            d.refuse(
                p2.clone(),
                format!("no named authorisation from {} for this officer", c.owner),
            );
        }
        Some(a) => {
            d.require(
                a.named && a.granted_by == c.owner,
                p2.clone(),
                format!(
                    "named authorisation granted by {}, the party that manages the database",
                    c.owner
                ),
                if a.named {
                    format!(
                        "the authorisation was granted by {}, not by {} which manages the database",
                        a.granted_by, c.owner
                    )
                } else {
                    "the authorisation is not granted by name to the officer".to_owned()
                },
            );
            let started = a.valid_from <= c.at;
            let not_expired = a.valid_until.is_none_or(|u| c.at <= u);
            let not_revoked = a.revoked_at.is_none_or(|r| c.at < r);
            d.require(
                started && not_expired && not_revoked,
                p3,
                "the authorisation is valid and not revoked at the moment of consultation",
                if !not_revoked {
                    "the authorisation was revoked before this consultation"
                } else if !started {
                    "the authorisation is not yet valid"
                } else {
                    "the authorisation has expired"
                },
            );
        }
    }
    require_agreement(
        &mut d,
        profile,
        &c.agreements,
        &c.officer_party,
        &c.owner,
        &c.article.to_string(),
        Some(&c.database),
        c.at,
        p5,
    );
    if !d.is_refused() {
        if c.article == 15 {
            // Art. 15(4): "Na raadpleging van de gegevens treedt de Verdragsluitende Partij die de
            // databanken heeft geraadpleegd op als verwerkingsverantwoordelijke …"
            d.cite(
                art("15(4)"),
                format!(
                    "after consultation {} is the controller of the data consulted",
                    c.officer_party
                ),
            );
            d.details().controller = Some(c.officer_party.clone());
        } else {
            // Art. 16(1) second sentence and 16(4).
            d.cite(
                art("16(1)"),
                format!(
                    "only the data {}'s own patrol officers may see during the patrol",
                    c.owner
                ),
            );
            d.cite(
                art("16(4)"),
                "under the responsibility of the locally competent service taking part in the patrol",
            );
        }
    }
    d.build()
}

// ---------------------------------------------------------------- Art. 17: registers

/// `consult.register`: direct automated consultation of a population or public register.
#[derive(Debug, Clone)]
pub struct RegisterLookup {
    pub requesting: PartyCode,
    pub owner: PartyCode,
    pub at: Timestamp,
    pub agreements: Vec<Agreement>,
}

impl RegisterLookup {
    pub fn parse(f: &Fields) -> Result<Self, FieldError> {
        Ok(RegisterLookup {
            requesting: f.party("requesting")?,
            owner: f.party("owner")?,
            at: f.instant("at")?,
            agreements: f.agreements("agreements")?,
        })
    }
}

/// Art. 17(2): "De bevoegde diensten kunnen de in dit lid bedoelde raadpleging pas uitvoeren na
/// sluiting en inwerkingtreding van de uitvoeringsovereenkomst." 17(3): otherwise via Art. 4.
pub fn register_lookup(profile: &Profile, r: &RegisterLookup) -> Decision {
    let mut d = DecisionBuilder::new();
    d.cite(
        art("17(1)"),
        "direct automated consultation of a population or other public register",
    );
    require_agreement(
        &mut d,
        profile,
        &r.agreements,
        &r.requesting,
        &r.owner,
        "17",
        None,
        r.at,
        art("17(2)"),
    );
    if d.is_refused() {
        d.cite(
            art("17(3)"),
            "without an agreement in force, ask for the register data by a request under Art. 4",
        );
    }
    d.build()
}
