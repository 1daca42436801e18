//! Deliver: output files ([`files`]), SMTP sessions ([`smtp`]), the append-only send journal ([`journal`]), and
//! sending a campaign exactly once ([`send`]).

pub(crate) mod files;
pub mod journal;
pub(crate) mod moved;
pub(crate) mod send;
pub(crate) mod sheet;
pub mod smtp;
pub(crate) mod state;
pub(crate) mod track;
