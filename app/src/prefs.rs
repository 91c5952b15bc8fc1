//! The reader's preferences for one page: the language (the user's saved choice, else the
//! browser's `Accept-Language`, else pt-BR) and the tenant's timezone (default
//! `America/Sao_Paulo`), with the number and date formats that follow from them.
//!
//! The server resolves them once per request (see `server::dashboard::prefs`) and writes them on
//! `<html lang=… data-tz=…>`; the browser reads them back from there when it hydrates, so both
//! render the same text.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use leptos::prelude::*;
use leptos_i18n::Locale as _;

use crate::i18n::Locale;

/// The timezone of a tenant that has not chosen one.
pub const DEFAULT_TZ: Tz = chrono_tz::America::Sao_Paulo;

/// The name of the `<html>` attribute that carries the timezone to the browser.
pub const TZ_ATTR: &str = "data-tz";

/// Language and timezone of one page view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prefs {
    /// The language pages are written in.
    pub locale: Locale,
    /// The timezone times are shown in (the tenant's).
    pub tz: Tz,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            locale: Locale::pt_BR,
            tz: DEFAULT_TZ,
        }
    }
}

/// The locale a saved choice names (`pt-BR`, `en`), if it is one Flow speaks.
pub fn parse_locale(tag: &str) -> Option<Locale> {
    Locale::get_all()
        .iter()
        .copied()
        .find(|l| l.as_str().eq_ignore_ascii_case(tag.trim()))
}

/// The tag a locale is saved and announced as (`pt-BR`, `en`).
pub fn locale_tag(locale: Locale) -> &'static str {
    locale.as_str()
}

/// The best locale for an `Accept-Language` header (`en-US,en;q=0.9,pt;q=0.5`), or `None`
/// when it names no language Flow speaks.
pub fn from_accept_language(header: &str) -> Option<Locale> {
    let mut tags: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';');
            let tag = it.next()?.trim();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (!tag.is_empty() && tag != "*" && q > 0.0).then_some((q, tag))
        })
        .collect();
    // A stable sort keeps the header's order among equal weights.
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    tags.into_iter().find_map(|(_, tag)| {
        let lang = tag.split('-').next().unwrap_or(tag);
        Locale::get_all()
            .iter()
            .copied()
            .find(|l| l.as_str().eq_ignore_ascii_case(tag))
            .or_else(|| {
                Locale::get_all().iter().copied().find(|l| {
                    l.as_str()
                        .split('-')
                        .next()
                        .is_some_and(|b| b.eq_ignore_ascii_case(lang))
                })
            })
    })
}

impl Prefs {
    /// Resolves the language (saved choice, else `Accept-Language`, else pt-BR) and the
    /// timezone (an IANA name, else the default).
    pub fn resolve(
        saved: Option<&str>,
        accept_language: Option<&str>,
        timezone: Option<&str>,
    ) -> Self {
        let locale = saved
            .and_then(parse_locale)
            .or_else(|| accept_language.and_then(from_accept_language))
            .unwrap_or(Locale::pt_BR);
        let tz = timezone.and_then(|t| t.parse().ok()).unwrap_or(DEFAULT_TZ);
        Prefs { locale, tz }
    }

    /// Whether numbers use a comma for decimals and a dot for thousands (pt-BR).
    fn comma_decimals(self) -> bool {
        self.locale == Locale::pt_BR
    }

    /// An integer with thousands separators: `1.234` (pt-BR), `1,234` (en).
    pub fn num(self, n: i64) -> String {
        let sep = if self.comma_decimals() { '.' } else { ',' };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    }

    /// A number with `places` decimals: `1,8` (pt-BR), `1.8` (en).
    pub fn decimal(self, x: f64, places: usize) -> String {
        let s = format!("{x:.places$}");
        if self.comma_decimals() {
            s.replace('.', ",")
        } else {
            s
        }
    }

    /// An amount in reais: `R$ 1.234,50` (pt-BR), `R$1,234.50` (en).
    pub fn money(self, reais: f64) -> String {
        if self.comma_decimals() {
            format!("R$ {}", self.amount(reais))
        } else {
            format!("R${}", self.amount(reais))
        }
    }

    /// An amount with cents and no currency: `1.234,50` (pt-BR), `1,234.50` (en).
    pub fn amount(self, value: f64) -> String {
        let cents = (value * 100.0).round() as i64;
        let (whole, frac) = (cents / 100, (cents % 100).abs());
        let point = if self.comma_decimals() { ',' } else { '.' };
        format!("{}{point}{frac:02}", self.num(whole))
    }

    /// A file size: `830 KB`, `4,2 MB` (pt-BR), `4.2 MB` (en).
    pub fn bytes(self, n: i64) -> String {
        const MB: f64 = 1024.0 * 1024.0;
        if (n as f64) < MB {
            format!("{} KB", self.num((n + 1023) / 1024))
        } else {
            format!("{} MB", self.decimal(n as f64 / MB, 1))
        }
    }

    /// A percentage with one decimal: `90,6%` (pt-BR), `90.6%` (en).
    pub fn pct(self, p: f64) -> String {
        let s = format!("{p:.1}%");
        if self.comma_decimals() {
            s.replace('.', ",")
        } else {
            s
        }
    }

    /// An RFC 3339 time in the tenant's timezone: `30/11/2026 14:05` (pt-BR),
    /// `11/30/2026 2:05 PM` (en); `—` when absent.
    pub fn when(self, t: Option<&str>) -> String {
        self.format(t, "%d/%m/%Y %H:%M", "%m/%d/%Y %-I:%M %p")
    }

    /// A compact time for dense tables: `30/11 14:05` (pt-BR), `11/30 2:05 PM` (en).
    pub fn short(self, t: Option<&str>) -> String {
        self.format(t, "%d/%m %H:%M", "%m/%d %-I:%M %p")
    }

    /// Only the clock time: `14:05` (pt-BR), `2:05 PM` (en).
    pub fn clock(self, t: &str) -> String {
        self.format(Some(t), "%H:%M", "%-I:%M %p")
    }

    /// An RFC 3339 time as RFC 3339 in the tenant's timezone, for files people open in
    /// spreadsheets: `2026-11-30T14:05:06-03:00`; empty when absent.
    pub fn iso(self, t: Option<&str>) -> String {
        match t {
            None => String::new(),
            Some(t) => self.format(Some(t), "%Y-%m-%dT%H:%M:%S%:z", "%Y-%m-%dT%H:%M:%S%:z"),
        }
    }

    fn format(self, t: Option<&str>, pt: &str, en: &str) -> String {
        let Some(t) = t else {
            return "—".to_string();
        };
        match DateTime::parse_from_rfc3339(t) {
            Ok(at) => {
                let pattern = if self.comma_decimals() { pt } else { en };
                at.with_timezone(&Utc)
                    .with_timezone(&self.tz)
                    .format(pattern)
                    .to_string()
            }
            Err(_) => t.to_string(),
        }
    }

    /// The preferences of the page being rendered: on the server those the request carries
    /// (resolved by the server for this user) or its `Accept-Language`; in the browser those
    /// written on `<html>`.
    pub fn current() -> Self {
        #[cfg(feature = "ssr")]
        {
            let Some(parts) = use_context::<http::request::Parts>() else {
                return Prefs::default();
            };
            if let Some(p) = parts.extensions.get::<Prefs>() {
                return *p;
            }
            let accept = parts
                .headers
                .get(http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok());
            Prefs::resolve(None, accept, None)
        }
        #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
        {
            let root = document().document_element();
            let attr = |name: &str| root.as_ref().and_then(|r| r.get_attribute(name));
            Prefs::resolve(attr("lang").as_deref(), None, attr(TZ_ATTR).as_deref())
        }
        #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
        {
            Prefs::default()
        }
    }
}

/// The preferences the app provided for this page (the defaults outside of it).
pub fn use_prefs() -> Prefs {
    use_context::<Prefs>().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: &str = "2026-11-30T17:05:06.000Z";

    #[test]
    fn formats_in_the_locale_and_the_tenant_timezone() {
        let pt = Prefs::default();
        assert_eq!(pt.num(1234), "1.234");
        assert_eq!(pt.num(-1234567), "-1.234.567");
        assert_eq!(pt.pct(90.56), "90,6%");
        assert_eq!(pt.money(1234.5), "R$ 1.234,50");
        assert_eq!(pt.money(0.07), "R$ 0,07");
        assert_eq!(pt.amount(1234.5), "1.234,50");
        assert_eq!(pt.when(Some(AT)), "30/11/2026 14:05");
        assert_eq!(pt.short(Some(AT)), "30/11 14:05");
        assert_eq!(pt.when(None), "—");
        assert_eq!(pt.iso(Some(AT)), "2026-11-30T14:05:06-03:00");
        assert_eq!(pt.iso(None), "");
        let en = Prefs {
            locale: Locale::en,
            tz: chrono_tz::UTC,
        };
        assert_eq!(en.num(1234), "1,234");
        assert_eq!(en.pct(90.56), "90.6%");
        assert_eq!(en.money(1234.5), "R$1,234.50");
        assert_eq!(en.when(Some(AT)), "11/30/2026 5:05 PM");
        assert_eq!(en.clock(AT), "5:05 PM");
    }

    #[test]
    fn resolves_saved_choice_then_accept_language_then_portuguese() {
        let r = |s, a| Prefs::resolve(s, a, None).locale;
        assert_eq!(r(Some("en"), Some("pt-BR")), Locale::en);
        assert_eq!(r(None, Some("en-US,en;q=0.9")), Locale::en);
        assert_eq!(r(None, Some("fr-FR, en;q=0.5, pt;q=0.8")), Locale::pt_BR);
        assert_eq!(r(None, Some("de")), Locale::pt_BR);
        assert_eq!(r(None, None), Locale::pt_BR);
        assert_eq!(r(Some("xx"), Some("en")), Locale::en);
        let tz = Prefs::resolve(None, None, Some("Europe/Lisbon")).tz;
        assert_eq!(tz, chrono_tz::Europe::Lisbon);
        assert_eq!(Prefs::resolve(None, None, Some("Mars/Base")).tz, DEFAULT_TZ);
    }
}
