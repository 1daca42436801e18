//! Language-dependent words: dates and list joining. To be written.
