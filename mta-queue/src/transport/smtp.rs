//! The SMTP/LMTP transport over smtp-proto's client (written once smtp-proto's client
//! is committed).
