//! Contacts that keep themselves up to date: the `@lid` ↔ phone pairs WhatsApp reveals (so a
//! later `@lid`-only read, reply or opt-out reaches the right person) and the push names that
//! fill a contact's empty name (never one the team typed or imported).

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use crate::domain::phone;
use crate::evolution::ContactSeen;
use crate::ingest::{Ctx, InstanceRef, Outcome};
use crate::sql::stmt;

/// The identity (`phone_key`) of the person with `phone`, or else of the person `lid` was
/// learnt to be.
pub(super) async fn identity(
    ctx: &Ctx<'_>,
    tenant_id: i64,
    phone: Option<&str>,
    lid: Option<&str>,
) -> Result<Option<String>, DbErr> {
    if let Some(phone) = phone {
        return Ok(Some(phone::identity_key(phone)));
    }
    let Some(lid) = lid else {
        return Ok(None);
    };
    #[derive(FromQueryResult)]
    struct Pair {
        phone_key: String,
    }
    Ok(Pair::find_by_statement(stmt(
        ctx.txn.get_database_backend(),
        "SELECT phone_key FROM contact_lid WHERE tenant_id = ? AND lid = ?",
        vec![tenant_id.into(), lid.into()],
    ))
    .one(ctx.txn)
    .await?
    .map(|p| p.phone_key))
}

/// Remembers that `lid` is the person with `phone` (a later pair for the same `lid` wins:
/// WhatsApp is the authority on its own ids).
pub(super) async fn learn_lid(
    ctx: &Ctx<'_>,
    tenant_id: i64,
    lid: &str,
    phone: &str,
) -> Result<(), DbErr> {
    ctx.txn
        .execute_raw(stmt(
            ctx.txn.get_database_backend(),
            "INSERT INTO contact_lid (tenant_id, lid, phone_key, learnt_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (tenant_id, lid) DO UPDATE SET phone_key = excluded.phone_key, \
             learnt_at = excluded.learnt_at WHERE contact_lid.phone_key <> excluded.phone_key",
            vec![
                tenant_id.into(),
                lid.into(),
                phone::identity_key(phone).into(),
                ctx.now.into(),
            ],
        ))
        .await?;
    Ok(())
}

/// Gives the person `phone_key` the name `push_name` where their name is empty (never over a
/// name the team typed or imported; never to an erased contact). Answers whether a name was
/// filled.
pub(super) async fn fill_name(
    ctx: &Ctx<'_>,
    tenant_id: i64,
    phone_key: &str,
    push_name: &str,
) -> Result<bool, DbErr> {
    let name: String = push_name.trim().chars().take(200).collect();
    if name.is_empty() {
        return Ok(false);
    }
    let changed = ctx
        .txn
        .execute_raw(stmt(
            ctx.txn.get_database_backend(),
            "UPDATE contact SET name = ?, updated_at = ? \
             WHERE tenant_id = ? AND phone_key = ? AND name = '' AND erased_at IS NULL",
            vec![
                name.into(),
                ctx.now.into(),
                tenant_id.into(),
                phone_key.into(),
            ],
        ))
        .await?
        .rows_affected();
    Ok(changed > 0)
}

/// What WhatsApp told about contacts (`contacts.upsert` / `contacts.update`): pairs learnt,
/// empty names filled. Contacts Flow does not know are not created.
pub(super) async fn apply_seen(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    seen: &[ContactSeen],
) -> Result<Outcome, DbErr> {
    let mut outcome = Outcome::Ignored;
    for contact in seen {
        if let (Some(lid), Some(phone)) = (&contact.lid, &contact.phone) {
            learn_lid(ctx, instance.tenant_id, lid, phone).await?;
        }
        let Some(push_name) = &contact.push_name else {
            continue;
        };
        let key = identity(
            ctx,
            instance.tenant_id,
            contact.phone.as_deref(),
            contact.lid.as_deref(),
        )
        .await?;
        if let Some(key) = key
            && fill_name(ctx, instance.tenant_id, &key, push_name).await?
        {
            outcome = Outcome::Updated;
        }
    }
    Ok(outcome)
}
