//! What happens to the links of a message (docs/notes/evolution-link-previews.md):
//!
//! * Evolution builds the preview of a text's first `https://` link itself, from its own
//!   server, before relaying the message: a `GET` with Node's `User-Agent: node` (2.3.5+),
//!   redirects not followed here (the shop's site is not reachable from a test).
//! * Some links are shared on and visited by a crawler (`facebookexternalhit`).
//! * Some people who read the message tap the link: a `GET` from their phone's browser (a
//!   phone user agent, from another address than Evolution's: 127.0.0.2), a few tap again.
//! * Some of those buy: the shop's backend reports the sale to Flow (`SIM_SHOP_URL` +
//!   `SIM_SHOP_TOKEN`, `POST /api/v1/conversions`).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use serde_json::json;

use crate::state::Sim;

/// The user agent of Evolution's preview fetch (Node's built-in fetch).
pub const EVOLUTION_AGENT: &str = "node";

/// A crawler that unfurls a shared link.
pub const CRAWLER_AGENT: &str =
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)";

/// A person's phone browser.
pub const PHONE_AGENT: &str = "Mozilla/5.0 (Linux; Android 13; SM-A135M) AppleWebKit/537.36 \
    (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36";

/// The address people's phones click from (Evolution's is 127.0.0.1).
pub const PHONE_ADDRESS: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// The links of `text` (`http://` or `https://`, up to the next space).
pub fn links(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| {
            w.trim_end_matches(['.', ',', ';', ':', '!', '?', ')'])
                .to_string()
        })
        .collect()
}

/// The HTTP clients of links: Evolution's (from the default address) and the phones'.
pub struct Browsers {
    /// Evolution's own fetches (and crawlers').
    pub server: reqwest::Client,
    /// People's phones.
    pub phone: reqwest::Client,
}

impl Default for Browsers {
    fn default() -> Self {
        let build = |local: Option<IpAddr>| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(3))
                .local_address(local)
                .build()
                .unwrap_or_default()
        };
        Self {
            server: build(None),
            phone: build(Some(PHONE_ADDRESS)),
        }
    }
}

/// Evolution's preview of a text's first `https://` link (before the message is relayed).
pub async fn preview(sim: &Arc<Sim>, text: &str) {
    let Some(url) = links(text).into_iter().find(|l| l.starts_with("https://")) else {
        return;
    };
    let visited = sim
        .browsers
        .server
        .get(&url)
        .header("user-agent", EVOLUTION_AGENT)
        .send()
        .await
        .is_ok();
    if visited {
        sim.record(|t| t.link_previews += 1);
    }
}

/// What people and crawlers do with the links of a message to `number` read after `read_at`
/// (or never read): a crawler may visit; a reader may click (and click again), and may buy.
pub fn after_reading(
    sim: &Arc<Sim>,
    number: &str,
    id: &str,
    text: &str,
    read_at: Option<Duration>,
) {
    let links = links(text);
    let Some(first) = links.first().cloned() else {
        return;
    };
    let c = &sim.config;
    let mut rng = sim.rng_for(&format!("{number}/{id}/links"));
    let pace = |rng: &mut rand::rngs::StdRng, lo: f64, hi: f64| {
        Duration::from_millis((rng.random_range(lo..hi) * c.pace_ms as f64) as u64)
    };
    if rng.random_range(0..100) < c.crawler_percent {
        let at = pace(&mut rng, 0.5, 3.0);
        let sim = sim.clone();
        let url = first.clone();
        tokio::spawn(async move {
            tokio::time::sleep(at).await;
            let ok = sim
                .browsers
                .server
                .get(&url)
                .header("user-agent", CRAWLER_AGENT)
                .send()
                .await
                .is_ok();
            if ok {
                sim.record(|t| t.crawler_visits += 1);
            }
        });
    }
    let Some(read_at) = read_at else {
        return;
    };
    if rng.random_range(0..100) >= c.click_percent {
        return;
    }
    let clicks = if rng.random_range(0..100) < c.reclick_percent {
        2
    } else {
        1
    };
    let buys = rng.random_range(0..100) < c.buy_percent;
    let value = f64::from(rng.random_range(4_990..39_990)) / 100.0;
    let first_at = read_at + pace(&mut rng, 0.5, 2.0);
    let again_at = pace(&mut rng, 0.5, 1.5);
    let (sim, number, order) = (sim.clone(), number.to_string(), format!("SIM-{id}"));
    tokio::spawn(async move {
        tokio::time::sleep(first_at).await;
        for n in 0..clicks {
            if n > 0 {
                tokio::time::sleep(again_at).await;
            }
            let ok = sim
                .browsers
                .phone
                .get(&first)
                .header("user-agent", PHONE_AGENT)
                .header("accept-language", "pt-BR,pt;q=0.9")
                .send()
                .await
                .is_ok_and(|r| r.status().is_redirection());
            if ok {
                sim.record(|t| *t.clicks.entry(number.clone()).or_default() += 1);
            }
        }
        if buys && let Some(shop) = &sim.config.shop {
            let bought = sim
                .http
                .post(format!(
                    "{}/api/v1/conversions",
                    shop.flow_url.trim_end_matches('/')
                ))
                .bearer_auth(&shop.token)
                .json(
                    &json!({"phone": number, "value": value, "currency": "BRL", "order_id": order}),
                )
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if bought {
                sim.record(|t| t.sales.push((number.clone(), order.clone())));
            }
        }
    });
}
