//! iCalendar (RFC 5545) output for the calendar feed.

use chrono::{DateTime, TimeDelta, Utc};

/// One reminder as a calendar event.
#[derive(Debug, Clone)]
pub struct IcsEvent<'a> {
    pub uid: uuid::Uuid,
    pub summary: &'a str,
    pub description: Option<&'a str>,
    pub start: DateTime<Utc>,
    /// Duration in minutes (reminders are short blocks; use 15 when unknown).
    pub minutes: u32,
    pub updated: DateTime<Utc>,
    pub url: Option<&'a str>,
    pub done: bool,
}

/// A complete VCALENDAR named `name`. Done events keep their place in the calendar, marked by a "✓ " before the
/// summary and without an alarm; open ones alarm at their start.
pub fn calendar(name: &str, events: &[IcsEvent<'_>]) -> String {
    let mut out = String::new();
    for l in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rapport//Rapport CRM//EN", "CALSCALE:GREGORIAN"] {
        line(&mut out, l);
    }
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    for e in events {
        event(&mut out, e);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

fn event(out: &mut String, e: &IcsEvent<'_>) {
    let end = e.start.checked_add_signed(TimeDelta::minutes(i64::from(e.minutes))).unwrap_or(e.start);
    let summary = if e.done { text(&format!("✓ {}", e.summary)) } else { text(e.summary) };
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}@rapport", e.uid));
    line(out, &format!("DTSTAMP:{}", time(e.updated)));
    line(out, &format!("DTSTART:{}", time(e.start)));
    line(out, &format!("DTEND:{}", time(end)));
    line(out, &format!("SUMMARY:{summary}"));
    if let Some(d) = e.description {
        line(out, &format!("DESCRIPTION:{}", text(d)));
    }
    if let Some(u) = e.url {
        // A URI is not TEXT, so it is not escaped; control characters could still break the line structure.
        line(out, &format!("URL:{}", u.chars().filter(|c| !c.is_control()).collect::<String>()));
    }
    line(out, "STATUS:CONFIRMED");
    if !e.done {
        for l in ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT0M", &format!("DESCRIPTION:{summary}"), "END:VALARM"] {
            line(out, l);
        }
    }
    line(out, "END:VEVENT");
}

fn time(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value (RFC 5545 §3.3.11). Other control characters are not allowed in values, so they are dropped.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.replace("\r\n", "\n").chars() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so that no physical line exceeds 75 octets (the leading space of a
/// continuation counts) and no UTF-8 character is split across lines.
fn line(out: &mut String, content: &str) {
    let mut rest = content;
    let mut limit = 75;
    while rest.len() > limit {
        let cut = rest.floor_char_boundary(limit);
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = 74;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// An unfolded content line: name, parameters, raw value.
    #[derive(Debug)]
    struct Prop {
        name: String,
        params: Vec<String>,
        value: String,
    }

    /// A small RFC 5545 reader: unfolds continuation lines, splits each into name, parameters and value, and
    /// checks that BEGIN/END nest properly inside exactly one VCALENDAR. Returns the properties with the path of
    /// components they sit in (e.g. `VCALENDAR/VEVENT`).
    fn parse(ics: &str) -> Vec<(String, Prop)> {
        assert!(ics.ends_with("\r\n"), "no final CRLF");
        let mut lines: Vec<String> = Vec::new();
        for raw in ics[..ics.len() - 2].split("\r\n") {
            assert!(!raw.contains(['\r', '\n']), "bare line break in {raw:?}");
            match raw.strip_prefix([' ', '\t']) {
                Some(more) => lines.last_mut().unwrap().push_str(more),
                None => lines.push(raw.to_owned()),
            }
        }
        let mut stack: Vec<String> = Vec::new();
        let mut props = Vec::new();
        let mut calendars = 0;
        for l in lines {
            let mut quoted = false;
            let colon = l
                .char_indices()
                .find(|&(_, c)| {
                    quoted ^= c == '"';
                    c == ':' && !quoted
                })
                .map(|(i, _)| i)
                .unwrap_or_else(|| panic!("no value in {l:?}"));
            let mut head = l[..colon].split(';');
            let name = head.next().unwrap().to_ascii_uppercase();
            assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{name:?}");
            let prop = Prop { name, params: head.map(str::to_owned).collect(), value: l[colon + 1..].to_owned() };
            match prop.name.as_str() {
                "BEGIN" => {
                    if stack.is_empty() {
                        assert_eq!(prop.value, "VCALENDAR");
                        calendars += 1;
                    }
                    stack.push(prop.value);
                }
                "END" => assert_eq!(stack.pop().as_ref(), Some(&prop.value), "END without its BEGIN"),
                _ => {
                    assert!(!stack.is_empty(), "{} outside a component", prop.name);
                    props.push((stack.join("/"), prop));
                }
            }
        }
        assert!(stack.is_empty(), "unclosed {stack:?}");
        assert_eq!(calendars, 1);
        props
    }

    fn unescape(v: &str) -> String {
        let mut out = String::new();
        let mut chars = v.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n' | 'N') => out.push('\n'),
                    Some(e) => out.push(e),
                    None => panic!("dangling backslash in {v:?}"),
                }
            } else {
                assert!(![';', ','].contains(&c), "unescaped {c:?} in {v:?}");
                out.push(c);
            }
        }
        out
    }

    /// Values of `name` in components at `path`, in order.
    fn values<'p>(props: &'p [(String, Prop)], path: &str, name: &str) -> Vec<&'p str> {
        props.iter().filter(|(p, prop)| p == path && prop.name == name).map(|(_, prop)| prop.value.as_str()).collect()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn open_event(summary: &str) -> IcsEvent<'_> {
        IcsEvent {
            uid: uuid::Uuid::from_u128(0x0192_3b4c_5d6e_7f80_9a0b_1c2d_3e4f_5061),
            summary,
            description: None,
            start: at("2026-11-23T09:00:00Z"),
            minutes: 15,
            updated: at("2026-11-20T12:34:56Z"),
            url: None,
            done: false,
        }
    }

    #[test]
    fn starts_and_ends_with_the_calendar() {
        let ics = calendar("Reminders", &[open_event("Call Anna")]);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn empty_calendar_is_valid() {
        let ics = calendar("Nothing yet", &[]);
        let props = parse(&ics);
        assert_eq!(values(&props, "VCALENDAR", "VERSION"), ["2.0"]);
        assert_eq!(values(&props, "VCALENDAR", "X-WR-CALNAME"), ["Nothing yet"]);
    }

    #[test]
    fn lines_are_crlf_terminated_and_at_most_75_octets() {
        let long = "Follow up on the renewal; ask about seats, pricing and the 2027 roadmap. ".repeat(8);
        let url = format!("https://crm.example.com/reminders/{}", "x".repeat(200));
        let e = IcsEvent { description: Some(&long), url: Some(&url), ..open_event(&long) };
        let ics = calendar(&long, &[e]);
        let lines: Vec<&str> = ics.strip_suffix("\r\n").unwrap().split("\r\n").collect();
        assert!(lines.len() > 20);
        for l in lines {
            assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
            assert!(!l.contains(['\n', '\r']), "bare line break in {l:?}");
        }
    }

    #[test]
    fn text_values_are_escaped() {
        let e = IcsEvent { description: Some("line 1\r\nline 2\nline 3"), ..open_event(r"a;b,c\d") };
        let ics = calendar("Mine, all; mine", &[e]);
        assert!(ics.contains("\r\nSUMMARY:a\\;b\\,c\\\\d\r\n"), "{ics}");
        assert!(ics.contains("\r\nDESCRIPTION:line 1\\nline 2\\nline 3\r\n"), "{ics}");
        assert!(ics.contains("\r\nX-WR-CALNAME:Mine\\, all\\; mine\r\n"), "{ics}");
    }

    #[test]
    fn control_characters_cannot_break_out_of_a_value() {
        let e = IcsEvent { url: Some("https://x.test/\r\nSTATUS:CANCELLED"), ..open_event("bell\u{7}\u{0} tab\t") };
        let props = parse(&calendar("c", &[e]));
        assert_eq!(values(&props, "VCALENDAR/VEVENT", "SUMMARY"), ["bell tab\t"]);
        assert_eq!(values(&props, "VCALENDAR/VEVENT", "URL"), ["https://x.test/STATUS:CANCELLED"]);
        assert_eq!(values(&props, "VCALENDAR/VEVENT", "STATUS"), ["CONFIRMED"]);
    }

    #[test]
    fn folding_never_splits_a_multibyte_character_and_unfolds_to_the_original() {
        let summary = "客".repeat(100);
        let ics = calendar("c", &[open_event(&summary)]);
        let mut physical = 0;
        for raw in ics.as_bytes().split(|&b| b == b'\n') {
            let l = raw.strip_suffix(b"\r").unwrap_or(raw);
            assert!(l.len() <= 75);
            assert!(std::str::from_utf8(l).is_ok(), "split character in {l:?}");
            physical += 1;
        }
        assert!(physical > 20);
        let props = parse(&ics);
        assert_eq!(values(&props, "VCALENDAR/VEVENT", "SUMMARY"), [summary.as_str()]);
    }

    #[test]
    fn folding_at_the_exact_limit() {
        let mut out = String::new();
        line(&mut out, &"a".repeat(75));
        assert_eq!(out, format!("{}\r\n", "a".repeat(75)));
        out.clear();
        line(&mut out, &"a".repeat(76 + 74));
        assert_eq!(out, format!("{}\r\n {}\r\n a\r\n", "a".repeat(75), "a".repeat(74)));
    }

    #[test]
    fn open_event_has_times_in_utc_status_and_an_alarm() {
        let e = IcsEvent {
            description: Some("Renewal, Q4"),
            url: Some("https://crm.example.com/reminders/1?a=b,c"),
            ..open_event("Call Anna")
        };
        let props = parse(&calendar("Rapport — Anna", &[e]));
        let ev = "VCALENDAR/VEVENT";
        assert_eq!(values(&props, "VCALENDAR", "PRODID"), ["-//Rapport//Rapport CRM//EN"]);
        assert_eq!(values(&props, "VCALENDAR", "CALSCALE"), ["GREGORIAN"]);
        assert_eq!(values(&props, "VCALENDAR", "X-WR-CALNAME"), ["Rapport — Anna"]);
        assert_eq!(values(&props, ev, "UID"), ["01923b4c-5d6e-7f80-9a0b-1c2d3e4f5061@rapport"]);
        assert_eq!(values(&props, ev, "DTSTAMP"), ["20261120T123456Z"]);
        assert_eq!(values(&props, ev, "DTSTART"), ["20261123T090000Z"]);
        assert_eq!(values(&props, ev, "DTEND"), ["20261123T091500Z"]);
        assert_eq!(values(&props, ev, "SUMMARY"), ["Call Anna"]);
        assert_eq!(values(&props, ev, "DESCRIPTION").iter().map(|v| unescape(v)).collect::<Vec<_>>(), ["Renewal, Q4"]);
        assert_eq!(values(&props, ev, "URL"), ["https://crm.example.com/reminders/1?a=b,c"]);
        assert_eq!(values(&props, ev, "STATUS"), ["CONFIRMED"]);
        let alarm = "VCALENDAR/VEVENT/VALARM";
        assert_eq!(values(&props, alarm, "ACTION"), ["DISPLAY"]);
        assert_eq!(values(&props, alarm, "TRIGGER"), ["-PT0M"]);
        assert_eq!(values(&props, alarm, "DESCRIPTION"), ["Call Anna"]);
        assert!(props.iter().all(|(_, p)| p.params.is_empty()));
    }

    #[test]
    fn done_event_is_ticked_and_has_no_alarm() {
        let e = IcsEvent { done: true, minutes: 90, ..open_event("Send offer") };
        let props = parse(&calendar("c", &[e]));
        assert_eq!(values(&props, "VCALENDAR/VEVENT", "SUMMARY"), ["✓ Send offer"]);
        assert_eq!(values(&props, "VCALENDAR/VEVENT", "DTEND"), ["20261123T103000Z"]);
        assert!(values(&props, "VCALENDAR/VEVENT/VALARM", "ACTION").is_empty());
        assert!(values(&props, "VCALENDAR/VEVENT", "DESCRIPTION").is_empty());
        assert!(values(&props, "VCALENDAR/VEVENT", "URL").is_empty());
    }

    #[test]
    fn parses_a_calendar_of_several_events() {
        let summaries = ["Call Anna", "Café with Zoë; bring contract", "客户回访"];
        let events: Vec<IcsEvent<'_>> = summaries
            .iter()
            .enumerate()
            .map(|(i, s)| IcsEvent { uid: uuid::Uuid::from_u128(i as u128), done: i == 1, ..open_event(s) })
            .collect();
        let props = parse(&calendar("c", &events));
        let got: Vec<String> = values(&props, "VCALENDAR/VEVENT", "SUMMARY").into_iter().map(unescape).collect();
        assert_eq!(got, ["Call Anna", "✓ Café with Zoë; bring contract", "客户回访"]);
        assert_eq!(values(&props, "VCALENDAR/VEVENT", "UID").len(), 3);
        assert_eq!(values(&props, "VCALENDAR/VEVENT/VALARM", "ACTION").len(), 2);
    }
}
