//! Reading contact files as spreadsheets export them: UTF-8 or Windows-1252 (Excel in Brazil),
//! `;` or `,` between fields, header names in Portuguese or English, extra columns kept as
//! attributes. And preparing rows for import: phones normalised, invalid rows reported with
//! their line, a number given twice counted as a duplicate (its last row wins).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{self, BufRead, Read as _};

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
    /// The file could not be read from where it is stored.
    #[error("the file could not be read: {0}")]
    Read(String),
}

impl CsvError {
    fn read(e: impl std::fmt::Display) -> Self {
        Self::Read(e.to_string())
    }
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

/// The field separator of a file, from its header line: `;` when it has more semicolons than
/// commas.
fn separator(header: &str) -> u8 {
    let count = |c: char| header.chars().filter(|h| *h == c).count();
    if count(';') > count(',') { b';' } else { b',' }
}

/// A header name as attributes and placeholders use it: trimmed, lower case.
fn header_key(header: &str) -> String {
    header.trim().to_lowercase()
}

/// What [`for_each_row`] hands over: a row, or a row the CSV reader could not read.
#[derive(Debug)]
pub enum Read {
    /// A data row.
    Row(Row),
    /// An unreadable row, reported with its line.
    Unreadable(ImportError),
}

/// The offsets of the line breaks (`\r`, `\n`) a reader has handed out and the CSV reader
/// has not yet gone past: the line of a record is counted from them, without the file.
struct Breaks<R> {
    inner: R,
    offset: u64,
    breaks: VecDeque<(u64, u8)>,
    /// 1 + the `\n` already counted.
    line: u64,
}

impl<R: io::Read> io::Read for Breaks<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, b) in buf[..n].iter().enumerate() {
            if matches!(b, b'\r' | b'\n') {
                self.breaks.push_back((self.offset + i as u64, *b));
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> Breaks<R> {
    /// The line of byte `byte` (the header is line 1); bytes are asked in order.
    fn line_at(&mut self, byte: u64) -> u64 {
        while let Some(&(at, b)) = self.breaks.front() {
            if at >= byte {
                break;
            }
            if b == b'\n' {
                self.line += 1;
            }
            self.breaks.pop_front();
        }
        self.line
    }

    /// The line of the first byte at or after `start` that is not a line break.
    fn line_of_record(&mut self, start: u64) -> u64 {
        let mut next = start;
        for &(at, _) in self.breaks.iter().skip_while(|(at, _)| *at < start) {
            if at != next {
                break;
            }
            next += 1;
        }
        self.line_at(next)
    }
}

/// Reads the rows of a contact file from `reader` (UTF-8 text, as [`decode`] or
/// [`super::contact_stream::decoded`] gives it) and hands each to `each`, in order, until `each` says
/// stop (false). Rows the CSV reader cannot read are handed over as [`Read::Unreadable`]; a
/// file without a phone column is refused before any row. Holds one row at a time.
pub fn for_each_row<R: io::Read>(
    reader: R,
    mut each: impl FnMut(Read) -> bool,
) -> Result<(), CsvError> {
    let mut reader = io::BufReader::with_capacity(64 * 1024, reader);
    let mut head = Vec::new();
    reader
        .read_until(b'\n', &mut head)
        .map_err(CsvError::read)?;
    let delimiter = separator(String::from_utf8_lossy(&head).lines().next().unwrap_or(""));
    let breaks = Breaks {
        inner: io::Cursor::new(head).chain(reader),
        offset: 0,
        breaks: VecDeque::new(),
        line: 1,
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(breaks);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(header_key).collect(),
        Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => return Err(CsvError::read(e)),
        Err(_) => return Err(CsvError::Empty),
    };
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
    let mut record = csv::StringRecord::new();
    loop {
        let position = reader.position().byte();
        let line = reader.get_mut().line_at(position);
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                return Err(CsvError::read(e));
            }
            Err(e) => {
                let unreadable = ImportError {
                    line,
                    phone: String::new(),
                    reason: format!("unreadable row: {e}"),
                    code: None,
                };
                if !each(Read::Unreadable(unreadable)) {
                    return Ok(());
                }
                continue;
            }
        }
        if record.iter().all(str::is_empty) {
            continue;
        }
        // A record's position is where the reader started, before any line breaks it skipped.
        let line = record
            .position()
            .map_or(line, |p| reader.get_mut().line_of_record(p.byte()));
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
        let row = Row {
            line,
            phone: record.get(phone_col).unwrap_or("").to_string(),
            name: name_col
                .and_then(|c| record.get(c))
                .unwrap_or("")
                .to_string(),
            attributes,
        };
        if !each(Read::Row(row)) {
            return Ok(());
        }
    }
}

/// Reads the rows of a contact file held in memory (a CSV posted to `POST /api/v1/contacts`,
/// imported at once). Rows the CSV reader cannot read are reported as invalid (with
/// their line); a file without a phone column is refused.
pub fn parse(text: &str) -> Result<(Vec<Row>, Vec<ImportError>), CsvError> {
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    for_each_row(text.as_bytes(), |read| {
        match read {
            Read::Row(row) => rows.push(row),
            Read::Unreadable(e) => errors.push(e),
        }
        true
    })?;
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
