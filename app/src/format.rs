//! Dates and numbers for people, in their language and time zone, through
//! the browser's own `Intl` (no locale data shipped in the wasm).

use chrono::{DateTime, NaiveDate, Utc};
use rapport_shared::auth::Language;

/// `22 Nov 2026, 14:05` style, in `time_zone`.
pub fn date_time(at: DateTime<Utc>, lang: Language, time_zone: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64));
        let options = js_sys::Object::new();
        for (k, v) in [("dateStyle", "medium"), ("timeStyle", "short"), ("timeZone", time_zone)] {
            let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
        }
        let text = date.to_locale_string(lang.tag(), &options);
        if let Some(s) = text.as_string().filter(|s| !s.is_empty() && s != "Invalid Date") {
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

/// A follow-up time chosen with one tap, in the device's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpPreset {
    Tomorrow9,
    In3Days,
    NextWeek,
}

/// The moment a preset stands for: 9:00 local time on the chosen day
/// ("next week" is next Monday).
pub fn follow_up_at(preset: FollowUpPreset) -> Option<DateTime<Utc>> {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new_0();
        let days = match preset {
            FollowUpPreset::Tomorrow9 => 1,
            FollowUpPreset::In3Days => 3,
            FollowUpPreset::NextWeek => {
                let weekday = date.get_day(); // 0 = Sunday
                (8 - weekday) % 7 + if weekday == 1 { 7 } else { 0 }
            }
        };
        date.set_date(date.get_date() + days);
        date.set_hours(9);
        date.set_minutes(0);
        date.set_seconds(0);
        date.set_milliseconds(0);
        DateTime::<Utc>::from_timestamp_millis(date.get_time() as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = preset;
        None
    }
}

/// The end of the device's local day `days_ahead` days from today.
pub fn end_of_local_day(days_ahead: u32) -> DateTime<Utc> {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new_0();
        date.set_date(date.get_date() + days_ahead + 1);
        date.set_hours(0);
        date.set_minutes(0);
        date.set_seconds(0);
        date.set_milliseconds(0);
        if let Some(t) = DateTime::<Utc>::from_timestamp_millis(date.get_time() as i64) {
            return t;
        }
    }
    now() + chrono::Duration::days(i64::from(days_ahead) + 1)
}

/// A `<input type="datetime-local">` value (local time) as a UTC instant.
pub fn from_local_input(value: &str) -> Option<DateTime<Utc>> {
    if value.trim().is_empty() {
        return None;
    }
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value));
        let millis = date.get_time();
        if millis.is_nan() {
            return None;
        }
        DateTime::<Utc>::from_timestamp_millis(millis as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

/// "Monday, 22 November 2026" style heading for a day of the timeline.
pub fn day_label(at: DateTime<Utc>, lang: Language) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64));
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"full".into());
        if let Some(s) = date.to_locale_date_string(lang.tag(), &options).as_string() {
            return s;
        }
    }
    let _ = lang;
    at.format("%Y-%m-%d").to_string()
}

/// The local calendar day of an instant, for grouping.
pub fn day_key(at: DateTime<Utc>) -> String {
    #[cfg(feature = "hydrate")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64));
        return format!("{}-{}-{}", date.get_full_year(), date.get_month(), date.get_date());
    }
    #[allow(unreachable_code)]
    at.format("%Y-%m-%d").to_string()
}

/// Money in minor units, e.g. `¥12,500`, through `Intl.NumberFormat`.
pub fn money(minor: i64, currency: &str, lang: Language) -> String {
    number(minor, Some(currency), lang)
}

/// An amount in minor units without a currency (a sum over currencies), e.g. `12,500`.
pub fn amount(minor: i64, lang: Language) -> String {
    number(minor, None, lang)
}

fn number(minor: i64, currency: Option<&str>, lang: Language) -> String {
    #[cfg(feature = "hydrate")]
    {
        let major = minor as f64 / 100.0;
        let options = js_sys::Object::new();
        if let Some(currency) = currency {
            let _ = js_sys::Reflect::set(&options, &"style".into(), &"currency".into());
            let _ = js_sys::Reflect::set(&options, &"currency".into(), &currency.into());
        }
        let _ = js_sys::Reflect::set(&options, &"maximumFractionDigits".into(), &0.into());
        let locales = js_sys::Array::of1(&lang.tag().into());
        let fmt = js_sys::Intl::NumberFormat::new(&locales, &options);
        if let Some(s) = fmt.format().call1(&fmt, &major.into()).ok().and_then(|v| v.as_string()) {
            return s;
        }
    }
    let _ = lang;
    // Whole main units, as Intl shows them above (the server renders no
    // amounts, so this is only a fallback).
    let major = minor.saturating_add(50).div_euclid(100);
    match currency {
        Some(c) => format!("{major} {c}"),
        None => major.to_string(),
    }
}

/// Minor units as main units with two decimals, for an input to edit: `12500.50`.
// Integers, so that what is shown is exactly what `parse_amount` reads back.
pub fn main_units(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Days with one decimal, from seconds: `3.5`.
pub fn days(secs: i64) -> String {
    let tenths = secs.max(0).saturating_add(4_320) / 8_640;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// A month `YYYY-MM` as "Dec 2026" / "2026年12月".
pub fn month(month: &str, lang: Language) -> String {
    #[cfg(feature = "hydrate")]
    if let Some((y, m)) = month.split_once('-')
        && let (Ok(y), Ok(m)) = (y.parse::<u16>(), m.parse::<u8>())
    {
        let (y, m) = (f64::from(y), f64::from(m));
        // Mid-month at noon UTC: the same month in every time zone.
        let date =
            js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(js_sys::Date::utc(y, m - 1.0) + 14.5 * 86_400_000.0));
        let options = js_sys::Object::new();
        for (k, v) in [("month", "short"), ("year", "numeric")] {
            let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
        }
        if let Some(s) = date.to_locale_date_string(lang.tag(), &options).as_string() {
            return s;
        }
    }
    let _ = lang;
    month.to_owned()
}

/// The device's local calendar day of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64));
        if let Some(date) = NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date()) {
            return date;
        }
    }
    at.date_naive()
}

/// The same local time of day as `at`, on `date` (device time zone): a
/// reminder dragged to another day keeps its hour.
pub fn on_local_date(at: DateTime<Utc>, date: NaiveDate) -> DateTime<Utc> {
    #[cfg(feature = "hydrate")]
    {
        use chrono::Datelike;
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64));
        // Day first to 1 so a month change cannot overflow (31 Jan → 3 Mar).
        d.set_date(1);
        d.set_full_year(date.year() as u32);
        d.set_month(date.month0());
        d.set_date(date.day());
        if let Some(t) = DateTime::<Utc>::from_timestamp_millis(d.get_time() as i64) {
            return t;
        }
    }
    date.and_time(at.time()).and_utc()
}

/// Local midnight at the start of `date` (device time zone).
pub fn local_midnight(date: NaiveDate) -> DateTime<Utc> {
    #[cfg(feature = "hydrate")]
    {
        use chrono::Datelike;
        let d = js_sys::Date::new_with_year_month_day(date.year() as u32, date.month0() as i32, date.day() as i32);
        if let Some(t) = DateTime::<Utc>::from_timestamp_millis(d.get_time() as i64) {
            return t;
        }
    }
    date.and_hms_opt(0, 0, 0).map_or_else(now, |t| t.and_utc())
}

/// A short day with its month, so that an overdue date weeks back is plain:
/// "Mon, Nov 23" / "11月23日周一".
pub fn short_day(date: NaiveDate, lang: Language) -> String {
    #[cfg(feature = "hydrate")]
    {
        let noon = local_midnight(date) + chrono::Duration::hours(12);
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(noon.timestamp_millis() as f64));
        let options = js_sys::Object::new();
        for (k, v) in [("weekday", "short"), ("month", "short"), ("day", "numeric")] {
            let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
        }
        if let Some(s) = d.to_locale_date_string(lang.tag(), &options).as_string() {
            return s;
        }
    }
    let _ = lang;
    date.format("%a, %b %-d").to_string()
}

/// The local time of day: "14:05".
pub fn time_of_day(at: DateTime<Utc>, lang: Language) -> String {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64));
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
        if let Some(s) = d.to_locale_time_string_with_options(lang.tag(), &options).as_string() {
            return s;
        }
    }
    let _ = lang;
    at.format("%H:%M").to_string()
}

/// The time of day when `at` is today, else the short day and the time:
/// "14:05", or "Fri 20 14:05" for an overdue reminder of an earlier day.
pub fn day_and_time(at: DateTime<Utc>, now: DateTime<Utc>, lang: Language) -> String {
    let time = time_of_day(at, lang);
    let day = local_date(at);
    if day == local_date(now) { time } else { format!("{} {time}", short_day(day, lang)) }
}

/// An amount typed in main units ("12,500.50", "¥ 12500") → minor units,
/// exactly (no float): a third decimal rounds half up; below 10^15 main units.
pub fn parse_amount(text: &str) -> Option<i64> {
    let cleaned: String = text.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if fraction.contains('.') || (whole.is_empty() && fraction.is_empty()) {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let digit = |i: usize| fraction.as_bytes().get(i).map_or(0, |d| i64::from(d - b'0'));
    let cents = digit(0) * 10 + digit(1) + i64::from(digit(2) >= 5);
    whole.checked_mul(100)?.checked_add(cents).filter(|minor| *minor < 100_000_000_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::parse_amount;

    #[test]
    fn amounts_in_main_units() {
        assert_eq!(parse_amount("12,500.50"), Some(1_250_050));
        assert_eq!(parse_amount("¥ 12500"), Some(1_250_000));
        assert_eq!(parse_amount("0"), Some(0));
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("abc"), None);
        assert_eq!(parse_amount("1.2.3"), None);
        assert_eq!(parse_amount("19.99"), Some(1999));
        assert_eq!(parse_amount("0.29"), Some(29));
        assert_eq!(parse_amount(".5"), Some(50));
        assert_eq!(parse_amount("12."), Some(1200));
        assert_eq!(parse_amount("1.005"), Some(101), "a third decimal rounds half up");
        assert_eq!(parse_amount("1.004"), Some(100));
        assert_eq!(parse_amount("."), None);
        assert_eq!(parse_amount("999999999999999.99"), Some(99_999_999_999_999_999));
        assert_eq!(parse_amount("1000000000000000"), None, "10^15 main units is too much");
        assert_eq!(parse_amount("99999999999999999999999"), None);
    }

    #[test]
    fn main_units_and_days_without_floats() {
        assert_eq!(super::main_units(1_250_050), "12500.50");
        assert_eq!(super::main_units(5), "0.05");
        assert_eq!(super::main_units(-150), "-1.50");
        assert_eq!(super::main_units(0), "0.00");
        assert_eq!(super::days(0), "0.0");
        assert_eq!(super::days(86_400 * 3 + 43_200), "3.5");
        assert_eq!(super::days(4_319), "0.0");
        assert_eq!(super::days(4_320), "0.1");
    }
}
