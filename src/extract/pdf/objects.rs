//! Small, bounded accessors over lopdf's object model: follow references
//! (with a hop limit, so reference cycles end), read numbers and names, and
//! decode streams under a size cap. Every PDF module reads objects through
//! these so that no lookup can loop or allocate without bound.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use crate::extract::ExtractError;

/// Most references followed to reach a direct object.
const MAX_REFERENCE_HOPS: usize = 32;

/// Why a reference leads to no object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// The object referred to is not in the document (absent from the
    /// file, or present but unparsable).
    Missing(ObjectId),
    /// The references loop (or chain past the hop limit) through this
    /// object.
    Cycle(ObjectId),
}

/// Follows references from `object` to a direct object; `None` for a
/// dangling reference or a chain longer than the hop limit (a cycle).
pub fn resolve<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    resolve_traced(doc, object).ok()
}

/// [`resolve`], saying why a reference leads nowhere.
pub fn resolve_traced<'a>(
    doc: &'a Document,
    mut object: &'a Object,
) -> Result<&'a Object, Unresolved> {
    for _ in 0..MAX_REFERENCE_HOPS {
        match object {
            Object::Reference(id) => {
                object = doc.get_object(*id).map_err(|_| Unresolved::Missing(*id))?;
            }
            direct => return Ok(direct),
        }
    }
    match object {
        Object::Reference(id) => Err(Unresolved::Cycle(*id)),
        direct => Ok(direct),
    }
}

/// `dict[key]`, with references followed.
pub fn dict_get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    resolve(doc, dict.get(key).ok()?)
}

/// `dict[key]` as a dictionary (a stream's dictionary counts).
pub fn dict_get_dict<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Dictionary> {
    match dict_get(doc, dict, key)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// A name's bytes.
pub fn name_of(object: &Object) -> Option<&[u8]> {
    match object {
        Object::Name(name) => Some(name),
        _ => None,
    }
}

/// A number as `f32` (integers and reals); non-finite values are refused.
pub fn as_f32(object: &Object) -> Option<f32> {
    let value = match object {
        Object::Integer(i) => *i as f32,
        Object::Real(r) => *r,
        _ => return None,
    };
    value.is_finite().then_some(value)
}

/// A rectangle `[x0 y0 x1 y1]`, normalised so that x0 <= x1 and y0 <= y1.
pub fn as_rect(doc: &Document, object: &Object) -> Option<[f32; 4]> {
    let array = resolve(doc, object)?.as_array().ok()?;
    let mut n = [0f32; 4];
    for (slot, item) in n.iter_mut().zip(array.iter()) {
        *slot = resolve(doc, item).and_then(as_f32)?;
    }
    (array.len() >= 4).then(|| {
        [
            n[0].min(n[2]),
            n[1].min(n[3]),
            n[0].max(n[2]),
            n[1].max(n[3]),
        ]
    })
}

/// Decodes the stream `object` refers to, refusing output over `max_bytes`.
/// `None` for non-streams, unsupported filters (image codecs), broken data
/// or output over the limit: for fonts and metadata, where a part that
/// cannot be read is skipped.
pub fn stream_bytes(doc: &Document, object: &Object, max_bytes: usize) -> Option<Vec<u8>> {
    content_bytes(doc, object, max_bytes).ok().flatten()
}

/// Decodes a content stream (of a page or a form). Unlike
/// [`stream_bytes`], a stream over the size limit is an error (text past
/// the limit would be lost, and a file must never look cleaner than it
/// is); an undecodable stream is `Ok(None)`.
pub fn content_bytes(
    doc: &Document,
    object: &Object,
    max_bytes: usize,
) -> Result<Option<Vec<u8>>, ExtractError> {
    let Some(Object::Stream(stream)) = resolve(doc, object) else {
        return Ok(None);
    };
    Ok(decode_content(stream, max_bytes)?.ok())
}

/// Decodes one content stream: the bytes, or why its filters do not
/// decode; a stream over `max_bytes` is an error.
pub fn decode_content(
    stream: &Stream,
    max_bytes: usize,
) -> Result<Result<Vec<u8>, String>, ExtractError> {
    if stream.dict.get(b"Filter").is_err() {
        if stream.content.len() > max_bytes {
            return Err(too_large());
        }
        return Ok(Ok(stream.content.clone()));
    }
    match stream.decompressed_content_with_limit(max_bytes) {
        Ok(bytes) => Ok(Ok(bytes)),
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            Err(too_large())
        }
        Err(error) => Ok(Err(error.to_string())),
    }
}

fn too_large() -> ExtractError {
    ExtractError::LimitExceeded("a content stream decompresses past the size limit".into())
}

/// A text string (PDFDocEncoding or UTF-16 with BOM) decoded to Unicode.
pub fn text_string(object: &Object) -> Option<String> {
    match object {
        Object::String(..) => lopdf::decode_text_string(object).ok(),
        Object::Name(name) => Some(String::from_utf8_lossy(name).into_owned()),
        _ => None,
    }
}
