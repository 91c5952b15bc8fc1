//! The pages as lazily loaded routes, in seven groups, so a phone downloads the WebAssembly of
//! the page it opens and not the whole dashboard (issue 12, item 8).
//!
//! Each group is one `#[lazy]` function: in the browser bundle it is split into its own
//! WebAssembly module (`cargo leptos build --split`), loaded the first time one of its pages is
//! shown; on the server it is an ordinary function that also lists its module in the page's
//! preload links. Pages that are opened together share a group: a module per page made the
//! first load slower (more round trips) for a smaller total. The layout and the shared
//! components stay in the main module.
//!
//! Each route's `preload` loads its group's module before hydration starts; without it the
//! browser would hydrate the route's place before its code is there, and fail.

use leptos::prelude::*;
use leptos_router::LazyRoute;

use crate::pages::{
    account::AccountPage,
    campaign::CampaignPage,
    campaigns::CampaignsPage,
    compare::ComparePage,
    contacts::{ContactPage, ContactsPage, ImportPage},
    insights::InsightsPage,
    instances::InstancesPage,
    lists::ListsPage,
    login::LoginPage,
    new_campaign::NewCampaignPage,
    opt_outs::OptOutsPage,
    settings::SettingsPage,
    setup::SetupPage,
    tokens::TokensPage,
    users::UsersPage,
};

/// For each group: an enum naming its pages, the `#[lazy]` function that renders one of them,
/// and a unit struct per page implementing [`LazyRoute`] (the router's `Lazy::<Route>`).
macro_rules! page_groups {
    ($(
        $(#[$doc:meta])*
        $group:ident / $preload:ident: $pages:ident { $($route:ident => $page:ident),+ $(,)? }
    )+) => {$(
        #[doc = concat!("The pages of [`", stringify!($group), "`].")]
        #[derive(Clone, Copy)]
        #[allow(clippy::enum_variant_names, reason = "the variants are named after the routes")]
        enum $pages {
            $($route),+
        }

        $(#[$doc])*
        #[leptos::lazy]
        fn $group(page: $pages) -> AnyView {
            match page {
                $($pages::$route => view! { <$page/> }.into_any()),+
            }
        }

        $(
            #[doc = concat!("The route of [`", stringify!($page), "`], loaded with [`", stringify!($group), "`].")]
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_: Self) -> AnyView {
                    $group($pages::$route).await
                }

                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    $preload().await;
                }
            }
        )+
    )+};
}

page_groups! {
    /// Sign-in and first-run setup: all a visitor without a session loads.
    sign_in_pages / __preload_sign_in_pages: SignInPages {
        LoginRoute => LoginPage,
        SetupRoute => SetupPage,
    }
    /// The campaign list, the page after sign-in.
    campaign_list_page / __preload_campaign_list_page: CampaignListPage {
        CampaignsRoute => CampaignsPage,
    }
    /// A campaign's page and the new-campaign form.
    campaign_pages / __preload_campaign_pages: CampaignPages {
        CampaignRoute => CampaignPage,
        NewCampaignRoute => NewCampaignPage,
    }
    /// What the campaigns teach: the best hours to send and campaigns side by side.
    insight_pages / __preload_insight_pages: InsightPages {
        InsightsRoute => InsightsPage,
        CompareRoute => ComparePage,
    }
    /// The instances, their health and QR pairing.
    instance_pages / __preload_instance_pages: InstancePages {
        InstancesRoute => InstancesPage,
    }
    /// Contacts, imports, lists and opt-outs.
    audience_pages / __preload_audience_pages: AudiencePages {
        ContactsRoute => ContactsPage,
        ContactRoute => ContactPage,
        ImportRoute => ImportPage,
        ListsRoute => ListsPage,
        OptOutsRoute => OptOutsPage,
    }
    /// Settings, users, API tokens and the account.
    admin_pages / __preload_admin_pages: AdminPages {
        SettingsRoute => SettingsPage,
        UsersRoute => UsersPage,
        TokensRoute => TokensPage,
        AccountRoute => AccountPage,
    }
}
