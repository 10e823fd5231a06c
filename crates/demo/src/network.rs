//! The demo network: nodes on loopback, each with its own store, keys and generated officers —
//! BE, LU and NL under the Benelux treaty and, in the full network of `grens demo`, SI and AL
//! under their bilateral agreement, all in one directory. Used by `grens demo`,
//! `grens demo --check` and the integration tests (which start the three Benelux nodes).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use store::{AnyStore, PostgresStore};
use tokio::net::TcpListener;
use treaty::PartyCode;

use node::config::NodeConfig;
use node::desk::NewUser;
use node::serve::{start_with, RunningNode};
use node::NodeError;

/// Where the demo nodes keep their data.
#[derive(Debug, Clone)]
pub enum Stores {
    /// One SQLite file per node in the network's folder (the embedded default).
    Sqlite,
    /// One schema per node (`<prefix>_be`, …) in this PostgreSQL database.
    Postgres { url: String, schema_prefix: String },
}

/// The ports of a node; 0 lets the system choose.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    pub inbox: u16,
    pub api: u16,
}

/// The Benelux treaty's parties: the network of most tests.
pub const BENELUX: [&str; 3] = ["BE", "LU", "NL"];

/// The network of `grens demo`: the Benelux nodes, and SI and AL under the `si-al` agreement.
pub const FULL: [&str; 5] = ["BE", "LU", "NL", "SI", "AL"];

/// One running demo node.
#[derive(Debug)]
pub struct DemoNode {
    pub id: String,
    pub party: PartyCode,
    /// The agreement its desk decides by (`benelux-2018`, `si-al`).
    pub agreement: String,
    pub inbox_url: String,
    pub api_url: String,
    /// `sqlite:PATH` or the PostgreSQL schema.
    pub database: String,
    pub running: RunningNode,
}

/// The running network.
#[derive(Debug)]
pub struct DemoNetwork {
    pub dir: PathBuf,
    pub ca_pem: String,
    pub nodes: Vec<DemoNode>,
}

impl DemoNetwork {
    pub fn node(&self, party: &str) -> Option<&DemoNode> {
        self.nodes.iter().find(|n| n.party.as_str() == party)
    }

    /// The nodes of one agreement.
    pub fn nodes_of<'a>(&'a self, agreement: &'a str) -> impl Iterator<Item = &'a DemoNode> + 'a {
        self.nodes.iter().filter(move |n| n.agreement == agreement)
    }

    /// Stops every node gracefully (requests in flight and delivery rounds finish).
    pub async fn shutdown(&self) {
        for node in &self.nodes {
            node.running.shutdown().await;
        }
    }
}

/// The password of a generated demo account (development only).
pub fn demo_password(username: &str) -> String {
    format!("grens-{username}")
}

/// The generated accounts of a party's node: a contact-point operator, a supervisor, a
/// data-protection officer, an administrator and officers of border-region units.
pub fn demo_users(party: &str) -> Vec<NewUser> {
    let p = party.to_ascii_lowercase();
    // The web pages speak nl, fr and en: the Slovenian and Albanian officers work in English.
    let language = match party {
        "LU" => "fr",
        "BE" | "NL" => "nl",
        _ => "en",
    };
    let user = |name: &str, display: &str, unit: &str, region: &str, roles: &[&str]| NewUser {
        username: format!("{p}.{name}"),
        display_name: display.to_owned(),
        party: party.to_owned(),
        unit: unit.to_owned(),
        region: region.to_owned(),
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        language: language.to_owned(),
        password: demo_password(&format!("{p}.{name}")),
    };
    let mut users = vec![
        user(
            "operator",
            &format!("{party} contact-point operator"),
            "NCP",
            "national",
            &["officer", "contact_point"],
        ),
        user(
            "supervisor",
            &format!("{party} supervisor"),
            "NCP",
            "national",
            &["supervisor"],
        ),
        user(
            "dpo",
            &format!("{party} data-protection officer"),
            "NCP",
            "national",
            &["dpo"],
        ),
        user(
            "admin",
            &format!("{party} administrator"),
            "NCP",
            "national",
            &["admin"],
        ),
        // The camera network's service account: sends reads for comparison (Art. 13(3)).
        user(
            "anpr",
            &format!("{party} ANPR camera network"),
            "ANPR",
            "national",
            &["officer"],
        ),
    ];
    match party {
        "BE" => users.push(user(
            "antwerpen",
            "Inspecteur Antwerpen",
            "Antwerpen",
            "Antwerpen",
            &["officer"],
        )),
        "NL" => {
            users.push(user(
                "oostbrabant",
                "Rechercheur Oost-Brabant",
                "Oost-Brabant",
                "Oost-Brabant",
                &["officer"],
            ));
            users.push(user(
                "zwb",
                "Agent Zeeland-West-Brabant",
                "Zeeland-West-Brabant",
                "Zeeland-West-Brabant",
                &["officer"],
            ));
        }
        "SI" => {
            // The liaison officer posted in Tirana (seed 004): a user of SI's node who works
            // from Albania, with a view of both sides' cases.
            users.push(user(
                "attache",
                "Slovenian police attaché in Tirana",
                "SI-ATTACHE-TIRANA",
                "AL",
                &["officer", "contact_point"],
            ));
            users.push(user(
                "officer",
                "Kriminalist Ljubljana",
                "NCP",
                "national",
                &["officer"],
            ));
        }
        "AL" => users.push(user(
            "officer",
            "Oficer policie Tiranë",
            "NCP",
            "national",
            &["officer"],
        )),
        _ => users.push(user("officer", "Officier de police", "NCP", "national", &["officer"])),
    }
    users
}

/// The persons every demo database holds whatever else is generated, so a demo (and a test) can
/// ask for someone known: (database, id, given names, surname, birth date, plate).
pub const DEMO_KNOWN: [(&str, &str, &str, &str, &str, &str); 3] = [
    ("ANG", "ANG-0000001", "Jan", "Janssens", "1984-03-12", "1-ABC-123"),
    ("BVH", "BVH-0000001", "Dragan", "Đorđević", "1979-07-03", "XX-123-Y"),
    ("LU-POLICE", "LU-0000001", "Marc", "Schmit", "1975-11-30", "LU 4471"),
];

/// One national database per demo node (annex 6: BE ANG, NL BVH, LU LU-POLICE): the known person
/// and vehicle, and 5,000 generated persons.
async fn demo_national_databases(
    dir: &Path,
    party: &str,
) -> Result<Vec<node::config::NationalDatabaseConfig>, NodeError> {
    use node::national::{NationalStore, ObjectKind, ObjectRecord, PersonRecord};
    let index = match party {
        "BE" => 0,
        "NL" => 1,
        "LU" => 2,
        _ => return Ok(Vec::new()),
    };
    let (db, id, given, surname, birth, plate) = DEMO_KNOWN[index];
    let path = dir.join(format!("{party}-{db}.sqlite"));
    let fail = |e: sqlx::Error| NodeError::National {
        id: path.display().to_string(),
        problem: e.to_string(),
    };
    let store = NationalStore::open(&path).await.map_err(fail)?;
    let seed = party.bytes().map(u64::from).sum::<u64>();
    let mut persons: Vec<PersonRecord> = matching::generate::persons(5_000, seed)
        .map(|g| PersonRecord {
            person: matching::Person {
                id: format!("{db}-{}", g.person.id),
                ..g.person
            },
            nationality: g.nationality,
        })
        .collect();
    persons.push(PersonRecord {
        person: matching::Person {
            id: id.into(),
            given_names: given.into(),
            surname: surname.into(),
            birth_date: birth.parse().ok(),
        },
        nationality: party.into(),
    });
    store.put_persons(&persons).await.map_err(fail)?;
    store
        .put_objects(&[ObjectRecord {
            id: format!("{id}-V"),
            kind: ObjectKind::Vehicle,
            identifier: plate.into(),
            country: party.into(),
            description: String::new(),
        }])
        .await
        .map_err(fail)?;
    let mut out = vec![node::config::NationalDatabaseConfig {
        id: db.into(),
        path,
        register: false,
    }];
    // BE's national register (Art. 17): the known person and the same generated population.
    if party == "BE" {
        let path = dir.join("BE-RIJKSREGISTER.sqlite");
        let fail = |e: sqlx::Error| NodeError::National {
            id: path.display().to_string(),
            problem: e.to_string(),
        };
        let register = NationalStore::open(&path).await.map_err(fail)?;
        let residents: Vec<PersonRecord> = persons
            .into_iter()
            .map(|mut p| {
                p.person.id = p.person.id.replacen(db, "RR", 1);
                p
            })
            .collect();
        register.put_persons(&residents).await.map_err(fail)?;
        out.push(node::config::NationalDatabaseConfig {
            id: "RIJKSREGISTER".into(),
            path,
            register: true,
        });
    }
    Ok(out)
}

/// Records an implementing agreement on `party`'s node as its administrator would: in force
/// from 2026-01-01, open-ended.
pub async fn record_agreement(
    net: &DemoNetwork,
    party: &str,
    reference: &str,
    title: &str,
    articles: &str,
    databases: &str,
) -> Result<(), NodeError> {
    use store::JournalStore as _;
    let fail = |problem: String| NodeError::Delivery {
        to: party.to_owned(),
        problem,
    };
    let node = net.node(party).ok_or_else(|| fail("no such node".into()))?;
    let desk = &node.running.desk;
    let admin_name = format!("{}.admin", party.to_lowercase());
    let admin = desk
        .node
        .store
        .user(&admin_name)
        .await
        .map_err(|e| fail(e.to_string()))?
        .ok_or_else(|| fail(format!("no {admin_name}")))?;
    let parties: Vec<&str> = net.nodes_of(&node.agreement).map(|n| n.party.as_str()).collect();
    let record = node::desk::Desk::agreement_from_fields(
        reference,
        title,
        &parties.join(", "),
        articles,
        databases,
        "2026-01-01",
        "",
    )
    .map_err(|e| fail(e.message))?;
    desk.put_agreement(&admin, &record).await.map_err(|e| fail(e.message))
}

/// The demo's implementing agreements between BE, LU and NL, on every node: hit/no-hit queries
/// of ANG, BVH and LU-POLICE (Art. 14) and ANPR reference data (Art. 13).
pub async fn record_demo_agreements(net: &DemoNetwork) -> Result<(), NodeError> {
    for node in net.nodes_of("benelux-2018") {
        let party = node.party.as_str();
        record_agreement(
            net,
            party,
            "BENELUX-14-DEMO",
            "Demo: hit/no-hit queries between BE, LU and NL",
            "14",
            "ANG, BVH, LU-POLICE",
        )
        .await?;
        record_agreement(
            net,
            party,
            "BENELUX-13-DEMO",
            "Demo: ANPR reference data between BE, LU and NL",
            "13",
            "",
        )
        .await?;
    }
    Ok(())
}

async fn bind(port: u16) -> Result<(TcpListener, SocketAddr), NodeError> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = TcpListener::bind(addr).await.map_err(|e| NodeError::Io {
        path: addr.to_string(),
        source: e,
    })?;
    let local = listener.local_addr().map_err(|e| NodeError::Io {
        path: addr.to_string(),
        source: e,
    })?;
    Ok((listener, local))
}

/// Creates the PKI in `dir`, starts BE-NCP, LU-NCP and NL-NCP and seeds their officers.
pub async fn start(dir: &Path, ports: [Ports; 3], stores: &Stores) -> Result<DemoNetwork, NodeError> {
    start_at(dir, ports, stores, None).await
}

/// [`start`] with the nodes' clocks starting at `clock_start` (tests and drills: see
/// [`NodeConfig::clock_start`]).
pub async fn start_at(
    dir: &Path,
    ports: [Ports; 3],
    stores: &Stores,
    clock_start: Option<&str>,
) -> Result<DemoNetwork, NodeError> {
    let plan: Vec<(&str, Ports)> = BENELUX.into_iter().zip(ports).collect();
    start_network(dir, &plan, stores, clock_start).await
}

/// Creates the PKI in `dir` for the `(party, ports)` of `plan`, one `<PARTY>-NCP` node each in
/// the agreements its party is party to, starts them and seeds their officers.
pub async fn start_network(
    dir: &Path,
    plan: &[(&str, Ports)],
    stores: &Stores,
    clock_start: Option<&str>,
) -> Result<DemoNetwork, NodeError> {
    std::fs::create_dir_all(dir).map_err(node::io(dir))?;
    let mut bound = Vec::new();
    for (party, p) in plan {
        let (inbox, inbox_addr) = bind(p.inbox).await?;
        let (api, api_addr) = bind(p.api).await?;
        let party = PartyCode::parse(party).map_err(|problem| NodeError::Config {
            what: "party".into(),
            problem,
        })?;
        bound.push((party, inbox, inbox_addr, api, api_addr));
    }
    let plan: Vec<(String, PartyCode, String)> = bound
        .iter()
        .map(|(party, _, addr, _, _)| (format!("{party}-NCP"), party.clone(), format!("https://{addr}")))
        .collect();
    let pki = dir.join("pki");
    node::peer::pki::init(&pki, &plan)?;
    let ca_path = pki.join("ca.crt");
    let ca_pem = std::fs::read_to_string(&ca_path).map_err(node::io(&ca_path))?;
    let mut nodes = Vec::new();
    for (party, inbox, inbox_addr, api, api_addr) in bound {
        let id = format!("{party}-NCP");
        let (store, database) = match stores {
            Stores::Sqlite => {
                let file = dir.join(format!("{id}.sqlite"));
                (
                    AnyStore::open(&format!("sqlite:{}", file.display())).await?,
                    format!("sqlite:{}", file.display()),
                )
            }
            Stores::Postgres { url, schema_prefix } => {
                let schema = format!("{schema_prefix}_{}", party.as_str().to_ascii_lowercase());
                (
                    AnyStore::Postgres(PostgresStore::open(url, Some(&schema)).await?),
                    format!("postgres schema {schema}"),
                )
            }
        };
        let agreement = treaty::instrument::agreements_of(&party)
            .into_iter()
            .next()
            .ok_or_else(|| NodeError::Config {
                what: format!("party {party}"),
                problem: "is party to no built-in agreement".into(),
            })?;
        let config = NodeConfig {
            node: id.clone(),
            listen: inbox_addr,
            api_listen: Some(api_addr),
            profile: agreement.clone(),
            pki: pki.clone(),
            database: database.clone(),
            max_skew_secs: 300,
            delivery_round_ms: 100,
            checkpoint_interval_secs: 900,
            national_databases: demo_national_databases(dir, party.as_str()).await?,
            clock_start: clock_start.map(str::to_owned),
            clock_anchor: None,
            connections: Default::default(),
        };
        let running = start_with(&config, store, inbox, Some(api)).await?;
        for user in demo_users(party.as_str()) {
            running.desk.put_user(user).await.map_err(|e| NodeError::Delivery {
                to: id.clone(),
                problem: e.message,
            })?;
        }
        nodes.push(DemoNode {
            id,
            party,
            agreement,
            inbox_url: format!("https://{inbox_addr}"),
            api_url: format!("https://{api_addr}"),
            database,
            running,
        });
    }
    Ok(DemoNetwork {
        dir: dir.to_owned(),
        ca_pem,
        nodes,
    })
}
