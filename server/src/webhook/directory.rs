//! Finding the instance a webhook comes from, by its secret (URL or bearer) or by its name
//! (JWT and body-apikey modes). Secret lookups are cached: the hot path does not query the
//! database to authenticate.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};

use crate::db::Db;
use crate::entities::whatsapp_instance;
use crate::ingest::InstanceRef;

/// An instance with the credentials its webhooks may carry.
#[derive(Debug)]
pub struct KnownInstance {
    /// Who it is.
    pub instance: InstanceRef,
    /// The webhook secret (URL, bearer, JWT key).
    pub secret: String,
    /// The Evolution api key (the body's `apikey` mode).
    pub api_key: String,
}

/// How long a cached secret is trusted before it is looked up again: an instance removed on
/// another server of the deployment stops authenticating here within this time.
const CACHE_FOR: Duration = Duration::from_secs(60);

/// Cached instances by webhook secret, with a generation that every forget and clear moves
/// on: a lookup that read the database before one of them may hold a secret that was just
/// removed or rotated, and must not put it back (it would authenticate for [`CACHE_FOR`]).
#[derive(Default)]
struct SecretCache {
    entries: HashMap<String, (Arc<KnownInstance>, Instant)>,
    generation: u64,
}

impl SecretCache {
    /// The fresh entry of `secret`.
    fn get(&self, secret: &str) -> Option<Arc<KnownInstance>> {
        self.entries
            .get(secret)
            .filter(|(_, at)| at.elapsed() < CACHE_FOR)
            .map(|(k, _)| k.clone())
    }

    /// Stores what a lookup that started at `generation` found, unless something was
    /// forgotten since.
    fn put(&mut self, generation: u64, secret: &str, found: Option<&Arc<KnownInstance>>) {
        match found {
            Some(k) if self.generation == generation => {
                self.entries
                    .insert(k.secret.clone(), (k.clone(), Instant::now()));
            }
            Some(_) => {}
            None => {
                self.entries.remove(secret);
            }
        }
    }

    fn forget(&mut self, secret: &str) {
        self.generation += 1;
        self.entries.remove(secret);
    }

    fn clear(&mut self) {
        self.generation += 1;
        self.entries.clear();
    }
}

/// The instance lookup with its cache.
pub struct Directory {
    db: Db,
    cache: RwLock<SecretCache>,
}

fn known(m: whatsapp_instance::Model) -> Arc<KnownInstance> {
    Arc::new(KnownInstance {
        instance: InstanceRef {
            id: m.id,
            tenant_id: m.tenant_id,
            name: m.instance_name,
        },
        secret: m.webhook_secret,
        api_key: m.api_key,
    })
}

impl Directory {
    /// A directory reading `db`.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            cache: RwLock::new(SecretCache::default()),
        }
    }

    fn cache(&self) -> std::sync::RwLockWriteGuard<'_, SecretCache> {
        self.cache.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The instance whose webhook secret is `secret`.
    pub async fn by_secret(&self, secret: &str) -> Result<Option<Arc<KnownInstance>>, DbErr> {
        let generation = {
            let cache = self.cache.read().unwrap_or_else(|e| e.into_inner());
            if let Some(hit) = cache.get(secret) {
                return Ok(Some(hit));
            }
            cache.generation
        };
        let found = whatsapp_instance::Entity::find()
            .filter(whatsapp_instance::Column::WebhookSecret.eq(secret))
            .one(&self.db.read)
            .await?
            .map(known);
        self.cache().put(generation, secret, found.as_ref());
        Ok(found)
    }

    /// Drops the cached instance of `secret` (it was removed or rotated): its webhooks stop
    /// authenticating on this server at once, also a lookup already under way.
    pub fn forget(&self, secret: &str) {
        self.cache().forget(secret);
    }

    /// Drops every cached instance (another node changed one): the next webhook of each
    /// looks its instance up again.
    pub fn clear(&self) {
        self.cache().clear();
    }

    /// Every instance named `name` (names are unique per tenant, not across tenants).
    pub async fn by_name(&self, name: &str) -> Result<Vec<Arc<KnownInstance>>, DbErr> {
        Ok(whatsapp_instance::Entity::find()
            .filter(whatsapp_instance::Column::InstanceName.eq(name))
            .all(&self.db.read)
            .await?
            .into_iter()
            .map(known)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(secret: &str) -> Arc<KnownInstance> {
        Arc::new(KnownInstance {
            instance: InstanceRef {
                id: 1,
                tenant_id: 1,
                name: "loja".into(),
            },
            secret: secret.into(),
            api_key: "key".into(),
        })
    }

    #[test]
    fn a_lookup_that_read_before_a_forget_does_not_put_the_secret_back() {
        let mut cache = SecretCache::default();
        // A lookup reads the database; the secret is rotated before it stores what it read.
        let started = cache.generation;
        cache.forget("old");
        cache.put(started, "old", Some(&instance("old")));
        assert!(cache.get("old").is_none());
        // The same after a clear from another node.
        let started = cache.generation;
        cache.clear();
        cache.put(started, "old", Some(&instance("old")));
        assert!(cache.get("old").is_none());
        // A lookup with nothing forgotten meanwhile is cached.
        let started = cache.generation;
        cache.put(started, "new", Some(&instance("new")));
        assert!(cache.get("new").is_some());
    }
}
