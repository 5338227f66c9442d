//! Affine matrices and axis-aligned rectangles in PDF page space.

/// A PDF matrix `[a b c d e f]`: `x' = a·x + c·y + e`, `y' = b·x + d·y + f`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Matrix(pub [f32; 6]);

impl Matrix {
    /// The identity.
    pub const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// A translation.
    pub fn translate(x: f32, y: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// `self` then `then`: the matrix that applies `self` first.
    pub fn then(&self, then: &Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = then.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    /// Maps a point.
    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    /// Length of the image of the unit vertical vector: the vertical scale.
    pub fn vertical_scale(&self) -> f32 {
        self.0[2].hypot(self.0[3])
    }

    /// True when every entry is finite (hostile files write `1e39`).
    pub fn is_finite(&self) -> bool {
        self.0.iter().all(|v| v.is_finite())
    }
}

/// An axis-aligned rectangle `[x0, y0, x1, y1]` with `x0 <= x1`, `y0 <= y1`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left.
    pub x0: f32,
    /// Bottom.
    pub y0: f32,
    /// Right.
    pub x1: f32,
    /// Top.
    pub y1: f32,
}

impl Rect {
    /// From two corners in any order.
    pub fn from_corners(ax: f32, ay: f32, bx: f32, by: f32) -> Rect {
        Rect {
            x0: ax.min(bx),
            y0: ay.min(by),
            x1: ax.max(bx),
            y1: ay.max(by),
        }
    }

    /// The bounding box of `self` mapped through `m`.
    pub fn transform(&self, m: &Matrix) -> Rect {
        let corners = [
            m.apply(self.x0, self.y0),
            m.apply(self.x1, self.y0),
            m.apply(self.x0, self.y1),
            m.apply(self.x1, self.y1),
        ];
        let mut out = Rect::from_corners(corners[0].0, corners[0].1, corners[0].0, corners[0].1);
        for (x, y) in &corners[1..] {
            out.include(*x, *y);
        }
        out
    }

    /// Grows to include a point.
    pub fn include(&mut self, x: f32, y: f32) {
        self.x0 = self.x0.min(x);
        self.y0 = self.y0.min(y);
        self.x1 = self.x1.max(x);
        self.y1 = self.y1.max(y);
    }

    /// Width.
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }

    /// Height.
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }

    /// Area (0 for degenerate rectangles).
    pub fn area(&self) -> f32 {
        self.width().max(0.0) * self.height().max(0.0)
    }

    /// The overlap, or `None` when they do not overlap.
    pub fn intersect(&self, other: &Rect) -> Option<Rect> {
        let r = Rect {
            x0: self.x0.max(other.x0),
            y0: self.y0.max(other.y0),
            x1: self.x1.min(other.x1),
            y1: self.y1.min(other.y1),
        };
        (r.x0 <= r.x1 && r.y0 <= r.y1).then_some(r)
    }

    /// Share of `self`'s area that `other` covers, 0 to 1. A degenerate
    /// `self` counts as covered when its centre lies inside `other`.
    pub fn covered_share(&self, other: &Rect) -> f32 {
        let area = self.area();
        if area <= f32::EPSILON {
            let (cx, cy) = ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0);
            return f32::from(u8::from(
                other.x0 <= cx && cx <= other.x1 && other.y0 <= cy && cy <= other.y1,
            ));
        }
        self.intersect(other).map_or(0.0, |r| r.area() / area)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn then_applies_left_matrix_first() {
        let scale = Matrix([2.0, 0.0, 0.0, 2.0, 0.0, 0.0]);
        let shift = Matrix::translate(10.0, 5.0);
        assert_eq!(scale.then(&shift).apply(1.0, 1.0), (12.0, 7.0));
        assert_eq!(shift.then(&scale).apply(1.0, 1.0), (22.0, 12.0));
    }

    #[test]
    fn covered_share_of_partial_overlap() {
        let text = Rect::from_corners(0.0, 0.0, 10.0, 10.0);
        let bar = Rect::from_corners(5.0, -1.0, 20.0, 20.0);
        assert!((text.covered_share(&bar) - 0.5).abs() < 1e-6);
        let line = Rect::from_corners(3.0, 3.0, 3.0, 3.0);
        assert_eq!(line.covered_share(&bar), 0.0);
        assert_eq!(line.covered_share(&text), 1.0);
    }
}
