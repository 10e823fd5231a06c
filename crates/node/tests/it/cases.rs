//! Case management (Directive 2023/977 Arts. 16 and 18; Directive 2016/680 Arts. 5, 7(3), 16)
//! between real nodes over mTLS, through the officers' API — on SQLite and PostgreSQL.

use serde_json::{json, Value};

use demo::network::{DemoNetwork, Stores};
use store::{JournalQuery, JournalStore, Operation};

use crate::support::{eventually, login, postgres, start_on};
use node::officer_client::OfficerClient;

fn id(a: &Value) -> String {
    a["message_id"].as_str().expect("message_id").to_owned()
}

async fn send(client: &OfficerClient, body: Value) -> String {
    let a = client.post("/api/v1/messages", &body).await.expect("post");
    assert!(a.status.is_success(), "{}", a.body);
    id(&a.body)
}

/// The case `case` as `client` sees it, once it has arrived.
async fn case_of(client: &OfficerClient, case: &str) -> Value {
    eventually(&format!("case {case} on {}", client.username), || async {
        let a = client.get(&format!("/api/v1/cases/{case}")).await.expect("case");
        a.status.is_success().then_some(a.body)
    })
    .await
}

fn request(surname: &str, given: &str, text: &str) -> Value {
    json!({ "kind": "request", "to_party": "BE", "purpose": "criminal",
        "subjects": [{ "type": "person", "surname": surname, "given_names": [given], "birth_date": "1980-05-01" }],
        "text": text })
}

fn related_ids(view: &Value) -> Vec<String> {
    view["related"]
        .as_array()
        .expect("related")
        .iter()
        .map(|r| r["case"]["id"].as_str().expect("id").to_owned())
        .collect()
}

async fn cross_checks(stores: Stores) {
    let (_dir, net) = start_on(stores).await;
    let nl = login(&net, "NL", "nl.operator").await;
    let zwb = login(&net, "NL", "nl.zwb").await;
    let be = login(&net, "BE", "be.operator").await;

    // The same request twice: through NL's contact point, then directly from a border unit.
    let first = send(
        &nl,
        request("Janssens", "Peter", "burglary series in Essen: known to you?"),
    )
    .await;
    let mut direct = request("Janssens", "Peter", "burglary series in Essen: known to you?");
    direct["via"] = json!("direct");
    direct["to_unit"] = json!("Antwerpen");
    direct["direct"] = json!({ "within_competence_of_both": true, "subject_in_border_region": true });
    let second = send(&zwb, direct).await;
    // The same person, transliterated from Cyrillic; and with the names swapped.
    let cyrillic = send(&nl, request("Јанссенс", "Петер", "seen at the station")).await;
    let swapped = send(&nl, request("Peter", "Janssens", "fraud with leased cars")).await;
    // Someone else.
    let other = send(&nl, request("Maes", "Lotte", "missing person")).await;

    // Once every request has arrived (delivery is asynchronous).
    for case in [&first, &cyrillic, &swapped, &other] {
        case_of(&be, case).await;
    }
    let view = case_of(&be, &second).await;
    assert_eq!(view["case"]["status"], "new", "{view}");
    assert_eq!(view["case"]["channel"], "direct");
    let warning = view["duplicate_warning"].as_str().expect("a duplicate warning");
    assert!(
        warning.contains(&first) && warning.contains("another channel"),
        "{warning}"
    );
    let related = related_ids(&view);
    for case in [&first, &cyrillic, &swapped] {
        assert!(related.contains(case), "{case} in {related:?}");
    }
    assert!(!related.contains(&other), "{related:?}");
    let reason = &view["related"][0]["reasons"];
    assert!(reason.to_string().contains("name and given name"), "{reason}");

    let view = case_of(&be, &cyrillic).await;
    assert!(related_ids(&view).contains(&first), "transliterated: {view}");
    let view = case_of(&be, &swapped).await;
    assert!(related_ids(&view).contains(&first), "swapped: {view}");
    // BE's national database (ANG) holds Jan Janssens, not Peter: no national match for him.
    assert!(view["national"].as_array().expect("national").is_empty(), "{view}");

    // The case list: a misspelt name finds the cases; filters; keyset pages.
    let page = be
        .get("/api/v1/cases?q=Jansens")
        .await
        .expect("search")
        .ok()
        .expect("ok");
    let found: Vec<&str> = page["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    for case in [&first, &second, &swapped] {
        assert!(found.contains(&case.as_str()), "{case} in {found:?}");
    }
    assert!(!found.contains(&other.as_str()));
    let new = be
        .get("/api/v1/cases?status=new&partner=NL")
        .await
        .expect("filter")
        .ok()
        .expect("ok");
    assert_eq!(new["cases"].as_array().expect("cases").len(), 5, "{new}");
    assert_eq!(new["counts"]["new"], 5, "{new}");
    let none = be
        .get("/api/v1/cases?status=new&partner=LU")
        .await
        .expect("filter")
        .ok()
        .expect("ok");
    assert!(none["cases"].as_array().expect("cases").is_empty());
    let bad = be.get("/api/v1/cases?status=lost").await.expect("bad status");
    assert_eq!(bad.status.as_u16(), 422, "{}", bad.body);
    assert!(bad.body.to_string().contains("status 'lost'"), "{}", bad.body);
    let bad = be.get("/api/v1/cases?cursor=nonsense").await.expect("bad cursor");
    assert_eq!(bad.status.as_u16(), 422, "{}", bad.body);

    // Assign, close with a reason, reopen: journaled; a closed case cannot be closed twice.
    let assigned = be
        .post(
            &format!("/api/v1/cases/{first}"),
            &json!({ "action": "assign", "to": "be.operator", "reason": "mine" }),
        )
        .await
        .expect("assign")
        .ok()
        .expect("ok");
    assert_eq!(assigned["status"], "assigned");
    let closed = be
        .post(
            &format!("/api/v1/cases/{second}"),
            &json!({ "action": "close", "reason": "duplicate of the NCP request" }),
        )
        .await
        .expect("close")
        .ok()
        .expect("ok");
    assert_eq!(closed["status"], "closed");
    let again = be
        .post(
            &format!("/api/v1/cases/{second}"),
            &json!({ "action": "close", "reason": "again" }),
        )
        .await
        .expect("close again");
    assert_eq!(again.status.as_u16(), 422, "{}", again.body);
    let no_reason = be
        .post(
            &format!("/api/v1/cases/{second}"),
            &json!({ "action": "reopen", "reason": " " }),
        )
        .await
        .expect("reopen");
    assert_eq!(no_reason.status.as_u16(), 422, "{}", no_reason.body);
    let journal = crate::support::journal_of(&net.node("BE").expect("BE").running.desk.node.store).await;
    assert!(
        journal.contains("case closed: duplicate of the NCP request"),
        "{journal}"
    );

    // Answering closes the case; the Art. 18 counts follow.
    be.post(
        &format!("/api/v1/messages/{first}/reply"),
        &json!({ "type": "refusal", "ground": "2023/977:6(a)", "reasons": "not in our systems" }),
    )
    .await
    .expect("reply")
    .ok()
    .expect("refusal");
    let view = case_of(&be, &first).await;
    assert_eq!(view["case"]["status"], "closed", "{view}");
    let nl_view = eventually("the refusal on NL's case", || async {
        let v = case_of(&nl, &first).await;
        (v["case"]["status"] == "waiting_for_us").then_some(v)
    })
    .await;
    assert_eq!(nl_view["case"]["opened_by"], "out");
    let year = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).year();
    let sup = login(&net, "BE", "be.supervisor").await;
    let report = sup
        .get(&format!("/api/v1/reports/art18?year={year}"))
        .await
        .expect("report")
        .ok()
        .expect("ok");
    assert_eq!(report["received"][0]["party"], "NL", "{report}");
    assert_eq!(report["received"][0]["count"], 5, "{report}");
    assert_eq!(report["answered"][0]["count"], 1, "{report}");
    assert_eq!(report["refused"][0]["detail"], "2023/977:6(a)", "{report}");
    let csv = sup
        .get_text(&format!("/api/v1/reports/art18?year={year}&format=csv"))
        .await
        .expect("csv");
    assert!(csv.contains("refused,NL,2023/977:6(a),1"), "{csv}");
    let officer = login(&net, "BE", "be.antwerpen").await;
    let forbidden = officer
        .get(&format!("/api/v1/reports/art18?year={year}"))
        .await
        .expect("report");
    assert_eq!(forbidden.status.as_u16(), 403);
    // A unit's officer sees its unit's cases only: the direct request, not the NCP's.
    let mine = officer.get("/api/v1/cases").await.expect("cases").ok().expect("ok");
    let ids: Vec<&str> = mine["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, [second.as_str()], "{mine}");
    let hidden = officer.get(&format!("/api/v1/cases/{first}")).await.expect("case");
    assert_eq!(hidden.status.as_u16(), 403, "{}", hidden.body);

    // The views rebuilt from the journal (messages, assignments, closings) are the same.
    let before = be.get("/api/v1/cases").await.expect("cases").ok().expect("ok");
    let store = &net.node("BE").expect("BE").running.desk.node.store;
    let profile = treaty::Profile::builtin("benelux-2018")
        .expect("built in")
        .expect("valid");
    node::desk::cases::rebuild_views(store, &profile)
        .await
        .expect("rebuild");
    let after = be.get("/api/v1/cases").await.expect("cases").ok().expect("ok");
    assert_eq!(after["counts"], before["counts"]);
    let summary = |v: &Value| -> Vec<(Value, Value, Value)> {
        v["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .map(|c| (c["id"].clone(), c["status"].clone(), c["assignee"].clone()))
            .collect()
    };
    assert_eq!(summary(&after), summary(&before));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_about_a_person_in_an_open_case_shows_the_related_case_and_a_duplicate_on_sqlite() {
    cross_checks(Stores::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_about_a_person_in_an_open_case_shows_the_related_case_and_a_duplicate_on_postgres() {
    cross_checks(postgres("cases")).await;
}

/// Art. 18 against the journal: after the demo's scripted exchange, every count of the report
/// equals a count of the journal's own entries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_art18_report_of_the_demo_history_agrees_with_the_journal() {
    let (_dir, net) = start_on(Stores::Sqlite).await;
    let mut lines = Vec::new();
    let report = demo::check::run(&net, &mut |s| lines.push(format!("{} {} {}", s.ok, s.name, s.detail)))
        .await
        .expect("run");
    assert!(report.passed(), "{lines:#?}");
    let year = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).year();
    for party in ["BE", "NL", "LU"] {
        let store = &net.node(party).expect("node").running.desk.node.store;
        let count = |operation, kind: &str| {
            let query = JournalQuery {
                operation: Some(operation),
                details: vec![("kind".into(), json!(kind))],
                limit: 1,
                ..JournalQuery::default()
            };
            async move { store.journal_count(query).await.expect("count") }
        };
        let received = count(Operation::Collection, "request").await;
        let submitted = count(Operation::Disclosure, "request").await;
        let sup = login(&net, party, &format!("{}.supervisor", party.to_lowercase())).await;
        let r = sup
            .get(&format!("/api/v1/reports/art18?year={year}"))
            .await
            .expect("report")
            .ok()
            .expect("ok");
        let total = |section: &str| -> i64 {
            r[section]
                .as_array()
                .expect("section")
                .iter()
                .map(|l| l["count"].as_i64().unwrap_or(0))
                .sum()
        };
        assert_eq!(total("received"), received, "{party} received: {r}");
        assert_eq!(total("submitted"), submitted, "{party} submitted: {r}");
        assert!(total("answered") <= received, "{party}: {r}");
        // Every refusal sent in reply to a received request is counted with its ground.
        let refusals = count(Operation::Disclosure, "refusal").await;
        assert!(total("refused") <= refusals, "{party}: {r}");
        if party == "BE" {
            assert!(received > 0, "the demo sends BE requests");
        }
        // The views rebuilt from the stored messages give the same report and the same cases.
        let cases_before = sup.get("/api/v1/cases").await.expect("cases").ok().expect("ok");
        let profile = treaty::Profile::builtin("benelux-2018")
            .expect("built in")
            .expect("valid");
        let (applied, _) = node::desk::cases::rebuild_views(store, &profile)
            .await
            .expect("rebuild");
        assert!(applied > 0);
        let again = sup
            .get(&format!("/api/v1/reports/art18?year={year}"))
            .await
            .expect("report")
            .ok()
            .expect("ok");
        assert_eq!(again, r, "{party}: the rebuilt Art. 18 counters");
        let cases_after = sup.get("/api/v1/cases").await.expect("cases").ok().expect("ok");
        assert_eq!(cases_after["counts"], cases_before["counts"], "{party}");
        let ids = |v: &Value| {
            v["cases"]
                .as_array()
                .map(|a| a.iter().map(|c| c["id"].clone()).collect::<Vec<_>>())
        };
        assert_eq!(ids(&cases_after), ids(&cases_before), "{party}");
    }
}

/// The erasure of a case on `stores`: the persons' names leave the database files, the journal
/// still verifies, the erasure is journaled and the partner that received the data is told.
pub async fn erasure(net: &DemoNetwork, files: impl Fn(&DemoNetwork, &str) -> Vec<u8>) {
    let nl = login(net, "NL", "nl.operator").await;
    let be = login(net, "BE", "be.operator").await;
    let name = "Vandenbroucke";
    let given = "Wilhelmina";
    let asked = send(&nl, request(name, given, "identity check after a robbery")).await;
    case_of(&be, &asked).await;
    let provided = be
        .post(
            &format!("/api/v1/messages/{asked}/reply"),
            &json!({ "type": "provision", "language": "nl", "text": "known for robbery in Antwerpen",
                "subjects": [{ "type": "person", "surname": name, "given_names": [given], "birth_date": "1980-05-01" }] }),
        )
        .await
        .expect("reply");
    assert!(provided.status.is_success(), "{}", provided.body);
    eventually("the provision reaches NL", || async {
        let v = case_of(&nl, &asked).await;
        (v["case"]["status"] == "waiting_for_us").then_some(())
    })
    .await;
    // A rectification first (Art. 7(3)): NL's case shows it and queues it for review.
    let rectified = be
        .post(
            &format!("/api/v1/cases/{asked}/correction"),
            &json!({ "correction": "rectified", "text": "the birth date is 1980-06-01, not 1980-05-01" }),
        )
        .await
        .expect("correction")
        .ok()
        .expect("sent");
    assert_eq!(rectified.as_array().map(Vec::len), Some(1), "{rectified}");
    eventually("the rectification on NL", || async {
        let v = case_of(&nl, &asked).await;
        v["case"]["rectified"]
            .as_str()
            .is_some_and(|r| r.starts_with("rectified by BE: the birth date is 1980-06-01"))
            .then_some(())
    })
    .await;
    let empty = be
        .post(
            &format!("/api/v1/cases/{asked}/correction"),
            &json!({ "correction": "withdrawn", "text": " " }),
        )
        .await
        .expect("correction");
    assert_eq!(empty.status.as_u16(), 422, "{}", empty.body);
    assert!(
        empty.body.to_string().contains("text: 1 to 2,000 characters"),
        "{}",
        empty.body
    );

    let before = files(net, "BE");
    assert!(contains(&before, name.as_bytes()), "the name is stored before erasure");

    // An officer may not erase; the DPO may.
    let denied = be
        .post(&format!("/api/v1/cases/{asked}/erase"), &json!({ "reason": "x" }))
        .await
        .expect("erase");
    assert_eq!(denied.status.as_u16(), 403, "{}", denied.body);
    let dpo = login(net, "BE", "be.dpo").await;
    let erased = dpo
        .post(
            &format!("/api/v1/cases/{asked}/erase"),
            &json!({ "reason": "retention period over; no longer needed" }),
        )
        .await
        .expect("erase")
        .ok()
        .expect("erased");
    // The request, the provision and the rectification notice.
    assert_eq!(erased["messages"], 3, "{erased}");
    assert_eq!(erased["notices"].as_array().expect("notices").len(), 1, "{erased}");

    let after = files(net, "BE");
    for needle in [name, given, &name.to_uppercase()] {
        assert!(
            !contains(&after, needle.as_bytes()),
            "'{needle}' is still in BE's database files"
        );
    }
    let view = case_of(&be, &asked).await;
    assert_eq!(view["case"]["erased"], true);
    let gone = be.get(&format!("/api/v1/messages/{asked}")).await.expect("message");
    assert_eq!(gone.status.as_u16(), 404, "{}", gone.body);
    assert!(gone.body.to_string().contains("was erased"), "{}", gone.body);
    assert_eq!(view["case"]["title"], "");
    let search = be
        .get(&format!("/api/v1/cases?q={name}"))
        .await
        .expect("search")
        .ok()
        .expect("ok");
    assert!(search["cases"].as_array().expect("cases").is_empty(), "{search}");
    let verify = dpo
        .get("/api/v1/journal/verify")
        .await
        .expect("verify")
        .ok()
        .expect("ok");
    assert_eq!(verify["intact"], true, "{verify}");
    let journal = crate::support::journal_of(&net.node("BE").expect("BE").running.desk.node.store).await;
    assert!(journal.contains("case erased: retention period over"), "{journal}");
    assert!(!journal.contains(name), "the journal never holds the erased names");

    // NL received BE's provision: the correction notice marks its case and queues it for review.
    eventually("the withdrawal notice on NL", || async {
        let v = case_of(&nl, &asked).await;
        v["case"]["rectified"]
            .as_str()
            .is_some_and(|n| n.starts_with("withdrawn by BE"))
            .then_some(())
    })
    .await;
    let nl_dpo = login(net, "NL", "nl.dpo").await;
    let queue = nl_dpo.get("/api/v1/reviews").await.expect("reviews").ok().expect("ok");
    assert!(queue.to_string().contains(&asked), "{queue}");
    let nl_erased = nl_dpo
        .post(
            &format!("/api/v1/cases/{asked}/erase"),
            &json!({ "reason": "withdrawn by the provider (2016/680 Art. 7(3))" }),
        )
        .await
        .expect("erase")
        .ok()
        .expect("erased on NL");
    assert!(nl_erased["messages"].as_u64().unwrap_or(0) >= 2, "{nl_erased}");
    let after = files(net, "NL");
    assert!(
        !contains(&after, name.as_bytes()),
        "'{name}' is still in NL's database files"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file of a node's SQLite store (the database, its WAL and shared memory).
fn sqlite_files(net: &DemoNetwork, party: &str) -> Vec<u8> {
    let node = net.node(party).expect("node");
    let path = std::path::PathBuf::from(node.database.strip_prefix("sqlite:").expect("a SQLite store"));
    let own = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(path.parent().expect("dir")).expect("dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with(&own) {
            bytes.extend(std::fs::read(&path).unwrap_or_default());
        }
    }
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_a_case_removes_its_names_from_the_sqlite_files_and_tells_the_recipient() {
    let (_dir, net) = start_on(Stores::Sqlite).await;
    erasure(&net, sqlite_files).await;
}

/// Every file of the node's PostgreSQL schema: its tables, their TOAST tables and all indexes,
/// after a checkpoint has written the shared buffers out.
fn postgres_files(net: &DemoNetwork, party: &str) -> Vec<u8> {
    let node = net.node(party).expect("node");
    let store::AnyStore::Postgres(pg) = &node.running.desk.node.store else {
        panic!("a PostgreSQL store");
    };
    let pool = pg.pool().clone();
    let (dir, files) = tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(async {
            sqlx::query("CHECKPOINT").execute(&pool).await.expect("checkpoint");
            let dir: String = sqlx::query_scalar("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
                .fetch_one(&pool)
                .await
                .expect("data directory");
            let files: Vec<String> = sqlx::query_scalar::<_, Option<String>>(
                "SELECT pg_relation_filepath(c.oid) FROM pg_class c
                 WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
                    OR c.oid IN (SELECT reltoastrelid FROM pg_class t WHERE t.relnamespace =
                                 (SELECT oid FROM pg_namespace WHERE nspname = current_schema()))
                    OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT reltoastrelid FROM pg_class t
                                 WHERE t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())))",
            )
            .fetch_all(&pool)
            .await
            .expect("relation files")
            .into_iter()
            .flatten()
            .collect();
            (dir, files)
        })
    });
    let mut bytes = Vec::new();
    for file in files {
        let path = std::path::Path::new(&dir).join(&file);
        let prefix = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for entry in std::fs::read_dir(path.parent().expect("dir"))
            .expect("data directory readable")
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            // The relation's file, its further segments (`.1`) and forks (`_fsm`, `_vm`).
            if name == prefix || name.starts_with(&format!("{prefix}.")) || name.starts_with(&format!("{prefix}_")) {
                bytes.extend(std::fs::read(entry.path()).unwrap_or_default());
            }
        }
    }
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_a_case_removes_its_names_from_the_postgres_files_and_tells_the_recipient() {
    let (_dir, net) = start_on(postgres("erasure")).await;
    erasure(&net, postgres_files).await;
}

/// One hit/no-hit question to every partner: sent to each database an agreement in force allows
/// (BE's ANG), named with the engine's reasons for the others (LU's, without an agreement); the
/// answers come back one by one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_hit_no_hit_question_goes_to_every_partner_database_the_agreements_allow() {
    let (_dir, net) = start_on(Stores::Sqlite).await;
    crate::support::agreement(&net, "NL", "BE-NL-14", "Hit/no-hit BE-NL", "14", "ANG, BVH").await;
    crate::support::agreement(&net, "BE", "BE-NL-14", "Hit/no-hit BE-NL", "14", "ANG, BVH").await;
    let nl = login(&net, "NL", "nl.oostbrabant").await;
    let janssens =
        json!({ "type": "person", "given_names": ["Jan"], "surname": "Janssens", "birth_date": "1984-03-12" });
    let fan = nl
        .post(
            "/api/v1/hit-queries/everywhere",
            &json!({ "subjects": [janssens], "case_reference": "PV 2026/0412 burglaries Eindhoven" }),
        )
        .await
        .expect("post")
        .ok()
        .expect("fanned out");
    let sent: Vec<(String, String)> = fan["sent"]
        .as_array()
        .expect("sent")
        .iter()
        .map(|q| {
            (
                q["party"].as_str().unwrap_or_default().to_owned(),
                q["database"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(sent, [("BE".to_owned(), "ANG".to_owned())], "{fan}");
    let not_asked = fan["not_asked"].as_array().expect("not asked");
    assert!(
        not_asked
            .iter()
            .any(|q| q["party"] == "LU" && q["articles"].to_string().contains("14(5)")),
        "{fan}"
    );
    let query = fan["sent"][0]["message_id"].as_str().expect("id").to_owned();
    // The answer arrives in NL's case of the query.
    let view = eventually("the hit answer on NL's case", || async {
        let v = case_of(&nl, &query).await;
        (v["case"]["last_kind"] == "hit_answer").then_some(v)
    })
    .await;
    assert_eq!(view["case"]["status"], "waiting_for_us", "{view}");
    // One subject only (Art. 14(3)).
    let bulk = nl
        .post(
            "/api/v1/hit-queries/everywhere",
            &json!({ "subjects": [janssens, janssens], "case_reference": "x" }),
        )
        .await
        .expect("post");
    assert_eq!(bulk.status.as_u16(), 422, "{}", bulk.body);
}
