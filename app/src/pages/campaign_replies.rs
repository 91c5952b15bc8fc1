//! The replies view of a campaign's page: what people answered, newest first, with the
//! filter "only opt-outs" (a plain link, so it works without JavaScript).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::audience_api::campaign_replies;
use crate::i18n::{t, t_string, use_i18n};
use crate::prefs::use_prefs;
use crate::suspend_once::suspend;
use crate::ui::{Card, Empty, ErrorBox, error_text};

/// The replies to campaign `id`.
#[component]
pub fn Replies(
    /// The campaign.
    id: i64,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let query = use_query_map();
    let only_opt_outs =
        Memo::new(move |_| query.with(|q| q.get("replies").as_deref() == Some("opt_outs")));
    let replies = Resource::new(
        move || only_opt_outs.get(),
        move |only| campaign_replies(id, only),
    );
    let tab = move |on: bool| {
        if on {
            "rounded-md bg-emerald-700 px-2.5 py-1 text-xs font-medium text-white"
        } else {
            "rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs text-slate-700 hover:bg-slate-50"
        }
    };
    view! {
        <Card title=t_string!(i18n, replies.title).to_string()>
            <div class="mb-3 flex gap-2" data-testid="replies-filter">
                <a href=format!("/campaigns/{id}") class=move || tab(!only_opt_outs.get())>{t!(i18n, replies.all)}</a>
                <a href=format!("/campaigns/{id}?replies=opt_outs") class=move || tab(only_opt_outs.get()) data-testid="only-opt-outs">
                    {t!(i18n, replies.only_opt_outs)}
                </a>
            </div>
            <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
                {move || suspend(async move {
                    match replies.await {
                        Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <Empty text=t_string!(i18n, replies.empty)/> }.into_any(),
                        Ok(list) => view! {
                            <ul class="max-h-96 space-y-3 overflow-y-auto" data-testid="replies">
                                {list.into_iter().map(|r| view! {
                                    <li class="rounded-lg bg-slate-50 p-3">
                                        <p class="text-sm">{r.text}</p>
                                        <p class="mt-1 text-xs text-slate-600">
                                            <a href=format!("/contacts/{}", r.contact_id) class="text-emerald-700 underline">
                                                {if r.name.is_empty() { crate::phone_display::display(&r.phone) } else { r.name }}
                                            </a>
                                            " · "{prefs.when(Some(&r.received_at))}
                                            {r.opt_out.then(|| view! {
                                                " · "<span class="font-semibold text-amber-800">{t!(i18n, replies.opted_out)}</span>
                                            })}
                                            {r.deleted_at.is_some().then(|| view! {
                                                " · "<span class="italic text-slate-700" data-testid="reply-deleted">{t!(i18n, replies.deleted)}</span>
                                            })}
                                        </p>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </Card>
    }
}
