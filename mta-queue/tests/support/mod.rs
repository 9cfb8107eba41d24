pub(crate) mod sink;
