//! Lock order on PostgreSQL, where several nodes write at once: every write that
//! allocates event ids for more than one user (a hug batch, a mood's fan-out to
//! friends) first locks those users' rows in ascending id order. An `UPDATE … WHERE id
//! IN (…)` alone locks rows in whatever order its plan visits them, so two such writes
//! could each hold a row the other waits for; locked in one global order, they queue
//! instead. (The one-by-one fallback of a hug batch follows the same order:
//! `hugs::lock_order` sorts by recipient id, and UUIDs compare the same in Rust and
//! PostgreSQL.) SQLite has one writer and no row locks, so it skips this.

/// Whether database `DB` needs explicit row locks (PostgreSQL).
pub(crate) fn takes_row_locks<DB: sqlx::Database>() -> bool {
    DB::NAME == "PostgreSQL"
}

/// `SELECT … ORDER BY id FOR UPDATE` for `count` ids: PostgreSQL locks rows as they
/// leave the sort, so in id order.
fn lock_sql(count: usize) -> String {
    let ids: Vec<String> = (1..=count).map(|i| format!("${i}")).collect();
    format!(
        "SELECT id FROM users WHERE id IN ({}) ORDER BY id FOR UPDATE",
        ids.join(", ")
    )
}

/// Locks the rows of `users` in id order, inside `tx`.
pub(crate) async fn lock_users<DB>(
    tx: &mut sqlx::Transaction<'_, DB>,
    users: &[uuid::Uuid],
) -> crate::error::EngineResult<()>
where
    DB: sqlx::Database,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'c> &'c mut <DB as sqlx::Database>::Connection: sqlx::Executor<'c, Database = DB>,
    uuid::Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    if users.is_empty() {
        return Ok(());
    }
    let sql = lock_sql(users.len());
    let mut query = sqlx::query::<DB>(&sql);
    for user in users {
        query = query.bind(*user);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn locks_in_id_order() {
        assert_eq!(
            super::lock_sql(2),
            "SELECT id FROM users WHERE id IN ($1, $2) ORDER BY id FOR UPDATE"
        );
    }

    #[test]
    fn only_postgres_takes_row_locks() {
        assert!(super::takes_row_locks::<sqlx::Postgres>());
        assert!(!super::takes_row_locks::<sqlx::Sqlite>());
    }
}
