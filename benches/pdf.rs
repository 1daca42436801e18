//! PDF throughput and memory: `cargo bench --bench pdf` (docs/PERFORMANCE.md, section "PDF").
//!
//! Each measurement runs in a fresh child process, so its peak RSS (VmHWM) is its own. With arguments
//! (`cargo bench --bench pdf -- seq 1000` or `par 10000`) one measurement runs in this process.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Instant;

use lettermerge::render::pdf::{Paper, PdfEngine, PdfOptions};
use rayon::prelude::*;

// As in src/main.rs: the bench measures what the binary does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.as_slice() {
        [mode, n] => {
            let n = n.parse().unwrap_or(1000);
            run(mode, n);
        }
        _ => {
            let exe = match std::env::current_exe() {
                Ok(exe) => exe,
                Err(e) => return eprintln!("cannot find the bench binary: {e}"),
            };
            println!(
                "{:<6} {:>8} {:>9} {:>11} {:>13} {:>10}",
                "mode", "letters", "total s", "ms/letter", "peak RSS MB", "PDF KB"
            );
            for (mode, n) in [("seq", 1000), ("par", 1000), ("seq", 10000), ("par", 10000)] {
                let status = Command::new(&exe).args([mode, &n.to_string()]).status();
                if !status.is_ok_and(|s| s.success()) {
                    eprintln!("{mode} {n}: failed");
                }
            }
        }
    }
}

fn run(mode: &str, n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = PdfOptions {
        campaign_dir: dir.path().to_path_buf(),
        paper: Paper::Letter,
        layout: None,
        fonts: None,
    };
    let engine = PdfEngine::new(&opts).unwrap_or_else(|p| panic!("{p:?}"));
    let letters: Vec<(String, BTreeMap<String, String>)> = (0..n).map(letter).collect();
    let render = |(md, inputs): &(String, BTreeMap<String, String>)| match engine.render(md, inputs)
    {
        Ok(pdf) => pdf.len(),
        Err(p) => panic!("{p}"),
    };
    let start = Instant::now();
    let bytes: usize = match mode {
        "par" => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .build()
                .expect("rayon pool");
            pool.install(|| letters.par_iter().map(render).sum())
        }
        _ => {
            let mut sum = 0;
            for (i, l) in letters.iter().enumerate() {
                sum += render(l);
                // Memory as letters grow: it should level off, not climb.
                if n >= 10_000 && (i + 1) % 2_000 == 0 {
                    eprintln!(
                        "  {mode} after {:>6} letters: RSS {:>5} MB",
                        i + 1,
                        status_kb("VmRSS:") / 1024
                    );
                }
            }
            sum
        }
    };
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{:<6} {:>8} {:>9.2} {:>11.2} {:>13} {:>10.1}",
        mode,
        n,
        secs,
        secs * 1000.0 / n as f64,
        status_kb("VmHWM:") / 1024,
        bytes as f64 / n as f64 / 1024.0
    );
}

/// A one-page letter shaped like the seed: date, address, salutation, three paragraphs, signatories.
fn letter(i: usize) -> (String, BTreeMap<String, String>) {
    let md = format!(
        "July 11, 2018\n\nRepresentative Member {i}\nUnited States House of Representatives\n\
         {i} Longworth House Office Building\nWashington, DC 20515\n\nDear Representative Member {i}\\,\n\n\
         On the occasion of the Secretary's visit to Mexico City to meet with President Enrique Peña Nieto and \
         President\\-elect Andrés Manuel López Obrador, we write to you as representatives of organizations that \
         closely follow the human rights situation in Mexico.\n\n\
         Impunity for human rights violations remains a problem with extremely low prosecution rates for all \
         crimes. Between 2012 and 2016, fewer than four percent of investigations resulted in convictions.\n\n\
         We urge you to address these key issues and look forward to working with you to enhance accountability \
         and respect for human rights in Mexico.\n\nSincerely,\n\n\
         Latin America Working Group \\(LAWG\\)\n\nWashington Office on Latin America \\(WOLA\\)\n\n\
         Amnesty International USA\\, Marselha Gonçalves Margerin\n\nDue Process of Law Foundation \\(DPLF\\)\n\n\
         Robert F\\. Kennedy Human Rights\n"
    );
    let inputs = [
        ("date", "July 11, 2018".to_string()),
        ("letter_id", format!("coalition/rep{i}")),
        ("variant", "coalition".to_string()),
        ("lang", "en".to_string()),
        ("letterhead", "Mexico Human Rights Coalition".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    (md, inputs)
}

fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}
