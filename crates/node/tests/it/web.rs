//! The officers' web pages over real HTTPS against the demo network: translations, anonymous
//! refusal on every route, cookies, CSRF, security headers, and the main pages.

use demo::network::{self, demo_password};
use node::http::web::{Tr, LANGUAGES};
use reqwest::redirect::Policy;
use reqwest::StatusCode;

#[test]
fn every_key_is_translated_in_every_language_and_every_used_key_exists() {
    let en = Tr::keys("en");
    assert!(en.len() > 40);
    for (lang, _) in LANGUAGES {
        assert_eq!(Tr::keys(lang), en, "{lang} has other keys than en");
    }
    // Keys used by the templates and by the code.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = Vec::new();
    for file in std::fs::read_dir(dir.join("templates")).expect("templates") {
        let text = std::fs::read_to_string(file.expect("entry").path()).expect("template");
        for part in text.split("t.get(\"").skip(1) {
            used.push(part.split('"').next().unwrap_or_default().to_owned());
        }
    }
    for u in [
        "restricted_purpose",
        "other_purpose",
        "evidence",
        "disclosure",
        "onward_transfer",
        "third_country_transfer",
    ] {
        used.push(format!("use.{u}"));
    }
    // Keys the code builds from a prefix and a name.
    for kind in [
        "request",
        "spontaneous_provision",
        "provision",
        "refusal",
        "feedback_request",
        "feedback_answer",
        "consent_request",
        "consent_grant",
        "consent_denial",
        "oral_record",
        "direct_exchange_notice",
        "receipt",
        "journal_checkpoint",
        "hit_query",
        "hit_answer",
        "hit_refusal",
        "consult_query",
        "consult_answer",
        "consult_refusal",
        "anpr_entry",
        "anpr_decision",
        "anpr_withdrawal",
        "anpr_hit",
        "operation",
        "transfer_notice",
        "sports_event_data",
    ] {
        used.push(format!("kind.{kind}"));
    }
    for (prefix, names) in [
        ("operations.kind", &node::desk::operations::KINDS[..]),
        ("operations.role", &["sending", "host"]),
        ("operations.kind", &["patrol"]),
        (
            "operations.status",
            &["active", "ended", "requested", "planned", "refused"],
        ),
        ("operations.answer", &["granted", "refused"]),
        (
            "operations.fact",
            &[
                "authorised_hours",
                "technical_means_authorised",
                "firearm",
                "self_defence",
                "reasonably_necessary",
                "warning_given_or_impossible",
                "host_law_requires_report",
            ],
        ),
        ("operations.clock", &["running", "alert", "overdue", "stopped", "ended"]),
        ("operations.report", &["due", "filed"]),
        (
            "operations.deadline",
            &["deadline", "reply_deadline", "execution_deadline"],
        ),
        (
            "evaluation.chart",
            &[
                "messages-by-kind",
                "messages-by-pair",
                "operations-by-kind",
                "operations-by-pair",
            ],
        ),
    ] {
        for n in names {
            used.push(format!("{prefix}.{n}"));
        }
    }
    for f in node::http::web::operations::FORM_FIELDS {
        used.push(format!("operations.fact.{}", f.name));
    }
    for kind in protocol::OperationEventKind::ALL {
        used.push(format!("operations.event.{}", kind.as_str()));
    }
    for status in ["pending", "accepted", "rejected", "withdrawn", "expired"] {
        used.push(format!("anpr.status.{status}"));
    }
    for outcome in ["hit", "no_hit", "refused"] {
        used.push(format!("query.outcome.{outcome}"));
    }
    for op in [
        "collection",
        "alteration",
        "consultation",
        "disclosure",
        "combination",
        "erasure",
    ] {
        used.push(format!("operation.{op}"));
    }
    for role in node::accounts::Role::ALL {
        used.push(format!("role.{}", role.as_str()));
    }
    for kind in node::desk::ContactKind::ALL {
        used.push(format!("contact.{}", kind.as_str()));
    }
    for via in [
        "ncp",
        "regional_contact_point",
        "joint_police_centre",
        "direct",
        "liaison_officer",
    ] {
        used.push(format!("via.{via}"));
    }
    for fact in [
        "within_competence_of_both",
        "subject_in_border_region",
        "urgent_delay_would_jeopardise",
        "prior_consent_of_contact_points",
        "in_cross_border_operation",
    ] {
        used.push(format!("compose.fact.{fact}"));
    }
    for key in used {
        assert!(en.contains(&key), "the key `{key}` is used but not translated");
    }
}

#[test]
fn the_treaty_guide_explains_every_article_the_engine_can_cite_in_every_language() {
    use node::http::web::guide;
    // Every treaty article with rules, the annexes and the directives' articles the rules cite.
    let mut keys: Vec<String> = treaty::coverage::ARTICLES.iter().map(|(n, _)| n.to_string()).collect();
    keys.extend(["1", "2", "3", "annex5", "annex6", "2023/977:5", "2023/977:6"].map(str::to_owned));
    for key in &keys {
        assert!(
            guide::explains(key),
            "the guide does not explain `{key}` in nl, fr and en"
        );
    }
    // References as decisions write them.
    assert_eq!(guide::key_of("6(4)(a)"), "6");
    assert_eq!(guide::key_of("2023/977:6(a)"), "2023/977:6");
    let cited = guide::cite("10(3)", Tr::new("nl"));
    assert_eq!(cited.label, "Art. 10(3)");
    assert_eq!(cited.href, "/guide#art-10");
    assert_eq!(cited.title, "Doelbinding en verdere verwerking voor andere doeleinden");
    assert!(cited.summary.contains("bewijs"), "{}", cited.summary);
    assert_eq!(
        guide::cite("2023/977:6(a)", Tr::new("fr")).href,
        "/guide#art-2023-977-6"
    );
    assert!(guide::cite("10(3)", Tr::new("fr")).title.starts_with("Finalité"));
}

async fn net() -> (tempfile::TempDir, network::DemoNetwork) {
    crate::support::start().await
}

/// Logs in through the log-in page as a browser does: the page first (its form token and
/// cookie), then the form with them.
pub(crate) async fn web_login(http: &reqwest::Client, base: &str, user: &str, password: &str) -> reqwest::Response {
    let page = http.get(format!("{base}/login")).send().await.expect("log-in page");
    let cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("grens_login="))
        .and_then(|c| c.split(';').next())
        .expect("the log-in form's cookie")
        .to_owned();
    let html = page.text().await.expect("html");
    let token = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the log-in form's token")
        .to_owned();
    http.post(format!("{base}/login"))
        .header("cookie", cookie)
        .form(&[("username", user), ("password", password), ("csrf", token.as_str())])
        .send()
        .await
        .expect("log in")
}

pub(crate) fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("grens_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// Every `.route("path", method(handler)…)` of a router source file, with its methods: read from
/// the source so that a route added later cannot be left out of the anonymous-refusal test.
fn routes_in(file: &str) -> Vec<(String, Vec<String>)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).expect("router source");
    let mut routes = Vec::new();
    for part in text.split(".route(").skip(1) {
        let Some(rest) = part.trim_start().strip_prefix('"') else {
            continue;
        };
        let Some((route, tail)) = rest.split_once('"') else {
            continue;
        };
        // The call ends at the first `)` that closes `.route(`: methods are `get(`, `.post(` ….
        let call = tail.split("\n").next().unwrap_or_default();
        let methods = ["get", "post", "delete"]
            .iter()
            .filter(|m| call.contains(&format!("{m}(")))
            .map(|m| (*m).to_owned())
            .collect();
        routes.push((
            route
                .replace("{id}", "x")
                .replace("{code}", "nl")
                .replace("{length}", "1")
                .replace("{reference}", "HIT-x"),
            methods,
        ));
    }
    routes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_refuses_an_anonymous_user_except_log_in_and_static_files() {
    let (_dir, net) = net().await;
    let node = net.node("NL").expect("NL");
    let http = node::officer_client::browser_like(&net.ca_pem, Policy::none()).expect("client");
    let base = &node.api_url;
    // Open to anyone: the log-in page and form, the language switch, static files, health, the
    // OpenAPI document, and the API's log-in.
    let open = |method: &str, route: &str| {
        route == "/login"
            || route.starts_with("/lang/")
            || route.starts_with("/static/")
            || route == "/healthz"
            || route == "/readyz"
            || route == "/api/openapi.json"
            || (route == "/api/v1/session" && method == "post")
    };
    let pages = routes_in("src/http/web/mod.rs");
    let api = routes_in("src/http/api/mod.rs");
    assert!(
        pages.len() >= 25 && api.len() >= 15,
        "the routes were read: {pages:?} {api:?}"
    );
    let mut checked = 0;
    for (route, methods) in pages.iter().chain(&api) {
        // The metrics are for machines: refused with 401 like the API, not sent to the log-in page.
        let is_api = route.starts_with("/api/") || route == "/metrics";
        for method in methods {
            let url = format!("{base}{route}");
            let r = match method.as_str() {
                "get" => http.get(&url).send().await,
                "delete" => http.delete(&url).send().await,
                _ if is_api => http.post(&url).body("{}").send().await,
                _ => http.post(&url).form(&[("csrf", "x")]).send().await,
            }
            .expect("request");
            if open(method, route) {
                assert_ne!(r.status(), StatusCode::UNAUTHORIZED, "{method} {route} is open");
                continue;
            }
            if is_api {
                assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {route}");
            } else {
                assert_eq!(r.status(), StatusCode::SEE_OTHER, "{method} {route}");
                assert_eq!(r.headers()["location"], "/login", "{method} {route}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 38, "{checked} routes checked");
    for path in [
        "/login",
        "/static/grens.css",
        "/static/grens.js",
        "/static/htmx.min.js",
        "/healthz",
        "/readyz",
        "/api/openapi.json",
    ] {
        let r = http.get(format!("{base}{path}")).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_logs_in_switches_language_previews_and_sends_a_request() {
    let (_dir, net) = net().await;
    let node = net.node("NL").expect("NL");
    let http = node::officer_client::browser_like(&net.ca_pem, Policy::none()).expect("client");
    let base = &node.api_url;
    // A wrong password: the page says so, 401.
    let r = web_login(&http, base, "nl.oostbrabant", "wrong").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let login = web_login(&http, base, "nl.oostbrabant", &demo_password("nl.oostbrabant")).await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    let set = login.headers()["set-cookie"].to_str().expect("ascii").to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("Secure") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let cookie = session_cookie(&login);
    let inbox = http
        .get(format!("{base}/"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(inbox.status(), StatusCode::OK);
    let csp = inbox.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let html = inbox.text().await.expect("html");
    assert!(html.contains("Postvak"), "the NL officer's language is Dutch");
    // Switch to French, then English.
    for (lang, word) in [("fr", "Boîte de réception"), ("en", "Inbox")] {
        let r = http
            .get(format!("{base}/lang/{lang}?back=/"))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let lang_cookie = r.headers()["set-cookie"]
            .to_str()
            .expect("ascii")
            .split(';')
            .next()
            .expect("cookie")
            .to_owned();
        let page = http
            .get(format!("{base}/"))
            .header("cookie", format!("{cookie}; {lang_cookie}"))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("html");
        assert!(
            page.contains(word) && page.contains(&format!("lang=\"{lang}\"")),
            "{lang}"
        );
    }
    // An open redirect is not possible.
    let r = http
        .get(format!("{base}/lang/en?back=//evil.example"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.headers()["location"], "/");
    // Compose: the CSRF token is required.
    let form = |csrf: &str, action: &str| {
        vec![
            ("csrf", csrf.to_owned()),
            ("action", action.to_owned()),
            ("kind", "request".to_owned()),
            ("to_party", "BE".to_owned()),
            ("to_unit", String::new()),
            ("via", "ncp".to_owned()),
            ("purpose", "criminal".to_owned()),
            ("surname", "Janssens".to_owned()),
            ("given", "Jan".to_owned()),
            ("birth", "1984-03-12".to_owned()),
            ("plate", "1-ABC-123".to_owned()),
            ("text", "antecedents?".to_owned()),
        ]
    };
    let r = http
        .post(format!("{base}/compose"))
        .header("cookie", &cookie)
        .form(&form("forged", "preview"))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = http
        .get(format!("{base}/compose"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf field")
        .to_owned();
    let preview = http
        .post(format!("{base}/compose"))
        .header("cookie", &cookie)
        .form(&form(&csrf, "preview"))
        .send()
        .await
        .expect("post");
    let html = preview.text().await.expect("html");
    assert!(
        html.contains("Art. 6(1)") && html.contains("Art. 4(1)"),
        "the preview shows the articles"
    );
    // A direct exchange without a ground is explained, not sent.
    let mut direct = form(&csrf, "send");
    direct[5].1 = "direct".into();
    let refused = http
        .post(format!("{base}/compose"))
        .header("cookie", &cookie)
        .form(&direct)
        .send()
        .await
        .expect("post")
        .text()
        .await
        .expect("html");
    assert!(refused.contains("Art. 6(4)"), "{refused}");
    let sent = http
        .post(format!("{base}/compose"))
        .header("cookie", &cookie)
        .form(&form(&csrf, "send"))
        .send()
        .await
        .expect("post");
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let location = sent.headers()["location"].to_str().expect("ascii").to_owned();
    let message = http
        .get(format!("{base}{location}"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(message.status(), StatusCode::OK);
    assert!(message.text().await.expect("html").contains("Janssens"));
}

/// A logged-in browser-like session: its cookie and CSRF token (read from a page).
struct Session {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

impl Session {
    async fn open(net: &network::DemoNetwork, party: &str, user: &str) -> Session {
        let node = net.node(party).expect("node");
        let http = node::officer_client::browser_like(&net.ca_pem, Policy::none()).expect("client");
        let base = node.api_url.clone();
        let login = web_login(&http, &base, user, &demo_password(user)).await;
        assert_eq!(login.status(), StatusCode::SEE_OTHER, "{user} logs in");
        let cookie = format!("{}; grens_lang=en", session_cookie(&login));
        let mut s = Session {
            http,
            base,
            cookie,
            csrf: String::new(),
        };
        let page = s.get("/").await.1;
        s.csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|x| x.split('"').next())
            .expect("a CSRF token on the page")
            .to_owned();
        s
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("get");
        (r.status(), r.text().await.expect("body"))
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        let mut form: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(&form)
            .send()
            .await
            .expect("post");
        let location = r
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (r.status(), location, r.text().await.expect("body"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_keep_agreements_contact_points_and_accounts_and_others_may_not() {
    let (_dir, net) = net().await;
    let admin = Session::open(&net, "BE", "be.admin").await;
    let (status, page) = admin.get("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("BE-NCP") && page.contains("SICAD Antwerpen"),
        "nodes and profile contact points"
    );
    // Each node with the agreements the directory lists it under.
    assert!(
        page.contains("<td>BE</td><td>benelux-2018</td>"),
        "the nodes' agreements: {}",
        page.split("BE-NCP")
            .nth(1)
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect::<String>()
    );

    // An agreement: refused with the reason named, then recorded.
    let agreement = |db: &'static str, from: &'static str| {
        vec![
            ("reference", "BE-NL-14"),
            ("title", "Hit/no-hit BE–NL"),
            ("parties", "BE, NL"),
            ("articles", "14"),
            ("databases", db),
            ("in_force_from", from),
            ("in_force_until", ""),
        ]
    };
    let (status, _, page) = admin
        .post("/admin/agreements", &agreement("ANG, NOPE", "2025-01-01"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("NOPE is in neither annex 5 nor annex 6"), "{page}");
    let (status, _, page) = admin.post("/admin/agreements", &agreement("ANG", "2025-13-01")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("in_force_from: &#39;2025-13-01&#39; is not a date"),
        "{page}"
    );
    let (status, location, _) = admin
        .post("/admin/agreements", &agreement("ANG, BVH", "2025-01-01"))
        .await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/admin"));
    let page = admin.get("/admin").await.1;
    assert!(
        page.contains("BE-NL-14") && page.contains("in force today"),
        "the agreement is listed in force"
    );

    // A contact point and an account; the new officer can log in at once.
    let (status, _, _) = admin
        .post(
            "/admin/contacts",
            &[
                ("party", "BE"),
                ("unit", "CIC Limburg"),
                ("kind", "regional_contact_point"),
                ("phone", "+32 11 00 00 00"),
                ("email", "cic.limburg@police.example"),
                ("hours", "24/7"),
                ("languages", "nl, fr"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = admin
        .post(
            "/admin/users",
            &[
                ("username", "be.limburg"),
                ("display_name", "Inspecteur Limburg"),
                ("unit", "Limburg"),
                ("region", "Limburg"),
                ("role_officer", "on"),
                ("language", "nl"),
                ("password", "grens-be.limburg"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let page = admin.get("/admin").await.1;
    assert!(page.contains("cic.limburg@police.example") && page.contains("be.limburg"));
    let officer = Session::open(&net, "BE", "be.limburg").await;
    // Not an administrator: refused on the server, with the role named.
    let (status, page) = officer.get("/admin").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("admin"), "{page}");
    let (status, _, _) = officer.post("/admin/agreements", &agreement("ANG", "2025-01-01")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A password under 8 characters is refused by name.
    let (status, _, page) = admin
        .post(
            "/admin/users",
            &[
                ("username", "be.short"),
                ("display_name", "x"),
                ("unit", "Antwerpen"),
                ("role_officer", "on"),
                ("language", "nl"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("at least 8 characters"), "{page}");
    // No unit: refused, not made a contact-point account (`NCP`) by default.
    let (status, _, page) = admin
        .post(
            "/admin/users",
            &[
                ("username", "be.nounit"),
                ("display_name", "No unit"),
                ("role_officer", "on"),
                ("language", "nl"),
                ("password", "long enough pw"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("unit: empty"), "{page}");

    // Every change is in the journal; the DPO finds them by operation and exports them.
    let dpo = Session::open(&net, "BE", "be.dpo").await;
    let (status, page) = dpo.get("/audit?operation=alteration").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("implementing agreement BE-NL-14 recorded")
            && page.contains("contact point BE/CIC Limburg recorded")
            && page.contains("account be.limburg recorded"),
        "{page}"
    );
    let (status, page) = dpo.get("/audit?from=2020-02-30").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("from: &#39;2020-02-30&#39; is not a date"), "{page}");
    let r = dpo
        .http
        .get(format!("{}/audit/export?operation=alteration&actor=be.admin", dpo.base))
        .header("cookie", &dpo.cookie)
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .contains("journal-BE-NCP.csv"));
    let csv = r.text().await.expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("seq,at,operation,actor"), "{csv}");
    assert_eq!(lines.len(), 1 + 3, "header and the admin's three alterations: {csv}");
    // The export itself is journaled.
    let page = dpo.get("/audit?operation=consultation&actor=be.dpo").await.1;
    assert!(page.contains("journal exported"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisors_grant_and_revoke_named_authorisations_in_the_page_and_officers_may_not() {
    let (_dir, net) = net().await;
    let supervisor = Session::open(&net, "BE", "be.supervisor").await;
    let (status, page) = supervisor.get("/authorisations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("ANG") && page.contains("grant-form"), "{page}");
    let now = jiff::Timestamp::now().to_string();
    let (status, _, page) = supervisor
        .post(
            "/authorisations",
            &[
                ("article", "15"),
                ("officer", "NL/nl.zwb"),
                ("database", "KBO"),
                ("valid_from", now.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("annex 6 does not list KBO"), "{page}");
    let (status, location, _) = supervisor
        .post(
            "/authorisations",
            &[
                ("article", "15"),
                ("officer", "NL/nl.zwb"),
                ("database", "ANG"),
                ("valid_from", now.as_str()),
                ("hour_from", "8"),
                ("hour_until", "20"),
                ("daily_limit", "25"),
            ],
        )
        .await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/authorisations"));
    let page = supervisor.get("/authorisations").await.1;
    assert!(
        page.contains("NL/nl.zwb") && page.contains("8:00–20:00") && page.contains("25/"),
        "{page}"
    );
    let id = page
        .split("action=\"/authorisations/")
        .nth(1)
        .and_then(|x| x.split('/').next())
        .expect("a revoke form")
        .to_owned();
    let (status, _, _) = supervisor.post(&format!("/authorisations/{id}/revoke"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        !supervisor.get("/authorisations").await.1.contains("class=\"revoke\""),
        "revoked"
    );
    let officer = Session::open(&net, "BE", "be.operator").await;
    assert_eq!(officer.get("/authorisations").await.0, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_consults_a_partner_register_from_the_query_page_and_reads_the_answer_in_the_inbox() {
    let (_dir, net) = net().await;
    let officer = Session::open(&net, "NL", "nl.oostbrabant").await;
    let page = officer.get("/query").await.1;
    assert!(
        page.contains("consult-form") && page.contains("BE/RIJKSREGISTER"),
        "{page}"
    );
    let (status, location, _) = officer
        .post(
            "/consult",
            &[
                ("database", "BE/RIJKSREGISTER"),
                ("article", "17"),
                ("surname", "Janssens"),
                ("given", "Jan"),
                ("birth", "1984-03-12"),
                ("case_reference", "address check"),
            ],
        )
        .await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/"));
    // No agreement for Art. 17 in this network: BE's node refuses, and says why.
    let refused = Tr::new("en").get("kind.consult_refusal").to_owned();
    let mut inbox = String::new();
    for _ in 0..100 {
        inbox = officer.get("/").await.1;
        if inbox.contains(&refused) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let link = inbox
        .split(&format!(">{refused}<"))
        .next()
        .and_then(|head| head.rsplit("/messages/").next())
        .and_then(|tail| tail.split('"').next())
        .expect("the refusal in the inbox")
        .to_owned();
    let answer = officer.get(&format!("/messages/{link}")).await.1;
    assert!(answer.contains("no implementing agreement"), "{answer}");
    // A malformed date is named, nothing is sent.
    let (status, _, page) = officer
        .post(
            "/consult",
            &[
                ("database", "BE/ANG"),
                ("article", "15"),
                ("surname", "X"),
                ("birth", "1984-02-30"),
                ("case_reference", "x"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("birth_date: &#39;1984-02-30&#39;"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operations_board_shows_a_pursuit_and_its_release_countdown_on_both_sides() {
    let (_dir, net) = net().await;
    let nl = Session::open(&net, "NL", "nl.oostbrabant").await;
    let be = Session::open(&net, "BE", "be.operator").await;
    let (status, location, _) = nl
        .post(
            "/operations/pursuits",
            &[
                ("host", "BE"),
                ("medium", "land"),
                ("started_in_own_territory", "yes"),
                (
                    "text",
                    "grey Audi A4 1-ABC-123, ram raid Eindhoven; crossing at Hazeldonk",
                ),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    // The officer lands on the operation's own page.
    let id = location
        .trim_start_matches("/operations/")
        .split('#')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(id.starts_with("OP-NL-"), "{location}");
    // BE's board: the operation, on its territory; BE records the detention in the form.
    let mut page = String::new();
    for _ in 0..100 {
        page = be.get("/operations").await.1;
        if page.contains(&id) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(page.contains(&id) && page.contains("on our territory"), "{page}");
    let (status, _, _) = be
        .post(
            &format!("/operations/{id}/events"),
            &[("event", "detained"), ("text", "driver held at Meer"), ("at", "")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // NL's board: the live countdown to the release instant of Art. 21(3).
    let mut seen = false;
    for _ in 0..100 {
        let page = nl.get("/operations").await.1;
        if page.contains("time class=\"countdown\"") && page.contains("21(3)") {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(seen, "NL's board shows the release countdown");
    // The host's events are refused to the sending side, by article.
    let (status, _, page) = nl
        .post(
            &format!("/operations/{id}/events"),
            &[("event", "eaw_received"), ("text", ""), ("at", "")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("21(3)"), "{page}");
    // The Art. 65 evaluation counts it, with its charts; an officer may not see it; a bad date is
    // named.
    let supervisor = Session::open(&net, "BE", "be.supervisor").await;
    let (status, page) = supervisor.get("/reports/art65").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("id=\"operations-by-pair\"") && page.contains("NL → BE") && page.contains("<rect"),
        "{page}"
    );
    // The same evaluation as a PDF, read back by a real PDF reader (poppler's pdftotext; .ci/run
    // installs it) — the pair and the kind of operation in the text.
    let (status, pdf) = supervisor.get("/reports/art65.pdf").await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with("%PDF-1.4") && pdf.trim_end().ends_with("%%EOF"));
    let file = _dir.path().join("art65.pdf");
    std::fs::write(&file, &pdf).expect("pdf");
    let out = std::process::Command::new("pdftotext")
        .args([file.to_str().expect("utf-8"), "-"])
        .output()
        .expect("pdftotext is not installed: `apt-get install poppler-utils` (.ci/run does)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Art. 65") && text.contains("NL -> BE"), "{text}");
    assert!(
        ["nl", "fr", "en"]
            .iter()
            .any(|l| text.contains(node::http::web::Tr::new(l).get("operations.kind.pursuit"))),
        "{text}"
    );
    let (status, page) = supervisor.get("/reports/art65?from=2026-02-30").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("from: &#39;2026-02-30&#39; is not a date"), "{page}");
    let (status, _) = nl.get("/reports/art65").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_observation_is_asked_from_the_start_form_and_granted_with_its_hours_from_the_board() {
    let (_dir, net) = net().await;
    let be = Session::open(&net, "BE", "be.operator").await;
    let nl = Session::open(&net, "NL", "nl.operator").await;
    let page = be.get("/operations").await.1;
    assert!(
        page.matches("id=\"start-form\"").count() == 1 && page.contains("data-kinds=\"observation\""),
        "{page}"
    );
    let title = page
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_default();
    assert!(!title.contains('<'), "the title is text: {title}");
    // Without the MLA reference the request is refused, by article, on the page.
    let form = |reference: &'static str| {
        vec![
            ("kind", "observation"),
            ("partner", "NL"),
            ("f.criminal_investigation", "yes"),
            ("f.offence_extraditable", "yes"),
            ("f.prior_authorisation", "yes"),
            ("f.technical_means", "yes"),
            ("f.mla_reference", reference),
            // A field of another kind is ignored.
            ("f.acute_danger", "yes"),
            ("shielded", "Hoofdinspecteur Anna Claes"),
            ("text", "Observation of a courier between Antwerp and Breda"),
        ]
    };
    let (status, _, page) = be.post("/operations/start", &form("")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("22(1)"), "{page}");
    let (status, location, _) = be.post("/operations/start", &form("MLA/BE/2026/0412")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    // The officer lands on the operation's own page.
    let id = location
        .trim_start_matches("/operations/")
        .split('#')
        .next()
        .unwrap_or_default()
        .to_owned();
    let mut page = String::new();
    for _ in 0..100 {
        page = nl.get(&format!("/operations/{id}")).await.1;
        if page.contains("BE-SH-") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The board lists it; its own page shows the pseudonym and the answer awaited.
    assert!(nl.get("/operations").await.1.contains(&id));
    assert!(
        page.contains("awaiting the answer") && page.contains("BE-SH-"),
        "{page}"
    );
    assert!(!page.contains("Anna Claes"), "the shielded name stays in BE");
    // NL grants from its board: 6 hours, without the technical means (22(9)).
    let (status, _, page) = nl
        .post(
            &format!("/operations/{id}/events"),
            &[
                ("event", "granted"),
                ("text", "Authorised by the OvJ, without technical means"),
                ("terms", "yes"),
                ("authorised_hours", "6"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let mut page = String::new();
    for _ in 0..100 {
        page = be.get(&format!("/operations/{id}")).await.1;
        if page.contains("0 / 6 h") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(page.contains("0 / 6 h") && page.contains("request granted"), "{page}");
    assert!(
        page.contains("Anna Claes"),
        "BE sees its own officer's name beside the pseudonym"
    );
}
