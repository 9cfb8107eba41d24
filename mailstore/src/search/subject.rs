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
            if t.len() >= 5 && t[t.len() - 5..].eq_ignore_ascii_case("(fwd)") {
                s = t[..t.len() - 5].to_owned();
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
        let lower = s.to_ascii_lowercase();
        if lower.starts_with("[fwd:") && s.ends_with(']') {
            s = s[5..s.len() - 1].trim().to_owned();
            continue;
        }
        if s == before {
            break;
        }
    }
    s.to_ascii_lowercase()
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
    let lower = t.to_ascii_lowercase();
    for prefix in ["fwd", "fw", "re"] {
        if lower.starts_with(prefix) {
            let mut rest = t[prefix.len()..].trim_start();
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
}
