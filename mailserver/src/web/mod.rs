//! The web admin: server-rendered HTML pages on the admin listener, beside the JSON
//! API, for the everyday work of an operator.
//!
//! | method and path | page or action |
//! | --- | --- |
//! | `GET /login`, `POST /login`, `POST /logout` | sign in (admin token or admin user), sign out |
//! | `GET /` | dashboard: flow over the last hour and day, queue, connections, errors, rate chart |
//! | `GET /queue?domain=&state=&age=`, `GET /queue/{id}` | the outbound queue and one entry |
//! | `POST /queue/{id}/{retry,hold,release,bounce,delete}`, `POST /queue/retry` | queue operations |
//! | `GET /domains`, `POST /domains`, `GET /domains/{name}` | domains and the DNS records to publish |
//! | `POST /domains/{name}/check`, `POST /domains/{name}/delete` | check the published records now; remove |
//! | `GET /users`, `POST /users`, `GET /users/{address}` | users with their usage |
//! | `POST /users/{address}/{password,quota,delete}` | change a user |
//! | `GET /aliases`, `POST /aliases`, `POST /aliases/delete` | aliases and catch-alls |
//! | `GET /search?user=&from=&to=&subject=&text=&since=&before=&mailbox=` | message search |
//! | `GET /message?user=&mailbox=&uid=` | one message: header fields and text |
//! | `GET /static/app.css`, `GET /static/app.js` | the embedded stylesheet and script |
//!
//! Every page but the sign-in form and the two static files needs a session
//! ([`session`]); failed sign-ins are slowed down and, past a limit per client
//! address, refused for a while ([`throttle`]); every POST needs the session's CSRF token; changes are POSTs
//! only. Templates (askama, compiled into the binary from `templates/`) escape every
//! value they print. Pages call the admin API's handlers ([`crate::admin`]) for the
//! work, so both front ends do the same thing.

pub mod aliases;
pub mod assets;
pub mod chart;
pub mod dashboard;
pub mod dns_check;
pub mod domains;
pub mod format;
pub mod login;
pub mod page;
pub mod queue;
pub mod search;
pub mod session;
pub mod throttle;
pub mod users;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};

use crate::state::App;
use session::Sessions;
use throttle::SignInThrottle;

/// The web admin's state: the server's, and the sign-in sessions.
#[derive(Debug)]
pub struct Web {
    /// The server.
    pub app: Arc<App>,
    /// Who is signed in.
    pub sessions: Sessions,
    /// Failed sign-ins per client address.
    pub throttle: SignInThrottle,
    /// Whether cookies get `Secure` (the admin listener speaks TLS).
    pub secure_cookies: bool,
}

/// The pages and actions, with the sign-in check; `secure_cookies` when the admin
/// listener speaks TLS.
pub fn router(app: Arc<App>, secure_cookies: bool) -> Router {
    let web = Arc::new(Web {
        app,
        sessions: Sessions::default(),
        throttle: SignInThrottle::default(),
        secure_cookies,
    });
    let pages = Router::new()
        .route("/", get(dashboard::show))
        .route("/logout", post(login::logout))
        .route("/queue", get(queue::list))
        .route("/queue/retry", post(queue::retry_all))
        .route("/queue/{id}", get(queue::entry))
        .route("/queue/{id}/{action}", post(queue::act))
        .route("/domains", get(domains::list).post(domains::create))
        .route("/domains/{name}", get(domains::show))
        .route("/domains/{name}/check", post(domains::check))
        .route("/domains/{name}/delete", post(domains::delete))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{address}", get(users::show))
        .route("/users/{address}/password", post(users::password))
        .route("/users/{address}/quota", post(users::set_quota))
        .route("/users/{address}/delete", post(users::delete))
        .route("/aliases", get(aliases::list).post(aliases::create))
        .route("/aliases/delete", post(aliases::delete))
        .route("/search", get(search::search))
        .route("/message", get(search::message))
        // `route_layer`: unknown paths stay 404 (with `layer` a browser's
        // `/favicon.ico` went to the sign-in page and replaced its form token).
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&web),
            session::require_sign_in,
        ));
    Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/static/{name}", get(assets::serve))
        .merge(pages)
        .with_state(web)
}
