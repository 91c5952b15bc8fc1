//! Typing like a person: the `delay` Flow asks Evolution for (it shows "typing…" that long
//! before the message goes out) grows with the message's length, within bounds.

/// Milliseconds of typing per character.
pub const MS_PER_CHAR: u64 = 40;
/// The shortest typing time.
pub const MIN_MS: u64 = 1_000;
/// The longest typing time.
pub const MAX_MS: u64 = 8_000;

/// The typing delay for `text`: 40 ms per character, between 1 and 8 seconds.
pub fn delay_ms(text: &str) -> u64 {
    (text.chars().count() as u64 * MS_PER_CHAR).clamp(MIN_MS, MAX_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_with_length_within_bounds() {
        assert_eq!(delay_ms(""), 1_000);
        assert_eq!(delay_ms("Oi"), 1_000);
        assert_eq!(delay_ms(&"a".repeat(25)), 1_000);
        assert_eq!(delay_ms(&"a".repeat(50)), 2_000);
        assert_eq!(delay_ms(&"ç".repeat(100)), 4_000);
        assert_eq!(delay_ms(&"a".repeat(200)), 8_000);
        assert_eq!(delay_ms(&"a".repeat(5_000)), 8_000);
    }
}
