//! What a person types before the page hydrates. The server-rendered form is usable seconds
//! before the WebAssembly arrives on a slow phone; hydration then writes each bound field's
//! initial value back into it, and the page's live parts (a preview, a count) never hear of the
//! text. [`Typed::take`] notes every field whose value differs from the one the server sent,
//! before hydration; [`Typed::restore`] puts those values back afterwards and fires the events
//! the page listens to, so its signals learn them as if they had been typed now.

use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, EventInit, HtmlInputElement, HtmlOptionElement, HtmlSelectElement,
    HtmlTextAreaElement,
};

/// A field's value as the person left it.
enum Value {
    /// Text of an input, a textarea or a select.
    Text(String),
    /// Whether a checkbox or radio button is on.
    Checked(bool),
}

/// The fields changed before hydration, with their values.
pub struct Typed(Vec<(Element, Value)>);

impl Typed {
    /// Notes every field of the document whose value is not the server's.
    pub fn take() -> Self {
        let mut changed = Vec::new();
        if let Ok(fields) =
            leptos::prelude::document().query_selector_all("input, textarea, select")
        {
            for i in 0..fields.length() {
                let Some(el) = fields.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                    continue;
                };
                if let Some(value) = changed_value(&el) {
                    changed.push((el, value));
                }
            }
        }
        Self(changed)
    }

    /// Writes the noted values back where hydration replaced them and tells the page
    /// (`input`, then `change`), as typing would have.
    pub fn restore(self) {
        for (el, value) in self.0 {
            match value {
                Value::Text(text) => set_text(&el, &text),
                Value::Checked(on) => {
                    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
                        input.set_checked(on);
                    }
                }
            }
            for name in ["input", "change"] {
                let init = EventInit::new();
                init.set_bubbles(true);
                if let Ok(event) = Event::new_with_event_init_dict(name, &init) {
                    let _ = el.dispatch_event(&event);
                }
            }
        }
    }
}

/// The value of `el` if the person changed it from what the server rendered.
fn changed_value(el: &Element) -> Option<Value> {
    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
        return match input.type_().as_str() {
            "checkbox" | "radio" => (input.checked() != input.default_checked())
                .then(|| Value::Checked(input.checked())),
            "hidden" | "submit" | "button" | "reset" | "file" | "image" => None,
            _ => (input.value() != input.default_value()).then(|| Value::Text(input.value())),
        };
    }
    if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
        let server = area.default_value().unwrap_or_default();
        return (area.value() != server).then(|| Value::Text(area.value()));
    }
    let select = el.dyn_ref::<HtmlSelectElement>()?;
    let options = select.options();
    let moved = (0..options.length()).any(|i| {
        options
            .item(i)
            .and_then(|o| o.dyn_into::<HtmlOptionElement>().ok())
            .is_some_and(|o| o.selected() != o.default_selected())
    });
    moved.then(|| Value::Text(select.value()))
}

/// Sets the text of an input, textarea or select.
fn set_text(el: &Element, text: &str) {
    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
        input.set_value(text);
    } else if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
        area.set_value(text);
    } else if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
        select.set_value(text);
    }
}
