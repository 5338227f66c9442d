//! Side layers: text a PDF carries outside its page content. The Info
//! dictionary, the XMP metadata packet, annotations (`/Contents`, rich
//! text, widget values) and AcroForm field values, each as a
//! [`SideText`]. Nothing here is judged: an address in the `/Author` entry
//! is reported by `detect`, not filtered here.

use lopdf::{Document, Object, ObjectId};

use super::objects::{dict_get, stream_bytes, text_string};
use crate::model::{SideLayer, SideText};

/// Deepest AcroForm field tree walked.
const MAX_FIELD_DEPTH: usize = 32;
/// Most side texts kept per file.
const MAX_SIDE_TEXTS: usize = 10_000;

/// Every side text of a document whose page objects are `pages`, in
/// page order.
pub fn side_texts(doc: &Document, pages: &[ObjectId], max_stream_bytes: usize) -> Vec<SideText> {
    let mut out = Vec::new();
    if let Some(info) = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|o| super::objects::resolve(doc, o))
        .and_then(|o| o.as_dict().ok())
    {
        for (key, value) in info.iter() {
            push_text(
                &mut out,
                SideLayer::Info,
                None,
                key,
                super::objects::resolve(doc, value),
            );
        }
    }
    if let Some(xmp) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Metadata").ok())
        .and_then(|o| stream_bytes(doc, o, max_stream_bytes))
    {
        for (key, text) in xml_texts(&String::from_utf8_lossy(&xmp)) {
            if out.len() < MAX_SIDE_TEXTS {
                out.push(SideText {
                    layer: SideLayer::Xmp,
                    page: None,
                    key,
                    text,
                });
            }
        }
    }
    for (&page_id, number) in pages.iter().zip(1u32..) {
        let Ok(annotations) = doc.get_page_annotations(page_id) else {
            continue;
        };
        for annotation in annotations {
            for key in [b"Contents".as_slice(), b"RC", b"V"] {
                let value = dict_get(doc, annotation, key);
                let layer = if key == b"V" {
                    SideLayer::FormField
                } else {
                    SideLayer::Annotation
                };
                if key == b"RC" {
                    if let Some(rich) = value.and_then(text_string) {
                        for (_, text) in xml_texts(&rich) {
                            push_plain(&mut out, layer, Some(number), "RC", text);
                        }
                    }
                } else {
                    push_text(&mut out, layer, Some(number), key, value);
                }
            }
        }
    }
    if let Some(fields) = doc
        .catalog()
        .ok()
        .and_then(|c| dict_get(doc, c, b"AcroForm"))
        .and_then(|o| o.as_dict().ok())
        .and_then(|form| dict_get(doc, form, b"Fields"))
        .and_then(|o| o.as_array().ok())
    {
        let mut stack: Vec<(&Object, usize)> = fields.iter().map(|f| (f, 0)).collect();
        while let Some((field, depth)) = stack.pop() {
            let Some(dict) = super::objects::resolve(doc, field).and_then(|o| o.as_dict().ok())
            else {
                continue;
            };
            let name = dict_get(doc, dict, b"T").and_then(text_string);
            if let Some(value) = dict_get(doc, dict, b"V").and_then(text_string) {
                push_plain(
                    &mut out,
                    SideLayer::FormField,
                    None,
                    &name.unwrap_or_else(|| "V".into()),
                    value,
                );
            }
            if depth < MAX_FIELD_DEPTH
                && let Some(kids) = dict_get(doc, dict, b"Kids").and_then(|o| o.as_array().ok())
            {
                stack.extend(kids.iter().map(|k| (k, depth + 1)));
            }
        }
    }
    dedupe(out)
}

fn push_text(
    out: &mut Vec<SideText>,
    layer: SideLayer,
    page: Option<u32>,
    key: &[u8],
    value: Option<&Object>,
) {
    if let Some(text) = value.and_then(text_string) {
        push_plain(out, layer, page, &String::from_utf8_lossy(key), text);
    }
}

fn push_plain(
    out: &mut Vec<SideText>,
    layer: SideLayer,
    page: Option<u32>,
    key: &str,
    text: String,
) {
    let text = text.trim();
    if !text.is_empty() && out.len() < MAX_SIDE_TEXTS {
        out.push(SideText {
            layer,
            page,
            key: key.to_owned(),
            text: text.to_owned(),
        });
    }
}

/// A widget's value is both an annotation entry and a form field: keep one.
fn dedupe(texts: Vec<SideText>) -> Vec<SideText> {
    let mut seen = std::collections::HashSet::new();
    texts
        .into_iter()
        .filter(|t| t.layer != SideLayer::FormField || seen.insert(t.text.clone()))
        .collect()
}

/// The text nodes of an XML fragment as `(enclosing element, text)`, with
/// the five predefined entities and character references decoded. Enough
/// for XMP packets and XFDF-style rich text; not a validating parser.
fn xml_texts(xml: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut element = String::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        if !text.trim().is_empty() {
            out.push((element.clone(), unescape(text.trim())));
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else { break };
        let tag = &after[..close];
        if !tag.starts_with('/') && !tag.starts_with('?') && !tag.starts_with('!') {
            element = tag
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or("")
                .to_owned();
        }
        rest = &after[close + 1..];
    }
    if !rest.trim().is_empty() {
        out.push((element, unescape(rest.trim())));
    }
    out
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';').filter(|&s| s <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    #[test]
    fn xmp_text_nodes_with_entities() {
        let xmp = r#"<?xpacket begin=""?><x:xmpmeta><rdf:RDF><rdf:Description>
            <dc:description><rdf:Alt><rdf:li xml:lang="x-default">12 Oak Road &amp; Co, EX1 2AB</rdf:li></rdf:Alt></dc:description>
            <pdf:Producer>Writer&#x20;9</pdf:Producer></rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let texts = xml_texts(xmp);
        assert_eq!(
            texts,
            vec![
                ("rdf:li".to_owned(), "12 Oak Road & Co, EX1 2AB".to_owned()),
                ("pdf:Producer".to_owned(), "Writer 9".to_owned()),
            ]
        );
    }

    #[test]
    fn unescape_leaves_bad_entities() {
        assert_eq!(unescape("a &bogus b &#65; &"), "a &bogus b A &");
    }

    #[test]
    fn info_and_form_fields() {
        let mut doc = Document::with_version("1.5");
        let info = doc.add_object(dictionary! {
            "Author" => Object::string_literal("Jo Example, 3 Mill Lane"),
        });
        doc.trailer.set("Info", info);
        let field = doc.add_object(dictionary! {
            "T" => Object::string_literal("address"),
            "V" => Object::string_literal("7 Elm Close"),
        });
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog",
            "AcroForm" => dictionary! { "Fields" => vec![field.into()] },
        });
        doc.trailer.set("Root", catalog);
        let texts = side_texts(&doc, &[], 1 << 20);
        let summary: Vec<(SideLayer, &str, &str)> = texts
            .iter()
            .map(|t| (t.layer, t.key.as_str(), t.text.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (SideLayer::Info, "Author", "Jo Example, 3 Mill Lane"),
                (SideLayer::FormField, "address", "7 Elm Close"),
            ]
        );
    }
}
