//! Substring search through the trigram index (issue 26), on SQLite and PostgreSQL: on
//! generated contacts, every search by part of a name or of a number returns exactly what
//! today's scan of the table returns; and the index follows imports, corrections and erasures.

mod common;

use common::{Tenant, TestApp};
use flow_server::domain::phone;
use flow_server::service::contacts::{self, LISTED, Search};
use flow_server::sql::stmt;
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait};
use serde_json::json;

on_both_databases!(
    substring_search_returns_what_the_scan_returns,
    the_index_follows_imports_corrections_and_erasures,
);

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
}

const FIRST: &[&str] = &[
    "Ana",
    "ANA",
    "João",
    "JOÃO",
    "Zé",
    "Maria",
    "María",
    "Conceição",
    "CONCEIÇÃO",
    "Luís",
    "Érica",
    "érica",
    "Pedro",
    "Iara",
    "Çá",
    "Bia",
    "Tião",
    "André",
    "ângela",
    "Ângela",
];
const LAST: &[&str] = &[
    "Silva",
    "Souza",
    "d'Ávila",
    "Araújo",
    "SANTOS",
    "Lima",
    "Pão_de Queijo",
    "100% Feliz",
    "Gonçalves",
    "Ferreira",
    "de Sá",
    "O'Neil",
    "Müller",
    "Pereira",
    "Costa",
    "\\barra",
];

/// Generated people: a name from the lists above (accents, capitals, `%`, `_`, `\`) and a
/// Brazilian mobile.
fn people(rng: &mut Rng, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let name = format!("{} {} {}", rng.pick(FIRST), rng.pick(LAST), rng.below(1000));
            let phone = format!(
                "+55 {} 9{:04}-{:04}",
                11 + rng.below(80),
                rng.below(10_000),
                i % 10_000
            );
            (name, phone)
        })
        .collect()
}

/// A piece of `s`: `len` characters from a random place.
fn piece(rng: &mut Rng, s: &str, len: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let len = len.min(chars.len());
    let start = rng.below(chars.len() - len + 1);
    chars[start..start + len].iter().collect()
}

/// The ids today's scan finds for `q`: the same `LIKE` the search runs, with no index in the
/// way (SQLite: no FTS table; PostgreSQL: no bitmap scan, the only way to a GIN index).
async fn scanned(app: &TestApp, tenant: &Tenant, q: &str) -> Vec<i64> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let backend = app.state.db.backend();
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let (condition, pattern) = if q.chars().any(char::is_alphabetic) || digits.is_empty() {
        let escaped = q
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        ("LOWER(c.name) LIKE ? ESCAPE '\\'", format!("%{escaped}%"))
    } else {
        ("c.phone LIKE ?", format!("%{digits}%"))
    };
    let txn = app.state.db.write.begin().await.unwrap();
    if matches!(app.backend, common::Backend::Postgres) {
        txn.execute_unprepared("SET LOCAL enable_bitmapscan = off")
            .await
            .unwrap();
    }
    let ids = Id::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT c.id FROM contact c WHERE c.tenant_id = ? AND {LISTED} AND {condition} \
             ORDER BY c.id"
        ),
        vec![tenant.id.into(), pattern.into()],
    ))
    .all(&txn)
    .await
    .unwrap()
    .into_iter()
    .map(|r| r.id)
    .collect();
    txn.commit().await.unwrap();
    ids
}

/// The ids the search finds for `q`, all of them.
async fn searched(app: &TestApp, tenant: &Tenant, q: &str) -> Vec<i64> {
    let search = Search {
        q: Some(q.to_string()),
        ..Search::default()
    };
    contacts::search(&app.state.db, tenant.id, &search, None, 100_000, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect()
}

/// Imports `rows` through an import job (the trigram index is written by the import).
async fn import(app: &TestApp, tenant: &Tenant, rows: &[(String, String)]) {
    let mut csv = String::from("nome;celular\n");
    for (name, phone) in rows {
        csv.push_str(&format!("\"{}\";{phone}\n", name.replace('"', "\"\"")));
    }
    let job = app.import_file(tenant, csv).await;
    assert_eq!(job["status"], "done", "{job}");
}

async fn substring_search_returns_what_the_scan_returns(app: TestApp) {
    let tenant = app.tenant("Loja").await;
    let other = app.tenant("Vizinha").await;
    let mut rng = Rng(0x5eed_f10e);
    let rows = people(&mut rng, 1500);
    import(&app, &tenant, &rows).await;
    // Another tenant's people share the index: they must never show.
    import(&app, &other, &people(&mut rng, 300)).await;

    let mut queries: Vec<String> = vec![
        "ana".into(),
        "ÃO".into(),
        "ção".into(),
        "100%".into(),
        "o_n".into(),
        "pão_".into(),
        "\\bar".into(),
        "d'á".into(),
        "zz".into(),
        "é".into(),
        "xyzw".into(),
        "9999".into(),
        "-12".into(),
    ];
    for _ in 0..150 {
        let (name, phone) = &rows[rng.below(rows.len())];
        let len = 1 + rng.below(7);
        let mut q = piece(&mut rng, name, len);
        if rng.below(3) == 0 {
            q = q.to_uppercase();
        }
        queries.push(q);
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let len = 3 + rng.below(6);
        queries.push(piece(&mut rng, &digits, len));
    }
    let mut compared = 0;
    for q in queries {
        let q = q.trim().to_string();
        // A whole number is a lookup by identity, not a substring search.
        if q.is_empty() || phone::parse(&q, phone::Country::BRAZIL).is_ok() {
            continue;
        }
        let want = scanned(&app, &tenant, &q).await;
        let got = searched(&app, &tenant, &q).await;
        assert_eq!(got, want, "search {q:?}");
        compared += 1;
    }
    assert!(compared > 250, "only {compared} searches compared");
}

/// Ids of the tenant's contacts whose name or number holds `q`, as the API finds them.
async fn found(app: &TestApp, tenant: &Tenant, q: &str) -> Vec<i64> {
    let (status, rows) = app
        .get(
            &tenant.token,
            &format!("/api/v1/contacts?q={}", q.replace(' ', "%20")),
        )
        .await;
    assert_eq!(status, 200, "{rows}");
    rows.as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

async fn the_index_follows_imports_corrections_and_erasures(app: TestApp) {
    let tenant = app.tenant("Loja").await;
    import(
        &app,
        &tenant,
        &[
            ("Quitéria Bonfim".into(), "+55 21 97654-3210".into()),
            ("Zuleide Prado".into(), "+55 31 98877-6655".into()),
        ],
    )
    .await;
    let quiteria = found(&app, &tenant, "itéria bon").await;
    assert_eq!(
        quiteria.len(),
        1,
        "an imported name is found by a part of it"
    );
    assert_eq!(found(&app, &tenant, "7654-32").await, quiteria);
    let id = quiteria[0];

    // A correction (name and number): the new values are found, the old ones no longer.
    let (status, body) = app
        .patch(
            &tenant.token,
            &format!("/api/v1/contacts/{id}"),
            json!({"name": "Quitéria Vasconcelos", "phone": "+55 21 93456-7890"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(found(&app, &tenant, "vasconce").await, vec![id]);
    assert_eq!(found(&app, &tenant, "3456-78").await, vec![id]);
    assert!(found(&app, &tenant, "bonfim").await.is_empty());
    assert!(found(&app, &tenant, "7654-32").await.is_empty());

    // An erasure: neither the name nor the number finds the person any more.
    let (status, body) = app
        .delete(&tenant.token, &format!("/api/v1/contacts/{id}"))
        .await;
    assert_eq!(status, 204, "{body}");
    assert!(found(&app, &tenant, "vasconce").await.is_empty());
    assert!(found(&app, &tenant, "3456-78").await.is_empty());
    let zuleide = found(&app, &tenant, "leide pra").await;
    assert_eq!(zuleide.len(), 1, "the neighbour is still found");

    // The index is there and is what the search uses.
    let plan = explain(&app, &tenant, "leide pra").await;
    let index = match app.backend {
        common::Backend::Sqlite => "contact_search",
        common::Backend::Postgres => "ix_contact_name_trgm",
    };
    assert!(
        plan.contains(index),
        "the search does not use {index}: {plan}"
    );
}

/// The query plan of the search for `q` (on PostgreSQL with sequential and plain index scans
/// priced out, as they are at a million contacts against a selective substring).
async fn explain(app: &TestApp, tenant: &Tenant, q: &str) -> String {
    let backend = app.state.db.backend();
    let search = Search {
        q: Some(q.to_string()),
        ..Search::default()
    };
    let (condition, extra) = search
        .condition(backend, phone::Country::BRAZIL)
        .expect("condition");
    // On PostgreSQL the tenant's own index wins on a table this small: the search's condition
    // alone shows which index serves it.
    let (mut values, tenant_condition): (Vec<sea_orm::Value>, _) = match app.backend {
        common::Backend::Sqlite => (vec![tenant.id.into()], "c.tenant_id = ?"),
        common::Backend::Postgres => (Vec::new(), "TRUE"),
    };
    values.extend(extra);
    let query = format!("SELECT c.id FROM contact c WHERE {tenant_condition}{condition}");
    let txn = app.state.db.write.begin().await.unwrap();
    let (sql, column) = match app.backend {
        common::Backend::Sqlite => (format!("EXPLAIN QUERY PLAN {query}"), "detail"),
        common::Backend::Postgres => {
            for setting in ["enable_seqscan", "enable_indexscan"] {
                txn.execute_unprepared(&format!("SET LOCAL {setting} = off"))
                    .await
                    .unwrap();
            }
            (format!("EXPLAIN {query}"), "QUERY PLAN")
        }
    };
    let lines: Vec<String> = txn
        .query_all_raw(stmt(backend, &sql, values))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", column).unwrap())
        .collect();
    txn.commit().await.unwrap();
    lines.join("\n")
}
