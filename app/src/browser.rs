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
