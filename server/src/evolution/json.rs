//! Small lenient readers over `serde_json::Value`, shared by the Evolution parsers.
//!
//! Evolution's payloads change shape between versions (numbers vs strings, protobuf `Long`
//! objects, missing keys), so every reader here returns `None` instead of failing, and none
//! of them can panic.

use serde_json::Value;

/// The value at `path` (object keys), if every step exists.
pub(crate) fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |current, key| current.get(key))
}

/// A string at `path` that is not empty or blank.
pub(crate) fn non_blank_str<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(value, path)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// A boolean, also accepting the strings `"true"` / `"false"`.
pub(crate) fn lenient_bool(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// An integer given as a JSON number (integral or float, truncated), a decimal string, or
/// a protobuf `Long` object `{low, high, unsigned?}`.
pub(crate) fn lenient_i64(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.abs() < 9.0e18)
                // Within i64's range (checked above): the cast only drops the fraction.
                .map(|f| f.trunc() as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        Value::Object(map) => {
            let low = map.get("low")?.as_i64()?;
            let high = map.get("high").map_or(Some(0), Value::as_i64)?;
            // Long.js keeps both halves as signed 32-bit ints; accept unsigned lows too.
            if !(i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&low) {
                return None;
            }
            let high = i32::try_from(high).ok()?;
            Some((i64::from(high) << 32) | (low & 0xFFFF_FFFF))
        }
        _ => None,
    }
}

/// JSON type with its article ("an array", "null"), for error messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lenient_i64_accepts_every_timestamp_encoding() {
        let cases = [
            (json!(1761055611), Some(1761055611)),
            (json!(1761055611.0), Some(1761055611)),
            (json!("1719410000"), Some(1719410000)),
            (json!(" 1719410000 "), Some(1719410000)),
            (
                json!({"low": 1719410000, "high": 0, "unsigned": true}),
                Some(1719410000),
            ),
            (json!({"low": -1, "high": 0}), Some(4294967295)),
            (json!({"low": 0, "high": 1}), Some(4294967296)),
            (json!({"low": 5}), Some(5)),
            (json!({"low": 5, "high": 99999999999_i64}), None),
            (json!({"low": 99999999999_i64, "high": 0}), None),
            (json!({"high": 0}), None),
            (json!(1e300), None),
            (json!("soon"), None),
            (json!(null), None),
            (json!([1]), None),
            (json!(true), None),
        ];
        for (value, expected) in cases {
            assert_eq!(lenient_i64(Some(&value)), expected, "{value}");
        }
        assert_eq!(lenient_i64(None), None);
    }

    #[test]
    fn lenient_bool_accepts_strings() {
        assert_eq!(lenient_bool(Some(&json!(true))), Some(true));
        assert_eq!(lenient_bool(Some(&json!("false"))), Some(false));
        assert_eq!(lenient_bool(Some(&json!("TRUE"))), Some(true));
        assert_eq!(lenient_bool(Some(&json!(1))), None);
        assert_eq!(lenient_bool(None), None);
    }

    #[test]
    fn non_blank_str_skips_blank_and_non_strings() {
        let v = json!({"a": {"b": "x", "c": "  ", "d": 3}});
        assert_eq!(non_blank_str(&v, &["a", "b"]), Some("x"));
        assert_eq!(non_blank_str(&v, &["a", "c"]), None);
        assert_eq!(non_blank_str(&v, &["a", "d"]), None);
        assert_eq!(non_blank_str(&v, &["a", "b", "z"]), None);
        assert_eq!(non_blank_str(&json!([1, 2]), &["a"]), None);
    }
}
