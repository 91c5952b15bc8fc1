//! A message as WhatsApp shows it: a green bubble with the photo, the video, the document's
//! name and size, the voice note's length or the poll's options, and the text formatted the
//! way WhatsApp formats it. Rendered by the server (no JavaScript needed) and live while
//! typing once the page is interactive.

use leptos::prelude::*;

use crate::i18n::{t_string, use_i18n};
use crate::messages::MediaView;
use crate::prefs::use_prefs;
use crate::whatsapp_format::{Span, parse};

/// What a bubble carries besides its text.
#[derive(Clone, Debug, PartialEq)]
pub enum Attachment {
    /// Text only.
    Nothing,
    /// An uploaded file.
    File(MediaView),
    /// A poll: its options, and whether several may be chosen.
    Poll(Vec<String>, bool),
}

fn spans_view(spans: Vec<Span>) -> AnyView {
    spans
        .into_iter()
        .map(|span| match span {
            Span::Text(text) => text.into_any(),
            Span::Bold(inner) => view! { <strong>{spans_view(inner)}</strong> }.into_any(),
            Span::Italic(inner) => view! { <em>{spans_view(inner)}</em> }.into_any(),
            Span::Strike(inner) => view! { <s>{spans_view(inner)}</s> }.into_any(),
            Span::Mono(text) => {
                view! { <code class="font-mono text-[0.8rem]">{text}</code> }.into_any()
            }
        })
        .collect_view()
        .into_any()
}

/// `m:ss` of a length in seconds.
fn clock(secs: i64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// One message as a WhatsApp bubble.
#[component]
pub fn WhatsAppBubble(
    /// The text (caption, or the poll's question), rendered for a sample contact.
    #[prop(into)]
    text: String,
    /// The photo, video, document, voice note or poll.
    attachment: Attachment,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let is_poll = matches!(attachment, Attachment::Poll(..));
    let extra = match attachment {
        Attachment::Nothing => None,
        Attachment::File(file) => Some(match file.kind.as_str() {
            "image" => view! {
                <img src=format!("/api/v1/media/{}/content", file.id) alt=file.file_name.clone()
                    class="mb-1 max-h-64 w-full rounded-md object-cover" data-testid="bubble-image"/>
            }
            .into_any(),
            "video" => view! {
                <div class="mb-1 flex h-32 items-center justify-center rounded-md bg-slate-800 text-sm text-white" data-testid="bubble-video">
                    {format!("▶ {} · {}", file.file_name, prefs.bytes(file.size))}
                </div>
            }
            .into_any(),
            "audio" => view! {
                <div class="flex items-center gap-2 text-sm" data-testid="bubble-audio">
                    <span aria-hidden="true">"🎤 ▶"</span>
                    <span class="h-1 flex-1 rounded bg-emerald-700/40"></span>
                    <span>{file.duration_secs.map_or_else(|| prefs.bytes(file.size), clock)}</span>
                </div>
            }
            .into_any(),
            _ => view! {
                <div class="mb-1 flex items-center gap-3 rounded-md bg-emerald-100/70 p-2 text-sm" data-testid="bubble-document">
                    <span aria-hidden="true">"📄"</span>
                    <span class="min-w-0 flex-1">
                        <span class="block truncate font-medium">{file.file_name.clone()}</span>
                        <span class="block text-xs text-slate-600">{prefs.bytes(file.size)}</span>
                    </span>
                </div>
            }
            .into_any(),
        }),
        Attachment::Poll(options, multi) => Some(view! {
            <div data-testid="bubble-poll">
                <p class="text-xs text-slate-600">
                    {if multi { t_string!(i18n, media.poll_many) } else { t_string!(i18n, media.poll_one) }}
                </p>
                <ul class="mt-1 space-y-1">
                    {options.into_iter().map(|o| view! {
                        <li class="flex items-center gap-2 text-sm"><span aria-hidden="true">"◯"</span>{o}</li>
                    }).collect_view()}
                </ul>
            </div>
        }.into_any()),
    };
    let text = (!text.is_empty()).then(|| {
        let class = if is_poll {
            "text-sm font-semibold"
        } else {
            "whitespace-pre-wrap text-sm"
        };
        view! { <p class=class data-testid="bubble-text">{spans_view(parse(&text))}</p> }
    });
    // WhatsApp shows a file above its caption, and a poll's question above its options.
    let (first, second) = if is_poll {
        (text.map(IntoAny::into_any), extra)
    } else {
        (extra, text.map(IntoAny::into_any))
    };
    view! {
        <div class="max-w-sm rounded-lg rounded-tr-none bg-[#d9fdd3] px-3 py-2 text-slate-900 shadow-sm"
            role="group" aria-label=t_string!(i18n, media.bubble_label) data-testid="whatsapp-bubble">
            {first}
            {second}
            <p class="mt-1 text-right text-[0.7rem] text-slate-600" aria-hidden="true">"10:42 ✓✓"</p>
        </div>
    }
}
