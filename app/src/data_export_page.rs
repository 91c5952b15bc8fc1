//! The readable form of a data-subject export (LGPD art. 18 II and V): one standalone page, in
//! the reader's language and the tenant's timezone, made to be printed or saved as PDF and
//! handed to the person. The JSON form carries the same data.

use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;

use crate::audience::DataSubjectExport;
use crate::consent_text::{consent_action, consent_detail};
use crate::i18n::td_string;
use crate::phone_display::display;
use crate::prefs::Prefs;
use crate::ui::status_label;

/// The page of `export` as a whole HTML document.
pub fn render(export: &DataSubjectExport, prefs: Prefs) -> String {
    let locale = prefs.locale;
    let lang = crate::prefs::locale_tag(locale);
    let title = td_string!(locale, data_export.title).to_string();
    let when = |t: &Option<String>| prefs.when(t.as_deref());
    let actor = |e: &crate::audience::ConsentEventView| {
        if e.actor == crate::audience::TEAM_ACTOR {
            td_string!(locale, data_export.team).to_string()
        } else {
            e.actor.clone()
        }
    };
    let c = &export.contact;
    let name = if c.name.is_empty() {
        td_string!(locale, contacts.no_name).to_string()
    } else {
        c.name.clone()
    };
    let section = |heading: String, empty: bool, body: AnyView| {
        view! {
            <section>
                <h2>{heading}</h2>
                {if empty {
                    view! { <p class="empty">{td_string!(locale, data_export.none)}</p> }.into_any()
                } else {
                    body
                }}
            </section>
        }
    };
    let identity = view! {
        <dl>
            <dt>{td_string!(locale, data_export.name)}</dt><dd data-testid="export-name">{name.clone()}</dd>
            <dt>{td_string!(locale, data_export.phone)}</dt><dd data-testid="export-phone">{export.phone_display.clone()}</dd>
            <dt>{td_string!(locale, data_export.since)}</dt><dd>{prefs.when(Some(&c.created_at))}</dd>
            <dt>{td_string!(locale, data_export.status)}</dt>
            <dd>{if c.opted_out { td_string!(locale, contacts.opted_out).to_string() } else { td_string!(locale, contacts.reachable).to_string() }}</dd>
            {export.other_records.iter().map(|o| view! {
                <dt>{td_string!(locale, data_export.other_record)}</dt><dd>{display(&o.phone)}</dd>
            }).collect_view()}
            {export.attributes.iter().map(|(k, v)| view! {
                <dt>{format!("{{{{{k}}}}}")}</dt><dd>{v.clone()}</dd>
            }).collect_view()}
            <dt>{td_string!(locale, data_export.lists)}</dt>
            <dd>{if export.lists.is_empty() { "—".to_string() } else { export.lists.join(", ") }}</dd>
        </dl>
    };
    let messages = view! {
        <table data-testid="export-messages">
            <thead><tr>
                <th>{td_string!(locale, data_export.campaign)}</th>
                <th>{td_string!(locale, data_export.col_status)}</th>
                <th>{td_string!(locale, data_export.sent)}</th>
                <th>{td_string!(locale, data_export.delivered)}</th>
                <th>{td_string!(locale, data_export.read)}</th>
                <th>{td_string!(locale, data_export.clicked)}</th>
            </tr></thead>
            <tbody>
                {export.messages.iter().map(|m| view! {
                    <tr>
                        <td>{m.campaign_name.clone()}</td>
                        <td>{status_label(locale, &m.status)}</td>
                        <td>{when(&m.sent_at)}</td>
                        <td>{when(&m.delivered_at)}</td>
                        <td>{when(&m.read_at)}</td>
                        <td>{when(&m.clicked_at)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    };
    let replies = view! {
        <ul data-testid="export-replies">
            {export.replies.iter().map(|r| view! {
                <li>{format!("{} — {}", prefs.when(Some(&r.received_at)), r.text)}</li>
            }).collect_view()}
        </ul>
    };
    let clicks = view! {
        <ul data-testid="export-clicks">
            {export.clicks.iter().map(|k| view! {
                <li>{format!("{} — {}", prefs.when(Some(&k.at)), k.url)}</li>
            }).collect_view()}
        </ul>
    };
    let conversions = view! {
        <ul data-testid="export-conversions">
            {export.conversions.iter().map(|s| view! {
                <li>{format!("{} — {} — {}", prefs.when(Some(&s.occurred_at)), s.order_id, money(prefs, s.value_cents, &s.currency))}</li>
            }).collect_view()}
        </ul>
    };
    let consent = view! {
        <ul data-testid="export-consent">
            {export.consent_history.iter().map(|e| view! {
                <li>{format!("{} — {} {} · {}", prefs.when(Some(&e.created_at)), consent_action(locale, &e.action), consent_detail(locale, e), actor(e))}</li>
            }).collect_view()}
        </ul>
    };
    let instances = view! {
        <ul data-testid="export-instances">
            {export.instances.iter().map(|i| {
                let number = i.phone.as_deref().map(display).unwrap_or_default();
                view! {
                    <li>{td_string!(locale, data_export.instance_line, name = i.name.clone(), number = number, count = prefs.num(i.messages)).to_string()}</li>
                }
            }).collect_view()}
        </ul>
    };
    let body = view! {
        <main>
            <h1>{title.clone()}</h1>
            <p class="meta">{td_string!(locale, data_export.intro, controller = export.controller.clone(), when = prefs.when(Some(&export.generated_at))).to_string()}</p>
            {section(td_string!(locale, data_export.identity).to_string(), false, identity.into_any())}
            {section(td_string!(locale, data_export.messages).to_string(), export.messages.is_empty(), messages.into_any())}
            {section(td_string!(locale, data_export.replies).to_string(), export.replies.is_empty(), replies.into_any())}
            {section(td_string!(locale, data_export.clicks).to_string(), export.clicks.is_empty(), clicks.into_any())}
            {section(td_string!(locale, data_export.conversions).to_string(), export.conversions.is_empty(), conversions.into_any())}
            {section(td_string!(locale, data_export.consent).to_string(), export.consent_history.is_empty(), consent.into_any())}
            {section(td_string!(locale, data_export.shared_with).to_string(), export.instances.is_empty(), instances.into_any())}
        </main>
    }
    .to_html();
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <link rel=\"icon\" type=\"image/svg+xml\" href=\"/favicon.svg\">\
         <title>{title}</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )
}

/// An amount in reais in the reader's form; other currencies as `1.234,56 USD`.
fn money(prefs: Prefs, cents: i64, currency: &str) -> String {
    let amount = cents as f64 / 100.0;
    if currency.eq_ignore_ascii_case("BRL") {
        prefs.money(amount)
    } else {
        format!("{} {currency}", prefs.amount(amount))
    }
}

/// Print-friendly styles of the page.
const STYLE: &str = "body{font-family:system-ui,sans-serif;color:#1e293b;max-width:52rem;\
margin:2rem auto;padding:0 1rem;line-height:1.5}h1{font-size:1.5rem}h2{font-size:1.1rem;\
border-bottom:1px solid #cbd5e1;padding-bottom:.25rem;margin-top:2rem}.meta,.empty{color:#475569}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{color:#475569}dd{margin:0}\
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.25rem .5rem;\
border-bottom:1px solid #e2e8f0}ul{padding-left:1.25rem}";
