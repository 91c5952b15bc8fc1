//! `/campaigns/new` (admins): a photo, video, document or voice note (uploaded first), name,
//! message or poll with a live preview as WhatsApp bubbles, instances, contacts (all, or a
//! pasted list), pacing and an optional start time; creates the campaign as a draft, scheduled
//! when a start time is given.

use leptos::prelude::*;
use leptos_meta::Title;

use leptos_router::hooks::use_query_map;

use crate::api::{CreateCampaign, get_settings, list_instances};
use crate::audience_api::list_lists;
use crate::i18n::{Locale, t, t_string, td_string, use_i18n};
use crate::messages::{CampaignMedia, MediaView, Poll};
use crate::messages_api::load_media;
use crate::pages::bubble::{Attachment, WhatsAppBubble};
use crate::pages::layout::UserResource;
use crate::pages::list_picker::ListPicker;
use crate::spintax::{Spintax, all_too_similar};
use crate::suspend_once::suspend;
use crate::template::{Field, render};
use crate::types::{CampaignSettings, InstanceView, NewCampaign, SendWindow, TenantSettings};
use crate::ui::{Card, Empty, ErrorBox, INPUT, error_text, status_label};

/// The help under the message: the contact fields by the names the reader uses
/// (`{{nome}}` in Portuguese, `{{name}}` in English; both work).
fn placeholders_hint(locale: Locale) -> String {
    td_string!(
        locale,
        new_campaign.placeholders_hint,
        a = placeholder(locale, Field::Name),
        b = placeholder(locale, Field::FirstName),
        c = placeholder(locale, Field::Phone)
    )
    .to_string()
}

/// A contact field's placeholder as a reader of `locale` writes it: `{{primeiro_nome}}`.
fn placeholder(locale: Locale, field: Field) -> String {
    let name = if locale == Locale::pt_BR {
        field.portuguese()
    } else {
        field.english()
    };
    format!("{{{{{name}}}}}")
}

/// The new-campaign page.
#[component]
pub fn NewCampaignPage() -> impl IntoView {
    let i18n = use_i18n();
    let user = expect_context::<UserResource>();
    let instances = Resource::new(|| (), |_| list_instances());
    let defaults = Resource::new(|| (), |_| get_settings());
    // An upload comes back as `?media_id=` (or `?media_problem=` when it was refused).
    let query = use_query_map();
    let problem = Memo::new(move |_| query.with(|q| q.get("media_problem")));
    let media = Resource::new(
        move || query.with(|q| q.get("media_id").and_then(|id| id.parse::<i64>().ok())),
        |id| async move {
            match id {
                Some(id) => load_media(id).await.ok(),
                None => None,
            }
        },
    );
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, new_campaign.title))/>
        <a href="/" class="text-sm text-emerald-800 hover:underline">{t!(i18n, back_to_campaigns)}</a>
        <h1 class="mt-2 mb-6 text-2xl font-semibold tracking-tight">{t!(i18n, new_campaign.title)}</h1>
        <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || suspend(async move {
                let admin = user.await.map(|u| u.role == "admin").unwrap_or(false);
                let defaults = match defaults.await {
                    Ok(d) => d,
                    Err(e) => return view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                };
                let media = media.await;
                match instances.await {
                    _ if !admin => view! { <Empty text=t_string!(i18n, new_campaign.only_admins)/> }.into_any(),
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! { <Empty text=t_string!(i18n, new_campaign.no_instances)/> }.into_any()
                    }
                    Ok(list) => view! {
                        <MediaUpload media=media.clone() problem=problem.get_untracked()/>
                        <CampaignForm instances=list defaults media/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The weekday codes of `send_days`, Monday first.
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The short name of weekday `n` (0 = Monday) in `locale`.
pub(crate) fn day_label(locale: Locale, n: usize) -> &'static str {
    match n {
        0 => td_string!(locale, window.day_mon),
        1 => td_string!(locale, window.day_tue),
        2 => td_string!(locale, window.day_wed),
        3 => td_string!(locale, window.day_thu),
        4 => td_string!(locale, window.day_fri),
        5 => td_string!(locale, window.day_sat),
        _ => td_string!(locale, window.day_sun),
    }
}

/// `send_days` from the checkboxes: empty (every day) when all are checked, or none (a
/// campaign that may never send is not what anyone means).
fn chosen_days(days: [bool; 7]) -> Vec<String> {
    if days.iter().all(|d| *d) || !days.iter().any(|d| *d) {
        return Vec::new();
    }
    DAYS.iter()
        .zip(days)
        .filter(|(_, on)| *on)
        .map(|(code, _)| code.to_string())
        .collect()
}

/// The extra variants typed in the form: blocks separated by a line with just `---`.
fn split_variants(text: &str) -> Vec<String> {
    text.split('\n')
        .collect::<Vec<_>>()
        .split(|line| line.trim() == "---")
        .map(|block| block.join("\n").trim().to_string())
        .filter(|block| !block.is_empty())
        .collect()
}

/// A few distinct renderings of each variant (`message` first) for a sample contact, as the
/// sender would spin and fill them; a variant that is not valid spintax is shown as written.
fn renderings(message: &str, extra: &str) -> Vec<(usize, String)> {
    std::iter::once(message.to_string())
        .chain(split_variants(extra))
        .enumerate()
        .flat_map(|(n, text)| {
            let spins = Spintax::parse(&text).map_or_else(|_| vec![text.clone()], |s| s.samples(3));
            spins
                .into_iter()
                .map(move |t| (n, render(&t, "Maria Silva", "5511987654321")))
        })
        .collect()
}

/// The file types the upload offers (the server reads the real type from the content).
const ACCEPTED_FILES: &str = "image/jpeg,image/png,image/webp,video/mp4,audio/ogg,audio/mpeg,\
    audio/mp4,.m4a,.opus,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp";

/// The upload of the campaign's photo, video, document or voice note: a plain form (it works
/// without JavaScript) that comes back to this page with the file attached.
#[component]
fn MediaUpload(media: Option<MediaView>, problem: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = crate::prefs::use_prefs();
    view! {
        <section class="mb-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="media-card">
            <h2 class="text-sm font-semibold text-slate-700">{t!(i18n, media.title)}</h2>
            <p class="mt-1 text-xs text-slate-600">{t!(i18n, media.hint)}</p>
            {problem.map(|p| view! { <div class="mt-3"><ErrorBox text=p/></div> })}
            {media.map(|m| view! {
                <p class="mt-3 text-sm text-slate-800" data-testid="media-attached">
                    {t_string!(i18n, media.attached, name = m.file_name.clone(), size = prefs.bytes(m.size), kind = media_kind_label(i18n.get_locale_untracked(), &m.kind)).to_string()}
                    " "
                    <a href="/campaigns/new" class="text-emerald-800 underline">{t!(i18n, media.remove)}</a>
                </p>
            })}
            <form method="post" action="/api/v1/media" enctype="multipart/form-data"
                class="mt-3 flex flex-wrap items-end gap-3" data-testid="upload-media">
                <label class="block text-sm">
                    <span class="font-medium text-slate-700">{t!(i18n, media.file_label)}</span>
                    <input type="file" name="file" required accept=ACCEPTED_FILES class="mt-1 block text-sm" data-testid="media-file"/>
                </label>
                <button type="submit" class="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50" data-testid="media-upload">
                    {t!(i18n, media.upload)}
                </button>
            </form>
        </section>
    }
}

/// The name of a media kind (`image`, `video`, `audio`, `document`) in `locale`.
pub(crate) fn media_kind_label(locale: Locale, kind: &str) -> &'static str {
    match kind {
        "image" => td_string!(locale, media.kind_image),
        "video" => td_string!(locale, media.kind_video),
        "audio" => td_string!(locale, media.kind_audio),
        _ => td_string!(locale, media.kind_document),
    }
}

/// The poll's options typed one per line (blank lines dropped).
fn poll_options(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[component]
fn CampaignForm(
    instances: Vec<InstanceView>,
    defaults: TenantSettings,
    media: Option<MediaView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateCampaign>::new();
    let name = RwSignal::new(String::new());
    let message = RwSignal::new(format!(
        "{} {}! ",
        t_string!(i18n, new_campaign.greeting),
        placeholder(i18n.get_locale(), Field::FirstName)
    ));
    let chosen = RwSignal::new(instances.first().map(|i| vec![i.id]).unwrap_or_default());
    let all_contacts = RwSignal::new(true);
    let to_lists = RwSignal::new(false);
    let include = RwSignal::new(Vec::<i64>::new());
    let exclude = RwSignal::new(Vec::<i64>::new());
    let pasted = RwSignal::new(String::new());
    let start_at = RwSignal::new(String::new());
    let best_hour = RwSignal::new(false);
    let track_links = RwSignal::new(true);
    let extra = RwSignal::new(String::new());
    let voice_note = media.as_ref().is_some_and(|m| m.kind == "audio");
    let poll_on = RwSignal::new(false);
    let poll_question = RwSignal::new(String::new());
    let poll_text = RwSignal::new(String::new());
    let poll_many = RwSignal::new(false);
    let poll_lists = RwSignal::new(std::collections::BTreeMap::<String, i64>::new());
    let lists = Resource::new(|| (), |_| list_lists());
    let attached = media.clone();
    let attached_is_none = media.is_none();
    let bubble_media = media.clone();
    let secs = |ms: i64| (ms as f64 / 1000.0).to_string();
    let min_delay = RwSignal::new(secs(defaults.default_pacing.min_delay_ms));
    let max_delay = RwSignal::new(secs(defaults.default_pacing.max_delay_ms));
    // Weekdays it may send on (Monday first); all seven = every day.
    let days = RwSignal::new([true; 7]);
    let daily_cap = RwSignal::new(
        defaults
            .default_daily_cap
            .map(|c| c.to_string())
            .unwrap_or_default(),
    );
    // New campaigns send 08:00–20:00 unless the tenant chose other defaults.
    let window_start = RwSignal::new(
        defaults
            .default_send_window
            .as_ref()
            .map_or_else(|| "08:00".to_string(), |w| w.start.clone()),
    );
    let window_end = RwSignal::new(
        defaults
            .default_send_window
            .map_or_else(|| "20:00".to_string(), |w| w.end),
    );
    // The window in the tenant's timezone (the server follows its DST changes).
    let window = move || {
        let (start, end) = (window_start.get_untracked(), window_end.get_untracked());
        (!start.trim().is_empty() && !end.trim().is_empty()).then(|| SendWindow {
            start: start.trim().to_string(),
            end: end.trim().to_string(),
            utc_offset_minutes: None,
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let seconds = |s: RwSignal<String>| {
            (s.get_untracked().trim().parse::<f64>().unwrap_or(0.0) * 1000.0) as i64
        };
        let poll = poll_on.get_untracked().then(|| {
            let options = poll_options(&poll_text.get_untracked());
            Poll {
                question: poll_question.get_untracked(),
                selectable_count: if poll_many.get_untracked() {
                    options.len().max(1) as u32
                } else {
                    1
                },
                option_lists: poll_lists
                    .get_untracked()
                    .into_iter()
                    .filter(|(o, _)| options.contains(o))
                    .collect(),
                options,
            }
        });
        // A poll, and a voice note, carry no text of their own.
        let textless = poll.is_some() || voice_note;
        create.dispatch(CreateCampaign {
            input: NewCampaign {
                name: name.get_untracked(),
                message: if textless {
                    String::new()
                } else {
                    message.get_untracked()
                },
                media: if poll.is_some() {
                    None
                } else {
                    attached.as_ref().map(|m| CampaignMedia {
                        kind: m.kind.clone(),
                        media_id: m.id,
                        caption: None,
                        file_name: None,
                    })
                },
                poll,
                instance_ids: chosen.get_untracked(),
                contact_ids: None,
                all_contacts: all_contacts.get_untracked() && !to_lists.get_untracked(),
                list_ids: to_lists.get_untracked().then(|| include.get_untracked()),
                exclude_list_ids: to_lists
                    .get_untracked()
                    .then(|| exclude.get_untracked())
                    .filter(|e| !e.is_empty()),
                settings: Some(CampaignSettings {
                    min_delay_ms: seconds(min_delay),
                    max_delay_ms: seconds(max_delay),
                    daily_cap_per_instance: daily_cap.get_untracked().trim().parse().ok(),
                    send_window: window(),
                    send_days: chosen_days(days.get_untracked()),
                }),
                variants: if textless {
                    Vec::new()
                } else {
                    split_variants(&extra.get_untracked())
                        .into_iter()
                        .map(Into::into)
                        .collect()
                },
                send_at_best_hour: best_hour.get_untracked(),
                track_links: Some(track_links.get_untracked()),
                utm: None,
            },
            pasted: pasted.get_untracked(),
            start_at: Some(start_at.get_untracked()),
        });
    };
    let label = "text-sm font-medium text-slate-700";
    view! {
        <form on:submit=submit class="grid grid-cols-1 gap-6 lg:grid-cols-3" data-testid="new-campaign">
            <div class="space-y-6 lg:col-span-2">
                <Card title=t_string!(i18n, new_campaign.message_card)>
                    <label class="block">
                        <span class=label>{t!(i18n, new_campaign.name)}</span>
                        <input class=INPUT required placeholder="Black Friday 2026" bind:value=name data-testid="campaign-name-input"/>
                    </label>
                    <label class="mt-4 flex items-start gap-2 text-sm">
                        <input type="checkbox" class="mt-0.5" bind:checked=poll_on data-testid="poll-toggle"/>
                        <span>
                            <span class="font-medium">{t!(i18n, media.poll_toggle)}</span>
                            <span class="mt-0.5 block text-xs text-slate-600">{t!(i18n, media.poll_hint)}</span>
                        </span>
                    </label>
                    <div class="mt-3 space-y-3 rounded-lg border border-slate-200 p-3" class:hidden=move || !poll_on.get() data-testid="poll-fields">
                        <label class="block">
                            <span class=label>{t!(i18n, media.poll_question)}</span>
                            <input class=INPUT bind:value=poll_question placeholder=t_string!(i18n, media.poll_question_example) data-testid="poll-question"/>
                        </label>
                        <label class="block">
                            <span class=label>{t!(i18n, media.poll_options)}</span>
                            <textarea class=INPUT rows="4" bind:value=poll_text data-testid="poll-options"></textarea>
                            <span class="mt-1 block text-xs text-slate-600">{t!(i18n, media.poll_options_hint)}</span>
                        </label>
                        <label class="flex items-center gap-2 text-sm">
                            <input type="checkbox" bind:checked=poll_many data-testid="poll-many"/>
                            {t!(i18n, media.poll_many_toggle)}
                        </label>
                        <Suspense>
                            {move || suspend(async move {
                                let all = lists.await.unwrap_or_default();
                                (!all.is_empty()).then(|| view! {
                                    <div class="space-y-2" data-testid="poll-lists">
                                        <p class="text-xs text-slate-600">{t!(i18n, media.poll_lists_hint)}</p>
                                        {move || poll_options(&poll_text.get()).into_iter().map(|option| {
                                            let all = all.clone();
                                            let key = option.clone();
                                            view! {
                                                <label class="flex items-center gap-2 text-sm">
                                                    <span class="min-w-0 flex-1 truncate">{option.clone()}</span>
                                                    <select class="rounded-md border border-slate-300 px-2 py-1 text-sm"
                                                        aria-label=t_string!(i18n, media.poll_list_for, option = option.clone()).to_string()
                                                        on:change=move |ev| {
                                                            let id = event_target_value(&ev).parse::<i64>().ok();
                                                            let key = key.clone();
                                                            poll_lists.update(|m| match id {
                                                                Some(id) => { m.insert(key, id); }
                                                                None => { m.remove(&key); }
                                                            });
                                                        }>
                                                        <option value="">{t!(i18n, media.poll_no_list)}</option>
                                                        {all.into_iter().map(|l| view! { <option value=l.id.to_string()>{l.name}</option> }).collect_view()}
                                                    </select>
                                                </label>
                                            }
                                        }).collect_view()}
                                    </div>
                                })
                            })}
                        </Suspense>
                    </div>
                    <label class="mt-4 block" class:hidden=move || poll_on.get() || voice_note>
                        <span class=label>{t!(i18n, new_campaign.message)}</span>
                        <textarea class=INPUT rows="5" required=move || !poll_on.get() && attached_is_none && !voice_note bind:value=message data-testid="campaign-message-input"></textarea>
                        <span class="mt-1 block text-xs text-slate-600">
                            {placeholders_hint(i18n.get_locale())}
                        </span>
                    </label>
                    <label class="mt-4 block" class:hidden=move || poll_on.get() || voice_note>
                        <span class=label>{t!(i18n, variants.extra_label)}</span>
                        <textarea class=INPUT rows="4" bind:value=extra data-testid="campaign-variants-input"></textarea>
                        <span class="mt-1 block text-xs text-slate-600">{t!(i18n, variants.extra_hint)}</span>
                    </label>
                    <div class="mt-4 rounded-lg bg-emerald-50 p-4">
                        <div class="text-xs font-medium uppercase tracking-wide text-emerald-800">{t!(i18n, new_campaign.preview_for)}</div>
                        <ul class="mt-2 space-y-2" data-testid="preview">
                            {move || {
                                if poll_on.get() {
                                    let question = render(&poll_question.get(), "Maria Silva", "5511987654321");
                                    let attachment = Attachment::Poll(poll_options(&poll_text.get()), poll_many.get());
                                    return view! {
                                        <li class="flex justify-end" data-testid="preview-rendering">
                                            <WhatsAppBubble text=question attachment/>
                                        </li>
                                    }.into_any();
                                }
                                let attachment = bubble_media.clone().map_or(Attachment::Nothing, Attachment::File);
                                let texts = if voice_note {
                                    vec![(0, String::new())]
                                } else {
                                    renderings(&message.get(), &extra.get())
                                };
                                texts
                                    .into_iter()
                                    .map(|(n, text)| view! {
                                        <li class="flex flex-col items-end gap-1" data-testid="preview-rendering">
                                            <span class="text-xs font-medium text-emerald-800">{t_string!(i18n, variants.variant_name, n = n + 1).to_string()}</span>
                                            <WhatsAppBubble text attachment=attachment.clone()/>
                                        </li>
                                    })
                                    .collect_view()
                                    .into_any()
                            }}
                        </ul>
                        {move || {
                            let texts: Vec<String> = renderings(&message.get(), &extra.get()).into_iter().map(|(_, t)| t).collect();
                            (texts.len() > 1 && all_too_similar(&texts)).then(|| view! {
                                <p class="mt-2 text-sm text-amber-900" role="status" data-testid="too-similar">{t!(i18n, variants.too_similar)}</p>
                            })
                        }}
                    </div>
                </Card>
                <Card title=t_string!(i18n, new_campaign.contacts)>
                    <label class="flex items-center gap-2 text-sm">
                        <input type="radio" name="audience" checked=move || all_contacts.get() && !to_lists.get() on:change=move |_| { all_contacts.set(true); to_lists.set(false) }/>
                        {t!(i18n, new_campaign.all_contacts)}
                    </label>
                    <label class="mt-2 flex items-center gap-2 text-sm">
                        <input type="radio" name="audience" checked=move || !all_contacts.get() && !to_lists.get() on:change=move |_| { all_contacts.set(false); to_lists.set(false) } data-testid="audience-pasted"/>
                        {t!(i18n, new_campaign.pasted_contacts)}
                    </label>
                    <textarea
                        class=INPUT
                        rows="6"
                        placeholder="Maria Silva, +55 11 98765-4321"
                        aria-label=t_string!(i18n, new_campaign.pasted_label)
                        bind:value=pasted
                        disabled=move || all_contacts.get() || to_lists.get()
                        data-testid="pasted-contacts"
                    ></textarea>
                    <label class="mt-4 flex items-center gap-2 text-sm">
                        <input type="radio" name="audience" checked=move || to_lists.get() on:change=move |_| { all_contacts.set(false); to_lists.set(true) } data-testid="audience-lists"/>
                        {t!(i18n, lists.to_lists)}
                    </label>
                    <ListPicker active=to_lists.into() include exclude/>
                </Card>
            </div>
            <div class="space-y-6">
                <Card title=t_string!(i18n, new_campaign.send_through)>
                    {instances
                        .into_iter()
                        .map(|i| {
                            let id = i.id;
                            view! {
                                <label class="mb-2 flex items-center gap-2 text-sm">
                                    <input
                                        type="checkbox"
                                        checked=move || chosen.with(|c| c.contains(&id))
                                        on:change=move |_| chosen.update(|c| if c.contains(&id) { c.retain(|x| *x != id) } else { c.push(id) })
                                    />
                                    {i.friendly_name}
                                    <span class="text-xs text-slate-600">{format!("({})", status_label(i18n.get_locale_untracked(), &i.connection_state))}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </Card>
                <Card title=t_string!(i18n, new_campaign.pacing)>
                    <p class="text-xs text-slate-600">{t!(i18n, new_campaign.pacing_hint)}</p>
                    <div class="mt-3 grid grid-cols-2 gap-3">
                        <label class="block">
                            <span class=label>{t!(i18n, new_campaign.min_delay)}</span>
                            <input class=INPUT type="number" min="0" step="0.1" bind:value=min_delay/>
                        </label>
                        <label class="block">
                            <span class=label>{t!(i18n, new_campaign.max_delay)}</span>
                            <input class=INPUT type="number" min="0" step="0.1" bind:value=max_delay/>
                        </label>
                        <label class="block">
                            <span class=label>{t!(i18n, settings.window_start)}</span>
                            <input class=INPUT type="time" bind:value=window_start data-testid="window-start"/>
                        </label>
                        <label class="block">
                            <span class=label>{t!(i18n, settings.window_end)}</span>
                            <input class=INPUT type="time" bind:value=window_end data-testid="window-end"/>
                        </label>
                    </div>
                    <fieldset class="mt-3">
                        <legend class=label>{t!(i18n, window.days_label)}</legend>
                        <div class="mt-1 flex flex-wrap gap-x-3 gap-y-1">
                            {DAYS
                                .iter()
                                .enumerate()
                                .map(|(n, code)| {
                                    let locale = i18n.get_locale_untracked();
                                    view! {
                                        <label class="flex items-center gap-1 text-sm">
                                            <input
                                                type="checkbox"
                                                checked=move || days.with(|d| d[n])
                                                on:change=move |_| days.update(|d| d[n] = !d[n])
                                                data-testid=format!("send-day-{code}")
                                            />
                                            {day_label(locale, n)}
                                        </label>
                                    }
                                })
                                .collect_view()}
                        </div>
                    </fieldset>
                    <label class="mt-3 block">
                        <span class=label>{t!(i18n, settings.daily_cap)}</span>
                        <input class=INPUT type="number" min="1" bind:value=daily_cap data-testid="daily-cap"/>
                    </label>
                </Card>
                <Card title=t_string!(i18n, new_campaign.when_card)>
                    <label class="block">
                        <span class=label>{t!(i18n, new_campaign.start_at)}</span>
                        <input class=INPUT type="datetime-local" bind:value=start_at data-testid="start-at"/>
                    </label>
                    <p class="mt-1 text-xs text-slate-600">{t!(i18n, new_campaign.start_at_hint)}</p>
                    <label class="mt-4 flex items-start gap-2 text-sm">
                        <input type="checkbox" class="mt-0.5" bind:checked=best_hour data-testid="send-at-best-hour"/>
                        <span>
                            <span class="font-medium">{t!(i18n, insights.send_at_best_hour)}</span>
                            <span class="mt-0.5 block text-xs text-slate-600">{t!(i18n, insights.send_at_best_hour_hint)}</span>
                        </span>
                    </label>
                    <label class="mt-4 flex items-start gap-2 text-sm">
                        <input type="checkbox" class="mt-0.5" bind:checked=track_links data-testid="track-links"/>
                        <span>
                            <span class="font-medium">{t!(i18n, follow_up.track_links)}</span>
                            <span class="mt-0.5 block text-xs text-slate-600">{t!(i18n, follow_up.track_links_hint)}</span>
                        </span>
                    </label>
                </Card>
                {move || create.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorBox text=error_text(&e)/> })}
                <button
                    type="submit"
                    class="w-full rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800 disabled:opacity-60"
                    disabled=move || create.pending().get()
                    data-testid="create-campaign"
                >
                    {t!(i18n, new_campaign.create)}
                </button>
                <p class="text-xs text-slate-600">{t!(i18n, new_campaign.nothing_sent)}</p>
            </div>
        </form>
    }
}
