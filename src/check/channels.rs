//! Checks on how each letter reaches its office: a `channel` cell that names no channel, and a web-form letter
//! without a web form to paste it into. Reported once per row, not once per letter of every variant.

use crate::diag::{Problem, Problems};
use crate::load::table::{Row, Shape};
use crate::plan::channel::{Channel, COLUMN, CONTACT_FORM};

/// The row's problem with its channel, if it has one.
pub fn row(t: &Shape, row: &Row) -> Option<Problem> {
    let mut problems = Problems::new();
    let column = |name: &str| t.column(name).map(|c| c + 1);
    {
        let key = t.key(row);
        let at = |name: &str| {
            Problem::error("")
                .in_file(&t.path)
                .at(row.line, column(name))
        };
        match Channel::of(t, row) {
            Err(e) => problems.push(Problem {
                message: format!("the letter to `{key}`: {e}"),
                help: Some(
                    "email (the default when empty), webform (with a contact_form URL), print, manual or fax"
                        .into(),
                ),
                ..at(COLUMN)
            }),
            Ok(Channel::Webform) => {
                let url = t.value(row, CONTACT_FORM).unwrap_or("").trim();
                let web = url.starts_with("https://") || url.starts_with("http://");
                if !web {
                    let message = if url.is_empty() {
                        format!("the letter to `{key}` goes through a web form, but its `{CONTACT_FORM}` is empty")
                    } else {
                        format!("the letter to `{key}` goes through a web form, but `{CONTACT_FORM}` `{url}` is not an http(s) address")
                    };
                    problems.push(Problem {
                        message,
                        help: Some(
                            format!(
                                "put the office's contact form address, https://…, in the row's `{CONTACT_FORM}` column"
                            )
                            .into(),
                        ),
                        ..at(if column(CONTACT_FORM).is_some() {
                            CONTACT_FORM
                        } else {
                            COLUMN
                        })
                    });
                }
            }
            Ok(_) => {}
        }
    }
    problems.into_iter().next()
}
