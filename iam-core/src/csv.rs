//! Writing the CSV files the product hands out (the credential report, the new access key's
//! and new user's downloads) so that every cell stays one cell and none runs as a formula.
//!
//! Hand-written rather than the `csv` crate: the downloads are made in the browser, where this
//! crate is compiled to wasm, and writing is a few lines where the crate would bring its reader
//! and buffering into the bundle. Reading CSV is elsewhere (`billing::cur`).

use std::borrow::Cow;

/// One cell as written: OWASP's defence against formula injection first (a `'` before text
/// that starts with `=`, `+`, `-`, `@`, tab or CR, which spreadsheets would evaluate), then
/// RFC 4180 quoting (in `"`, quotes doubled) when the text holds a comma, semicolon, quote,
/// CR or LF.
/// Anything else, like the credential report's `N/A` and ISO dates, is written unchanged.
pub fn cell(text: &str) -> Cow<'_, str> {
    let text: Cow<'_, str> = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    };
    // `;` too: spreadsheets in many locales split on it.
    if text.contains([',', ';', '"', '\r', '\n']) {
        Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        text
    }
}

/// One record: the cells, each through [`cell`], separated by commas and ended by a line
/// feed (as these files always were; CSV readers take LF as well as RFC 4180's CRLF).
pub fn row<I, S>(cells: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = cells
        .into_iter()
        .map(|c| cell(c.as_ref()).into_owned())
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_cells_and_the_reports_placeholders_are_unchanged() {
        for text in [
            "N/A",
            "not_supported",
            "no_information",
            "<root_account>",
            "2026-01-02T03:04:05+00:00",
            "true",
            "arn:aws:iam::123456789012:user/division/kim",
            "kim.o'neil",
            "",
        ] {
            assert_eq!(cell(text), text);
        }
    }

    #[test]
    fn formulas_are_neutralised_and_separators_quoted() {
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(
            cell("=HYPERLINK(\"x\",\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""
        );
        // Only the start matters: a formula sign inside is plain text.
        assert_eq!(cell("a=b+c"), "a=b+c");
    }

    #[test]
    fn rows_join_cells_with_commas_and_end_with_a_line_feed() {
        assert_eq!(
            row(["Access key ID", "Secret access key"]),
            "Access key ID,Secret access key\n"
        );
        assert_eq!(row(["=1+1", "a,b", "N/A"]), "'=1+1,\"a,b\",N/A\n");
    }
}
