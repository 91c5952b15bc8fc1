//! Phone numbers as people read them: `+55 (11) 98100-0000` instead of the stored
//! `5511981000000`. Only for display (tables, the contact page, the logs, the data-subject
//! export); every API keeps E.164.
//!
//! Written by hand because it runs in the browser too, where libphonenumber's metadata (the
//! server's `phonenumber` crate, which parses) would cost about a megabyte of WebAssembly.
//! Brazilian numbers, nearly all of Flow's, are written exactly as libphonenumber writes them
//! (a server test compares both); North American ones as `+1 (415) 555-0100`; others as the
//! country code and the rest in groups of three.

/// The country calling codes of two digits (ITU-T E.164); `1` and `7` have one, the rest three.
const TWO_DIGIT_CODES: [&str; 44] = [
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47",
    "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65",
    "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
];

/// A stored number (E.164 digits without `+`) written for people; a value that is not one (an
/// erased contact's placeholder) gives an empty string.
pub fn display(digits: &str) -> String {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return String::new();
    }
    let code_len = if digits.starts_with('1') || digits.starts_with('7') {
        1
    } else if TWO_DIGIT_CODES.iter().any(|c| digits.starts_with(c)) {
        2
    } else {
        3
    };
    if digits.len() <= code_len {
        return format!("+{digits}");
    }
    let (code, rest) = digits.split_at(code_len);
    let national = match (code, rest.len()) {
        // Area code, then 8 digits (landline) or 9 (mobile) split before the last four.
        ("55", 10 | 11) if !rest.starts_with('0') => {
            let (area, subscriber) = rest.split_at(2);
            let (head, tail) = subscriber.split_at(subscriber.len() - 4);
            format!("({area}) {head}-{tail}")
        }
        ("1", 10) => format!("({}) {}-{}", &rest[..3], &rest[3..6], &rest[6..]),
        _ => groups(rest),
    };
    format!("+{code} {national}")
}

/// Digits in groups of three, a last lone digit joining the group before it.
fn groups(rest: &str) -> String {
    let mut cuts: Vec<usize> = (3..rest.len()).step_by(3).collect();
    if rest.len() % 3 == 1 {
        cuts.pop();
    }
    let mut out = String::with_capacity(rest.len() + cuts.len());
    let mut from = 0;
    for cut in cuts.into_iter().chain(std::iter::once(rest.len())) {
        if from > 0 {
            out.push(' ');
        }
        out.push_str(&rest[from..cut]);
        from = cut;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::display;

    #[test]
    fn brazilian_numbers_the_brazilian_way() {
        assert_eq!(display("5511981000000"), "+55 (11) 98100-0000");
        assert_eq!(display("551131000000"), "+55 (11) 3100-0000");
        assert_eq!(display("5521987654321"), "+55 (21) 98765-4321");
    }

    #[test]
    fn other_countries_with_their_code() {
        assert_eq!(display("14155550100"), "+1 (415) 555-0100");
        assert_eq!(display("351912345678"), "+351 912 345 678");
        assert_eq!(display("4915123456789"), "+49 151 234 567 89");
        assert_eq!(display("447911123456"), "+44 791 112 3456");
    }

    #[test]
    fn what_is_not_a_number_is_not_shown() {
        assert_eq!(display(""), "");
        assert_eq!(display("apagado-12"), "");
        assert_eq!(display("55"), "+55");
    }
}
