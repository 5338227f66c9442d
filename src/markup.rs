//! The guarded HTML parser: every stage that reads HTML (the crawler's
//! link reader, the extractor) parses pages through [`parse`].
//!
//! Input: a decoded page. Output: a [`scraper::Html`] tree, built by
//! html5ever with scripting off. Pages are untrusted, and the parser's work
//! is bounded whatever the markup: only the first [`MAX_PAGE_BYTES`] are
//! parsed; the tree builder never holds more than [`MAX_OPEN_ELEMENTS`]
//! open elements (deeper start tags are dropped, their text kept inside
//! the element already open); formatting elements (`b`, `font`...)
//! become `span`s, and `a` becomes [`ANCHOR`], so misnested ones cannot
//! make it rebuild them in every block. 100,000 nested `div`s parse in linear time. It never fetches,
//! runs scripts or decides what text means.

use std::cell;
use std::marker::PhantomData;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{Tracer, TreeBuilder, TreeBuilderOpts, TreeSink};
use html5ever::{LocalName, TokenizerResult};
use scraper::{Html, HtmlTreeSink};

/// Most bytes of a page (after decoding) that are parsed; the rest is not
/// read. Council pages are a few hundred kilobytes.
pub const MAX_PAGE_BYTES: usize = 32 * 1024 * 1024;

/// Most elements open at once (nesting depth, roughly). A start tag past it
/// is ignored and its text joins the enclosing element: real pages nest a
/// few dozen deep, and the parser's work per tag grows with this depth.
pub const MAX_OPEN_ELEMENTS: usize = 256;

/// Parses the first [`MAX_PAGE_BYTES`] of a page with scripting off,
/// through a [`TagGuard`] that bounds the parser's work.
pub fn parse(text: &str) -> Html {
    let text = prefix(text, MAX_PAGE_BYTES);
    let tree_builder = TreeBuilder::new(
        HtmlTreeSink::new(Html::new_document()),
        TreeBuilderOpts {
            scripting_enabled: false,
            ..TreeBuilderOpts::default()
        },
    );
    let guard = TagGuard {
        tree_builder,
        open_estimate: cell::Cell::new(ELEMENTS_PER_START_TAG),
    };
    let tokenizer = Tokenizer::new(guard, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(text));
    // A `Script` result only pauses the tokenizer after `</script>`; no
    // script is run, so carry on.
    while let TokenizerResult::Script(_) = tokenizer.feed(&input) {}
    tokenizer.end();
    tokenizer.sink.tree_builder.sink.finish()
}

/// What an `a` element is called in the parsed tree: like the other
/// formatting elements it is renamed (see [`FORMATTING`]), but to a name of
/// its own, so that links stay links. Its attributes are kept.
pub const ANCHOR: &str = "sopncheck-a";

/// Formatting elements, which the parser re-opens ("reconstructs") in every
/// new block until they are closed: a page can make it build millions of
/// elements from a few bytes. They only style text, so [`TagGuard`] reads
/// them as `span`s (and `a` as [`ANCHOR`]), which keep their attributes
/// (and so their hiding and their links).
const FORMATTING: &[&str] = &[
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];

/// Start tags that never stay open: void elements, and the raw-text
/// elements whose content runs to their own end tag.
const NEVER_OPEN: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "iframe", "img",
    "input", "keygen", "link", "meta", "noembed", "noframes", "param", "script", "source", "style",
    "textarea", "title", "track", "wbr", "xmp",
];

/// Most elements a start tag can put on the parser's stack of open elements
/// (`<td>` straight after `<table>` implies `tbody` and `tr`).
const ELEMENTS_PER_START_TAG: usize = 3;

/// Sits between the tokenizer and the tree builder and bounds the tree
/// builder's work, which grows with the number of open elements for every
/// tag: formatting elements become `span`s, and a start tag that would take
/// the open elements past [`MAX_OPEN_ELEMENTS`] is dropped (its text is
/// kept, inside the element already open). Tokenizer parse errors are
/// dropped too, since nothing reads them.
struct TagGuard<Sink: TreeSink> {
    tree_builder: TreeBuilder<Sink::Handle, Sink>,
    /// An upper bound on the open elements (and element pointers) the tree
    /// builder holds, recounted exactly when it reaches the limit.
    open_estimate: cell::Cell<usize>,
}

impl<Sink: TreeSink> TagGuard<Sink> {
    /// Whether one more start tag fits under [`MAX_OPEN_ELEMENTS`]; if it
    /// does, it is counted.
    fn admit_start_tag(&self) -> bool {
        let mut estimate = self.open_estimate.get();
        if estimate + ELEMENTS_PER_START_TAG > MAX_OPEN_ELEMENTS {
            let counter = HandleCounter(cell::Cell::new(0), PhantomData);
            self.tree_builder.trace_handles(&counter);
            estimate = counter.0.get();
        }
        let admitted = estimate + ELEMENTS_PER_START_TAG <= MAX_OPEN_ELEMENTS;
        if admitted {
            estimate += ELEMENTS_PER_START_TAG;
        }
        self.open_estimate.set(estimate);
        admitted
    }
}

impl<Sink: TreeSink> TokenSink for TagGuard<Sink> {
    type Handle = Sink::Handle;

    fn process_token(&self, token: Token, line_number: u64) -> TokenSinkResult<Sink::Handle> {
        let token = match token {
            Token::ParseError(_) => return TokenSinkResult::Continue,
            Token::TagToken(mut tag) => {
                if &*tag.name == "a" {
                    tag.name = LocalName::from(ANCHOR);
                } else if FORMATTING.contains(&&*tag.name) {
                    tag.name = LocalName::from("span");
                }
                if tag.kind == TagKind::StartTag
                    && !NEVER_OPEN.contains(&&*tag.name)
                    && !self.admit_start_tag()
                {
                    return TokenSinkResult::Continue;
                }
                Token::TagToken(tag)
            }
            token => token,
        };
        self.tree_builder.process_token(token, line_number)
    }

    fn end(&self) {
        self.tree_builder.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.tree_builder
            .adjusted_current_node_present_but_not_in_html_namespace()
    }
}

/// Counts the handles the tree builder holds.
struct HandleCounter<Handle>(cell::Cell<usize>, PhantomData<Handle>);

impl<Handle> Tracer for HandleCounter<Handle> {
    type Handle = Handle;

    fn trace_handle(&self, _: &Handle) {
        self.0.set(self.0.get() + 1);
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a
/// character boundary.
pub(crate) fn prefix(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_past_the_page_limit_is_not_read() {
        assert_eq!(prefix("ab£cd", 3), "ab");
        assert_eq!(prefix("ab£cd", 4), "ab£");
        assert_eq!(prefix("ab", 10), "ab");
    }
}
