//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the API, generated from the code by
//! utoipa: the operations from the handlers' `#[utoipa::path]` attributes (their doc comments
//! are the summaries), the schemas from the wire types' `ToSchema` and `IntoParams` derives
//! (their doc comments describe the fields). The `/api/v1` router is built from the same
//! attributes (see [`super::documented`]); the document is built and serialized once.

use std::sync::LazyLock;

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde_json::Value;
use utoipa::OpenApi;
use utoipa::openapi::schema::{ArrayItems, Schema, SchemaType, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Components, RefOr};

use crate::auth::Role;
use crate::domain::campaign_state::CampaignStatus;
use crate::domain::delivery::DeliveryStatus;
use crate::domain::risk::Signal;
use crate::domain::rotation::Risk;
use crate::domain::send_window::DAY_NAMES;
use crate::error::ErrorBody;
use crate::evolution::client::ApiVersion;
use crate::service::campaign_logs::Severity;
use crate::service::consent::Action;
use crate::webhook::handler;

/// What the whole document shares (its info, the `bearer` requirement of every operation that
/// does not say otherwise, the `Error` answer) and the operations outside `/api/v1`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Alrea Flow API",
        version = "1",
        description = "Multi-tenant WhatsApp campaign tracking over Evolution API. Every call \
                       except tenant creation uses a tenant's bearer token. Errors are JSON \
                       {error, message}."
    ),
    paths(crate::healthz, handler::receive_plain, handler::receive),
    components(schemas(ErrorBody), responses(ErrorBody)),
    security(("bearer" = []))
)]
struct Shared;

/// The document as served, generated and serialized on first use.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    generate()
        .to_pretty_json()
        .expect("the document serializes")
});

/// The OpenAPI document of the API
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = "openapi",
    security(),
    responses(
        (status = 200, description = "This document", content_type = "application/json", body = Value),
    )
)]
pub(super) async fn document() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], DOCUMENT.as_str())
}

/// The document: [`Shared`] with the `/api/v1` operations, the `bearer` scheme, one-line
/// summaries and the allowed values of string fields.
fn generate() -> utoipa::openapi::OpenApi {
    let mut api = Shared::openapi().nest("/api/v1", super::documented().into_openapi());
    let components = api.components.get_or_insert_with(Components::new);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    for (schema, field, values) in allowed_values() {
        components
            .schemas
            .get_mut(schema)
            .and_then(|s| allow(s, field, &values))
            .unwrap_or_else(|| panic!("schema {schema} has no string field {field}"));
    }
    describe_live_events(&mut api);
    for item in api.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            // A doc comment's first paragraph, the summary, may be wrapped over several lines.
            if let Some(summary) = op.summary.as_mut() {
                *summary = summary.replace('\n', " ");
            }
            // An operation that reads a JSON body answers 415 to a body of another type (or
            // none): the JSON extractor's refusal, the same for every such operation.
            let reads_json = op
                .request_body
                .as_ref()
                .is_some_and(|b| b.content.contains_key("application/json"));
            if reads_json {
                op.responses.responses.insert(
                    "415".to_string(),
                    RefOr::Ref(utoipa::openapi::Ref::from_response_name("Error")),
                );
            }
        }
    }
    api
}

/// The live stream's answer is a sequence of server-sent events: each one `{event, data, id?}`
/// (data is the JSON text of `{type, data}`, or `{}` for `ready`), as clients and contract
/// checkers read them, not one string.
fn describe_live_events(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{Object, ObjectBuilder};
    let text = || Object::with_type(SchemaType::Type(Type::String));
    let event = ObjectBuilder::new()
        .property("event", text())
        .required("event")
        .property("data", text())
        .required("data")
        .property("id", text())
        .build();
    let content = api
        .paths
        .paths
        .get_mut("/api/v1/events")
        .and_then(|item| item.get.as_mut())
        .and_then(|op| op.responses.responses.get_mut("200"))
        .and_then(|r| match r {
            RefOr::T(response) => response.content.get_mut("text/event-stream"),
            RefOr::Ref(_) => None,
        })
        .expect("GET /api/v1/events answers text/event-stream");
    content.schema = Some(RefOr::T(Schema::Object(event)));
}

/// String fields that take one of a fixed set of values (`schema`, `field`, values): from the
/// enums the server reads and writes them with, where there is one.
fn allowed_values() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    let roles = Role::ALL.map(Role::as_str).to_vec();
    let risks = Risk::ALL.map(Risk::as_str).to_vec();
    vec![
        (
            "Campaign",
            "status",
            CampaignStatus::ALL.map(CampaignStatus::as_str).to_vec(),
        ),
        (
            "CampaignContact",
            "status",
            DeliveryStatus::ALL.map(DeliveryStatus::as_str).to_vec(),
        ),
        ("Settings", "send_days", DAY_NAMES.to_vec()),
        (
            "CampaignLog",
            "severity",
            Severity::ALL.map(Severity::as_str).to_vec(),
        ),
        ("User", "role", roles.clone()),
        ("NewUser", "role", roles.clone()),
        ("RoleChange", "role", roles),
        ("RiskView", "level", risks.clone()),
        ("RotationShare", "risk", risks),
        (
            "RiskSignal",
            "signal",
            Signal::ALL.map(Signal::as_str).to_vec(),
        ),
        (
            "ConsentEvent",
            "action",
            Action::ALL.map(Action::as_str).to_vec(),
        ),
        (
            "NewInstance",
            "api_version",
            ApiVersion::ALL.map(ApiVersion::as_str).to_vec(),
        ),
        // The server writes these as literals: no enum holds them.
        (
            "ImportJob",
            "status",
            vec!["queued", "running", "done", "failed"],
        ),
        ("AbVerdict", "metric", vec!["replied", "read"]),
    ]
}

/// Restricts property `field` of `schema` (or of one of its `allOf` / `oneOf` parts) to
/// `values`; `None` when there is no such string property.
fn allow(schema: &mut RefOr<Schema>, field: &str, values: &[&str]) -> Option<()> {
    match schema {
        RefOr::T(Schema::Object(object)) => restrict(object.properties.get_mut(field)?, values),
        RefOr::T(Schema::OneOf(one_of)) => one_of
            .items
            .iter_mut()
            .find_map(|part| allow(part, field, values)),
        RefOr::T(Schema::AllOf(all_of)) => all_of
            .items
            .iter_mut()
            .find_map(|part| allow(part, field, values)),
        _ => None,
    }
}

/// Restricts a string schema (or the items of an array of them) to `values`, and `null` when
/// it is nullable.
fn restrict(schema: &mut RefOr<Schema>, values: &[&str]) -> Option<()> {
    match schema {
        RefOr::T(Schema::Array(array)) => match &mut array.items {
            ArrayItems::RefOrSchema(items) => restrict(items, values),
            ArrayItems::False => None,
        },
        RefOr::T(Schema::Object(object)) => {
            let (string, nullable) = match &object.schema_type {
                SchemaType::Type(t) => (*t == Type::String, false),
                SchemaType::Array(types) => {
                    (types.contains(&Type::String), types.contains(&Type::Null))
                }
                SchemaType::AnyValue => (false, false),
            };
            if !string {
                return None;
            }
            let mut allowed: Vec<Value> = values.iter().map(|v| Value::from(*v)).collect();
            if nullable {
                allowed.push(Value::Null);
            }
            object.enum_values = Some(allowed);
            Some(())
        }
        _ => None,
    }
}
