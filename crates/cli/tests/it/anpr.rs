//! `grens anpr`: hotlist entries from a CSV file, and camera reads from a file and through NATS
//! JetStream (127.0.0.1:4222) into a node, hits reaching the provider node.

use std::process::Command;

use serde_json::json;

fn agreement(runtime: &tokio::runtime::Runtime, net: &demo::network::DemoNetwork, party: &str) {
    runtime
        .block_on(demo::network::record_agreement(
            net,
            party,
            "BENELUX-13",
            "ANPR",
            "13",
            "",
        ))
        .expect("agreement");
}

#[test]
fn hotlists_from_a_csv_file_and_reads_through_nats_jetstream_reach_the_provider() {
    let (runtime, dir, net) = crate::demo_network();
    agreement(&runtime, &net, "BE");
    agreement(&runtime, &net, "NL");
    let ca = dir.path().join("pki/ca.crt");
    let grens = |party: &str, user: &str, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_grens"))
            .args(args)
            .env("GRENS_API", &net.node(party).expect("node").api_url)
            .env("GRENS_CA", &ca)
            .env("GRENS_USER", user)
            .env("GRENS_PASSWORD", demo::network::demo_password(user))
            .output()
            .expect("grens runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    // NL provides its hotlist from a CSV file: one good line, one without follow-up action
    // (Art. 13(2)), one with a plate that is no Dutch plate.
    let hotlist = dir.path().join("hotlist.csv");
    std::fs::write(
        &hotlist,
        "plate,country,category,follow_up_action,international_alert,recipient_legal_basis,valid_until,recipients\n\
         XX-123-Y,NL,stolen vehicle,stop and check,SIS II NL-V-42,,,BE\n\
         GH-456-J,NL,stolen vehicle,,SIS II NL-V-43,,,BE\n\
         1-ABC-123,NL,stolen vehicle,stop,SIS II NL-V-44,,,BE\n",
    )
    .expect("write");
    let hotlist_arg = hotlist.display().to_string();
    let (code, out, err) = grens("NL", "nl.oostbrabant", &["anpr", "import", &hotlist_arg]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("1 entries provided, 2 refused"), "{out}");
    assert!(err.contains("line 3") && err.contains("13(2)"), "{err}");
    assert!(err.contains("line 4, field `plate`"), "{err}");

    // BE's contact point accepts it.
    let operator = runtime
        .block_on(node::officer_client::OfficerClient::login(
            &net.node("BE").expect("BE").api_url,
            &net.ca_pem,
            "be.operator",
            &demo::network::demo_password("be.operator"),
        ))
        .expect("log-in");
    let message = runtime.block_on(async {
        for _ in 0..200 {
            let r = operator
                .get("/api/v1/anpr/received")
                .await
                .expect("get")
                .ok()
                .expect("ok");
            if let Some(m) = r[0]["message_id"].as_str() {
                return m.to_owned();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the entry never reached BE");
    });
    runtime
        .block_on(operator.post(
            &format!("/api/v1/anpr/received/{message}/decision"),
            &json!({ "accept": true }),
        ))
        .expect("post")
        .ok()
        .expect("accepted");

    // Reads through NATS: published by the "cameras", consumed by the ingest process.
    let now = jiff::Timestamp::now().to_string();
    let reads = dir.path().join("reads.jsonl");
    std::fs::write(
        &reads,
        format!(
            "{{\"plate\":\"XX-123-Y\",\"time\":\"{now}\",\"camera\":\"BE-A12-3\"}}\n\
             {{\"plate\":\"XX-I23-Y\",\"time\":\"{now}\",\"camera\":\"BE-A12-4\",\"confidence\":0.7}}\n\
             {{\"plate\":\"AB-999-Z\",\"time\":\"{now}\",\"camera\":\"BE-A12-5\"}}\n"
        ),
    )
    .expect("write");
    let tag = format!("{}_{}", std::process::id(), jiff::Timestamp::now().as_millisecond());
    let (stream, subject, durable) = (
        format!("GRENS_TEST_{tag}"),
        format!("grens.test.{tag}"),
        format!("test-{tag}"),
    );
    let reads_arg = reads.display().to_string();
    let nats = [
        "--nats",
        "nats://127.0.0.1:4222",
        "--stream",
        &stream,
        "--subject",
        &subject,
    ];
    let (code, out, err) = grens(
        "BE",
        "be.anpr",
        &[&["anpr", "publish"][..], &nats[..], &["--per-message", "2", &reads_arg]].concat(),
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("3 reads published"), "{out}");
    let (code, out, err) = grens(
        "BE",
        "be.anpr",
        &[
            &["anpr", "ingest"][..],
            &nats[..],
            &["--durable", &durable, "--max-messages", "2"],
        ]
        .concat(),
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("3 reads compared, 2 hits"), "{out}");
    // The hits are at NL.
    let nl = runtime
        .block_on(node::officer_client::OfficerClient::login(
            &net.node("NL").expect("NL").api_url,
            &net.ca_pem,
            "nl.oostbrabant",
            &demo::network::demo_password("nl.oostbrabant"),
        ))
        .expect("log-in");
    let hits = runtime.block_on(async {
        for _ in 0..200 {
            let h = nl.get("/api/v1/anpr/hits").await.expect("get").ok().expect("ok");
            if h.as_array().is_some_and(|a| a.len() == 2) {
                return h;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the hits never reached NL");
    });
    assert!(
        hits.to_string().contains("BE-A12-4") && hits.to_string().contains("look-alike (1)"),
        "{hits}"
    );
    // The stream kept nothing: every read was acknowledged and removed (work-queue retention).
    let left = runtime.block_on(async {
        let client = async_nats::connect("nats://127.0.0.1:4222").await.expect("nats");
        let js = async_nats::jetstream::new(client);
        let mut s = js.get_stream(&stream).await.expect("stream");
        let n = s.info().await.expect("info").state.messages;
        js.delete_stream(&stream).await.expect("delete");
        n
    });
    assert_eq!(left, 0);

    // Reads from a CSV file, with a malformed line named.
    let csv = dir.path().join("reads.csv");
    std::fs::write(
        &csv,
        format!("plate,country,time,camera,location,confidence\nXX 123 Y,NL,{now},BE-B1,Gent,0.9\nXX123Y,NL,yesterday,BE-B2,,\n"),
    )
    .expect("write");
    let (code, out, err) = grens(
        "BE",
        "be.anpr",
        &["anpr", "ingest", "--file", &csv.display().to_string()],
    );
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("1 reads compared, 1 hits"), "{out}");
    assert!(err.contains("line 3, field `time`"), "{err}");
    drop(net);
}

#[test]
fn the_anpr_benchmark_prints_its_figures_and_checks_its_answers() {
    let out = Command::new(env!("CARGO_BIN_EXE_grens"))
        .args(["bench", "anpr", "--hotlist", "20000", "--reads", "20000", "--json"])
        .output()
        .expect("grens runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for key in [
        "hotlist",
        "reads",
        "reads_per_s_exact",
        "reads_per_s_lookalike",
        "bytes_per_entry",
        "random_access_per_s",
    ] {
        assert!(line[key].as_f64().is_some_and(|v| v > 0.0), "{key} in {line}");
    }
    assert_eq!(line["baseline"]["name"], "variants_hashset");
    assert!(line["baseline"]["reads_per_s"].as_f64().is_some_and(|v| v > 0.0));
    assert_eq!(line["hits"]["two_confusions_away"], 0, "{line}");
    let found = |k: &str| {
        (
            line["hits"][k][0].as_u64().unwrap_or(0),
            line["hits"][k][1].as_u64().unwrap_or(1),
        )
    };
    for k in ["exact", "lookalike"] {
        let (hits, expected) = found(k);
        assert!(hits >= expected && expected > 100, "{k}: {line}");
    }
}
