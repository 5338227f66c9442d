//! Geometry for formats that state their structure: Word, HTML and text
//! notices say which paragraphs there are and which table cell holds what,
//! but not where any of it lands on a page.
//!
//! Input: the file's [`Block`]s in document order (paragraphs and table
//! rows of [`GridCell`]s, each cell's lines joined by `\n`). Output: a
//! [`Grid`]: the lines, rules and rows an [`Extraction`](crate::model::Extraction)
//! carries, as if the blocks had been printed on a page whose tables are
//! ruled all round. Column `c` of a table starts at `c` ×
//! [`COLUMN_WIDTH`]; every line of a cell is a [`Line`] [`LINE_PITCH`]
//! below the last, each table row is ruled above and below across its
//! table, and each cell has a vertical rule on either side. Detection then
//! reads every format with one table reader, from rules and boxes, and
//! never needs to know which format a notice came in.
//!
//! Nothing here judges content; the layout is a pure function of the
//! blocks.

use crate::model::{Cell, Line, Rule, Visibility};

/// Width of one table column, in line units.
pub const COLUMN_WIDTH: f32 = 120.0;
/// Distance between two baselines.
pub const LINE_PITCH: f32 = 12.0;
/// Height of the text: a cell's `size`.
pub const TEXT_SIZE: f32 = 10.0;
/// Space between a cell's edges and its text.
const PADDING: f32 = 3.0;
/// Advance of one character, for the text's right edge.
const CHAR_WIDTH: f32 = 5.0;

/// What a block is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    /// Text outside any table (a paragraph, a heading, a list item).
    Paragraph,
    /// One row of table number `table` (rows of one table share it).
    TableRow {
        /// Which table, counted over the document.
        table: usize,
    },
}

/// One cell of a block: a table cell, or one stretch of a paragraph's
/// text of one visibility.
#[derive(Clone, Debug, PartialEq)]
pub struct GridCell {
    /// The first column it occupies (for paragraphs, its order).
    pub column: usize,
    /// How many columns it spans (at least 1).
    pub span: usize,
    /// Its lines, joined by `\n`.
    pub text: String,
    /// Whether a reader sees it.
    pub visibility: Visibility,
}

/// A paragraph or a table row as the file states it.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// 1-based page it starts on.
    pub page: u32,
    /// Paragraph or table row.
    pub kind: BlockKind,
    /// Its cells, in column order.
    pub cells: Vec<GridCell>,
}

/// Blocks laid out: what an extraction carries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Grid {
    /// One line per baseline, top to bottom, page by page.
    pub lines: Vec<Line>,
    /// The rules around every table cell.
    pub rules: Vec<Rule>,
    /// One row per block, a cell per [`GridCell`].
    pub rows: Vec<Line>,
}

/// Lays out `blocks` in order.
///
/// ```
/// use sopncheck::extract::grid::{Block, BlockKind, GridCell, lay_out};
/// use sopncheck::model::Visibility;
/// let cell = |column, text: &str| GridCell {
///     column, span: 1, text: text.into(), visibility: Visibility::Visible,
/// };
/// let row = |cells| Block { page: 1, kind: BlockKind::TableRow { table: 0 }, cells };
/// let grid = lay_out(&[
///     row(vec![cell(0, "Name of candidate"), cell(1, "Home address")]),
///     row(vec![cell(0, "SAMPLE\nAlex"), cell(1, "(address in Exampleton)")]),
/// ]);
/// assert_eq!(grid.rows.len(), 2);
/// assert_eq!(grid.lines.len(), 3); // the header, then the row's two lines
/// assert_eq!(grid.lines[1].cells.len(), 2);
/// assert!(grid.rules.iter().any(|r| r.vertical));
/// ```
pub fn lay_out(blocks: &[Block]) -> Grid {
    let mut widths: Vec<usize> = Vec::new();
    for block in blocks {
        if let BlockKind::TableRow { table } = block.kind {
            if widths.len() <= table {
                widths.resize(table + 1, 0);
            }
            let end = block
                .cells
                .iter()
                .map(|c| c.column + c.span.max(1))
                .max()
                .unwrap_or(0);
            widths[table] = widths[table].max(end);
        }
    }
    let mut grid = Grid::default();
    let mut page = 0;
    let mut y = 0.0;
    for block in blocks {
        if block.page != page {
            page = block.page;
            y = 0.0;
        }
        grid.rows.push(row_of(block));
        y = match block.kind {
            BlockKind::Paragraph => paragraph(&mut grid.lines, block, y),
            BlockKind::TableRow { table } => {
                let width = widths.get(table).copied().unwrap_or(1) as f32 * COLUMN_WIDTH;
                table_row(&mut grid, block, y, width)
            }
        };
    }
    grid
}

/// The row view of a block: a cell per grid cell, at its column.
fn row_of(block: &Block) -> Line {
    let mut cells: Vec<Cell> = block
        .cells
        .iter()
        .filter(|c| !c.text.trim().is_empty())
        .map(|c| {
            let x = c.column as f32 * COLUMN_WIDTH + PADDING;
            Cell {
                x,
                right: x + COLUMN_WIDTH * c.span.max(1) as f32 - 2.0 * PADDING,
                text: c.text.trim().to_string(),
                visibility: c.visibility,
                size: TEXT_SIZE,
            }
        })
        .collect();
    cells.sort_by(|a, b| a.x.total_cmp(&b.x));
    Line {
        page: block.page,
        baseline: 0.0,
        cells,
    }
}

/// A cell of `text` at `x`, no wider than `limit`.
fn text_cell(x: f32, limit: f32, text: &str, visibility: Visibility) -> Cell {
    let width = text.chars().count() as f32 * CHAR_WIDTH;
    Cell {
        x,
        right: x + width.min(limit.max(CHAR_WIDTH)),
        text: text.to_string(),
        visibility,
        size: TEXT_SIZE,
    }
}

/// Puts `cell` on the line at `baseline` of `page`, adding the line when
/// it is new. Lines from `first` on (the block being laid out, all on
/// `page`) are kept top to bottom and each line's cells left to right, so
/// both are found by binary search: a block of a million lines costs no
/// more than its lines.
fn place(lines: &mut Vec<Line>, first: usize, page: u32, baseline: f32, cell: Cell) {
    let at = first + lines[first..].partition_point(|l| l.baseline > baseline);
    match lines.get_mut(at) {
        Some(line) if line.page == page && line.baseline == baseline => {
            let slot = line.cells.partition_point(|c| c.x <= cell.x);
            line.cells.insert(slot, cell);
        }
        _ => lines.insert(
            at,
            Line {
                page,
                baseline,
                cells: vec![cell],
            },
        ),
    }
}

/// A paragraph from `top` down: its cells side by side on its first line,
/// each cell's further lines under it. Returns the new top.
fn paragraph(lines: &mut Vec<Line>, block: &Block, top: f32) -> f32 {
    let first = lines.len();
    let mut x = 0.0;
    let mut depth = 0usize;
    for cell in &block.cells {
        let mut widest: f32 = 0.0;
        let mut count = 0usize;
        for (i, text) in cell.text.split('\n').map(str::trim).enumerate() {
            if text.is_empty() {
                continue;
            }
            let baseline = top - TEXT_SIZE - i as f32 * LINE_PITCH;
            let placed = text_cell(x, f32::INFINITY, text, cell.visibility);
            widest = widest.max(placed.right - x);
            place(lines, first, block.page, baseline, placed);
            count = count.max(i + 1);
        }
        depth = depth.max(count);
        if count > 0 {
            x += widest + 2.0 * CHAR_WIDTH;
        }
    }
    top - depth.max(1) as f32 * LINE_PITCH
}

/// A table row from `top` down in a table `width` wide, ruled all round.
/// Returns the new top.
fn table_row(grid: &mut Grid, block: &Block, top: f32, width: f32) -> f32 {
    let first = grid.lines.len();
    // Lines used so far in each column: a hidden cell in a column goes
    // under that column's visible one.
    let mut used: Vec<usize> = Vec::new();
    for cell in &block.cells {
        let span = cell.span.max(1);
        let left = cell.column as f32 * COLUMN_WIDTH;
        if used.len() < cell.column + 1 {
            used.resize(cell.column + 1, 0);
        }
        let mut line = used[cell.column];
        for text in cell
            .text
            .split('\n')
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let baseline = top - PADDING - TEXT_SIZE - line as f32 * LINE_PITCH;
            let placed = text_cell(
                left + PADDING,
                COLUMN_WIDTH * span as f32 - 2.0 * PADDING,
                text,
                cell.visibility,
            );
            place(&mut grid.lines, first, block.page, baseline, placed);
            line += 1;
        }
        used[cell.column] = line;
    }
    let depth = used.iter().copied().max().unwrap_or(0).max(1);
    let bottom = top - depth as f32 * LINE_PITCH - 2.0 * PADDING;
    let rule = |vertical, at, from, to| Rule {
        page: block.page,
        vertical,
        at,
        from,
        to,
    };
    grid.rules.push(rule(false, top, 0.0, width));
    grid.rules.push(rule(false, bottom, 0.0, width));
    let mut edges: Vec<f32> = block
        .cells
        .iter()
        .flat_map(|c| {
            let left = c.column as f32 * COLUMN_WIDTH;
            [left, left + c.span.max(1) as f32 * COLUMN_WIDTH]
        })
        .collect();
    edges.sort_by(f32::total_cmp);
    edges.dedup();
    for x in edges {
        grid.rules.push(rule(true, x, bottom, top));
    }
    bottom
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(column: usize, text: &str, visibility: Visibility) -> GridCell {
        GridCell {
            column,
            span: 1,
            text: text.into(),
            visibility,
        }
    }

    #[test]
    fn table_rows_are_ruled_and_cells_keep_their_lines() {
        let row = |cells| Block {
            page: 1,
            kind: BlockKind::TableRow { table: 0 },
            cells,
        };
        let visible = Visibility::Visible;
        let grid = lay_out(&[
            Block {
                page: 1,
                kind: BlockKind::Paragraph,
                cells: vec![cell(0, "STATEMENT OF PERSONS NOMINATED", visible)],
            },
            row(vec![
                cell(0, "Surname", visible),
                cell(2, "Home address", visible),
            ]),
            row(vec![
                cell(0, "QUILLAN", visible),
                cell(2, "(address in Northbury)", visible),
                cell(2, "14 Quenby Road", Visibility::Invisible),
            ]),
        ]);
        let texts: Vec<String> = grid.lines.iter().map(|l| l.joined(" | ")).collect();
        assert_eq!(
            texts,
            [
                "STATEMENT OF PERSONS NOMINATED",
                "Surname | Home address",
                "QUILLAN | (address in Northbury)",
                "14 Quenby Road",
            ]
        );
        // Baselines go down the page, a pitch apart within a cell.
        assert!(grid.lines.windows(2).all(|w| w[0].baseline > w[1].baseline));
        assert_eq!(grid.lines[2].baseline - grid.lines[3].baseline, LINE_PITCH);
        // The hidden line sits in the address column, under the visible one.
        assert_eq!(grid.lines[3].cells[0].x, grid.lines[2].cells[1].x);
        assert_eq!(grid.lines[3].cells[0].visibility, Visibility::Invisible);
        // Two rows, each ruled above and below across three columns.
        let across: Vec<&Rule> = grid.rules.iter().filter(|r| !r.vertical).collect();
        assert_eq!(across.len(), 4);
        assert!(across.iter().all(|r| r.to == 3.0 * COLUMN_WIDTH));
        assert_eq!(grid.rows.len(), 3);
        assert_eq!(grid.rows[2].cells.len(), 3);
    }

    #[test]
    fn pages_start_again_at_the_top() {
        let paragraph = |page, text: &str| Block {
            page,
            kind: BlockKind::Paragraph,
            cells: vec![cell(0, text, Visibility::Visible)],
        };
        let grid = lay_out(&[paragraph(1, "one\ntwo"), paragraph(2, "three")]);
        let pages: Vec<(u32, f32)> = grid.lines.iter().map(|l| (l.page, l.baseline)).collect();
        assert_eq!(
            pages,
            [
                (1, -TEXT_SIZE),
                (1, -TEXT_SIZE - LINE_PITCH),
                (2, -TEXT_SIZE)
            ]
        );
    }
}
