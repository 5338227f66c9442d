//! Writes a [`Notice`] as an HTML statement of persons nominated, the way
//! a council's website lists candidates without a table.
//!
//! Input: the notice. Output: one HTML page: the page title and a
//! statement-of-persons-nominated heading, the council and the poll date;
//! per post an `h2` naming the ward, then per candidate a definition list
//! (`dl`) of `Name`, `Home address` (the address elements a `<br>` apart,
//! the postcode last, or the withheld-area wording), `Description` and, for
//! a withdrawn nomination, `Decision of the Returning Officer`; and a
//! `footer` with the returning officer's office address (legitimate: never
//! a finding). The labels carry no colon, as a `dl` needs none.
//!
//! Every address is written plainly: a candidate's
//! [`Redaction`](super::notice::Redaction) is a PDF construct and is not
//! rendered. The same notice always gives the same page.

use std::fmt::Write;

use super::notice::{Address, Candidate, Home, Notice};
use crate::report::html::escape;

/// The notice as an HTML page.
///
/// ```
/// use sopncheck::synth::{html, notice, notice::Layout, people::People};
/// let notice = notice(&mut People::new(1), Layout::Table, 1, 3);
/// let page = html::write(&notice);
/// assert!(page.starts_with("<!DOCTYPE html>"));
/// assert!(page.contains("<dt>Home address</dt>"));
/// ```
pub fn write(notice: &Notice) -> String {
    let council = escape(&notice.council);
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Statement of persons nominated - {council}</title>\n</head>\n<body>\n\
         <main>\n<h1>Statement of persons nominated</h1>\n<p>{council}</p>\n\
         <p>Date of poll: {}</p>\n",
        escape(&notice.poll_date)
    );
    for post in &notice.posts {
        // Writing to a `String` never fails.
        let _ = writeln!(page, "<h2>{} Ward</h2>", escape(&post.name));
        for candidate in &post.candidates {
            page.push_str(&entry(candidate));
        }
    }
    let _ = write!(
        page,
        "</main>\n<footer>\n<p>Dated {}</p>\n<p>{}, Returning Officer</p>\n\
         <p>Printed and published by the Returning Officer,</p>\n<address>{}</address>\n\
         </footer>\n</body>\n</html>\n",
        escape(&notice.dated),
        escape(&notice.returning_officer),
        lines(&notice.office)
    );
    page
}

/// An address's elements and postcode, escaped, a `<br>` apart.
fn lines(address: &Address) -> String {
    address
        .lines
        .iter()
        .chain(std::iter::once(&address.postcode))
        .map(|line| escape(line))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// A candidate's definition list.
fn entry(candidate: &Candidate) -> String {
    let home = match &candidate.home {
        Home::Published(address) => lines(address),
        Home::Withheld(area) => escape(area).into_owned(),
    };
    let mut dl = format!(
        "<dl>\n<dt>Name</dt><dd>{} {}</dd>\n<dt>Home address</dt><dd>{home}</dd>\n\
         <dt>Description</dt><dd>{}</dd>\n",
        escape(&candidate.surname),
        escape(&candidate.other_names),
        escape(&candidate.description)
    );
    if candidate.withdrawn {
        dl.push_str("<dt>Decision of the Returning Officer</dt><dd>Nomination withdrawn</dd>\n");
    }
    dl.push_str("</dl>\n");
    dl
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::notice::Layout;
    use crate::synth::people::People;

    #[test]
    fn text_is_escaped() {
        let mut notice = crate::synth::notice(&mut People::new(5), Layout::Table, 1, 2);
        notice.council = "Lowther & Vale <District> Council".to_owned();
        notice.posts[0].candidates[0].other_names = "<script>".to_owned();
        let page = write(&notice);
        assert!(page.contains("Lowther &amp; Vale &lt;District&gt; Council"));
        assert!(!page.contains("<script>"));
    }
}
