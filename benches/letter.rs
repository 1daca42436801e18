//! One letter in each format: `cargo bench --bench letter` (docs/PERFORMANCE.md, "A cheaper letter").
//!
//! The letter is benches/letter/letter.hbs, the one compared with Python mailmerge: about 400 words, five fields.
//! `markdown` is the template filled for one recipient (handlebars, front matter, headers, file name); each format
//! then measures the bytes of that one letter, as `render` writes them. Files are not written: the file system's
//! share is measured through the command line.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use lettermerge::load::Campaign;
use lettermerge::plan::stream::Pick;
use lettermerge::plan::{Plan, PlanOptions};
use lettermerge::render::outputs::Outputs;
use lettermerge::render::{Format, Renderer};

// As in src/main.rs: the bench measures what the binary does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const LETTER: &str = include_str!("letter/letter.hbs");

fn write_campaign(dir: &Path) {
    let write = |rel: &str, text: &str| {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("create folders");
        std::fs::write(path, text).expect("write a campaign file");
    };
    write(
        "lettermerge.toml",
        "[letter]\ntemplate = \"templates/letter.hbs\"\nrecipients = \"recipients/officials.csv\"\nkey = \"id\"\n\
         [vars]\ncoalition_name = \"Coalition for Human Rights in Mexico\"\n[signoff]\nrequired = false\n",
    );
    write("templates/letter.hbs", LETTER);
    write(
        "recipients/officials.csv",
        "id,title,first_name,last_name,organization,email\n\
         o0000001,Representative,Alex1,Núñez1,Office of the People 1,o1@gov.example\n",
    );
}

fn letter(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    write_campaign(dir.path());
    let campaign = Campaign::load(dir.path()).unwrap_or_else(|p| panic!("{p:?}"));
    let options = PlanOptions {
        variants: Vec::new(),
        date: chrono::NaiveDate::from_ymd_opt(2018, 7, 11),
    };
    let plan = Plan::new(&campaign, &options).unwrap_or_else(|p| panic!("{p:?}"));
    let renderer = Renderer::new(&plan).unwrap_or_else(|p| panic!("{p:?}"));
    let outputs =
        Outputs::new(&campaign, cfg!(feature = "pdf")).unwrap_or_else(|p| panic!("{p:?}"));
    let batch = plan
        .batches(&Pick::all(), 1)
        .next()
        .expect("one batch")
        .unwrap_or_else(|p| panic!("{p:?}"));
    let one = batch.letters().into_iter().next().expect("one letter");

    let mut group = c.benchmark_group("letter");
    group.bench_function("markdown", |b| {
        b.iter(|| renderer.render(&one).expect("the letter renders"))
    });
    let rendered = renderer.render(&one).expect("the letter renders");
    for format in Format::ALL {
        if format == Format::Pdf && !cfg!(feature = "pdf") {
            continue;
        }
        group.bench_function(format.extension(), |b| {
            b.iter(|| {
                outputs
                    .bytes(&rendered, format)
                    .expect("the format renders")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, letter);
criterion_main!(benches);
