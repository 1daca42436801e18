//! The coalition campaign shared by the variant, sign-off and proof tests: a small campaign in a tempdir (manifest,
//! templates, CSV tables) whose every organization and sentence an assertion can name.
//!
//! The campaign is modelled on the example at the repository root, cut down so each assertion can name exact
//! organizations and sentences:
//! - 5 officials: 3 U.S. (`sos`, `rubio`, `castro`) and 2 Mexican (`amlo`, `micher`);
//! - 8 organizations: 6 signed (one lead signer with `order = 1`; one Mexican; one starting with "Á"; one in lower
//!   case, so only a real collation puts them in the right place), one pending, one declined;
//! - the five variants of the README's example ("Variants"): coalition, us, es, each, public.

pub use crate::harness::{Campaign, Run};

pub use crate::harness::DATE;

/// The signed organizations' names in the order every letter must list them: the lead signer (`order = 1`) first,
/// then alphabetical ignoring case and accents ("Ábaco" with the A's, "amigos" before "Border").
pub const SIGNED_IN_ORDER: [&str; 6] = [
    "Washington Office on Latin America",
    "Ábaco Human Rights Center",
    "amigos de la Frontera",
    "Border Rights Network",
    "Centro Prodh",
    "Zeta Legal Aid",
];

/// Their keys, in the same order.
pub const SIGNED_KEYS: [&str; 6] = ["wola", "abaco", "amigos", "brn", "prodh", "zeta"];

/// The one signed organization outside the U.S., absent from the `us` variant.
pub const NON_US_SIGNED: &str = "Centro Prodh";
pub const PENDING: &str = "Interfaith Alliance";
pub const DECLINED: &str = "Declined Coalition";

pub const US_KEYS: [&str; 3] = ["sos", "rubio", "castro"];
pub const MX_KEYS: [&str; 2] = ["amlo", "micher"];

pub const MANIFEST: &str = r#"[letter]
template   = "templates/letter.hbs"
recipients = "recipients/officials.csv"
key        = "id"

[tables]
organizations = "recipients/organizations.csv"
issues        = "recipients/issues.csv"

[signatories]
table = "organizations"
where = { status = "signed" }
sort  = ["order", "organization"]

[vars]
sender_name  = "Lucía Ramírez"
sender_email = "lucia@coalition.example"
lang         = "en"

[output]
dir     = "out"
formats = ["txt"]

[variants.coalition]

[variants.us]
signatories = { where = { status = "signed", country = "US" } }
not_before  = "2018-07-11T09:00:00-04:00"

[variants.es]
template       = "templates/carta.hbs"
recipients     = { where = { country = "MX" } }
vars           = { lang = "es" }
translation_of = "coalition"

[variants.each]
per_signatory = true

[variants.public]
template   = "templates/public.hbs"
recipients = false
"#;

pub const LETTER: &str = r#"---
from: '{{mailbox vars.sender_name vars.sender_email}}'
to: '{{#each addressees}}{{mailbox (addressee) email}};{{/each}}'
subject: 'Human rights in Mexico'
---
{{date today}}

{{#each addressees}}
{{addressee}}
{{organization}}
{{address}}

{{/each}}
{{salutation}},

We write to you as organizations that follow human rights in Mexico closely.

{{#each (rows "issues" @root.issues)}}
{{paragraph}}

{{/each}}
Sincerely,

{{> signatures}}

Reference: {{letter.id}}
"#;

pub const SIGNATURES: &str = r#"{{#if signatory}}
Signatory: {{signatory.organization}}
{{else}}
{{#each signatories}}
Signatory: {{organization}}
{{/each}}
{{/if}}
"#;

pub const CARTA: &str = r#"---
from: '{{mailbox vars.sender_name vars.sender_email}}'
to: '{{#each addressees}}{{mailbox (addressee) email}};{{/each}}'
subject: 'Derechos humanos en México'
---
{{date today}}

{{#each addressees}}
{{addressee}}
{{organization}}
{{address}}

{{/each}}
{{salutation}}:

Nos dirigimos a usted como organizaciones que dan seguimiento a los derechos humanos en México.

{{#each (rows "issues" @root.issues)}}
{{paragraph_es}}

{{/each}}
La firman {{join signatories "organization"}}.

Atentamente,

{{#each signatories}}
Firma: {{default organization_es organization}}
{{/each}}
"#;

pub const PUBLIC: &str = r#"---
subject: 'Human rights in Mexico: a letter from {{len signatories}} organizations'
filename: 'human-rights-in-mexico'
---
# Human rights in Mexico

{{date today}}

We write as organizations that follow human rights in Mexico closely.

{{#each tables.issues}}
{{paragraph}}

{{/each}}
{{> signatures}}
"#;

pub const OFFICIALS: &str = "\
id,title,honorific,first_name,last_name,gender,organization,address,email,country,issues
sos,Secretary of State,Mr.,Mike,Pompeo,male,U.S. Department of State,\"2201 C Street NW
Washington, DC 20520\",secretary@state.example,US,impunity;torture
rubio,Senator,Mr.,Marco,Rubio,male,United States Senate,\"284 Russell Senate Office Building
Washington, DC 20510\",senator@rubio.example,US,impunity
castro,Representative,Mr.,Joaquin,Castro,male,U.S. House of Representatives,\"1221 Longworth House Office Building
Washington, DC 20515\",rep@castro.example,US,torture
amlo,Presidente electo,Lic.,Andrés Manuel,López Obrador,male,Equipo de Transición,\"Chihuahua 216, Col. Roma Norte
Cuauhtémoc, 06700 Ciudad de México\",presidente@transicion.example,MX,impunity;torture
micher,Senadora,Sen.,Martha Lucía,Micher Camarena,female,Senado de la República,\"Av. Paseo de la Reforma 135
Cuauhtémoc, 06030 Ciudad de México\",senadora@senado.example,MX,torture
";

pub const ORGANIZATIONS: &str = "\
id,organization,organization_es,signer_name,email,status,country,order
zeta,Zeta Legal Aid,Asistencia Legal Zeta,Zoe Zimmer,zoe@zeta.example,signed,US,
brn,Border Rights Network,Red de Derechos en la Frontera,Bea Ruiz,bea@brn.example,signed,US,
wola,Washington Office on Latin America,Oficina en Washington para Asuntos Latinoamericanos,Maureen Meyer,mm@wola.example,signed,US,1
ifa,Interfaith Alliance,Alianza Interreligiosa,Ian Ford,ian@ifa.example,pending,US,
amigos,amigos de la Frontera,Amigos de la Frontera,Ana Mora,ana@amigos.example,signed,US,
prodh,Centro Prodh,Centro de Derechos Humanos Miguel Agustín Pro Juárez,Pedro Díaz,pd@prodh.example,signed,MX,
dc,Declined Coalition,Coalición que declinó,Dan Cole,dan@dc.example,declined,US,
abaco,Ábaco Human Rights Center,Centro de Derechos Humanos Ábaco,Álvaro Bernal,ab@abaco.example,signed,US,
";

/// Sentences of the `impunity` paragraph, the one the sign-off tests edit.
pub const IMPUNITY_OLD: &str = "Soldiers who commit abuses are almost never punished.";
pub const IMPUNITY_NEW: &str = "Soldiers who commit abuses must answer before civilian courts.";

pub fn issues_csv(impunity: &str) -> String {
    format!(
        "\
id,title,paragraph,paragraph_es
impunity,Impunity,{impunity},Los militares que cometen abusos casi nunca son castigados.
torture,Torture,Torture and enforced disappearance remain widespread.,La tortura y la desaparición forzada siguen siendo generalizadas.
"
    )
}

impl Campaign {
    /// The five-variant campaign described at the top of this file.
    pub fn coalition() -> Campaign {
        let c = Campaign::empty();
        c.write("lettermerge.toml", MANIFEST);
        c.write("templates/letter.hbs", LETTER);
        c.write("templates/carta.hbs", CARTA);
        c.write("templates/public.hbs", PUBLIC);
        c.write("templates/partials/signatures.hbs", SIGNATURES);
        c.write("recipients/officials.csv", OFFICIALS);
        c.write("recipients/organizations.csv", ORGANIZATIONS);
        c.write("recipients/issues.csv", issues_csv(IMPUNITY_OLD));
        c
    }
}

/// The organizations a letter lists, in order: the text after each `PREFIX` at the start of a line.
pub fn listed(text: &str, prefix: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(prefix))
        .map(|s| s.trim().to_string())
        .collect()
}

/// The line number (from 1) of the first line of `text` that starts with `start` after `after_line` (0 = from the
/// top): to name manifest lines in assertions without hard-coding them.
pub fn line_of(text: &str, after: &str, start: &str) -> usize {
    let from = text
        .lines()
        .position(|l| l.trim() == after)
        .unwrap_or_else(|| panic!("no line `{after}`"));
    text.lines()
        .enumerate()
        .skip(from)
        .find(|(_, l)| l.trim_start().starts_with(start))
        .map(|(i, _)| i + 1)
        .unwrap_or_else(|| panic!("no line starting with `{start}` after `{after}`"))
}
