//! SQL functions the search queries call, written in Rust: the shared matchers of
//! [`crate::search::matching`], so that SQL finds what the in-memory store finds.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

use crate::search::matching::{contains_ignoring_case, header_contains, keywords_text_has};

/// Registers `ci_contains(hay, needle)`, `has_keyword(keywords, kw)` and
/// `header_contains(header_block, name, needle)`.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("ci_contains", 2, flags, |ctx| {
        let hay: String = ctx.get::<Option<String>>(0)?.unwrap_or_default();
        let needle: String = ctx.get(1)?;
        Ok(contains_ignoring_case(&hay, &needle))
    })?;
    conn.create_scalar_function("has_keyword", 2, flags, |ctx| {
        let keywords: String = ctx.get(0)?;
        let keyword: String = ctx.get(1)?;
        Ok(keywords_text_has(&keywords, &keyword))
    })?;
    conn.create_scalar_function("header_contains", 3, flags, |ctx| {
        let block: Vec<u8> = ctx.get(0)?;
        let name: String = ctx.get(1)?;
        let needle: String = ctx.get(2)?;
        Ok(header_contains(&block, &name, &needle))
    })?;
    Ok(())
}
