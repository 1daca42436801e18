//! Delivery: SMTP sessions ([`smtp`]) and the append-only send journal ([`journal`]).

pub mod journal;
pub mod smtp;
