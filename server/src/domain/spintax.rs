//! Spintax (`{Olá|Oi}`, nestable, `\{` escapes): the one implementation lives in the shared
//! `app` crate, so the dashboard's preview spins like the sender. Its table tests live here.

pub use app::spintax::*;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn all(text: &str) -> BTreeSet<String> {
        Spintax::parse(text)
            .unwrap()
            .samples(50)
            .into_iter()
            .collect()
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parser_table() {
        let cases: &[(&str, &[&str])] = &[
            ("Olá", &["Olá"]),
            ("{Olá|Oi}", &["Olá", "Oi"]),
            (
                "{Olá|Oi} {{first_name}}!",
                &["Olá {{first_name}}!", "Oi {{first_name}}!"],
            ),
            ("{{ name }}", &["{{ name }}"]),
            ("{Oi|{Olá|Opa}}", &["Oi", "Olá", "Opa"]),
            ("{a|}b", &["ab", "b"]),
            ("\\{x\\}", &["{x}"]),
            ("{\\||x}", &["|", "x"]),
            ("a|b", &["a|b"]),
            ("c:\\\\d", &["c:\\d"]),
            ("\\n fica", &["\\n fica"]),
            ("{{{a|b}}}", &["a", "b"]),
            ("{ {a|b} }", &[" a ", " b "]),
        ];
        for (text, expected) in cases {
            assert_eq!(all(text), set(expected), "{text}");
        }
    }

    #[test]
    fn errors_say_where() {
        let cases: &[(&str, SpintaxError)] = &[
            ("Oi {a|b", SpintaxError::Unclosed { position: 4 }),
            ("{a|{b}", SpintaxError::Unclosed { position: 1 }),
            ("a}b", SpintaxError::UnexpectedClose { position: 2 }),
            ("ação}", SpintaxError::UnexpectedClose { position: 5 }),
            ("{{name}", SpintaxError::Unclosed { position: 1 }),
        ];
        for (text, err) in cases {
            assert_eq!(Spintax::parse(text).as_ref(), Err(err), "{text}");
        }
        assert!(
            SpintaxError::Unclosed { position: 4 }
                .to_string()
                .contains("character 4")
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_text() {
        let s = Spintax::parse("{Olá|Oi|E aí}, {tudo bem|como vai}?").unwrap();
        for seed in 0..100 {
            assert_eq!(s.spin(seed), s.spin(seed));
        }
        // Every option is reachable.
        assert_eq!(s.samples(100).len(), 6);
    }

    #[test]
    fn similarity() {
        assert_eq!(jaccard("Olá Maria", "olá maria!"), 1.0);
        assert_eq!(jaccard("a b", "c d"), 0.0);
        assert!(all_too_similar(&["Oi".into()]));
        assert!(all_too_similar(&[
            "Olá Maria, temos novidades hoje na loja".into(),
            "Olá Maria, temos novidades hoje na loja!".into(),
        ]));
        assert!(!all_too_similar(&[
            "Olá Maria, temos novidades".into(),
            "Bom dia! Chegou coleção nova".into(),
        ]));
    }

    proptest::proptest! {
        #[test]
        fn escaped_text_is_literal(text in "\\PC{0,40}") {
            let escaped = text
                .replace('\\', "\\\\")
                .replace('{', "\\{")
                .replace('}', "\\}")
                .replace('|', "\\|");
            let s = Spintax::parse(&escaped).unwrap();
            proptest::prop_assert_eq!(s.spin(1), text);
        }

        #[test]
        fn parse_never_panics(text in "[{}|\\\\a ]{0,30}") {
            if let Ok(s) = Spintax::parse(&text) {
                let _ = s.spin(3);
            }
        }
    }
}
