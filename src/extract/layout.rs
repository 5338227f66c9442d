//! Reading order: from positioned runs to lines, cells and table rows.
//!
//! Input: one page's [`TextRun`]s (any visibility) and the table rules the
//! interpreter saw. Output: [`Line`]s (runs sharing a baseline, top to
//! bottom, split into [`Cell`]s at column gaps and vertical rules) and
//! *rows*: lines grouped between horizontal rules so that a table cell
//! wrapped over several lines is one cell, its lines joined by `\n`.
//! Runs of different visibility never share a cell, so a hidden address
//! stays distinguishable from the visible text around it.

use crate::model::{Cell, Line, Rule, TextRun};

/// Baselines closer than this share of the font size are one line.
const SAME_LINE: f32 = 0.35;
/// A horizontal gap wider than this share of the font size separates cells.
const COLUMN_GAP: f32 = 0.8;
/// A gap wider than this share of the font size is a word space.
const WORD_GAP: f32 = 0.12;

/// Groups a page's runs into lines of cells, top to bottom.
pub fn lines(runs: &[&TextRun], rules: &[Rule]) -> Vec<Line> {
    let mut sorted: Vec<&TextRun> = runs.to_vec();
    sorted.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut lines = Vec::new();
    let mut current: Vec<&TextRun> = Vec::new();
    for run in sorted {
        let joins = current.first().is_some_and(|first| {
            (first.y - run.y).abs() <= SAME_LINE * first.font_size.max(run.font_size)
        });
        if !joins && !current.is_empty() {
            lines.push(line_of(std::mem::take(&mut current), rules));
        }
        current.push(run);
    }
    if !current.is_empty() {
        lines.push(line_of(current, rules));
    }
    lines
}

fn line_of(mut runs: Vec<&TextRun>, rules: &[Rule]) -> Line {
    runs.sort_by(|a, b| a.x.total_cmp(&b.x));
    let page = runs.first().map_or(1, |r| r.page);
    let baseline = runs.first().map_or(0.0, |r| r.y);
    let mut cells: Vec<Cell> = Vec::new();
    let mut last: Option<&TextRun> = None;
    for run in runs {
        // Fake bold and shadows draw the same text twice, a hair apart.
        if last.is_some_and(|prev| prev.text == run.text && (prev.x - run.x).abs() < 1.0) {
            continue;
        }
        let size = run.font_size.max(1.0);
        let merge = match (cells.last(), last) {
            (Some(cell), Some(prev)) => {
                cell.visibility == run.visibility
                    && run.x - cell.right < COLUMN_GAP * size
                    && !rule_between(rules, prev.right(), run.x, run.y, size)
            }
            _ => false,
        };
        if merge && let Some(cell) = cells.last_mut() {
            let gap = run.x - cell.right;
            if gap > WORD_GAP * size && !cell.text.ends_with(' ') && !run.text.starts_with(' ') {
                cell.text.push(' ');
            }
            cell.text.push_str(&run.text);
            cell.right = cell.right.max(run.right());
            cell.size = cell.size.max(run.font_size);
        } else {
            cells.push(Cell {
                x: run.x,
                right: run.right(),
                text: run.text.clone(),
                visibility: run.visibility,
                size: run.font_size,
            });
        }
        last = Some(run);
    }
    Line {
        page,
        baseline,
        cells,
    }
}

/// True when a vertical rule crosses the baseline between `left` and `right`.
fn rule_between(rules: &[Rule], left: f32, right: f32, y: f32, size: f32) -> bool {
    rules.iter().any(|rule| {
        rule.vertical
            && rule.at > left - 0.5
            && rule.at < right + 0.5
            && rule.from <= y + 0.5 * size
            && rule.to >= y
    })
}

/// Groups a page's lines into table rows: lines between the same two row
/// separators, within the separators' extent, form one row whose cells
/// are merged by column. Lines outside any ruled band are rows alone.
/// `rules` are the page's.
pub fn rows(lines: &[Line], rules: &[Rule]) -> Vec<Line> {
    let separators = row_separators(rules);
    let band_of = |line: &Line| -> Option<(usize, usize)> {
        let x = line.cells.first()?.x;
        let spans = |r: &&Rule| r.from - 1.0 <= x && x <= r.to + 1.0;
        let below = separators
            .iter()
            .position(|r| r.at < line.baseline && spans(&r))?;
        let above = separators[..below]
            .iter()
            .rposition(|r| r.at > line.baseline && spans(&r))?;
        Some((above, below))
    };
    let mut rows: Vec<Line> = Vec::new();
    let mut current_band: Option<(usize, usize)> = None;
    for line in lines {
        let band = band_of(line);
        let same = band.is_some() && band == current_band;
        match rows.last_mut() {
            Some(row) if same => merge_into_row(row, line, rules),
            _ => rows.push(line.clone()),
        }
        current_band = band;
    }
    rows
}

/// Horizontal rules that separate table rows, top to bottom. Producers draw
/// borders cell by cell, so collinear segments are joined first; a rule
/// then separates rows only if it spans most of the widest table on the
/// page, so that the inner rules of one column (a list of signatories
/// ruled line by line) do not split a candidate's row.
fn row_separators(rules: &[Rule]) -> Vec<Rule> {
    let mut horizontals: Vec<Rule> = rules.iter().filter(|r| !r.vertical).copied().collect();
    horizontals.sort_by(|a, b| b.at.total_cmp(&a.at).then(a.from.total_cmp(&b.from)));
    let mut joined: Vec<Rule> = Vec::with_capacity(horizontals.len());
    for rule in horizontals {
        match joined.last_mut() {
            Some(last) if (last.at - rule.at).abs() <= 1.0 && rule.from <= last.to + 3.0 => {
                last.to = last.to.max(rule.to);
            }
            _ => joined.push(rule),
        }
    }
    let widest = joined.iter().map(|r| r.to - r.from).fold(0.0, f32::max);
    joined.retain(|r| r.to - r.from >= 0.5 * widest);
    joined
}

/// Appends a line's cells to a row, each to the row cell of its column
/// (the last cell it overlaps with no vertical rule between them); a cell
/// of no column is inserted in x order. Merged cells join their texts with
/// `\n`.
pub fn merge_into_row(row: &mut Line, line: &Line, rules: &[Rule]) {
    for cell in &line.cells {
        let column = row.cells.iter_mut().rev().find(|existing| {
            existing.visibility == cell.visibility
                && overlaps(existing, cell)
                && !rules.iter().any(|r| {
                    r.vertical && r.at > existing.x.min(cell.x) && r.at < existing.x.max(cell.x)
                })
        });
        match column {
            Some(existing) => {
                existing.text.push('\n');
                existing.text.push_str(&cell.text);
                existing.x = existing.x.min(cell.x);
                existing.right = existing.right.max(cell.right);
                existing.size = existing.size.max(cell.size);
            }
            None => {
                let at = row
                    .cells
                    .iter()
                    .position(|c| c.x > cell.x)
                    .unwrap_or(row.cells.len());
                row.cells.insert(at, cell.clone());
            }
        }
    }
}

fn overlaps(a: &Cell, b: &Cell) -> bool {
    a.x <= b.right && b.x <= a.right || (a.x - b.x).abs() < 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Visibility;

    fn run(x: f32, y: f32, text: &str) -> TextRun {
        TextRun {
            page: 1,
            x,
            y,
            width: text.len() as f32 * 5.0,
            height: 10.0,
            font_size: 10.0,
            text: text.into(),
            visibility: Visibility::Visible,
        }
    }

    fn rule(vertical: bool, at: f32, from: f32, to: f32) -> Rule {
        Rule {
            page: 1,
            vertical,
            at,
            from,
            to,
        }
    }

    #[test]
    fn words_join_and_columns_split() {
        let runs = [
            run(50.0, 700.0, "SMITH"),
            run(200.0, 700.0, "12"),
            run(213.0, 700.3, "Oak Road"),
            run(350.0, 700.0, "Independent"),
        ];
        let refs: Vec<&TextRun> = runs.iter().collect();
        let lines = lines(&refs, &[]);
        assert_eq!(lines.len(), 1);
        let texts: Vec<&str> = lines[0].cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["SMITH", "12 Oak Road", "Independent"]);
    }

    #[test]
    fn vertical_rule_splits_close_runs() {
        let runs = [run(50.0, 700.0, "Name"), run(77.0, 700.0, "Address")];
        let refs: Vec<&TextRun> = runs.iter().collect();
        let rule = rule(true, 76.0, 690.0, 720.0);
        assert_eq!(lines(&refs, &[]).first().map(|l| l.cells.len()), Some(1));
        assert_eq!(
            lines(&refs, &[rule]).first().map(|l| l.cells.len()),
            Some(2)
        );
    }

    #[test]
    fn hidden_runs_stay_apart() {
        let mut hidden = run(80.0, 700.0, "9 Secret Lane");
        hidden.visibility = Visibility::Covered;
        let runs = [run(50.0, 700.0, "Name"), hidden];
        let refs: Vec<&TextRun> = runs.iter().collect();
        let line = &lines(&refs, &[])[0];
        assert_eq!(line.cells.len(), 2);
        assert_eq!(line.cells[1].visibility, Visibility::Covered);
    }

    #[test]
    fn wrapped_cells_merge_within_ruled_row() {
        let runs = [
            run(50.0, 700.0, "SMITH"),
            run(200.0, 700.0, "12 Oak Road"),
            run(50.0, 688.0, "Jane"),
            run(200.0, 688.0, "Exampletown"),
            run(200.0, 676.0, "EX1 2AB"),
            run(50.0, 650.0, "JONES"),
        ];
        let refs: Vec<&TextRun> = runs.iter().collect();
        let horizontal = |y| rule(false, y, 40.0, 500.0);
        let rules = [horizontal(712.0), horizontal(665.0), horizontal(640.0)];
        let lines = lines(&refs, &rules);
        let rows = rows(&lines, &rules);
        assert_eq!(rows.len(), 2);
        let texts: Vec<&str> = rows[0].cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["SMITH\nJane", "12 Oak Road\nExampletown\nEX1 2AB"]);
        assert_eq!(rows[1].cells[0].text, "JONES");
    }
}
