//! SEARCH on the session side: criteria rewritten from message numbers to UIDs of
//! the client's view, and results written as SEARCH, ESEARCH or SORT.

use std::num::NonZeroU32;

use crate::command::{SearchKey, SearchReturnOption};
use crate::response::{Data, ESearchItem, ESearchResponse};
use crate::server::view::View;
use crate::types::{SeqOrUid, Sequence, SequenceSet, Tag, Vec1};

/// Rewrites `criteria` so that no key uses message numbers or `*`: a sequence set
/// becomes the UID ranges of the same messages in `view`, and `*` in a UID set
/// the highest UID the client knows. `None` when a message number does not exist.
pub(crate) fn to_uid_keys(
    view: &View,
    criteria: &[SearchKey<'_>],
) -> Option<Vec<SearchKey<'static>>> {
    criteria.iter().map(|k| to_uid_key(view, k)).collect()
}

fn nothing() -> SearchKey<'static> {
    SearchKey::Not(Box::new(SearchKey::All))
}

fn uid_set(ranges: impl IntoIterator<Item = (u32, u32)>) -> Option<SequenceSet> {
    let parts: Vec<Sequence> = ranges
        .into_iter()
        .filter_map(|(a, b)| {
            let (a, b) = (NonZeroU32::new(a)?, NonZeroU32::new(b)?);
            Some(if a == b {
                Sequence::Single(SeqOrUid::Value(a))
            } else {
                Sequence::Range(SeqOrUid::Value(a), SeqOrUid::Value(b))
            })
        })
        .collect();
    Vec1::try_from(parts).ok().map(SequenceSet::new)
}

fn to_uid_key(view: &View, key: &SearchKey<'_>) -> Option<SearchKey<'static>> {
    Some(match key {
        SearchKey::SequenceSet(set) => {
            if view.exists() == 0 {
                return Some(nothing());
            }
            let mut ranges = Vec::new();
            for (low, high) in set.ranges(view.exists()) {
                ranges.push(view.seq_range_to_uids(low, high)?);
            }
            match uid_set(ranges) {
                Some(set) => SearchKey::Uid(set),
                None => nothing(),
            }
        }
        SearchKey::Uid(set) if set.uses_asterisk() => {
            let max = view.max_uid();
            match uid_set(set.ranges(max)) {
                Some(set) if max > 0 => SearchKey::Uid(set),
                _ => nothing(),
            }
        }
        SearchKey::Not(k) => SearchKey::Not(Box::new(to_uid_key(view, k)?)),
        SearchKey::Or(a, b) => SearchKey::Or(
            Box::new(to_uid_key(view, a)?),
            Box::new(to_uid_key(view, b)?),
        ),
        SearchKey::And(keys) => {
            let keys: Option<Vec<SearchKey<'static>>> =
                keys.iter().map(|k| to_uid_key(view, k)).collect();
            SearchKey::And(Vec1::unvalidated(keys?))
        }
        other => other.clone().into_owned(),
    })
}

/// The untagged response for a SEARCH result: `numbers` are message numbers or
/// UIDs (already in the client's order).
pub(crate) fn search_response(
    tag: &Tag<'static>,
    numbers: Vec<NonZeroU32>,
    by_uid: bool,
    return_options: Option<&[SearchReturnOption]>,
    esearch: bool,
    modseq: Option<u64>,
) -> Data<'static> {
    let Some(options) = return_options.or_else(|| esearch.then_some(&[][..])) else {
        return Data::Search { numbers, modseq };
    };
    let all = options.is_empty() || options.contains(&SearchReturnOption::All);
    let mut items = Vec::new();
    if options.contains(&SearchReturnOption::Min)
        && let Some(n) = numbers.iter().min()
    {
        items.push(ESearchItem::Min(*n));
    }
    if options.contains(&SearchReturnOption::Max)
        && let Some(n) = numbers.iter().max()
    {
        items.push(ESearchItem::Max(*n));
    }
    if all && let Some(set) = SequenceSet::from_numbers(numbers.iter().map(|n| n.get())) {
        items.push(ESearchItem::All(set));
    }
    if options.contains(&SearchReturnOption::Count) {
        items.push(ESearchItem::Count(numbers.len() as u32));
    }
    if let (Some(m), false) = (modseq, numbers.is_empty()) {
        items.push(ESearchItem::ModSeq(m));
    }
    Data::ESearch(ESearchResponse {
        tag: Some(tag.clone()),
        uid: by_uid,
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::SelectedMailbox;
    use crate::server::view::uid;

    fn view(uids: &[u32]) -> View {
        let snapshot = SelectedMailbox::new(
            NonZeroU32::MIN,
            uid(1000),
            uids.iter().map(|&u| uid(u)).collect(),
        );
        View::new("INBOX".into(), false, &snapshot)
    }

    fn key(text: &str) -> SearchKey<'static> {
        let line = format!("a SEARCH {text}\r\n");
        let cmd = crate::codec::parse::command(line.as_bytes())
            .unwrap()
            .into_owned();
        let crate::command::CommandBody::Search { criteria, .. } = cmd.body else {
            panic!()
        };
        criteria.into_inner().remove(0)
    }

    #[test]
    fn sequence_numbers_become_uids() {
        let v = view(&[10, 20, 30, 40]);
        assert_eq!(to_uid_key(&v, &key("2:3")), Some(key("UID 20:30")));
        assert_eq!(to_uid_key(&v, &key("NOT 4:*")), Some(key("NOT UID 40")));
        assert_eq!(to_uid_key(&v, &key("UID 25:*")), Some(key("UID 25:40")));
        assert_eq!(
            to_uid_key(&v, &key("(1 OR 2 SEEN)")),
            Some(key("(UID 10 OR UID 20 SEEN)"))
        );
        assert_eq!(to_uid_key(&v, &key("5")), None, "no message 5");
        assert_eq!(to_uid_key(&view(&[]), &key("1:*")), Some(nothing()));
    }

    #[test]
    fn responses() {
        let tag = Tag::try_from("t").unwrap().into_owned();
        let n = |v: &[u32]| v.iter().map(|&x| uid(x)).collect::<Vec<_>>();
        let plain = search_response(&tag, n(&[1, 2, 3]), false, None, false, None);
        assert!(matches!(plain, Data::Search { .. }));
        let Data::ESearch(e) = search_response(
            &tag,
            n(&[1, 2, 3, 7]),
            true,
            Some(&[SearchReturnOption::Min, SearchReturnOption::Count]),
            false,
            None,
        ) else {
            panic!()
        };
        assert_eq!(
            e.items,
            vec![ESearchItem::Min(uid(1)), ESearchItem::Count(4)]
        );
        let Data::ESearch(e) = search_response(&tag, n(&[]), false, None, true, None) else {
            panic!()
        };
        assert!(e.items.is_empty(), "no ALL for no match");
    }
}
