//! Parsers of SEARCH keys, ESEARCH return options and SORT criteria.

use crate::codec::parse::command::upper;
use crate::codec::parse::core::{
    astring, charset, date, flag, keyword, mod_sequence_valzer, number64, nz_number, paren_list,
    paren_list1, quoted, sequence_set, sp, sp_list1, starts_with_keyword, token,
};
use crate::codec::parse::error::{PKind, PResult, fail, fail_hard};
use crate::codec::parse::limits::MAX_DEPTH;
use crate::command::{EntryType, SearchKey, SearchReturnOption, SortCriterion, SortKey};
use crate::types::{AString, Charset, Date, Flag, Vec1};

/// ```text
/// search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)
/// ```
pub(crate) fn search_program(i: &[u8]) -> PResult<'_, (Option<Charset<'_>>, Vec1<SearchKey<'_>>)> {
    let (r, cs) = if starts_with_keyword(i, "CHARSET ") {
        let (r, c) = charset(&i[8..])?;
        let (r, ()) = sp(r)?;
        (r, Some(c))
    } else {
        (i, None)
    };
    let (r, keys) = search_keys(r)?;
    Ok((r, (cs, keys)))
}

/// `search-key *(SP search-key)`.
pub(crate) fn search_keys(i: &[u8]) -> PResult<'_, Vec1<SearchKey<'_>>> {
    sp_list1(i, "search-key", |i| search_key(i, MAX_DEPTH))
}

/// ```text
/// search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
/// ```
///
/// Called at `RETURN`, after the leading SP.
pub(crate) fn search_return_opts(i: &[u8]) -> PResult<'_, Vec<SearchReturnOption>> {
    let (r, ()) = keyword(i, "RETURN")?;
    let (r, ()) = sp(r)?;
    paren_list(r, "search-return-opt", |i| {
        let (r, word) = token(i)?;
        let mut buf = [0u8; 16];
        let opt = match upper(word, &mut buf) {
            Some(b"MIN") => SearchReturnOption::Min,
            Some(b"MAX") => SearchReturnOption::Max,
            Some(b"ALL") => SearchReturnOption::All,
            Some(b"COUNT") => SearchReturnOption::Count,
            Some(b"SAVE") => SearchReturnOption::Save,
            _ => return fail(i, "search-return-opt"),
        };
        Ok((r, opt))
    })
}

/// A search key; `depth` is how much deeper keys may still nest.
///
/// ```text
/// search-key = "ALL" / "ANSWERED" / "BCC" SP astring / ... /
///              "NOT" SP search-key / "OR" SP search-key SP search-key /
///              sequence-set / "(" search-key *(SP search-key) ")"
/// ```
pub(crate) fn search_key(i: &[u8], depth: usize) -> PResult<'_, SearchKey<'_>> {
    match i.first() {
        Some(b'(') => {
            if depth == 0 {
                return fail_hard(i, PKind::TooDeep);
            }
            let (r, keys) = paren_list1(i, "search-key", |i| search_key(i, depth - 1))?;
            return Ok((r, SearchKey::And(keys)));
        }
        Some(b'*' | b'0'..=b'9') => {
            return sequence_set(i).map(|(r, s)| (r, SearchKey::SequenceSet(s)));
        }
        _ => {}
    }
    let (r, word) = token(i)?;
    let mut buf = [0u8; 16];
    let Some(word) = upper(word, &mut buf) else {
        return fail(i, "search-key");
    };
    use SearchKey as K;
    match word {
        b"ALL" => Ok((r, K::All)),
        b"ANSWERED" => Ok((r, K::Answered)),
        b"DELETED" => Ok((r, K::Deleted)),
        b"DRAFT" => Ok((r, K::Draft)),
        b"FLAGGED" => Ok((r, K::Flagged)),
        b"NEW" => Ok((r, K::New)),
        b"OLD" => Ok((r, K::Old)),
        b"RECENT" => Ok((r, K::Recent)),
        b"SEEN" => Ok((r, K::Seen)),
        b"UNANSWERED" => Ok((r, K::Unanswered)),
        b"UNDELETED" => Ok((r, K::Undeleted)),
        b"UNDRAFT" => Ok((r, K::Undraft)),
        b"UNFLAGGED" => Ok((r, K::Unflagged)),
        b"UNSEEN" => Ok((r, K::Unseen)),
        b"BCC" => with_string(r, K::Bcc),
        b"BODY" => with_string(r, K::Body),
        b"CC" => with_string(r, K::Cc),
        b"FROM" => with_string(r, K::From),
        b"SUBJECT" => with_string(r, K::Subject),
        b"TEXT" => with_string(r, K::Text),
        b"TO" => with_string(r, K::To),
        b"BEFORE" => with_date(r, K::Before),
        b"ON" => with_date(r, K::On),
        b"SINCE" => with_date(r, K::Since),
        b"SENTBEFORE" => with_date(r, K::SentBefore),
        b"SENTON" => with_date(r, K::SentOn),
        b"SENTSINCE" => with_date(r, K::SentSince),
        b"KEYWORD" => with_flag(r, K::Keyword),
        b"UNKEYWORD" => with_flag(r, K::Unkeyword),
        b"HEADER" => {
            let (r, ()) = sp(r)?;
            let (r, field) = astring(r)?;
            let (r, ()) = sp(r)?;
            let (r, value) = astring(r)?;
            Ok((r, K::Header(field, value)))
        }
        b"LARGER" | b"SMALLER" => {
            let (r, ()) = sp(r)?;
            let (r, n) = number64(r)?;
            Ok((
                r,
                if word == b"LARGER" {
                    K::Larger(n)
                } else {
                    K::Smaller(n)
                },
            ))
        }
        b"OLDER" | b"YOUNGER" => {
            let (r, ()) = sp(r)?;
            let (r, n) = nz_number(r)?;
            Ok((
                r,
                if word == b"OLDER" {
                    K::Older(n.get())
                } else {
                    K::Younger(n.get())
                },
            ))
        }
        b"UID" => {
            let (r, ()) = sp(r)?;
            let (r, set) = sequence_set(r)?;
            Ok((r, K::Uid(set)))
        }
        b"NOT" => {
            if depth == 0 {
                return fail_hard(i, PKind::TooDeep);
            }
            let (r, ()) = sp(r)?;
            let (r, k) = search_key(r, depth - 1)?;
            Ok((r, K::Not(Box::new(k))))
        }
        b"OR" => {
            if depth == 0 {
                return fail_hard(i, PKind::TooDeep);
            }
            let (r, ()) = sp(r)?;
            let (r, a) = search_key(r, depth - 1)?;
            let (r, ()) = sp(r)?;
            let (r, b) = search_key(r, depth - 1)?;
            Ok((r, K::Or(Box::new(a), Box::new(b))))
        }
        b"MODSEQ" => search_modsequence(r),
        _ => fail(i, "search-key"),
    }
}

/// ```text
/// search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer
/// search-modseq-ext  = SP entry-name SP entry-type-req
/// entry-name         = entry-flag-name
/// entry-flag-name    = DQUOTE "/flags/" attr-flag DQUOTE
/// entry-type-req     = entry-type-resp / "all"
/// ```
fn search_modsequence(i: &[u8]) -> PResult<'_, SearchKey<'_>> {
    let (r, ()) = sp(i)?;
    if r.first() == Some(&b'"') {
        let (r, name) = quoted(r)?;
        let entry_flag = match name.as_str().get(..7) {
            Some(prefix) if prefix.eq_ignore_ascii_case("/flags/") => name.as_str()[7..].to_owned(),
            _ => return fail(i, "entry-flag-name"),
        };
        let Ok(entry_flag) = Flag::try_from(entry_flag) else {
            return fail(i, "entry-flag-name");
        };
        let (r, ()) = sp(r)?;
        let (r, word) = token(r)?;
        let entry_type = match word.to_ascii_lowercase().as_slice() {
            b"priv" => EntryType::Private,
            b"shared" => EntryType::Shared,
            b"all" => EntryType::All,
            _ => return fail(r, "entry-type-req"),
        };
        let (r, ()) = sp(r)?;
        let (r, modseq) = mod_sequence_valzer(r)?;
        return Ok((
            r,
            SearchKey::ModSeq {
                entry: Some((entry_flag, entry_type)),
                modseq,
            },
        ));
    }
    let (r, modseq) = mod_sequence_valzer(r)?;
    Ok((
        r,
        SearchKey::ModSeq {
            entry: None,
            modseq,
        },
    ))
}

/// ```text
/// sort-criteria  = "(" sort-criterion *(SP sort-criterion) ")"
/// sort-criterion = ["REVERSE" SP] sort-key
/// ```
pub(crate) fn sort_criteria(i: &[u8]) -> PResult<'_, Vec1<SortCriterion>> {
    paren_list1(i, "sort-criterion", |i| {
        let (r, reverse) = match keyword(i, "REVERSE ") {
            Ok((r, ())) => (r, true),
            Err(_) => (i, false),
        };
        let (r2, word) = token(r)?;
        let Some(key) = SortKey::from_keyword(word) else {
            return fail(r, "sort-key");
        };
        Ok((r2, SortCriterion { reverse, key }))
    })
}

fn with_string<'a>(
    r: &'a [u8],
    build: fn(AString<'a>) -> SearchKey<'a>,
) -> PResult<'a, SearchKey<'a>> {
    let (r, ()) = sp(r)?;
    let (r, s) = astring(r)?;
    Ok((r, build(s)))
}

fn with_date<'a>(r: &'a [u8], build: fn(Date) -> SearchKey<'a>) -> PResult<'a, SearchKey<'a>> {
    let (r, ()) = sp(r)?;
    let (r, d) = date(r)?;
    Ok((r, build(d)))
}

fn with_flag<'a>(r: &'a [u8], build: fn(Flag<'a>) -> SearchKey<'a>) -> PResult<'a, SearchKey<'a>> {
    let (r, ()) = sp(r)?;
    let (r, f) = flag(r)?;
    Ok((r, build(f)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        let (_, keys) =
            search_keys(b"UNSEEN OR FROM a (SUBJECT \"b c\" LARGER 10) 1:5\r\n").unwrap();
        assert_eq!(keys.len(), 3);
        assert!(matches!(keys[1], SearchKey::Or(..)));
        assert!(matches!(keys[2], SearchKey::SequenceSet(_)));
        let (_, (cs, _)) = search_program(b"CHARSET UTF-8 ALL").unwrap();
        assert_eq!(cs.unwrap().as_str(), "UTF-8");
        let (_, k) = search_key(b"MODSEQ \"/flags/\\\\draft\" all 620162338", 4).unwrap();
        assert!(matches!(
            k,
            SearchKey::ModSeq {
                entry: Some(_),
                modseq: 620162338
            }
        ));
        assert!(search_key(b"BOGUS", 4).is_err());
        assert!(search_key(b"SINCE 1-Foo-2020", 4).is_err());
    }

    #[test]
    fn depth_is_limited() {
        let deep = "NOT ".repeat(MAX_DEPTH + 1) + "ALL";
        assert!(matches!(
            search_key(deep.as_bytes(), MAX_DEPTH),
            Err(nom::Err::Failure(_))
        ));
        let nested = "(".repeat(MAX_DEPTH + 1) + "ALL" + &")".repeat(MAX_DEPTH + 1);
        assert!(search_key(nested.as_bytes(), MAX_DEPTH).is_err());
        let ok = "NOT ".repeat(MAX_DEPTH) + "ALL";
        assert!(search_key(ok.as_bytes(), MAX_DEPTH).is_ok());
    }

    #[test]
    fn sort() {
        let (_, c) = sort_criteria(b"(REVERSE DATE SUBJECT)").unwrap();
        assert_eq!(c.len(), 2);
        assert!(c[0].reverse && !c[1].reverse);
        assert!(sort_criteria(b"()").is_err());
    }
}
