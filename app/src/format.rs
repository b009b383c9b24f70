//! Dates and numbers for people, in their language and time zone, through
//! the browser's own `Intl` (no locale data shipped in the wasm).
//!
//! Every time is shown, grouped into days and read from inputs in one zone:
//! the signed-in user's (their profile's, as the server reads wall-clock due
//! times and sends digests), else the device's. The server renders no times
//! and uses UTC.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, Utc};
use rapport_shared::auth::Language;
use std::cell::RefCell;

thread_local! {
    /// The zone times are shown in; `None` is the device's own.
    static ZONE: RefCell<Option<String>> = const { RefCell::new(None) };
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// [`wall`]'s formatter for the zone, made once: a month view reads the
    /// day of every reminder for each of its days.
    static WALL: RefCell<Option<js_sys::Intl::DateTimeFormat>> = const { RefCell::new(None) };
}

/// Shows and reads times in `zone` from now on (the signed-in user's), or in
/// the device's zone when the browser does not know `zone`.
pub fn set_time_zone(zone: &str) {
    let known = known_zone(zone).then(|| zone.to_owned());
    ZONE.with(|z| *z.borrow_mut() = known);
    #[cfg(feature = "hydrate")]
    WALL.with(|w| *w.borrow_mut() = None);
}

/// Whether the browser knows the zone: `Intl` throws for one it does not,
/// which would stop the app (an older browser may lack a zone the server
/// knows).
#[cfg(feature = "hydrate")]
fn known_zone(zone: &str) -> bool {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &zone.into());
    crate::browser::intl("DateTimeFormat")
        .is_some_and(|c| js_sys::Reflect::construct(&c, &js_sys::Array::of2(&js_sys::Array::new(), &options)).is_ok())
}

#[cfg(not(feature = "hydrate"))]
fn known_zone(_: &str) -> bool {
    false
}

/// `Intl` options of these fields, in the zone times are shown in.
#[cfg(feature = "hydrate")]
fn options(fields: &[(&str, &str)]) -> js_sys::Object {
    let options = js_sys::Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&options, &(*k).into(), &(*v).into());
    }
    ZONE.with(|z| {
        if let Some(zone) = z.borrow().as_deref() {
            let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &zone.into());
        }
    });
    options
}

#[cfg(feature = "hydrate")]
fn js_date(at: DateTime<Utc>) -> js_sys::Date {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at.timestamp_millis() as f64))
}

/// The wall-clock date and time of an instant in the zone (to the second).
fn wall(at: DateTime<Utc>) -> NaiveDateTime {
    #[cfg(feature = "hydrate")]
    {
        let fields = [
            ("year", "numeric"),
            ("month", "numeric"),
            ("day", "numeric"),
            ("hour", "numeric"),
            ("minute", "numeric"),
            ("second", "numeric"),
            ("hourCycle", "h23"),
        ];
        let parts = WALL.with(|w| {
            let format = w
                .borrow_mut()
                .get_or_insert_with(|| {
                    js_sys::Intl::DateTimeFormat::new(&js_sys::Array::of1(&"en-US".into()), &options(&fields))
                })
                .clone();
            format.format_to_parts(&js_date(at))
        });
        let mut p = [0u32; 6];
        for part in parts.iter() {
            let get = |k: &str| js_sys::Reflect::get(&part, &k.into()).ok().and_then(|v| v.as_string());
            let slot = match get("type").as_deref() {
                Some("year") => 0,
                Some("month") => 1,
                Some("day") => 2,
                Some("hour") => 3,
                Some("minute") => 4,
                Some("second") => 5,
                _ => continue,
            };
            p[slot] = get("value").and_then(|v| v.parse().ok()).unwrap_or_default();
        }
        let year = i32::try_from(p[0]).unwrap_or_default();
        if let Some(local) = NaiveDate::from_ymd_opt(year, p[1], p[2]).and_then(|d| d.and_hms_opt(p[3], p[4], p[5])) {
            return local;
        }
    }
    at.naive_utc()
}

/// The instant a wall-clock time in the zone stands for, read as the server
/// reads one: a time the clocks skip moves forward by the gap (02:30 → 03:30),
/// a time they pass twice is the earlier.
fn instant(local: NaiveDateTime) -> DateTime<Utc> {
    instant_in(local, wall)
}

/// [`instant`] for any zone given as its `wall` clock.
fn instant_in(local: NaiveDateTime, wall: impl Fn(DateTime<Utc>) -> NaiveDateTime) -> DateTime<Utc> {
    let guess = local.and_utc();
    let offset = |at: DateTime<Utc>| wall(at) - at.naive_utc();
    // The offsets a day before and after: no zone changes its offset twice
    // within a day, so these are the one or two that can apply.
    let day = chrono::Duration::days(1);
    let candidates = [guess - offset(guess - day), guess - offset(guess + day)];
    let fits = candidates.into_iter().filter(|t| wall(*t) == local).min();
    fits.unwrap_or(candidates[0].max(candidates[1]))
}

/// `22 Nov 2026, 14:05` style.
pub fn date_time(at: DateTime<Utc>, lang: Language) -> String {
    #[cfg(feature = "hydrate")]
    {
        let text =
            js_date(at).to_locale_string(lang.tag(), &options(&[("dateStyle", "medium"), ("timeStyle", "short")]));
        if let Some(s) = text.as_string().filter(|s| !s.is_empty() && s != "Invalid Date") {
            return s;
        }
    }
    let _ = lang;
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

/// A follow-up time chosen with one tap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpPreset {
    Tomorrow9,
    In3Days,
    NextWeek,
}

/// The moment a preset stands for: 9:00 on the chosen day ("next week" is
/// next Monday).
pub fn follow_up_at(preset: FollowUpPreset) -> Option<DateTime<Utc>> {
    let today = local_date(now());
    let days = match preset {
        FollowUpPreset::Tomorrow9 => 1,
        FollowUpPreset::In3Days => 3,
        FollowUpPreset::NextWeek => 7 - u64::from(today.weekday().num_days_from_monday()),
    };
    today.checked_add_days(Days::new(days))?.and_hms_opt(9, 0, 0).map(instant)
}

/// The end of the day `days_ahead` days from today.
pub fn end_of_local_day(days_ahead: u32) -> DateTime<Utc> {
    local_midnight(local_date(now()) + Days::new(u64::from(days_ahead) + 1))
}

/// A `<input type="datetime-local">` value (a wall-clock time) as an instant.
pub fn from_local_input(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    let local = NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    Some(instant(local))
}

/// "Monday, 22 November 2026" style heading for a day of the timeline.
pub fn day_label(at: DateTime<Utc>, lang: Language) -> String {
    #[cfg(feature = "hydrate")]
    if let Some(s) = js_date(at).to_locale_date_string(lang.tag(), &options(&[("dateStyle", "full")])).as_string() {
        return s;
    }
    let _ = lang;
    at.format("%Y-%m-%d").to_string()
}

/// A calendar date with its year, e.g. an expected close: "Feb 4, 2027" /
/// "2027年2月4日".
pub fn date(date: NaiveDate, lang: Language) -> String {
    #[cfg(feature = "hydrate")]
    {
        // Noon of that day in the profile's zone is that day wherever it is read.
        let noon = local_midnight(date) + chrono::Duration::hours(12);
        if let Some(s) =
            js_date(noon).to_locale_date_string(lang.tag(), &options(&[("dateStyle", "medium")])).as_string()
        {
            return s;
        }
    }
    let _ = lang;
    date.format("%Y-%m-%d").to_string()
}

/// The calendar day of an instant, for grouping.
pub fn day_key(at: DateTime<Utc>) -> String {
    local_date(at).to_string()
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

/// The calendar day of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    wall(at).date()
}

/// The same time of day as `at`, on `date`: a reminder dragged to another
/// day keeps its hour.
pub fn on_local_date(at: DateTime<Utc>, date: NaiveDate) -> DateTime<Utc> {
    instant(date.and_time(wall(at).time()))
}

/// Midnight at the start of `date`.
pub fn local_midnight(date: NaiveDate) -> DateTime<Utc> {
    date.and_hms_opt(0, 0, 0).map_or_else(now, instant)
}

/// A short day with its month, so that an overdue date weeks back is plain:
/// "Mon, Nov 23" / "11月23日周一".
pub fn short_day(date: NaiveDate, lang: Language) -> String {
    #[cfg(feature = "hydrate")]
    {
        let noon = local_midnight(date) + chrono::Duration::hours(12);
        let fields = [("weekday", "short"), ("month", "short"), ("day", "numeric")];
        if let Some(s) = js_date(noon).to_locale_date_string(lang.tag(), &options(&fields)).as_string() {
            return s;
        }
    }
    let _ = lang;
    date.format("%a, %b %-d").to_string()
}

/// The time of day: "14:05".
pub fn time_of_day(at: DateTime<Utc>, lang: Language) -> String {
    #[cfg(feature = "hydrate")]
    if let Some(s) =
        js_date(at).to_locale_time_string_with_options(lang.tag(), &options(&[("timeStyle", "short")])).as_string()
    {
        return s;
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
    #![allow(clippy::unwrap_used)]
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

    // Natively (as on the server) the zone is UTC; the browser's `Intl` is
    // exercised by the journeys.
    #[test]
    fn presets_inputs_and_days_in_the_zone() {
        use super::*;
        use chrono::{Timelike, Weekday};
        let today = local_date(now());
        for preset in [FollowUpPreset::Tomorrow9, FollowUpPreset::In3Days, FollowUpPreset::NextWeek] {
            let at = follow_up_at(preset).unwrap();
            assert_eq!((at.hour(), at.minute()), (9, 0));
            let days = (local_date(at) - today).num_days();
            match preset {
                FollowUpPreset::Tomorrow9 => assert_eq!(days, 1),
                FollowUpPreset::In3Days => assert_eq!(days, 3),
                FollowUpPreset::NextWeek => {
                    assert_eq!(local_date(at).weekday(), Weekday::Mon);
                    assert!((1..=7).contains(&days), "next Monday, never today: {days}");
                }
            }
        }
        let typed = from_local_input("2026-12-24T18:30").unwrap();
        assert_eq!(typed.to_rfc3339(), "2026-12-24T18:30:00+00:00");
        assert_eq!(from_local_input(" 2026-12-24T18:30:15 ").unwrap().second(), 15);
        assert_eq!(from_local_input("24/12/2026 18:30"), None);
        assert_eq!(from_local_input(""), None);
        let christmas = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap();
        assert_eq!(on_local_date(typed, christmas).to_rfc3339(), "2026-12-25T18:30:00+00:00");
        assert_eq!(local_midnight(christmas).to_rfc3339(), "2026-12-25T00:00:00+00:00");
        assert_eq!(end_of_local_day(0), local_midnight(today + Days::new(1)));
        assert_eq!(day_key(typed), "2026-12-24");
    }

    // The zone arithmetic against chrono-tz, as the server reads wall times.
    #[test]
    fn wall_times_across_changes_of_offset_read_as_the_server_reads_them() {
        use super::instant_in;
        use chrono::NaiveDateTime;
        use chrono_tz::{America::New_York, Asia::Shanghai, Europe::Berlin, Tz};
        let at = |d: &str| NaiveDateTime::parse_from_str(d, "%Y-%m-%d %H:%M").unwrap();
        let read = |zone: Tz, local: &str| {
            instant_in(at(local), |t| t.with_timezone(&zone).naive_local()).format("%Y-%m-%d %H:%M").to_string()
        };
        assert_eq!(read(Shanghai, "2026-12-08 09:00"), "2026-12-08 01:00");
        assert_eq!(read(New_York, "2026-07-01 09:00"), "2026-07-01 13:00");
        // Skipped (clocks forward at 02:00): moved forward by the gap.
        assert_eq!(read(New_York, "2026-03-08 02:30"), "2026-03-08 07:30", "03:30 EDT");
        assert_eq!(read(Berlin, "2026-03-29 02:30"), "2026-03-29 01:30", "03:30 CEST");
        // Passed twice (clocks back at 02:00): the earlier.
        assert_eq!(read(New_York, "2026-11-01 01:30"), "2026-11-01 05:30", "01:30 EDT");
        assert_eq!(read(Berlin, "2026-10-25 02:30"), "2026-10-25 00:30", "02:30 CEST");
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
