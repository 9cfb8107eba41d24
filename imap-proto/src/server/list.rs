//! LIST: mailbox pattern matching (RFC 9051 section 6.3.9) and the selection and
//! return options of LIST-EXTENDED (RFC 5258), SPECIAL-USE and LIST-STATUS.

use crate::server::MailboxInfo;
use crate::types::MailboxAttribute;

/// Whether `name` matches the LIST `pattern`: `*` matches anything, `%` anything
/// but the hierarchy delimiter. INBOX matches without regard to case.
///
/// ```
/// use mailwright_imap::server::pattern_matches;
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

/// Wildcard matching as a set of reachable name positions, one pattern
/// character at a time: time O(pattern x name), memory O(name). (A table over
/// both lengths would be up to 64 KiB x 64 KiB for a pattern and a name that a
/// client can send and create: an allocation that can abort the process.)
fn matches(p: &[char], n: &[char], delimiter: Option<char>) -> bool {
    // reach[i]: the pattern so far can match exactly n[..i].
    let mut reach = vec![false; n.len() + 1];
    let mut next = vec![false; n.len() + 1];
    reach[0] = true;
    for (k, &c) in p.iter().enumerate() {
        // A run of wildcards with a `*` in it is one `*`; `%%` is one `%`.
        if matches!(c, '*' | '%') && p.get(k + 1) == Some(&'*') {
            continue;
        }
        if c == '%' && p.get(k + 1) == Some(&'%') {
            continue;
        }
        let mut any = false;
        match c {
            '*' => {
                let mut on = false;
                for (i, slot) in next.iter_mut().enumerate() {
                    on |= reach[i];
                    *slot = on;
                }
                any = on;
            }
            '%' => {
                let mut on = false;
                for (i, slot) in next.iter_mut().enumerate() {
                    on |= reach[i];
                    *slot = on;
                    if n.get(i).is_some_and(|&x| Some(x) == delimiter) {
                        on = false;
                    }
                }
                any = next.contains(&true);
            }
            c => {
                next[0] = false;
                for i in 0..n.len() {
                    let hit = reach[i] && n[i] == c;
                    next[i + 1] = hit;
                    any |= hit;
                }
            }
        }
        if !any {
            return false;
        }
        std::mem::swap(&mut reach, &mut next);
    }
    reach[n.len()]
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
    // A child is the parent, the delimiter (one or more bytes) and at least one
    // more character.
    let is_child_of = |child: &str, parent: &str| {
        child
            .strip_prefix(parent)
            .and_then(|rest| rest.strip_prefix(delimiter))
            .is_some_and(|rest| !rest.is_empty())
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

    /// Patterns and names of literal size (64 KiB each): matched in memory of
    /// the name's size, where a table over both lengths (4 GiB here) could
    /// abort the process.
    #[test]
    fn literal_sized_patterns_and_names() {
        let d = Some('/');
        let stars = "*".repeat(1 << 16);
        let name = "y".repeat(1 << 16);
        assert!(!pattern_matches(&format!("{stars}x"), &name, d));
        assert!(pattern_matches(&format!("{stars}%y"), &name, d));
        let percents = "%".repeat(1 << 16);
        assert!(pattern_matches(&percents, &name, d));
        assert!(!pattern_matches(&percents, &format!("{name}/y"), d));
        let alternating = "y*".repeat(1 << 10);
        assert!(pattern_matches(&alternating, &name, d));
    }

    /// A delimiter of several bytes: `a·` is not a child of `a` (nothing after the
    /// delimiter), as `a/` is not with `/`.
    #[test]
    fn multi_byte_delimiter_children() {
        for delimiter in ['/', '·', '\u{1F600}'] {
            let all = vec![
                MailboxInfo::new("a"),
                MailboxInfo::new(format!("a{delimiter}")),
                MailboxInfo::new("日本"),
                MailboxInfo::new(format!("日本{delimiter}語")),
            ];
            let query = ListQuery {
                patterns: vec!["*".into()],
                ..ListQuery::default()
            };
            let listed = select(&query, &all, delimiter);
            let children: Vec<bool> = listed
                .iter()
                .map(|l| l.attributes.contains(&MailboxAttribute::HAS_CHILDREN))
                .collect();
            assert_eq!(children, [false, false, true, false], "{delimiter}");
        }
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::{ListQuery, normalize_inbox, pattern_matches, select};
        use crate::server::MailboxInfo;
        use crate::testing::unicode_text;
        use crate::types::MailboxAttribute;

        /// Plain recursive matching on characters: the definition of `*` and `%`.
        fn reference(p: &[char], n: &[char], delimiter: Option<char>) -> bool {
            match p.split_first() {
                None => n.is_empty(),
                Some(('*', rest)) => (0..=n.len()).any(|k| reference(rest, &n[k..], delimiter)),
                Some(('%', rest)) => {
                    let run = n.iter().take_while(|&&c| Some(c) != delimiter).count();
                    (0..=run).any(|k| reference(rest, &n[k..], delimiter))
                }
                Some((c, rest)) => n.first() == Some(c) && reference(rest, &n[1..], delimiter),
            }
        }

        /// Short names and patterns over a small alphabet of wildcards, ASCII,
        /// multi-byte characters and delimiters, so that they often match.
        fn small(max: usize) -> impl Strategy<Value = String> {
            proptest::collection::vec(
                proptest::sample::select(vec![
                    '*',
                    '%',
                    '/',
                    '·',
                    'a',
                    'é',
                    '日',
                    '\u{1F600}',
                    'I',
                    'n',
                ]),
                0..=max,
            )
            .prop_map(|c| c.into_iter().collect())
        }

        fn delimiter() -> impl Strategy<Value = Option<char>> {
            proptest::option::of(proptest::sample::select(vec![
                '/',
                '.',
                '·',
                '／',
                '\u{1F600}',
            ]))
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

            /// The matcher agrees with the recursive definition.
            #[test]
            fn matches_the_reference(pattern in small(8), name in small(8), delimiter in delimiter()) {
                let p: Vec<char> = normalize_inbox(&pattern).chars().collect();
                let n: Vec<char> = normalize_inbox(&name).chars().collect();
                prop_assert_eq!(pattern_matches(&pattern, &name, delimiter), reference(&p, &n, delimiter));
            }

            /// Any name matches `*`, itself (when it holds no wildcard), and any
            /// of its prefixes (cut at a character) followed by `*`; `%` matches
            /// exactly the names without the delimiter.
            #[test]
            fn wildcards_on_any_text(name in prop_oneof![unicode_text(10), "\\PC*"], cut in any::<prop::sample::Index>(), delimiter in delimiter()) {
                prop_assert!(pattern_matches("*", &name, delimiter));
                // (A prefix of a name that starts with INBOX in another case is
                // compared as written, the name as INBOX: left out here.)
                let inbox = name.get(..5).is_some_and(|h| h.eq_ignore_ascii_case("INBOX"));
                if !name.contains(['*', '%']) && !inbox {
                    prop_assert!(pattern_matches(&name, &name, delimiter));
                    let chars: Vec<char> = name.chars().collect();
                    let prefix: String = chars[..cut.index(chars.len() + 1)].iter().collect();
                    prop_assert!(pattern_matches(&format!("{prefix}*"), &name, delimiter), "{prefix:?}");
                }
                let has_delimiter = delimiter.is_some_and(|d| name.contains(d));
                prop_assert_eq!(pattern_matches("%", &name, delimiter), !has_delimiter);
            }

            /// Arbitrary patterns against arbitrary names never panic.
            #[test]
            fn any_pattern_any_name(pattern in unicode_text(10), name in unicode_text(10), delimiter in delimiter()) {
                let _ = pattern_matches(&pattern, &name, delimiter);
            }

            /// LIST over Unicode names with any delimiter lists every name for
            /// `*`, with `\HasChildren` exactly when another name is the name,
            /// the delimiter and more.
            #[test]
            fn children_with_any_delimiter(names in proptest::collection::btree_set(small(5), 0..8), delimiter in delimiter()) {
                let delimiter = delimiter.unwrap_or('/');
                let all: Vec<MailboxInfo> = names.iter().map(MailboxInfo::new).collect();
                let query = ListQuery { patterns: vec!["*".into()], ..ListQuery::default() };
                let listed = select(&query, &all, delimiter);
                prop_assert_eq!(listed.len(), all.len());
                for l in &listed {
                    let prefix = format!("{}{delimiter}", l.mailbox.name);
                    let expected = names.iter().any(|n| n.len() > prefix.len() && n.starts_with(&prefix));
                    prop_assert_eq!(l.attributes.contains(&MailboxAttribute::HAS_CHILDREN), expected, "{:?}", l.mailbox.name);
                }
            }
        }
    }
}
