//! Contact files too large to hold in memory (a million rows is 42 MB of text and, parsed,
//! about a gigabyte): read twice as a stream, one row at a time.
//!
//! 1. [`plan`] reads every row's phone and decides, without keeping any row, who is written
//!    and where: a number given twice (in any spelling) is one person written at its last row
//!    (the last row wins), under the spelling of its first row, as [`contact_csv::prepare`]
//!    does for a file in memory. The plan keeps 24 bytes per person.
//! 2. [`people`] reads the file again and hands the planned people over in batches.
//!
//! The text arrives through [`decoded`], which turns the stored bytes (UTF-8 or Windows-1252,
//! as [`Sniffer`] told while they were uploaded) into UTF-8 as they are read.

use std::io::{self, Read};

use app::audience::ImportError;

use crate::domain::contact_csv::{self, CsvError, Person, Read as Item};
use crate::domain::phone;

/// The encodings a contact file may be in (see [`contact_csv::decode`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    Utf8,
    /// Windows-1252, what Excel writes in Brazil: any file that is not valid UTF-8.
    Windows1252,
}

impl Encoding {
    /// Its name as stored in `contact_import.encoding`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Utf8 => "utf-8",
            Self::Windows1252 => "windows-1252",
        }
    }

    /// The encoding named `name` ([`Encoding::as_str`]).
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Utf8, Self::Windows1252]
            .into_iter()
            .find(|e| e.as_str() == name)
    }
}

/// Tells, from a file's bytes fed in order, the encoding [`contact_csv::decode`] would read the
/// whole file in: UTF-8 if all of it is valid UTF-8, Windows-1252 otherwise.
#[derive(Debug, Default)]
pub struct Sniffer {
    /// The start of a character cut by the end of the last piece.
    carry: Vec<u8>,
    invalid: bool,
}

impl Sniffer {
    /// Takes the next piece of the file.
    pub fn feed(&mut self, piece: &[u8]) {
        if self.invalid {
            return;
        }
        let joined;
        let bytes = if self.carry.is_empty() {
            piece
        } else {
            joined = [std::mem::take(&mut self.carry).as_slice(), piece].concat();
            joined.as_slice()
        };
        match std::str::from_utf8(bytes) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => self.carry = bytes[e.valid_up_to()..].to_vec(),
            Err(_) => self.invalid = true,
        }
    }

    /// The encoding of what was fed (a character cut at the very end is not UTF-8).
    pub fn encoding(&self) -> Encoding {
        if self.invalid || !self.carry.is_empty() {
            Encoding::Windows1252
        } else {
            Encoding::Utf8
        }
    }
}

/// The text of a file read from `inner` in `encoding`, as UTF-8, without its byte-order mark.
pub fn decoded<R: Read>(inner: R, encoding: Encoding) -> impl Read {
    let table = match encoding {
        Encoding::Utf8 => None,
        Encoding::Windows1252 => Some(
            (0..=255u8)
                .map(|b| {
                    encoding_rs::WINDOWS_1252
                        .decode_without_bom_handling(&[b])
                        .0
                        .into_owned()
                        .into_bytes()
                })
                .collect(),
        ),
    };
    Decoded {
        inner,
        table,
        started: false,
        out: io::Cursor::new(Vec::new()),
    }
}

struct Decoded<R> {
    inner: R,
    /// Windows-1252: each byte's UTF-8. `None` for UTF-8, passed through.
    table: Option<Vec<Vec<u8>>>,
    /// Whether the byte-order mark was looked for.
    started: bool,
    /// The decoded text of the last piece read, not yet handed out.
    out: io::Cursor<Vec<u8>>,
}

impl<R: Read> Decoded<R> {
    /// Reads the next piece of `inner` into `out`; false at its end.
    fn refill(&mut self) -> io::Result<bool> {
        let mut raw = vec![0; 64 * 1024];
        let mut n = self.inner.read(&mut raw)?;
        let more = n > 0;
        if !self.started {
            // The byte-order mark may come in pieces.
            while n < 3 {
                let next = self.inner.read(&mut raw[n..])?;
                if next == 0 {
                    break;
                }
                n += next;
            }
            self.started = true;
            let skip = if raw[..n].starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
            raw.drain(..skip);
            n -= skip;
        }
        raw.truncate(n);
        let out = match &self.table {
            None => raw,
            Some(table) => raw
                .iter()
                .flat_map(|b| table[usize::from(*b)].iter().copied())
                .collect(),
        };
        self.out = io::Cursor::new(out);
        Ok(more)
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.out.read(buf)?;
            if n > 0 || buf.is_empty() || !self.refill()? {
                return Ok(n);
            }
        }
    }
}

/// E.164 digits in a word: their value, and their count in the top byte (so that two
/// spellings never collide, whatever their zeros).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Digits(u64);

impl Digits {
    const VALUE: u64 = (1 << 56) - 1;

    /// `digits` (at most 16 of them: E.164 has 15, an identity key one more).
    fn pack(digits: &str) -> Option<Self> {
        if digits.is_empty() || digits.len() > 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let value: u64 = digits.parse().ok()?;
        Some(Self(value | ((digits.len() as u64) << 56)))
    }

    fn unpack(self) -> String {
        let width = (self.0 >> 56) as usize;
        format!("{:0width$}", self.0 & Self::VALUE)
    }
}

/// One person of a file: written at row `row` (the last row of their number) with the number
/// as its first row spelled it.
#[derive(Clone, Copy, Debug)]
pub struct Write {
    key: Digits,
    row: u32,
    digits: Digits,
    line_type: phone::LineType,
}

/// What [`plan`] found in a file.
#[derive(Debug, Default)]
pub struct Plan {
    /// The distinct people, in the order of their rows.
    pub writes: Vec<Write>,
    /// Rows rejected, with line and reason, in file order.
    pub invalid: Vec<ImportError>,
    /// Rows repeating a number (either spelling) given earlier in the file.
    pub duplicates: u64,
}

/// Reads every row of a file (phones in `country`'s numbering plan) and plans who is
/// written where; holds no row.
pub fn plan<R: Read>(reader: R, country: phone::Country) -> Result<Plan, CsvError> {
    let mut plan = Plan::default();
    let mut row: u32 = 0;
    contact_csv::for_each_row(reader, |item| {
        let found = match item {
            Item::Unreadable(e) => {
                plan.invalid.push(e);
                return true;
            }
            Item::Row(found) => found,
        };
        let at = row;
        row += 1;
        let number = phone::parse(&found.phone, country).and_then(|n| {
            match (Digits::pack(&n.key()), Digits::pack(&n.digits)) {
                (Some(key), Some(digits)) => Ok(Write {
                    key,
                    row: at,
                    digits,
                    line_type: n.line_type,
                }),
                _ => Err(phone::PhoneError::TooLong),
            }
        });
        match number {
            Ok(write) => plan.writes.push(write),
            Err(e) => plan.invalid.push(ImportError {
                line: found.line,
                phone: found.phone,
                reason: e.to_string(),
                code: Some(e.into()),
            }),
        }
        true
    })?;
    // One person per number: the last row's data, the first row's spelling.
    let rows = plan.writes.len();
    plan.writes.sort_unstable_by_key(|w| (w.key, w.row));
    plan.writes.dedup_by(|later, kept| {
        if later.key != kept.key {
            return false;
        }
        kept.row = later.row;
        kept.line_type = later.line_type;
        true
    });
    plan.duplicates = (rows - plan.writes.len()) as u64;
    plan.writes.sort_unstable_by_key(|w| w.row);
    plan.writes.shrink_to_fit();
    plan.invalid.sort_by_key(|e| e.line);
    Ok(plan)
}

/// Reads a file again and hands the people of `writes` (a [`Plan`]'s, or what is left of
/// them) to `batch`, `size` at a time, in their order, until `batch` says stop (false).
pub fn people<R: Read>(
    reader: R,
    writes: &[Write],
    size: usize,
    mut batch: impl FnMut(Vec<Person>) -> bool,
) -> Result<(), CsvError> {
    let mut next = writes.iter().peekable();
    let mut row: u32 = 0;
    let mut out = Vec::with_capacity(size);
    let mut stopped = false;
    contact_csv::for_each_row(reader, |item| {
        let Item::Row(found) = item else {
            return true;
        };
        let at = row;
        row += 1;
        let Some(write) = next.next_if(|w| w.row == at) else {
            return true;
        };
        let phone = write.digits.unpack();
        out.push(Person {
            key: phone::identity_key(&phone),
            phone,
            line_type: write.line_type,
            name: found.name.trim().to_string(),
            attributes: found.attributes,
        });
        if out.len() == size && !batch(std::mem::replace(&mut out, Vec::with_capacity(size))) {
            stopped = true;
            return false;
        }
        next.peek().is_some()
    })?;
    if !stopped && !out.is_empty() {
        batch(out);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan and the people of a file, as the import writes them.
    fn streamed(file: &[u8], size: usize) -> (Vec<Person>, Vec<ImportError>, u64) {
        let mut sniffer = Sniffer::default();
        // Fed in pieces that cut characters, as an upload arrives.
        for piece in file.chunks(3) {
            sniffer.feed(piece);
        }
        let encoding = sniffer.encoding();
        let plan = plan(decoded(file, encoding), phone::Country::BRAZIL).unwrap();
        let mut people = Vec::new();
        super::people(decoded(file, encoding), &plan.writes, size, |batch| {
            assert!(batch.len() <= size);
            people.extend(batch);
            true
        })
        .unwrap();
        (people, plan.invalid, plan.duplicates)
    }

    /// What the in-memory import makes of the same file.
    fn in_memory(file: &[u8]) -> (Vec<Person>, Vec<ImportError>, u64) {
        let (rows, mut invalid) = contact_csv::parse(&contact_csv::decode(file)).unwrap();
        let prepared = contact_csv::prepare(rows, phone::Country::BRAZIL);
        invalid.extend(prepared.invalid);
        invalid.sort_by_key(|e| e.line);
        (prepared.people, invalid, prepared.duplicates)
    }

    fn sorted(mut people: Vec<Person>) -> Vec<Person> {
        people.sort_by(|a, b| a.key.cmp(&b.key));
        people
    }

    #[test]
    fn streams_what_the_in_memory_import_reads() {
        let mut file = b"\xEF\xBB\xBFNome;Celular;Cidade\r\n".to_vec();
        file.extend("Jo\u{e3}o Ara\u{fa}jo;+55 (11) 98888-0001;S\u{e3}o Paulo\r\n".as_bytes());
        file.extend(b"Maria;+55 11 9888 80002;\r\n\r\n");
        file.extend(b"Sem telefone;;Recife\r\n");
        file.extend(b"\"Silva;\nJo\xC3\xA3o\";55 11 8888-0001;Santos\r\n");
        file.extend(b"Letras;11 9888A-0003;\r\n");
        for size in [1, 2, 500] {
            let (people, invalid, duplicates) = streamed(&file, size);
            let (want_people, want_invalid, want_duplicates) = in_memory(&file);
            assert_eq!(sorted(people.clone()), sorted(want_people));
            assert_eq!(invalid, want_invalid);
            assert_eq!(duplicates, want_duplicates);
            assert_eq!(duplicates, 1);
            // The number given twice: its last row's name, its first row's spelling.
            let joao = people.iter().find(|p| p.phone == "5511988880001").unwrap();
            assert_eq!(joao.name, "Silva;\nJoão");
            assert_eq!(joao.attributes["cidade"], "Santos");
            assert_eq!(
                invalid.iter().map(|e| e.line).collect::<Vec<_>>(),
                vec![5, 8]
            );
        }
    }

    #[test]
    fn windows_1252_is_told_and_decoded_in_a_stream() {
        let file = b"Nome;Celular\nJo\xE3o;11 98888-0001\n\x93Z\xE9\x94;11 98888-0002\n";
        let (people, invalid, _) = streamed(file, 500);
        assert!(invalid.is_empty());
        assert_eq!(people[0].name, "João");
        assert_eq!(people[1].name, "\u{201C}Zé\u{201D}");
        assert_eq!(sorted(people), sorted(in_memory(file).0));
    }

    #[test]
    fn a_stopped_reader_hands_nothing_more() {
        let mut file = b"phone\n".to_vec();
        for i in 0..10 {
            file.extend(format!("11 98888-00{i:02}\n").as_bytes());
        }
        let plan = plan(decoded(&file[..], Encoding::Utf8), phone::Country::BRAZIL).unwrap();
        let mut batches = 0;
        people(
            decoded(&file[..], Encoding::Utf8),
            &plan.writes[4..],
            2,
            |_| {
                batches += 1;
                false
            },
        )
        .unwrap();
        assert_eq!(batches, 1);
        let mut rest = Vec::new();
        people(
            decoded(&file[..], Encoding::Utf8),
            &plan.writes[4..],
            4,
            |b| {
                rest.extend(b);
                true
            },
        )
        .unwrap();
        let phones: Vec<_> = rest.iter().map(|p| &p.phone[9..]).collect();
        assert_eq!(phones, ["0004", "0005", "0006", "0007", "0008", "0009"]);
    }

    #[test]
    fn the_sniffer_reads_cut_characters_as_utf8() {
        let mut s = Sniffer::default();
        for piece in "ção".as_bytes().chunks(1) {
            s.feed(piece);
        }
        assert_eq!(s.encoding(), Encoding::Utf8);
        s.feed(b"\xE3o");
        assert_eq!(s.encoding(), Encoding::Windows1252);
        let mut cut = Sniffer::default();
        cut.feed(&"ç".as_bytes()[..1]);
        assert_eq!(cut.encoding(), Encoding::Windows1252);
    }

    #[test]
    fn digits_keep_their_zeros() {
        for d in ["5511988880001", "0123", "1234567890123456"] {
            assert_eq!(Digits::pack(d).unwrap().unpack(), d);
        }
        assert_ne!(Digits::pack("0123"), Digits::pack("123"));
        assert_eq!(Digits::pack("12345678901234567"), None);
        assert_eq!(Digits::pack("12a"), None);
    }
}
