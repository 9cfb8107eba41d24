//! The web admin over loopback against the built binary: sign-in required, wrong
//! credentials refused, CSRF checked on every POST, each page rendered, each action
//! done (and seen through the JSON API or a real client where it matters).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use std::net::SocketAddr;

use common::Instance;
use common::http::Browser;

/// Nothing answers DNS there: lookups fail at once, no traffic leaves the machine.
fn no_dns() -> SocketAddr {
    "127.0.0.1:9".parse().unwrap()
}

/// Fast keys for a debug build (RSA key generation takes seconds there).
const ED25519_ONLY: &str = "\n[dkim]\nalgorithms = [\"ed25519\"]\n";

fn started(name: &str, domain: &str, dns: SocketAddr, extra: &str) -> Instance {
    let mut instance = Instance::prepare(name, domain, dns, 9, extra);
    instance.start();
    instance
}

#[test]
fn sign_in_is_required_and_checked() {
    let server = started("web-auth", "example.org", no_dns(), ED25519_ONLY);
    server.add_user("boss@example.org", "boss-password-1");
    server.add_user("clerk@example.org", "clerk-password-1");
    let mut browser = Browser::new(server.ports.admin);

    // Nothing without a session: pages and actions go to the sign-in form.
    for path in ["/", "/queue", "/domains", "/users", "/aliases", "/search"] {
        let answer = browser.get(path);
        assert_eq!(answer.status, 303, "{path}");
        assert_eq!(answer.header("location"), Some("/login"), "{path}");
    }
    let answer = browser.post("/logout", &[("csrf", "x")]);
    assert_eq!(answer.status, 303);
    assert_eq!(browser.get("/static/app.css").status, 200);
    assert_eq!(
        browser.get("/favicon.ico").status,
        404,
        "unknown paths are no page"
    );

    // The sign-in form sets its token cookie; posting without it is refused.
    let form = browser.get("/login");
    assert_eq!(form.status, 200);
    let cookie = form.set_cookies().join("\n");
    assert!(
        cookie.contains("ms_login=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        form.header("content-security-policy")
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let csrf = form.csrf();
    assert_eq!(browser.get("/login").csrf(), csrf, "the form token is kept");
    let answer = browser.post("/login", &[("csrf", "forged"), ("secret", &server.token)]);
    assert_eq!(answer.status, 403, "{}", answer.body);

    // Wrong token, wrong password, a user who is not an admin: 401 with the form.
    for (user, secret) in [
        ("", "not-the-token-0123456789"),
        ("boss@example.org", "wrong-password"),
        ("clerk@example.org", "clerk-password-1"),
        ("nobody@example.org", "x"),
    ] {
        let answer = browser.post(
            "/login",
            &[("csrf", &csrf), ("user", user), ("secret", secret)],
        );
        assert_eq!(answer.status, 401, "{user}");
        assert!(
            answer.body.contains("Wrong token, address or password."),
            "{}",
            answer.body
        );
        assert!(!browser.cookies.contains_key("ms_session"));
    }
    assert_eq!(browser.get("/").status, 303);

    // The token signs in; the session cookie is HttpOnly and SameSite=Strict.
    let answer = browser.post(
        "/login",
        &[("csrf", &csrf), ("user", ""), ("secret", &server.token)],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    let cookie = answer.set_cookies().join("\n");
    assert!(
        cookie.contains("ms_session=") && cookie.contains("HttpOnly; SameSite=Strict"),
        "{cookie}"
    );
    let dashboard = browser.get("/");
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("<h1>Dashboard") && dashboard.body.contains("admin token"));
    assert!(dashboard.body.contains("<svg class=\"chart\""));
    assert!(dashboard.body.contains("id=\"flow-hour\""));
    assert_eq!(browser.get("/login").status, 303, "signed in already");

    // The JSON API keeps its bearer token: a session cookie is not enough.
    let answer = browser.get("/api/status");
    assert_eq!(answer.status, 401);

    // Sign-out needs the CSRF token: missing or wrong is 403, right ends the session.
    let csrf = dashboard.csrf();
    assert_eq!(browser.post("/logout", &[]).status, 403);
    assert_eq!(browser.post("/logout", &[("csrf", "wrong")]).status, 403);
    assert_eq!(browser.get("/").status, 200, "still signed in");
    let answer = browser.post("/logout", &[("csrf", &csrf)]);
    assert_eq!(answer.status, 303);
    assert_eq!(browser.get("/").status, 303, "signed out");

    // An admin user signs in with the mail password.
    let mut boss = Browser::new(server.ports.admin);
    boss.sign_in("boss@example.org", "boss-password-1");
    let page = boss.get("/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("boss@example.org"));
    // A stolen-looking cookie value is no session.
    let mut forger = Browser::new(server.ports.admin);
    forger
        .cookies
        .insert("ms_session".to_owned(), "made-up".to_owned());
    assert_eq!(forger.get("/").status, 303);

    // Ten failures from one address within the window: then even the right token is
    // refused with 429 (the signed-in sessions go on).
    let mut guesser = Browser::new(server.ports.admin);
    let csrf = guesser.get("/login").csrf();
    for attempt in 0..10 {
        let secret = format!("guess-{attempt}-0123456789");
        let answer = guesser.post("/login", &[("csrf", &csrf), ("secret", &secret)]);
        assert_eq!(answer.status, 401, "attempt {attempt}");
    }
    let answer = guesser.post(
        "/login",
        &[("csrf", &csrf), ("user", ""), ("secret", &server.token)],
    );
    assert_eq!(answer.status, 429, "{}", answer.body);
    assert!(answer.body.contains("Too many failed sign-ins"));
    assert!(!guesser.cookies.contains_key("ms_session"));
    assert_eq!(boss.get("/").status, 200);
}

#[test]
fn over_tls_the_session_cookie_is_secure() {
    let mut server = Instance::prepare("web-tls", "example.org", no_dns(), 9, ED25519_ONLY);
    let config = std::fs::read_to_string(server.config_path()).unwrap();
    std::fs::write(
        server.config_path(),
        config.replace("[admin]\n", "[admin]\ntls = true\n"),
    )
    .unwrap();
    server.start();
    let url = format!("https://127.0.0.1:{}", server.ports.admin);
    let curl = |args: &[&str]| {
        let out = std::process::Command::new("curl")
            .args(["-sk", "-i", "--max-time", "20"])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let form = curl(&[&format!("{url}/login")]);
    assert!(form.starts_with("HTTP/1.1 200"), "{form}");
    let cookie = form
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie: ms_login="))
        .unwrap();
    assert!(cookie.trim_end().ends_with("; Secure"), "{cookie}");
    let token = cookie.split_once('=').unwrap().1.split(';').next().unwrap();
    let signed_in = curl(&[
        "-H",
        &format!("Cookie: ms_login={token}"),
        "--data-urlencode",
        &format!("csrf={token}"),
        "--data-urlencode",
        &format!("secret={}", server.token),
        &format!("{url}/login"),
    ]);
    assert!(signed_in.starts_with("HTTP/1.1 303"), "{signed_in}");
    assert!(
        signed_in.contains("ms_session=")
            && signed_in.contains("SameSite=Strict; Max-Age=28800; Secure"),
        "{signed_in}"
    );
    // The JSON API answers over TLS too, and plain HTTP gets nothing.
    let status = curl(&[
        "-H",
        &format!("Authorization: Bearer {}", server.token),
        &format!("{url}/api/status"),
    ]);
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    let plain = curl(&[&format!("http://127.0.0.1:{}/login", server.ports.admin)]);
    assert!(!plain.starts_with("HTTP/1.1 200"), "{plain}");
}
