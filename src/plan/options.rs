//! What a run asks of the plan: which variants, what date — and the one way that asking can be wrong.

use chrono::NaiveDate;

use crate::diag::Problem;

/// Which variants to plan and what day it is.
#[derive(Debug, Default, Clone)]
pub struct PlanOptions {
    pub variants: Vec<String>,
    pub date: Option<NaiveDate>,
}

/// A variant asked for by name that the manifest does not declare: a mistake on the command line (exit 2), which
/// `check` also lists among the campaign's problems.
#[derive(Debug, Clone, thiserror::Error)]
#[error("there is no variant `{wanted}`")]
pub struct UnknownVariant {
    pub wanted: String,
    /// The variants the manifest declares.
    pub known: Vec<String>,
}

impl UnknownVariant {
    pub fn help(&self) -> String {
        format!("the variants are: {}", self.known.join(", "))
    }

    pub(crate) fn problem(&self) -> Problem {
        Problem::error(self.to_string()).help(self.help())
    }
}

impl PlanOptions {
    /// The first variant asked for that is not among `known`.
    pub(crate) fn unknown_variant(&self, known: &[String]) -> Option<UnknownVariant> {
        self.unknown_variants(known).next()
    }

    pub(crate) fn unknown_variants<'a>(
        &'a self,
        known: &'a [String],
    ) -> impl Iterator<Item = UnknownVariant> + 'a {
        self.variants
            .iter()
            .filter(|w| !known.contains(w))
            .map(|w| UnknownVariant {
                wanted: w.clone(),
                known: known.to_vec(),
            })
    }
}
