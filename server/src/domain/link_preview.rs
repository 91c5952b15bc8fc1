//! Telling a person's click from a machine fetching the link for a preview: Evolution's
//! server building the preview of the message it sends, the recipient's WhatsApp app drawing
//! it, the crawlers of other apps the link is shared to, headless browsers. Sources:
//! docs/notes/evolution-link-previews.md.
//!
//! The list of agents is kept here, in the code, so every node judges alike and a change is
//! reviewed and tested; `FLOW_PREVIEW_AGENTS` adds substrings without a release.

use std::net::IpAddr;

/// Substrings (matched without case) of the user agents that fetch links for previews, not for
/// people. Each one is a product token as its owner documents or sends it.
pub const PREVIEW_AGENTS: &[&str] = &[
    // Meta's crawler (Facebook, Instagram, Messenger, WhatsApp Web).
    "facebookexternalhit",
    "facebot",
    "meta-externalagent",
    // Google (Docs, Chat, Gmail previews) and its generic crawlers.
    "google-pagerenderer",
    "googlebot",
    "google-inspectiontool",
    // Other messengers and social sites that unfurl links.
    "telegrambot",
    "slackbot",
    "slack-imgproxy",
    "twitterbot",
    "discordbot",
    "linkedinbot",
    "skypeuripreview",
    "pinterestbot",
    "redditbot",
    "applebot",
    "bingpreview",
    "iframely",
    "embedly",
    // Headless browsers and scripted fetchers: no person behind them.
    "headlesschrome",
    "phantomjs",
    "python-requests",
    "curl/",
    "wget/",
    "go-http-client",
    // Node's HTTP clients: Evolution's server itself (link-preview-js over Node's fetch sends
    // "node", 2.2.x "node-fetch/1.0", the image "axios/1.x").
    "axios/",
    "node-fetch",
    "undici",
];

/// Why a visit was recorded as a preview, not a click.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PreviewReason {
    /// A HEAD request: a machine checking the link.
    Head,
    /// A known preview or crawler user agent (or none at all).
    Agent,
    /// From the address of the Evolution server that sent the message.
    Evolution,
}

impl PreviewReason {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Head => "head",
            Self::Agent => "agent",
            Self::Evolution => "evolution",
        }
    }
}

/// What is known of one visit of a tracked link.
#[derive(Clone, Debug)]
pub struct Visit<'a> {
    /// `HEAD` or another method.
    pub head: bool,
    /// Its user agent, if any.
    pub user_agent: Option<&'a str>,
    /// Its client address.
    pub client: Option<IpAddr>,
}

/// Why `visit` is a preview, or `None` for a person's click. `evolution` are the addresses
/// of the instance's Evolution server; `extra_agents` the operator's additions (lowercase).
pub fn classify(
    visit: &Visit<'_>,
    evolution: &[IpAddr],
    extra_agents: &[String],
) -> Option<PreviewReason> {
    if visit.head {
        return Some(PreviewReason::Head);
    }
    let agent = visit.user_agent.map(str::trim).unwrap_or_default();
    if agent.is_empty() || is_preview_agent(agent, extra_agents) {
        return Some(PreviewReason::Agent);
    }
    if visit.client.is_some_and(|c| evolution.contains(&c)) {
        return Some(PreviewReason::Evolution);
    }
    None
}

/// Whether `agent` names a preview fetcher or crawler.
fn is_preview_agent(agent: &str, extra_agents: &[String]) -> bool {
    let agent = agent.to_ascii_lowercase();
    PREVIEW_AGENTS.iter().any(|a| agent.contains(a))
        // Node's own default agent: "node" alone, not a word inside a browser's.
        || agent == "node"
        || agent.starts_with("node/")
        // WhatsApp's apps drawing a card ("WhatsApp/2.23.20.0 A"); its in-app browser ends
        // a browser's agent with "WhatsApp/2.x" and is a person.
        || agent.starts_with("whatsapp/")
        || extra_agents.iter().any(|a| agent.contains(a.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHONE: &str = "Mozilla/5.0 (Linux; Android 13; SM-A135M) AppleWebKit/537.36 \
                         (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36";

    fn visit<'a>(head: bool, agent: Option<&'a str>, client: &str) -> Visit<'a> {
        Visit {
            head,
            user_agent: agent,
            client: client.parse().ok(),
        }
    }

    #[test]
    fn a_phone_browser_is_a_person() {
        let evolution: Vec<IpAddr> = vec!["10.0.0.5".parse().unwrap()];
        assert_eq!(
            classify(&visit(false, Some(PHONE), "189.1.2.3"), &evolution, &[]),
            None
        );
        assert_eq!(
            classify(
                &visit(
                    false,
                    Some(
                        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
                    ),
                    "189.1.2.3"
                ),
                &evolution,
                &[]
            ),
            None
        );
    }

    #[test]
    fn machines_are_previews() {
        let evolution: Vec<IpAddr> = vec!["10.0.0.5".parse().unwrap()];
        for agent in [
            "WhatsApp/2.23.20.0 A",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Mozilla/5.0 (compatible; Google-PageRenderer; +https://developers.google.com/+/web/snippet/)",
            "TelegramBot (like TwitterBot)",
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "Twitterbot/1.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
            "axios/1.7.9",
            "node",
        ] {
            assert_eq!(
                classify(&visit(false, Some(agent), "189.1.2.3"), &evolution, &[]),
                Some(PreviewReason::Agent),
                "{agent}"
            );
        }
        assert_eq!(
            classify(&visit(true, Some(PHONE), "189.1.2.3"), &evolution, &[]),
            Some(PreviewReason::Head)
        );
        assert_eq!(
            classify(&visit(false, Some(PHONE), "10.0.0.5"), &evolution, &[]),
            Some(PreviewReason::Evolution)
        );
        assert_eq!(
            classify(&visit(false, None, "189.1.2.3"), &evolution, &[]),
            Some(PreviewReason::Agent)
        );
        assert_eq!(
            classify(
                &visit(false, Some("MeuRobo/1.0"), "189.1.2.3"),
                &evolution,
                &["meurobo".into()]
            ),
            Some(PreviewReason::Agent)
        );
    }
}
