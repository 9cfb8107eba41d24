//! The base subject of RFC 5256 section 2.1, for `SORT SUBJECT` (and threading).

/// Extracts the base subject: without `Re:`/`Fw:`/`Fwd:` prefixes, `[blob]`s before
/// them, a `(fwd)` trailer and `[fwd: ...]` wrapping, with blanks collapsed, upper-cased
/// ASCII folded to lower case (the `i;ascii-casemap` comparator compares the rest).
pub fn base_subject(subject: &str) -> String {
    let mut s: String = collapse(subject);
    loop {
        let before = s.clone();
        // (2) remove trailers: "(fwd)" and blanks, repeatedly.
        loop {
            let t = s.trim_end();
            // By bytes: "(fwd)" is ASCII, so a match ends on a character boundary
            // (slicing the text at `len - 5` would not: it may fall inside a
            // multi-byte character).
            if let Some(rest) = strip_suffix_ignore_ascii_case(t, "(fwd)") {
                s = rest.to_owned();
            } else {
                s = t.to_owned();
                break;
            }
        }
        // (3)-(5) remove leaders: blobs and "re"/"fw"/"fwd" with optional blobs and ":".
        loop {
            let lead = strip_leader(&s);
            if lead == s {
                break;
            }
            s = lead;
        }
        // (6) "[fwd:" ... "]" wrapping.
        if let Some(inner) =
            strip_prefix_ignore_ascii_case(&s, "[fwd:").and_then(|r| r.strip_suffix(']'))
        {
            s = inner.trim().to_owned();
            continue;
        }
        if s == before {
            break;
        }
    }
    s.to_ascii_lowercase()
}

/// `text` without `suffix` (ASCII, compared ignoring ASCII case), if it ends with it.
/// Compared by bytes; the cut is made only where it is a character boundary, which it
/// is whenever the ASCII suffix matches.
fn strip_suffix_ignore_ascii_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let split = text.len().checked_sub(suffix.len())?;
    let tail = text.get(split..)?;
    if tail.eq_ignore_ascii_case(suffix) {
        text.get(..split)
    } else {
        None
    }
}

/// `text` without `prefix` (ASCII, compared ignoring ASCII case), if it starts with it.
fn strip_prefix_ignore_ascii_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes one `subj-blob` or one `subj-refwd` from the front, if there is one.
fn strip_leader(s: &str) -> String {
    let t = s.trim_start();
    if let Some(rest) = strip_blob(t) {
        // A blob counts only when something follows it.
        if !rest.trim().is_empty() {
            return rest.trim_start().to_owned();
        }
    }
    for prefix in ["fwd", "fw", "re"] {
        if let Some(rest) = strip_prefix_ignore_ascii_case(t, prefix) {
            let mut rest = rest.trim_start();
            while let Some(after) = strip_blob(rest) {
                rest = after.trim_start();
            }
            if let Some(after) = rest.strip_prefix(':') {
                return after.trim_start().to_owned();
            }
        }
    }
    t.to_owned()
}

/// `subj-blob = "[" *BLOBCHAR "]" *WSP`; returns what follows.
fn strip_blob(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('[')?;
    let end = rest.find(['[', ']'])?;
    rest[end..].strip_prefix(']')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_reply_markers() {
        for (subject, base) in [
            ("Re: hello", "hello"),
            ("RE: Re: Fwd: hello  world", "hello world"),
            ("[list] Re: hello", "hello"),
            ("Re[2]: hello", "hello"),
            ("hello (fwd)", "hello"),
            ("[Fwd: hello]", "hello"),
            ("[list]", "[list]"),
            ("", ""),
            ("Réunion", "réunion"),
            ("re:", ""),
        ] {
            assert_eq!(base_subject(subject), base, "{subject:?}");
        }
    }

    /// Subjects whose last five bytes start inside a multi-byte character: slicing
    /// by bytes there panicked, and took the recipient's mailbox down with it.
    #[test]
    fn non_ascii_subjects() {
        for (subject, base) in [
            ("Привет", "Привет"),
            ("Re: Привет", "Привет"),
            ("Καλημέρα σας", "Καλημέρα σας"),
            ("Fwd: Καλημέρα (fwd)", "Καλημέρα"),
            ("日本語の件名テスト #2", "日本語の件名テスト #2"),
            ("日本語の件名テスト", "日本語の件名テスト"),
            ("RE: 日本語 (FWD)", "日本語"),
            ("[Fwd: 日本語]", "日本語"),
            ("[リスト] Re: 会議", "会議"),
            ("🎉🎉", "🎉🎉"),
            ("Re: party 🎉", "party 🎉"),
            ("🎉 (fwd)", "🎉"),
            // Combining marks: "é" as e + U+0301, "ñ" as n + U+0303.
            ("Re: Cafe\u{301}", "cafe\u{301}"),
            ("man\u{303}ana (fwd)", "man\u{303}ana"),
            ("(fwd)", ""),
            ("(FWD) (fwd)", ""),
            ("fwd", "fwd"),
            ("é", "é"),
            ("ab", "ab"),
            ("\u{301}", "\u{301}"),
            ("Ré:", "ré:"),
            ("[fwd:", "[fwd:"),
            ("[fwd:]", ""),
        ] {
            assert_eq!(base_subject(subject), base, "{subject:?}");
        }
    }

    proptest::proptest! {
        /// Any text: no panic, and the result is a fixed point (extracting the base
        /// subject of a base subject changes nothing) without leading or trailing blanks.
        #[test]
        fn any_text_gives_a_stable_base(subject in "\\PC*") {
            let base = base_subject(&subject);
            proptest::prop_assert_eq!(base.trim(), base.as_str());
            proptest::prop_assert_eq!(base_subject(&base), base);
        }

        /// Reply and forward markers around any text: the base is the base of the text.
        #[test]
        fn markers_around_any_text(
            text in "[^\\[\\]]{0,8}[\\p{Cyrillic}\\p{Greek}\\p{Han}\\p{Emoji}\\PC]{1,12}",
            prefix in proptest::sample::select(vec!["", "Re: ", "RE: Fwd: ", "[list] Re: ", "Fw[2]: "]),
            suffix in proptest::sample::select(vec!["", " (fwd)", " (FWD) (fwd)"]),
        ) {
            let marked = format!("{prefix}{text}{suffix}");
            proptest::prop_assert_eq!(base_subject(&marked), base_subject(&format!("{prefix}{text}")));
        }
    }
}
