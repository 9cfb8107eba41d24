//! The SQLite side of the store: schema, SQL functions, row types and queries shared by
//! the operations.

pub(crate) mod functions;
pub(crate) mod rows;
pub(crate) mod schema;
