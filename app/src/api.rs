//! The dashboard's server functions. Each one authenticates the session cookie through the
//! [`Backend`](crate::backend::Backend) and is scoped to the caller's tenant; the mutations are
//! refused for viewers here, on the server, whatever the page shows.
#![allow(
    missing_docs,
    reason = "#[server] generates an argument struct per function; its fields are the documented parameters"
)]

use leptos::prelude::*;

use crate::types::{
    CampaignLogView, CampaignView, InstanceDay, InstanceQr, InstanceView, NewCampaign, OptOutTest,
    OptOutView, RecipientsPage, SessionUser, TenantSettings, Timeline, TokenCreated, TokenView,
    UserView,
};

/// Where the dashboard's server functions are served.
#[cfg(feature = "ssr")]
const PREFIX: &str = "/api/ui/";

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use http::header::{ACCEPT, COOKIE, SET_COOKIE};
    use http::{HeaderValue, StatusCode, request::Parts};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    use crate::backend::{Backend, Caller, DashboardError};
    use crate::prefs::Prefs;
    use crate::problem::ProblemKind;

    /// The backend the server provided.
    pub fn backend() -> Result<Backend, ServerFnError> {
        use_context::<Backend>().ok_or_else(|| ServerFnError::new("dashboard backend missing"))
    }

    /// The request's `Cookie` header.
    pub fn cookie_header() -> Option<String> {
        let parts = use_context::<Parts>()?;
        let value = parts.headers.get(COOKIE)?.to_str().ok()?;
        Some(value.to_owned())
    }

    /// Whether the request is a plain browser navigation or form post (not the fn client).
    pub fn accepts_html() -> bool {
        use_context::<Parts>()
            .and_then(|p| {
                p.headers
                    .get(ACCEPT)?
                    .to_str()
                    .ok()
                    .map(|a| a.contains("text/html"))
            })
            .unwrap_or(false)
    }

    /// Whether the request calls a server function (rather than loading a page).
    pub fn is_fn_call() -> bool {
        use_context::<Parts>().is_some_and(|p| p.uri.path().starts_with(super::PREFIX))
    }

    /// Adds a `Set-Cookie` header to the response.
    pub fn set_cookie(value: &str) {
        if let (Some(res), Ok(v)) = (
            use_context::<ResponseOptions>(),
            HeaderValue::from_str(value),
        ) {
            res.append_header(SET_COOKIE, v);
        }
    }

    /// Turns a dashboard error into a server-function error with the matching HTTP status.
    pub fn fail(err: DashboardError) -> ServerFnError {
        let status = match err {
            DashboardError::Unauthorized => StatusCode::UNAUTHORIZED,
            DashboardError::LockedOut => StatusCode::TOO_MANY_REQUESTS,
            DashboardError::Forbidden => StatusCode::FORBIDDEN,
            DashboardError::NotFound(_) => StatusCode::NOT_FOUND,
            DashboardError::Problem(ref p) => match p.kind() {
                ProblemKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
                ProblemKind::Conflict => StatusCode::CONFLICT,
                ProblemKind::Forbidden => StatusCode::FORBIDDEN,
            },
            DashboardError::Rejected(_) => StatusCode::CONFLICT,
            DashboardError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            DashboardError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        // A plain form post (no JavaScript) goes back to its page, which shows the refusal:
        // the redirect server functions answer must keep its status.
        if let Some(res) = use_context::<ResponseOptions>()
            && !(is_fn_call() && accepts_html())
        {
            res.set_status(status);
        }
        match err {
            DashboardError::Problem(p) => ServerFnError::new(p.text(Prefs::current().locale)),
            other => ServerFnError::new(other.to_string()),
        }
    }

    /// The logged-in caller; without a valid session, sends the browser to `/login`. When the
    /// sessions cannot be read (database down) the answer is 503, not the login page. A page
    /// render takes the caller its request carries (the server looked the session up once for
    /// the page); a server function called by the browser looks its cookie up.
    pub async fn caller() -> Result<(Backend, Caller), ServerFnError> {
        let backend = backend()?;
        if let Some(caller) =
            use_context::<Parts>().and_then(|p| p.extensions.get::<Caller>().cloned())
        {
            return Ok((backend, caller));
        }
        let cookie = cookie_header();
        match backend.0.caller(cookie.as_deref()).await {
            Ok(caller) => Ok((backend, caller)),
            Err(e) if !matches!(e, DashboardError::Unauthorized) => Err(fail(e)),
            Err(_) => {
                leptos_axum::redirect("/login");
                // A page load always redirects; a call from the fn client gets 401 (and the
                // redirect header it follows).
                if let Some(res) = use_context::<ResponseOptions>() {
                    if !is_fn_call() {
                        res.set_status(StatusCode::FOUND);
                    } else if !accepts_html() {
                        res.set_status(StatusCode::UNAUTHORIZED);
                    }
                }
                Err(ServerFnError::new(DashboardError::Unauthorized.to_string()))
            }
        }
    }
}

/// Logs in with email and password, sets the session cookie and goes to the campaigns.
#[server(prefix = "/api/ui", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), ServerFnError> {
    use crate::backend::DashboardError;
    let backend = server::backend()?;
    match backend.0.login(email.trim(), &password).await {
        Ok(cookie) => {
            server::set_cookie(&cookie);
            leptos_axum::redirect("/");
            Ok(())
        }
        // A plain form post (no JavaScript) goes back to the form with the reason.
        Err(e) if server::accepts_html() => {
            let reason = if matches!(e, DashboardError::LockedOut) {
                "locked"
            } else {
                "invalid"
            };
            leptos_axum::redirect(&format!("/login?error={reason}"));
            Err(ServerFnError::new(e.to_string()))
        }
        Err(e) => Err(server::fail(e)),
    }
}

/// Ends the session and goes to the login page.
#[server(prefix = "/api/ui", endpoint = "logout")]
pub async fn logout() -> Result<(), ServerFnError> {
    let backend = server::backend()?;
    let cookie = server::cookie_header();
    let clear = backend.0.logout(cookie.as_deref()).await;
    server::set_cookie(&clear);
    leptos_axum::redirect("/login");
    Ok(())
}

/// Who is logged in.
#[server(prefix = "/api/ui", endpoint = "me")]
pub async fn me() -> Result<SessionUser, ServerFnError> {
    let (_, caller) = server::caller().await?;
    Ok(caller.user)
}

/// The tenant's campaigns, newest first.
#[server(prefix = "/api/ui", endpoint = "campaigns")]
pub async fn list_campaigns() -> Result<Vec<CampaignView>, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    backend.0.campaigns(&caller).await.map_err(server::fail)
}

/// One campaign of the tenant.
#[server(prefix = "/api/ui", endpoint = "campaign")]
pub async fn get_campaign(id: i64) -> Result<CampaignView, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    backend.0.campaign(&caller, id).await.map_err(server::fail)
}

/// A page of a campaign's recipients, optionally of one status and matching a search: the
/// first, the one after the row id `after` or the one before the row id `before`.
#[server(prefix = "/api/ui", endpoint = "recipients")]
pub async fn campaign_recipients(
    id: i64,
    status: Option<String>,
    search: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
) -> Result<RecipientsPage, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    backend
        .0
        .recipients(&caller, id, status, search, after, before)
        .await
        .map_err(server::fail)
}

/// A campaign's deliveries and reads per minute.
#[server(prefix = "/api/ui", endpoint = "timeline")]
pub async fn campaign_timeline(id: i64) -> Result<Timeline, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    backend.0.timeline(&caller, id).await.map_err(server::fail)
}

/// The latest lines of a campaign's log, optionally of one severity.
#[server(prefix = "/api/ui", endpoint = "logs")]
pub async fn campaign_logs(
    id: i64,
    severity: Option<String>,
) -> Result<Vec<CampaignLogView>, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    backend
        .0
        .logs(&caller, id, severity)
        .await
        .map_err(server::fail)
}

/// Starts, pauses, resumes or cancels a campaign. Admins only: a viewer gets 403.
#[server(prefix = "/api/ui", endpoint = "campaign_action")]
pub async fn campaign_action(id: i64, action: String) -> Result<CampaignView, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    if !caller.is_admin() {
        return Err(server::fail(crate::backend::DashboardError::Forbidden));
    }
    backend
        .0
        .transition(&caller, id, &action)
        .await
        .map_err(server::fail)
}

/// Creates a draft campaign (scheduled when `start_at`, a local date and time in the tenant's
/// timezone, is given) and goes to its page. Admins only: a viewer gets 403.
#[server(prefix = "/api/ui", endpoint = "create_campaign", input = leptos::server_fn::codec::Json)]
pub async fn create_campaign(
    input: NewCampaign,
    pasted: String,
    #[server(default)] start_at: Option<String>,
) -> Result<CampaignView, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    if !caller.is_admin() {
        return Err(server::fail(crate::backend::DashboardError::Forbidden));
    }
    let view = backend
        .0
        .create_campaign(&caller, input, pasted, start_at)
        .await
        .map_err(server::fail)?;
    leptos_axum::redirect(&format!("/campaigns/{}", view.id));
    Ok(view)
}

/// The tenant's instances.
#[server(prefix = "/api/ui", endpoint = "instances")]
pub async fn list_instances() -> Result<Vec<InstanceView>, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    backend.0.instances(&caller).await.map_err(server::fail)
}

/// Points an instance's Evolution webhook at Flow. Admins only: a viewer gets 403.
#[server(prefix = "/api/ui", endpoint = "configure_webhook")]
pub async fn configure_webhook(id: i64) -> Result<InstanceView, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    if !caller.is_admin() {
        return Err(server::fail(crate::backend::DashboardError::Forbidden));
    }
    backend
        .0
        .configure_webhook(&caller, id)
        .await
        .map_err(server::fail)
}

/// Gives an instance a new webhook secret (the old URL stops working). Admins only. A plain
/// form post comes back to the instance on `/instances`.
#[server(prefix = "/api/ui", endpoint = "rotate_webhook")]
pub async fn rotate_webhook(id: i64) -> Result<InstanceView, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    let view = backend
        .0
        .rotate_webhook_secret(&caller, id)
        .await
        .map_err(server::fail)?;
    if server::accepts_html() {
        leptos_axum::redirect(&format!("/instances#instance-{id}"));
    }
    Ok(view)
}

/// Adds an instance from the form (its API version asked from Evolution). Admins only. A
/// plain form post comes back to `/instances`.
#[server(prefix = "/api/ui", endpoint = "add_instance")]
pub async fn add_instance(
    api_url: String,
    instance_name: String,
    api_key: String,
    friendly_name: String,
    // The "new number? warm it up" checkbox: sent (`on`) when checked.
    #[server(default)] warmup: Option<String>,
) -> Result<InstanceView, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    let input = crate::types::NewInstance {
        instance_name,
        friendly_name: Some(friendly_name),
        api_url,
        api_key,
        api_version: None,
        warmup: warmup.is_some(),
    };
    backend
        .0
        .add_instance(&caller, input)
        .await
        .map_err(server::fail)
}

/// Changes an instance's friendly name, and its api key when one is typed. Admins only.
#[server(prefix = "/api/ui", endpoint = "update_instance")]
pub async fn update_instance(
    id: i64,
    friendly_name: String,
    api_key: String,
) -> Result<InstanceView, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    let patch = crate::types::InstancePatch {
        friendly_name: Some(friendly_name),
        api_key: Some(api_key).filter(|k| !k.trim().is_empty()),
        warmup: None,
    };
    backend
        .0
        .update_instance(&caller, id, patch)
        .await
        .map_err(server::fail)
}

/// Removes an instance no unfinished campaign uses. Admins only.
#[server(prefix = "/api/ui", endpoint = "remove_instance")]
pub async fn remove_instance(id: i64) -> Result<(), ServerFnError> {
    let (backend, caller) = server::caller().await?;
    backend
        .0
        .remove_instance(&caller, id)
        .await
        .map_err(server::fail)
}

/// Asks Evolution for the QR code that pairs an instance. Admins only.
#[server(prefix = "/api/ui", endpoint = "connect_instance")]
pub async fn connect_instance(id: i64) -> Result<InstanceQr, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    backend
        .0
        .connect_instance(&caller, id)
        .await
        .map_err(server::fail)
}

/// An instance's last 30 days, for its chart.
#[server(prefix = "/api/ui", endpoint = "instance_history")]
pub async fn instance_history(id: i64) -> Result<Vec<InstanceDay>, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    backend
        .0
        .instance_history(&caller, id)
        .await
        .map_err(server::fail)
}

/// The tenant's opted-out contacts, newest first.
#[server(prefix = "/api/ui", endpoint = "opt_outs")]
pub async fn list_opt_outs() -> Result<Vec<OptOutView>, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    backend.0.opt_outs(&caller).await.map_err(server::fail)
}

/// The tenant's settings.
#[server(prefix = "/api/ui", endpoint = "settings")]
pub async fn get_settings() -> Result<TenantSettings, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    backend.0.settings(&caller).await.map_err(server::fail)
}

/// Saves the settings form (keywords one per line; an empty cap or window means none) and
/// goes back to the page. Admins only: a viewer gets 403.
#[allow(
    clippy::too_many_arguments,
    reason = "a server function takes one argument per field of its plain (no-JavaScript) form"
)]
#[server(prefix = "/api/ui", endpoint = "save_settings")]
pub async fn save_settings(
    keywords: String,
    timezone: String,
    min_delay_ms: i64,
    max_delay_ms: i64,
    daily_cap: String,
    window_start: String,
    window_end: String,
    warmup_plan: String,
    optout_pause_percent: i64,
    #[server(default)] default_country: String,
) -> Result<TenantSettings, ServerFnError> {
    use crate::backend::DashboardError;
    use crate::types::{Pacing, SendWindow, WarmupStep};
    let (backend, caller) = server::caller().await?;
    let daily_cap = match daily_cap.trim() {
        "" => None,
        cap => Some(cap.parse::<i64>().map_err(|_| {
            server::fail(DashboardError::Rejected(format!("{cap:?} is not a number")))
        })?),
    };
    let (start, end) = (window_start.trim(), window_end.trim());
    // The window follows the tenant's timezone (and its DST changes).
    let default_send_window = (!start.is_empty() || !end.is_empty()).then(|| SendWindow {
        start: start.to_string(),
        end: end.to_string(),
        utc_offset_minutes: None,
    });
    let input = TenantSettings {
        opt_out_keywords: keywords
            .lines()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect(),
        timezone: timezone.trim().to_string(),
        default_pacing: Pacing {
            min_delay_ms,
            max_delay_ms,
        },
        default_send_window,
        default_daily_cap: daily_cap,
        warmup_plan: Some(
            WarmupStep::parse_plan(&warmup_plan)
                .map_err(|reason| server::fail(DashboardError::Problem(reason)))?,
        ),
        optout_pause_percent: Some(optout_pause_percent),
        // Left out (an older form): kept as it is.
        default_country: Some(default_country.trim().to_string()).filter(|c| !c.is_empty()),
    };
    let saved = backend
        .0
        .save_settings(&caller, input)
        .await
        .map_err(server::fail)?;
    leptos_axum::redirect("/settings?saved=1");
    Ok(saved)
}

/// Whether a message would opt its sender out with the tenant's keywords.
#[server(prefix = "/api/ui", endpoint = "opt_out_test")]
pub async fn test_opt_out(text: String) -> Result<OptOutTest, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    backend
        .0
        .opt_out_test(&caller, &text)
        .await
        .map_err(server::fail)
}

/// Refuses viewers with 403 before an admin-only call.
#[cfg(feature = "ssr")]
fn require_admin(caller: &crate::backend::Caller) -> Result<(), ServerFnError> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(server::fail(crate::backend::DashboardError::Forbidden))
    }
}

/// The tenant's users and the caller's own id. Admins only: a viewer gets 403.
#[server(prefix = "/api/ui", endpoint = "users")]
pub async fn list_users() -> Result<(Vec<UserView>, i64), ServerFnError> {
    let (backend, caller) = server::caller().await?;
    require_admin(&caller)?;
    let users = backend.0.users(&caller).await.map_err(server::fail)?;
    Ok((users, caller.user_id))
}

/// Creates a user with an initial password and goes back to the list. Admins only.
#[server(prefix = "/api/ui", endpoint = "create_user")]
pub async fn create_user(
    email: String,
    password: String,
    role: String,
) -> Result<UserView, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    require_admin(&caller)?;
    let user = backend
        .0
        .create_user(&caller, &email, &password, &role)
        .await
        .map_err(server::fail)?;
    leptos_axum::redirect("/users");
    Ok(user)
}

/// Changes a user's role. Admins only; the last admin stays admin.
#[server(prefix = "/api/ui", endpoint = "set_role")]
pub async fn set_role(id: i64, role: String) -> Result<UserView, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    require_admin(&caller)?;
    let user = backend
        .0
        .set_role(&caller, id, &role)
        .await
        .map_err(server::fail)?;
    leptos_axum::redirect("/users");
    Ok(user)
}

/// Removes a user and ends their sessions. Admins only; never the last admin.
#[server(prefix = "/api/ui", endpoint = "remove_user")]
pub async fn remove_user(id: i64) -> Result<(), ServerFnError> {
    let (backend, caller) = server::caller().await?;
    require_admin(&caller)?;
    backend
        .0
        .remove_user(&caller, id)
        .await
        .map_err(server::fail)?;
    leptos_axum::redirect("/users");
    Ok(())
}

/// The tenant's API tokens. Admins only.
#[server(prefix = "/api/ui", endpoint = "tokens")]
pub async fn list_tokens() -> Result<Vec<TokenView>, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    require_admin(&caller)?;
    backend.0.tokens(&caller).await.map_err(server::fail)
}

/// Creates an API token; the answer carries its secret, shown once. Admins only.
#[server(prefix = "/api/ui", endpoint = "create_token")]
pub async fn create_token(name: String) -> Result<TokenCreated, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    require_admin(&caller)?;
    let created = backend
        .0
        .create_token(&caller, &name)
        .await
        .map_err(server::fail)?;
    if server::accepts_html() {
        // A plain form post: the page it goes back to shows the secret, once.
        server::set_cookie(&backend.0.token_flash_cookie(Some(&created.token)));
        leptos_axum::redirect("/tokens");
    }
    Ok(created)
}

/// The secret of the token a plain form post just created, once: reading it clears it.
/// Admins only.
#[server(prefix = "/api/ui", endpoint = "new_token_secret")]
pub async fn new_token_secret() -> Result<Option<String>, ServerFnError> {
    use crate::backend::{TOKEN_FLASH_COOKIE, cookie_value};
    let (backend, caller) = server::caller().await?;
    require_admin(&caller)?;
    let secret = server::cookie_header()
        .and_then(|header| cookie_value(&header, TOKEN_FLASH_COOKIE).map(str::to_owned));
    if secret.is_some() {
        server::set_cookie(&backend.0.token_flash_cookie(None));
    }
    Ok(secret)
}

/// Revokes an API token. Admins only.
#[server(prefix = "/api/ui", endpoint = "revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), ServerFnError> {
    let (backend, caller) = server::caller().await?;
    require_admin(&caller)?;
    backend
        .0
        .revoke_token(&caller, id)
        .await
        .map_err(server::fail)?;
    leptos_axum::redirect("/tokens");
    Ok(())
}

/// Changes the caller's own password; their other sessions end.
#[server(prefix = "/api/ui", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), ServerFnError> {
    let (backend, caller) = server::caller().await?;
    let cookie = server::cookie_header();
    backend
        .0
        .change_password(&caller, cookie.as_deref(), &current_password, &new_password)
        .await
        .map_err(server::fail)?;
    leptos_axum::redirect("/account?changed=1");
    Ok(())
}

/// Schedules a draft to start by itself at `start_at` (a local date and time in the tenant's
/// timezone, as a `datetime-local` input gives it). Admins only.
#[server(prefix = "/api/ui", endpoint = "schedule_campaign")]
pub async fn schedule_campaign(id: i64, start_at: String) -> Result<CampaignView, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    require_admin(&caller)?;
    backend
        .0
        .schedule(&caller, id, &start_at)
        .await
        .map_err(server::fail)
}

/// Makes a draft copy of a campaign and goes to it. Admins only.
#[server(prefix = "/api/ui", endpoint = "duplicate_campaign")]
pub async fn duplicate_campaign(id: i64) -> Result<CampaignView, ServerFnError> {
    let (backend, caller) = server::caller().await?;
    require_admin(&caller)?;
    let copy = backend
        .0
        .duplicate(&caller, id)
        .await
        .map_err(server::fail)?;
    leptos_axum::redirect(&format!("/campaigns/{}", copy.id));
    Ok(copy)
}
