//! Forms of address for officials. To be written.
