//! Small helpers over the browser's window, inert during server rendering.

/// True when the page is scrolled to within 400 px of its end.
pub fn near_bottom() -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let scrolled = window.scroll_y().unwrap_or_default()
            + window.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or_default();
        let total = window
            .document()
            .and_then(|d| d.document_element())
            .map(|e| f64::from(e.scroll_height()))
            .unwrap_or_default();
        total - scrolled < 400.0
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Shows `url` in the address bar in place of the current one, without a
/// history entry or a navigation (a page's filters, kept shareable).
pub fn replace_url(url: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}

/// Asks the person to confirm; false during server rendering.
pub fn confirm(message: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().and_then(|w| w.confirm_with_message(message).ok()).unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = message;
        false
    }
}

/// Offers the browser's own time zones (`Intl.supportedValuesOf`) in the
/// `<datalist>` with this id; leaves it empty where the list is unknown.
/// Filled as markup after hydration, so the server's page and the browser's
/// agree, and without a view per option.
pub fn offer_time_zones(datalist_id: &str) {
    #[cfg(feature = "hydrate")]
    {
        let Some(zones) =
            intl("supportedValuesOf").and_then(|f| f.call1(&wasm_bindgen::JsValue::NULL, &"timeZone".into()).ok())
        else {
            return;
        };
        // Zone names are letters, digits and `/_+-`: nothing to escape.
        let html: String = js_sys::Array::from(&zones)
            .iter()
            .filter_map(|z| z.as_string())
            .filter(|z| rapport_shared::auth::time_zone(z).is_ok())
            .map(|z| format!("<option value=\"{z}\"></option>"))
            .collect();
        if let Some(list) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(datalist_id))
        {
            list.set_inner_html(&html);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = datalist_id;
}

/// `Intl.<name>`, where the browser has it (older ones lack newer members).
#[cfg(feature = "hydrate")]
pub fn intl(name: &str) -> Option<js_sys::Function> {
    use wasm_bindgen::JsCast;
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    js_sys::Reflect::get(&intl, &name.into()).ok()?.dyn_into().ok()
}
