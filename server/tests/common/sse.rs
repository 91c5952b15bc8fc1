//! Reading a server-sent-events stream in tests.

use std::time::Duration;

use serde_json::Value;

/// Reads SSE events from `res` until `want` matches one or `timeout` passes.
pub async fn next_matching(
    res: &mut reqwest::Response,
    buf: &mut String,
    timeout: Duration,
    want: impl Fn(&str, &Value) -> bool,
) -> Option<Value> {
    next_with_id(res, buf, timeout, want)
        .await
        .map(|(_, data)| data)
}

/// [`next_matching`], with the event's `id:` (when it has one).
pub async fn next_with_id(
    res: &mut reqwest::Response,
    buf: &mut String,
    timeout: Duration,
    want: impl Fn(&str, &Value) -> bool,
) -> Option<(Option<u64>, Value)> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        while let Some(end) = buf.find("\n\n") {
            let frame: String = buf.drain(..end + 2).collect();
            let mut event = "message";
            let mut id = None;
            let mut data = String::new();
            for line in frame.lines() {
                if let Some(e) = line.strip_prefix("event:") {
                    event = e.trim();
                } else if let Some(i) = line.strip_prefix("id:") {
                    id = i.trim().parse().ok();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim_start());
                }
            }
            let value: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
            if want(event, &value) {
                return Some((id, value));
            }
        }
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .ok()?
            .ok()??;
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}
