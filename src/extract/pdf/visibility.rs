//! Visibility: whether a reader sees each piece of painted text.
//!
//! Input: a page's [`PagePaint`] (text, shapes and images in paint order)
//! and its crop box. Output: [`TextRun`]s with a [`Visibility`]. The
//! judgement, in order:
//!
//! 1. *Invisible*: render mode 3 or 7, zero alpha, or optional content that
//!    is off. Exception: invisible text over an image painted before it is
//!    an OCR layer of a scan, which a reader sees as the image: *Visible*.
//! 2. *Outside*: less than half of the glyph box lies inside the crop box or
//!    the clipping region.
//! 3. *Covered*: an opaque shape or image painted *later* covers at least
//!    half of the glyph box (a black box "redaction" leaves the text in the
//!    file).
//! 4. Contrast: the text's paint against the last opaque fill painted
//!    *before* it under it (or the white page). Too close to white paper is
//!    *White*; too close to a dark fill is *Covered*. White text on a dark
//!    header bar drawn first is *Visible*, as it should be.

use super::geometry::Rect;
use super::interpreter::{PagePaint, PaintedShape, PaintedText};
use crate::model::{TextRun, Visibility};

/// Share of a glyph box that must be covered or outside to count.
const MAJORITY: f32 = 0.5;
/// Luminance difference below which text does not stand out from its background.
const MIN_CONTRAST: f32 = 0.12;
/// Luminance at or above which paper counts as white.
const PAPER_WHITE: f32 = 0.9;

/// Judges every painted text of a page.
pub fn judge(paint: &PagePaint, crop: &Rect, page: u32) -> Vec<TextRun> {
    paint
        .texts
        .iter()
        .map(|text| TextRun {
            page,
            x: text.bbox.x0,
            y: text.origin.1,
            width: text.bbox.width(),
            height: text.font_size,
            font_size: text.font_size,
            text: text.text.clone(),
            visibility: visibility_of(text, &paint.shapes, crop),
        })
        .collect()
}

fn visibility_of(text: &PaintedText, shapes: &[PaintedShape], crop: &Rect) -> Visibility {
    let painted_before = |shape: &&PaintedShape| shape.order < text.order;
    let covers =
        |shape: &&PaintedShape| shape.opaque && text.bbox.covered_share(&shape.bbox) >= MAJORITY;
    if text.ink.unpainted {
        let over_image = shapes
            .iter()
            .filter(painted_before)
            .any(|s| s.image && covers(&s));
        return if over_image {
            Visibility::Visible
        } else {
            Visibility::Invisible
        };
    }
    let outside_crop = text.bbox.covered_share(crop) < MAJORITY;
    let clipped = text
        .ink
        .clip
        .is_some_and(|clip| text.bbox.covered_share(&clip) < MAJORITY);
    if outside_crop || clipped {
        return Visibility::Outside;
    }
    if shapes
        .iter()
        .filter(|s| s.order > text.order)
        .any(|s| covers(&s))
    {
        return Visibility::Covered;
    }
    let background = shapes.iter().filter(painted_before).rfind(|s| covers(s));
    match background {
        // An image's colours are unknown: give the text the benefit of the doubt.
        Some(shape) if shape.image => Visibility::Visible,
        Some(shape) if (shape.luminance - text.ink.luminance).abs() < MIN_CONTRAST => {
            if shape.luminance >= PAPER_WHITE {
                Visibility::White
            } else {
                Visibility::Covered
            }
        }
        Some(_) => Visibility::Visible,
        None if text.ink.luminance >= 1.0 - MIN_CONTRAST => Visibility::White,
        None => Visibility::Visible,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::pdf::interpreter::Ink;

    fn text(order: u32, luminance: f32) -> PaintedText {
        PaintedText {
            text: "12 Example Road".into(),
            bbox: Rect::from_corners(100.0, 98.0, 180.0, 108.0),
            origin: (100.0, 100.0),
            font_size: 10.0,
            order,
            ink: Ink {
                unpainted: false,
                luminance,
                clip: None,
            },
        }
    }

    fn bar(order: u32, luminance: f32) -> PaintedShape {
        PaintedShape {
            bbox: Rect::from_corners(90.0, 90.0, 200.0, 115.0),
            order,
            luminance,
            opaque: true,
            image: false,
        }
    }

    fn judge_one(text: PaintedText, shapes: Vec<PaintedShape>) -> Visibility {
        let crop = Rect::from_corners(0.0, 0.0, 595.0, 842.0);
        let paint = PagePaint {
            texts: vec![text],
            shapes,
            rulings: vec![],
        };
        judge(&paint, &crop, 1)[0].visibility
    }

    #[test]
    fn box_painted_after_covers() {
        assert_eq!(
            judge_one(text(1, 0.0), vec![bar(2, 0.0)]),
            Visibility::Covered
        );
        // A white box painted over text hides it too.
        assert_eq!(
            judge_one(text(1, 0.0), vec![bar(2, 1.0)]),
            Visibility::Covered
        );
    }

    #[test]
    fn header_bar_painted_before_does_not_cover() {
        assert_eq!(
            judge_one(text(2, 1.0), vec![bar(1, 0.1)]),
            Visibility::Visible
        );
        assert_eq!(
            judge_one(text(2, 0.0), vec![bar(1, 0.8)]),
            Visibility::Visible
        );
    }

    #[test]
    fn dark_text_on_dark_box_is_covered() {
        assert_eq!(
            judge_one(text(2, 0.0), vec![bar(1, 0.05)]),
            Visibility::Covered
        );
    }

    #[test]
    fn white_text_on_paper_is_white() {
        assert_eq!(judge_one(text(1, 1.0), vec![]), Visibility::White);
        assert_eq!(
            judge_one(text(2, 0.95), vec![bar(1, 1.0)]),
            Visibility::White
        );
    }

    #[test]
    fn outside_crop_and_clip() {
        let mut far = text(1, 0.0);
        far.bbox = Rect::from_corners(700.0, 98.0, 780.0, 108.0);
        assert_eq!(judge_one(far, vec![]), Visibility::Outside);
        let mut clipped = text(1, 0.0);
        clipped.ink.clip = Some(Rect::from_corners(0.0, 0.0, 50.0, 50.0));
        assert_eq!(judge_one(clipped, vec![]), Visibility::Outside);
    }

    #[test]
    fn invisible_unless_ocr_over_image() {
        let mut ocr = text(2, 0.0);
        ocr.ink.unpainted = true;
        assert_eq!(judge_one(ocr.clone(), vec![]), Visibility::Invisible);
        let mut scan = bar(1, 0.5);
        scan.image = true;
        assert_eq!(judge_one(ocr, vec![scan]), Visibility::Visible);
    }
}
