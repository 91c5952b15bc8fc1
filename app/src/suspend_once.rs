//! Suspense bodies that run once per server render, as they do in the browser.
//!
//! Before it renders a `<Suspense>` or `<Transition>`, leptos's server renderer polls the
//! children once (`dry_resolve`) to find the resources they read, and polls them again when
//! those resources finish. Each poll calls the `move || Suspend::new(async { … })` closure
//! anew; when the data are already there, the new body runs to its end and its view is thrown
//! away. That body's resources, `<Suspense>`s and `<Transition>`s take serialization ids from
//! the counter the real render uses, so how many ids a page used depended on which database
//! query finished first. The browser hydrates each body once, so its resources read the ids of
//! the thrown-away ones; a thrown-away resource loses its context before its server function
//! runs and serializes an error. The browser then drew an error box where the server had drawn
//! data, and hydration failed ("expected a text node").
//!
//! [`suspend`] makes a body's first poll on the server pending, so a look-ahead poll never
//! completes it: each body runs exactly once per render, and ids match between server and
//! browser. In the browser it is `Suspend::new`.

use leptos::prelude::Suspend;
use std::future::Future;

/// A [`Suspend`] whose body runs once per server render (see the module docs); use it for
/// every `<Suspense>` and `<Transition>` child.
#[allow(
    clippy::disallowed_methods,
    reason = "the one place Suspend::new is called"
)]
pub fn suspend<V>(body: impl Future<Output = V> + Send + 'static) -> Suspend<V> {
    Suspend::new(async move {
        #[cfg(feature = "ssr")]
        PendingOnce(false).await;
        body.await
    })
}

/// Pending on its first poll (waking itself), ready on the next.
#[cfg(feature = "ssr")]
struct PendingOnce(bool);

#[cfg(feature = "ssr")]
impl Future for PendingOnce {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}
