//! Every web admin page rendered and every action done, over loopback against the
//! built binary, with a DNS server in the test (for "check DNS" and MX routing) and
//! Python's smtplib and imaplib as the mail clients: domains (add, records, check
//! DNS: correct, different, missing), users (create, password, quota, delete),
//! aliases, search and one message (escaped), the queue (filters, detail, hold,
//! release, retry, bounce, delete) and the dashboard's counts and errors. Bad form
//! fields get the error page with 400; a POST without the CSRF token gets 403.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed unwrap is a failed test"
)]

mod common;

use common::http::{Answer, Browser};
use common::{Instance, ZoneLine, free_port, python, wait_until};

fn line(name: &str, kind: &str, value: &str) -> ZoneLine {
    (name.to_owned(), kind.to_owned(), value.to_owned())
}

/// Inbound mail for carol with markup in the subject and body.
const SEND_IN: &str = r#"
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.sendmail("sender@outside.test", ["carol@example.net"],
    b"From: Sender <sender@outside.test>\r\nTo: carol@example.net\r\nSubject: Quarterly <b>report</b>\r\n\r\n"
    b"The pineapple figures <script>alert(1)</script> are in.\r\n")
s.quit()
print("sent")
"#;

/// Two messages from carol to a remote domain whose MX does not answer.
const SEND_OUT: &str = r#"
import smtplib, ssl, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.starttls(context=ssl._create_unverified_context())
s.login("carol@example.net", sys.argv[2])
for subject in ("stuck one", "stuck two"):
    s.sendmail("carol@example.net", ["bob@remote.test"],
        ("From: carol@example.net\r\nTo: bob@remote.test\r\nSubject: %s\r\n\r\nwaiting\r\n" % subject).encode())
s.quit()
print("queued")
"#;

/// The body of a form field's page, asserting the status.
fn expect(answer: Answer, status: u16, what: &str) -> String {
    assert_eq!(answer.status, status, "{what}: {}", answer.body);
    answer.body
}

/// The first queue id linked from a page.
fn queue_ids(page: &str) -> Vec<String> {
    page.split("<a href=\"/queue/")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_and_actions_work() {
    let closed = free_port();
    let zone = vec![
        line("example.net.", "MX", "10 mx.example.org."),
        line("example.net.", "TXT", "\"v=spf1 -all\""),
        line("remote.test.", "MX", "10 mx.remote.test."),
        line("mx.remote.test.", "A", "127.0.0.1"),
    ];
    let (dns, server) = common::dns_server(&["example.net", "remote.test"], &zone).await;
    let _dns = server;
    let mut instance = Instance::prepare(
        "web-pages",
        "example.org",
        dns,
        closed,
        "\n[dkim]\nalgorithms = [\"ed25519\"]\n",
    );
    instance.start();
    let mut b = Browser::new(instance.ports.admin);
    b.sign_in("", &instance.token);
    let csrf = b.get("/").csrf();

    // Domains: add, see the records, check them against the DNS server.
    let page = expect(b.get("/domains"), 200, "domains");
    assert!(page.contains(">example.org</a>"));
    let added = b.post("/domains", &[("csrf", &csrf), ("name", "Example.NET")]);
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(added.header("location"), Some("/domains/example.net"));
    let page = expect(b.get("/domains/example.net"), 200, "domain page");
    assert!(page.contains("Added example.net"), "flash");
    assert!(page.contains("ed1._domainkey.example.net."));
    assert!(page.contains("_dmarc.example.net."));
    let page = expect(
        b.post("/domains/example.net/check", &[("csrf", &csrf)]),
        200,
        "check",
    );
    let verdicts: Vec<&str> = page
        .split("class=\"status-")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert_eq!(
        verdicts,
        ["correct", "different", "missing", "missing"],
        "{page}"
    );
    assert!(
        page.contains("v=spf1 -all"),
        "the different record is shown"
    );
    expect(b.post("/domains", &[("csrf", &csrf)]), 400, "no name");
    let bad = expect(
        b.post("/domains", &[("csrf", &csrf), ("name", "bad name!")]),
        400,
        "bad name",
    );
    assert!(bad.contains("class=\"error\""));
    expect(b.get("/domains/nowhere.test"), 404, "unknown domain");

    // Users: create (with and without a password), change, delete.
    let made = b.post(
        "/users",
        &[
            ("csrf", &csrf),
            ("address", "carol@example.net"),
            ("password", "carol-password-1"),
            ("quota", "10M"),
        ],
    );
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(made.header("location"), Some("/users/carol@example.net"));
    let page = expect(b.get("/users/carol@example.net"), 200, "user page");
    assert!(page.contains("10.0 MiB") && page.contains("Created carol@example.net."));
    let made = b.post(
        "/users",
        &[("csrf", &csrf), ("address", "dave@example.net")],
    );
    assert_eq!(made.status, 303);
    let page = expect(b.get("/users/dave@example.net"), 200, "dave");
    assert!(page.contains("Its password (shown once): "), "{page}");
    expect(
        b.post(
            "/users",
            &[
                ("csrf", &csrf),
                ("address", "eve@example.net"),
                ("quota", "lots"),
            ],
        ),
        400,
        "bad quota",
    );
    expect(
        b.post(
            "/users",
            &[("csrf", &csrf), ("address", "eve@unknown.test")],
        ),
        400,
        "unknown domain",
    );
    expect(
        b.post(
            "/users",
            &[("csrf", &csrf), ("address", "carol@example.net")],
        ),
        409,
        "exists",
    );
    expect(
        b.post("/users", &[("csrf", &csrf), ("address", "")]),
        400,
        "blank",
    );
    let changed = b.post(
        "/users/carol@example.net/password",
        &[("csrf", &csrf), ("password", "carol-password-2")],
    );
    assert_eq!(changed.status, 303);
    expect(
        b.post("/users/carol@example.net/password", &[("csrf", &csrf)]),
        400,
        "no password",
    );
    let changed = b.post(
        "/users/carol@example.net/quota",
        &[("csrf", &csrf), ("quota", "")],
    );
    assert_eq!(changed.status, 303);
    let page = expect(b.get("/users/carol@example.net"), 200, "carol");
    assert!(page.contains("now has no quota"), "{page}");
    expect(
        b.post(
            "/users/carol@example.net/quota",
            &[("csrf", &csrf), ("quota", "-1")],
        ),
        400,
        "bad quota",
    );
    assert_eq!(
        b.post("/users/dave@example.net/delete", &[("csrf", &csrf)])
            .status,
        303
    );
    expect(b.get("/users/dave@example.net"), 404, "deleted");
    let list = expect(b.get("/users"), 200, "users");
    assert!(list.contains(">carol@example.net</a>") && !list.contains(">dave@example.net</a>"));
    expect(
        b.post("/users", &[("address", "x@example.net")]),
        403,
        "no CSRF token",
    );

    // Aliases and the catch-all.
    assert_eq!(
        b.post(
            "/aliases",
            &[
                ("csrf", &csrf),
                ("source", "sales@example.net"),
                ("target", "carol@example.net")
            ]
        )
        .status,
        303
    );
    assert_eq!(
        b.post(
            "/aliases",
            &[
                ("csrf", &csrf),
                ("source", "@example.net"),
                ("target", "carol@example.net")
            ]
        )
        .status,
        303
    );
    let page = expect(b.get("/aliases"), 200, "aliases");
    assert!(page.contains("sales@example.net") && page.contains("(catch-all)"));
    assert!(expect(b.get("/users/carol@example.net"), 200, "carol").contains("sales@example.net"));
    expect(
        b.post(
            "/aliases",
            &[("csrf", &csrf), ("target", "carol@example.net")],
        ),
        400,
        "no source",
    );
    expect(
        b.post(
            "/aliases",
            &[
                ("csrf", &csrf),
                ("source", "x@example.net"),
                ("target", "nobody@example.net"),
            ],
        ),
        404,
        "no user",
    );
    assert_eq!(
        b.post(
            "/aliases/delete",
            &[
                ("csrf", &csrf),
                ("source", "sales@example.net"),
                ("target", "carol@example.net")
            ]
        )
        .status,
        303
    );
    assert!(!expect(b.get("/aliases"), 200, "aliases").contains("value=\"sales@example.net\""));

    // Search: a message with markup arrives; found by subject, sender, text, date.
    let out = python(SEND_IN, &[&instance.ports.smtp.to_string()]);
    assert!(out.contains("sent"));
    let today = {
        let days = common_days();
        let (y, m, d) = mailwright_server::headers::civil_date(days);
        format!("{y:04}-{m:02}-{d:02}")
    };
    for query in [
        "subject=Quarterly".to_owned(),
        "from=outside.test".to_owned(),
        "text=pineapple".to_owned(),
        format!("since={today}&to=carol"),
    ] {
        let page = expect(
            b.get(&format!("/search?user=carol%40example.net&{query}")),
            200,
            &query,
        );
        assert!(page.contains("id=\"hits\""), "{query}: {page}");
        assert!(!page.contains("<b>report"), "escaped");
    }
    let page = expect(
        b.get("/search?user=carol%40example.net&before=1999-01-01"),
        200,
        "old",
    );
    assert!(page.contains("Nothing found."));
    expect(
        b.get("/search?user=carol%40example.net&since=yesterday"),
        400,
        "bad date",
    );
    expect(
        b.get("/search?user=nobody%40example.net"),
        404,
        "unknown user",
    );
    let page = expect(b.get("/search"), 200, "form only");
    assert!(page.contains(">carol@example.net</option>") && !page.contains("id=\"hits\""));
    let page = expect(
        b.get("/search?user=carol%40example.net&subject=Quarterly"),
        200,
        "search",
    );
    let link = page.split("href=\"/message?").nth(1).unwrap();
    let link = format!("/message?{}", &link[..link.find('"').unwrap()]).replace("&amp;", "&");
    let message = expect(b.get(&link), 200, "message");
    assert!(message.contains("class=\"auth-results\""), "{message}");
    assert!(message.contains("Authentication-Results"));
    assert!(message.contains("The pineapple figures"));
    assert!(!message.contains("<script>alert"), "body escaped");
    assert!(
        message.contains("&#60;script&#62;") || message.contains("&lt;script&gt;"),
        "{message}"
    );
    expect(
        b.get("/message?user=carol%40example.net&mailbox=INBOX&uid=x"),
        400,
        "bad uid",
    );
    expect(
        b.get("/message?user=carol%40example.net&mailbox=INBOX&uid=99"),
        404,
        "no message",
    );
    expect(b.get("/message"), 400, "nothing");

    // The queue: two messages to a domain whose MX refuses connections.
    let out = python(
        SEND_OUT,
        &[&instance.ports.submission.to_string(), "carol-password-2"],
    );
    assert!(out.contains("queued"));
    // The first attempt is refused and deferred; the other message waits for the
    // site's next attempt (pending or deferred).
    assert!(
        wait_until(30, || {
            queue_ids(&b.get("/queue").body).len() == 2
                && !queue_ids(&b.get("/queue?state=deferred").body).is_empty()
        }),
        "{}",
        b.get("/queue").body
    );
    let deferred = queue_ids(&expect(b.get("/queue?state=deferred"), 200, "deferred"));
    let page = expect(b.get("/queue?domain=remote.test&age=new"), 200, "filtered");
    let mut ids = queue_ids(&page);
    assert_eq!(ids.len(), 2);
    ids.sort_by_key(|id| !deferred.contains(id));
    assert!(page.contains("bob@remote.test"));
    assert!(
        page.contains("Connection refused"),
        "last error listed: {page}"
    );
    assert!(queue_ids(&expect(b.get("/queue?age=1d"), 200, "old")).is_empty());
    assert!(queue_ids(&expect(b.get("/queue?age=1h"), 200, "old")).is_empty());
    assert!(queue_ids(&expect(b.get("/queue?domain=elsewhere.test"), 200, "other")).is_empty());
    assert!(queue_ids(&expect(b.get("/queue?state=failed"), 200, "failed")).is_empty());
    expect(b.get("/queue?state=stuck"), 400, "bad state");
    expect(b.get("/queue?age=ancient"), 400, "bad age");
    let entry = expect(b.get(&format!("/queue/{}", ids[0])), 200, "entry");
    assert!(
        entry.contains("Subject: stuck") && entry.contains("st-deferred"),
        "{entry}"
    );
    assert!(entry.contains("Connection refused"), "last error: {entry}");
    expect(b.get("/queue/not-an-id"), 400, "bad id");

    let act = |b: &mut Browser, id: &str, action: &str, token: &str| {
        b.post(&format!("/queue/{id}/{action}"), &[("csrf", token)])
    };
    assert_eq!(act(&mut b, &ids[0], "retry", "forged").status, 403, "CSRF");
    assert_eq!(act(&mut b, &ids[0], "hold", &csrf).status, 303);
    let held = expect(b.get("/queue?state=held"), 200, "held");
    assert_eq!(queue_ids(&held), [ids[0].clone()]);
    assert_eq!(act(&mut b, &ids[0], "release", &csrf).status, 303);
    assert!(queue_ids(&expect(b.get("/queue?state=held"), 200, "none held")).is_empty());
    let retried = act(&mut b, &ids[0], "retry", &csrf);
    assert_eq!(retried.status, 303);
    assert!(expect(b.get(&format!("/queue/{}", ids[0])), 200, "entry").contains("retry done"));
    expect(
        act(&mut b, &ids[0], "explode", &csrf),
        400,
        "unknown action",
    );
    assert_eq!(act(&mut b, &ids[0], "delete", &csrf).status, 303);
    expect(b.get(&format!("/queue/{}", ids[0])), 404, "deleted");
    assert_eq!(act(&mut b, &ids[1], "bounce", &csrf).status, 303);
    assert!(
        wait_until(30, || queue_ids(&b.get("/queue").body).is_empty()),
        "the bounced entry leaves the queue"
    );
    assert_eq!(b.post("/queue/retry", &[("csrf", &csrf)]).status, 303);

    // The dashboard counted it all.
    let page = expect(b.get("/"), 200, "dashboard");
    let day = page.split("id=\"flow-day\"").nth(1).unwrap();
    let cells: Vec<u64> = day
        .split("<td>")
        .skip(1)
        .take(5)
        .map(|c| c[..c.find('<').unwrap()].parse().unwrap())
        .collect();
    assert!(cells[0] >= 3, "accepted: {cells:?}");
    assert!(cells[1] >= 1, "delivered: {cells:?}");
    assert!(cells[2] >= 1, "deferred: {cells:?}");
    assert!(cells[3] >= 1, "bounced: {cells:?}");
    assert!(page.contains("bob@remote.test"), "recent errors: {page}");
    assert!(page.contains("class=\"series accepted\""));
}

/// Days since the epoch, now (for a `since=` date of today).
fn common_days() -> i64 {
    mailwright_server::headers::unix_now() / 86_400
}
