//! The table of offices: their forms of address in English and Spanish.
//!
//! Keys are normalized titles (see `titles::normalize`): lower case, no accents, no dots, hyphens as
//! spaces. A key listed in `feminine` also tells the holder is a woman ("Senadora",
//! "Congresswoman"), so a table without a gender column still gets "Estimada Senadora".

/// How a salutation names the holder; each form has its (masculine or neutral, feminine) words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Form {
    /// The office word and the surname: "Senator Rubio", "Senadora Micher".
    Titled(&'static str, &'static str),
    /// The office word after a courtesy and no surname: "Mr. President", "Madam Secretary",
    /// "Señor Presidente", "Señora Secretaria".
    Courtesy(&'static str, &'static str),
    /// The person's own honorific, else Mr./Ms. (Señor/Señora), and the surname: "Dear Ms. Castro".
    /// Without an honorific or a gender it falls back to the usual form rather than guess.
    Plain,
}

/// The first line of an English address block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Line {
    /// One holder at a time, addressed by office alone: "The President".
    The(&'static str),
    /// "The Honorable FULL NAME": presidential appointees, elected officials, mayors, judges.
    Honorable,
    /// Foreign heads of state, ministers and ambassadors: "His/Her Excellency FULL NAME".
    Excellency,
    /// The plain name (with the person's honorific).
    Name,
}

#[derive(Debug)]
pub(super) struct Office {
    pub names: &'static [&'static str],
    pub feminine: &'static [&'static str],
    pub line: Line,
    /// A Mexican office: Spanish address blocks put "C." (ciudadano/ciudadana) before the name.
    pub mexican: bool,
    /// May end a longer title: "Senate Foreign Relations Committee Chairman", "Texas State Senator".
    /// Off for words like "Secretary" that end unrelated titles ("Press Secretary").
    pub suffix: bool,
    /// The Spanish address-block abbreviation, when usage has one ("Sen.", "Dip.", "Emb.").
    pub es_prefix: Option<&'static str>,
    /// English and Spanish salutations: `[usual, formal]`.
    pub en: [Form; 2],
    pub es: [Form; 2],
}

use Form::{Courtesy as C, Plain as P, Titled as T};
use Line::{Excellency, Honorable, The};

/// The same word for both genders.
const fn t(word: &'static str) -> Form {
    T(word, word)
}
const fn c(word: &'static str) -> Form {
    C(word, word)
}
/// The commonest Spanish pair: "Senadora SURNAME", formally "Señora Senadora".
const fn tc(m: &'static str, f: &'static str) -> [Form; 2] {
    [T(m, f), C(m, f)]
}

const fn us(names: &'static [&'static str], en: [Form; 2], es: [Form; 2]) -> Office {
    Office {
        names,
        feminine: &[],
        line: Honorable,
        mexican: false,
        suffix: false,
        es_prefix: None,
        en,
        es,
    }
}

const fn mx(
    names: &'static [&'static str],
    feminine: &'static [&'static str],
    en: [Form; 2],
    es: [Form; 2],
) -> Office {
    Office {
        names,
        feminine,
        line: Honorable,
        mexican: true,
        suffix: false,
        es_prefix: None,
        en,
        es,
    }
}

impl Office {
    const fn line(self, line: Line) -> Office {
        Office { line, ..self }
    }
    const fn suffix(self) -> Office {
        Office {
            suffix: true,
            ..self
        }
    }
    const fn es_prefix(self, prefix: &'static str) -> Office {
        Office {
            es_prefix: Some(prefix),
            ..self
        }
    }
    const fn feminine(self, feminine: &'static [&'static str]) -> Office {
        Office { feminine, ..self }
    }
}

const SECRETARIO: Form = T("Secretario", "Secretaria");
const SUBSECRETARIO: Form = T("Subsecretario", "Subsecretaria");
const PRESIDENTE: Form = C("Presidente", "Presidenta");
const SENADOR: [Form; 2] = tc("Senador", "Senadora");
const CONGRESISTA: [Form; 2] = [t("Congresista"), P];
const PRESIDENTE_COMITE: [Form; 2] = [T("Presidente", "Presidenta"), PRESIDENTE];
const EMBAJADOR: [Form; 2] = tc("Embajador", "Embajadora");
const GOBERNADOR: [Form; 2] = tc("Gobernador", "Gobernadora");
const JUEZ: [Form; 2] = tc("Juez", "Jueza");

/// Sources: see the module comment of `address`. Spanish forms for U.S. offices follow the usage of
/// the State Department's and the U.S. Spanish-language press ("el congresista", "el fiscal
/// general", "la subsecretaria adjunta").
pub(super) static OFFICES: &[Office] = &[
    // --- United States, federal ---
    us(&["president"], [c("President"); 2], [PRESIDENTE; 2]).line(The("The President")),
    us(
        &[
            "vice president",
            "vicepresident",
            "vicepresidente",
            "vicepresidenta",
            "vice presidente",
        ],
        [c("Vice President"); 2],
        [C("Vicepresidente", "Vicepresidenta"); 2],
    )
    .line(The("The Vice President"))
    .feminine(&["vicepresidenta"]),
    us(
        &["president elect"],
        [t("President-elect"), c("President-elect")],
        [C("Presidente electo", "Presidenta electa"); 2],
    ),
    us(
        &["secretary"],
        [t("Secretary"), c("Secretary")],
        [SECRETARIO, C("Secretario", "Secretaria")],
    ),
    us(
        &["deputy secretary"],
        [t("Deputy Secretary"), P],
        [SUBSECRETARIO, P],
    ),
    us(
        &["under secretary", "undersecretary"],
        [t("Under Secretary"), P],
        [SUBSECRETARIO, P],
    ),
    us(
        &["assistant secretary"],
        [t("Assistant Secretary"), P],
        [T("Subsecretario Adjunto", "Subsecretaria Adjunta"), P],
    ),
    us(
        &["secretary general"],
        [t("Secretary General"), c("Secretary General")],
        tc("Secretario General", "Secretaria General"),
    )
    .line(Excellency),
    us(
        &["attorney general"],
        [t("Attorney General"), c("Attorney General")],
        [t("Fiscal General"), c("Fiscal General")],
    )
    .suffix(),
    us(
        &["administrator"],
        [t("Administrator"), P],
        [T("Administrador", "Administradora"), P],
    ),
    us(
        &["commissioner"],
        [t("Commissioner"); 2],
        [T("Comisionado", "Comisionada"), P],
    )
    .suffix(),
    us(&["senator", "sen"], [t("Senator"); 2], SENADOR)
        .suffix()
        .es_prefix("Sen."),
    us(&["state senator"], [t("Senator"); 2], SENADOR)
        .suffix()
        .es_prefix("Sen."),
    us(
        &[
            "representative",
            "rep",
            "member of congress",
            "congressmember",
            "congressperson",
        ],
        [t("Representative"), P],
        CONGRESISTA,
    )
    .suffix(),
    us(
        &["congressman", "congresswoman"],
        [T("Congressman", "Congresswoman"), P],
        CONGRESISTA,
    )
    .feminine(&["congresswoman"]),
    us(
        &["delegate"],
        [t("Delegate"), P],
        [T("Delegado", "Delegada"), P],
    ),
    us(
        &["resident commissioner"],
        [t("Resident Commissioner"), P],
        [T("Comisionado Residente", "Comisionada Residente"), P],
    ),
    us(
        &["speaker", "speaker of the house"],
        [c("Speaker"); 2],
        [C("Presidente de la Cámara", "Presidenta de la Cámara"); 2],
    ),
    us(
        &["majority leader", "minority leader", "leader"],
        [t("Leader"); 2],
        [t("Líder"), P],
    )
    .suffix(),
    us(
        &["chairman"],
        [t("Chairman"), c("Chairman")],
        PRESIDENTE_COMITE,
    )
    .suffix(),
    us(
        &["chairwoman"],
        [t("Chairwoman"), c("Chairwoman")],
        PRESIDENTE_COMITE,
    )
    .suffix()
    .feminine(&["chairwoman"]),
    us(
        &["chair", "chairperson"],
        [t("Chair"), c("Chair")],
        PRESIDENTE_COMITE,
    )
    .suffix(),
    us(
        &["co chair", "cochair"],
        [t("Co-Chair"), P],
        [T("Copresidente", "Copresidenta"), P],
    )
    .suffix(),
    us(&["ranking member"], [t("Ranking Member"); 2], CONGRESISTA).suffix(),
    us(
        &["ambassador"],
        [t("Ambassador"), c("Ambassador")],
        EMBAJADOR,
    )
    .suffix()
    .es_prefix("Emb."),
    // --- United States, state and local ---
    us(&["governor"], [t("Governor"); 2], GOBERNADOR).suffix(),
    us(
        &["lieutenant governor", "lt governor", "lt gov"],
        [t("Lieutenant Governor"); 2],
        tc("Vicegobernador", "Vicegobernadora"),
    )
    .suffix(),
    us(
        &[
            "state representative",
            "state rep",
            "assemblymember",
            "assembly member",
        ],
        [t("Representative"), P],
        [t("Representante"), P],
    )
    .suffix(),
    us(
        &["assemblyman", "assemblywoman"],
        [T("Assemblyman", "Assemblywoman"), P],
        [t("Asambleísta"), P],
    )
    .suffix()
    .feminine(&["assemblywoman"]),
    us(&["mayor"], [t("Mayor"); 2], tc("Alcalde", "Alcaldesa")).suffix(),
    us(&["judge"], [t("Judge"); 2], JUEZ).suffix(),
    us(&["justice", "associate justice"], [t("Justice"); 2], JUEZ).suffix(),
    us(
        &["chief justice"],
        [t("Chief Justice"), c("Chief Justice")],
        tc("Juez Presidente", "Jueza Presidenta"),
    ),
    // --- Mexico ---
    mx(
        &[
            "presidente",
            "presidenta",
            "presidente constitucional",
            "presidenta constitucional",
        ],
        &["presidenta", "presidenta constitucional"],
        [c("President"); 2],
        [PRESIDENTE; 2],
    )
    .line(Excellency),
    mx(
        &[
            "presidente electo",
            "presidenta electa",
            "presidente electa",
        ],
        &["presidenta electa"],
        [t("President-elect"), c("President-elect")],
        [C("Presidente electo", "Presidenta electa"); 2],
    ),
    mx(
        &["secretario", "secretaria"],
        &["secretaria"],
        [t("Secretary"), c("Secretary")],
        [SECRETARIO, C("Secretario", "Secretaria")],
    )
    .line(Excellency),
    mx(
        &["canciller"],
        &[],
        [t("Foreign Secretary"), c("Foreign Secretary")],
        [t("Canciller"), c("Canciller")],
    )
    .line(Excellency),
    mx(
        &["subsecretario", "subsecretaria"],
        &["subsecretaria"],
        [t("Undersecretary"), P],
        [SUBSECRETARIO, C("Subsecretario", "Subsecretaria")],
    ),
    mx(
        &["secretario general", "secretaria general"],
        &["secretaria general"],
        [t("Secretary General"), c("Secretary General")],
        tc("Secretario General", "Secretaria General"),
    )
    .line(Excellency),
    mx(
        &["senador", "senadora"],
        &["senadora"],
        [t("Senator"); 2],
        SENADOR,
    )
    .es_prefix("Sen."),
    mx(
        &[
            "diputado",
            "diputada",
            "diputado federal",
            "diputada federal",
            "diputado local",
            "diputada local",
        ],
        &["diputada", "diputada federal", "diputada local"],
        [t("Deputy"), P],
        tc("Diputado", "Diputada"),
    )
    .es_prefix("Dip."),
    mx(
        &["embajador", "embajadora"],
        &["embajadora"],
        [t("Ambassador"), c("Ambassador")],
        EMBAJADOR,
    )
    .line(Excellency)
    .es_prefix("Emb."),
    mx(
        &["fiscal general"],
        &[],
        [t("Attorney General"), c("Attorney General")],
        [t("Fiscal General"), c("Fiscal General")],
    ),
    mx(
        &["procurador general", "procuradora general"],
        &["procuradora general"],
        [t("Attorney General"), c("Attorney General")],
        tc("Procurador General", "Procuradora General"),
    ),
    mx(
        &["fiscal", "fiscal especial"],
        &[],
        [t("Prosecutor"), P],
        [t("Fiscal"), P],
    )
    .line(Line::Name),
    mx(
        &["gobernador", "gobernadora"],
        &["gobernadora"],
        [t("Governor"); 2],
        GOBERNADOR,
    ),
    mx(
        &["jefe de gobierno", "jefa de gobierno"],
        &["jefa de gobierno"],
        [t("Mayor"); 2],
        tc("Jefe de Gobierno", "Jefa de Gobierno"),
    ),
    mx(
        &["presidente municipal", "presidenta municipal"],
        &["presidenta municipal"],
        [t("Mayor"); 2],
        tc("Presidente Municipal", "Presidenta Municipal"),
    ),
    mx(
        &["alcalde", "alcaldesa"],
        &["alcaldesa"],
        [t("Mayor"); 2],
        tc("Alcalde", "Alcaldesa"),
    ),
    mx(
        &["comisionado", "comisionada"],
        &["comisionada"],
        [t("Commissioner"); 2],
        tc("Comisionado", "Comisionada"),
    ),
    mx(
        &["ministro", "ministra"],
        &["ministra"],
        [t("Justice"); 2],
        tc("Ministro", "Ministra"),
    ),
    mx(
        &["magistrado", "magistrada"],
        &["magistrada"],
        [t("Judge"); 2],
        tc("Magistrado", "Magistrada"),
    ),
    mx(&["juez", "jueza"], &["jueza"], [t("Judge"); 2], JUEZ),
];
