//! Recurrence of reminders in the assignee's time zone. Rules step over local
//! calendar dates and keep the local time of day, so 9:00 stays 9:00 across DST.

use crate::error::{AppError, AppResult};
use chrono::{
    DateTime, Datelike, Days, MappedLocalTime, Months, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;
use rapport_shared::reminder::{Recurrence, Repeat};
use rapport_shared::validate::FieldError;

/// Parses an IANA zone name; unknown names fall back to UTC (users' zones are checked by [`known_zone`] on input).
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// Refuses a name of a zone's shape that no zone has (`Asia/Shangai`): the shared rule checks the shape only, and
/// such a zone would be read as UTC here and as the device's zone in the browser.
///
/// # Errors
/// `Validation` on `time_zone`.
pub fn known_zone(name: Option<&str>) -> AppResult<()> {
    match name {
        Some(name) if name.trim().parse::<Tz>().is_err() => Err(AppError::field("time_zone", FieldError::UnknownValue)),
        _ => Ok(()),
    }
}

/// A wall-clock time in `tz` as an instant. In a DST gap (e.g. 02:30 on a spring-forward day) the time moves
/// forward by the gap (03:30); an ambiguous time (fall-back) takes the earlier instant.
pub fn local_to_utc(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        MappedLocalTime::Single(t) | MappedLocalTime::Ambiguous(t, _) => t.with_timezone(&Utc),
        MappedLocalTime::None => {
            // Reading the wall time with the offset in force before the jump lands exactly one gap later. A day
            // back is safely before the jump: no zone changes its offset twice within a day.
            let day_before = local.checked_sub_days(Days::new(1)).unwrap_or(local);
            let before = tz.offset_from_utc_datetime(&day_before).fix();
            local.checked_sub_offset(before).unwrap_or(local).and_utc()
        }
    }
}

/// The occurrence after `current_due` (which was occurrence number `occurrence`, 1-based), or None when the rule
/// has ended (count reached or the next local date is after `until`).
/// The local time of day of `current_due` in `tz` is kept (9:00 stays 9:00 across DST changes).
pub fn next_due(rule: &Recurrence, current_due: DateTime<Utc>, occurrence: u32, tz: Tz) -> Option<DateTime<Utc>> {
    if rule.count.is_some_and(|c| occurrence >= c) {
        return None;
    }
    let local = current_due.with_timezone(&tz).naive_local();
    let date = next_date(&rule.repeat, local.date())?;
    if rule.until.is_some_and(|until| date > until) {
        return None;
    }
    Some(local_to_utc(date.and_time(local.time()), tz))
}

/// Invalid rules (no weekdays, n = 0, day outside 1–31) end the series instead of looping or standing still.
fn next_date(repeat: &Repeat, date: NaiveDate) -> Option<NaiveDate> {
    match repeat {
        Repeat::Daily => date.checked_add_days(Days::new(1)),
        Repeat::EveryNDays { n } if *n > 0 => date.checked_add_days(Days::new(u64::from(*n))),
        Repeat::Weekly { days } => (1..=7)
            .filter_map(|i| date.checked_add_days(Days::new(i)))
            .find(|d| days.iter().any(|w| w.index() == d.weekday().num_days_from_monday())),
        Repeat::Monthly { day } if (1..=31).contains(day) => {
            let first = date.with_day(1)?;
            // The first occurrence may come before the anchor day (created on the 5th for the 20th).
            match day_of_month(first, *day)? {
                this_month if date < this_month => Some(this_month),
                _ => day_of_month(first.checked_add_months(Months::new(1))?, *day),
            }
        }
        Repeat::EveryNDays { .. } | Repeat::Monthly { .. } => None,
    }
}

/// `day` of the month that starts at `first`, clamped to the month's last day.
fn day_of_month(first: NaiveDate, day: u8) -> Option<NaiveDate> {
    let last = first.checked_add_months(Months::new(1))?.pred_opt()?.day();
    first.with_day(u32::from(day).min(last))
}

/// The next instant strictly after `now` at which the local clock in `tz` shows `hour:00` — used for a user's
/// daily digest at their local morning.
pub fn next_local_time(now: DateTime<Utc>, hour: u32, tz: Tz) -> DateTime<Utc> {
    let at = NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or(NaiveTime::MIN);
    let today = now.with_timezone(&tz).date_naive();
    // Tomorrow's is always after `now`, so two days suffice.
    today
        .iter_days()
        .take(2)
        .map(|d| local_to_utc(d.and_time(at), tz))
        .find(|t| *t > now)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Start (inclusive) and end (exclusive) of the local calendar day containing `now` in `tz`, as UTC instants
/// ("due today").
pub fn local_day_bounds(now: DateTime<Utc>, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let day = now.with_timezone(&tz).date_naive();
    let start = local_to_utc(day.and_time(NaiveTime::MIN), tz);
    let end = day.succ_opt().map_or(DateTime::<Utc>::MAX_UTC, |d| local_to_utc(d.and_time(NaiveTime::MIN), tz));
    (start, end)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rapport_shared::reminder::Weekday;

    const BERLIN: Tz = chrono_tz::Europe::Berlin;
    const NEW_YORK: Tz = chrono_tz::America::New_York;
    const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// `2026-03-28 09:00` on the wall clock in `tz`.
    fn wall(s: &str, tz: Tz) -> DateTime<Utc> {
        local_to_utc(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap(), tz)
    }

    fn rule(repeat: Repeat) -> Recurrence {
        Recurrence { repeat, until: None, count: None }
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The first `n` occurrences (fewer when the rule ends) as wall-clock times in `tz`.
    fn series(rule: &Recurrence, first: &str, tz: Tz, n: usize) -> Vec<String> {
        let mut due = Some(wall(first, tz));
        let mut out = Vec::new();
        let mut occurrence = 1;
        while let Some(d) = due.filter(|_| out.len() < n) {
            out.push(d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string());
            due = next_due(rule, d, occurrence, tz);
            occurrence += 1;
        }
        out
    }

    #[test]
    fn zone_parses_iana_names_and_falls_back_to_utc() {
        assert_eq!(zone("Europe/Berlin"), BERLIN);
        assert_eq!(zone("Mars/Olympus_Mons"), Tz::UTC);
        assert_eq!(zone(""), Tz::UTC);
    }

    #[test]
    fn local_to_utc_moves_gap_times_forward_and_takes_earlier_ambiguous_time() {
        assert_eq!(wall("2026-03-29 02:30", BERLIN), utc("2026-03-29T01:30:00Z"));
        assert_eq!(wall("2026-10-25 02:30", BERLIN), utc("2026-10-25T00:30:00Z"));
        assert_eq!(wall("2026-03-08 02:30", NEW_YORK), utc("2026-03-08T07:30:00Z"));
    }

    #[test]
    fn daily_keeps_nine_local_across_berlin_spring_forward() {
        let r = rule(Repeat::Daily);
        assert_eq!(
            series(&r, "2026-03-28 09:00", BERLIN, 3),
            ["2026-03-28 09:00", "2026-03-29 09:00", "2026-03-30 09:00"]
        );
        let next = next_due(&r, wall("2026-03-28 09:00", BERLIN), 1, BERLIN);
        assert_eq!(next, Some(utc("2026-03-29T07:00:00Z")));
    }

    #[test]
    fn daily_keeps_nine_local_across_berlin_fall_back() {
        let r = rule(Repeat::Daily);
        assert_eq!(
            series(&r, "2026-10-24 09:00", BERLIN, 3),
            ["2026-10-24 09:00", "2026-10-25 09:00", "2026-10-26 09:00"]
        );
        let next = next_due(&r, wall("2026-10-24 09:00", BERLIN), 1, BERLIN);
        assert_eq!(next, Some(utc("2026-10-25T08:00:00Z")));
    }

    #[test]
    fn daily_at_half_past_two_lands_on_half_past_three_on_spring_forward_day() {
        let next = next_due(&rule(Repeat::Daily), wall("2026-03-28 02:30", BERLIN), 1, BERLIN);
        assert_eq!(next, Some(utc("2026-03-29T01:30:00Z")));
        assert_eq!(next.unwrap().with_timezone(&BERLIN).format("%H:%M").to_string(), "03:30");
    }

    #[test]
    fn weekly_mon_thu_from_unsorted_duplicated_days() {
        let r = rule(Repeat::Weekly { days: vec![Weekday::Thu, Weekday::Mon, Weekday::Thu] });
        // 2026-03-02 is a Monday.
        assert_eq!(
            series(&r, "2026-03-02 10:00", BERLIN, 5),
            ["2026-03-02 10:00", "2026-03-05 10:00", "2026-03-09 10:00", "2026-03-12 10:00", "2026-03-16 10:00"]
        );
    }

    #[test]
    fn weekly_single_day_is_strictly_after_the_current_date() {
        let r = rule(Repeat::Weekly { days: vec![Weekday::Wed] });
        assert_eq!(series(&r, "2026-03-04 10:00", BERLIN, 2), ["2026-03-04 10:00", "2026-03-11 10:00"]);
    }

    #[test]
    fn weekly_uses_the_local_weekday_not_the_utc_one() {
        // Monday 07:00 in Shanghai is still Sunday in UTC.
        let r = rule(Repeat::Weekly { days: vec![Weekday::Mon] });
        assert_eq!(series(&r, "2026-03-02 07:00", SHANGHAI, 2), ["2026-03-02 07:00", "2026-03-09 07:00"]);
    }

    #[test]
    fn monthly_31_clamps_in_non_leap_february_and_returns_to_the_anchor() {
        let r = rule(Repeat::Monthly { day: 31 });
        assert_eq!(
            series(&r, "2027-01-31 09:00", BERLIN, 4),
            ["2027-01-31 09:00", "2027-02-28 09:00", "2027-03-31 09:00", "2027-04-30 09:00"]
        );
    }

    #[test]
    fn monthly_31_lands_on_february_29_in_a_leap_year() {
        let r = rule(Repeat::Monthly { day: 31 });
        assert_eq!(
            series(&r, "2028-01-31 09:00", BERLIN, 3),
            ["2028-01-31 09:00", "2028-02-29 09:00", "2028-03-31 09:00"]
        );
    }

    #[test]
    fn monthly_anchor_later_in_the_same_month_comes_first() {
        let r = rule(Repeat::Monthly { day: 20 });
        assert_eq!(
            series(&r, "2026-05-05 09:00", BERLIN, 3),
            ["2026-05-05 09:00", "2026-05-20 09:00", "2026-06-20 09:00"]
        );
    }

    #[test]
    fn monthly_anchor_earlier_in_the_month_waits_for_next_month() {
        let r = rule(Repeat::Monthly { day: 20 });
        assert_eq!(series(&r, "2026-05-25 09:00", BERLIN, 2), ["2026-05-25 09:00", "2026-06-20 09:00"]);
    }

    #[test]
    fn monthly_across_the_year_end() {
        let r = rule(Repeat::Monthly { day: 15 });
        assert_eq!(series(&r, "2026-12-15 09:00", BERLIN, 2), ["2026-12-15 09:00", "2027-01-15 09:00"]);
    }

    #[test]
    fn every_three_days() {
        let r = rule(Repeat::EveryNDays { n: 3 });
        assert_eq!(
            series(&r, "2026-02-26 08:15", BERLIN, 4),
            ["2026-02-26 08:15", "2026-03-01 08:15", "2026-03-04 08:15", "2026-03-07 08:15"]
        );
    }

    #[test]
    fn count_limits_the_total_number_of_occurrences() {
        let r = Recurrence { count: Some(3), ..rule(Repeat::Daily) };
        assert_eq!(
            series(&r, "2026-06-01 09:00", BERLIN, 10),
            ["2026-06-01 09:00", "2026-06-02 09:00", "2026-06-03 09:00"]
        );
        assert_eq!(next_due(&r, wall("2026-06-03 09:00", BERLIN), 3, BERLIN), None);
        assert_eq!(next_due(&r, wall("2026-06-03 09:00", BERLIN), 7, BERLIN), None);
    }

    #[test]
    fn count_of_one_has_no_next_occurrence() {
        let r = Recurrence { count: Some(1), ..rule(Repeat::Daily) };
        assert_eq!(next_due(&r, wall("2026-06-01 09:00", BERLIN), 1, BERLIN), None);
    }

    #[test]
    fn until_is_an_inclusive_local_date() {
        let r = Recurrence { until: Some(date("2026-06-03")), ..rule(Repeat::Daily) };
        assert_eq!(
            series(&r, "2026-06-01 09:00", BERLIN, 10),
            ["2026-06-01 09:00", "2026-06-02 09:00", "2026-06-03 09:00"]
        );
    }

    #[test]
    fn until_compares_the_local_date_not_the_utc_date() {
        // 21:00 in New York on the last day is already the next day in UTC.
        let r = Recurrence { until: Some(date("2026-06-03")), ..rule(Repeat::Daily) };
        assert_eq!(series(&r, "2026-06-02 21:00", NEW_YORK, 10), ["2026-06-02 21:00", "2026-06-03 21:00"]);
    }

    #[test]
    fn until_before_the_next_weekday_ends_the_series() {
        let r = Recurrence { until: Some(date("2026-03-08")), ..rule(Repeat::Weekly { days: vec![Weekday::Mon] }) };
        assert_eq!(next_due(&r, wall("2026-03-02 10:00", BERLIN), 1, BERLIN), None);
    }

    #[test]
    fn daily_keeps_nine_local_across_new_york_dst_changes() {
        let r = rule(Repeat::Daily);
        assert_eq!(next_due(&r, wall("2026-03-07 09:00", NEW_YORK), 1, NEW_YORK), Some(utc("2026-03-08T13:00:00Z")));
        assert_eq!(wall("2026-03-07 09:00", NEW_YORK), utc("2026-03-07T14:00:00Z"));
        assert_eq!(next_due(&r, wall("2026-10-31 09:00", NEW_YORK), 1, NEW_YORK), Some(utc("2026-11-01T14:00:00Z")));
        assert_eq!(wall("2026-10-31 09:00", NEW_YORK), utc("2026-10-31T13:00:00Z"));
    }

    #[test]
    fn shanghai_without_dst_is_always_24_hours_apart() {
        let r = rule(Repeat::Daily);
        for first in ["2026-03-28 09:00", "2026-10-24 09:00", "2026-12-31 23:30"] {
            let due = wall(first, SHANGHAI);
            assert_eq!(next_due(&r, due, 1, SHANGHAI), Some(due + chrono::TimeDelta::days(1)));
        }
        assert_eq!(wall("2026-03-29 09:00", SHANGHAI), utc("2026-03-29T01:00:00Z"));
    }

    #[test]
    fn invalid_rules_end_instead_of_looping() {
        let due = wall("2026-06-01 09:00", BERLIN);
        for repeat in [Repeat::Weekly { days: vec![] }, Repeat::EveryNDays { n: 0 }, Repeat::Monthly { day: 0 }] {
            assert_eq!(next_due(&rule(repeat), due, 1, BERLIN), None);
        }
        assert_eq!(next_due(&rule(Repeat::Monthly { day: 40 }), due, 1, BERLIN), None);
    }

    #[test]
    fn next_local_time_later_today_when_before_the_hour() {
        // 07:00 in Berlin (CEST).
        assert_eq!(next_local_time(utc("2026-06-10T05:00:00Z"), 8, BERLIN), utc("2026-06-10T06:00:00Z"));
    }

    #[test]
    fn next_local_time_tomorrow_when_at_or_after_the_hour() {
        assert_eq!(next_local_time(utc("2026-06-10T07:00:00Z"), 8, BERLIN), utc("2026-06-11T06:00:00Z"));
        assert_eq!(next_local_time(utc("2026-06-10T06:00:00Z"), 8, BERLIN), utc("2026-06-11T06:00:00Z"));
    }

    #[test]
    fn next_local_time_across_dst_changes() {
        // 09:00 CET on Saturday; Sunday's 08:00 is CEST.
        assert_eq!(next_local_time(utc("2026-03-28T08:00:00Z"), 8, BERLIN), utc("2026-03-29T06:00:00Z"));
        // 09:00 CEST on Saturday; Sunday's 08:00 is CET.
        assert_eq!(next_local_time(utc("2026-10-24T07:00:00Z"), 8, BERLIN), utc("2026-10-25T07:00:00Z"));
        // 02:00 does not exist on the spring-forward day; it moves to 03:00 CEST.
        assert_eq!(next_local_time(utc("2026-03-28T12:00:00Z"), 2, BERLIN), utc("2026-03-29T01:00:00Z"));
    }

    #[test]
    fn next_local_time_uses_the_local_date_ahead_of_utc() {
        // 2026-06-10 23:00 UTC is already 07:00 on the 11th in Shanghai.
        assert_eq!(next_local_time(utc("2026-06-10T23:00:00Z"), 8, SHANGHAI), utc("2026-06-11T00:00:00Z"));
    }

    #[test]
    fn local_day_bounds_in_a_zone_ahead_of_utc() {
        // 04:00 on the 11th in Shanghai.
        let (start, end) = local_day_bounds(utc("2026-06-10T20:00:00Z"), SHANGHAI);
        assert_eq!((start, end), (utc("2026-06-10T16:00:00Z"), utc("2026-06-11T16:00:00Z")));
    }

    #[test]
    fn local_day_bounds_on_the_23_hour_spring_forward_day() {
        let (start, end) = local_day_bounds(utc("2026-03-29T12:00:00Z"), BERLIN);
        assert_eq!((start, end), (utc("2026-03-28T23:00:00Z"), utc("2026-03-29T22:00:00Z")));
        assert_eq!(end - start, chrono::TimeDelta::hours(23));
    }

    #[test]
    fn local_day_bounds_on_the_25_hour_fall_back_day() {
        let (start, end) = local_day_bounds(utc("2026-10-25T12:00:00Z"), BERLIN);
        assert_eq!(end - start, chrono::TimeDelta::hours(25));
    }

    #[test]
    fn local_day_bounds_when_midnight_falls_in_the_gap() {
        // Chile springs forward from 00:00 to 01:00, so the day starts at 01:00 local (-03).
        let santiago = chrono_tz::America::Santiago;
        let (start, end) = local_day_bounds(utc("2026-09-06T12:00:00Z"), santiago);
        assert_eq!((start, end), (utc("2026-09-06T04:00:00Z"), utc("2026-09-07T03:00:00Z")));
        assert_eq!(local_day_bounds(utc("2026-09-05T12:00:00Z"), santiago).1, start);
    }

    #[test]
    fn local_day_bounds_contain_now() {
        for now in [utc("2026-03-28T23:00:00Z"), utc("2026-03-29T21:59:59Z"), utc("2026-10-25T00:30:00Z")] {
            let (start, end) = local_day_bounds(now, BERLIN);
            assert!(start <= now && now < end, "{now}: {start}..{end}");
        }
    }

    /// For many first occurrences in 2026–2028, every rule kind and a few zones, the series is strictly
    /// increasing, follows its rule, and keeps the local time of day unless that time fell into a DST gap.
    #[test]
    fn property_series_increase_and_keep_the_local_time() {
        let zones = [BERLIN, NEW_YORK, SHANGHAI, chrono_tz::Australia::Sydney];
        let days = vec![Weekday::Tue, Weekday::Sun, Weekday::Fri];
        let rules = [
            Repeat::Daily,
            Repeat::EveryNDays { n: 3 },
            Repeat::EveryNDays { n: 45 },
            Repeat::Weekly { days: days.clone() },
            Repeat::Monthly { day: 31 },
            Repeat::Monthly { day: 15 },
        ];
        let times = [NaiveTime::from_hms_opt(9, 0, 0).unwrap(), NaiveTime::from_hms_opt(2, 30, 0).unwrap()];
        let mut checked = 0;
        for tz in zones {
            for start in date("2026-01-01").iter_days().step_by(7).take_while(|d| d.year() <= 2028) {
                for repeat in &rules {
                    for time in times {
                        let r = rule(repeat.clone());
                        let mut due = local_to_utc(start.and_time(time), tz);
                        for occurrence in 1..=15 {
                            let Some(next) = next_due(&r, due, occurrence, tz) else { panic!("{r:?} ended") };
                            assert!(next > due, "{r:?} in {tz}: {next} after {due}");
                            let (prev, now) =
                                (due.with_timezone(&tz).naive_local(), next.with_timezone(&tz).naive_local());
                            let in_gap = matches!(
                                tz.from_local_datetime(&now.date().and_time(prev.time())),
                                MappedLocalTime::None
                            );
                            assert!(now.time() == prev.time() || in_gap, "{r:?} in {tz}: {prev} -> {now}");
                            match repeat {
                                Repeat::Daily => assert_eq!(now.date(), prev.date().succ_opt().unwrap()),
                                Repeat::EveryNDays { n } => {
                                    assert_eq!((now.date() - prev.date()).num_days(), i64::from(*n))
                                }
                                Repeat::Weekly { .. } => {
                                    assert!(days.iter().any(|d| d.index() == now.weekday().num_days_from_monday()));
                                    assert!((now.date() - prev.date()).num_days() <= 7);
                                }
                                Repeat::Monthly { day } => {
                                    let last = day_of_month(now.date().with_day(1).unwrap(), 31).unwrap().day();
                                    assert_eq!(now.day(), u32::from(*day).min(last), "{prev} -> {now}");
                                }
                            }
                            due = next;
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }
}
