//! `presence.update`: contacts seen online, aggregated without a row per event. Each contact
//! has at most one row per weekday × hour of the tenant's timezone (168), counting the hours
//! they were seen in: repeated events within one clock hour count once. The raw events live
//! only as long as the webhook retention keeps them.

use chrono::{DateTime, Duration, Timelike, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use crate::domain::best_hours::slot_of;
use crate::domain::timezone::tz_of;
use crate::evolution::Presence;
use crate::ingest::people::identity;
use crate::ingest::{Ctx, InstanceRef, Outcome};
use crate::sql::stmt;

/// Applies the contacts seen online in one event.
pub(super) async fn apply(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    seen: &[Presence],
) -> Result<Outcome, DbErr> {
    #[derive(FromQueryResult)]
    struct Zone {
        timezone: String,
    }
    #[derive(FromQueryResult)]
    struct Person {
        id: i64,
    }
    let backend = ctx.txn.get_database_backend();
    let tz = Zone::find_by_statement(stmt(
        backend,
        "SELECT timezone FROM tenant WHERE id = ?",
        vec![instance.tenant_id.into()],
    ))
    .one(ctx.txn)
    .await?
    .map_or(chrono_tz::America::Sao_Paulo, |z| tz_of(&z.timezone));
    let local = ctx.now.with_timezone(&tz);
    let slot = slot_of(local.naive_local());
    let hour_began: DateTime<Utc> = ctx.now
        - Duration::minutes(i64::from(local.minute()))
        - Duration::seconds(i64::from(local.second()))
        - Duration::nanoseconds(i64::from(local.nanosecond()));
    let mut outcome = Outcome::Ignored;
    for presence in seen {
        let key = identity(
            ctx,
            instance.tenant_id,
            presence.phone.as_deref(),
            presence.lid.as_deref(),
        )
        .await?;
        let Some(key) = key else { continue };
        let person = Person::find_by_statement(stmt(
            backend,
            "SELECT id FROM contact WHERE tenant_id = ? AND phone_key = ? AND erased_at IS NULL \
             AND merged_into_id IS NULL ORDER BY id LIMIT 1",
            vec![instance.tenant_id.into(), key.into()],
        ))
        .one(ctx.txn)
        .await?;
        let Some(person) = person else { continue };
        ctx.txn
            .execute_raw(stmt(
                backend,
                "INSERT INTO presence_hour (tenant_id, contact_id, weekday, hour, seen, last_at) \
                 VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (contact_id, weekday, hour) DO UPDATE SET \
                 seen = presence_hour.seen + \
                 (CASE WHEN presence_hour.last_at < ? THEN 1 ELSE 0 END), last_at = excluded.last_at",
                vec![
                    instance.tenant_id.into(),
                    person.id.into(),
                    i16::from(slot.weekday).into(),
                    i16::from(slot.hour).into(),
                    ctx.now.into(),
                    hour_began.into(),
                ],
            ))
            .await?;
        outcome = Outcome::Updated;
    }
    Ok(outcome)
}
