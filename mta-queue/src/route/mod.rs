//! Routing: ordered [`Rule`]s that send each recipient to MX delivery, a smarthost,
//! LMTP, a local handler, or a rejection, and pick its named queue.
//!
//! The first rule whose every condition holds decides; without one the recipient goes
//! by MX on port 25 with default options. An application can go before the rules with a
//! [`RouteHook`].
//!
//! ```
//! use mailwright_queue::route::{Relay, RelayTls, RouteAction, Router, Rule};
//! use mailwright_queue::Envelope;
//! use mailwright_smtp::Mailbox;
//!
//! let mut router = Router::new();
//! router
//!     .push(Rule::new("partners").domain(".partner.example".parse().unwrap())
//!         .action(RouteAction::Relay(Relay::new("relay.example.net", 587).with_tls(RelayTls::StartTlsRequired))))
//!     .push(Rule::new("newsletters").sender("news.example.org".parse().unwrap()).queue("bulk"));
//!
//! let envelope = Envelope::new(Mailbox::try_from("x@news.example.org")?.into_owned());
//! let rcpt = Mailbox::try_from("bob@mail.partner.example")?.into_owned();
//! let route = router.route(&envelope, &rcpt);
//! assert_eq!(route.rule.as_deref(), Some("partners"));
//! let other = Mailbox::try_from("carol@example.com")?.into_owned();
//! assert_eq!(router.route(&envelope, &other).queue, "bulk");
//! # Ok::<(), mailwright_smtp::ValidationError>(())
//! ```

mod action;
mod pattern;

use std::fmt;
use std::sync::Arc;

pub use action::{
    Credentials, DeliveryOptions, IpFamily, LmtpTarget, Relay, RelayTls, RouteAction,
    SourceAddress, TlsMode,
};
pub use pattern::{DomainPattern, InvalidPattern, SenderPattern};

use mailwright_smtp::Mailbox;

use crate::envelope::{Envelope, domain_of};

/// One routing rule: conditions, then what to do.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct Rule {
    /// A name for logs and events.
    pub name: String,
    /// Recipient domain condition.
    pub domain: Option<DomainPattern>,
    /// Reverse-path condition.
    pub sender: Option<SenderPattern>,
    /// Condition on the queue the message was submitted to.
    pub from_queue: Option<String>,
    /// What to do; `None` keeps MX delivery (a rule that only picks a queue or options).
    pub action: Option<RouteAction>,
    /// The named queue to deliver from; `None` keeps the submitted one.
    pub to_queue: Option<String>,
    /// Connection options.
    pub options: DeliveryOptions,
}

impl Rule {
    /// A rule that matches everything and changes nothing yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            domain: None,
            sender: None,
            from_queue: None,
            action: None,
            to_queue: None,
            options: DeliveryOptions::default(),
        }
    }

    /// Only recipients whose domain matches.
    pub fn domain(mut self, pattern: DomainPattern) -> Self {
        self.domain = Some(pattern);
        self
    }

    /// Only messages whose reverse-path matches.
    pub fn sender(mut self, pattern: SenderPattern) -> Self {
        self.sender = Some(pattern);
        self
    }

    /// Only messages submitted to this named queue.
    pub fn from_queue(mut self, queue: impl Into<String>) -> Self {
        self.from_queue = Some(queue.into());
        self
    }

    /// What to do with matching recipients.
    pub fn action(mut self, action: RouteAction) -> Self {
        self.action = Some(action);
        self
    }

    /// Deliver matching recipients from this named queue.
    pub fn queue(mut self, queue: impl Into<String>) -> Self {
        self.to_queue = Some(queue.into());
        self
    }

    /// Connection options for matching recipients.
    pub fn options(mut self, options: DeliveryOptions) -> Self {
        self.options = options;
        self
    }

    /// Whether the rule applies to `rcpt` of `envelope`.
    pub fn matches(&self, envelope: &Envelope, rcpt: &Mailbox<'_>) -> bool {
        self.domain
            .as_ref()
            .is_none_or(|p| p.matches(&domain_of(rcpt)))
            && self
                .sender
                .as_ref()
                .is_none_or(|p| p.matches(&envelope.sender))
            && self
                .from_queue
                .as_ref()
                .is_none_or(|q| *q == envelope.queue)
    }
}

/// The routing decision for one recipient.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The rule (or hook) that decided, by name; `None` for the default.
    pub rule: Option<String>,
    /// What to do.
    pub action: RouteAction,
    /// The named queue to deliver from.
    pub queue: String,
    /// Connection options.
    pub options: Arc<DeliveryOptions>,
}

impl Route {
    /// A route for `action` from `queue` with default options.
    pub fn new(action: RouteAction, queue: impl Into<String>) -> Self {
        Self {
            rule: None,
            action,
            queue: queue.into(),
            options: Arc::new(DeliveryOptions::default()),
        }
    }
}

/// An application's routing decision, consulted before the rules.
pub trait RouteHook: Send + Sync + 'static {
    /// The route for `rcpt` of `envelope`, or `None` to let the rules decide.
    fn route(&self, envelope: &Envelope, rcpt: &Mailbox<'static>) -> Option<Route>;
}

impl<F> RouteHook for F
where
    F: Fn(&Envelope, &Mailbox<'static>) -> Option<Route> + Send + Sync + 'static,
{
    fn route(&self, envelope: &Envelope, rcpt: &Mailbox<'static>) -> Option<Route> {
        self(envelope, rcpt)
    }
}

/// The ordered rules.
#[derive(Clone, Default)]
pub struct Router {
    rules: Vec<(Rule, Arc<DeliveryOptions>)>,
    default_options: Arc<DeliveryOptions>,
    default_port: u16,
    hook: Option<Arc<dyn RouteHook>>,
}

impl Router {
    /// No rules: everything by MX on port 25.
    pub fn new() -> Self {
        Self {
            rules: Vec::new(),
            default_options: Arc::new(DeliveryOptions::default()),
            default_port: 25,
            hook: None,
        }
    }

    /// Appends a rule (rules are tried in the order pushed).
    pub fn push(&mut self, rule: Rule) -> &mut Self {
        let options = Arc::new(rule.options.clone());
        self.rules.push((rule, options));
        self
    }

    /// The options and MX port for recipients no rule matches.
    pub fn set_default(&mut self, options: DeliveryOptions, port: u16) -> &mut Self {
        self.default_options = Arc::new(options);
        self.default_port = port;
        self
    }

    /// Consults `hook` before the rules.
    pub fn set_hook(&mut self, hook: Arc<dyn RouteHook>) -> &mut Self {
        self.hook = Some(hook);
        self
    }

    /// The rules, in order.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().map(|(rule, _)| rule)
    }

    /// Routes one recipient.
    pub fn route(&self, envelope: &Envelope, rcpt: &Mailbox<'static>) -> Route {
        if let Some(route) = self
            .hook
            .as_ref()
            .and_then(|hook| hook.route(envelope, rcpt))
        {
            return route;
        }
        for (rule, options) in &self.rules {
            if rule.matches(envelope, rcpt) {
                return Route {
                    rule: Some(rule.name.clone()),
                    action: rule.action.clone().unwrap_or(RouteAction::Mx {
                        port: self.default_port,
                    }),
                    queue: rule
                        .to_queue
                        .clone()
                        .unwrap_or_else(|| envelope.queue.clone()),
                    options: Arc::clone(options),
                };
            }
        }
        Route {
            rule: None,
            action: RouteAction::Mx {
                port: self.default_port,
            },
            queue: envelope.queue.clone(),
            options: Arc::clone(&self.default_options),
        }
    }
}

impl fmt::Debug for Router {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router")
            .field(
                "rules",
                &self.rules.iter().map(|(r, _)| r).collect::<Vec<_>>(),
            )
            .field("default_port", &self.default_port)
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::Recipient;
    use crate::testing::mailbox;
    use mailwright_smtp::{EnhancedStatusCode, ReversePath};

    fn envelope(sender: Option<&str>, queue: &str) -> Envelope {
        Envelope::new(sender.map_or(ReversePath::Null, |s| mailbox(s).into()))
            .with_recipient(Recipient::new(mailbox("x@y.z")))
            .with_queue(queue)
    }

    #[test]
    fn first_matching_rule_wins() {
        let mut router = Router::new();
        router
            .push(
                Rule::new("reject-bad")
                    .domain("bad.example".parse().unwrap())
                    .action(RouteAction::Reject {
                        status: EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED,
                        text: "no".into(),
                    }),
            )
            .push(
                Rule::new("bounces")
                    .sender(SenderPattern::Null)
                    .queue("bounces"),
            )
            .push(
                Rule::new("lmtp")
                    .domain(".local.example".parse().unwrap())
                    .from_queue("inbound")
                    .action(RouteAction::Lmtp(LmtpTarget::Unix(
                        "/run/dovecot/lmtp".into(),
                    ))),
            )
            .push(
                Rule::new("ipv4")
                    .domain("*.mail.example".parse().unwrap())
                    .options(DeliveryOptions {
                        family: IpFamily::V4Only,
                        ..DeliveryOptions::default()
                    }),
            );
        let bad = mailbox("a@bad.example");
        let local = mailbox("a@local.example");
        let mail = mailbox("a@x.mail.example");

        let route = router.route(&envelope(None, "default"), &bad);
        assert!(matches!(route.action, RouteAction::Reject { .. }));
        let route = router.route(&envelope(None, "inbound"), &local);
        assert_eq!(route.rule.as_deref(), Some("bounces"));
        assert_eq!(route.queue, "bounces");
        assert_eq!(route.action, RouteAction::mx());
        let route = router.route(&envelope(Some("s@a.b"), "inbound"), &local);
        assert_eq!(route.rule.as_deref(), Some("lmtp"));
        assert_eq!(route.queue, "inbound");
        let route = router.route(&envelope(Some("s@a.b"), "default"), &local);
        assert_eq!(route.rule, None);
        let route = router.route(&envelope(Some("s@a.b"), "default"), &mail);
        assert_eq!(route.options.family, IpFamily::V4Only);
    }

    #[test]
    fn hook_goes_first() {
        let mut router = Router::new();
        router.push(Rule::new("all").queue("q"));
        router.set_hook(Arc::new(|_: &Envelope, rcpt: &Mailbox<'static>| {
            (rcpt.local_part().as_str() == "vip").then(|| Route::new(RouteAction::mx(), "priority"))
        }));
        let vip = mailbox("vip@x.org");
        let other = mailbox("joe@x.org");
        assert_eq!(router.route(&envelope(None, "d"), &vip).queue, "priority");
        assert_eq!(router.route(&envelope(None, "d"), &other).queue, "q");
    }

    #[test]
    fn sources_by_family() {
        let options = DeliveryOptions {
            sources: vec![
                SourceAddress {
                    ip: "192.0.2.1".parse().unwrap(),
                    ehlo: "a.example".into(),
                },
                SourceAddress {
                    ip: "192.0.2.2".parse().unwrap(),
                    ehlo: "b.example".into(),
                },
                SourceAddress {
                    ip: "2001:db8::1".parse().unwrap(),
                    ehlo: "v6.example".into(),
                },
            ],
            ..DeliveryOptions::default()
        };
        let v4 = "198.51.100.7".parse().unwrap();
        let v6 = "2001:db8::25".parse().unwrap();
        assert_eq!(options.source_for(v4, 0).unwrap().ehlo, "a.example");
        assert_eq!(options.source_for(v4, 1).unwrap().ehlo, "b.example");
        assert_eq!(options.source_for(v6, 5).unwrap().ehlo, "v6.example");
        assert!(options.can_reach(v6));
        let only_v4 = DeliveryOptions {
            sources: options.sources[..2].to_vec(),
            ..DeliveryOptions::default()
        };
        assert!(!only_v4.can_reach(v6));
    }
}
