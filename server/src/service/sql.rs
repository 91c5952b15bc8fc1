//! Hand-written SQL that runs on SQLite and PostgreSQL alike: write it with `?` placeholders and
//! [`stmt`] numbers them for PostgreSQL.

use sea_orm::{DbBackend, Statement, Value};

/// A statement for `backend` from SQL written with `?` placeholders.
pub fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_string(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// `?, ?, ?` for `n` values.
pub fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_for_postgres() {
        let s = stmt(DbBackend::Postgres, "a = ? AND b IN (?, ?)", vec![]);
        assert_eq!(s.sql, "a = $1 AND b IN ($2, $3)");
        let s = stmt(DbBackend::Sqlite, "a = ?", vec![]);
        assert_eq!(s.sql, "a = ?");
        assert_eq!(placeholders(3), "?, ?, ?");
    }
}
