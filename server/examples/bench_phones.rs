//! What reading phone numbers costs: parses N numbers (default 1,000,000) written four ways a
//! Brazilian spreadsheet writes them (`(11) 9…`, `011 9…`, `+55 11 9…`, `11 8…` without the ninth
//! digit) with `phone::parse`, and, in the same run as the baseline, keeps only their digits (what
//! Flow did before numbers were parsed). Prints numbers per second and nanoseconds per number.
//! Used by `bench/audience.sh`.
//!
//! `cargo run --release --example bench_phones -- [numbers]`

use std::hint::black_box;
use std::time::Instant;

use flow_server::domain::phone::{self, Country};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().expect("numbers"));
    let written: Vec<String> = (0..n)
        .map(|i| {
            let d = 10_000_000 + i % 90_000_000;
            let (a, b) = (d / 10_000, d % 10_000);
            match i % 4 {
                0 => format!("(11) 9{a:04}-{b:04}"),
                1 => format!("011 9{a:04} {b:04}"),
                2 => format!("+55 11 9{a:04}-{b:04}"),
                _ => format!("11 {}-{b:04}", 6000 + a % 4000),
            }
        })
        .collect();
    let time = |label: &str, f: &dyn Fn(&str) -> usize| {
        let start = Instant::now();
        let mut kept = 0;
        for w in &written {
            kept += black_box(f(w));
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "    {label:<34} {:>12.0} numbers/s   {:>7.0} ns/number   ({kept} kept)",
            n as f64 / secs,
            secs * 1e9 / n as f64
        );
    };
    time("digits only (baseline)", &|w| {
        w.chars().filter(char::is_ascii_digit).count().min(1)
    });
    time("phone::parse (BR)", &|w| {
        usize::from(phone::parse(w, Country::BRAZIL).is_ok())
    });
}
