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

/// The instance lookup with its cache.
pub struct Directory {
    db: Db,
    by_secret: RwLock<HashMap<String, (Arc<KnownInstance>, Instant)>>,
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
            by_secret: RwLock::new(HashMap::new()),
        }
    }

    /// The instance whose webhook secret is `secret`.
    pub async fn by_secret(&self, secret: &str) -> Result<Option<Arc<KnownInstance>>, DbErr> {
        if let Some((hit, at)) = self
            .by_secret
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(secret)
            && at.elapsed() < CACHE_FOR
        {
            return Ok(Some(hit.clone()));
        }
        let found = whatsapp_instance::Entity::find()
            .filter(whatsapp_instance::Column::WebhookSecret.eq(secret))
            .one(&self.db.read)
            .await?
            .map(known);
        let mut cache = self.by_secret.write().unwrap_or_else(|e| e.into_inner());
        match &found {
            Some(k) => {
                cache.insert(k.secret.clone(), (k.clone(), Instant::now()));
            }
            None => {
                cache.remove(secret);
            }
        }
        Ok(found)
    }

    /// Drops the cached instance of `secret` (it was removed): its webhooks stop
    /// authenticating on this server at once.
    pub fn forget(&self, secret: &str) {
        self.by_secret
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(secret);
    }

    /// Drops every cached instance (another node changed one): the next webhook of each
    /// looks its instance up again.
    pub fn clear(&self) {
        self.by_secret
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
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
