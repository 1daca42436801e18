//! Forms of address (placeholder until the full module lands).
pub struct Person<'a> {
    pub title: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub salutation: &'a str,
    pub gender: &'a str,
    pub honorific: &'a str,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Usual,
    Formal,
}
pub struct Salutation {
    pub text: String,
    pub unknown_titles: Vec<String>,
}
pub fn salutation(people: &[Person], lang: &str, _style: Style) -> Salutation {
    let names: Vec<String> = people
        .iter()
        .map(|p| format!("{} {}", p.title, p.last_name))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    Salutation {
        text: format!("Dear {}", super::lang::join(&refs, lang, None, None)),
        unknown_titles: vec![],
    }
}
pub fn addressee(person: &Person, _lang: &str) -> String {
    format!("The Honorable {} {}", person.first_name, person.last_name)
}
pub fn knows_title(_title: &str) -> bool {
    true
}
