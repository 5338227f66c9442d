//! Visibility: whether a reader sees each piece of painted text.
//!
//! Input: a page's [`PagePaint`] (text, shapes and images in paint order)
//! and its crop box. Output: a [`JudgedPage`]: [`TextRun`]s with a
//! [`Visibility`], and whether the page's text is the OCR layer of a scan.
//!
//! A *scan* is an opaque image covering nearly all of the crop box (a
//! copier's or OCRmyPDF's picture of the page). Text lying on a scan, drawn
//! under or over it, in render mode 3 or not, is the scan's OCR layer: what
//! a reader sees of it is the scan, so it is judged as if printed. The
//! judgement, in order:
//!
//! 1. *Invisible*: optional content that is off; render mode 3 or 7 or zero
//!    alpha, unless the text lies on a scan.
//! 2. *Outside*: less than half of the glyph box lies inside the crop box or
//!    the clipping region.
//! 3. *Covered*: an opaque shape or image other than a scan, painted
//!    *later*, covers at least half of the glyph box (a black box or a
//!    pasted black picture "redaction" leaves the text in the file).
//! 4. *Visible* when the text lies on a scan.
//! 5. Contrast: the text's paint against the last opaque fill painted
//!    *before* it under it (or the white page). Too close to white paper is
//!    *White*; too close to a dark fill is *Covered*. White text on a dark
//!    header bar drawn first is *Visible*, as it should be.
//!
//! Only the first [`MAX_SCANS`] scans of a page count as scans (a page
//! has one; later ones are judged as ordinary images), so the check per
//! text stays bounded. The other shapes are indexed on a grid over the
//! page ([`ShapeIndex`]), so each text is checked against the shapes near
//! it, not every shape of the page; the file's deadline is checked as the
//! texts are judged.

use super::geometry::Rect;
use super::interpreter::{Budget, PagePaint, PaintedShape, PaintedText};
use crate::extract::ExtractError;
use crate::model::{TextRun, Visibility};

/// Share of a glyph box that must be covered or outside to count.
const MAJORITY: f32 = 0.5;
/// Luminance difference below which text does not stand out from its background.
const MIN_CONTRAST: f32 = 0.12;
/// Luminance at or above which paper counts as white.
const PAPER_WHITE: f32 = 0.9;
/// Share of the crop box an image must cover to be a scan of the page.
const SCAN_SHARE: f32 = 0.9;
/// Most images of one page taken as scans of it.
const MAX_SCANS: usize = 4;
/// The shape grid's columns and rows.
const GRID: usize = 64;
/// A shape over more grid cells than this is checked against every text.
const MAX_SHAPE_CELLS: usize = 256;
/// Texts judged between two looks at the clock.
const TEXTS_PER_CLOCK_CHECK: usize = 512;

/// A page's text as a reader sees it.
#[derive(Debug)]
pub struct JudgedPage {
    /// Every painted text, judged.
    pub runs: Vec<TextRun>,
    /// The page has text and all of it lies on a scan: its text is the
    /// scan's OCR layer.
    pub ocr_layer: bool,
}

/// The page's shapes, split into its scans and the rest.
struct Backdrop<'p> {
    scans: Vec<&'p PaintedShape>,
    others: Vec<&'p PaintedShape>,
}

/// Shapes (in paint order) by where they lie: a grid over the box of all
/// of them, each cell listing the shapes that overlap it; shapes over
/// many cells are listed once, as wide.
struct ShapeIndex<'s, 'p> {
    shapes: &'s [&'p PaintedShape],
    area: Rect,
    cells: Vec<Vec<u32>>,
    wide: Vec<u32>,
}

impl<'s, 'p> ShapeIndex<'s, 'p> {
    fn of(shapes: &'s [&'p PaintedShape]) -> Self {
        let mut area = shapes
            .first()
            .map_or(Rect::from_corners(0.0, 0.0, 1.0, 1.0), |s| s.bbox);
        for shape in shapes {
            area.include(shape.bbox.x0, shape.bbox.y0);
            area.include(shape.bbox.x1, shape.bbox.y1);
        }
        let mut index = ShapeIndex {
            shapes,
            area,
            cells: vec![Vec::new(); if shapes.is_empty() { 0 } else { GRID * GRID }],
            wide: Vec::new(),
        };
        for (i, shape) in shapes.iter().enumerate() {
            let (columns, rows) = index.span(&shape.bbox);
            if columns.len() * rows.len() > MAX_SHAPE_CELLS {
                index.wide.push(i as u32);
                continue;
            }
            for row in rows {
                for column in columns.clone() {
                    index.cells[row * GRID + column].push(i as u32);
                }
            }
        }
        index
    }

    /// The grid columns and rows a box overlaps.
    fn span(&self, bbox: &Rect) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let cell = |at: f32, from: f32, size: f32| {
            let share = if size > 0.0 { (at - from) / size } else { 0.0 };
            // Saturating: NaN and out-of-range values land on an edge.
            ((share * GRID as f32) as usize).min(GRID - 1)
        };
        let (width, height) = (self.area.width(), self.area.height());
        let columns = cell(bbox.x0, self.area.x0, width)..cell(bbox.x1, self.area.x0, width) + 1;
        let rows = cell(bbox.y0, self.area.y0, height)..cell(bbox.y1, self.area.y0, height) + 1;
        (columns, rows)
    }

    /// The shapes that may overlap `bbox`, in paint order, into `near`
    /// (`found` is scratch space).
    fn near(&self, bbox: &Rect, found: &mut Vec<u32>, near: &mut Vec<&'p PaintedShape>) {
        near.clear();
        found.clear();
        if self.shapes.is_empty() {
            return;
        }
        found.extend_from_slice(&self.wide);
        if bbox.intersect(&self.area).is_some() {
            let (columns, rows) = self.span(bbox);
            for row in rows {
                for column in columns.clone() {
                    found.extend_from_slice(&self.cells[row * GRID + column]);
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        near.extend(found.iter().map(|&i| self.shapes[i as usize]));
    }
}

impl<'p> Backdrop<'p> {
    fn of(shapes: &'p [PaintedShape], crop: &Rect) -> Backdrop<'p> {
        let mut backdrop = Backdrop {
            scans: Vec::new(),
            others: Vec::with_capacity(shapes.len()),
        };
        for shape in shapes {
            let page_sized = shape.image
                && shape.opaque
                && crop.area() > 0.0
                && crop.covered_share(&shape.bbox) >= SCAN_SHARE;
            if page_sized && backdrop.scans.len() < MAX_SCANS {
                backdrop.scans.push(shape);
            } else {
                backdrop.others.push(shape);
            }
        }
        backdrop
    }

    /// True when most of `text` lies on a scan.
    fn on_scan(&self, text: &PaintedText) -> bool {
        self.scans
            .iter()
            .any(|scan| text.bbox.covered_share(&scan.bbox) >= MAJORITY)
    }
}

/// Judges every painted text of a page, within the file's time budget.
pub fn judge(
    paint: &PagePaint,
    crop: &Rect,
    page: u32,
    budget: &Budget,
) -> Result<JudgedPage, ExtractError> {
    let backdrop = Backdrop::of(&paint.shapes, crop);
    let index = ShapeIndex::of(&backdrop.others);
    let (mut found, mut near) = (Vec::new(), Vec::new());
    let mut ocr_layer = !paint.texts.is_empty();
    let mut runs = Vec::with_capacity(paint.texts.len());
    for (i, text) in paint.texts.iter().enumerate() {
        if i % TEXTS_PER_CLOCK_CHECK == TEXTS_PER_CLOCK_CHECK - 1 {
            budget.check_time()?;
        }
        let on_scan = !text.ink.switched_off && backdrop.on_scan(text);
        ocr_layer &= on_scan;
        index.near(&text.bbox, &mut found, &mut near);
        runs.push(TextRun {
            page,
            x: text.bbox.x0,
            y: text.origin.1,
            width: text.bbox.width(),
            height: text.font_size,
            font_size: text.font_size,
            text: text.text.clone(),
            visibility: visibility_of(text, on_scan, &near, crop),
        });
    }
    if ocr_layer {
        // An OCR layer's word boxes are the image's, spaces included.
        for (run, text) in runs.iter_mut().zip(&paint.texts) {
            run.width += text.space_after;
        }
    }
    Ok(JudgedPage { runs, ocr_layer })
}

/// The visibility of `text`; `on_scan` says it lies on a scan, `shapes`
/// are the page's other shapes.
fn visibility_of(
    text: &PaintedText,
    on_scan: bool,
    shapes: &[&PaintedShape],
    crop: &Rect,
) -> Visibility {
    let covers =
        |shape: &PaintedShape| shape.opaque && text.bbox.covered_share(&shape.bbox) >= MAJORITY;
    if text.ink.switched_off || (text.ink.unpainted && !on_scan) {
        return Visibility::Invisible;
    }
    let outside_crop = text.bbox.covered_share(crop) < MAJORITY;
    let clipped = text
        .ink
        .clip
        .is_some_and(|clip| text.bbox.covered_share(&clip) < MAJORITY);
    if outside_crop || clipped {
        return Visibility::Outside;
    }
    if shapes.iter().any(|s| s.order > text.order && covers(s)) {
        return Visibility::Covered;
    }
    if on_scan {
        return Visibility::Visible;
    }
    let background = shapes
        .iter()
        .filter(|s| s.order < text.order)
        .rfind(|s| covers(s));
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
            space_after: 0.0,
            font_size: 10.0,
            order,
            ink: Ink {
                unpainted: false,
                switched_off: false,
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

    /// An image: over the whole page when `page_sized`, else the bar's box.
    fn image(order: u32, page_sized: bool) -> PaintedShape {
        let mut image = bar(order, 0.5);
        image.image = true;
        if page_sized {
            image.bbox = Rect::from_corners(0.0, 0.0, 595.0, 842.0);
        }
        image
    }

    fn judge_page(texts: Vec<PaintedText>, shapes: Vec<PaintedShape>) -> JudgedPage {
        let crop = Rect::from_corners(0.0, 0.0, 595.0, 842.0);
        let paint = PagePaint {
            texts,
            shapes,
            rulings: vec![],
        };
        judge(
            &paint,
            &crop,
            1,
            &Budget::new(&crate::extract::Limits::default()),
        )
        .expect("in time")
    }

    fn judge_one(text: PaintedText, shapes: Vec<PaintedShape>) -> Visibility {
        judge_page(vec![text], shapes).runs[0].visibility
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
    fn invisible_unless_on_a_scan() {
        let mut ocr = text(2, 0.0);
        ocr.ink.unpainted = true;
        assert_eq!(judge_one(ocr.clone(), vec![]), Visibility::Invisible);
        // A small picture under invisible text is no scan of the page.
        assert_eq!(
            judge_one(ocr.clone(), vec![image(1, false)]),
            Visibility::Invisible
        );
        assert_eq!(
            judge_one(ocr.clone(), vec![image(1, true)]),
            Visibility::Visible
        );
        // Optional content that is off is not on the page, scan or not.
        ocr.ink.switched_off = true;
        assert_eq!(judge_one(ocr, vec![image(1, true)]), Visibility::Invisible);
    }

    #[test]
    fn text_under_a_scan_is_its_ocr_layer() {
        assert_eq!(
            judge_one(text(1, 0.0), vec![image(2, true)]),
            Visibility::Visible
        );
        let page = judge_page(vec![text(1, 0.0), text(2, 1.0)], vec![image(3, true)]);
        assert!(page.ocr_layer);
        assert!(
            page.runs
                .iter()
                .all(|r| r.visibility == Visibility::Visible)
        );
        // A translucent page-sized image is a watermark, not a scan.
        let mut watermark = image(2, true);
        watermark.opaque = false;
        assert!(!judge_page(vec![text(1, 0.0)], vec![watermark]).ocr_layer);
    }

    #[test]
    fn an_ocr_layers_words_reach_over_their_spaces() {
        let mut word = text(1, 0.0);
        word.space_after = 3.0;
        let widths = |page: JudgedPage| page.runs.iter().map(|r| r.width).collect::<Vec<_>>();
        // On a scan the word's box is the image's, its space included.
        assert_eq!(
            widths(judge_page(vec![word.clone()], vec![image(2, true)])),
            [83.0]
        );
        // Elsewhere the space after a word is no part of its box.
        assert_eq!(widths(judge_page(vec![word], vec![])), [80.0]);
    }

    #[test]
    fn redactions_on_a_scan_still_cover() {
        let mut ocr = text(2, 0.0);
        ocr.ink.unpainted = true;
        for cover in [bar(3, 0.0), image(3, false)] {
            let page = judge_page(vec![ocr.clone()], vec![image(1, true), cover]);
            assert_eq!(page.runs[0].visibility, Visibility::Covered);
            assert!(page.ocr_layer);
        }
        // Without a scan a small picture pasted over the text covers it.
        assert_eq!(
            judge_one(text(1, 0.0), vec![image(2, false)]),
            Visibility::Covered
        );
    }

    #[test]
    fn a_page_is_ocr_only_when_all_its_text_is_on_a_scan() {
        let mut margin = text(1, 0.0);
        margin.bbox = Rect::from_corners(10.0, 820.0, 60.0, 830.0);
        let mut scan = image(3, true);
        scan.bbox = Rect::from_corners(0.0, 0.0, 595.0, 810.0);
        let page = judge_page(vec![margin, text(2, 0.0)], vec![scan]);
        assert!(!page.ocr_layer);
        assert!(
            page.runs
                .iter()
                .all(|r| r.visibility == Visibility::Visible)
        );
        assert!(!judge_page(vec![], vec![image(1, true)]).ocr_layer);
        assert!(!judge_page(vec![text(1, 0.0)], vec![]).ocr_layer);
    }

    #[test]
    fn the_shape_index_finds_every_shape_a_box_overlaps() {
        // Shapes of every size (specks, bars, page-wide fills), boxes all
        // over the page: what the index offers holds every shape that
        // overlaps, in paint order.
        let mut seed = 7u32;
        let mut next = |range: f32| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 8) as f32 / (1u32 << 24) as f32 * range
        };
        let shapes: Vec<PaintedShape> = (0..2_000)
            .map(|order| {
                let (x, y) = (next(595.0), next(842.0));
                let (w, h) = match order % 3 {
                    0 => (next(5.0), next(5.0)),
                    1 => (next(400.0), next(20.0)),
                    _ => (next(900.0), next(900.0)),
                };
                PaintedShape {
                    bbox: Rect::from_corners(x, y, x + w, y + h),
                    ..bar(order, 0.0)
                }
            })
            .collect();
        let refs: Vec<&PaintedShape> = shapes.iter().collect();
        let index = ShapeIndex::of(&refs);
        let (mut found, mut near) = (Vec::new(), Vec::new());
        for _ in 0..500 {
            let (x, y) = (next(700.0) - 50.0, next(900.0) - 30.0);
            let bbox = Rect::from_corners(x, y, x + next(120.0), y + 10.0);
            index.near(&bbox, &mut found, &mut near);
            assert!(near.is_sorted_by_key(|s| s.order));
            for shape in shapes.iter().filter(|s| bbox.intersect(&s.bbox).is_some()) {
                assert!(near.iter().any(|n| n.order == shape.order), "{bbox:?}");
            }
        }
    }
}
