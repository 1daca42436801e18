//! The rule book: may a variant be sent, and if not, why. `check` reports it, `send` obeys it, `proof` shows it and
//! `approve` follows the same rules for what it may record.

use std::collections::BTreeMap;
use std::fmt;

use crate::diag::Problems;
use crate::load::approvals::Approval;
use crate::load::Campaign;
use crate::plan::{Plan, PlanOptions, Variant};
use crate::render::Renderer;

use super::fingerprint::{self, Fingerprint};
use super::sent::Facts;
use super::{changes_since, describe, diff, Change, ListChange};

/// Why approval is required before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// `[signoff] required = true`.
    Manifest,
    /// approvals.toml holds approvals.
    Approvals,
    /// The journal shows letters sent under an approval (approvals.toml may be gone).
    Journal,
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Requirement::Manifest => "lettermerge.toml says [signoff] required = true",
            Requirement::Approvals => "approvals.toml holds approvals",
            Requirement::Journal => "the journal shows approved letters were sent",
        })
    }
}

/// The kind of run a verdict is for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sending {
    /// `--ignore-embargo`.
    pub ignore_embargo: bool,
    /// `--journal-lost`: the user knows the journal is gone and accepts sending what it does not list.
    pub journal_lost: bool,
    /// The run records letters as sent, or its dry run would: through `[smtp]`, not to an outbox or a redirect.
    pub records: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approved {
    By {
        date: chrono::NaiveDate,
        by: String,
    },
    /// Sign-off is not in use: nothing approved, nothing requires it.
    NotRequired,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// `send` would send it.
    Ready(Approved),
    /// A public copy: never sent, but published, so its text and list are judged as any other (what is found).
    Public(Vec<Refusal>),
    Refused(Vec<Refusal>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Approval is required (the journal says so) but approvals.toml is gone.
    ApprovalsMissing,
    NotApproved(Requirement),
    TextChanged(Vec<Change>),
    /// A translation whose source's text changed since the translation was approved.
    SourceChanged {
        source: String,
        changes: Vec<Change>,
    },
    ListChanged(ListChange),
    Embargoed(String),
    BadEmbargo(String),
    /// approvals.toml counts more letters sent than the journal lists: the journal was deleted or replaced.
    JournalBehind {
        recorded: usize,
        found: usize,
        last: chrono::DateTime<chrono::Utc>,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::ApprovalsMissing => f.write_str(
                "approvals.toml is missing, but the journal shows approved letters were sent",
            ),
            Refusal::NotApproved(why) => write!(f, "not approved ({why})"),
            Refusal::TextChanged(c) => write!(f, "changed since its approval: {}", describe(c)),
            Refusal::SourceChanged { source, changes } => write!(
                f,
                "translates `{source}`, whose text changed since the translation was approved: {}",
                describe(changes)
            ),
            Refusal::ListChanged(l) => write!(f, "signatories: {l}"),
            Refusal::Embargoed(until) => write!(f, "embargoed until {until}"),
            Refusal::BadEmbargo(e) => write!(f, "{e}"),
            Refusal::JournalBehind {
                recorded,
                found,
                last,
            } => write!(
                f,
                "approvals.toml records {recorded} of its letters as sent (last {last}), but the journal \
                 .lettermerge/journal.jsonl lists {found}: it was deleted or replaced, and sending now could send \
                 letters twice"
            ),
        }
    }
}

/// Everything sign-off needs to judge a campaign's variants, gathered once.
pub struct Signoff<'c> {
    pub campaign: &'c Campaign,
    /// The variants asked for and the sources of those that are translations.
    pub plan: Plan<'c>,
    pub renderer: Renderer<'c>,
    selected: Vec<String>,
    prints: BTreeMap<String, Fingerprint>,
    facts: Facts,
}

impl<'c> Signoff<'c> {
    /// Judges `selected` variants (every one when empty).
    pub fn new(campaign: &'c Campaign, selected: &[String]) -> Result<Signoff<'c>, Problems> {
        Signoff::dated(campaign, selected, None)
    }

    /// [`Signoff::new`] with the letters of variants not yet approved dated `date` (`--date`): for the proof pages,
    /// which show a letter. An approved variant's letter keeps its approval date, as it is sent, so the diff since
    /// approval shows what changed in the text and not the day. The verdicts do not depend on it.
    pub fn dated(
        campaign: &'c Campaign,
        selected: &[String],
        date: Option<chrono::NaiveDate>,
    ) -> Result<Signoff<'c>, Problems> {
        let m = &campaign.manifest.manifest;
        let mut wanted: Vec<String> = selected.to_vec();
        for name in selected {
            if let Some(source) = m.variants.get(name).and_then(|v| v.translation_of.clone()) {
                if !wanted.contains(&source) {
                    wanted.push(source);
                }
            }
        }
        let mut plan = Plan::new(
            campaign,
            &PlanOptions {
                variants: wanted,
                date,
            },
        )?;
        if date.is_some() {
            for v in &mut plan.variants {
                let approved = campaign
                    .approvals
                    .as_ref()
                    .and_then(|a| a.variants.get(&v.name))
                    .map(|a| a.date);
                if let Some(day) = approved {
                    v.today = day;
                }
            }
        }
        let selected: Vec<String> = plan
            .variants
            .iter()
            .map(|v| v.name.clone())
            .filter(|n| selected.is_empty() || selected.contains(n))
            .collect();
        let renderer = Renderer::new(&plan)?;
        let prints = plan
            .variants
            .iter()
            .map(|v| {
                let files = attachments(campaign, &plan, v, &renderer);
                (v.name.clone(), fingerprint::of(campaign, v, &files))
            })
            .collect();
        Ok(Signoff {
            campaign,
            plan,
            renderer,
            selected,
            prints,
            facts: Facts::read(&campaign.dir),
        })
    }

    /// The variants asked for, in manifest order.
    pub fn selected(&self) -> impl Iterator<Item = &Variant<'c>> {
        self.plan
            .variants
            .iter()
            .filter(|v| self.selected.contains(&v.name))
    }

    pub fn variant(&self, name: &str) -> Option<&Variant<'c>> {
        self.plan.variant(name)
    }

    pub fn fingerprint(&self, name: &str) -> &Fingerprint {
        &self.prints[name]
    }

    pub fn approval(&self, name: &str) -> Option<&Approval> {
        self.campaign.approvals.as_ref()?.variants.get(name)
    }

    /// Why approval is required, if it is.
    pub fn requirement(&self) -> Option<Requirement> {
        if self.campaign.manifest.manifest.signoff.required {
            Some(Requirement::Manifest)
        } else if self
            .campaign
            .approvals
            .as_ref()
            .is_some_and(|a| !a.variants.is_empty())
        {
            Some(Requirement::Approvals)
        } else if self.facts.approved_sends {
            Some(Requirement::Journal)
        } else {
            None
        }
    }

    /// What changed in the variant's own text since its approval; `None` when it is approved and unchanged, or not
    /// approved at all.
    pub fn text_changes(&self, name: &str) -> Option<Vec<Change>> {
        let a = self.approval(name)?;
        let now = self.fingerprint(name);
        (!now.approves(&a.text)).then(|| changes_since(a, now))
    }

    /// For an approved translation whose source's text changed since: the source and what changed in it.
    pub fn source_changes(&self, name: &str) -> Option<(String, Vec<Change>)> {
        let a = self.approval(name)?;
        let source = self.variant(name)?.translation_of.clone()?;
        let now = self.prints.get(&source)?;
        if a.source_text
            .as_deref()
            .is_some_and(|t| now.translated == t || now.approves(t))
        {
            return None;
        }
        let changes = if a.source_parts.is_empty() {
            vec![Change::Text]
        } else {
            diff(&a.source_parts, &a.source_rows, now)
        };
        Some((source, changes))
    }

    /// A change of the signatory list since its approval.
    pub fn list_change(&self, name: &str) -> Option<ListChange> {
        let a = self.approval(name)?;
        let now = self.fingerprint(name);
        (now.list != a.list).then(|| ListChange {
            added: now
                .signatories
                .iter()
                .filter(|k| !a.signatories.contains(k))
                .cloned()
                .collect(),
            removed: a
                .signatories
                .iter()
                .filter(|k| !now.signatories.contains(k))
                .cloned()
                .collect(),
            edited: (!a.signatory_prints.is_empty()).then(|| {
                now.signatory_prints
                    .iter()
                    .filter(|(k, p)| a.signatory_prints.get(*k).is_some_and(|q| q != *p))
                    .map(|(k, _)| k.clone())
                    .collect()
            }),
        })
    }

    /// May `send` send this variant now, and if not, why. The one place that decides.
    pub fn verdict(&self, name: &str, how: Sending) -> Verdict {
        let Some(v) = self.variant(name) else {
            return Verdict::Refused(vec![Refusal::NotApproved(Requirement::Approvals)]);
        };
        let public = v.is_public();
        let mut refusals = Vec::new();
        let approval = self.approval(name);
        match (approval, self.requirement()) {
            // Letters went out under approvals that are gone: the way back is the file, not a new approval (which
            // would approve today's text without its signers), whatever else requires sign-off.
            (None, Some(_)) if self.campaign.approvals.is_none() && self.facts.approved_sends => {
                refusals.push(Refusal::ApprovalsMissing)
            }
            (None, Some(why)) => refusals.push(Refusal::NotApproved(why)),
            _ => {}
        }
        if let Some(changes) = self.text_changes(name) {
            refusals.push(Refusal::TextChanged(changes));
        }
        if let Some((source, changes)) = self.source_changes(name) {
            refusals.push(Refusal::SourceChanged { source, changes });
        }
        if let Some(change) = self.list_change(name) {
            refusals.push(Refusal::ListChanged(change));
        }
        if public {
            return Verdict::Public(refusals);
        }
        if let Some(nb) = &v.not_before {
            match chrono::DateTime::parse_from_rfc3339(nb) {
                Ok(at) if chrono::Utc::now() < at && !how.ignore_embargo => {
                    refusals.push(Refusal::Embargoed(nb.clone()))
                }
                Ok(_) => {}
                Err(e) => refusals.push(Refusal::BadEmbargo(format!(
                    "not_before `{nb}` is not an RFC 3339 time ({e})"
                ))),
            }
        }
        if how.records && !how.journal_lost {
            let recorded = self
                .campaign
                .approvals
                .as_ref()
                .and_then(|a| a.sent.get(name));
            let found = self.facts.sent(name);
            if let Some(r) = recorded.filter(|r| r.letters > found) {
                refusals.push(Refusal::JournalBehind {
                    recorded: r.letters,
                    found,
                    last: r.last,
                });
            }
        }
        match (refusals.is_empty(), approval) {
            (false, _) => Verdict::Refused(refusals),
            (true, Some(a)) => Verdict::Ready(Approved::By {
                date: a.date,
                by: a.by.clone(),
            }),
            (true, None) => Verdict::Ready(Approved::NotRequired),
        }
    }

    /// Why `approve` must not record the text of `name`: a translation whose source changed since its approval is
    /// approved only when named (`--variant`), so a blanket `approve` cannot wave it through.
    pub fn text_approval_blocked(&self, name: &str, named: bool) -> Option<Refusal> {
        let (source, changes) = self.source_changes(name)?;
        (!named).then_some(Refusal::SourceChanged { source, changes })
    }

    /// Why `approve --list` cannot accept the list alone: the text is not approved, or changed.
    pub fn list_approval_blocked(&self, name: &str) -> Option<Refusal> {
        if self.approval(name).is_none() {
            return Some(Refusal::NotApproved(
                self.requirement().unwrap_or(Requirement::Approvals),
            ));
        }
        self.text_changes(name).map(Refusal::TextChanged)
    }

    /// The approval `approve` records for `name` now; `old` keeps its date and approver when the text is unchanged,
    /// so the letters keep their date and hash.
    pub fn text_approval(
        &self,
        name: &str,
        by: &str,
        today: chrono::NaiveDate,
        letter: String,
    ) -> Approval {
        let now = self.fingerprint(name);
        let old = self.approval(name);
        let (date, by) = match old {
            Some(a) if now.approves(&a.text) => (a.date, a.by.clone()),
            _ => (today, by.to_string()),
        };
        let source = self
            .variant(name)
            .and_then(|v| v.translation_of.as_ref())
            .and_then(|s| self.prints.get(s));
        Approval {
            date,
            by: by.clone(),
            text: now.text.clone(),
            list: now.list.clone(),
            list_date: today,
            list_by: by,
            signatories: now.signatories.clone(),
            signatory_prints: now.signatory_prints.clone(),
            source_text: source.map(|s| s.translated.clone()),
            source_parts: source
                .map(|s| {
                    let mut parts = s.parts.clone();
                    parts.remove(super::fingerprint::PER_SIGNATORY);
                    parts
                })
                .unwrap_or_default(),
            source_rows: source.map(|s| s.rows.clone()).unwrap_or_default(),
            parts: now.parts.clone(),
            rows: now.rows.clone(),
            letter,
        }
    }
}

/// Every file the variant's letters attach: literal paths as written, templated ones as each letter renders them.
fn attachments(campaign: &Campaign, plan: &Plan, v: &Variant, renderer: &Renderer) -> Vec<String> {
    let fields = &campaign.templates[&v.template].front.attachments;
    let mut out: Vec<String> = fields
        .iter()
        .filter(|f| !f.source.contains("{{"))
        .flat_map(|f| crate::render::helpers::split_cell(&f.source))
        .collect();
    if fields.iter().any(|f| f.source.contains("{{")) {
        // A letter that cannot render cannot be sent either; its error is reported where it is rendered.
        // Read from the table unit by unit; a unit that cannot be read is the plan's problem, reported elsewhere.
        let units = plan.units(v).into_iter().flatten().flatten();
        for (n, unit) in units.enumerate() {
            out.extend(
                v.letters_of(&unit, n)
                    .filter_map(|l| renderer.attachment_paths(&l).ok())
                    .flatten(),
            );
            out.sort();
            out.dedup();
        }
    }
    out.sort();
    out.dedup();
    out
}
