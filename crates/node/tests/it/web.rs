//! The officers' web pages over real HTTPS against the demo network: translations, anonymous
//! refusal on every route, cookies, CSRF, security headers, and the main pages.

use node::network::{self, demo_password, Ports, Stores};
use node::web::{Tr, LANGUAGES};
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
    ] {
        used.push(format!("use.{u}"));
    }
    for key in used {
        assert!(en.contains(&key), "the key `{key}` is used but not translated");
    }
}

async fn net() -> (tempfile::TempDir, network::DemoNetwork) {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = network::start(dir.path(), [Ports { inbox: 0, api: 0 }; 3], &Stores::Sqlite)
        .await
        .expect("network");
    (dir, net)
}

fn session_cookie(response: &reqwest::Response) -> String {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_refuses_an_anonymous_user_except_log_in_and_static_files() {
    let (_dir, net) = net().await;
    let node = net.node("NL").expect("NL");
    let http = node::officer_client::browser_like(&net.ca_pem, Policy::none()).expect("client");
    let base = &node.api_url;
    for path in [
        "/",
        "/compose",
        "/audit",
        "/messages/01a20a6a-d006-7286-8eac-0a786bcb5bd6",
    ] {
        let r = http.get(format!("{base}{path}")).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "GET {path}");
        assert_eq!(r.headers()["location"], "/login", "GET {path}");
    }
    for path in [
        "/logout",
        "/compose",
        "/messages/x/use",
        "/messages/x/consent-request",
        "/messages/x/reply",
        "/messages/x/consent",
    ] {
        let r = http
            .post(format!("{base}{path}"))
            .form(&[("csrf", "x")])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "POST {path}");
    }
    for path in [
        "/api/v1/me",
        "/api/v1/inbox",
        "/api/v1/messages/x",
        "/api/v1/journal",
        "/api/v1/journal/verify",
        "/api/v1/checkpoints/verify",
    ] {
        let r = http.get(format!("{base}{path}")).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "GET {path}");
    }
    for path in [
        "/api/v1/messages",
        "/api/v1/messages/x/reply",
        "/api/v1/messages/x/use",
        "/api/v1/messages/x/consent-request",
        "/api/v1/messages/x/consent",
        "/api/v1/messages/x/feedback-request",
        "/api/v1/messages/x/feedback",
        "/api/v1/oral",
        "/api/v1/checkpoints",
        "/api/v1/users",
    ] {
        let r = http
            .post(format!("{base}{path}"))
            .body("{}")
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "POST {path}");
    }
    for path in ["/login", "/static/grens.css", "/healthz", "/api/openapi.json"] {
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
    let r = http
        .post(format!("{base}/login"))
        .form(&[("username", "nl.oostbrabant"), ("password", "wrong")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let login = http
        .post(format!("{base}/login"))
        .form(&[
            ("username", "nl.oostbrabant"),
            ("password", demo_password("nl.oostbrabant").as_str()),
        ])
        .send()
        .await
        .expect("post");
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
