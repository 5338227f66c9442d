//! HTML extraction: the page text with its table structure and what a
//! reader cannot see.
//!
//! Input: the bytes of one HTML page and, when it came from the web, the
//! HTTP `Content-Type` header value. Output: an
//! [`Extraction`] of format
//! [`SourceFormat::Html`] with one page, no positioned runs, and:
//!
//! * `lines` (and the identical `rows`), in document order: each table row
//!   (`tr`) is one [`Line`] with one [`Cell`] per `td`/`th` (empty cells
//!   kept so that `x` is the column), and every other block with text
//!   (`p`, `div`, `li`, `h1`..`h6`, `dt`, `dd`, `caption`, ...) is a line of
//!   its own. `baseline` counts lines from 0, `x` is the cell's index in its
//!   line and `right` is `x + 1`. Inside a cell, `<br>` and block children
//!   become `\n`, so a wrapped address keeps its lines; elsewhere
//!   whitespace is collapsed and `&nbsp;` is a plain space.
//! * hidden text kept, marked [`Visibility::Invisible`]: the `hidden`
//!   attribute (unless an inline `display` overrides it), an inline
//!   `display:none` or `visibility:hidden`/`collapse` (`visibility:visible`
//!   on a descendant shows it again, as in CSS), `aria-hidden="true"`, and
//!   `<input type="hidden">` values. Text of different visibility never
//!   shares a cell: a hidden span inside a visible cell is a cell of its own.
//! * side texts ([`SideLayer::HtmlMeta`], no page): `<title>` (key `title`),
//!   each `<meta name|property=KEY content=...>`, and `title` attributes
//!   (key `@title`). `producer` is `<meta name="generator">`.
//!
//! The character encoding is taken from a byte order mark, then the
//! `charset` of the HTTP header, then a `<meta>` declaration in the first
//! 1024 bytes, else UTF-8, or windows-1252 when the bytes are not UTF-8.
//!
//! The page is parsed with scripting off, so `<noscript>` content is read as
//! markup and kept as visible text: readers without JavaScript, and every
//! crawler, see it. `script`, `style` and `template` content and comments
//! are not page text and are dropped.
//!
//! What it refuses to do: run scripts, fetch or apply stylesheets (text
//! hidden by a class in an external stylesheet is reported as visible),
//! follow frames, or judge what is an address.
//!
//! Input is untrusted, and every cost is bounded: the page is parsed by
//! the guarded parser of [`crate::markup`] (the first [`MAX_PAGE_BYTES`],
//! never more than [`MAX_OPEN_ELEMENTS`] open elements, formatting
//! elements read as `span`s), which the crawler's link reader shares; the
//! walk over the tree is iterative; and the text and cells
//! emitted are capped ([`MAX_TEXT_BYTES`], [`MAX_CELLS`]), past which the
//! rest of the page is not read. None of these caps is reported: the
//! signature has no error path.

use encoding_rs::{Encoding, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};
use scraper::node::Element;
use scraper::{Html, Node};

use super::grid::{self, Block, BlockKind, GridCell};
use crate::markup;
pub use crate::markup::{MAX_OPEN_ELEMENTS, MAX_PAGE_BYTES};
use crate::model::{Extraction, SideLayer, SideText, SourceFormat, Visibility};

/// Most bytes of text (cells and side texts together) taken from one page.
pub const MAX_TEXT_BYTES: usize = 16 * 1024 * 1024;

/// Most cells and side texts taken from one page.
pub const MAX_CELLS: usize = 1024 * 1024;

/// How many leading bytes are searched for a `<meta>` charset declaration.
const META_PRESCAN_BYTES: usize = 1024;

/// Elements whose content is never page text.
const DROPPED: &[&str] = &["script", "style", "template"];

/// Elements that start and end a line of their own (or, inside a table
/// cell, a `\n` within the cell).
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "legend",
    "li",
    "listing",
    "main",
    "menu",
    "nav",
    "noscript",
    "ol",
    "option",
    "p",
    "plaintext",
    "pre",
    "section",
    "summary",
    "ul",
    "xmp",
];

/// Elements whose text keeps its line breaks.
const PREFORMATTED: &[&str] = &["pre", "listing", "plaintext", "xmp", "textarea"];

/// Extracts an HTML page. Never fails: any bytes give an [`Extraction`],
/// with no lines if the page carries no text.
pub fn extract(bytes: &[u8], content_type: Option<&str>) -> Extraction {
    let encoding = sniff_encoding(bytes, content_type);
    // `decode` honours a byte order mark before `encoding`, as browsers do.
    let (text, _, _) = encoding.decode(bytes);
    let document = markup::parse(&text);
    drop(text);
    let mut walker = Walker::new();
    walker.walk(&document);
    walker.finish()
}

/// Chooses the character encoding of a page: BOM, then the HTTP header's
/// `charset`, then a `<meta>` declaration near the top, then UTF-8 if the
/// bytes are valid UTF-8, else windows-1252.
fn sniff_encoding(bytes: &[u8], content_type: Option<&str>) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return encoding;
    }
    let from_header = content_type
        .and_then(|header| charset_param(header.as_bytes()))
        .and_then(Encoding::for_label)
        .filter(|&encoding| encoding != REPLACEMENT);
    if let Some(encoding) = from_header {
        return encoding;
    }
    let head = &bytes[..bytes.len().min(META_PRESCAN_BYTES)];
    if let Some(encoding) = meta_charset(head) {
        return encoding;
    }
    if std::str::from_utf8(bytes).is_ok() {
        UTF_8
    } else {
        WINDOWS_1252
    }
}

/// The value of a `charset=` parameter in a content type (an HTTP header or
/// a `<meta http-equiv>` content), unquoted.
fn charset_param(value: &[u8]) -> Option<&[u8]> {
    let lower = value.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&lower[from..], b"charset") {
        let mut at = from + found + b"charset".len();
        from = at;
        while lower.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if lower.get(at) != Some(&b'=') {
            continue;
        }
        at += 1;
        while lower.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        let rest = value.get(at..)?;
        let label = match rest.first() {
            Some(&quote @ (b'"' | b'\'')) => {
                let inner = &rest[1..];
                let end = memchr::memchr(quote, inner).unwrap_or(inner.len());
                &inner[..end]
            }
            _ => {
                let end = rest
                    .iter()
                    .position(|&b| b == b';' || b.is_ascii_whitespace())
                    .unwrap_or(rest.len());
                &rest[..end]
            }
        };
        return (!label.is_empty()).then_some(label);
    }
    None
}

/// The encoding declared by the first `<meta charset>` or `<meta
/// http-equiv="Content-Type" content="...charset=...">` in `head`, skipping
/// comments. A declared UTF-16 means UTF-8 and `x-user-defined` means
/// windows-1252, as the HTML standard's prescan says.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', &head[at..]) {
        at += found;
        let rest = &head[at..];
        if rest.starts_with(b"<!--") {
            let end = memchr::memmem::find(&rest[4..], b"-->")?;
            at += 4 + end + 3;
            continue;
        }
        at += 1;
        let is_meta = rest.len() > 5
            && rest[1..5].eq_ignore_ascii_case(b"meta")
            && (rest[5].is_ascii_whitespace() || rest[5] == b'/');
        if !is_meta {
            continue;
        }
        let attributes = tag_attributes(&rest[5..]);
        let value_of = |name: &[u8]| {
            attributes
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, value)| *value)
        };
        let label = value_of(b"charset").or_else(|| {
            let pragma = value_of(b"http-equiv")?;
            if !pragma.trim_ascii().eq_ignore_ascii_case(b"content-type") {
                return None;
            }
            charset_param(value_of(b"content")?)
        });
        let encoding = label.and_then(|label| Encoding::for_label(label.trim_ascii()));
        match encoding {
            Some(e) if e == UTF_16LE || e == UTF_16BE => return Some(UTF_8),
            Some(e) if e == X_USER_DEFINED => return Some(WINDOWS_1252),
            Some(e) if e != REPLACEMENT => return Some(e),
            _ => {}
        }
    }
    None
}

/// The attributes of a start tag, from just after its name up to `>` (or
/// the end of the buffer), as (name, value) byte slices.
fn tag_attributes(tag: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut attributes = Vec::new();
    let mut at = 0;
    let skip_space = |mut at: usize| {
        while tag
            .get(at)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            at += 1;
        }
        at
    };
    loop {
        at = skip_space(at);
        let start = at;
        while tag
            .get(at)
            .is_some_and(|&b| !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/'))
        {
            at += 1;
        }
        if at == start {
            return attributes; // `>` or the end of the buffer
        }
        let name = &tag[start..at];
        while tag.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if tag.get(at) != Some(&b'=') {
            attributes.push((name, &tag[at..at]));
            continue;
        }
        at += 1;
        while tag.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        let value = match tag.get(at) {
            Some(&quote @ (b'"' | b'\'')) => {
                let inner = &tag[at + 1..];
                let end = memchr::memchr(quote, inner).unwrap_or(inner.len());
                at += 1 + end + 1;
                &inner[..end]
            }
            _ => {
                let start = at;
                while tag
                    .get(at)
                    .is_some_and(|&b| !b.is_ascii_whitespace() && b != b'>')
                {
                    at += 1;
                }
                &tag[start..at]
            }
        };
        attributes.push((name, value));
    }
}

/// What an open element does to the lines around it when it opens and
/// closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Boundary {
    /// Inline: nothing.
    None,
    /// A block outside a table cell, a table or a table row: ends the line.
    Line,
    /// A block inside a table cell: a `\n` within the cell.
    Break,
    /// A `td`/`th` (or a `dt`/`dd`): a cell of its own. Holds the number
    /// of cells emitted before it opened, to tell whether it gave any, and
    /// how many columns it spans.
    Cell(usize, usize),
}

/// The state an open element passes to its descendants.
#[derive(Clone, Copy, Debug, Default)]
struct Frame {
    /// `display:none`, or the `hidden` attribute, here or on an ancestor.
    display_none: bool,
    /// The inherited `visibility` is `hidden` or `collapse`.
    visibility_hidden: bool,
    /// `aria-hidden="true"` here or on an ancestor.
    aria_hidden: bool,
    /// Inside a `td`/`th` (and not inside a table nested in it), or a
    /// `dt`/`dd`: blocks inside are line breaks within the cell.
    in_cell: bool,
    /// Inside preformatted text: line breaks are kept.
    preformatted: bool,
    /// Inside `<title>`: the text goes to a side text.
    in_title: bool,
}

impl Frame {
    fn visibility(&self) -> Visibility {
        if self.display_none || self.visibility_hidden || self.aria_hidden {
            Visibility::Invisible
        } else {
            Visibility::Visible
        }
    }
}

/// The inline `style` properties that hide text, as found.
#[derive(Debug, Default, PartialEq)]
struct InlineStyle {
    /// The `display` value, lowercased, without `!important`.
    display: Option<String>,
    /// The `visibility` value, lowercased, without `!important`.
    visibility: Option<String>,
}

impl InlineStyle {
    /// Reads the `display` and `visibility` declarations of a `style`
    /// attribute; the last declaration of each wins, as in CSS.
    fn parse(style: &str) -> InlineStyle {
        let mut found = InlineStyle::default();
        for declaration in style.split(';') {
            let Some((property, value)) = declaration.split_once(':') else {
                continue;
            };
            let property = property.trim().to_ascii_lowercase();
            let slot = match property.as_str() {
                "display" => &mut found.display,
                "visibility" => &mut found.visibility,
                _ => continue,
            };
            let mut value = value.trim().to_ascii_lowercase();
            if let Some(bang) = value.find('!') {
                value.truncate(bang);
            }
            *slot = Some(value.trim().to_string());
        }
        found
    }
}

/// Walks the parsed tree once, in document order, building lines and side
/// texts.
struct Walker {
    blocks: Vec<Block>,
    side_texts: Vec<SideText>,
    producer: Option<String>,
    /// Cells of the line being built.
    cells: Vec<GridCell>,
    /// The column of the `td`/`th` (or `dt`/`dd`) being read, if any.
    cell_column: Option<usize>,
    /// The column the next cell of the line takes.
    next_column: usize,
    /// Tables opened so far: the current table's number.
    tables: usize,
    /// The line being built holds table cells (`td`/`th`).
    table_row: bool,
    /// Text of the cell being built, whitespace mapped but not collapsed.
    segment: String,
    /// Visibility of `segment`.
    segment_visibility: Visibility,
    /// Text of the `<title>` being read.
    title: String,
    /// Open elements, innermost last.
    stack: Vec<(Frame, Boundary)>,
    /// Cells emitted so far, over all lines.
    cells_emitted: usize,
    /// Text bytes and cells still allowed.
    text_budget: usize,
    cell_budget: usize,
}

impl Walker {
    fn new() -> Walker {
        Walker {
            blocks: Vec::new(),
            side_texts: Vec::new(),
            producer: None,
            cells: Vec::new(),
            cell_column: None,
            next_column: 0,
            tables: 0,
            table_row: false,
            segment: String::new(),
            segment_visibility: Visibility::Visible,
            title: String::new(),
            stack: Vec::new(),
            cells_emitted: 0,
            text_budget: MAX_TEXT_BYTES,
            cell_budget: MAX_CELLS,
        }
    }

    /// Visits every node of `document` without recursion: down to the first
    /// child, else across to the next sibling, else up, closing elements on
    /// the way.
    fn walk(&mut self, document: &Html) {
        let root = document.tree.root();
        let mut next = root.first_child();
        while let Some(node) = next {
            if self.exhausted() {
                return;
            }
            if self.enter(node.value()) {
                if let Some(child) = node.first_child() {
                    next = Some(child);
                    continue;
                }
                self.leave();
            }
            let mut current = node;
            next = loop {
                if let Some(sibling) = current.next_sibling() {
                    break Some(sibling);
                }
                match current.parent() {
                    Some(parent) if parent.id() != root.id() => {
                        self.leave();
                        current = parent;
                    }
                    _ => break None,
                }
            };
        }
    }

    fn exhausted(&self) -> bool {
        self.text_budget == 0 || self.cell_budget == 0
    }

    /// Handles a node on the way down. Returns true when its children are to
    /// be visited, in which case a frame was pushed that [`Walker::leave`]
    /// pops.
    fn enter(&mut self, node: &Node) -> bool {
        let parent = self.stack.last().map_or_else(Frame::default, |(f, _)| *f);
        match node {
            Node::Text(text) if parent.in_title => {
                self.title.push_str(text);
                false
            }
            Node::Text(text) => {
                self.push_text(text, parent.visibility(), parent.preformatted);
                false
            }
            Node::Element(element) => self.enter_element(element, parent),
            _ => false, // comments, doctype, processing instructions
        }
    }

    fn enter_element(&mut self, element: &Element, parent: Frame) -> bool {
        let name = element.name();
        if DROPPED.contains(&name) {
            return false;
        }
        match name {
            "meta" => {
                self.meta(element);
                return false;
            }
            "br" => {
                self.segment.push('\n');
                return false;
            }
            "input" => {
                self.input(element, parent);
                return false;
            }
            _ => {}
        }
        if let Some(title) = element.attr("title") {
            self.side_text("@title".to_string(), title);
        }
        let frame = child_frame(element, parent);
        let boundary = match name {
            "td" | "th" => {
                let span = element
                    .attr("colspan")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(1usize)
                    .clamp(1, 64);
                self.cell_column = Some(self.next_column);
                self.table_row = true;
                Boundary::Cell(self.cells_emitted, span)
            }
            "dt" | "dd" if !parent.in_cell => {
                if name == "dt" {
                    self.end_line();
                }
                self.cell_column = Some(self.next_column);
                Boundary::Cell(self.cells_emitted, 1)
            }
            "table" => {
                self.tables += 1;
                Boundary::Line
            }
            "tr" => Boundary::Line,
            _ if BLOCKS.contains(&name) && parent.in_cell => Boundary::Break,
            _ if BLOCKS.contains(&name) => Boundary::Line,
            _ => Boundary::None,
        };
        self.open(boundary);
        self.stack.push((frame, boundary));
        true
    }

    /// Handles the end of the innermost open element.
    fn leave(&mut self) {
        let Some((frame, boundary)) = self.stack.pop() else {
            return;
        };
        if frame.in_title && !self.stack.last().is_some_and(|(f, _)| f.in_title) {
            let title = std::mem::take(&mut self.title);
            self.side_text("title".to_string(), &title);
        }
        match boundary {
            Boundary::None => {}
            Boundary::Line => self.end_line(),
            Boundary::Break => self.segment.push('\n'),
            Boundary::Cell(before, span) => {
                self.end_segment();
                if self.cells_emitted == before {
                    self.push_cell(String::new(), Visibility::Visible);
                }
                self.next_column = self.cell_column.take().unwrap_or(self.next_column) + span;
            }
        }
    }

    fn open(&mut self, boundary: Boundary) {
        match boundary {
            Boundary::None => {}
            Boundary::Line => self.end_line(),
            Boundary::Break => self.segment.push('\n'),
            Boundary::Cell(..) => self.end_segment(),
        }
    }

    /// `<meta name|property=KEY content=...>` as a side text; the
    /// `generator` is also the producer.
    fn meta(&mut self, element: &Element) {
        let (Some(key), Some(content)) = (
            element.attr("name").or_else(|| element.attr("property")),
            element.attr("content"),
        ) else {
            return;
        };
        let key = key.trim();
        if key.eq_ignore_ascii_case("generator") && self.producer.is_none() {
            let producer = collapse(&map_whitespace(content, false));
            if !producer.is_empty() {
                self.producer = Some(producer);
            }
        }
        self.side_text(key.to_string(), content);
    }

    /// The value of `<input type="hidden">` as an invisible cell of its own.
    fn input(&mut self, element: &Element, parent: Frame) {
        let is_hidden = element
            .attr("type")
            .is_some_and(|kind| kind.trim().eq_ignore_ascii_case("hidden"));
        if let (true, Some(value)) = (is_hidden, element.attr("value")) {
            self.end_segment();
            self.push_text(value, Visibility::Invisible, parent.preformatted);
            self.end_segment();
        }
    }

    /// Appends text to the cell being built, starting a new cell when the
    /// visibility changes. Whitespace joins whatever cell is open.
    fn push_text(&mut self, text: &str, visibility: Visibility, preformatted: bool) {
        let text = self.take_budget(text);
        if text.is_empty() {
            return;
        }
        let blank = text.chars().all(is_html_space);
        if !blank && visibility != self.segment_visibility {
            if self.segment.chars().all(is_html_space) {
                self.segment_visibility = visibility;
            } else {
                self.end_segment();
                self.segment_visibility = visibility;
            }
        }
        self.segment.push_str(&map_whitespace(text, preformatted));
    }

    /// Cuts `text` to the remaining text budget (at a character boundary)
    /// and charges it; a cut spends the whole budget.
    fn take_budget<'t>(&mut self, text: &'t str) -> &'t str {
        let kept = markup::prefix(text, self.text_budget);
        self.text_budget = if kept.len() < text.len() {
            0
        } else {
            self.text_budget - kept.len()
        };
        kept
    }

    /// Closes the cell being built, if it has any text.
    fn end_segment(&mut self) {
        let text = collapse(&std::mem::take(&mut self.segment));
        if !text.is_empty() {
            self.push_cell(text, self.segment_visibility);
        }
        self.segment_visibility = Visibility::Visible;
    }

    fn push_cell(&mut self, text: String, visibility: Visibility) {
        if self.cell_budget == 0 {
            return;
        }
        self.cell_budget -= 1;
        let column = match self.cell_column {
            Some(column) => column,
            None => {
                self.next_column += 1;
                self.next_column - 1
            }
        };
        self.cells.push(GridCell {
            column,
            span: 1,
            text,
            visibility,
        });
        self.cells_emitted += 1;
    }

    /// Closes the line being built; a line with no text is dropped.
    fn end_line(&mut self) {
        self.end_segment();
        let cells = std::mem::take(&mut self.cells);
        let kind = if std::mem::take(&mut self.table_row) {
            BlockKind::TableRow { table: self.tables }
        } else {
            BlockKind::Paragraph
        };
        self.next_column = 0;
        self.cell_column = None;
        if cells.iter().any(|cell| !cell.text.is_empty()) {
            self.blocks.push(Block {
                page: 1,
                kind,
                cells,
            });
        }
    }

    fn side_text(&mut self, key: String, raw: &str) {
        let raw = self.take_budget(raw);
        let text = collapse(&map_whitespace(raw, false));
        if text.is_empty() || self.cell_budget == 0 {
            return;
        }
        self.cell_budget -= 1;
        self.side_texts.push(SideText {
            layer: SideLayer::HtmlMeta,
            page: None,
            key,
            text,
        });
    }

    fn finish(mut self) -> Extraction {
        self.end_line();
        let grid = grid::lay_out(&self.blocks);
        Extraction {
            format: SourceFormat::Html,
            pages: 1,
            runs: Vec::new(),
            lines: grid.lines,
            rules: grid.rules,
            rows: grid.rows,
            ocr_pages: Vec::new(),
            side_texts: self.side_texts,
            prior_revisions: Vec::new(),
            producer: self.producer,
        }
    }
}

/// The frame of `element`, whose parent's frame is `parent`.
fn child_frame(element: &Element, parent: Frame) -> Frame {
    let name = element.name();
    let style = element
        .attr("style")
        .map(InlineStyle::parse)
        .unwrap_or_default();
    // The `hidden` attribute is the user agent's `display:none`, which an
    // inline `display` overrides.
    let display_none = parent.display_none
        || match &style.display {
            Some(display) => display == "none",
            None => element.attr("hidden").is_some(),
        };
    let visibility_hidden = match style.visibility.as_deref() {
        Some("hidden" | "collapse") => true,
        Some("inherit" | "unset") | None => parent.visibility_hidden,
        Some(_) => false,
    };
    let aria_hidden = parent.aria_hidden
        || element
            .attr("aria-hidden")
            .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"));
    Frame {
        display_none,
        visibility_hidden,
        aria_hidden,
        in_cell: match name {
            "td" | "th" | "dt" | "dd" => true,
            "table" => false,
            _ => parent.in_cell,
        },
        preformatted: parent.preformatted || PREFORMATTED.contains(&name),
        in_title: parent.in_title || name == "title",
    }
}

/// HTML's whitespace, plus the no-break space, which notices use between
/// the halves of a postcode.
fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0C' | '\u{a0}')
}

/// Turns every whitespace character into a space, except line breaks in
/// preformatted text, which stay `\n`.
fn map_whitespace(text: &str, preformatted: bool) -> String {
    text.chars()
        .map(|c| match c {
            '\n' if preformatted => '\n',
            c if is_html_space(c) => ' ',
            c => c,
        })
        .collect()
}

/// Collapses runs of spaces to one, runs of line breaks (and the spaces
/// around them) to one `\n`, and trims both ends.
fn collapse(mapped: &str) -> String {
    let mut out = String::with_capacity(mapped.len());
    let mut space = false;
    let mut newline = false;
    for c in mapped.chars() {
        match c {
            '\n' => newline = true,
            ' ' => space = true,
            c => {
                if !out.is_empty() {
                    if newline {
                        out.push('\n');
                    } else if space {
                        out.push(' ');
                    }
                }
                space = false;
                newline = false;
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts of each row's cells, hidden ones as `[invisible: ...]`.
    fn shown(extraction: &Extraction) -> Vec<Vec<String>> {
        extraction
            .rows
            .iter()
            .map(|line| {
                line.cells
                    .iter()
                    .map(|cell| match cell.visibility {
                        Visibility::Visible => cell.text.clone(),
                        hidden => format!("[{}: {}]", hidden.as_str(), cell.text),
                    })
                    .collect()
            })
            .collect()
    }

    fn lines_of(html: &str) -> Vec<Vec<String>> {
        shown(&extract(html.as_bytes(), None))
    }

    const SOPN: &str = "<!DOCTYPE html><html><head><title>Statement of persons nominated</title>\
        <meta name=\"generator\" content=\"Invented CMS 4.2\">\
        <meta name=\"author\" content=\"Electoral Services\">\
        <meta name=\"description\" content=\"Candidates for Lowther ward\"></head>\
        <body><h1>Lowther Ward</h1>\
        <table><caption>Persons nominated</caption>\
        <tr><th>Name of candidate</th><th>Home address</th><th>Description</th></tr>\
        <tr><td>WHITLOCK Maryanne</td><td>14 Quenby Road<br>Lowther<br>AB1 2CD</td>\
        <td>Independent</td></tr>\
        <tr><td>PELLINGHAM Oswin</td><td>(address in Northbury)</td><td></td></tr>\
        </table><p>Printed by the Returning Officer</p></body></html>";

    #[test]
    fn sopn_table_rows_become_lines_of_cells() {
        let extraction = extract(SOPN.as_bytes(), None);
        assert_eq!(extraction.format, SourceFormat::Html);
        assert_eq!(extraction.pages, 1);
        assert!(extraction.runs.is_empty());
        assert!(extraction.prior_revisions.is_empty());
        assert_eq!(
            shown(&extraction),
            vec![
                vec!["Lowther Ward"],
                vec!["Persons nominated"],
                vec!["Name of candidate", "Home address", "Description"],
                vec![
                    "WHITLOCK Maryanne",
                    "14 Quenby Road\nLowther\nAB1 2CD",
                    "Independent"
                ],
                vec!["PELLINGHAM Oswin", "(address in Northbury)"],
                vec!["Printed by the Returning Officer"],
            ]
        );
        // Laid out as a page: table cells at their column, a wrapped
        // address one line per line, every table row ruled.
        let column = |x: f32| (x / grid::COLUMN_WIDTH).floor() as usize;
        let whitlock = &extraction.rows[3];
        let columns: Vec<usize> = whitlock.cells.iter().map(|c| column(c.x)).collect();
        assert_eq!(columns, [0, 1, 2]);
        assert!(extraction.lines.iter().all(|l| l.page == 1));
        assert!(
            extraction
                .lines
                .windows(2)
                .all(|w| w[0].baseline > w[1].baseline)
        );
        let texts: Vec<String> = extraction.lines.iter().map(|l| l.joined(" | ")).collect();
        assert!(texts.contains(&"WHITLOCK Maryanne | 14 Quenby Road | Independent".to_string()));
        assert!(texts.contains(&"Lowther".to_string()));
        assert_eq!(extraction.rules.iter().filter(|r| !r.vertical).count(), 6);
    }

    #[test]
    fn title_and_meta_are_side_texts_and_generator_is_producer() {
        let extraction = extract(SOPN.as_bytes(), None);
        let sides: Vec<(&str, &str)> = extraction
            .side_texts
            .iter()
            .map(|side| {
                assert_eq!((side.layer, side.page), (SideLayer::HtmlMeta, None));
                (side.key.as_str(), side.text.as_str())
            })
            .collect();
        assert_eq!(
            sides,
            vec![
                ("title", "Statement of persons nominated"),
                ("generator", "Invented CMS 4.2"),
                ("author", "Electoral Services"),
                ("description", "Candidates for Lowther ward"),
            ]
        );
        assert_eq!(extraction.producer.as_deref(), Some("Invented CMS 4.2"));
        let plain = extract(b"<html><body><p>x</p></body></html>", None);
        assert_eq!(plain.producer, None);
    }

    #[test]
    fn title_attributes_are_side_texts() {
        let extraction = extract(
            b"<p>Agent: <abbr title=\"27 Mardle Close, AB3 4EF\">office</abbr></p>",
            None,
        );
        assert_eq!(extraction.side_texts[0].key, "@title");
        assert_eq!(extraction.side_texts[0].text, "27 Mardle Close, AB3 4EF");
    }

    #[test]
    fn blocks_are_lines_and_whitespace_collapses() {
        let html = "<div>Notice  of\n\t poll<p>Ward:&nbsp;Lowther</p>after</div>\
            <ul><li>One</li><li>Two <b>bold</b>er</li></ul><dl><dt>Term</dt><dd>Meaning</dd><dt>Next</dt><dd>one<br>two</dd></dl>\
            <h2> Heading </h2><div>   </div><pre>line one\n  line two</pre>";
        assert_eq!(
            lines_of(html),
            vec![
                vec!["Notice of poll"],
                vec!["Ward: Lowther"],
                vec!["after"],
                vec!["One"],
                vec!["Two bolder"],
                vec!["Term", "Meaning"],
                vec!["Next", "one\ntwo"],
                vec!["Heading"],
                vec!["line one\nline two"],
            ]
        );
    }

    #[test]
    fn block_children_of_a_cell_become_line_breaks() {
        let html = "<table><tr><td><p>9 Haverley Lane</p><div>Northbury</div>AB5 6GH</td>\
            <td><ul><li>Green</li><li>Party</li></ul></td></tr></table>";
        assert_eq!(
            lines_of(html),
            vec![vec!["9 Haverley Lane\nNorthbury\nAB5 6GH", "Green\nParty"]]
        );
    }

    #[test]
    fn a_table_nested_in_a_layout_cell_keeps_its_rows() {
        let html = "<table><tr><td>Menu</td><td>Intro\
            <table><tr><td>ASHWORTH Tamsin</td><td>(address in Northbury)</td></tr></table>\
            Outro</td><td>Side</td></tr></table>";
        assert_eq!(
            lines_of(html),
            vec![
                vec!["Menu", "Intro"],
                vec!["ASHWORTH Tamsin", "(address in Northbury)"],
                vec!["Outro", "Side"],
            ]
        );
    }

    #[test]
    fn scripts_styles_templates_and_comments_are_dropped() {
        let html = "<body><script>var a = '1 Secret Way';</script><style>p{color:red}</style>\
            <template><p>2 Template Row</p></template><!-- 3 Comment Street -->\
            <p>Shown</p></body>";
        assert_eq!(lines_of(html), vec![vec!["Shown"]]);
    }

    #[test]
    fn noscript_content_is_visible_markup() {
        let html = "<body><noscript><p>Enable <b>JavaScript</b></p></noscript></body>";
        assert_eq!(lines_of(html), vec![vec!["Enable JavaScript"]]);
    }

    #[test]
    fn hidden_cells_are_kept_and_marked_invisible() {
        let html = "<table><tr><td>WHITLOCK Maryanne</td>\
            <td>(address in Northbury)<span style=\"display:none\">14 Quenby Road</span></td>\
            <td hidden>AB1 2CD</td><td>Independent</td></tr></table>";
        assert_eq!(
            lines_of(html),
            vec![vec![
                "WHITLOCK Maryanne",
                "(address in Northbury)",
                "[invisible: 14 Quenby Road]",
                "[invisible: AB1 2CD]",
                "Independent",
            ]]
        );
    }

    #[test]
    fn every_way_of_hiding_is_recognised_on_element_or_ancestor() {
        let html = "<p hidden>by attribute</p>\
            <p style=\"DISPLAY : None !important\">by display</p>\
            <p style=\"color: red; visibility:hidden\">by visibility</p>\
            <p style=\"visibility: collapse\">by collapse</p>\
            <p aria-hidden=\"TRUE\">by aria</p>\
            <div style=\"display:none\"><div><p>by ancestor</p></div></div>\
            <p aria-hidden=\"false\" style=\"display:block\">shown</p>";
        assert_eq!(
            lines_of(html),
            vec![
                vec!["[invisible: by attribute]"],
                vec!["[invisible: by display]"],
                vec!["[invisible: by visibility]"],
                vec!["[invisible: by collapse]"],
                vec!["[invisible: by aria]"],
                vec!["[invisible: by ancestor]"],
                vec!["shown"],
            ]
        );
    }

    #[test]
    fn css_overrides_are_followed() {
        // An inline display beats the `hidden` attribute; a descendant's
        // `visibility:visible` shows it again; nothing undoes display:none.
        let html = "<p hidden style=\"display:block\">override</p>\
            <div style=\"visibility:hidden\">gone<span style=\"visibility:visible\">back</span></div>\
            <div style=\"display:none\"><span style=\"display:inline;visibility:visible\">still</span></div>";
        assert_eq!(
            lines_of(html),
            vec![
                vec!["override"],
                vec!["[invisible: gone]", "back"],
                vec!["[invisible: still]"],
            ]
        );
    }

    #[test]
    fn hidden_input_values_are_invisible_cells() {
        let html = "<form><p>Candidate: PELLINGHAM Oswin\
            <input type=\"HIDDEN\" name=\"addr\" value=\"3 Orchard Row, AB7 8JK\">\
            <input type=\"hidden\" value=\"second\"><input type=\"text\" value=\"typed\"></p></form>";
        assert_eq!(
            lines_of(html),
            vec![vec![
                "Candidate: PELLINGHAM Oswin",
                "[invisible: 3 Orchard Row, AB7 8JK]",
                "[invisible: second]",
            ]]
        );
    }

    #[test]
    fn visibility_changes_split_cells_but_whitespace_does_not() {
        let html = "<p><span hidden>a</span> <span hidden>b</span> c <i>d</i></p>";
        assert_eq!(lines_of(html), vec![vec!["[invisible: a b]", "c d"]]);
    }

    #[test]
    fn inline_style_parsing_tolerates_spacing_case_and_important() {
        let style = InlineStyle::parse(" Display :NONE ! important ;visibility:Visible;");
        assert_eq!(style.display.as_deref(), Some("none"));
        assert_eq!(style.visibility.as_deref(), Some("visible"));
        assert_eq!(InlineStyle::parse("color: red"), InlineStyle::default());
    }

    /// A windows-1252 notice: `£` is 0xA3, `é` 0xE9, `’` 0x92.
    fn windows_1252_page(meta: &str) -> Vec<u8> {
        let mut bytes = format!("<html><head>{meta}</head><body><p>Deposit ").into_bytes();
        bytes.extend_from_slice(b"\xA3500 paid by Ren\xE9e O\x92Hara</p></body></html>");
        bytes
    }

    const WINDOWS_1252_TEXT: &str = "Deposit £500 paid by Renée O’Hara";

    #[test]
    fn windows_1252_declared_in_meta_charset() {
        let page = windows_1252_page("<meta charset=\"windows-1252\">");
        assert_eq!(lines_of_bytes(&page, None), vec![vec![WINDOWS_1252_TEXT]]);
    }

    #[test]
    fn windows_1252_declared_in_meta_http_equiv() {
        let page = windows_1252_page(
            "<!-- <meta charset=\"utf-8\"> --><meta http-equiv=\"Content-Type\" \
             content=\"text/html; charset=iso-8859-1\">",
        );
        assert_eq!(sniff_encoding(&page, None), WINDOWS_1252);
        assert_eq!(lines_of_bytes(&page, None), vec![vec![WINDOWS_1252_TEXT]]);
    }

    #[test]
    fn windows_1252_declared_in_header() {
        let page = windows_1252_page("");
        let header = Some("text/html; Charset=\"Windows-1252\"");
        assert_eq!(lines_of_bytes(&page, header), vec![vec![WINDOWS_1252_TEXT]]);
    }

    #[test]
    fn header_beats_meta_and_bom_beats_both() {
        let page = windows_1252_page("<meta charset=\"utf-8\">");
        assert_eq!(
            sniff_encoding(&page, Some("text/html;charset=cp1252")),
            WINDOWS_1252
        );
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend_from_slice("<meta charset=\"windows-1252\"><p>£5</p>".as_bytes());
        assert_eq!(
            sniff_encoding(&with_bom, Some("text/html; charset=windows-1252")),
            UTF_8
        );
        assert_eq!(lines_of_bytes(&with_bom, None), vec![vec!["£5"]]);
    }

    #[test]
    fn undeclared_encoding_is_utf8_else_windows_1252() {
        assert_eq!(sniff_encoding("<p>£</p>".as_bytes(), None), UTF_8);
        let page = windows_1252_page("");
        assert_eq!(sniff_encoding(&page, None), WINDOWS_1252);
        assert_eq!(lines_of_bytes(&page, None), vec![vec![WINDOWS_1252_TEXT]]);
        // A declared UTF-16 in a meta tag means UTF-8; unknown labels are ignored.
        assert_eq!(sniff_encoding(b"<meta charset=utf-16le><p>x", None), UTF_8);
        assert_eq!(
            sniff_encoding(b"<meta charset=klingon><p>\xA3", None),
            WINDOWS_1252
        );
    }

    #[test]
    fn character_references_are_decoded() {
        let html = "<p>Smith &amp; Sons, &#163;20, Ren&eacute;e, AB1&nbsp;2CD, &#x2019;</p>";
        assert_eq!(
            lines_of(html),
            vec![vec!["Smith & Sons, £20, Renée, AB1 2CD, ’"]]
        );
    }

    fn lines_of_bytes(bytes: &[u8], content_type: Option<&str>) -> Vec<Vec<String>> {
        shown(&extract(bytes, content_type))
    }

    #[test]
    fn deeply_nested_divs_do_not_overflow_the_stack() {
        let depth = 100_000;
        let mut html = "<div>".repeat(depth);
        html.push_str("deep text");
        html.push_str(&"</div>".repeat(depth));
        assert_eq!(lines_of(&html), vec![vec!["deep text"]]);
    }

    #[test]
    fn deep_nesting_is_capped_but_its_text_kept() {
        let html = format!(
            "{}<p>inner</p>{}<p>after</p>",
            "<div><section>".repeat(MAX_OPEN_ELEMENTS),
            "</section></div>".repeat(MAX_OPEN_ELEMENTS)
        );
        assert_eq!(lines_of(&html), vec![vec!["inner"], vec!["after"]]);
    }

    #[test]
    fn tables_fostering_divs_cannot_deepen_without_bound() {
        // Each `</div>` is ignored (a table is open), so every unit nests
        // deeper in the parser although the tags look balanced.
        let html = format!("{}<p>x</p>", "<div><table></div>".repeat(50_000));
        assert_eq!(lines_of(&html), vec![vec!["x"]]);
    }

    #[test]
    fn formatting_elements_cannot_multiply() {
        // Without the guard each `<p>` would re-open all 1,000 `<b>`s.
        let mut html = String::from("<p>");
        for i in 0..1_000 {
            html.push_str(&format!("<b class=c{i}>"));
        }
        html.push_str(&"</p><p>x".repeat(20_000));
        let extraction = extract(html.as_bytes(), None);
        assert_eq!(extraction.lines.len(), 20_000);
        assert_eq!(extraction.lines[0].cells[0].text, "x");
    }

    #[test]
    fn formatting_elements_still_hide() {
        let html = "<p><b hidden>12 Fenwick Yard</b> <a aria-hidden=true href=#>AB9 9ZZ</a></p>";
        assert_eq!(
            lines_of(html),
            vec![vec!["[invisible: 12 Fenwick Yard AB9 9ZZ]"]]
        );
    }

    #[test]
    fn text_over_the_budget_is_cut_at_a_character_boundary() {
        let mut walker = Walker::new();
        walker.text_budget = 3;
        walker.push_text("ab£cd", Visibility::Visible, false);
        assert!(walker.exhausted());
        let extraction = walker.finish();
        assert_eq!(extraction.lines[0].cells[0].text, "ab");
    }

    #[test]
    fn cells_over_the_budget_are_not_emitted() {
        let mut walker = Walker::new();
        walker.cell_budget = 2;
        for text in ["one", "two", "three"] {
            walker.push_text(text, Visibility::Visible, false);
            walker.end_segment();
        }
        assert!(walker.exhausted());
        assert_eq!(walker.finish().lines[0].joined("|"), "one|two");
    }

    #[test]
    fn garbage_never_panics() {
        let inputs: [&[u8]; 6] = [
            b"",
            b"\xFF\xFE\x00",
            b"<meta charset=",
            b"<meta http-equiv=content-type content='charset=",
            b"<table><td><tr><th></table></td><p><li><dd></tr>",
            b"<<<>>>&#xFFFFFFFF;&#0;<svg><title>t</title><foreignObject><p>in svg",
        ];
        for input in inputs {
            let extraction = extract(input, Some("text/html; charset="));
            assert!(extraction.rows.len() <= extraction.lines.len());
        }
        let huge_attribute = format!("<p title=\"{}\">x</p>", "a".repeat(1 << 20));
        let extraction = extract(huge_attribute.as_bytes(), None);
        assert_eq!(extraction.side_texts[0].text.len(), 1 << 20);
    }
}
