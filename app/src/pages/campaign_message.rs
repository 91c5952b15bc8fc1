//! The campaign page's message parts: each variant as a WhatsApp bubble (with its photo,
//! video, document, voice note or poll), the poll's votes, and a test send from a draft.

use leptos::prelude::*;

use crate::i18n::{t, t_string, use_i18n};
use crate::messages::{MediaView, PollResults};
use crate::messages_api::{SendTest, load_media};
use crate::pages::bubble::{Attachment, WhatsAppBubble};
use crate::prefs::use_prefs;
use crate::suspend_once::suspend;
use crate::template::render;
use crate::types::CampaignView;
use crate::ui::{Card, ErrorBox, INPUT, error_text};

/// The sample person previews are rendered for.
const SAMPLE: (&str, &str) = ("Maria Silva", "5511987654321");

/// Each variant of `c` as WhatsApp shows it (the text rendered for a sample person).
#[component]
pub fn MessagePreview(
    /// The campaign.
    c: CampaignView,
) -> impl IntoView {
    let i18n = use_i18n();
    // Text, media id and kind per variant, `message` first.
    let variants: Vec<(String, Option<i64>)> = if c.variants.is_empty() {
        vec![(c.message.clone(), c.media.as_ref().map(|m| m.media_id))]
    } else {
        c.variants
            .iter()
            .map(|v| (v.text.clone(), v.media.as_ref().map(|m| m.media_id)))
            .collect()
    };
    let ids: Vec<i64> = variants.iter().filter_map(|(_, id)| *id).collect();
    let files = Resource::new(
        move || ids.clone(),
        |ids| async move {
            let mut files: Vec<MediaView> = Vec::new();
            for id in ids {
                if files.iter().all(|f| f.id != id)
                    && let Ok(file) = load_media(id).await
                {
                    files.push(file);
                }
            }
            files
        },
    );
    let poll = c.poll.clone();
    view! {
        <div class="space-y-3" data-testid="message-preview">
            <Suspense>
                {move || {
                    let variants = variants.clone();
                    let poll = poll.clone();
                    suspend(async move {
                        let files = files.await;
                        if let Some(poll) = poll {
                            let question = render(&poll.question, SAMPLE.0, SAMPLE.1);
                            let attachment = Attachment::Poll(poll.options, poll.selectable_count > 1);
                            return view! { <WhatsAppBubble text=question attachment/> }.into_any();
                        }
                        let many = variants.len() > 1;
                        variants
                            .into_iter()
                            .enumerate()
                            .map(|(n, (text, media_id))| {
                                let attachment = media_id
                                    .and_then(|id| files.iter().find(|f| f.id == id).cloned())
                                    .map_or(Attachment::Nothing, Attachment::File);
                                let text = render(&text, SAMPLE.0, SAMPLE.1);
                                view! {
                                    <div>
                                        {many.then(|| view! {
                                            <span class="text-xs font-medium text-emerald-800">{t_string!(i18n, variants.variant_name, n = n + 1).to_string()}</span>
                                        })}
                                        <WhatsAppBubble text attachment/>
                                    </div>
                                }
                            })
                            .collect_view()
                            .into_any()
                    })
                }}
            </Suspense>
        </div>
    }
}

/// A poll's votes per option (each person's latest vote), as bars of the voters' share.
#[component]
pub fn PollResultsCard(
    /// The votes.
    results: PollResults,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let voters = results.voters;
    view! {
        <Card title=t_string!(i18n, media.results_title)>
            <p class="text-sm font-medium text-slate-800">{results.question.clone()}</p>
            <ul class="mt-3 space-y-3" data-testid="poll-results">
                {results.options.into_iter().map(|o| {
                    let share = if voters == 0 { 0.0 } else { 100.0 * o.votes as f64 / voters as f64 };
                    view! {
                        <li data-testid="poll-option">
                            <div class="flex items-baseline justify-between gap-3 text-sm">
                                <span class="text-slate-800">{o.option.clone()}</span>
                                <span class="font-semibold tabular-nums" data-testid="poll-votes">
                                    {if o.votes == 1 {
                                        t_string!(i18n, media.results_vote_one, count = 1).to_string()
                                    } else {
                                        t_string!(i18n, media.results_votes, count = prefs.num(o.votes)).to_string()
                                    }}
                                    {format!(" · {}", prefs.pct(share))}
                                </span>
                            </div>
                            <div class="mt-1 h-2 rounded-full bg-slate-100">
                                <div class="h-2 rounded-full bg-emerald-500" style=format!("width: {share:.1}%")></div>
                            </div>
                            {o.list_id.map(|id| {
                                let name = o.list_name.clone().unwrap_or_else(|| format!("#{id}"));
                                view! {
                                    <a href=format!("/contacts?list_id={id}") class="mt-1 inline-block text-xs text-emerald-800 underline">
                                        {t_string!(i18n, media.results_list, list = name).to_string()}
                                    </a>
                                }
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="mt-3 text-xs text-slate-600" data-testid="poll-voters">
                {if voters == 1 {
                    t_string!(i18n, media.results_voter_one).to_string()
                } else {
                    t_string!(i18n, media.results_voters, count = prefs.num(voters)).to_string()
                }}
            </p>
        </Card>
    }
}

/// "Enviar teste": every variant to one number, from a draft (works without JavaScript: the
/// result is also written in the campaign's log).
#[component]
pub fn TestSend(
    /// The draft's id.
    id: i64,
) -> impl IntoView {
    let i18n = use_i18n();
    let send = ServerAction::<SendTest>::new();
    view! {
        <Card title=t_string!(i18n, media.test_title)>
            <p class="text-xs text-slate-600">{t!(i18n, media.test_hint)}</p>
            <ActionForm action=send attr:class="mt-3 space-y-3" attr:data-testid="test-send-form">
                <input type="hidden" name="id" value=id/>
                <label class="block text-sm">
                    <span class="font-medium text-slate-700">{t!(i18n, media.test_phone)}</span>
                    <input name="phone" required class=INPUT placeholder="(11) 98765-4321" data-testid="test-phone"/>
                </label>
                <label class="block text-sm">
                    <span class="font-medium text-slate-700">{t!(i18n, media.test_contact)}</span>
                    <input name="contact_id" type="number" min="1" class=INPUT data-testid="test-contact"/>
                </label>
                <button type="submit" disabled=move || send.pending().get()
                    class="rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800 disabled:opacity-60"
                    data-testid="test-send">
                    {t!(i18n, media.test_send)}
                </button>
            </ActionForm>
            {move || send.value().get().map(|result| match result {
                Err(e) => view! { <div class="mt-3"><ErrorBox text=error_text(&e)/></div> }.into_any(),
                Ok(report) => {
                    let ok = report.results.iter().filter(|r| r.message_id.is_some()).count();
                    view! {
                        <div class="mt-3 text-sm text-slate-800" role="status" data-testid="test-result">
                            <p>{t_string!(i18n, media.test_sent, phone = crate::phone_display::display(&report.phone), ok = ok, total = report.results.len()).to_string()}</p>
                            <ul class="mt-1 text-rose-800">
                                {report.results.into_iter().filter_map(|r| r.error.map(|e| view! {
                                    <li>{t_string!(i18n, media.test_failed, n = r.variant + 1, error = e).to_string()}</li>
                                })).collect_view()}
                            </ul>
                        </div>
                    }.into_any()
                }
            })}
        </Card>
    }
}
