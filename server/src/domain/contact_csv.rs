//! Reading contact files as spreadsheets export them: UTF-8 or Windows-1252 (Excel in Brazil),
//! `;` or `,` between fields, header names in Portuguese or English, extra columns kept as
//! attributes. And preparing rows for import: phones normalised, invalid rows reported with
//! their line, a number given twice counted as a duplicate (its last row wins).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use app::audience::ImportError;

use crate::domain::phone;

/// Header names of the phone column, the preferred first (a file with both `telefone` and
/// `celular` is read by its mobile column; the other becomes an attribute).
const PHONE_HEADERS: &[&str] = &[
    "celular", "whatsapp", "phone", "telefone", "fone", "mobile", "number", "numero",
];

/// Header names of the name column.
const NAME_HEADERS: &[&str] = &["nome", "name", "nome completo", "full name"];

/// Why a file cannot be read at all (row problems are reported per row instead).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CsvError {
    /// The file has no header row.
    #[error("the file is empty")]
    Empty,
    /// No column is named like a phone.
    #[error("the header must name a phone column (telefone, celular, phone)")]
    NoPhoneColumn,
}

/// One data row of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Its line in the file (the header is line 1).
    pub line: u64,
    /// The phone as written.
    pub phone: String,
    /// The name (may be empty).
    pub name: String,
    /// The other columns with a value, by lower-case header name.
    pub attributes: BTreeMap<String, String>,
}

/// A person ready to be written: the phone parsed, with its identity key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// E.164 digits.
    pub phone: String,
    /// What kind of line the phone is.
    pub line_type: phone::LineType,
    /// [`phone::identity_key`] of the phone.
    pub key: String,
    /// Name (may be empty: an existing name is then kept).
    pub name: String,
    /// Attributes to set (merged into existing ones).
    pub attributes: BTreeMap<String, String>,
}

/// The rows of a file sorted out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prepared {
    /// Distinct people, in the order their number first appears.
    pub people: Vec<Person>,
    /// Rows rejected, with line and reason.
    pub invalid: Vec<ImportError>,
    /// Rows repeating a number (either spelling) given earlier in the file.
    pub duplicates: u64,
}

/// The text of a file: UTF-8 (a byte-order mark is dropped) or, when it is not valid UTF-8,
/// Windows-1252, the superset of Latin-1 that Excel writes in Brazil.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// The field separator of a file: `;` when its header line has more semicolons than commas.
fn separator(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let count = |c: char| header.chars().filter(|h| *h == c).count();
    if count(';') > count(',') { b';' } else { b',' }
}

/// A header name as attributes and placeholders use it: trimmed, lower case.
fn header_key(header: &str) -> String {
    header.trim().to_lowercase()
}

/// Reads the rows of a contact file. Rows the CSV reader cannot read are reported as invalid
/// (with their line); a file without a phone column is refused.
pub fn parse(text: &str) -> Result<(Vec<Row>, Vec<ImportError>), CsvError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(text))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| CsvError::Empty)?
        .iter()
        .map(header_key)
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(CsvError::Empty);
    }
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| headers.iter().position(|h| h == n))
    };
    let phone_col = find(PHONE_HEADERS).ok_or(CsvError::NoPhoneColumn)?;
    let name_col = find(NAME_HEADERS);
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut record = csv::StringRecord::new();
    // Line numbers counted from byte offsets (the reader's own count drifts on blank lines).
    let (mut counted_to, mut line) = (0usize, 1u64);
    let mut line_at = |byte: usize| {
        let byte = byte.min(text.len());
        if byte > counted_to {
            line += text.as_bytes()[counted_to..byte]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            counted_to = byte;
        }
        line
    };
    loop {
        let line = line_at(reader.position().byte() as usize);
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(ImportError {
                    line,
                    phone: String::new(),
                    reason: format!("unreadable row: {e}"),
                    code: None,
                });
                continue;
            }
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        // A record's position is where the reader started, before any line breaks it skipped.
        let line = record.position().map_or(line, |p| {
            let start = p.byte() as usize;
            let skipped = text.as_bytes()[start.min(text.len())..]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            line_at(start + skipped)
        });
        let attributes = record
            .iter()
            .enumerate()
            .filter(|(i, v)| {
                *i != phone_col
                    && Some(*i) != name_col
                    && !v.is_empty()
                    && headers.get(*i).is_some_and(|h| !h.is_empty())
            })
            .map(|(i, v)| (headers[i].clone(), v.to_string()))
            .collect();
        rows.push(Row {
            line,
            phone: record.get(phone_col).unwrap_or("").to_string(),
            name: name_col
                .and_then(|c| record.get(c))
                .unwrap_or("")
                .to_string(),
            attributes,
        });
    }
    Ok((rows, errors))
}

/// Sorts rows out: phones are parsed in `country`'s numbering plan, invalid ones are reported
/// with their line and reason, and a number given twice (in any spelling) is one person whose
/// last row wins.
pub fn prepare(rows: Vec<Row>, country: phone::Country) -> Prepared {
    let mut out = Prepared::default();
    let mut at: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let number = match phone::parse(&row.phone, country) {
            Ok(n) => n,
            Err(e) => {
                out.invalid.push(ImportError {
                    line: row.line,
                    phone: row.phone,
                    reason: e.to_string(),
                    code: Some(e.into()),
                });
                continue;
            }
        };
        let key = number.key();
        let person = Person {
            phone: number.digits,
            line_type: number.line_type,
            key: key.clone(),
            name: row.name.trim().to_string(),
            attributes: row.attributes,
        };
        match at.get(&key) {
            Some(&i) => {
                out.duplicates += 1;
                let first_phone = std::mem::take(&mut out.people[i].phone);
                out.people[i] = Person {
                    phone: first_phone,
                    ..person
                };
            }
            None => {
                at.insert(key, out.people.len());
                out.people.push(person);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_with_bom_and_windows_1252() {
        assert_eq!(decode(b"\xEF\xBB\xBFnome;telefone"), "nome;telefone");
        assert_eq!(decode("São João".as_bytes()), "São João");
        // "São João" in Windows-1252.
        assert_eq!(decode(b"S\xE3o Jo\xE3o"), "São João");
        assert_eq!(decode(b"\x93aspas\x94"), "\u{201C}aspas\u{201D}");
    }

    #[test]
    fn reads_semicolons_and_portuguese_headers() {
        let (rows, errors) =
            parse("Nome;Celular;Cidade;UF\nMaria;(11) 98765-4321;São Paulo;\n\"Silva; João\";5511912345678;Recife;PE\n")
                .unwrap();
        assert!(errors.is_empty());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].name, "Maria");
        assert_eq!(rows[0].phone, "(11) 98765-4321");
        assert_eq!(
            rows[0].attributes,
            [("cidade".to_string(), "São Paulo".to_string())].into()
        );
        assert_eq!(rows[1].name, "Silva; João");
        assert_eq!(rows[1].attributes.len(), 2);
    }

    #[test]
    fn reads_commas_and_english_headers_in_any_order() {
        let (rows, _) =
            parse("phone,name\n5511987654321,\"Souza, Ana\"\n\n5511912345678,Bia\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "Souza, Ana");
        assert_eq!(rows[1].line, 4, "blank lines count");
    }

    #[test]
    fn prefers_the_mobile_column() {
        let (rows, _) = parse("telefone;celular\n551132654321;5511987654321\n").unwrap();
        assert_eq!(rows[0].phone, "5511987654321");
        assert_eq!(rows[0].attributes["telefone"], "551132654321");
    }

    #[test]
    fn refuses_a_file_without_phone_column() {
        assert_eq!(parse("nome;email\nA;a@x\n"), Err(CsvError::NoPhoneColumn));
        assert_eq!(parse(""), Err(CsvError::Empty));
    }

    #[test]
    fn prepare_reports_invalid_rows_and_duplicates() {
        let (rows, _) = parse(
            "nome;telefone\nAna;5511987654321\nBia;abc\nAna Maria;55 11 8765-4321\nCid;\nDu;5521987654321\nEd;(20) 98765-4321\nFê;(11) 3265-4321\n",
        )
        .unwrap();
        let p = prepare(rows, phone::Country::BRAZIL);
        assert_eq!(p.people.len(), 3);
        assert_eq!(p.duplicates, 1);
        assert_eq!(p.people[2].line_type, phone::LineType::Landline);
        // The last row of a person wins, under the spelling first given.
        assert_eq!(p.people[0].name, "Ana Maria");
        assert_eq!(p.people[0].phone, "5511987654321");
        assert_eq!(p.people[0].key, "5511987654321");
        let lines: Vec<u64> = p.invalid.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 5, 7]);
        assert_eq!(p.invalid[0].phone, "abc");
        let codes: Vec<_> = p.invalid.iter().map(|e| e.code).collect();
        use app::problem::PhoneReason;
        assert_eq!(
            codes,
            vec![
                Some(PhoneReason::InvalidCharacters),
                Some(PhoneReason::Empty),
                Some(PhoneReason::NotValid)
            ]
        );
    }
}
