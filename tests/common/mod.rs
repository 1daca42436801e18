//! Shared by the integration tests.
#![allow(dead_code)]

/// Whether the external tool `name` is on PATH. If not, prints `skipped: NAME not installed` and
/// returns false, unless `LETTERMERGE_INTEROP=require`, which turns the skip into a failure.
pub fn interop_tool(name: &str) -> bool {
    let found = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            let candidate = dir.join(name);
            std::fs::metadata(&candidate).is_ok_and(|m| m.is_file())
        })
    });
    if found {
        return true;
    }
    if std::env::var("LETTERMERGE_INTEROP").as_deref() == Ok("require") {
        panic!("{name} is not installed, and LETTERMERGE_INTEROP=require makes interop tests mandatory");
    }
    println!("skipped: {name} not installed");
    false
}
