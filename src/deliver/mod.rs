//! Delivery: SMTP sessions ([`smtp`]) and the append-only send journal ([`journal`]).

pub mod smtp;
