//! The test harness: a campaign in a temporary folder, the binary run on it, and the outside tools the interop
//! tests drive.

use std::path::Path;

/// Whether an external interop tool (pdftotext, chromium, postfix…) is installed.
///
/// A missing tool skips the test that asks (it prints `skipped: NAME not installed` and the caller returns), unless
/// `LETTERMERGE_INTEROP=require`, where CI promises the tools and a missing one must fail loudly instead of passing
/// quietly.
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
pub const DATE: &str = "2018-07-11";

/// The repository root: the bundled example campaign.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, with colour off so stderr is plain text.
pub fn lettermerge() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lettermerge"));
    cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// A campaign folder of its own per test, so tests run in parallel and never write into the repository.
pub struct Campaign {
    pub dir: TempDir,
}

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
        for d in ["templates", "recipients", "attachments", "data"] {
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

    /// A path inside the campaign.
    pub fn file(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
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

    /// Replaces exactly one occurrence of `from` in a file.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert_eq!(
            text.matches(from).count(),
            1,
            "{rel} should hold `{from}` exactly once:\n{text}"
        );
        self.write(rel, text.replacen(from, to, 1));
    }

    /// Appends a line (a CSV row, a manifest line) to a file.
    pub fn append(&self, rel: &str, line: &str) {
        let mut text = self.read(rel);
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(line);
        text.push('\n');
        self.write(rel, text);
    }

    /// `lettermerge -C DIR`, run from another folder so relative paths cannot leak into the repository.
    pub fn cmd(&self) -> Command {
        let mut cmd = lettermerge();
        cmd.arg("-C")
            .arg(self.path())
            .current_dir(std::env::temp_dir());
        cmd
    }

    /// `lettermerge ARGS` run inside the campaign folder (as a user in a terminal would), with a fixed
    /// environment: a known $USER and no SMTP password.
    pub fn cmd_here(&self, args: &[&str]) -> Command {
        let mut c = lettermerge();
        c.current_dir(self.path())
            .env("USER", "tester")
            .env_remove("LETTERMERGE_SMTP_PASSWORD")
            .args(args);
        c
    }

    /// Runs `lettermerge ARGS` inside the campaign folder, whatever its exit status.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.cmd_here(args).output().expect("run lettermerge");
        Run::new(args, out)
    }

    /// Runs a command that must succeed.
    pub fn ok(&self, args: &[&str]) -> Run {
        self.run(args).success()
    }

    /// `lettermerge render --date 2018-07-11 ARGS…`, whatever its exit status.
    pub fn render(&self, args: &[&str]) -> Run {
        let mut cmd = self.cmd();
        cmd.arg("render").arg("--date").arg(DATE).args(args);
        Run::from(cmd.output().expect("run lettermerge"))
    }

    /// `render --format txt --date 2018-07-11 ARGS…`, which must succeed.
    pub fn render_txt(&self, extra: &[&str]) -> Run {
        let mut args = vec!["render", "--format", "txt", "--date", DATE];
        args.extend_from_slice(extra);
        self.ok(&args)
    }

    /// `lettermerge check ARGS…`.
    pub fn check(&self, args: &[&str]) -> Run {
        let mut cmd = self.cmd();
        cmd.arg("check").args(args);
        Run::from(cmd.output().expect("run lettermerge"))
    }

    /// Every file under `out/`, relative to it, `/`-separated and sorted.
    pub fn all_out_files(&self) -> Vec<String> {
        let root = self.path().join("out");
        let mut files = Vec::new();
        list_files(&root, &root, &mut files);
        files.sort();
        files
    }

    /// The file names (not paths) in `out/VARIANT/`, sorted.
    pub fn out_files(&self, variant: &str) -> Vec<String> {
        let dir = self.file("out").join(variant);
        let mut names: Vec<String> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names
    }

    /// The variant folders under out/, sorted.
    pub fn out_variants(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.file("out"))
            .map(|rd| {
                rd.filter_map(|e| {
                    let e = e.unwrap();
                    e.file_type()
                        .unwrap()
                        .is_dir()
                        .then(|| e.file_name().to_string_lossy().into_owned())
                })
                .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// `out/VARIANT/FILE` as text.
    pub fn out(&self, variant: &str, file: &str) -> String {
        self.read(&format!("out/{variant}/{file}"))
    }
}

/// A finished run of the binary: its command line, exit status and both streams as text. The fields and the
/// methods of the same names give the same values; `code()` also fails the test when the process died of a signal.
pub struct Run {
    pub args: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    signal: bool,
}

impl From<Output> for Run {
    fn from(out: Output) -> Run {
        Run::new(&[], out)
    }
}

impl Run {
    pub fn new(args: &[&str], out: Output) -> Run {
        Run {
            args: args.join(" "),
            code: out.status.code().unwrap_or(-1),
            signal: out.status.code().is_none(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn code(&self) -> i32 {
        assert!(!self.signal, "lettermerge ended by a signal\n{self}");
        self.code
    }
    pub fn stdout(&self) -> String {
        self.stdout.clone()
    }
    pub fn stderr(&self) -> String {
        self.stderr.clone()
    }

    /// Both streams, for assertions that do not care where a message went.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Asserts exit 0 and returns self.
    pub fn success(self) -> Run {
        assert_eq!(self.code(), 0, "expected success\n{self}");
        self
    }

    /// Asserts the exit status, that nothing panicked, and returns stderr.
    pub fn fails_with(&self, code: i32) -> String {
        assert_eq!(self.code(), code, "expected exit {code}\n{self}");
        assert!(
            !self.stderr.contains("panicked"),
            "lettermerge panicked\n{self}"
        );
        assert!(
            !self.stderr.contains("RUST_BACKTRACE"),
            "lettermerge panicked\n{self}"
        );
        self.stderr.clone()
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`lettermerge {}` exited {}\n--- stdout\n{}--- stderr\n{}",
            self.args,
            if self.signal {
                "by a signal".to_string()
            } else {
                self.code.to_string()
            },
            self.stdout,
            self.stderr
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
pub fn block_starting(text: &str, first: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| l.trim() != first)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.trim_end().to_string())
        .collect()
}

/// Runs an outside tool (pdftotext, pandoc, python3…) and returns its standard output; a failure shows its stderr.
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
