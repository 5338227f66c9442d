//! The HTML extractor as a user meets it: `sopncheck extract --rows` on an
//! invented statement of persons nominated, written to a temporary file.

use std::path::PathBuf;
use std::process::Command;

const SOPN: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\">\
    <title>Statement of persons nominated - Lowther ward</title></head><body>\
    <h1>Lowther Ward</h1><table>\
    <tr><th>Name of candidate</th><th>Home address</th><th>Description</th></tr>\
    <tr><td>WHITLOCK Maryanne</td><td>14 Quenby Road<br>Lowther<br>AB1 2CD</td>\
    <td>Independent</td></tr>\
    <tr><td>PELLINGHAM Oswin</td><td>(address in Northbury)\
    <span style=\"display: none\">3 Orchard Row, AB7 8JK</span></td>\
    <td>Green Party</td></tr></table></body></html>";

/// Writes `html` to a fresh file in the temporary directory.
fn write_page(name: &str, html: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sopncheck-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    let path = dir.join(name);
    std::fs::write(&path, html).expect("write page");
    path
}

/// Runs `sopncheck extract ARGS FILE` and returns its exit status and stdout.
fn extract(args: &[&str], file: &PathBuf) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_sopncheck"))
        .arg("extract")
        .args(args)
        .arg(file)
        .output()
        .expect("run sopncheck");
    (
        output.status.code(),
        String::from_utf8(output.stdout).expect("utf-8 output"),
    )
}

#[test]
fn rows_show_table_cells_and_label_hidden_text() {
    let page = write_page("sopn-rows.html", SOPN);
    let (status, stdout) = extract(&["--rows"], &page);
    assert_eq!(status, Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        vec![
            "--- page 1 ---",
            "Lowther Ward",
            "Name of candidate | Home address | Description",
            "WHITLOCK Maryanne | 14 Quenby Road / Lowther / AB1 2CD | Independent",
            "PELLINGHAM Oswin | (address in Northbury) | \
             [invisible: 3 Orchard Row, AB7 8JK] | Green Party",
            "[html_meta] title: Statement of persons nominated - Lowther ward",
        ]
    );
}

#[test]
fn lines_view_lays_cells_out_line_by_line() {
    let page = write_page("sopn-lines.html", SOPN);
    let (status, stdout) = extract(&[], &page);
    assert_eq!(status, Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    // Each line of a cell is a line of the page, beside the first lines of
    // the other cells of its row; the hidden text under the area it hides
    // behind.
    assert_eq!(
        lines[..7],
        [
            "--- page 1 ---",
            "Lowther Ward",
            "Name of candidate | Home address | Description",
            "WHITLOCK Maryanne | 14 Quenby Road | Independent",
            "Lowther",
            "AB1 2CD",
            "PELLINGHAM Oswin | (address in Northbury) | Green Party",
        ]
    );
    assert_eq!(lines[7], "[invisible: 3 Orchard Row, AB7 8JK]");
}

#[test]
fn a_page_with_only_markup_needs_manual_review() {
    let page = write_page("empty.html", "<html><body><div> </div></body></html>");
    let (status, stdout) = extract(&["--rows"], &page);
    assert_eq!(status, Some(1), "{stdout}");
}
