//! The demo: with `FLOW_DEMO_EVOLUTION_URL` set (the README's run command points it at the
//! Evolution simulator), an empty database gets a demo tenant — three instances on the
//! simulator (the third disconnected, to be paired by QR code: `run.sh` starts the simulator
//! with it closed), 300 contacts written the Brazilian way (stored as E.164) and two landlines,
//! a list filled from a search, a running campaign with the offer's photo over two numbers (one
//! warming up, so the campaign page shows how sends are spread), a finished poll with its votes
//! ([`messages`]), a draft, ten past campaigns over three weeks
//! read to the simulator's daily rhythm ([`history`]: `/insights` has a heatmap and a
//! recommendation on the first run) — and an admin and a viewer login, printed at start.
//! Without that variable no demo data is ever created.

mod follow_ups;
mod history;
mod messages;

use app::audience::{ContactCorrection, ListMembers, MemberSearch};
use app::types::{CampaignSettings, NewCampaign, NewContact, NewInstance};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::auth::Role;
use crate::dashboard::users;
use crate::db::Db;
use crate::entities::{contact, tenant};
use crate::service::{
    ServiceError, campaigns, contacts, correction, data_export, instances, lists, tenants,
};
use crate::state::AppState;

/// Where the demo's Evolution API is.
#[derive(Clone, Debug)]
pub struct DemoConfig {
    /// `FLOW_DEMO_EVOLUTION_URL`: the simulator's base URL.
    pub evolution_url: String,
    /// `FLOW_DEMO_EVOLUTION_KEY`: its api key (default `sim-api-key`).
    pub evolution_key: String,
}

/// The demo admin's login.
pub const ADMIN_EMAIL: &str = "admin@demo.flow";
/// The demo viewer's login.
pub const VIEWER_EMAIL: &str = "viewer@demo.flow";
/// The demo instance that starts disconnected, to try pairing by QR code.
pub const QR_INSTANCE: &str = "loja-quiosque";
/// The demo users' password (a demo on localhost; never a real deployment's).
pub const PASSWORD: &str = "demo-password";

/// Why the demo could not be created.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A service refused.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// A user could not be created.
    #[error(transparent)]
    User(#[from] users::UserError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

const FIRST: [&str; 20] = [
    "Ana", "Bruno", "Carla", "Diego", "Eduarda", "Felipe", "Gabriela", "Henrique", "Isabela",
    "João", "Larissa", "Marcos", "Natália", "Otávio", "Paula", "Rafael", "Sofia", "Thiago",
    "Vitória", "Wagner",
];
const LAST: [&str; 15] = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
];

/// Creates the demo unless the database already has a tenant. Returns whether it did.
pub async fn seed(state: &AppState, demo: &DemoConfig) -> Result<bool, DemoError> {
    if tenant::Entity::find().count(&state.db.read).await? > 0 {
        return Ok(false);
    }
    let db = &state.db;
    let public = &state.config.public_url;
    let tenant = tenants::create(db, "Loja Demo").await?;
    users::create(db, tenant.id, ADMIN_EMAIL, PASSWORD, Role::Admin).await?;
    users::create(db, tenant.id, VIEWER_EMAIL, PASSWORD, Role::Viewer).await?;

    let mut instance_ids = Vec::new();
    for (name, friendly, version) in [
        ("loja-centro", "Loja Centro", "v2"),
        ("loja-shopping", "Loja Shopping (Evolution v1)", "v1"),
        (QR_INSTANCE, "Quiosque (conectar por QR)", "v2"),
    ] {
        // The simulator serves v1 and v2 instances from one server, so the versions are given.
        let inst = instances::create(
            db,
            &state.evolution,
            public,
            tenant.id,
            NewInstance {
                instance_name: name.into(),
                friendly_name: Some(friendly.into()),
                api_url: demo.evolution_url.clone(),
                api_key: demo.evolution_key.clone(),
                api_version: Some(version.into()),
                // The shop-front number is new: the demo shows its warm-up.
                warmup: name == "loja-centro",
            },
        )
        .await?;
        instances::refresh_state(db, &state.evolution, public, tenant.id, inst.id).await?;
        instances::configure_webhook(db, &state.evolution, public, tenant.id, inst.id).await?;
        if name != QR_INSTANCE {
            instance_ids.push(inst.id);
        }
    }

    let mut people: Vec<NewContact> = (0..300)
        .map(|i| {
            // Every 50th number ends in 0000: "not on WhatsApp" in the simulator.
            let (prefix, line) = (8100 + i / 50, (i % 50) * 200);
            // Written as a shop's spreadsheet has them: Flow stores every one as 5511….
            let phone = match i % 4 {
                0 => format!("(11) 9{prefix:04}-{line:04}"),
                1 => format!("011 9{prefix:04} {line:04}"),
                2 => format!("+55 11 9{prefix:04}-{line:04}"),
                _ => format!("55 11 9{prefix:04}-{line:04}"),
            };
            NewContact {
                name: format!("{} {}", FIRST[i % FIRST.len()], LAST[(i / 3) % LAST.len()]),
                phone,
            }
        })
        .collect();
    // Two shops' landlines (may be on WhatsApp Business): the contacts page marks them.
    people.extend(
        [
            ("Padaria Central", "(11) 3265-4321"),
            ("Ótica Bela Vista", "(11) 3254-1122"),
        ]
        .map(|(name, phone)| NewContact {
            name: name.into(),
            phone: phone.into(),
        }),
    );
    contacts::import(db, tenant.id, people).await?;
    customer_rights(db, tenant.id).await?;
    if let Some(first) = instance_ids.first() {
        history::seed(
            db,
            tenant.id,
            &tenant_timezone(state, tenant.id).await?,
            *first,
        )
        .await?;
    }
    // A list filled from a search, as a marketer would on the contacts page.
    let silva = lists::create(db, tenant.id, "Família Silva").await?;
    let members = ListMembers {
        contact_ids: Vec::new(),
        search: Some(MemberSearch {
            q: Some("Silva".into()),
            ..MemberSearch::default()
        }),
    };
    lists::add(db, tenant.id, silva.id, &members).await?;
    if let Some(first) = instance_ids.first() {
        messages::finished_poll(db, tenant.id, *first, silva.id).await?;
        follow_ups::seed(
            db,
            tenant.id,
            *first,
            &demo.evolution_url,
            &state.config.public_url,
        )
        .await?;
    }
    let photo = messages::photo(db, tenant.id).await?;

    let running = campaigns::create(
        db,
        tenant.id,
        NewCampaign {
            name: "Black Friday 2026".into(),
            message: "Oi {{first_name}}! A *Black Friday* da Loja Demo começou: _30% em tudo_ até domingo. Responda SAIR para não receber mais.".into(),
            instance_ids: instance_ids.clone(),
            contact_ids: None,
            all_contacts: true,
            list_ids: None,
            exclude_list_ids: None,
            settings: Some(CampaignSettings {
                min_delay_ms: 300,
                max_delay_ms: 1500,
                daily_cap_per_instance: None,
                send_window: None,
                send_days: Vec::new(),
            }),
            variants: Vec::new(),
            // The offer's photo, with the text as its caption.
            media: Some(app::messages::CampaignMedia {
                kind: photo.kind.clone(),
                media_id: photo.id,
                caption: None,
                file_name: None,
            }),
            poll: None,
            send_at_best_hour: false,
            track_links: None,
            utm: None,
        },
    )
    .await?;
    campaigns::transition(
        db,
        tenant.id,
        running.id,
        crate::domain::campaign_state::CampaignAction::Start,
    )
    .await?;
    campaigns::create(
        db,
        tenant.id,
        NewCampaign {
            name: "Natal 2026 (rascunho)".into(),
            // The Portuguese placeholder names work as the English ones.
            message: "{{primeiro_nome}}, o Natal chegou mais cedo na Loja Demo!".into(),
            instance_ids,
            contact_ids: None,
            all_contacts: true,
            list_ids: None,
            exclude_list_ids: None,
            settings: None,
            variants: Vec::new(),
            media: None,
            poll: None,
            send_at_best_hour: false,
            track_links: None,
            utm: None,
        },
    )
    .await?;
    Ok(true)
}

/// A customer's requests answered (LGPD art. 18), as the contact page shows them: the bakery
/// asked to correct its name and add its neighbourhood, then for its data.
async fn customer_rights(db: &Db, tenant_id: i64) -> Result<(), DemoError> {
    let Some(bakery) = contact::Entity::find()
        .filter(contact::Column::TenantId.eq(tenant_id))
        .filter(contact::Column::Name.eq("Padaria Central"))
        .one(&db.read)
        .await?
    else {
        return Ok(());
    };
    let fix = ContactCorrection {
        name: Some("Padaria Central Ltda".into()),
        phone: None,
        attributes: Some([("bairro".to_string(), Some("Bela Vista".to_string()))].into()),
    };
    correction::correct(db, tenant_id, bakery.id, fix, ADMIN_EMAIL).await?;
    data_export::export(db, tenant_id, bakery.id, ADMIN_EMAIL).await?;
    Ok(())
}

/// The timezone of tenant `tenant_id`.
async fn tenant_timezone(state: &AppState, tenant_id: i64) -> Result<String, DemoError> {
    Ok(tenant::Entity::find_by_id(tenant_id)
        .one(&state.db.read)
        .await?
        .map(|t| t.timezone)
        .unwrap_or_default())
}
