//! Parameter markers of the statements built at run time (multi-row inserts, event ids
//! allocated for many users at once). PostgreSQL numbers them (`$1`, `$2`, …); on SQLite
//! they are anonymous (`?`, bound in order). sqlx asks SQLite for the name of every
//! parameter it binds, and SQLite finds a parameter's name by walking the statement's
//! list of names, so binding a statement of n numbered parameters takes n²/2 steps
//! (`docs/benchmarks.md`, "anonymous parameters"). Anonymous markers have no name to
//! look up.
//!
//! A statement built here binds each value once, in the order its markers appear.

/// How a backend writes the markers of a generated statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Markers {
    /// `$1`, `$2`, … (PostgreSQL).
    Numbered,
    /// `?` each (SQLite).
    Anonymous,
}

impl Markers {
    /// The markers database `DB` gets.
    pub fn of<DB: sqlx::Database>() -> Self {
        if DB::NAME == "SQLite" {
            Self::Anonymous
        } else {
            Self::Numbered
        }
    }

    /// Appends the marker of the `n`th parameter (from 1).
    pub fn push(self, sql: &mut String, n: usize) {
        match self {
            Self::Numbered => {
                sql.push('$');
                sql.push_str(&n.to_string());
            }
            Self::Anonymous => sql.push('?'),
        }
    }

    /// `count` markers from parameter `first` on, separated by `, `.
    pub fn list(self, sql: &mut String, first: usize, count: usize) {
        for i in 0..count {
            if i > 0 {
                sql.push_str(", ");
            }
            self.push(sql, first + i);
        }
    }
}

/// `head` followed by `rows` tuples of `columns` parameters each:
/// `head VALUES ($1, $2), ($3, $4)`.
pub(crate) fn values_sql(markers: Markers, head: &str, rows: usize, columns: usize) -> String {
    let mut sql = String::with_capacity(head.len() + 8 + rows * columns * 6);
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        markers.list(&mut sql, row * columns + 1, columns);
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_numbered_row_after_row_on_postgres() {
        assert_eq!(
            values_sql(Markers::Numbered, "INSERT INTO t (a, b)", 2, 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            values_sql(Markers::Numbered, "X", 1, 3),
            "X VALUES ($1, $2, $3)"
        );
    }

    #[test]
    fn values_are_anonymous_on_sqlite() {
        assert_eq!(
            values_sql(Markers::Anonymous, "INSERT INTO t (a, b)", 2, 2),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
        assert_eq!(Markers::of::<sqlx::Sqlite>(), Markers::Anonymous);
        assert_eq!(Markers::of::<sqlx::Postgres>(), Markers::Numbered);
    }
}
