//! Deliver: output files ([`files`]), SMTP sessions ([`smtp`]), the append-only send journal ([`journal`]), and
//! sending a campaign exactly once ([`send`]).

pub mod files;
pub mod journal;
pub mod send;
pub mod sheet;
pub mod smtp;
pub mod state;
pub mod track;
