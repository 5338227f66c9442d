//! The page tree and each page's content streams, read so that a broken
//! file says what broke.
//!
//! [`page_tree`] walks `/Pages` to the page objects in order, each `Pages`
//! node once (a node that lists itself or an ancestor is a cycle, and the
//! walk goes on past it as a reader does), no deeper than
//! [`MAX_PAGE_TREE_DEPTH`]; a tree that reaches no page at all is an error
//! naming the cycle or the emptiness. [`page_content`] gathers a page's
//! content streams and, for each one that cannot be read, a [`Problem`]
//! naming it: a missing object, a reference cycle, a bad `/Length`, a
//! filter that does not decode. Extraction reports the problems when the
//! file turns out to have no text, instead of "no text layer".

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::objects::{Unresolved, decode_content, resolve_traced};
use crate::extract::{ExtractError, Limits};

/// Deepest page tree walked (the depth lopdf's own walk allows).
pub const MAX_PAGE_TREE_DEPTH: usize = 256;

/// Most problems named in one error; the rest are counted.
const MAX_PROBLEMS_NAMED: usize = 3;

/// Why part of a page could not be read, for the error a file without
/// text gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem(pub String);

/// The page objects of `doc` in page order (a `Kids` entry that cannot be
/// read as a dictionary stays a page, read as blank, as readers show it).
pub fn page_tree(doc: &Document, limits: &Limits) -> Result<Vec<ObjectId>, ExtractError> {
    let root = doc
        .catalog()
        .ok()
        .and_then(|catalog| catalog.get(b"Pages").ok())
        .and_then(|pages| pages.as_reference().ok())
        .ok_or_else(|| ExtractError::Damaged("the catalog names no page tree".into()))?;
    let mut pages = Vec::new();
    let mut visited: HashSet<ObjectId> = HashSet::new();
    let mut cycle: Option<ObjectId> = None;
    // Nodes still to walk, with their depth; kids pushed in reverse so
    // they pop in order.
    let mut stack: Vec<(ObjectId, usize)> = vec![(root, 0)];
    while let Some((id, depth)) = stack.pop() {
        let node = match doc.get_dictionary(id) {
            Ok(node) => node,
            Err(_) if id == root => {
                return Err(ExtractError::Damaged(format!(
                    "the page tree (object {}) cannot be read",
                    object_name(id)
                )));
            }
            Err(_) => {
                pages.push(id);
                continue;
            }
        };
        let kind = node.get_type().ok();
        if kind == Some(b"Page".as_slice()) {
            pages.push(id);
            if pages.len() > limits.max_pages as usize {
                return Err(too_many_pages(limits));
            }
            continue;
        }
        if kind != Some(b"Pages".as_slice()) && id != root {
            continue;
        }
        if !visited.insert(id) {
            cycle.get_or_insert(id);
            continue;
        }
        if depth >= MAX_PAGE_TREE_DEPTH {
            return Err(ExtractError::LimitExceeded(format!(
                "the page tree is nested deeper than {MAX_PAGE_TREE_DEPTH} levels"
            )));
        }
        let Some(kids) = kids(doc, node) else {
            continue;
        };
        for kid in kids.iter().rev() {
            if let Ok(kid) = kid.as_reference() {
                stack.push((kid, depth + 1));
            }
        }
    }
    if pages.is_empty() {
        return Err(ExtractError::Damaged(match cycle {
            Some(id) => format!(
                "the page tree is a cycle (object {} lists itself or a node above it) and reaches no page",
                object_name(id)
            ),
            None => "the page tree holds no page".into(),
        }));
    }
    Ok(pages)
}

fn too_many_pages(limits: &Limits) -> ExtractError {
    ExtractError::LimitExceeded(format!("more than the {} pages allowed", limits.max_pages))
}

/// A `Pages` node's `/Kids`, a reference to the array followed.
fn kids<'a>(doc: &'a Document, node: &'a Dictionary) -> Option<&'a Vec<Object>> {
    match node.get(b"Kids").ok()? {
        Object::Reference(id) => doc.get_object(*id).ok()?.as_array().ok(),
        direct => direct.as_array().ok(),
    }
}

/// The decoded content of page `number` (its streams in order, each
/// followed by a newline) and the problems with any that could not be
/// read. `bytes` is the file, for naming why an object did not parse.
pub fn page_content(
    doc: &Document,
    bytes: &[u8],
    page: &Dictionary,
    number: u32,
    limits: &Limits,
) -> Result<(Vec<u8>, Vec<Problem>), ExtractError> {
    let mut content = Vec::new();
    let mut problems = Vec::new();
    let Ok(contents) = page.get(b"Contents") else {
        return Ok((content, problems));
    };
    // `/Contents` is a stream, or an array of them, directly or by
    // reference.
    let streams: Vec<&Object> = match resolve_traced(doc, contents) {
        Ok(Object::Array(items)) => items.iter().collect(),
        Ok(_) => vec![contents],
        Err(unresolved) => {
            problems.push(content_problem(number, &unresolved, bytes));
            return Ok((content, problems));
        }
    };
    for stream in streams {
        match resolve_traced(doc, stream) {
            Ok(Object::Stream(unread)) if unread.start_position.is_some() => {
                // lopdf leaves a stream whose /Length it could not resolve
                // unread, at its position.
                let length = match unread.dict.get(b"Length") {
                    Ok(Object::Reference(id)) => format!("{} R", object_name(*id)),
                    Ok(Object::Integer(n)) => n.to_string(),
                    _ => "missing".into(),
                };
                problems.push(Problem(format!(
                    "page {number}: a content stream has a bad /Length ({length}) and could not be read"
                )));
            }
            Ok(Object::Stream(stream)) => match decode_content(stream, limits.max_stream_bytes)? {
                Ok(decoded) => {
                    content.extend_from_slice(&decoded);
                    content.push(b'\n');
                }
                Err(why) => problems.push(Problem(format!(
                    "page {number}: a content stream does not decode ({why})"
                ))),
            },
            Ok(Object::Null) => {}
            Ok(_) => problems.push(Problem(format!(
                "page {number}: its /Contents is not a stream"
            ))),
            Err(unresolved) => problems.push(content_problem(number, &unresolved, bytes)),
        }
    }
    Ok((content, problems))
}

/// A page dictionary that could not be read.
pub fn unreadable_page(number: u32, id: ObjectId, bytes: &[u8]) -> Problem {
    Problem(format!(
        "page {number}: its page object ({}) {}",
        object_name(id),
        why_missing(id, bytes)
    ))
}

/// The error for a file whose pages gave no text because of `problems`.
pub fn damaged(problems: &[Problem]) -> ExtractError {
    let mut message: Vec<String> = problems
        .iter()
        .take(MAX_PROBLEMS_NAMED)
        .map(|p| p.0.clone())
        .collect();
    if problems.len() > MAX_PROBLEMS_NAMED {
        message.push(format!("and {} more", problems.len() - MAX_PROBLEMS_NAMED));
    }
    ExtractError::Damaged(message.join("; "))
}

fn content_problem(number: u32, unresolved: &Unresolved, bytes: &[u8]) -> Problem {
    Problem(match unresolved {
        Unresolved::Missing(id) => format!(
            "page {number}: its content stream (object {}) {}",
            object_name(*id),
            why_missing(*id, bytes)
        ),
        Unresolved::Cycle(id) => format!(
            "page {number}: its content is a reference cycle through object {}",
            object_name(*id)
        ),
    })
}

/// `5 0`.
fn object_name((number, generation): ObjectId) -> String {
    format!("{number} {generation}")
}

/// Why object `id` is not in the document: not in the file, a reference
/// that loops back through the file's objects, a `/Length` that does not
/// hold, or otherwise unparsable. Reads at most a few kilobytes of each
/// object's text.
fn why_missing(id: ObjectId, bytes: &[u8]) -> String {
    let mut chain = vec![id];
    loop {
        let Some(body) = object_text(*chain.last().unwrap_or(&id), bytes) else {
            return if chain.len() == 1 {
                "is not in the file".into()
            } else {
                "refers to an object that is not in the file".into()
            };
        };
        if let Some(next) = bare_reference(&body) {
            let looped = chain.contains(&next);
            chain.push(next);
            if looped || chain.len() > MAX_CHAIN_SHOWN {
                let names: Vec<String> = chain.iter().copied().map(object_name).collect();
                return format!("is a reference cycle ({})", names.join(" → "));
            }
            continue;
        }
        let dictionary = body.split("stream").next().unwrap_or_default();
        let Some(rest) = dictionary.split("/Length").nth(1) else {
            return "is in the file but could not be parsed".into();
        };
        let value: Vec<&str> = rest
            .split(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .filter(|t| !t.is_empty())
            .take(3)
            .collect();
        let shown = match value.as_slice() {
            [n, g, "R", ..] => format!("{n} {g} R"),
            [n, ..] => shorten_token(n),
            [] => String::new(),
        };
        return format!("has a bad /Length ({shown}) and could not be read");
    }
}

/// Most objects of a reference chain followed through the file's text.
const MAX_CHAIN_SHOWN: usize = 8;

/// The text of object `id` from its header to its `endobj` (at most a few
/// kilobytes), from the last place the file defines it.
fn object_text(id: ObjectId, bytes: &[u8]) -> Option<String> {
    const HEAD_BYTES: usize = 4096;
    let header = format!("{} obj", object_name(id));
    let start = memchr::memmem::find_iter(bytes, header.as_bytes())
        .filter(|&at| at == 0 || bytes[at - 1].is_ascii_whitespace())
        .last()?;
    let head = &bytes[start + header.len()..bytes.len().min(start + HEAD_BYTES)];
    let end = memchr::memmem::find(head, b"endobj").unwrap_or(head.len());
    Some(String::from_utf8_lossy(&head[..end]).into_owned())
}

/// The object a body of just `N G R` refers to.
fn bare_reference(body: &str) -> Option<ObjectId> {
    match body.split_ascii_whitespace().collect::<Vec<_>>().as_slice() {
        [number, generation, "R"] => Some((number.parse().ok()?, generation.parse().ok()?)),
        _ => None,
    }
}

/// A token from the file, cut to a few characters: it is quoted in an
/// error message.
fn shorten_token(token: &str) -> String {
    token.chars().take(12).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_object_is_explained_from_the_file() {
        let file = b"%PDF-1.5\n4 0 obj << /Length -5 >> stream\nBT ET\nendstream endobj\n";
        assert_eq!(
            why_missing((4, 0), file),
            "has a bad /Length (-5) and could not be read"
        );
        let file = b"%PDF-1.5\n14 0 obj << /Length 9 0 R >>\nstream\n";
        assert_eq!(
            why_missing((14, 0), file),
            "has a bad /Length (9 0 R) and could not be read"
        );
        assert_eq!(why_missing((4, 0), file), "is not in the file");
        assert_eq!(
            why_missing((4, 0), b"4 0 obj << /Type (x"),
            "is in the file but could not be parsed"
        );
        assert_eq!(
            why_missing(
                (6, 0),
                b"6 0 obj 7 0 R endobj 7 0 obj 6 0 R endobj 8 0 obj << /Length 5 >>"
            ),
            "is a reference cycle (6 0 → 7 0 → 6 0)"
        );
    }
}
