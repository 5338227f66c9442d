//! What a fetched HTML page tells the crawler: its links, each scored by
//! how likely it leads to an election notice, and whether the page is
//! itself a notice (councils publish some SoPNs as HTML pages).
//!
//! Input: the page's bytes and URL. Output: a [`PageLinks`]. Scoring reads
//! the anchor text, the nearest heading before the link and the words of
//! the URL; it never fetches anything. Pages are parsed by the guarded
//! parser of [`crate::markup`], which bounds the work any markup can cause;
//! only the first [`MAX_LINKS`] links of a page are kept.

use scraper::{ElementRef, Node};
use url::Url;

use crate::markup;

/// Links kept per page; a page with more is a sitemap or a calendar, and
/// the rest are dropped.
pub const MAX_LINKS: usize = 2000;

/// Characters of anchor or heading text kept for scoring.
const MAX_TEXT: usize = 300;

/// A link found on a page.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Absolute URL, fragment removed.
    pub url: Url,
    /// The anchor's text (or its `title`/`aria-label`).
    pub anchor: String,
    /// The nearest heading before the link.
    pub heading: String,
    /// Relevance: see [`score`].
    pub score: i32,
}

/// What a page yields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageLinks {
    /// Links in page order, scored.
    pub links: Vec<Link>,
    /// The page's title and headings name a notice and its text mentions
    /// addresses: keep it as a document for the scan.
    pub is_notice: bool,
}

/// Words and phrases that point towards election notices (positive) or
/// away from them (negative). Matched as whole words in lowercase text
/// where punctuation, `-`, `_`, `/` and `%20` became spaces.
const TERMS: &[(&str, i32)] = &[
    ("statement of persons nominated", 100),
    ("persons nominated", 60),
    ("sopn", 90),
    ("sopns", 90),
    ("nominated", 30),
    ("nominations", 25),
    ("notice of election agents", 100),
    ("election agents", 60),
    ("notice of poll", 80),
    ("candidates", 50),
    ("candidate", 25),
    ("elections", 30),
    ("election", 30),
    ("by election", 20),
    ("ballot", 15),
    ("ward", 15),
    ("wards", 15),
    ("division", 10),
    ("polling", 10),
    ("democracy", 5),
    ("council tax", -80),
    ("planning", -60),
    ("business rates", -60),
    ("bins", -50),
    ("recycling", -50),
    ("parking", -50),
    ("licensing", -40),
    ("jobs", -40),
    ("careers", -40),
    ("privacy", -40),
    ("cookies", -40),
    ("login", -40),
    ("sign in", -40),
    ("housing", -30),
    ("minutes", -20),
    ("agenda", -20),
    ("calendar", -20),
    ("accessibility", -20),
];

/// Phrases that make a page's title or heading name a notice.
const NOTICE_TITLES: &[&str] = &[
    "statement of persons nominated",
    "persons nominated",
    "notice of election agents",
    "notice of poll",
];

/// Lowercases `text` and turns everything but letters and digits into
/// single spaces, with a space at each end, so that `" {phrase} "` finds
/// whole words.
fn words(text: &str) -> String {
    let text = text.replace("%20", " ");
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// The summed weights of the terms in `text` (each term counted once).
fn term_score(text: &str) -> i32 {
    let text = words(text);
    TERMS
        .iter()
        .filter(|(term, _)| text.contains(&format!(" {term} ")))
        .map(|(_, weight)| weight)
        .sum()
}

/// How likely a link leads to an election notice: the anchor text counts
/// in full, the nearest heading and the URL's path and query at half.
///
/// ```
/// use sopncheck::crawl::links::score;
/// let url = url::Url::parse("https://council.test/elections/sopn-hoxton.pdf").unwrap();
/// let notice = score("Statement of persons nominated", "May 2026", &url);
/// let tax = url::Url::parse("https://council.test/council-tax/bands.pdf").unwrap();
/// assert!(notice > 100);
/// assert!(score("Council tax bands", "Your council", &tax) < 0);
/// ```
pub fn score(anchor: &str, heading: &str, url: &Url) -> i32 {
    let path = format!("{} {}", url.path(), url.query().unwrap_or_default());
    term_score(anchor) + term_score(heading) / 2 + term_score(&path) / 2
}

/// True when a link looks like a downloadable file rather than a page.
pub fn looks_like_document(url: &Url, anchor: &str) -> bool {
    let path = url.path().to_ascii_lowercase();
    [".pdf", ".doc", ".docx", ".odt", ".rtf"]
        .iter()
        .any(|ext| path.ends_with(ext))
        || words(anchor).contains(" pdf ")
}

/// Reads the links of an HTML page at `base`.
pub fn read_page(body: &[u8], base: &Url) -> PageLinks {
    let html = markup::parse(&String::from_utf8_lossy(body));
    let mut base = base.clone();
    let mut seen_base = false;
    let mut nofollow = false;
    let mut links = Vec::new();
    let mut headings = Vec::new();
    let mut heading = String::new();
    let mut text_mentions_address = false;
    for node in html.root_element().descendants() {
        match node.value() {
            Node::Text(text) if !text_mentions_address => {
                text_mentions_address = text.to_ascii_lowercase().contains("address");
            }
            Node::Element(element) => {
                let Some(element_ref) = ElementRef::wrap(node) else {
                    continue;
                };
                match element.name() {
                    "base" if !seen_base => {
                        seen_base = true;
                        if let Some(href) = element.attr("href").and_then(|h| base.join(h).ok()) {
                            base = href;
                        }
                    }
                    "meta"
                        if element
                            .attr("name")
                            .is_some_and(|n| n.eq_ignore_ascii_case("robots")) =>
                    {
                        nofollow |= element
                            .attr("content")
                            .is_some_and(|c| c.to_ascii_lowercase().contains("nofollow"));
                    }
                    "h1" | "h2" | "h3" | "h4" | "title" => {
                        heading = bounded_text(element_ref);
                        headings.push(heading.clone());
                    }
                    markup::ANCHOR | "area" if !nofollow && links.len() < MAX_LINKS => {
                        let Some(url) = element
                            .attr("href")
                            .and_then(|href| base.join(href.trim()).ok())
                        else {
                            continue;
                        };
                        let mut url = url;
                        url.set_fragment(None);
                        let mut anchor = bounded_text(element_ref);
                        for attr in ["title", "aria-label"] {
                            if let Some(extra) = element.attr(attr) {
                                anchor.push(' ');
                                anchor.extend(extra.chars().take(MAX_TEXT));
                            }
                        }
                        let score = score(&anchor, &heading, &url);
                        links.push(Link {
                            url,
                            anchor,
                            heading: heading.clone(),
                            score,
                        });
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let is_notice = text_mentions_address
        && headings.iter().any(|h| {
            let h = words(h);
            NOTICE_TITLES.iter().any(|t| h.contains(&format!(" {t} ")))
        });
    PageLinks { links, is_notice }
}

/// An element's text, whitespace collapsed, at most [`MAX_TEXT`] chars.
fn bounded_text(element: ElementRef<'_>) -> String {
    let mut out = String::new();
    for piece in element.text() {
        for word in piece.split_whitespace() {
            if out.len() >= MAX_TEXT {
                return out;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("http://www.council.test/elections/").unwrap()
    }

    #[test]
    fn deeply_nested_pages_keep_their_links() {
        // 100,000 nested elements after the link: the guarded parser stops
        // opening them (a start tag that deep is dropped, its text kept),
        // and the link before them stays.
        let page = format!(
            "<html><body><a href=\"sopn.pdf\">Statement of persons nominated</a>{}x{}</body></html>",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let links = read_page(page.as_bytes(), &base()).links;
        assert_eq!(links.len(), 1);
        assert_eq!(
            links[0].url.as_str(),
            "http://www.council.test/elections/sopn.pdf"
        );
    }

    #[test]
    fn words_split_urls_and_text() {
        assert_eq!(
            words("/SoPN_Hoxton-Ward%20(2026).pdf"),
            " sopn hoxton ward 2026 pdf "
        );
    }

    #[test]
    fn notices_outscore_ordinary_pages_and_decoys() {
        let page = read_page(
            br#"<html><head><title>Elections</title></head><body>
            <h2>Statement of persons nominated</h2>
            <ul><li><a href="docs/ashgrove.pdf">Ashgrove ward (PDF)</a></li></ul>
            <h2>Other documents</h2>
            <a href="/council-tax/bands-2026.pdf">Council tax bands 2026 (PDF)</a>
            <a href="/about">About us</a>
            <a href="../candidates-and-elections#top">Candidates and elections</a>
            </body></html>"#,
            &base(),
        );
        let by_anchor = |prefix: &str| {
            page.links
                .iter()
                .find(|l| l.anchor.starts_with(prefix))
                .unwrap()
                .clone()
        };
        let sopn = by_anchor("Ashgrove");
        assert_eq!(
            sopn.url.as_str(),
            "http://www.council.test/elections/docs/ashgrove.pdf"
        );
        assert_eq!(sopn.heading, "Statement of persons nominated");
        let tax = by_anchor("Council tax");
        let about = by_anchor("About");
        let candidates = by_anchor("Candidates");
        assert_eq!(
            candidates.url.as_str(),
            "http://www.council.test/candidates-and-elections"
        );
        assert!(sopn.score > candidates.score, "{sopn:?} {candidates:?}");
        assert!(candidates.score > about.score);
        assert!(tax.score < 0);
        assert!(looks_like_document(&sopn.url, &sopn.anchor));
        assert!(!looks_like_document(&about.url, &about.anchor));
        assert!(!page.is_notice);
    }

    #[test]
    fn an_html_sopn_is_a_notice_and_base_href_is_honoured() {
        let page = read_page(
            br#"<html><head><base href="http://other.test/x/"></head><body>
            <h1>Statement of Persons Nominated: Brook Ward</h1>
            <table><tr><th>Name</th><th>Home address</th></tr></table>
            <a href="y.html">next</a></body></html>"#,
            &base(),
        );
        assert!(page.is_notice);
        assert_eq!(page.links[0].url.as_str(), "http://other.test/x/y.html");
    }

    #[test]
    fn nofollow_pages_give_no_links_and_garbage_gives_nothing() {
        let page = read_page(
            br#"<meta name="robots" content="noindex, nofollow"><a href="/a">a</a>"#,
            &base(),
        );
        assert!(page.links.is_empty());
        let garbage = read_page(&[0xff, 0xfe, 0x00, b'<', b'a'], &base());
        assert!(garbage.links.is_empty());
    }
}
