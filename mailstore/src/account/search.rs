//! SEARCH and SORT in SQL.

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::Account;
use crate::error::{Result, StoreError};
use crate::index::rows;
use crate::search::sql::Where;
use crate::search::{SearchKey, SortCriterion, sort};
use crate::store::SearchStore;
use crate::types::{MailboxId, Uid, ValidationError};

impl Account {
    fn query_uids(&self, mailbox: MailboxId, key: &SearchKey, order: &str) -> Result<Vec<Uid>> {
        let clause = Where::build(key).ok_or(StoreError::InvalidName(ValidationError::new(
            "search criteria",
            None,
        )))?;
        let sql = format!(
            "SELECT m.uid FROM message m JOIN content c ON c.id = m.content_id
             WHERE m.mailbox_id = ?1 AND ({}) ORDER BY {order}",
            clause.sql
        );
        self.read(|conn| {
            rows::mailbox_by_id(conn, mailbox)?;
            let mut params = vec![Value::Integer(mailbox.0)];
            params.extend(clause.params);
            let mut stmt = conn.prepare(&sql)?;
            let uids = stmt
                .query_map(params_from_iter(params), |r| r.get::<_, u32>(0))?
                .filter_map(|r| r.map(Uid::new).transpose())
                .collect::<rusqlite::Result<_>>()?;
            Ok(uids)
        })
    }
}

impl SearchStore for Account {
    fn search(&self, mailbox: MailboxId, key: &SearchKey) -> Result<Vec<Uid>> {
        self.query_uids(mailbox, key, "m.uid")
    }

    fn sort(
        &self,
        mailbox: MailboxId,
        sort: &[SortCriterion],
        key: &SearchKey,
    ) -> Result<Vec<Uid>> {
        let mut order: Vec<String> = sort.iter().copied().map(sort::order_by).collect();
        order.push("m.uid".to_owned());
        self.query_uids(mailbox, key, &order.join(", "))
    }
}
