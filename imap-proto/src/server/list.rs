//! LIST: mailbox pattern matching (RFC 9051 section 6.3.9) and the selection and
//! return options of LIST-EXTENDED (RFC 5258), SPECIAL-USE and LIST-STATUS.

use crate::server::MailboxInfo;
use crate::types::MailboxAttribute;

/// Whether `name` matches the LIST `pattern`: `*` matches anything, `%` anything
/// but the hierarchy delimiter. INBOX matches without regard to case.
///
/// ```
/// use imap_proto::server::pattern_matches;
/// assert!(pattern_matches("Archive/%", "Archive/2026", Some('/')));
/// assert!(!pattern_matches("Archive/%", "Archive/2026/Q1", Some('/')));
/// assert!(pattern_matches("*", "Archive/2026/Q1", Some('/')));
/// assert!(pattern_matches("inbox", "INBOX", Some('/')));
/// ```
pub fn pattern_matches(pattern: &str, name: &str, delimiter: Option<char>) -> bool {
    let name = normalize_inbox(name);
    let pattern = normalize_inbox(pattern);
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    matches(&p, &n, delimiter)
}

fn normalize_inbox(s: &str) -> std::borrow::Cow<'_, str> {
    let head = s.get(..5);
    let tail = s.get(5..).unwrap_or("");
    match head {
        Some(h)
            if h.eq_ignore_ascii_case("INBOX")
                && (tail.is_empty() || !tail.starts_with(char::is_alphanumeric)) =>
        {
            std::borrow::Cow::Owned(format!("INBOX{tail}"))
        }
        _ => std::borrow::Cow::Borrowed(s),
    }
}

/// Iterative wildcard matching with one backtrack point per wildcard kind.
fn matches(p: &[char], n: &[char], delimiter: Option<char>) -> bool {
    // Memoised on (pattern index, name index): patterns are short, names too.
    let mut seen = vec![false; (p.len() + 1) * (n.len() + 1)];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((pi, ni)) = stack.pop() {
        let key = pi * (n.len() + 1) + ni;
        if seen[key] {
            continue;
        }
        seen[key] = true;
        if pi == p.len() {
            if ni == n.len() {
                return true;
            }
            continue;
        }
        match p[pi] {
            '*' => {
                stack.push((pi + 1, ni));
                if ni < n.len() {
                    stack.push((pi, ni + 1));
                }
            }
            '%' => {
                stack.push((pi + 1, ni));
                if ni < n.len() && Some(n[ni]) != delimiter {
                    stack.push((pi, ni + 1));
                }
            }
            c => {
                if ni < n.len() && n[ni] == c {
                    stack.push((pi + 1, ni + 1));
                }
            }
        }
    }
    false
}

/// The pattern a reference and a mailbox pattern combine to.
pub(crate) fn combine(reference: &str, pattern: &str, delimiter: char) -> String {
    if reference.is_empty() || pattern.starts_with(delimiter) {
        return pattern.to_owned();
    }
    if reference.ends_with(delimiter) {
        format!("{reference}{pattern}")
    } else {
        format!("{reference}{delimiter}{pattern}")
    }
}

/// What a LIST asks for.
#[derive(Clone, Debug, Default)]
pub(crate) struct ListQuery {
    pub(crate) patterns: Vec<String>,
    pub(crate) subscribed_only: bool,
    pub(crate) special_use_only: bool,
    pub(crate) recursive_match: bool,
    pub(crate) return_subscribed: bool,
    pub(crate) lsub: bool,
}

/// One line of a LIST answer: the mailbox and the attributes to send.
pub(crate) struct Listed<'m> {
    pub(crate) mailbox: &'m MailboxInfo,
    pub(crate) attributes: Vec<MailboxAttribute<'static>>,
    pub(crate) child_subscribed: bool,
}

/// Applies patterns and options to the application's mailboxes.
pub(crate) fn select<'m>(
    query: &ListQuery,
    all: &'m [MailboxInfo],
    delimiter: char,
) -> Vec<Listed<'m>> {
    let delim = Some(delimiter);
    let is_child_of = |child: &str, parent: &str| {
        child.len() > parent.len() + 1
            && child.starts_with(parent)
            && child[parent.len()..].starts_with(delimiter)
    };
    let mut out = Vec::new();
    for mailbox in all {
        if !query
            .patterns
            .iter()
            .any(|p| pattern_matches(p, &mailbox.name, delim))
        {
            continue;
        }
        let has_children = all.iter().any(|m| is_child_of(&m.name, &mailbox.name));
        let mut child_subscribed = false;
        if query.subscribed_only && !mailbox.subscribed {
            // RECURSIVEMATCH: a parent of a subscribed mailbox is listed with CHILDINFO.
            if query.recursive_match
                && all
                    .iter()
                    .any(|m| m.subscribed && is_child_of(&m.name, &mailbox.name))
            {
                child_subscribed = true;
            } else {
                continue;
            }
        }
        if query.special_use_only
            && !mailbox
                .attributes
                .iter()
                .any(MailboxAttribute::is_special_use)
        {
            continue;
        }
        let mut attributes: Vec<MailboxAttribute<'static>> = mailbox
            .attributes
            .iter()
            .filter(|a| **a != MailboxAttribute::SUBSCRIBED)
            .filter(|a| {
                **a != MailboxAttribute::HAS_CHILDREN && **a != MailboxAttribute::HAS_NO_CHILDREN
            })
            .cloned()
            .collect();
        if !query.lsub && !attributes.contains(&MailboxAttribute::NOINFERIORS) {
            attributes.push(if has_children {
                MailboxAttribute::HAS_CHILDREN
            } else {
                MailboxAttribute::HAS_NO_CHILDREN
            });
        }
        if (query.return_subscribed || query.subscribed_only) && mailbox.subscribed && !query.lsub {
            attributes.push(MailboxAttribute::SUBSCRIBED);
        }
        out.push(Listed {
            mailbox,
            attributes,
            child_subscribed,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let d = Some('/');
        assert!(pattern_matches("%", "INBOX", d));
        assert!(!pattern_matches("%", "a/b", d));
        assert!(pattern_matches("a/*", "a/b/c", d));
        assert!(pattern_matches("a*c", "abbbc", d));
        assert!(!pattern_matches("a*c", "abbbd", d));
        assert!(pattern_matches("INBOX.%", "inbox.x", Some('.')));
        assert!(pattern_matches("", "", d));
        assert!(!pattern_matches("", "x", d));
        let long = "*".repeat(50) + "x";
        assert!(
            !pattern_matches(&long, &"y".repeat(200), d),
            "no exponential blow-up"
        );
    }

    #[test]
    fn reference_and_pattern() {
        assert_eq!(combine("", "*", '/'), "*");
        assert_eq!(combine("Archive", "%", '/'), "Archive/%");
        assert_eq!(combine("Archive/", "%", '/'), "Archive/%");
        assert_eq!(combine("Archive", "/x", '/'), "/x");
    }

    #[test]
    fn options() {
        let all = vec![
            MailboxInfo::new("INBOX").subscribed(true),
            MailboxInfo::new("Archive"),
            MailboxInfo::new("Archive/2026").subscribed(true),
            MailboxInfo::new("Sent").with_attribute(MailboxAttribute::SENT),
        ];
        let query = ListQuery {
            patterns: vec!["*".into()],
            ..ListQuery::default()
        };
        let listed = select(&query, &all, '/');
        assert_eq!(listed.len(), 4);
        assert!(
            listed[1]
                .attributes
                .contains(&MailboxAttribute::HAS_CHILDREN)
        );
        assert!(
            listed[2]
                .attributes
                .contains(&MailboxAttribute::HAS_NO_CHILDREN)
        );
        let query = ListQuery {
            patterns: vec!["%".into()],
            subscribed_only: true,
            recursive_match: true,
            ..ListQuery::default()
        };
        let listed = select(&query, &all, '/');
        let names: Vec<&str> = listed.iter().map(|l| l.mailbox.name.as_str()).collect();
        assert_eq!(names, ["INBOX", "Archive"]);
        assert!(listed[1].child_subscribed);
        let query = ListQuery {
            patterns: vec!["*".into()],
            special_use_only: true,
            ..ListQuery::default()
        };
        assert_eq!(select(&query, &all, '/').len(), 1);
    }
}
