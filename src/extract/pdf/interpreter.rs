//! The content-stream interpreter: runs a page's operators and records what
//! was painted, in paint order.
//!
//! Input: a page's (or form XObject's) decoded content, its resources and
//! the initial matrix. Output: a [`PagePaint`]: every piece of shown text
//! with its page-space box and its *ink* (render mode, colour, alpha,
//! clipping, optional-content state), every filled shape and image with its
//! box and colour, and the thin rules that draw table borders. The
//! interpreter does not decide visibility: `visibility` does that afterwards
//! from the paint order, because whether text is covered depends on what is
//! painted *later*.
//!
//! Operators handled: `q Q cm`, path construction and painting (`m l c v y
//! re h`, `f F f* B B* b b* S s n W W*`), colour (`g G rg RG k K cs CS sc
//! scn SC SCN`), `gs` (fill/stroke alpha), text state (`Tc Tw Tz TL Tf Tr
//! Ts`), positioning (`BT ET Td TD Tm T*`), showing (`Tj TJ ' "`), `Do` (form
//! XObjects nested with their matrices, bounding boxes and resources;
//! images as opaque shapes), and marked content (`BDC /OC` for optional
//! content groups that are off). Everything else is skipped. Work is bounded
//! by [`Budget`]: operators, content bytes, nesting and wall-clock time.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::Instant;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::font::Font;
use super::geometry::{Matrix, Rect};
use super::lexer::{Lexer, Operand};
use super::objects::{as_f32, as_rect, content_bytes, dict_get, dict_get_dict, name_of, resolve};
use crate::extract::{ExtractError, Limits};
use crate::model::Rule;

/// Shared, decreasing allowances for one file.
#[derive(Debug)]
pub struct Budget {
    operators_left: u64,
    content_bytes_left: usize,
    texts_left: usize,
    shapes_left: usize,
    deadline: Instant,
}

impl Budget {
    /// A fresh budget from the limits, the clock starting now.
    pub fn new(limits: &Limits) -> Budget {
        Budget {
            operators_left: limits.max_operators,
            content_bytes_left: limits.max_total_content_bytes,
            texts_left: limits.max_texts,
            shapes_left: limits.max_shapes,
            deadline: Instant::now() + limits.max_time,
        }
    }

    /// Charges decoded content bytes.
    pub fn charge_bytes(&mut self, bytes: usize) -> Result<(), ExtractError> {
        self.content_bytes_left = self.content_bytes_left.checked_sub(bytes).ok_or_else(|| {
            ExtractError::LimitExceeded("total decoded content stream size".into())
        })?;
        Ok(())
    }

    /// Checks the clock (callers do so every few thousand operators).
    pub fn check_time(&self) -> Result<(), ExtractError> {
        if Instant::now() > self.deadline {
            return Err(ExtractError::LimitExceeded(
                "time allowed for one file".into(),
            ));
        }
        Ok(())
    }

    /// Charges one painted text.
    fn charge_text(&mut self) -> Result<(), ExtractError> {
        self.texts_left = self.texts_left.checked_sub(1).ok_or_else(|| {
            ExtractError::LimitExceeded("pieces of text painted in one file".into())
        })?;
        Ok(())
    }

    /// Charges one painted shape, image or rule.
    fn charge_shape(&mut self) -> Result<(), ExtractError> {
        self.shapes_left = self.shapes_left.checked_sub(1).ok_or_else(|| {
            ExtractError::LimitExceeded("shapes and images painted in one file".into())
        })?;
        Ok(())
    }

    fn charge_operator(&mut self) -> Result<(), ExtractError> {
        self.operators_left = self
            .operators_left
            .checked_sub(1)
            .ok_or_else(|| ExtractError::LimitExceeded("content stream operators".into()))?;
        if self.operators_left.is_multiple_of(4096) {
            self.check_time()?;
        }
        Ok(())
    }
}

/// How a piece of text was inked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ink {
    /// Render mode 3 or 7, or zero alpha: shown without paint (as a scan's
    /// OCR layer is).
    pub unpainted: bool,
    /// Inside optional content that is off: not on the page at all.
    pub switched_off: bool,
    /// Luminance of the paint used (0 black, 1 white).
    pub luminance: f32,
    /// The clipping region's bounding box when the text was shown.
    pub clip: Option<Rect>,
}

/// Text as shown by one operator (or a part split at a large gap).
#[derive(Clone, Debug, PartialEq)]
pub struct PaintedText {
    /// Decoded text, trimmed.
    pub text: String,
    /// Glyph box in page space (descender to ascender).
    pub bbox: Rect,
    /// Baseline origin of the first glyph.
    pub origin: (f32, f32),
    /// How far the spaces shown after the last glyph reach past the box,
    /// along x (an OCR layer fits each word and its space to the word's
    /// box in the image).
    pub space_after: f32,
    /// Effective font size.
    pub font_size: f32,
    /// Paint order on the page.
    pub order: u32,
    /// How it was inked.
    pub ink: Ink,
}

/// A filled area or an image.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PaintedShape {
    /// Bounding box in page space.
    pub bbox: Rect,
    /// Paint order on the page.
    pub order: u32,
    /// Luminance of the fill (images count as mid-grey).
    pub luminance: f32,
    /// Opaque enough to hide what is under it.
    pub opaque: bool,
    /// An image rather than a vector fill.
    pub image: bool,
}

/// Everything painted on one page.
#[derive(Debug, Default)]
pub struct PagePaint {
    /// Text in paint order.
    pub texts: Vec<PaintedText>,
    /// Filled shapes and images in paint order.
    pub shapes: Vec<PaintedShape>,
    /// Table rules.
    pub rulings: Vec<Rule>,
}

/// Fonts already built, by object id, shared by every page of a file.
pub type FontCache = HashMap<ObjectId, Rc<Font>>;

/// Most subpaths kept for one path; the rest are dropped (hostile paths).
const MAX_SUBPATHS: usize = 10_000;
/// Thinner than this (in points) a filled rectangle is a rule, not an area.
const RULE_THICKNESS: f32 = 2.0;
/// Deepest `q` nesting kept; deeper saves are counted and ignored.
const MAX_SAVED_STATES: usize = 1_024;

/// How colour operands of the current colour space become luminance.
#[derive(Clone, Copy, Debug, PartialEq)]
enum ColorModel {
    Gray,
    Rgb,
    Cmyk,
    /// Separation/DeviceN: operands are ink tints (1 = full ink).
    Tint,
    /// Indexed, patterns and anything unknown.
    Opaque,
}

#[derive(Clone, Copy, Debug)]
struct Paint {
    model: ColorModel,
    luminance: f32,
}

impl Paint {
    const BLACK: Paint = Paint {
        model: ColorModel::Gray,
        luminance: 0.0,
    };

    fn set(&mut self, model: ColorModel, operands: &[Operand<'_>]) {
        self.model = model;
        self.set_components(operands);
    }

    fn set_components(&mut self, operands: &[Operand<'_>]) {
        let n: Vec<f32> = operands
            .iter()
            .filter_map(Operand::as_number)
            .map(|v| v.clamp(0.0, 1.0))
            .collect();
        let has_pattern = operands.iter().any(|o| o.as_name().is_some());
        self.luminance = match (self.model, n.as_slice()) {
            _ if has_pattern => 0.5,
            (ColorModel::Gray, [g, ..]) => *g,
            (ColorModel::Rgb, [r, g, b, ..]) => 0.2126 * r + 0.7152 * g + 0.0722 * b,
            (ColorModel::Cmyk, [c, m, y, k, ..]) => {
                let w = 1.0 - k;
                0.2126 * (1.0 - c) * w + 0.7152 * (1.0 - m) * w + 0.0722 * (1.0 - y) * w
            }
            (ColorModel::Tint, [t, ..]) => 1.0 - t,
            (ColorModel::Opaque, _) => 0.5,
            // Wrong operand count: keep a guess by count.
            (_, [g]) => *g,
            (_, [r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b,
            _ => self.luminance,
        };
    }

    fn initial(model: ColorModel) -> Paint {
        let luminance = match model {
            ColorModel::Tint => 0.0, // full ink
            ColorModel::Opaque => 0.5,
            _ => 0.0,
        };
        Paint { model, luminance }
    }
}

#[derive(Clone, Debug)]
struct TextState {
    font: Option<Rc<Font>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    horizontal_scale: f32,
    leading: f32,
    rise: f32,
    render_mode: u8,
}

#[derive(Clone, Debug)]
struct GraphicsState {
    ctm: Matrix,
    fill: Paint,
    stroke: Paint,
    fill_alpha: f32,
    stroke_alpha: f32,
    clip: Option<Rect>,
    text: TextState,
}

/// The text being gathered into one run.
struct RunBuilder {
    text: String,
    bbox: Option<Rect>,
    origin: (f32, f32),
    end: (f32, f32),
}

/// Runs one page's content and its nested forms.
pub struct Interpreter<'d, 'b> {
    doc: &'d Document,
    limits: &'b Limits,
    budget: &'b mut Budget,
    fonts: &'b mut FontCache,
    hidden_groups: &'b HashSet<ObjectId>,
    paint: PagePaint,
    order: u32,
    form_stack: Vec<ObjectId>,
    /// A limit on painted texts or shapes reached while painting (inside
    /// glyph callbacks that cannot return it); the operator loop returns it.
    exceeded: Option<ExtractError>,
}

impl<'d, 'b> Interpreter<'d, 'b> {
    /// An interpreter for one page.
    pub fn new(
        doc: &'d Document,
        limits: &'b Limits,
        budget: &'b mut Budget,
        fonts: &'b mut FontCache,
        hidden_groups: &'b HashSet<ObjectId>,
    ) -> Self {
        Interpreter {
            doc,
            limits,
            budget,
            fonts,
            hidden_groups,
            paint: PagePaint::default(),
            order: 0,
            form_stack: Vec::new(),
            exceeded: None,
        }
    }

    /// Runs a page's content with `ctm` as the initial matrix (it maps user
    /// space to the displayed page) and returns what was painted.
    pub fn run_page(
        mut self,
        content: &[u8],
        resources: Option<&'d Dictionary>,
        ctm: Matrix,
    ) -> Result<PagePaint, ExtractError> {
        let state = GraphicsState {
            ctm,
            fill: Paint::BLACK,
            stroke: Paint::BLACK,
            fill_alpha: 1.0,
            stroke_alpha: 1.0,
            clip: None,
            text: TextState {
                font: None,
                size: 0.0,
                char_spacing: 0.0,
                word_spacing: 0.0,
                horizontal_scale: 1.0,
                leading: 0.0,
                rise: 0.0,
                render_mode: 0,
            },
        };
        self.run(content, resources, state, false)?;
        match self.exceeded {
            Some(error) => Err(error),
            None => Ok(self.paint),
        }
    }

    fn next_order(&mut self) -> u32 {
        self.order = self.order.saturating_add(1);
        self.order
    }

    /// Interprets one content stream with its resources.
    fn run(
        &mut self,
        content: &[u8],
        resources: Option<&'d Dictionary>,
        initial: GraphicsState,
        inherited_hidden: bool,
    ) -> Result<(), ExtractError> {
        let mut state = initial;
        let mut saved: Vec<GraphicsState> = Vec::new();
        let mut ignored_saves = 0usize;
        let mut marked: Vec<bool> = Vec::new();
        let mut subpaths: Vec<Rect> = Vec::new();
        let mut current: Option<Rect> = None;
        let mut pending_clip = false;
        let mut text_matrix = Matrix::IDENTITY;
        let mut line_matrix = Matrix::IDENTITY;
        let mut operands: Vec<Operand<'_>> = Vec::with_capacity(8);
        let mut lexer = Lexer::new(content);

        while let Some(operator) = lexer.next_operation(&mut operands) {
            self.budget.charge_operator()?;
            if let Some(error) = self.exceeded.take() {
                return Err(error);
            }
            let num = |i: usize| operands.get(i).and_then(Operand::as_number).unwrap_or(0.0);
            match operator {
                b"q" => {
                    if saved.len() < MAX_SAVED_STATES {
                        saved.push(state.clone());
                    } else {
                        ignored_saves += 1;
                    }
                }
                b"Q" => {
                    if ignored_saves > 0 {
                        ignored_saves -= 1;
                    } else if let Some(previous) = saved.pop() {
                        state = previous;
                    }
                }
                b"cm" => {
                    let m = Matrix([num(0), num(1), num(2), num(3), num(4), num(5)]);
                    let next = m.then(&state.ctm);
                    if next.is_finite() {
                        state.ctm = next;
                    }
                }
                // Path construction, in page space, one box per subpath.
                b"m" => {
                    close_subpath(&mut subpaths, &mut current);
                    let (x, y) = state.ctm.apply(num(0), num(1));
                    current = Some(Rect::from_corners(x, y, x, y));
                }
                b"l" | b"c" | b"v" | b"y" => {
                    let mut i = 0;
                    while i + 1 < operands.len() {
                        let (x, y) = state.ctm.apply(num(i), num(i + 1));
                        match current.as_mut() {
                            Some(r) => r.include(x, y),
                            None => current = Some(Rect::from_corners(x, y, x, y)),
                        }
                        i += 2;
                    }
                }
                b"re" => {
                    close_subpath(&mut subpaths, &mut current);
                    let (x, y, w, h) = (num(0), num(1), num(2), num(3));
                    if subpaths.len() < MAX_SUBPATHS {
                        subpaths.push(Rect::from_corners(x, y, x + w, y + h).transform(&state.ctm));
                    }
                }
                b"h" => {}
                b"W" | b"W*" => pending_clip = true,
                b"f" | b"F" | b"f*" | b"B" | b"B*" | b"b" | b"b*" | b"S" | b"s" | b"n" => {
                    close_subpath(&mut subpaths, &mut current);
                    let fills = !matches!(operator, b"S" | b"s" | b"n");
                    let strokes = matches!(operator, b"S" | b"s" | b"B" | b"B*" | b"b" | b"b*");
                    for rect in &subpaths {
                        if fills {
                            self.record_fill(rect, &state);
                        } else if strokes {
                            self.record_rule(rect);
                        }
                    }
                    if pending_clip {
                        let area = subpaths.iter().copied().reduce(|mut a, b| {
                            a.include(b.x0, b.y0);
                            a.include(b.x1, b.y1);
                            a
                        });
                        state.clip = intersect_clip(state.clip, area);
                        pending_clip = false;
                    }
                    subpaths.clear();
                }
                // Colour.
                b"g" => state.fill.set(ColorModel::Gray, &operands),
                b"G" => state.stroke.set(ColorModel::Gray, &operands),
                b"rg" => state.fill.set(ColorModel::Rgb, &operands),
                b"RG" => state.stroke.set(ColorModel::Rgb, &operands),
                b"k" => state.fill.set(ColorModel::Cmyk, &operands),
                b"K" => state.stroke.set(ColorModel::Cmyk, &operands),
                b"cs" => state.fill = Paint::initial(self.color_model(resources, &operands)),
                b"CS" => state.stroke = Paint::initial(self.color_model(resources, &operands)),
                b"sc" | b"scn" => state.fill.set_components(&operands),
                b"SC" | b"SCN" => state.stroke.set_components(&operands),
                b"gs" => self.apply_ext_gstate(resources, &operands, &mut state),
                // Text state.
                b"BT" => {
                    text_matrix = Matrix::IDENTITY;
                    line_matrix = Matrix::IDENTITY;
                }
                b"ET" => {}
                b"Tc" => state.text.char_spacing = num(0),
                b"Tw" => state.text.word_spacing = num(0),
                b"Tz" => state.text.horizontal_scale = num(0) / 100.0,
                b"TL" => state.text.leading = num(0),
                b"Ts" => state.text.rise = num(0),
                b"Tr" => state.text.render_mode = num(0).clamp(0.0, 7.0) as u8,
                b"Tf" => {
                    state.text.size = num(1);
                    state.text.font = Some(self.font(resources, operands.first()));
                }
                b"Td" | b"TD" => {
                    if operator == b"TD" {
                        state.text.leading = -num(1);
                    }
                    line_matrix = Matrix::translate(num(0), num(1)).then(&line_matrix);
                    text_matrix = line_matrix;
                }
                b"Tm" => {
                    let m = Matrix([num(0), num(1), num(2), num(3), num(4), num(5)]);
                    if m.is_finite() {
                        line_matrix = m;
                        text_matrix = m;
                    }
                }
                b"T*" => {
                    line_matrix = Matrix::translate(0.0, -state.text.leading).then(&line_matrix);
                    text_matrix = line_matrix;
                }
                b"Tj" | b"'" | b"\"" | b"TJ" => {
                    if operator == b"\"" {
                        state.text.word_spacing = num(0);
                        state.text.char_spacing = num(1);
                    }
                    if operator == b"'" || operator == b"\"" {
                        line_matrix =
                            Matrix::translate(0.0, -state.text.leading).then(&line_matrix);
                        text_matrix = line_matrix;
                    }
                    let hidden = inherited_hidden || marked.iter().any(|&h| h);
                    let shown: &[Operand<'_>] = match operator {
                        b"TJ" => operands.first().and_then(Operand::as_array).unwrap_or(&[]),
                        b"\"" => operands.get(2..).unwrap_or(&[]),
                        _ => operands.get(..1).unwrap_or(&[]),
                    };
                    self.show_text(shown, &state, &mut text_matrix, hidden);
                }
                b"Do" => {
                    let hidden = inherited_hidden || marked.iter().any(|&h| h);
                    self.draw_xobject(resources, operands.first(), &state, hidden)?;
                }
                b"BMC" => marked.push(false),
                b"BDC" => {
                    let hidden = self.optional_content_hidden(resources, &operands);
                    marked.push(hidden);
                }
                b"EMC" => {
                    marked.pop();
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn record_fill(&mut self, rect: &Rect, state: &GraphicsState) {
        if rect.width() < RULE_THICKNESS || rect.height() < RULE_THICKNESS {
            self.record_rule(rect);
            return;
        }
        if !self.may_paint_shape(self.paint.shapes.len()) {
            return;
        }
        let order = self.next_order();
        self.paint.shapes.push(PaintedShape {
            bbox: *rect,
            order,
            luminance: state.fill.luminance,
            opaque: state.fill_alpha >= 0.9,
            image: false,
        });
    }

    fn record_rule(&mut self, rect: &Rect) {
        if !self.may_paint_shape(self.paint.rulings.len()) {
            return;
        }
        let (w, h) = (rect.width(), rect.height());
        let ruling = if w <= RULE_THICKNESS && h > RULE_THICKNESS {
            Rule {
                page: 0, // set by the caller, which knows the page number
                vertical: true,
                at: (rect.x0 + rect.x1) / 2.0,
                from: rect.y0,
                to: rect.y1,
            }
        } else if h <= RULE_THICKNESS && w > RULE_THICKNESS {
            Rule {
                page: 0, // set by the caller, which knows the page number
                vertical: false,
                at: (rect.y0 + rect.y1) / 2.0,
                from: rect.x0,
                to: rect.x1,
            }
        } else {
            return;
        };
        self.paint.rulings.push(ruling);
    }

    /// Shows strings (and, for `TJ`, position adjustments), gathering runs.
    fn show_text(
        &mut self,
        items: &[Operand<'_>],
        state: &GraphicsState,
        text_matrix: &mut Matrix,
        hidden: bool,
    ) {
        let ts = &state.text;
        let font = ts.font.clone().unwrap_or_else(|| Rc::new(Font::fallback()));
        let to_page = text_matrix.then(&state.ctm);
        let size = ts.size * ts.horizontal_scale;
        let effective_size = (ts.size * to_page.vertical_scale()).abs();
        if !to_page.is_finite() || effective_size < 0.01 {
            // Still advance, so later positions stay right.
            return;
        }
        let ink = self.ink(state, hidden);
        // Unit vectors along and across the baseline, in page space.
        let along = {
            let (dx, dy) = (to_page.0[0], to_page.0[1]);
            let len = dx.hypot(dy).max(f32::EPSILON);
            (dx / len, dy / len)
        };
        let up = {
            let (dx, dy) = (to_page.0[2], to_page.0[3]);
            let len = dx.hypot(dy).max(f32::EPSILON);
            (dx / len, dy / len)
        };
        let mut advance = 0f32; // text-space x from the start of the operator
        let mut run: Option<RunBuilder> = None;

        for item in items {
            if let Some(adjust) = item.as_number() {
                advance -= adjust / 1000.0 * size;
                continue;
            }
            let Some(bytes) = item.as_string() else {
                continue;
            };
            font.glyphs(bytes, |glyph| {
                let origin = to_page.apply(advance, ts.rise);
                let width = glyph.advance * ts.size;
                let spacing = ts.char_spacing
                    + if glyph.is_word_space {
                        ts.word_spacing
                    } else {
                        0.0
                    };
                advance += (width + spacing) * ts.horizontal_scale;
                let end = to_page.apply(advance - spacing * ts.horizontal_scale, ts.rise);
                if let Some(builder) = run.as_mut() {
                    let gap = ((origin.0 - builder.end.0) * along.0
                        + (origin.1 - builder.end.1) * along.1)
                        / effective_size;
                    if !(-0.5..1.0).contains(&gap) {
                        self.flush_run(run.take(), effective_size, ink);
                    } else if gap >= 0.15 && !builder.text.ends_with(' ') {
                        builder.text.push(' ');
                    }
                }
                let builder = run.get_or_insert_with(|| RunBuilder {
                    text: String::new(),
                    bbox: None,
                    origin,
                    end: origin,
                });
                builder.text.push_str(glyph.text);
                builder.end = end;
                if !glyph.text.trim().is_empty() {
                    let down = 0.2 * effective_size;
                    let top = 0.8 * effective_size;
                    let glyph_box = [
                        (origin.0 - up.0 * down, origin.1 - up.1 * down),
                        (origin.0 + up.0 * top, origin.1 + up.1 * top),
                        (end.0 - up.0 * down, end.1 - up.1 * down),
                        (end.0 + up.0 * top, end.1 + up.1 * top),
                    ];
                    let bbox = builder.bbox.get_or_insert(Rect::from_corners(
                        glyph_box[0].0,
                        glyph_box[0].1,
                        glyph_box[0].0,
                        glyph_box[0].1,
                    ));
                    for (x, y) in glyph_box {
                        bbox.include(x, y);
                    }
                    if builder.text.trim_start().len() == glyph.text.trim_start().len() {
                        builder.origin = origin;
                    }
                }
            });
        }
        self.flush_run(run, effective_size, ink);
        *text_matrix = Matrix::translate(advance, 0.0).then(text_matrix);
    }

    /// Whether one more shape may be painted on a page holding `painted`
    /// of its kind; when not, the limit is kept for the operator loop.
    fn may_paint_shape(&mut self, painted: usize) -> bool {
        if self.exceeded.is_some() {
            return false;
        }
        let charged = if painted >= self.limits.max_shapes_per_page {
            Err(ExtractError::LimitExceeded(format!(
                "more than {} shapes and images painted on one page",
                self.limits.max_shapes_per_page
            )))
        } else {
            self.budget.charge_shape()
        };
        self.exceeded = charged.err();
        self.exceeded.is_none()
    }

    fn flush_run(&mut self, run: Option<RunBuilder>, font_size: f32, ink: Ink) {
        let Some(run) = run else { return };
        let Some(bbox) = run.bbox else { return };
        let text = run.text.trim();
        if text.is_empty() || self.exceeded.is_some() {
            return;
        }
        let charged = if self.paint.texts.len() >= self.limits.max_texts_per_page {
            Err(ExtractError::LimitExceeded(format!(
                "more than {} pieces of text painted on one page",
                self.limits.max_texts_per_page
            )))
        } else {
            self.budget.charge_text()
        };
        if let Err(error) = charged {
            self.exceeded = Some(error);
            return;
        }
        let order = self.next_order();
        self.paint.texts.push(PaintedText {
            text: text.to_owned(),
            bbox,
            origin: run.origin,
            space_after: (run.end.0.max(bbox.x0) - bbox.x1).max(0.0),
            font_size,
            order,
            ink,
        });
    }

    fn ink(&self, state: &GraphicsState, hidden: bool) -> Ink {
        let mode = state.text.render_mode;
        let stroke_only = matches!(mode, 1 | 5);
        let (luminance, alpha) = if stroke_only {
            (state.stroke.luminance, state.stroke_alpha)
        } else {
            (state.fill.luminance, state.fill_alpha)
        };
        Ink {
            unpainted: matches!(mode, 3 | 7) || alpha <= 0.01,
            switched_off: hidden,
            luminance,
            clip: state.clip,
        }
    }

    fn font(&mut self, resources: Option<&'d Dictionary>, name: Option<&Operand<'_>>) -> Rc<Font> {
        let doc = self.doc;
        let entry = resources
            .and_then(|r| dict_get_dict(doc, r, b"Font"))
            .zip(name.and_then(Operand::as_name))
            .and_then(|(fonts, name)| fonts.get(name).ok());
        let Some(entry) = entry else {
            return Rc::new(Font::fallback());
        };
        let id = match entry {
            Object::Reference(id) => Some(*id),
            _ => None,
        };
        if let Some(font) = id.and_then(|id| self.fonts.get(&id)) {
            return Rc::clone(font);
        }
        let font = match resolve(doc, entry) {
            Some(Object::Dictionary(dict)) => {
                Rc::new(Font::load(doc, dict, self.limits.max_stream_bytes))
            }
            _ => Rc::new(Font::fallback()),
        };
        if let Some(id) = id {
            self.fonts.insert(id, Rc::clone(&font));
        }
        font
    }

    fn color_model(
        &self,
        resources: Option<&'d Dictionary>,
        operands: &[Operand<'_>],
    ) -> ColorModel {
        let Some(name) = operands.first().and_then(Operand::as_name) else {
            return ColorModel::Gray;
        };
        match name {
            b"DeviceGray" | b"G" | b"CalGray" => return ColorModel::Gray,
            b"DeviceRGB" | b"RGB" | b"CalRGB" => return ColorModel::Rgb,
            b"DeviceCMYK" | b"CMYK" => return ColorModel::Cmyk,
            b"Pattern" => return ColorModel::Opaque,
            _ => {}
        }
        let doc = self.doc;
        let Some(space) = resources
            .and_then(|r| dict_get_dict(doc, r, b"ColorSpace"))
            .and_then(|spaces| dict_get(doc, spaces, name))
        else {
            return ColorModel::Opaque;
        };
        color_model_of(doc, space)
    }

    fn apply_ext_gstate(
        &self,
        resources: Option<&'d Dictionary>,
        operands: &[Operand<'_>],
        state: &mut GraphicsState,
    ) {
        let doc = self.doc;
        let Some(gs) = resources
            .and_then(|r| dict_get_dict(doc, r, b"ExtGState"))
            .zip(operands.first().and_then(Operand::as_name))
            .and_then(|(all, name)| dict_get_dict(doc, all, name))
        else {
            return;
        };
        if let Some(alpha) = dict_get(doc, gs, b"ca").and_then(as_f32) {
            state.fill_alpha = alpha.clamp(0.0, 1.0);
        }
        if let Some(alpha) = dict_get(doc, gs, b"CA").and_then(as_f32) {
            state.stroke_alpha = alpha.clamp(0.0, 1.0);
        }
    }

    /// True when a `BDC /OC /name` names an optional content group (or a
    /// membership dictionary of groups) that is off by default.
    fn optional_content_hidden(
        &self,
        resources: Option<&'d Dictionary>,
        operands: &[Operand<'_>],
    ) -> bool {
        if operands.first().and_then(Operand::as_name) != Some(b"OC")
            || self.hidden_groups.is_empty()
        {
            return false;
        }
        let doc = self.doc;
        let Some(entry) = resources
            .and_then(|r| dict_get_dict(doc, r, b"Properties"))
            .zip(operands.get(1).and_then(Operand::as_name))
            .and_then(|(props, name)| props.get(name).ok())
        else {
            return false;
        };
        group_hidden(doc, entry, self.hidden_groups)
    }

    fn draw_xobject(
        &mut self,
        resources: Option<&'d Dictionary>,
        name: Option<&Operand<'_>>,
        state: &GraphicsState,
        hidden: bool,
    ) -> Result<(), ExtractError> {
        let doc = self.doc;
        let Some(entry) = resources
            .and_then(|r| dict_get_dict(doc, r, b"XObject"))
            .zip(name.and_then(Operand::as_name))
            .and_then(|(all, name)| all.get(name).ok())
        else {
            return Ok(());
        };
        let id = match entry {
            Object::Reference(id) => Some(*id),
            _ => None,
        };
        let Some(Object::Stream(stream)) = resolve(doc, entry) else {
            return Ok(());
        };
        let dict = &stream.dict;
        let hidden = hidden
            || dict
                .get(b"OC")
                .is_ok_and(|oc| group_hidden(doc, oc, self.hidden_groups));
        match dict_get(doc, dict, b"Subtype").and_then(name_of) {
            Some(b"Image") => {
                if hidden || !self.may_paint_shape(self.paint.shapes.len()) {
                    return Ok(());
                }
                let bbox = Rect::from_corners(0.0, 0.0, 1.0, 1.0).transform(&state.ctm);
                let is_mask = dict_get(doc, dict, b"ImageMask")
                    .is_some_and(|o| matches!(o, Object::Boolean(true)));
                let order = self.next_order();
                self.paint.shapes.push(PaintedShape {
                    bbox,
                    order,
                    luminance: if is_mask { state.fill.luminance } else { 0.5 },
                    opaque: state.fill_alpha >= 0.9,
                    image: true,
                });
                Ok(())
            }
            Some(b"Form") => {
                if self.form_stack.len() >= self.limits.max_nesting {
                    return Err(ExtractError::LimitExceeded("form XObject nesting".into()));
                }
                if id.is_some_and(|id| self.form_stack.contains(&id)) {
                    // A form that draws itself: a cycle, drawn once.
                    return Ok(());
                }
                let content =
                    content_bytes(doc, entry, self.limits.max_stream_bytes)?.unwrap_or_default();
                self.budget.charge_bytes(content.len())?;
                let matrix = dict_get(doc, dict, b"Matrix")
                    .and_then(|o| o.as_array().ok())
                    .map(|a| {
                        let mut m = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
                        for (slot, v) in m.iter_mut().zip(a.iter()) {
                            *slot = resolve(doc, v).and_then(as_f32).unwrap_or(*slot);
                        }
                        Matrix(m)
                    })
                    .filter(Matrix::is_finite)
                    .unwrap_or(Matrix::IDENTITY);
                let mut inner = state.clone();
                inner.ctm = matrix.then(&state.ctm);
                if let Some(bbox) = dict.get(b"BBox").ok().and_then(|o| as_rect(doc, o)) {
                    let bbox = Rect::from_corners(bbox[0], bbox[1], bbox[2], bbox[3])
                        .transform(&inner.ctm);
                    inner.clip = intersect_clip(inner.clip, Some(bbox));
                }
                let form_resources = dict_get_dict(doc, dict, b"Resources").or(resources);
                self.form_stack.push(id.unwrap_or((0, 0)));
                let result = self.run(&content, form_resources, inner, hidden);
                self.form_stack.pop();
                result
            }
            _ => Ok(()),
        }
    }
}

fn close_subpath(subpaths: &mut Vec<Rect>, current: &mut Option<Rect>) {
    if let Some(rect) = current.take()
        && subpaths.len() < MAX_SUBPATHS
    {
        subpaths.push(rect);
    }
}

fn intersect_clip(clip: Option<Rect>, area: Option<Rect>) -> Option<Rect> {
    match (clip, area) {
        (Some(c), Some(a)) => Some(c.intersect(&a).unwrap_or(Rect {
            x0: c.x0,
            y0: c.y0,
            x1: c.x0,
            y1: c.y0,
        })),
        (None, a) => a,
        (c, None) => c,
    }
}

/// The colour model of a colour space object (`/Name` or `[/Family ...]`).
fn color_model_of(doc: &Document, space: &Object) -> ColorModel {
    let family = match space {
        Object::Name(name) => name.as_slice(),
        Object::Array(items) => match items
            .first()
            .and_then(|o| resolve(doc, o))
            .and_then(name_of)
        {
            Some(name) => name,
            None => return ColorModel::Opaque,
        },
        _ => return ColorModel::Opaque,
    };
    match family {
        b"DeviceGray" | b"CalGray" => ColorModel::Gray,
        b"DeviceRGB" | b"CalRGB" | b"Lab" => ColorModel::Rgb,
        b"DeviceCMYK" => ColorModel::Cmyk,
        b"Separation" | b"DeviceN" => ColorModel::Tint,
        b"ICCBased" => {
            let components = space
                .as_array()
                .ok()
                .and_then(|a| a.get(1))
                .and_then(|o| resolve(doc, o))
                .and_then(|o| o.as_stream().ok())
                .and_then(|s| dict_get(doc, &s.dict, b"N"))
                .and_then(as_f32)
                .unwrap_or(3.0);
            match components as u32 {
                1 => ColorModel::Gray,
                4 => ColorModel::Cmyk,
                _ => ColorModel::Rgb,
            }
        }
        _ => ColorModel::Opaque,
    }
}

/// True when an optional content group, or every group of a membership
/// dictionary, is in the default configuration's OFF set.
fn group_hidden(doc: &Document, entry: &Object, hidden: &HashSet<ObjectId>) -> bool {
    if let Object::Reference(id) = entry
        && hidden.contains(id)
    {
        return true;
    }
    let Some(dict) = resolve(doc, entry).and_then(|o| o.as_dict().ok()) else {
        return false;
    };
    match dict.get(b"OCGs") {
        Ok(Object::Reference(id)) => hidden.contains(id),
        Ok(Object::Array(groups)) => {
            !groups.is_empty()
                && groups
                    .iter()
                    .all(|g| matches!(g, Object::Reference(id) if hidden.contains(id)))
        }
        _ => false,
    }
}
