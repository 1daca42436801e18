//! check: the whole data path walked without writing — load, plan, every letter rendered — plus the static checks
//! that rendering alone cannot see (names inside `#if`, near-duplicate organizations, unknown titles).

use crate::cli::Selection;
use crate::diag::Problems;
use crate::load::Campaign;
use crate::plan::{Plan, PlanOptions};
use crate::render::Renderer;

pub fn campaign(campaign: &Campaign, sel: &Selection) -> Problems {
    let mut problems = Problems::new();
    let plan = match Plan::new(campaign, &PlanOptions { variants: sel.variants.clone(), date: sel.date }) {
        Ok(p) => p,
        Err(p) => return p,
    };
    let renderer = match Renderer::new(&plan) {
        Ok(r) => r,
        Err(p) => return p,
    };
    for letter in plan.letters().filter(|l| l.selected_by(&sel.only)) {
        if let Err(p) = renderer.render(&letter) {
            problems.push(p);
        }
    }
    problems
}
