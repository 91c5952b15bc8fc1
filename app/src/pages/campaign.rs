//! `/campaigns/:id`: the live counters and rates, the delivery funnel, the recipients and the
//! log of one campaign, and (for admins) the buttons that start, pause, resume or cancel it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::pages::campaign_follow_up::{ClicksCard, ConversionsCard, FollowUps};
use crate::pages::campaign_message::{MessagePreview, PollResultsCard, TestSend};
use crate::pages::campaign_replies::Replies;

use crate::api::{
    CampaignAction, DuplicateCampaign, ScheduleCampaign, campaign_logs, campaign_recipients,
    get_campaign, list_instances,
};
use crate::i18n::{Locale, t, t_string, td_string, use_i18n};
use crate::live::{Live, use_live};
use crate::pages::campaign_safety::{AbResults, RotationTable, WindowNotice, pause_sentence};
use crate::pages::campaign_timing::{DueHours, TimingChart};
use crate::pages::layout::UserResource;
use crate::pages::timeline::TimelineChart;
use crate::prefs::use_prefs;
use crate::suspend_once::suspend;
use crate::types::{CampaignLogView, CampaignView, InstanceView};
use crate::ui::{Card, Empty, ErrorBox, Pill, encode, error_text, status_label};

/// The recipient statuses a filter can pick.
const STATUSES: [&str; 8] = [
    "pending",
    "sent",
    "delivered",
    "read",
    "clicked",
    "failed",
    "opted_out",
    "cancelled",
];

/// The log severities a filter can pick.
const SEVERITIES: [&str; 3] = ["info", "warning", "critical"];

/// The page's filters, from its query string.
#[derive(Clone, Debug, Default, PartialEq)]
struct Filters {
    status: Option<String>,
    q: Option<String>,
    /// The recipients page: after or before a row id (keyset), the first when neither.
    after: Option<i64>,
    before: Option<i64>,
    /// The position of the page's first row (1-based), only for the "51–100" label.
    at: u64,
    severity: Option<String>,
}

impl Filters {
    /// The recipient filters as query-string pairs.
    fn recipient_pairs(&self) -> Vec<String> {
        let mut q = Vec::new();
        if let Some(s) = &self.status {
            q.push(format!("status={}", encode(s)));
        }
        if let Some(s) = &self.q {
            q.push(format!("q={}", encode(s)));
        }
        q
    }

    /// This page's URL with these filters.
    fn href(&self, id: i64) -> String {
        let mut q = self.recipient_pairs();
        if let Some(after) = self.after {
            q.push(format!("after={after}"));
        }
        if let Some(before) = self.before {
            q.push(format!("before={before}"));
        }
        if self.at > 1 {
            q.push(format!("at={}", self.at));
        }
        if let Some(s) = &self.severity {
            q.push(format!("severity={}", encode(s)));
        }
        with_query(format!("/campaigns/{id}"), &q)
    }

    /// The CSV export of the recipients these filters show.
    fn export_href(&self, id: i64) -> String {
        with_query(
            format!("/export/campaigns/{id}/recipients.csv"),
            &self.recipient_pairs(),
        )
    }
}

fn with_query(path: String, pairs: &[String]) -> String {
    if pairs.is_empty() {
        path
    } else {
        format!("{path}?{}", pairs.join("&"))
    }
}

/// A recipient's send error in the reader's language when Flow knows it, else as recorded.
fn send_error_text(error: String) -> String {
    let i18n = use_i18n();
    match error.as_str() {
        crate::types::INVALID_NUMBER_ERROR => {
            t_string!(i18n, campaign.error_invalid_number).to_string()
        }
        crate::types::NOT_ON_WHATSAPP_ERROR => {
            t_string!(i18n, campaign.error_not_on_whatsapp).to_string()
        }
        _ => error,
    }
}

/// The campaign page.
#[component]
pub fn CampaignPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()))
            .unwrap_or(0)
    };
    let filters = Memo::new(move |_| {
        query.with(|q| Filters {
            status: q.get("status").filter(|s| !s.is_empty()),
            q: q.get("q").filter(|s| !s.trim().is_empty()),
            after: q.get("after").and_then(|o| o.parse().ok()),
            before: q.get("before").and_then(|o| o.parse().ok()),
            at: q.get("at").and_then(|o| o.parse().ok()).unwrap_or(1).max(1),
            severity: q.get("severity").filter(|s| !s.is_empty()),
        })
    });
    let i18n = use_i18n();
    let campaign = Resource::new(id, get_campaign);
    let instances = Resource::new(|| (), |_| list_instances());
    let user = expect_context::<UserResource>();
    view! {
        <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || suspend(async move {
                let (campaign, instances, user) = (campaign.await, instances.await, user.await);
                let admin = user.map(|u| u.role == "admin").unwrap_or(false);
                match campaign {
                    Err(e) => {
                        let text = error_text(&e);
                        let text = if text == t_string!(i18n, errors.not_found) {
                            t_string!(i18n, errors.campaign_not_found).to_string()
                        } else {
                            text
                        };
                        view! {
                            <Title text=format!("{} · Alrea Flow", t_string!(i18n, campaign.title))/>
                            <a href="/" class="text-sm text-emerald-800 hover:underline">{t!(i18n, back_to_campaigns)}</a>
                            <div class="mt-4"><ErrorBox text/></div>
                        }
                            .into_any()
                    }
                    Ok(c) => {
                        view! {
                            <CampaignBody
                                initial=c
                                instances=instances.unwrap_or_default()
                                admin
                                filters
                            />
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn CampaignBody(
    initial: CampaignView,
    instances: Vec<InstanceView>,
    admin: bool,
    filters: Memo<Filters>,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let live = use_live();
    let id = initial.id;
    let title = format!("{} · Alrea Flow", initial.name);
    let c = Memo::new(move |_| live.campaign(&initial));
    view! {
        <Title text=title/>
        <a href="/" class="text-sm text-emerald-800 hover:underline">{t!(i18n, back_to_campaigns)}</a>
        <div class="mt-2 flex flex-wrap items-start justify-between gap-4">
            <div>
                <div class="flex items-center gap-3">
                    <h1 class="text-2xl font-semibold tracking-tight" data-testid="campaign-name">
                        {move || c.get().name}
                    </h1>
                    <span data-testid="campaign-status">
                        <Pill status=Signal::derive(move || c.get().status)/>
                    </span>
                </div>
                <p class="mt-1 text-sm text-slate-600">
                    {move || {
                        let c = c.get();
                        t_string!(
                            i18n,
                            campaign.dates,
                            created = prefs.when(Some(&c.created_at)),
                            started = prefs.when(c.started_at.as_deref()),
                            finished = prefs.when(c.finished_at.as_deref()),
                        )
                            .to_string()
                    }}
                </p>
            </div>
            {admin.then(|| view! { <Actions c live/> })}
        </div>
        <PauseNotice c instances/>
        <WindowNotice c/>
        <Counters c/>
        <div class="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-2">
            <Card title=t_string!(i18n, new_campaign.preview_for)>
                <MessagePreview c=c.get_untracked()/>
            </Card>
            {move || c.get().poll_results.map(|results| view! { <PollResultsCard results/> })}
            {(admin && c.get_untracked().status == "draft").then(|| view! { <TestSend id/> })}
        </div>
        <AbResults c/>
        <RotationTable c/>
        <div class="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-3">
            <div class="lg:col-span-1">
                <Card title=t_string!(i18n, campaign.rates)>
                    <Rate label=t_string!(i18n, campaign.delivery_rate) testid="rate-delivery" value=Signal::derive(move || c.get().delivery_rate)/>
                    <Rate label=t_string!(i18n, campaign.read_rate) testid="rate-read" value=Signal::derive(move || c.get().read_rate)/>
                    {plays(&c.get_untracked()).then(|| view! {
                        <Rate
                            label=t_string!(i18n, campaign.play_rate)
                            testid="rate-played"
                            value=Signal::derive(move || {
                                let c = c.get();
                                if c.counts.delivered == 0 { 0.0 } else { 100.0 * c.counts.played as f64 / c.counts.delivered as f64 }
                            })
                        />
                    })}
                    <Rate
                        label=t_string!(i18n, campaign.progress)
                        testid="rate-progress"
                        value=Signal::derive(move || {
                            let c = c.get();
                            if c.counts.total == 0 { 0.0 } else { 100.0 * c.counts.sent as f64 / c.counts.total as f64 }
                        })
                    />
                </Card>
            </div>
            <div class="lg:col-span-2">
                <Card title=t_string!(i18n, campaign.funnel)>
                    <Funnel c/>
                </Card>
            </div>
        </div>
        <div class="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-3">
            <ClicksCard c/>
            <ConversionsCard c/>
            <FollowUps c admin/>
        </div>
        <div class="mt-6 grid grid-cols-1 gap-6 lg:grid-cols-2">
            <Card title=t_string!(i18n, insights.timing_title)>
                <TimingChart
                    id
                    version=Signal::derive(move || c.with(|c| (c.counts.delivered, c.counts.read)))
                />
            </Card>
            {move || {
                let view = c.get();
                (view.send_at_best_hour && !view.due_hours.is_empty())
                    .then(|| view! { <DueHours hours=view.due_hours/> })
            }}
        </div>
        <div class="mt-6">
            <Card title=t_string!(i18n, campaign.per_minute)>
                <TimelineChart
                    id
                    version=Signal::derive(move || c.with(|c| (c.counts.delivered, c.counts.read)))
                />
            </Card>
        </div>
        <div class="mt-6 grid grid-cols-1 gap-6 xl:grid-cols-5">
            <div class="xl:col-span-3">
                <Recipients id filters/>
            </div>
            <div class="xl:col-span-2">
                <Log id filters live/>
            </div>
        </div>
        <div class="mt-6">
            <Replies id/>
        </div>
    }
}

/// Asks the browser to confirm; always yes on the server (buttons only act in the browser).
fn confirm(message: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.confirm_with_message(message).ok())
            .unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = message;
        true
    }
}

#[component]
fn Actions(c: Memo<CampaignView>, live: Live) -> impl IntoView {
    let i18n = use_i18n();
    let act = ServerAction::<CampaignAction>::new();
    Effect::new(move |_| {
        if let Some(Ok(view)) = act.value().get() {
            live.campaigns.update(|m| {
                m.insert(view.id, view);
            });
        }
    });
    let button = move |action: &'static str, label: &'static str, tone: &'static str| {
        let run = move |_| {
            if action == "cancel" && !confirm(t_string!(i18n, campaign.confirm_cancel)) {
                return;
            }
            act.dispatch(CampaignAction {
                id: c.get_untracked().id,
                action: action.to_string(),
            });
        };
        view! {
            <button
                type="button"
                class=format!("rounded-md px-3 py-2 text-sm font-semibold shadow-sm disabled:opacity-60 {tone}")
                data-testid=format!("action-{action}")
                disabled=move || act.pending().get()
                on:click=run
            >
                {label}
            </button>
        }
    };
    let primary = "bg-emerald-700 text-white hover:bg-emerald-800";
    let neutral = "border border-slate-300 bg-white text-slate-700 hover:bg-slate-50";
    let danger = "border border-rose-300 bg-white text-rose-800 hover:bg-rose-50";
    view! {
        <div class="flex flex-col items-end gap-2">
            <div class="flex gap-2">
                {move || {
                    let status = c.get().status;
                    let mut buttons = Vec::new();
                    match status.as_str() {
                        "draft" => buttons.push(button("start", t_string!(i18n, campaign.start), primary)),
                        "scheduled" => {
                            buttons.push(button("start", t_string!(i18n, campaign.start), primary));
                            buttons.push(button("unschedule", t_string!(i18n, campaign.unschedule), neutral));
                        }
                        "active" => buttons.push(button("pause", t_string!(i18n, campaign.pause), neutral)),
                        "paused" => buttons.push(button("resume", t_string!(i18n, campaign.resume), primary)),
                        _ => {}
                    }
                    if matches!(status.as_str(), "draft" | "scheduled" | "active" | "paused") {
                        buttons.push(button("cancel", t_string!(i18n, campaign.cancel), danger));
                    }
                    buttons.collect_view()
                }}
            </div>
            {move || {
                act.value()
                    .get()
                    .and_then(|r| r.err())
                    .map(|e| view! { <p class="text-sm text-rose-800" role="alert">{error_text(&e)}</p> })
            }}
            <Planning c live/>
        </div>
    }
}

/// When a scheduled campaign starts, the form that schedules a draft, and "Duplicate"; the
/// forms post without JavaScript too.
#[component]
fn Planning(c: Memo<CampaignView>, live: Live) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let schedule = ServerAction::<ScheduleCampaign>::new();
    let duplicate = ServerAction::<DuplicateCampaign>::new();
    Effect::new(move |_| {
        if let Some(Ok(view)) = schedule.value().get() {
            live.campaigns.update(|m| {
                m.insert(view.id, view);
            });
        }
    });
    let neutral = "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-semibold text-slate-700 shadow-sm hover:bg-slate-50";
    view! {
        {move || {
            let c = c.get();
            c.start_at
                .filter(|_| c.status == "scheduled")
                .map(|at| view! {
                    <p class="text-sm text-slate-700" data-testid="scheduled-for">
                        {t_string!(i18n, campaign.scheduled_for, when = prefs.when(Some(&at))).to_string()}
                    </p>
                })
        }}
        {move || (c.get().status == "draft").then(|| view! {
            <ActionForm action=schedule attr:class="flex flex-wrap items-end gap-2" attr:data-testid="schedule-form">
                <input type="hidden" name="id" value=c.get_untracked().id/>
                <label class="block text-sm">
                    <span class="font-medium text-slate-700">{t!(i18n, campaign.schedule_at)}</span>
                    <input
                        type="datetime-local"
                        name="start_at"
                        required
                        class="mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                    />
                </label>
                <button type="submit" class=neutral data-testid="action-schedule">{t!(i18n, campaign.schedule)}</button>
            </ActionForm>
        })}
        <ActionForm action=duplicate>
            <input type="hidden" name="id" value=move || c.get().id/>
            <button type="submit" class=neutral data-testid="action-duplicate">{t!(i18n, campaign.duplicate)}</button>
        </ActionForm>
        {move || {
            schedule.value().get().and_then(|r| r.err())
                .or_else(|| duplicate.value().get().and_then(|r| r.err()))
                .map(|e| view! { <p class="text-sm text-rose-800" role="alert">{error_text(&e)}</p> })
        }}
    }
}

#[component]
fn PauseNotice(c: Memo<CampaignView>, instances: Vec<InstanceView>) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    move || {
        let c = c.get();
        if c.status != "paused" {
            return None;
        }
        let text = match c.pause_reason.as_deref() {
            Some("instance_disconnected") => {
                let names: Vec<String> = instances
                    .iter()
                    .map(|i| live.instance(i))
                    .filter(|i| c.instance_ids.contains(&i.id) && i.connection_state != "open")
                    .map(|i| i.friendly_name)
                    .collect();
                if names.is_empty() {
                    t_string!(i18n, campaign.paused_disconnected_any).to_string()
                } else {
                    t_string!(
                        i18n,
                        campaign.paused_disconnected_some,
                        names = names.join(", ")
                    )
                    .to_string()
                }
            }
            Some("manual") | None => t_string!(i18n, campaign.paused_manual).to_string(),
            Some("evolution_auth_failed") => t_string!(i18n, campaign.paused_auth).to_string(),
            Some("evolution_instance_missing") => {
                t_string!(i18n, campaign.paused_missing).to_string()
            }
            Some("media_unreachable") => t_string!(i18n, campaign.paused_media).to_string(),
            Some(other) => pause_sentence(i18n.get_locale(), other).unwrap_or_else(|| {
                t_string!(
                    i18n,
                    campaign.paused_other,
                    reason = other.replace('_', " ")
                )
                .to_string()
            }),
        };
        Some(view! {
            <div class="mt-4 rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="pause-notice" aria-live="polite">
                {text}
            </div>
        })
    }
}

#[component]
fn Counters(c: Memo<CampaignView>) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    type Pick = fn(&CampaignView) -> i64;
    let items: [(&str, &str, Pick, &str); 9] = [
        (
            t_string!(i18n, counts.sent),
            "sent",
            |c| c.counts.sent,
            "text-slate-900",
        ),
        (
            t_string!(i18n, counts.delivered),
            "delivered",
            |c| c.counts.delivered,
            "text-emerald-700",
        ),
        (
            t_string!(i18n, counts.read),
            "read",
            |c| c.counts.read,
            "text-emerald-800",
        ),
        (
            t_string!(i18n, counts.failed),
            "failed",
            |c| c.counts.failed,
            "text-rose-700",
        ),
        (
            t_string!(i18n, counts.opted_out),
            "opted_out",
            |c| c.counts.opted_out,
            "text-amber-700",
        ),
        (
            t_string!(i18n, counts.replied),
            "replied",
            |c| c.counts.replied,
            "text-sky-700",
        ),
        (
            t_string!(i18n, counts.played),
            "played",
            |c| c.counts.played,
            "text-emerald-900",
        ),
        (
            t_string!(i18n, counts.deleted),
            "deleted",
            |c| c.counts.deleted,
            "text-slate-700",
        ),
        (
            t_string!(i18n, counts.pending),
            "pending",
            |c| c.counts.pending,
            "text-slate-700",
        ),
    ];
    view! {
        <div class="mt-6 grid grid-cols-2 gap-4 sm:grid-cols-4 lg:grid-cols-8">
            {items
                .into_iter()
                // "Ouvidas" only where something can be played.
                .filter(|(_, key, _, _)| *key != "played" || plays(&c.get_untracked()))
                .map(|(label, key, pick, tone)| {
                    view! {
                        <div class="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                            <div class="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</div>
                            <div
                                class=format!("mt-1 text-3xl font-semibold tabular-nums {tone}")
                                data-testid=format!("count-{key}")
                                aria-live="polite"
                            >
                                {move || prefs.num(pick(&c.get()))}
                            </div>
                        </div>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// Whether a campaign sends something people play (a voice note or a video).
fn plays(c: &CampaignView) -> bool {
    c.media
        .iter()
        .chain(c.variants.iter().filter_map(|v| v.media.as_ref()))
        .any(|m| m.kind == "audio" || m.kind == "video")
}

#[component]
fn Rate(label: &'static str, testid: &'static str, value: Signal<f64>) -> impl IntoView {
    let prefs = use_prefs();
    view! {
        <div class="mb-4 last:mb-0">
            <div class="flex items-baseline justify-between">
                <span class="text-sm text-slate-700">{label}</span>
                <span class="text-lg font-semibold tabular-nums" data-testid=testid aria-live="polite">{move || prefs.pct(value.get())}</span>
            </div>
            <div class="mt-1 h-2 rounded-full bg-slate-100">
                <div
                    class="h-2 rounded-full bg-emerald-500"
                    style=move || format!("width: {:.1}%", value.get().clamp(0.0, 100.0))
                ></div>
            </div>
        </div>
    }
}

/// Sent → delivered → read (→ played) → clicked as horizontal bars, widths relative to sent.
#[component]
fn Funnel(c: Memo<CampaignView>) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    type Pick = fn(&CampaignView) -> i64;
    let mut steps: Vec<(&str, Pick, &str)> = vec![
        (t_string!(i18n, counts.sent), |c| c.counts.sent, "#34d399"),
        (
            t_string!(i18n, counts.delivered),
            |c| c.counts.delivered,
            "#10b981",
        ),
        (t_string!(i18n, counts.read), |c| c.counts.read, "#047857"),
    ];
    if plays(&c.get_untracked()) {
        steps.push((
            t_string!(i18n, counts.played),
            |c| c.counts.played,
            "#065f46",
        ));
    }
    if c.get_untracked().track_links {
        steps.push((
            t_string!(i18n, counts.clicked),
            |c| c.clicks.unique,
            "#064e3b",
        ));
    }
    let height = steps.len() as f64 * 46.0;
    const BAR: f64 = 400.0;
    view! {
        <svg viewBox=format!("0 0 640 {height}") class="w-full max-w-3xl" role="img" aria-label=t_string!(i18n, campaign.funnel_label) data-testid="funnel">
            {steps
                .into_iter()
                .enumerate()
                .map(|(i, (label, pick, color))| {
                    let y = i as f64 * 46.0;
                    let width = move || {
                        let c = c.get();
                        let sent = c.counts.sent;
                        if sent == 0 { 0.0 } else { BAR * pick(&c) as f64 / sent as f64 }
                    };
                    let caption = move || {
                        let c = c.get();
                        let v = pick(&c);
                        let share = if c.counts.sent == 0 { 0.0 } else { 100.0 * v as f64 / c.counts.sent as f64 };
                        format!("{} · {}", prefs.num(v), prefs.pct(share))
                    };
                    view! {
                        <text x="0" y=y + 25.0 font-size="13" fill="#475569">{label}</text>
                        <rect x="96" y=y + 6.0 width=BAR height="28" rx="6" fill="#f1f5f9"></rect>
                        <rect x="96" y=y + 6.0 width=width height="28" rx="6" fill=color></rect>
                        <text x="508" y=y + 25.0 font-size="13" font-weight="600" fill="#0f172a">{caption}</text>
                    }
                })
                .collect_view()}
        </svg>
    }
}

#[component]
fn Recipients(id: i64, filters: Memo<Filters>) -> impl IntoView {
    let page = Resource::new(
        move || {
            let f = filters.get();
            (f.status, f.q, f.after, f.before)
        },
        move |(status, q, after, before)| campaign_recipients(id, status, q, after, before),
    );
    let i18n = use_i18n();
    let prefs = use_prefs();
    let chip = move |status: Option<&'static str>| {
        let f = filters.get_untracked();
        let href = Filters {
            status: status.map(String::from),
            after: None,
            before: None,
            at: 1,
            ..f.clone()
        }
        .href(id);
        let selected = f.status.as_deref() == status;
        let class = if selected {
            "rounded-full bg-emerald-700 px-3 py-1 text-xs font-medium text-white"
        } else {
            "rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700 hover:bg-slate-200"
        };
        let label = match status {
            Some(s) => status_label(prefs.locale, s),
            None => t_string!(i18n, campaign.all).to_string(),
        };
        view! { <a href=href class=class aria-current=selected.then_some("true")>{label}</a> }
    };
    let th = "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-600";
    view! {
        <Card title=t_string!(i18n, campaign.recipients)>
            <div class="mb-4 flex flex-wrap items-center justify-between gap-3">
                <div class="flex flex-wrap gap-2" data-testid="status-filter">
                    {move || {
                        filters.track();
                        std::iter::once(None)
                            .chain(STATUSES.into_iter().map(Some))
                            .map(chip)
                            .collect_view()
                    }}
                </div>
                <Form method="GET" action=format!("/campaigns/{id}")>
                    {move || {
                        let f = filters.get();
                        let export = f.export_href(id);
                        view! {
                            {f.status.map(|s| view! { <input type="hidden" name="status" value=s/> })}
                            {f.severity.map(|s| view! { <input type="hidden" name="severity" value=s/> })}
                            <input
                                type="search"
                                name="q"
                                value=f.q.unwrap_or_default()
                                placeholder=t_string!(i18n, campaign.search_placeholder)
                                aria-label=t_string!(i18n, campaign.search_label)
                                data-testid="recipient-search"
                                class="w-44 rounded-md sm:w-56 border border-slate-300 px-3 py-1.5 text-sm shadow-sm focus:border-emerald-500 focus:outline-none focus:ring-1 focus:ring-emerald-500"
                            />
                            <a
                                href=export
                                download
                                rel="external"
                                class="ml-2 rounded-md border border-slate-300 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50"
                                data-testid="export-recipients"
                            >
                                {t!(i18n, export_csv)}
                            </a>
                        }
                    }}
                </Form>
            </div>
            <Transition fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
                {move || suspend(async move {
                    match page.await {
                        Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                        Ok(p) if p.rows.is_empty() => view! { <Empty text=t_string!(i18n, campaign.no_recipients)/> }.into_any(),
                        Ok(p) => {
                            let f = filters.get_untracked();
                            let (first, last) = (p.rows[0].id, p.rows[p.rows.len() - 1].id);
                            // Nothing before: the first page, whatever the link said.
                            let at = if p.has_previous { f.at } else { 1 };
                            let prev = p.has_previous.then(|| {
                                let at = at.saturating_sub(p.limit).max(1);
                                Filters { after: None, before: Some(first), at, ..f.clone() }.href(id)
                            });
                            let next = p.has_more.then(|| {
                                let at = at + p.rows.len() as u64;
                                Filters { after: Some(last), before: None, at, ..f.clone() }.href(id)
                            });
                            let range = format!(
                                "{}–{}",
                                prefs.num(at as i64),
                                prefs.num(at as i64 + p.rows.len() as i64 - 1),
                            );
                            view! {
                                <div class="overflow-x-auto">
                                    <table class="min-w-full text-sm" data-testid="recipients">
                                        <thead>
                                            <tr class="border-b border-slate-200">
                                                <th class=th>{t!(i18n, campaign.col_name)}</th>
                                                <th class=th>{t!(i18n, campaign.col_phone)}</th>
                                                <th class=th>{t!(i18n, campaign.col_status)}</th>
                                                <th class=th>{t!(i18n, campaign.col_sent)}</th>
                                                <th class=th>{t!(i18n, campaign.col_delivered)}</th>
                                                <th class=th>{t!(i18n, campaign.col_read)}</th>
                                                <th class=th>{t!(i18n, campaign.col_clicked)}</th>
                                            </tr>
                                        </thead>
                                        <tbody class="divide-y divide-slate-100">
                                            {p
                                                .rows
                                                .into_iter()
                                                .map(|r| {
                                                    view! {
                                                        <tr>
                                                            <td class="whitespace-nowrap px-3 py-2 font-medium text-slate-800">{r.name}</td>
                                                            <td class="whitespace-nowrap px-3 py-2 font-mono text-xs text-slate-600">{crate::phone_display::display(&r.phone)}</td>
                                                            <td class="px-3 py-2">
                                                                <Pill status=r.status/>
                                                                {r.error.map(|e| view! { <div class="mt-1 text-xs text-rose-700">{send_error_text(e)}</div> })}
                                                            </td>
                                                            <td class="whitespace-nowrap px-3 py-2 text-xs text-slate-600">{prefs.short(r.sent_at.as_deref())}</td>
                                                            <td class="whitespace-nowrap px-3 py-2 text-xs text-slate-600">{prefs.short(r.delivered_at.as_deref())}</td>
                                                            <td class="whitespace-nowrap px-3 py-2 text-xs text-slate-600">{prefs.short(r.read_at.as_deref())}</td>
                                                            <td class="whitespace-nowrap px-3 py-2 text-xs text-slate-600">{prefs.short(r.clicked_at.as_deref())}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <div class="mt-4 flex items-center justify-between text-sm text-slate-600">
                                    <span data-testid="recipients-range">{range}</span>
                                    <div class="flex gap-2">
                                        {prev.map(|h| view! { <a href=h class="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50" data-testid="previous-page">{t!(i18n, campaign.previous)}</a> })}
                                        {next.map(|h| view! { <a href=h class="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-50" data-testid="next-page">{t!(i18n, campaign.next)}</a> })}
                                    </div>
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </Card>
    }
}

#[component]
fn Log(id: i64, filters: Memo<Filters>, live: Live) -> impl IntoView {
    let severity = Memo::new(move |_| filters.get().severity);
    let lines = Resource::new(move || severity.get(), move |s| campaign_logs(id, s));
    let i18n = use_i18n();
    let prefs = use_prefs();
    let chip = move |s: Option<&'static str>| {
        let f = filters.get_untracked();
        let href = Filters {
            severity: s.map(String::from),
            ..f.clone()
        }
        .href(id);
        let class = if f.severity.as_deref() == s {
            "rounded-full bg-emerald-700 px-3 py-1 text-xs font-medium text-white"
        } else {
            "rounded-full bg-slate-100 px-3 py-1 text-xs font-medium text-slate-700 hover:bg-slate-200"
        };
        let label = match s {
            Some(s) => status_label(prefs.locale, s),
            None => t_string!(i18n, campaign.all).to_string(),
        };
        view! { <a href=href class=class>{label}</a> }
    };
    view! {
        <Card title=t_string!(i18n, campaign.log)>
            <div class="mb-4 flex flex-wrap gap-2" data-testid="severity-filter">
                {move || {
                    filters.track();
                    std::iter::once(None).chain(SEVERITIES.into_iter().map(Some)).map(chip).collect_view()
                }}
            </div>
            <Transition fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
                {move || suspend(async move {
                    match lines.await {
                        Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                        Ok(loaded) => view! { <LogLines id loaded severity live/> }.into_any(),
                    }
                })}
            </Transition>
        </Card>
    }
}

#[component]
fn LogLines(
    id: i64,
    loaded: Vec<CampaignLogView>,
    severity: Memo<Option<String>>,
    live: Live,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let newest = loaded.first().map(|l| l.id).unwrap_or(0);
    let all = move || {
        let wanted = severity.get();
        let mut fresh: Vec<CampaignLogView> = live.logs.with(|logs| {
            logs.iter()
                .filter(|(c, l)| {
                    *c == id && l.id > newest && wanted.as_ref().is_none_or(|w| *w == l.severity)
                })
                .map(|(_, l)| l.clone())
                .collect()
        });
        fresh.reverse();
        fresh.extend(loaded.iter().cloned());
        fresh
    };
    move || {
        let lines = all();
        if lines.is_empty() {
            return view! { <Empty text=t_string!(i18n, campaign.nothing_logged)/> }.into_any();
        }
        view! {
            <ol class="max-h-[32rem] space-y-2 overflow-y-auto" data-testid="log">
                {lines
                    .into_iter()
                    .map(|l| {
                        let critical = l.severity == "critical";
                        let row = if critical {
                            "rounded-lg border border-rose-200 bg-rose-50 px-3 py-2"
                        } else {
                            "rounded-lg border border-slate-100 px-3 py-2"
                        };
                        let text = if critical { "text-sm font-medium text-rose-800" } else { "text-sm text-slate-800" };
                        view! {
                            <li class=row data-severity=l.severity.clone()>
                                <div class="flex items-center justify-between gap-2">
                                    <Pill status=l.severity.clone()/>
                                    <span class="text-xs text-slate-600">{prefs.when(Some(&l.created_at))}</span>
                                </div>
                                <p class=format!("mt-1 {text}")>{log_text(prefs.locale, &l)}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        }
            .into_any()
    }
}

/// A log line in the reader's language, from its kind and details; the server's own text for
/// kinds this page does not know.
fn log_text(locale: Locale, l: &CampaignLogView) -> String {
    let detail = |key: &str| {
        l.details
            .as_ref()
            .and_then(|d| d.get(key))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .unwrap_or_default()
    };
    // A count in the reader's form (`12.000`).
    let prefs = crate::prefs::Prefs {
        locale,
        ..crate::prefs::Prefs::default()
    };
    let count = |key: &str| {
        l.details
            .as_ref()
            .and_then(|d| d.get(key))
            .and_then(serde_json::Value::as_i64)
            .map_or_else(|| detail(key), |n| prefs.num(n))
    };
    let phone = || crate::phone_display::display(&detail("phone"));
    let instance = || detail("instance_name");
    match l.log_type.as_str() {
        "campaign_created" => td_string!(
            locale,
            log.campaign_created,
            total = count("total"),
            opted_out = count("opted_out"),
        )
        .to_string(),
        "campaign_started" => td_string!(locale, log.campaign_started).to_string(),
        "follow_up_created" => td_string!(locale, log.follow_up_created).to_string(),
        "follow_up_segment" => td_string!(
            locale,
            log.follow_up_segment,
            recipients = count("recipients"),
            segment = crate::follow_up::Segment::parse(&detail("segment"))
                .map(|s| crate::pages::campaign_follow_up::segment_label(locale, s))
                .unwrap_or_default(),
            hours = detail("min_age_hours"),
        )
        .to_string(),
        "test_sent" => td_string!(
            locale,
            log.test_sent,
            phone = phone(),
            ok = detail("accepted"),
            total = detail("variants"),
        )
        .to_string(),
        "media_unreachable" => td_string!(locale, log.media_unreachable).to_string(),
        "campaign_paused" => td_string!(locale, log.campaign_paused).to_string(),
        "campaign_resumed" => td_string!(locale, log.campaign_resumed).to_string(),
        "campaign_cancelled" => td_string!(locale, log.campaign_cancelled).to_string(),
        "campaign_completed" => td_string!(locale, log.campaign_completed).to_string(),
        "contact_opted_out" => td_string!(
            locale,
            log.contact_opted_out,
            phone = phone(),
            keyword = detail("keyword")
        )
        .to_string(),
        "message_failed" if detail("error").is_empty() => {
            td_string!(locale, log.message_failed, phone = phone()).to_string()
        }
        "message_failed" => td_string!(
            locale,
            log.message_failed_because,
            phone = phone(),
            error = detail("error")
        )
        .to_string(),
        "error_after_delivery" => {
            td_string!(locale, log.error_after_delivery, phone = phone()).to_string()
        }
        "instance_disconnected" => {
            td_string!(locale, log.instance_disconnected, instance = instance()).to_string()
        }
        "evolution_auth_failed" => {
            td_string!(locale, log.evolution_auth_failed, instance = instance()).to_string()
        }
        "best_hours_planned" => td_string!(
            locale,
            log.best_hours_planned,
            personal = count("personal"),
            audience = count("audience"),
            explore = count("explore"),
            start = count("start"),
        )
        .to_string(),
        "opt_out_revoked" => td_string!(locale, log.opt_out_revoked).to_string(),
        "evolution_instance_missing" => td_string!(
            locale,
            log.evolution_instance_missing,
            instance = instance()
        )
        .to_string(),
        _ => l.message.clone(),
    }
}
