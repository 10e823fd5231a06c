//! Debian's chromium, driven through chromedriver (both installed by `.ci/run`), against the
//! three demo nodes on loopback: the scripted exchange done through the pages by NL and BE
//! officers, the compose form with the keyboard alone, the language switch on every page type,
//! the audit viewer refused to a user without the data-protection role. Screenshots of each page
//! type in each language go to `target/screenshots/` (and to `docs/screenshots/` with
//! `GRENS_UPDATE_SCREENSHOTS=1`).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use node::network::{self, demo_password, Ports, Stores};
use serde_json::json;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> (Driver, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is not installed: `apt-get install chromium chromium-driver` (.ci/run does)");
    let driver = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (driver, port)
}

async fn browser(port: u16) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--ignore-certificate-errors", "--window-size=1280,1000", "--lang=en"]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a chromium session")
}

async fn log_in(b: &Client, base: &str, user: &str) {
    b.goto(&format!("{base}/login")).await.expect("login page");
    b.find(Locator::Id("username"))
        .await
        .expect("username")
        .send_keys(user)
        .await
        .expect("type");
    let password = b.find(Locator::Id("password")).await.expect("password");
    password.send_keys(&demo_password(user)).await.expect("type");
    password
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .expect("enter");
    wait_for(b, "nav[aria-label=main]").await;
}

/// Waits at most 15 s for `css`; on failure the page is saved for the reader of the failure.
async fn wait_for(b: &Client, css: &str) -> fantoccini::elements::Element {
    match b
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(e) => e,
        Err(e) => {
            let page = b.source().await.unwrap_or_default();
            let dump = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-failure.html");
            let _ = std::fs::write(&dump, &page);
            if let Ok(png) = b.screenshot().await {
                let _ = std::fs::write(dump.with_extension("png"), png);
            }
            panic!("`{css}` did not appear ({e}); page saved to {}", dump.display());
        }
    }
}

/// Waits until the browser has left `from`.
async fn left(b: &Client, from: &str) {
    for _ in 0..150 {
        if b.current_url().await.map(|u| u.as_str() != from).unwrap_or(false) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("still on {from}");
}

async fn source(b: &Client) -> String {
    b.source().await.expect("page source")
}

fn screenshot_dirs() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs = vec![root.join("target/screenshots")];
    if std::env::var_os("GRENS_UPDATE_SCREENSHOTS").is_some() {
        dirs.push(root.join("docs/screenshots"));
    }
    dirs
}

async fn shoot(b: &Client, name: &str) {
    let png = b.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    for dir in screenshot_dirs() {
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        std::fs::write(dir.join(format!("{name}.png")), &png).expect("write screenshot");
    }
}

/// Waits until `base`'s inbox links to `id`, then opens it.
async fn open_when_arrived(b: &Client, base: &str, id: &str) {
    for _ in 0..100 {
        b.goto(&format!("{base}/")).await.expect("inbox");
        if source(b).await.contains(&format!("/messages/{id}")) {
            b.find(Locator::Css(&format!("a[href='/messages/{id}']")))
                .await
                .expect("link")
                .click()
                .await
                .expect("open");
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{id} never reached {base}");
}

fn id_from(path: &str) -> String {
    path.rsplit('/').next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_do_the_scripted_exchange_in_chromium() {
    let (_driver, port) = chromedriver();
    let dir = tempfile::tempdir().expect("tempdir");
    let net = network::start(dir.path(), [Ports { inbox: 0, api: 0 }; 3], &Stores::Sqlite)
        .await
        .expect("network");
    let nl_url = net.node("NL").expect("NL").api_url.clone();
    let be_url = net.node("BE").expect("BE").api_url.clone();
    let nl = browser(port).await;
    let be = browser(port).await;

    // NL: the compose form with the keyboard alone.
    log_in(&nl, &nl_url, "nl.oostbrabant").await;
    nl.goto(&format!("{nl_url}/compose")).await.expect("compose");
    shoot(&nl, "compose-nl").await;
    let tab = char::from(Key::Tab).to_string();
    nl.find(Locator::Id("to_unit"))
        .await
        .expect("unit")
        .click()
        .await
        .expect("focus");
    let typed = format!(
        "{tab}{tab}{tab}Janssens{tab}Jan{tab}1984-03-12{tab}1-ABC-123{tab}Antecedents of the person and the vehicle?"
    );
    nl.active_element()
        .await
        .expect("focus")
        .send_keys(&typed)
        .await
        .expect("type");
    // Tab to "Check with the treaty", Enter.
    let active = nl.active_element().await.expect("focus");
    active.send_keys(&tab).await.expect("tab");
    nl.active_element()
        .await
        .expect("focus")
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .expect("enter");
    wait_for(&nl, "section[role=status]").await;
    let preview = source(&nl).await;
    assert!(
        preview.contains("Art. 6(1)") && preview.contains("Art. 4(1)"),
        "the articles before sending"
    );
    // The preview page's Send button, Enter.
    let send = nl.find(Locator::Css("button[value=send]")).await.expect("send");
    let before = nl.current_url().await.expect("url").to_string();
    send.send_keys(&char::from(Key::Enter).to_string())
        .await
        .expect("send with Enter");
    left(&nl, &before).await;
    let request = id_from(nl.current_url().await.expect("url").path());
    assert!(source(&nl).await.contains("Janssens"));

    // BE: the contact point answers, Vertrouwelijk.
    log_in(&be, &be_url, "be.operator").await;
    open_when_arrived(&be, &be_url, &request).await;
    shoot(&be, "message-request-nl").await;
    be.find(Locator::Id("reply-text"))
        .await
        .expect("text")
        .send_keys("Known for burglaries in Antwerpen.")
        .await
        .expect("type");
    be.find(Locator::Id("reply-classification"))
        .await
        .expect("class")
        .send_keys("Vertrouwelijk")
        .await
        .expect("type");
    be.find(Locator::Id("reply-restriction"))
        .await
        .expect("restriction")
        .send_keys("this investigation")
        .await
        .expect("type");
    let before = be.current_url().await.expect("url").to_string();
    be.find(Locator::Css("form.reply button"))
        .await
        .expect("provide")
        .click()
        .await
        .expect("click");
    left(&be, &before).await;
    let provision = id_from(be.current_url().await.expect("url").path());
    assert_ne!(provision, request);

    // NL: Stg. CONFIDENTIEEL; evidence blocked; consent asked.
    open_when_arrived(&nl, &nl_url, &provision).await;
    let page = source(&nl).await;
    assert!(page.contains("Stg. CONFIDENTIEEL"), "the recipient's own marking");
    assert!(page.contains("10(3)"), "the blocked evidence export cites Art. 10(3)");
    shoot(&nl, "message-provision-nl").await;
    nl.find(Locator::Id("consent-evidence"))
        .await
        .expect("reasons")
        .send_keys("court case in Den Bosch")
        .await
        .expect("type");

    nl.find(Locator::Css(
        "form[action$='consent-request'] input[value=evidence] ~ button",
    ))
    .await
    .expect("ask consent")
    .click()
    .await
    .expect("click");
    // The form redirects back to the same page: give the POST time to land.
    tokio::time::sleep(Duration::from_secs(1)).await;

    // BE supervisor grants with a condition.
    be.goto(&format!("{be_url}/")).await.expect("inbox");
    be.find(Locator::Css("form.inline button"))
        .await
        .expect("log out")
        .click()
        .await
        .expect("click");
    log_in(&be, &be_url, "be.supervisor").await;
    let consent_request = {
        let mut found = None;
        for _ in 0..100 {
            be.goto(&format!("{be_url}/")).await.expect("inbox");
            let html = source(&be).await;
            if let Some(pos) = html.find(">consent_request<") {
                let head = &html[..pos];
                found = head
                    .rsplit("/messages/")
                    .next()
                    .map(|s| s.split('"').next().unwrap_or_default().to_owned());
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        found.expect("the consent request arrives")
    };
    be.goto(&format!("{be_url}/messages/{consent_request}"))
        .await
        .expect("open");
    let condition = "only in the proceedings against J. Janssens";
    be.find(Locator::Id("consent-condition"))
        .await
        .expect("condition")
        .send_keys(condition)
        .await
        .expect("type");
    let before = be.current_url().await.expect("url").to_string();
    be.find(Locator::Css("form.grant button"))
        .await
        .expect("grant")
        .click()
        .await
        .expect("click");
    left(&be, &before).await;

    // NL: the export is allowed now, with the condition shown.
    let mut allowed = false;
    for _ in 0..100 {
        nl.goto(&format!("{nl_url}/messages/{provision}"))
            .await
            .expect("reload");
        if nl.find(Locator::Id("why-evidence")).await.is_ok() {
            allowed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(allowed, "evidence export allowed after consent");
    assert!(source(&nl).await.contains(condition));
    nl.find(Locator::Id("why-evidence"))
        .await
        .expect("why")
        .send_keys("file with the prosecutor")
        .await
        .expect("type");
    nl.find(Locator::Css(
        "li.allowed form[action$='/use'] input[value=evidence] ~ button",
    ))
    .await
    .expect("use")
    .click()
    .await
    .expect("click");
    // The form redirects back to the same page: give the POST time to land.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        nl.current_url().await.expect("url").path().ends_with(&provision),
        "back on the provision"
    );

    // The language switch on every page type, with screenshots.
    for (lang, word) in [("nl", "Postvak"), ("fr", "Boîte de réception"), ("en", "Inbox")] {
        for (page, path) in [
            ("inbox", "/".to_owned()),
            ("message", format!("/messages/{provision}")),
            ("compose", "/compose".to_owned()),
        ] {
            nl.goto(&format!("{nl_url}{path}")).await.expect("page");
            nl.find(Locator::Css(&format!("a[hreflang={lang}]")))
                .await
                .expect("switch")
                .click()
                .await
                .expect("click");
            wait_for(&nl, &format!("html[lang={lang}]")).await;
            assert!(source(&nl).await.contains(word), "{page} in {lang}");
            shoot(&nl, &format!("{page}-{lang}")).await;
        }
    }
    // The audit viewer: refused to an officer, shown to the data-protection officer.
    nl.goto(&format!("{nl_url}/audit")).await.expect("audit");
    assert!(source(&nl).await.contains("dpo"), "refused with the role named");
    nl.find(Locator::Css("form.inline button"))
        .await
        .expect("log out")
        .click()
        .await
        .expect("click");
    wait_for(&nl, "#username").await;
    shoot(&nl, "login-en").await;
    log_in(&nl, &nl_url, "nl.dpo").await;
    nl.goto(&format!("{nl_url}/audit")).await.expect("audit");
    let audit = source(&nl).await;
    assert!(
        audit.contains("nl.oostbrabant") && audit.contains("evidence"),
        "the journal lists the officer's uses"
    );
    shoot(&nl, "audit-en").await;
    nl.close().await.ok();
    be.close().await.ok();
}
