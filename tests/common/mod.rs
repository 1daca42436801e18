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

// ── Campaigns in temporary folders, and the binary run on them ───────────────────────────────────────────────────

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// The date every test renders with, so output never depends on the day the tests run.
#[allow(dead_code)]
pub const DATE: &str = "2018-07-11";

/// The repository root: the bundled example campaign.
#[allow(dead_code)]
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, with colour off so stderr is plain text.
#[allow(dead_code)]
pub fn lettermerge() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lettermerge"));
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// A campaign folder of its own per test, so tests run in parallel and never write into the repository.
#[allow(dead_code)]
pub struct Campaign {
    dir: TempDir,
}

#[allow(dead_code)]
impl Campaign {
    /// An empty folder.
    pub fn empty() -> Campaign {
        Campaign {
            dir: tempfile::Builder::new()
                .prefix("lettermerge-test-")
                .tempdir()
                .expect("a temporary folder"),
        }
    }

    /// A copy of the repository's example campaign (manifest, templates, tables, attachments).
    pub fn example() -> Campaign {
        let c = Campaign::empty();
        copy_tree(
            &repo().join("lettermerge.toml"),
            &c.path().join("lettermerge.toml"),
        );
        for d in ["templates", "recipients", "attachments"] {
            copy_tree(&repo().join(d), &c.path().join(d));
        }
        c
    }

    /// A small campaign with no PDF: `recipients/officials.csv` holds `rows` under `header`, the letter template is
    /// `template` (front matter and body), and the manifest is `manifest`.
    pub fn small(manifest: &str, template: &str, header: &str, rows: &[&str]) -> Campaign {
        let c = Campaign::empty();
        c.write("lettermerge.toml", manifest);
        c.write("templates/letter.hbs", template);
        let mut csv = format!("{header}\n");
        for r in rows {
            csv.push_str(r);
            csv.push('\n');
        }
        c.write("recipients/officials.csv", csv);
        c
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file, creating its folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folders");
        std::fs::write(&path, contents).expect("write a campaign file");
    }

    /// A file of the campaign (or of its output) as text.
    pub fn read(&self, rel: &str) -> String {
        let path = self.path().join(rel);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    pub fn read_bytes(&self, rel: &str) -> Vec<u8> {
        let path = self.path().join(rel);
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    }

    /// `lettermerge -C DIR`, run from another folder so relative paths cannot leak into the repository.
    pub fn cmd(&self) -> Command {
        let mut cmd = lettermerge();
        cmd.arg("-C")
            .arg(self.path())
            .current_dir(std::env::temp_dir());
        cmd
    }

    /// `lettermerge render --date 2018-07-11 ARGS…`, whatever its exit status.
    pub fn render(&self, args: &[&str]) -> Run {
        let mut cmd = self.cmd();
        cmd.arg("render").arg("--date").arg(DATE).args(args);
        Run(cmd.output().expect("run lettermerge"))
    }

    /// `lettermerge check ARGS…`.
    pub fn check(&self, args: &[&str]) -> Run {
        let mut cmd = self.cmd();
        cmd.arg("check").args(args);
        Run(cmd.output().expect("run lettermerge"))
    }

    /// Every file under `out/`, relative to it, `/`-separated and sorted.
    pub fn out_files(&self) -> Vec<String> {
        let root = self.path().join("out");
        let mut files = Vec::new();
        list_files(&root, &root, &mut files);
        files.sort();
        files
    }
}

/// A finished run of the binary, with its exit status and output as text.
#[allow(dead_code)]
pub struct Run(pub Output);

#[allow(dead_code)]
impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().expect("lettermerge ended by a signal")
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    /// Asserts exit 0 and returns self.
    pub fn success(self) -> Run {
        assert_eq!(self.code(), 0, "expected success\n{self}");
        self
    }

    /// Asserts the exit status, that nothing panicked, and returns stderr.
    pub fn fails_with(&self, code: i32) -> String {
        let stderr = self.stderr();
        assert_eq!(self.code(), code, "expected exit {code}\n{self}");
        assert!(!stderr.contains("panicked"), "lettermerge panicked\n{self}");
        assert!(
            !stderr.contains("RUST_BACKTRACE"),
            "lettermerge panicked\n{self}"
        );
        stderr
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.0.status.code(),
            self.stdout(),
            self.stderr()
        )
    }
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("create a folder");
        for entry in std::fs::read_dir(from).expect("read a folder") {
            let entry = entry.expect("a folder entry");
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }
}

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            list_files(root, &path, out);
        } else {
            let rel = path.strip_prefix(root).expect("under out/");
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The lines of `text` between `first` (inclusive) and the next blank line.
#[allow(dead_code)]
pub fn block_starting(text: &str, first: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| l.trim() != first)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.trim_end().to_string())
        .collect()
}

/// Runs an outside tool (pdftotext, pandoc, python3…) and returns its standard output; a failure shows its stderr.
#[allow(dead_code)]
pub fn tool_stdout(cmd: &mut std::process::Command) -> String {
    let name = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {name}: {e}"));
    assert!(
        out.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{name} printed non-UTF-8: {e}"))
}
