//! The `grens` binary as a user runs it: exit codes, messages, output.

mod anpr;
mod crash;
mod replicas;
mod shutdown;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn grens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_grens"))
        .args(args)
        .output()
        .expect("grens runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The public scenarios, in `shared/` beside the repository.
fn public_scenarios() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/public");
    assert!(
        dir.is_dir(),
        "the public scenarios are expected at {} (shared/ beside the repository)",
        dir.display()
    );
    dir
}

fn scenario(name: &str) -> String {
    std::fs::read_to_string(public_scenarios().join(name)).expect("scenario readable")
}

#[test]
fn conformance_run_passes_every_public_scenario() {
    let dir = public_scenarios();
    let count = std::fs::read_dir(&dir)
        .expect("dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))
        })
        .count();
    let out = grens(&["conformance", "run", dir.to_str().expect("utf-8 path")]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.lines().any(|l| l == format!("{count} passed, 0 failed")), "{text}");
    assert_eq!(text.lines().filter(|l| l.starts_with("PASS ")).count(), count);
}

#[test]
fn a_wrong_expectation_fails_with_exit_1_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let wrong =
        scenario("deadline-detention-evening.json").replace("2026-03-11T13:00:00+01:00", "2026-03-11T12:00:00+01:00");
    std::fs::write(dir.path().join("wrong.json"), wrong).expect("write");
    std::fs::write(dir.path().join("right.json"), scenario("pursuit-allowed.json")).expect("write");
    let wrong_verdict = scenario("request-other-purpose.json").replace("\"refused\"", "\"allowed\"");
    std::fs::write(dir.path().join("verdict.json"), wrong_verdict).expect("write");
    let out = grens(&["conformance", "run", dir.path().to_str().expect("utf-8")]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL deadline-detention-evening: deadline is \"2026-03-11T12:00:00Z\""),
        "{text}"
    );
    assert!(
        text.contains("FAIL request-other-purpose: verdict refused, expected allowed"),
        "{text}"
    );
    assert!(text.contains("PASS pursuit-allowed"), "{text}");
    assert!(text.lines().any(|l| l == "1 passed, 2 failed"), "{text}");
}

fn run_invalid(file_name: &str, content: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(file_name), content).expect("write");
    let out = grens(&["conformance", "run", dir.path().to_str().expect("utf-8")]);
    (out.status.code(), stdout(&out))
}

#[test]
fn an_unknown_kind_is_invalid_input_naming_file_and_field() {
    let (code, text) = run_invalid(
        "kind.json",
        &scenario("pursuit-allowed.json").replace("operation.pursuit", "operation.teleport"),
    );
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("INVALID kind.json: field `action.kind`: unknown kind 'operation.teleport'"),
        "{text}"
    );
}

#[test]
fn a_missing_field_is_invalid_input_naming_file_and_field() {
    let (code, text) = run_invalid(
        "missing.json",
        &scenario("pursuit-allowed.json").replace("\"enter_dwelling\": false,", ""),
    );
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("INVALID missing.json: field `action.enter_dwelling`: missing"),
        "{text}"
    );
}

#[test]
fn a_date_without_offset_is_invalid_input_naming_file_and_field() {
    let (code, text) = run_invalid(
        "offset.json",
        &scenario("oral-confirm-24h.json").replace("2026-05-04T10:15:00+02:00", "2026-05-04T10:15:00"),
    );
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("INVALID offset.json: field `action.at`: '2026-05-04T10:15:00' has no UTC offset"),
        "{text}"
    );
    let (code, text) = run_invalid(
        "due.json",
        &scenario("oral-confirm-24h.json").replace("2026-05-05T10:15:00+02:00", "2026-05-05T10:15:00"),
    );
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("field `expect.obligations[0].due`"), "{text}");
}

#[test]
fn malformed_json_an_unknown_party_and_an_unknown_profile_are_invalid() {
    let (code, text) = run_invalid("broken.json", "{\"id\": \"x\", ");
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("INVALID broken.json: malformed JSON at line 1"), "{text}");
    let (code, text) = run_invalid(
        "party.json",
        &scenario("pursuit-allowed.json").replace("\"host\": \"BE\"", "\"host\": \"FR\""),
    );
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("field `action.host`: FR is not a party of profile benelux-2018"),
        "{text}"
    );
    let (code, text) = run_invalid(
        "profile.json",
        &scenario("pursuit-allowed.json").replace("benelux-2018", "benelux-2004"),
    );
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("field `profile`: unknown profile 'benelux-2004'"),
        "{text}"
    );
}

#[test]
fn evaluate_prints_the_decision_in_the_partys_local_time() {
    let file = public_scenarios().join("deadline-detention-evening.json");
    let out = grens(&["evaluate", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(decision["deadline"], "2026-03-11T13:00:00+01:00");
    assert_eq!(decision["articles"][0], "21(3)");
    assert!(decision["reasons"][0]
        .as_str()
        .is_some_and(|r| r.starts_with("Art. 21(3):")));
}

#[test]
fn evaluate_takes_a_bare_action_and_rejects_bad_input_with_exit_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let action = dir.path().join("action.json");
    std::fs::write(
        &action,
        r#"{"kind":"exchange.language","provider":"NL","language":"fr"}"#,
    )
    .expect("write");
    let out = grens(&["evaluate", action.to_str().expect("utf-8")]);
    let decision: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(decision["verdict"], "refused");
    std::fs::write(&action, r#"{"kind":"exchange.language","provider":"NL"}"#).expect("write");
    let out = grens(&["evaluate", action.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("action.json: invalid: field `action.language`: missing"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn coverage_lists_no_article_as_unimplemented() {
    let dir = public_scenarios();
    let out = grens(&["treaty", "coverage", "--scenarios", dir.to_str().expect("utf-8")]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains("NOT IMPLEMENTED"), "{text}");
    assert!(text.contains(", 0 not implemented"), "{text}");
    for article in 4..=67 {
        assert!(
            text.contains(&format!("Art. {article:>2}  ")),
            "Art. {article} missing from the report"
        );
    }
    assert!(text.contains("Art. 49") && text.contains("nothing to decide"), "{text}");
}

#[test]
fn treaty_tour_walks_through_the_scripted_exchange() {
    let out = grens(&["treaty", "tour"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(text.contains("Stg. CONFIDENTIEEL"), "{text}");
    assert!(text.matches("REFUSED").count() >= 2, "{text}");
    assert!(text.contains("only in case file 2026/0412"), "{text}");
}

#[test]
fn demo_check_runs_the_scripted_exchange_on_three_nodes_and_exits_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = dir.path().join("net");
    let out = grens(&["demo", "--check", "--dir", net.to_str().expect("utf-8")]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(!text.contains("[FAIL]"), "{text}");
    assert!(text.contains("Stg. CONFIDENTIEEL"), "{text}");
    for node in ["BE-NCP", "LU-NCP", "NL-NCP"] {
        assert!(
            text.contains(&format!("{node:<7}")) && text.contains("audit verify: intact"),
            "{text}"
        );
        assert!(
            net.join(format!("{node}.sqlite")).is_file(),
            "{node} has its own SQLite file"
        );
    }
    // The demo never overwrites a network.
    let again = grens(&["demo", "--check", "--dir", net.to_str().expect("utf-8")]);
    assert_eq!(again.status.code(), Some(2), "{}", stdout(&again));
    assert!(
        stderr(&again).contains("already holds a demo network"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn bench_exchange_prints_the_figures_as_json_with_its_baseline() {
    let out = grens(&["bench", "exchange", "--messages", "40", "--concurrency", "4", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("one JSON object");
    for key in ["msgs_per_s", "p50_ms", "p99_ms"] {
        assert!(v[key].as_f64().is_some_and(|x| x > 0.0), "{key} in {v}");
    }
    assert_eq!(v["baseline"]["name"], "nats_jetstream");
    assert!(
        v["baseline"]["msgs_per_s"].as_f64().is_some() || v["baseline"]["error"].is_string(),
        "{v}"
    );
    assert!(v["p99_ms"].as_f64() >= v["p50_ms"].as_f64(), "{v}");
    // Three paired rounds by default; the reported ratio is the median of theirs.
    let rounds = v["rounds"].as_array().expect("rounds");
    assert_eq!(rounds.len(), 3, "{v}");
    if let Some(ratio) = v["ratio_to_baseline"].as_f64() {
        let mut ratios: Vec<f64> = rounds.iter().filter_map(|r| r["ratio_to_baseline"].as_f64()).collect();
        ratios.sort_by(f64::total_cmp);
        assert_eq!(ratios.len(), 3, "{v}");
        assert!((ratio - ratios[1]).abs() < 1e-12, "the median of {ratios:?}: {v}");
    }
}

#[test]
fn a_malformed_profile_folder_is_reported_with_file_line_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../profiles/benelux-2018.toml"))
        .expect("profile");
    std::fs::write(
        dir.path().join("benelux-2018.toml"),
        text.replace("languages = [\"nl\"]", "languages = \"nl\""),
    )
    .expect("write");
    let out = grens(&[
        "--profiles",
        dir.path().to_str().expect("utf-8"),
        "conformance",
        "run",
        public_scenarios().to_str().expect("utf-8"),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("benelux-2018.toml:") && text.contains("key `parties[2].languages`"),
        "{text}"
    );
}

#[test]
fn audit_verify_reports_the_exact_entry_whose_byte_changed() {
    use store::{JournalStore, NewEntry, Operation, SqliteStore};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("be.sqlite");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let s = SqliteStore::open(&path).await.expect("open");
        for i in 1..=5 {
            s.append(NewEntry {
                at: "2026-11-23T10:00:00+01:00".parse().expect("instant"),
                operation: Operation::Disclosure,
                actor: format!("BE/officer:{i}"),
                justification: "Art. 4(1) provision".into(),
                recipient: Some("NL/NL-NCP".into()),
                message_id: None,
                case_id: None,
                details: serde_json::json!({}),
            })
            .await
            .expect("append");
        }
    });
    let url = format!("sqlite:{}", path.display());
    let ok = grens(&["audit", "verify", "--db", &url]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(
        stdout(&ok).starts_with("journal intact: 5 entries, head "),
        "{}",
        stdout(&ok)
    );
    // One byte of entry 4's actor changes, under the API, as someone with file access could.
    rt.block_on(async {
        let s = SqliteStore::open(&path).await.expect("open");
        assert_eq!(s.entries(4, 4).await.expect("read")[0].entry.actor, "BE/officer:4");
        sqlx::query("UPDATE journal SET actor = 'BE/officer:5' WHERE seq = 4")
            .execute(s.pool())
            .await
            .expect("tamper");
    });
    let broken = grens(&["audit", "verify", "--db", &url]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        stdout(&broken).contains("journal BROKEN at entry 4: content changed"),
        "{}",
        stdout(&broken)
    );
    let missing = grens(&["audit", "verify", "--db", "mysql://nowhere"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("unsupported database URL"),
        "{}",
        stderr(&missing)
    );
    // A mistyped path is an error, not a new empty journal that verifies.
    let typo = dir.path().join("typo.sqlite");
    let typo_url = format!("sqlite:{}", typo.display());
    let missing = grens(&["audit", "verify", "--db", &typo_url]);
    assert_eq!(missing.status.code(), Some(2), "{}", stdout(&missing));
    assert!(stderr(&missing).contains("does not exist"), "{}", stderr(&missing));
    assert!(!typo.exists(), "verifying must not create the store");
}

#[test]
fn pki_init_writes_a_ca_node_credentials_and_the_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = grens(&["pki", "init", "--dir", dir.path().to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.path().join("ca.crt").is_file());
    for node in ["BE-NCP", "LU-NCP", "NL-NCP", "SI-NCP", "AL-NCP"] {
        for file in ["tls.crt", "tls.key", "signing.key"] {
            assert!(dir.path().join(node).join(file).is_file(), "{node}/{file}");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(node).join("signing.key"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "signing keys are private");
        }
    }
    let directory = node::peer::directory::Directory::load(&dir.path().join("network.toml")).expect("directory loads");
    assert_eq!(directory.nodes.len(), 5);
    // Each node under the agreements its party is party to.
    assert_eq!(directory.by_id("LU-NCP").expect("LU").agreements, ["benelux-2018"]);
    assert_eq!(directory.by_id("AL-NCP").expect("AL").agreements, ["si-al"]);
    assert!(directory
        .nodes
        .iter()
        .all(|n| n.verifying_key().is_some() && n.tls_fingerprint.len() == 64));
    let key = node::peer::pki::read_signing_key(&dir.path().join("NL-NCP/signing.key")).expect("key");
    assert_eq!(
        crate_hex(key.verifying_key().as_bytes()),
        directory.by_id("NL-NCP").expect("NL").signing_key
    );
}

fn crate_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn serve_runs_a_node_that_receipts_a_signed_request_over_mutual_tls() {
    use std::io::{BufRead as _, BufReader};
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = dir.path().join("pki");
    assert_eq!(
        grens(&["pki", "init", "--dir", pki.to_str().expect("utf-8")])
            .status
            .code(),
        Some(0)
    );
    let config = dir.path().join("be.toml");
    std::fs::write(
        &config,
        "node = \"BE-NCP\"\nlisten = \"127.0.0.1:0\"\npki = \"pki\"\ndatabase = \"sqlite:be.sqlite\"\n",
    )
    .expect("config");
    let mut child = Command::new(env!("CARGO_BIN_EXE_grens"))
        .args(["serve", "--config", config.to_str().expect("utf-8")])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("grens serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let url = line.trim().rsplit(' ').next().unwrap_or_default().to_owned();
    assert!(
        line.starts_with("grens node BE-NCP listening on https://127.0.0.1:"),
        "{line}"
    );

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let outcome = rt.block_on(async {
        let read = |p: &str| std::fs::read_to_string(pki.join(p)).expect("pki file");
        let client = node::peer::tls::client_config(&read("ca.crt"), &read("NL-NCP/tls.crt"), &read("NL-NCP/tls.key"))
            .expect("tls");
        let courier = node::peer::courier::Courier::new(client).expect("courier");
        let directory = node::peer::directory::Directory::load(&pki.join("network.toml")).expect("directory");
        let mut be = directory.by_id("BE-NCP").expect("BE").clone();
        be.url = url.clone();
        let key = protocol_key(&pki.join("NL-NCP/signing.key"));
        let envelope = protocol::Envelope::new(
            protocol::NodeAddress {
                party: treaty::PartyCode::parse("NL").expect("NL"),
                node: "NL-NCP".into(),
                unit: None,
            },
            protocol::NodeAddress {
                party: treaty::PartyCode::parse("BE").expect("BE"),
                node: "BE-NCP".into(),
                unit: None,
            },
            jiff::Timestamp::now(),
            protocol::LegalBasis {
                instrument: "benelux-2018".into(),
                article: "4(1)".parse().expect("article"),
            },
            protocol::Body::FeedbackRequest {
                about: protocol::MessageId::new(jiff::Timestamp::now()),
            },
        );
        let signed = protocol::sign(&envelope, &key).expect("sign");
        courier.deliver(&be, &signed).await
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        matches!(outcome, Ok(node::peer::courier::Delivery::Receipted { .. })),
        "{outcome:?}"
    );
    let audit = grens(&[
        "audit",
        "verify",
        "--db",
        &format!("sqlite:{}", dir.path().join("be.sqlite").display()),
    ]);
    assert!(
        stdout(&audit).starts_with("journal intact: 1 entries"),
        "{}",
        stdout(&audit)
    );
}

fn protocol_key(path: &Path) -> protocol::NodeKey {
    protocol::NodeKey {
        kid: "NL-NCP".into(),
        key: node::peer::pki::read_signing_key(path).expect("key"),
    }
}

#[test]
fn serve_refuses_a_bad_configuration_naming_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "node = \"BE-NCP\"\nlisen = \"127.0.0.1:0\"\n").expect("config");
    let out = grens(&["serve", "--config", config.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("lisen"), "{}", stderr(&out));
    std::fs::write(
        &config,
        "node = \"BE-NCP\"\nlisten = \"127.0.0.1:0\"\npki = \"nowhere\"\ndatabase = \"sqlite:x.sqlite\"\n",
    )
    .expect("config");
    let out = grens(&["serve", "--config", config.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("key `pki`"), "{}", stderr(&out));
}

#[test]
fn match_run_prints_one_json_line_per_query_in_clear_and_pseudonymised_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let persons = dir.path().join("persons.csv");
    let queries = dir.path().join("queries.csv");
    std::fs::write(
        &persons,
        "id,given_names,surname,birth_date,nationality\nRS-1,Đorđe,Đorđević,1984-07-03,RS\nNL-1,Jan,van der Berg,1975-01-30,NL\n",
    )
    .expect("persons");
    std::fs::write(
        &queries,
        "qid,given_names,surname,birth_date\nq1,,DJORDJEVIC Dorde,1984-03-07\nq2,Ђорђе,Ђорђевић,\nq3,Piet,Jansen,1990-01-01\n",
    )
    .expect("queries");
    let key = dir.path().join("agreement.key");
    std::fs::write(&key, "a key of the BE-NL implementing agreement").expect("key");
    let clear = grens(&[
        "match",
        "run",
        "--index",
        persons.to_str().expect("utf-8"),
        "--queries",
        queries.to_str().expect("utf-8"),
    ]);
    assert_eq!(clear.status.code(), Some(0), "{}", stderr(&clear));
    let lines: Vec<serde_json::Value> = stdout(&clear)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["qid"], "q1");
    assert_eq!(lines[0]["hit"], true);
    assert_eq!(lines[0]["matches"][0]["id"], "RS-1");
    assert_eq!(lines[1]["matches"][0]["id"], "RS-1");
    assert_eq!(lines[2]["hit"], false);
    let keyed = grens(&[
        "match",
        "run",
        "--index",
        persons.to_str().expect("utf-8"),
        "--queries",
        queries.to_str().expect("utf-8"),
        "--pseudonymise-key",
        key.to_str().expect("utf-8"),
    ]);
    assert_eq!(
        stdout(&keyed),
        stdout(&clear),
        "the pseudonymised index answers the same"
    );
    // An unreadable line is named and the others answered; an impossible date (a typo) is read
    // as the nearest real one, and the answer says so.
    std::fs::write(
        &queries,
        "qid,given_names,surname,birth_date\nq1,Jan,Berg,30-01-1975\nq2,Jan,van der Berg,1975-02-30\nq3,Đorđe,Đorđević,1984-07-03\n",
    )
    .expect("queries");
    let bad = grens(&[
        "match",
        "run",
        "--index",
        persons.to_str().expect("utf-8"),
        "--queries",
        queries.to_str().expect("utf-8"),
        "--reasons",
    ]);
    assert_eq!(bad.status.code(), Some(0), "{}", stderr(&bad));
    let lines: Vec<serde_json::Value> = stdout(&bad)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 3, "{}", stdout(&bad));
    assert!(
        lines[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("line 2, field `birth_date`")),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1]["qid"], "q2");
    assert_eq!(lines[1]["matches"][0]["id"], "NL-1", "{}", lines[1]);
    assert!(
        lines[1]["note"]
            .as_str()
            .is_some_and(|n| n.contains("1975-02-30 does not exist")),
        "{}",
        lines[1]
    );
    assert!(
        lines[1]["matches"][0]["reasons"].to_string().contains("does not exist"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2]["matches"][0]["id"], "RS-1");
    assert!(stderr(&bad).contains("1 query line(s) unreadable"), "{}", stderr(&bad));
}

#[test]
fn generated_persons_import_into_a_national_database_and_bad_lines_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("persons.csv");
    let out = grens(&[
        "generate",
        "persons",
        "--count",
        "2000",
        "--seed",
        "9",
        "--out",
        csv.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(text.starts_with("id,given_names,surname,birth_date,nationality\nP0000001,"));
    assert_eq!(text.lines().count(), 2001);
    // The same seed, the same persons; JSON Lines too.
    let again = grens(&["generate", "persons", "--count", "2000", "--seed", "9"]);
    assert_eq!(stdout(&again), text);
    let jsonl = grens(&["generate", "persons", "--count", "3", "--seed", "9", "--jsonl"]);
    let first: serde_json::Value = serde_json::from_str(stdout(&jsonl).lines().next().expect("a line")).expect("JSON");
    assert_eq!(first["id"], "P0000001");

    let db = dir.path().join("national.sqlite");
    let db_arg = db.to_str().expect("utf-8");
    let out = grens(&["import", "--db", db_arg, "--persons", csv.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("imported 2000 persons") && stdout(&out).contains("2000 persons and 0 objects"));
    assert!(stderr(&out).contains("100%"), "a progress bar: {}", stderr(&out));

    // Bad records: every one named by line and field, nothing imported.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "id,given_names,surname,birth_date,nationality\nX1,Jan,Peeters,1984-13-01,BE\nX2,Ana,,1990-01-01,SI\nX3,Ana,Novak,1990-01-01,SI\nX4,\"Ana,Novak\n",
    )
    .expect("write");
    let out = grens(&["import", "--db", db_arg, "--persons", bad.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("line 2, field `birth_date`"), "{err}");
    assert!(err.contains("line 3, field `surname`: empty"), "{err}");
    assert!(err.contains("line 5, field `record`: unterminated quote"), "{err}");
    assert!(err.contains("nothing imported"), "{err}");
    // With --skip-invalid the valid one is loaded.
    let out = grens(&[
        "import",
        "--db",
        db_arg,
        "--persons",
        bad.to_str().expect("utf-8"),
        "--skip-invalid",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("imported 1 persons") && stdout(&out).contains("2001 persons"),
        "{}",
        stdout(&out)
    );

    // Objects, as JSON Lines; an unknown kind and an unknown field are named.
    let objects = dir.path().join("objects.jsonl");
    std::fs::write(
        &objects,
        "{\"id\":\"V1\",\"kind\":\"vehicle\",\"identifier\":\"1-ABC-123\",\"country\":\"BE\"}\n{\"id\":\"F1\",\"kind\":\"firearm\",\"identifier\":\"GLK 19 778\"}\n{\"id\":\"B1\",\"kind\":\"boat\",\"identifier\":\"X\"}\n{\"id\":\"D1\",\"kind\":\"document\",\"identifier\":\"EM123\",\"colour\":\"red\"}\n",
    )
    .expect("write");
    let out = grens(&["import", "--db", db_arg, "--objects", objects.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("line 3, field `kind`: 'boat'"), "{err}");
    assert!(err.contains("line 4, field `colour`: unknown field"), "{err}");
    let out = grens(&[
        "import",
        "--db",
        db_arg,
        "--objects",
        objects.to_str().expect("utf-8"),
        "--skip-invalid",
    ]);
    assert!(stdout(&out).contains("2001 persons and 2 objects"), "{}", stdout(&out));
}

#[test]
fn the_hit_no_hit_benchmark_prints_its_figures_and_the_pg_trgm_baseline() {
    let out = grens(&[
        "bench",
        "hitnohit",
        "--persons",
        "3000",
        "--queries-per-variant",
        "20",
        "--baseline-queries-per-variant",
        "5",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 2, "clear and pseudonymised");
    for (line, mode) in lines.iter().zip(["clear", "pseudonymised"]) {
        assert_eq!(line["mode"], mode);
        assert_eq!(line["persons"], 3000);
        for key in [
            "build_s",
            "bytes_per_person",
            "qps_per_core",
            "p50_ms",
            "p99_ms",
            "recall",
            "false_hit_rate",
        ] {
            assert!(line[key].is_number(), "{key} in {line}");
        }
        assert!(line["recall"].as_f64().unwrap_or(0.0) > 0.9, "{line}");
        assert_eq!(line["baseline"]["name"], "pg_trgm");
        assert!(line["baseline"]["qps"].as_f64().unwrap_or(0.0) > 0.0, "{line}");
        assert!(line["baseline"]["recall"].is_number());
    }
}

#[test]
fn the_officer_cli_asks_a_partner_database_hit_or_no_hit() {
    let (runtime, dir, net) = demo_network();
    for party in ["BE", "NL"] {
        runtime
            .block_on(demo::network::record_agreement(
                &net, party, "BE-NL-14", "", "14", "ANG BVH",
            ))
            .expect("agreement");
    }
    let ca = dir.path().join("pki/ca.crt");
    let api = net.node("NL").expect("NL").api_url.clone();
    let query = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_grens"))
            .arg("query")
            .args(args)
            .env("GRENS_API", &api)
            .env("GRENS_CA", &ca)
            .env("GRENS_USER", "nl.oostbrabant")
            .env("GRENS_PASSWORD", demo::network::demo_password("nl.oostbrabant"))
            .output()
            .expect("grens runs");
        (out.status.code(), stdout(&out), stderr(&out))
    };
    let case = ["--to", "BE", "--database", "ANG", "--case", "PV 2026/0412"];
    let (code, out, err) = query(&[&case[..], &["--person", "Jan Janssens,1984-03-12"]].concat());
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.starts_with("hit — reference HIT-"), "{out}");
    let (code, out, _) = query(&[&case[..], &["--vehicle", "9-ZZZ-999"]].concat());
    assert_eq!((code, out.trim()), (Some(0), "no hit"));
    let (code, out, _) = query(&[
        "--to",
        "BE",
        "--database",
        "KBO",
        "--case",
        "x",
        "--person",
        "Jan Janssens",
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("annex 6 does not list KBO"), "{out}");
    drop(net);
}

/// A runtime and an in-process demo network (three nodes, SQLite) in a temporary folder.
pub fn demo_network() -> (tokio::runtime::Runtime, tempfile::TempDir, demo::network::DemoNetwork) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let ports = [demo::network::Ports { inbox: 0, api: 0 }; 3];
    let net = runtime
        .block_on(demo::network::start(dir.path(), ports, &demo::network::Stores::Sqlite))
        .expect("network");
    (runtime, dir, net)
}

#[test]
fn the_soak_needs_two_minutes_at_least() {
    let out = grens(&["bench", "soak", "--minutes", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("--minutes: give at least 2"), "{}", stderr(&out));
}
