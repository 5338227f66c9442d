//! The council registry: every UK local authority the tool knows, from
//! `rules/councils.csv` (embedded at build time, parsed once).
//!
//! Input: the embedded CSV (see `rules/README.md` for how it is made from
//! the shared council list). Output: [`Council`]s, looked up by register
//! code ([`Registry::by_code`]) or recognised from a notice's text or URL
//! ([`Registry::recognise`]).
//!
//! Recognition refuses to guess from bare place names: "Hackney" alone is a
//! town hall, a street or a candidate's area, so only formal council names
//! ("London Borough of Hackney", "Borough of Halton", "City of York Council")
//! and the council's democracy-site host count.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{
    AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Input, MatchKind, Span, packed,
};

/// The registry file, embedded.
const COUNCILS_CSV: &str = include_str!("../rules/councils.csv");

/// One local authority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Council {
    /// Register code (`HCK`, `HAL`, `YOR`).
    pub code: String,
    /// Official name ("London Borough of Hackney").
    pub name: String,
    /// `England`, `Wales`, `Scotland` or `Northern Ireland`.
    pub nation: String,
    /// Organisation subtype (`LBO`, `UA`, `NMD`, `MD`, `CTY`, `CA`, ...),
    /// empty when not stated.
    pub subtype: String,
    /// ISO date the council was abolished, if it was.
    pub end_date: Option<String>,
    /// Host of the council's democracy site, lowercase, if known.
    pub democracy_host: Option<String>,
    /// Base URL of the democracy site, if known.
    pub democracy_url: Option<String>,
    /// Further names a notice may use for the council (the `aliases`
    /// column, `;`-separated), on top of the variants derived from `name`.
    pub aliases: Vec<String>,
}

impl Council {
    /// True while the council exists (no end date).
    pub fn is_current(&self) -> bool {
        self.end_date.is_none()
    }

    /// Every formal name a notice may print for this council: the official
    /// name, the aliases, and the usual rewordings ("Halton Borough Council"
    /// is also "Borough of Halton"). Never a bare place name.
    pub fn name_variants(&self) -> Vec<String> {
        let mut out = vec![self.name.clone()];
        out.extend(self.aliases.iter().cloned());
        let base = self.name.strip_prefix("The ").unwrap_or(&self.name);
        out.push(base.to_string());
        // "X Borough Council" -> "Borough of X", and the same for the other
        // council types that notices reword.
        for kind in [
            "Metropolitan Borough",
            "Borough",
            "District",
            "County",
            "City",
        ] {
            if let Some(place) = base.strip_suffix(&format!(" {kind} Council")) {
                out.push(format!("{kind} of {place}"));
                out.push(format!("{kind} of {place} Council"));
            }
        }
        // "London Borough of X" -> "X London Borough Council",
        // "City of X Council" -> "X City Council".
        if let Some(place) = base.strip_prefix("London Borough of ") {
            out.push(format!("{place} London Borough Council"));
            out.push(format!("{place} Council"));
        }
        if let Some(place) = base
            .strip_prefix("City of ")
            .and_then(|rest| rest.strip_suffix(" Council"))
        {
            out.push(format!("{place} City Council"));
        }
        out.retain(|name| name.split_whitespace().count() >= 2);
        out.sort();
        out.dedup();
        out
    }

    /// The council's own web domain, when the democracy host is a council
    /// domain (`councillors.halton.gov.uk` gives `halton.gov.uk`); `None`
    /// for shared platforms (`hackney.moderngov.co.uk`).
    fn own_domain(&self) -> Option<&str> {
        let host = self.democracy_host.as_deref()?;
        let (_, rest) = host.split_once('.')?;
        let council_suffix = [".gov.uk", ".gov.wales", ".gov.scot", ".llyw.cymru"]
            .iter()
            .any(|suffix| rest.ends_with(suffix) && rest.len() > suffix.len());
        council_suffix.then_some(rest)
    }
}

/// All councils, with matchers for recognising them.
pub struct Registry {
    councils: Vec<Council>,
    by_code: HashMap<String, usize>,
    /// Lowercase formal names; pattern i names `name_owner[i]`.
    names: Option<AhoCorasick>,
    name_owner: Vec<usize>,
    /// Lowercase words, one of which every formal name holds
    /// ([`cover_words`]): a line of a notice with none of them holds no
    /// council's name, so the name search reads only lines with one.
    /// `None` when there is no such set, a name holds a line break, or the
    /// processor lacks the vector instructions the searcher needs: then the
    /// whole text is read.
    keywords: Option<packed::Searcher>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("councils", &self.councils.len())
            .finish()
    }
}

/// The registry built from the embedded `rules/councils.csv`, parsed on
/// first use.
///
/// ```
/// let york = sopncheck::registry::registry().by_code("YOR").unwrap();
/// assert_eq!(york.name, "City of York Council");
/// ```
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry::from_csv(COUNCILS_CSV))
}

impl Registry {
    /// Builds a registry from CSV text with the `rules/councils.csv`
    /// header. Rows with too few fields or an empty code are skipped; a
    /// repeated code keeps its first row.
    pub fn from_csv(text: &str) -> Registry {
        let mut records = parse_csv(text).into_iter();
        let header = records.next().unwrap_or_default();
        let column = |name: &str| header.iter().position(|h| h == name);
        let columns = [
            "code",
            "name",
            "nation",
            "subtype",
            "end_date",
            "democracy_host",
            "democracy_url",
            "aliases",
        ]
        .map(column);
        let mut councils: Vec<Council> = Vec::new();
        let mut by_code = HashMap::new();
        for record in records {
            let field = |i: usize| -> String {
                columns[i]
                    .and_then(|c| record.get(c))
                    .map(|v| v.trim().to_string())
                    .unwrap_or_default()
            };
            let non_empty = |s: String| (!s.is_empty()).then_some(s);
            let code = field(0);
            if code.is_empty() || by_code.contains_key(&code) {
                continue;
            }
            by_code.insert(code.clone(), councils.len());
            councils.push(Council {
                code,
                name: field(1),
                nation: field(2),
                subtype: field(3),
                end_date: non_empty(field(4)),
                democracy_host: non_empty(field(5).to_ascii_lowercase()),
                democracy_url: non_empty(field(6)),
                aliases: field(7)
                    .split(';')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect(),
            });
        }
        let mut patterns: Vec<String> = Vec::new();
        let mut name_owner: Vec<usize> = Vec::new();
        let mut slot_of: HashMap<String, usize> = HashMap::new();
        for (i, council) in councils.iter().enumerate() {
            for variant in council.name_variants() {
                let key = variant.to_lowercase();
                match slot_of.get(&key) {
                    // A name shared by an abolished and a current council
                    // belongs to the current one.
                    Some(&slot) => {
                        if council.is_current() && !councils[name_owner[slot]].is_current() {
                            name_owner[slot] = i;
                        }
                    }
                    None => {
                        slot_of.insert(key.clone(), patterns.len());
                        patterns.push(key);
                        name_owner.push(i);
                    }
                }
            }
        }
        // Building fails only past the automaton's size limits; a registry
        // that large recognises councils by host alone.
        // A DFA: every notice's head is searched, so search speed matters
        // more than the few megabytes and milliseconds it costs to build.
        let names = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .ok();
        // A few literals, found case-sensitively in a lowercased text by
        // aho-corasick's vectorised searcher (its automaton would read them
        // byte by byte, hardly faster than the names). Lines are searched
        // on their own only while no name holds a line break.
        let keywords = cover_words(&patterns)
            .filter(|_| !patterns.iter().any(|p| p.contains('\n')))
            .and_then(packed::Searcher::new);
        Registry {
            councils,
            by_code,
            names,
            name_owner,
            keywords,
        }
    }

    /// The council with this register code.
    pub fn by_code(&self, code: &str) -> Option<&Council> {
        self.by_code.get(code).map(|&i| &self.councils[i])
    }

    /// Every council, in register order.
    pub fn all(&self) -> &[Council] {
        &self.councils
    }

    /// The council whose register code is `code`, compared
    /// case-insensitively (`hck` is `HCK`).
    pub fn by_code_ignoring_case(&self, code: &str) -> Option<&Council> {
        self.by_code(code).or_else(|| {
            self.councils
                .iter()
                .find(|c| c.code.eq_ignore_ascii_case(code))
        })
    }

    /// Recognises the council a notice belongs to: first from the URL's
    /// host (the democracy site or the council's own domain), then from
    /// formal council names in `text` (the one printed most often wins;
    /// ties go to the first printed).
    ///
    /// ```
    /// use sopncheck::registry::registry;
    /// let text = "Election of a Councillor\nBorough of Halton\nPrinted by the Returning Officer";
    /// assert_eq!(registry().recognise(text, None).unwrap().code, "HAL");
    /// let url = Some("https://hackney.moderngov.co.uk/documents/sopn.pdf");
    /// assert_eq!(registry().recognise("", url).unwrap().code, "HCK");
    /// ```
    pub fn recognise(&self, text: &str, url: Option<&str>) -> Option<&Council> {
        if let Some(council) = url.and_then(host_of).and_then(|h| self.by_host(&h)) {
            return Some(council);
        }
        self.by_text(text)
    }

    fn by_host(&self, host: &str) -> Option<&Council> {
        let matches = |council: &&Council| {
            council.democracy_host.as_deref() == Some(host)
                || council
                    .own_domain()
                    .is_some_and(|d| host == d || host.ends_with(&format!(".{d}")))
        };
        let mut found = self.councils.iter().filter(matches);
        let first = found.next()?;
        if first.is_current() {
            return Some(first);
        }
        Some(found.find(|c| c.is_current()).unwrap_or(first))
    }

    fn by_text(&self, text: &str) -> Option<&Council> {
        let names = self.names.as_ref()?;
        // The names are matched without regard to ASCII case, and where
        // there are keywords no name holds a line break, so each line is
        // searched on its own (the matches are those of one search over the
        // whole text), and only lines holding a keyword are.
        let lower = text.to_ascii_lowercase();
        let bytes = lower.as_bytes();
        // (council index, count, first offset)
        let mut tally: Vec<(usize, usize, usize)> = Vec::new();
        let mut from = 0;
        while let Some(line) = self.next_line_to_search(&lower, from) {
            from = line.end;
            for m in names.find_iter(Input::new(&lower).range(line)) {
                let before = m.start().checked_sub(1).and_then(|i| bytes.get(i));
                let after = bytes.get(m.end());
                let is_word = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
                if is_word(before) || is_word(after) {
                    continue;
                }
                let Some(&owner) = self.name_owner.get(m.pattern().as_usize()) else {
                    continue;
                };
                match tally.iter_mut().find(|t| t.0 == owner) {
                    Some(entry) => entry.1 += 1,
                    None => tally.push((owner, 1, m.start())),
                }
            }
        }
        tally
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)))
            .map(|&(owner, _, _)| &self.councils[owner])
    }

    /// The first line of `lower` (a lowercased text) from `from` on that
    /// holds a keyword, so may hold a council's name; without keywords,
    /// all the rest of the text.
    fn next_line_to_search(&self, lower: &str, from: usize) -> Option<Range<usize>> {
        if from >= lower.len() {
            return None;
        }
        let Some(keywords) = &self.keywords else {
            return Some(from..lower.len());
        };
        let hit = keywords.find_in(lower, Span::from(from..lower.len()))?;
        let start = lower[..hit.start()].rfind('\n').map_or(0, |i| i + 1);
        let end = lower[hit.end()..]
            .find('\n')
            .map_or(lower.len(), |i| hit.end() + i);
        Some(start..end)
    }
}

/// Words of `names` such that every name holds one: chosen greedily, the
/// word held by most names not yet covered first (a name's words of
/// [`KEYWORD_LENGTH`] letters or more, or its longest word when it has
/// none, so that "of" is never chosen while "borough" would do). A few
/// words cover every council ("council", "borough", "city" ...).
fn cover_words(names: &[String]) -> Option<Vec<String>> {
    fn words_of(name: &str) -> Vec<&str> {
        let mut words: Vec<&str> = name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let longest = words.iter().copied().max_by_key(|w| w.len());
        words.retain(|w| w.len() >= KEYWORD_LENGTH);
        if words.is_empty() {
            words.extend(longest);
        }
        words.sort_unstable();
        words.dedup();
        words
    }
    let mut uncovered: Vec<Vec<&str>> = names.iter().map(|n| words_of(n)).collect();
    let mut chosen = Vec::new();
    while !uncovered.is_empty() {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for word in uncovered.iter().flatten() {
            *counts.entry(word).or_default() += 1;
        }
        // Most names covered, then the longer word, then the first in
        // alphabetical order: the same words on every run.
        let Some((best, _)) = counts
            .into_iter()
            .max_by(|(a, m), (b, n)| m.cmp(n).then(a.len().cmp(&b.len())).then(b.cmp(a)))
        else {
            // A name without a word is left: there is no such set.
            return None;
        };
        uncovered.retain(|words| !words.contains(&best));
        chosen.push(best.to_string());
    }
    Some(chosen)
}

/// The shortest word [`cover_words`] chooses while a name has a longer one.
const KEYWORD_LENGTH: usize = 4;

/// The lowercase host of an absolute URL, without port or credentials.
fn host_of(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// How many councils [`closest`] suggests at most.
const SUGGESTIONS: usize = 3;

/// Least similarity (0 to 1) of a suggestion after the first.
const SUGGESTION_SIMILARITY: f64 = 0.6;

/// The `(code, name)` pairs nearest to `query`, a mistyped register code
/// or part of a council's name, best first: the code by edit distance
/// (a swap of two letters is one edit), the name by Jaro-Winkler
/// similarity, weighted below the code, or as exact when it holds the
/// query. The best is always given; the others only when close.
///
/// ```
/// use sopncheck::registry::{closest, registry};
/// let councils = || registry().all().iter().map(|c| (c.code.as_str(), c.name.as_str()));
/// assert_eq!(closest("HKC", councils())[0].0, "HCK");
/// assert_eq!(closest("hackney", councils())[0].0, "HCK");
/// assert_eq!(closest("york", councils())[0].0, "YOR");
/// ```
pub fn closest<'c>(
    query: &str,
    councils: impl IntoIterator<Item = (&'c str, &'c str)>,
) -> Vec<(&'c str, &'c str)> {
    /// Weight of a name's similarity against a code's.
    const NAME_WEIGHT: f64 = 0.8;
    let query = query.trim().to_lowercase();
    let score = |code: &str, name: &str| {
        let name = name.to_lowercase();
        let named = if query.chars().count() >= 3 && name.contains(&query) {
            1.0
        } else {
            NAME_WEIGHT * strsim::jaro_winkler(&query, &name)
        };
        let coded = strsim::normalized_damerau_levenshtein(&query, &code.to_lowercase());
        (coded.max(named), coded)
    };
    // Ties (every council named "... York ...") go to the closer code.
    type Scored<'c> = ((f64, f64), (&'c str, &'c str));
    let mut scored: Vec<Scored<'c>> = councils
        .into_iter()
        .map(|(code, name)| (score(code, name), (code, name)))
        .collect();
    scored.sort_by(|a, b| b.0.0.total_cmp(&a.0.0).then(b.0.1.total_cmp(&a.0.1)));
    scored
        .into_iter()
        .take(SUGGESTIONS)
        .enumerate()
        .filter(|(rank, ((similarity, _), _))| *rank == 0 || *similarity >= SUGGESTION_SIMILARITY)
        .map(|(_, (_, council))| council)
        .collect()
}

/// The records of RFC 4180 CSV text (the `csv` crate's reading: quoted
/// fields may hold commas, doubled quotes and line breaks; blank lines are
/// skipped). A malformed record ends the reading: the registry is a file
/// of this repository, checked by its tests.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records()
        .map_while(Result::ok)
        .map(|record| record.iter().map(str::to_owned).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_registry_has_every_council_once() {
        let all = registry().all();
        assert_eq!(all.len(), 433);
        assert_eq!(registry().by_code("HCK").unwrap().nation, "England");
        assert!(registry().by_code("NOPE").is_none());
        let quoted = registry().by_code("ABC").unwrap();
        assert_eq!(
            quoted.name,
            "Armagh City, Banbridge and Craigavon Borough Council"
        );
    }

    #[test]
    fn recognises_formal_names_in_any_case() {
        let r = registry();
        let code = |text: &str| r.recognise(text, None).map(|c| c.code.as_str());
        assert_eq!(
            code("London Borough of Hackney\nElection of the Mayor"),
            Some("HCK")
        );
        assert_eq!(code("CITY OF YORK COUNCIL\nTHURSDAY"), Some("YOR"));
        assert_eq!(
            code("Returning Officer, Halton Borough Council"),
            Some("HAL")
        );
        assert_eq!(code("Borough of Halton"), Some("HAL"));
        assert_eq!(code("(address in Bury)"), None);
        assert_eq!(code("Hackney Town Hall, Mare Street"), None);
        // Not inside a longer word.
        assert_eq!(code("Borough of Haltonshire"), None);
    }

    #[test]
    fn only_lines_with_a_keyword_are_searched_and_the_count_holds() {
        let r = registry();
        let code = |text: &str| r.recognise(text, None).map(|c| c.code.as_str());
        // Keywords on lines without a name, and names in any case on lines
        // far apart: the name printed most often wins, ties go to the first.
        let text = "Statement of Persons Nominated\nElection of a Borough Councillor\n\
            Sefton\nBOROUGH OF HALTON\nCandidates\nCity of York Council\n\
            Dated\nReturning Officer, City of York Council";
        assert_eq!(code(text), Some("YOR"));
        assert_eq!(
            code("Borough of Halton\nx\nCity of York Council"),
            Some("HAL")
        );
        // A name broken over two lines is no name, as before.
        assert_eq!(code("London Borough\nof Hackney"), None);
        assert_eq!(code("\n\nLondon Borough of Hackney\n"), Some("HCK"));
    }

    #[test]
    fn every_formal_name_holds_a_keyword() {
        let r = registry();
        let names: Vec<String> = r
            .all()
            .iter()
            .flat_map(|c| c.name_variants())
            .map(|n| n.to_lowercase())
            .collect();
        let keywords = cover_words(&names).expect("a cover of the embedded names");
        for name in &names {
            assert!(
                keywords.iter().any(|k| name.contains(k.as_str())),
                "{name} holds no keyword of {keywords:?}"
            );
        }
        // A few words, never a short one that most lines hold.
        assert!(keywords.len() <= 10, "{keywords:?}");
        assert!(
            keywords.iter().all(|k| k.len() >= KEYWORD_LENGTH),
            "{keywords:?}"
        );
        assert!(r.keywords.is_some() || !cfg!(target_arch = "x86_64"));
    }

    #[test]
    fn cover_words_prefer_common_long_words() {
        let names = |list: &[&str]| list.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        assert_eq!(
            cover_words(&names(&[
                "borough of x",
                "y borough council",
                "z council",
                "w council"
            ])),
            Some(vec!["council".to_string(), "borough".to_string()])
        );
        // A name of short words gives its longest.
        assert_eq!(
            cover_words(&names(&["abc of d"])),
            Some(vec!["abc".to_string()])
        );
        // A name without a word has no cover: every line is searched.
        assert_eq!(cover_words(&names(&["x council", "--"])), None);
    }

    #[test]
    fn recognises_hosts_and_prefers_current_councils() {
        let r = registry();
        let code = |url: &str| r.recognise("", Some(url)).map(|c| c.code.as_str());
        assert_eq!(code("http://democracy.york.gov.uk/x.pdf"), Some("YOR"));
        assert_eq!(code("https://www.halton.gov.uk/elections"), Some("HAL"));
        assert_eq!(
            code("https://edemocracy.northyorks.gov.uk:443/a"),
            Some("NYE")
        );
        assert_eq!(code("https://notacouncil.moderngov.co.uk/"), None);
        assert_eq!(code("not a url"), None);
    }

    #[test]
    fn variants_reword_but_never_shrink_to_a_place() {
        let council = Council {
            code: "X".into(),
            name: "Exampleton Borough Council".into(),
            nation: "England".into(),
            subtype: String::new(),
            end_date: None,
            democracy_host: None,
            democracy_url: None,
            aliases: vec!["Exampleton".into()],
        };
        let variants = council.name_variants();
        assert!(variants.contains(&"Borough of Exampleton".to_string()));
        assert!(!variants.contains(&"Exampleton".to_string()));
    }

    #[test]
    fn a_name_over_two_lines_is_searched_for_across_lines() {
        let header = "code,name,nation,subtype,end_date,democracy_host,democracy_url,aliases\n";
        let csv = format!("{header}AAA,\"Upper Vale\nBorough Council\",England,,,,,\n");
        let r = Registry::from_csv(&csv);
        assert!(r.keywords.is_none());
        let found = r.recognise("Notice\nUpper Vale\nBorough Council\nDated", None);
        assert_eq!(found.map(|c| c.code.as_str()), Some("AAA"));
    }

    #[test]
    fn csv_handles_quotes_and_blank_lines() {
        let rows = parse_csv("a,\"b, \"\"c\"\"\"\n\nd,e");
        assert_eq!(rows, vec![vec!["a", "b, \"c\""], vec!["d", "e"]]);
    }
}
