//! Helpers shared by the integration tests.

use std::path::Path;

/// Whether an external interop tool (pdftotext, chromium, postfix…) is installed.
///
/// A missing tool skips the test that asks (it prints `skipped: NAME not installed` and the caller returns), unless
/// `LETTERMERGE_INTEROP=require`, where CI promises the tools and a missing one must fail loudly instead of passing
/// quietly.
#[allow(dead_code)]
pub fn interop_tool(name: &str) -> bool {
    let found = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| is_executable(&dir.join(name)))
    });
    if found {
        return true;
    }
    if std::env::var("LETTERMERGE_INTEROP").as_deref() == Ok("require") {
        panic!("{name} not installed, and LETTERMERGE_INTEROP=require");
    }
    println!("skipped: {name} not installed");
    false
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}
