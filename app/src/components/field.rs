//! Form fields with a label, a hint and an inline error.

use crate::i18n::{Msg, tr, use_i18n};
use leptos::prelude::*;

/// A labelled text input bound to `value`; `error` shows under it.
#[component]
pub fn TextField(
    label: Msg,
    value: RwSignal<String>,
    #[prop(into, optional)] error: Signal<Option<Msg>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] name: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] hint: Option<Msg>,
    #[prop(optional)] required: bool,
    #[prop(optional)] inputmode: &'static str,
    /// The id of a `<datalist>` of values to offer while typing.
    #[prop(optional)]
    list: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("f-{name}");
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{tr(label)}{required.then_some(" *")}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=error_id.clone()
                list=(!list.is_empty()).then_some(list)
                bind:value=value
            />
            {hint.map(|h| view! { <small class="hint">{tr(h)}</small> })}
            <small class="field-error" id=error_id>{move || error.get().map(|m| i18n.t(m))}</small>
        </div>
    }
}

/// A labelled `<select>` over `(value, label)` options.
#[component]
pub fn SelectField(
    label: Msg,
    value: RwSignal<String>,
    options: Vec<(&'static str, Msg)>,
    #[prop(optional)] name: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("f-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{tr(label)}</label>
            <select id=id name=name prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                {options
                    .into_iter()
                    .map(|(v, m)| view! { <option value=v selected=move || value.get() == v>{move || i18n.t(m)}</option> })
                    .collect_view()}
            </select>
        </div>
    }
}
