//! Dates and numbers for people, in their language and time zone, through
//! the browser's own `Intl` (no locale data shipped in the wasm).

use chrono::{DateTime, Utc};
use rapport_shared::auth::Language;

/// `22 Nov 2026, 14:05` style, in `time_zone`.
pub fn date_time(at: DateTime<Utc>, lang: Language, time_zone: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
            at.timestamp_millis() as f64
        ));
        let options = js_sys::Object::new();
        for (k, v) in [
            ("dateStyle", "medium"),
            ("timeStyle", "short"),
            ("timeZone", time_zone),
        ] {
            let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
        }
        let text = date.to_locale_string(lang.tag(), &options);
        if let Some(s) = text
            .as_string()
            .filter(|s| !s.is_empty() && s != "Invalid Date")
        {
            return s;
        }
    }
    let _ = (lang, time_zone);
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// "3 days ago" style, relative to `now`.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>, lang: Language) -> String {
    let secs = (now - at).num_seconds();
    let (value, unit) = match secs.abs() {
        s if s < 60 => (0, "second"),
        s if s < 3600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s if s < 86_400 * 30 => (s / 86_400, "day"),
        s if s < 86_400 * 365 => (s / (86_400 * 30), "month"),
        s => (s / (86_400 * 365), "year"),
    };
    let value = if secs >= 0 { -value } else { value };
    #[cfg(feature = "hydrate")]
    {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"numeric".into(), &"auto".into());
        let locales = js_sys::Array::of1(&lang.tag().into());
        let fmt = js_sys::Intl::RelativeTimeFormat::new(&locales, &options);
        return fmt.format(value as f64, unit).into();
    }
    #[allow(unreachable_code)]
    match lang {
        Language::En if value == 0 => "now".into(),
        Language::En => format!("{} {unit}(s) ago", -value),
        Language::ZhCn => format!("{} {unit} 前", -value),
    }
}

/// The current time from the browser clock (the server's during rendering).
pub fn now() -> DateTime<Utc> {
    #[cfg(feature = "hydrate")]
    {
        let millis = js_sys::Date::now() as i64;
        if let Some(t) = DateTime::<Utc>::from_timestamp_millis(millis) {
            return t;
        }
    }
    Utc::now()
}
