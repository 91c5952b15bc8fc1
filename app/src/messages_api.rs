//! The server functions of media, polls and test sends: an uploaded file's facts (for the
//! new-campaign preview) and a test send from a draft's page.
#![allow(
    missing_docs,
    reason = "#[server] generates an argument struct per function; its fields are the documented parameters"
)]

use leptos::prelude::*;

use crate::messages::{MediaView, TestSendReport};

#[cfg(feature = "ssr")]
fn messages() -> Result<crate::messages_backend::MessagesBackend, ServerFnError> {
    use_context::<crate::messages_backend::MessagesBackend>()
        .ok_or_else(|| ServerFnError::new("messages backend missing"))
}

/// An uploaded file's facts.
#[server(prefix = "/api/ui", endpoint = "media")]
pub async fn load_media(id: i64) -> Result<MediaView, ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    messages()?
        .0
        .media(&caller, id)
        .await
        .map_err(crate::api::server::fail)
}

/// Sends every variant of campaign `id` to `phone` (admins); `contact_id` fills the
/// placeholders when given.
#[server(prefix = "/api/ui", endpoint = "test_send")]
pub async fn send_test(
    id: i64,
    phone: String,
    #[server(default)] contact_id: Option<i64>,
) -> Result<TestSendReport, ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    if !caller.is_admin() {
        return Err(crate::api::server::fail(
            crate::backend::DashboardError::Forbidden,
        ));
    }
    messages()?
        .0
        .test_send(
            &caller,
            id,
            crate::messages::TestSendRequest {
                phone,
                contact_id,
                instance_id: None,
            },
        )
        .await
        .map_err(crate::api::server::fail)
}

/// Makes a draft follow-up ("Lembrete") of campaign `id` for `segment` of its recipients
/// (admins) and goes to it; the form posts without JavaScript too.
#[server(prefix = "/api/ui", endpoint = "follow_up")]
pub async fn create_follow_up(
    id: i64,
    segment: String,
    #[server(default)] min_age_hours: Option<i32>,
    #[server(default)] message: Option<String>,
) -> Result<crate::types::CampaignView, ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    let segment = crate::follow_up::Segment::parse(&segment)
        .ok_or_else(|| ServerFnError::new(format!("unknown segment {segment}")))?;
    let view = messages()?
        .0
        .follow_up(
            &caller,
            id,
            crate::follow_up::NewFollowUp {
                segment,
                min_age_hours,
                message,
                variants: Vec::new(),
                media: None,
                name: None,
            },
        )
        .await
        .map_err(crate::api::server::fail)?;
    leptos_axum::redirect(&format!("/campaigns/{}", view.id));
    Ok(view)
}
