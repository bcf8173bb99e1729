//! Post dates: the forms we read from front matter and file names, and the
//! date written out in the post's language for readers.

use crate::ir::PostDate;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime};

/// Shown in the diagnostic for a date we cannot read.
pub const ACCEPTED_FORMS: &str = "accepted forms: 2025-09-02 (or 2025-9-2), \
     2025-09-02T04:00:00Z and other RFC 3339 times, 2025-09-02 04:00:00 +0000 (Jekyll), \
     2025/09/02, September 2, 2025, 2 Sep 2025; day/month orders such as 02/03/2025 \
     are ambiguous and refused";

/// The years a date may have: what every edition can write (EPUB needs
/// four digits, e-mail dates positive years).
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// Reads a front-matter date as Jekyll, Hugo and Docusaurus do. `None` when
/// the text is in no accepted form. Slash dates are read year first only:
/// `02/03/2025` is February 3 in one country and March 2 in another.
pub fn parse(text: &str) -> Option<PostDate> {
    let t = text.trim();
    if let Some(padded) = zero_padded(t) {
        return parse_padded(&padded);
    }
    parse_padded(t).or_else(|| written_out(t))
}

/// The day a value that [`parse`] refused begins with, when it begins with
/// one in full (`2023-01-29` then a space or `T` and a time we cannot read).
/// Only the day is kept: the time is not known.
pub fn leading_day(text: &str) -> Option<PostDate> {
    let t = text.trim();
    let (day, rest) = t.split_at_checked(10)?;
    if !rest.starts_with([' ', 'T', 't']) {
        return None;
    }
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .map(day_only)
}

/// `2026-1-13…` → `2026-01-13…`: Docusaurus and Hugo accept single-digit
/// months and days.
fn zero_padded(t: &str) -> Option<String> {
    let (year, rest) = t.split_at_checked(4)?;
    if !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = rest.strip_prefix('-')?;
    let month_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let after_month = rest[month_len..].strip_prefix('-')?;
    let day_len = after_month.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&month_len)
        || !(1..=2).contains(&day_len)
        || (month_len == 2 && day_len == 2)
    {
        return None;
    }
    Some(format!(
        "{year}-{:0>2}-{:0>2}{}",
        &rest[..month_len],
        &after_month[..day_len],
        &after_month[day_len..]
    ))
}

/// "September 2, 2025", "Sep 2, 2025", "2 September 2025", "2 Sep 2025".
fn written_out(t: &str) -> Option<PostDate> {
    let t = t.replace(',', " ");
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    ["%B %d %Y", "%d %B %Y"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(&t, format).ok())
        .map(day_only)
}

fn parse_padded(t: &str) -> Option<PostDate> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(PostDate {
            day: dt.date_naive(),
            datetime: Some(dt),
        });
    }
    for format in [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M %z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(t, format) {
            return Some(PostDate {
                day: dt.date_naive(),
                datetime: Some(dt),
            });
        }
    }
    // A time without an offset says which day it is, not which instant.
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, format) {
            return Some(day_only(dt.date()));
        }
    }
    for format in ["%Y-%m-%d", "%Y/%m/%d"] {
        if let Ok(day) = NaiveDate::parse_from_str(t, format) {
            return Some(day_only(day));
        }
    }
    None
}

fn day_only(day: NaiveDate) -> PostDate {
    PostDate {
        day,
        datetime: None,
    }
}

/// The `YYYY-MM-DD-` prefix of a Jekyll file name, and the rest of the name.
pub fn from_file_stem(stem: &str) -> Option<(PostDate, &str)> {
    let prefix = stem.get(..11)?;
    let day = NaiveDate::parse_from_str(prefix.get(..10)?, "%Y-%m-%d").ok()?;
    if !YEARS.contains(&day.year()) {
        return None;
    }
    if !prefix.ends_with('-') {
        return None;
    }
    Some((day_only(day), &stem[11..]))
}

/// The date as a reader of `lang` writes it: `2 September 2025` (en),
/// `2025년 9월 2일` (ko), `2025年9月2日` (ja, zh). Languages we have no
/// words for get the unambiguous ISO form.
pub fn written(day: NaiveDate, lang: &str) -> String {
    let (y, m, d) = (day.year(), day.month(), day.day());
    let primary = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let month = |names: &[&str; 12]| names[(m - 1) as usize].to_string();
    match primary.as_str() {
        "en" if lang.eq_ignore_ascii_case("en-US") => {
            format!("{} {d}, {y}", month(&EN))
        }
        "en" => format!("{d} {} {y}", month(&EN)),
        "ko" => format!("{y}년 {m}월 {d}일"),
        "ja" | "zh" => format!("{y}年{m}月{d}日"),
        "fr" => format!(
            "{} {} {y}",
            if d == 1 { "1er".into() } else { d.to_string() },
            month(&FR)
        ),
        "de" => format!("{d}. {} {y}", month(&DE)),
        "es" => format!("{d} de {} de {y}", month(&ES)),
        "pt" => format!("{d} de {} de {y}", month(&PT)),
        "it" => format!("{d} {} {y}", month(&IT)),
        "nl" => format!("{d} {} {y}", month(&NL)),
        "uk" => format!("{d} {} {y} р.", month(&UK)),
        "ru" => format!("{d} {} {y} г.", month(&RU)),
        "ar" => format!("{d} {} {y}", month(&AR)),
        _ => day.format("%Y-%m-%d").to_string(),
    }
}

const AR: [&str; 12] = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
];
const EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const PT: [&str; 12] = [
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
];
const IT: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];
const NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
// Genitive forms, as dates are written.
const UK: [&str; 12] = [
    "січня",
    "лютого",
    "березня",
    "квітня",
    "травня",
    "червня",
    "липня",
    "серпня",
    "вересня",
    "жовтня",
    "листопада",
    "грудня",
];
const RU: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_accepted_form() {
        let day = NaiveDate::from_ymd_opt(2025, 9, 2).unwrap();
        for text in [
            "2025-09-02",
            "2025-09-02T04:00:00+00:00",
            "2025-09-02T04:00:00Z",
            "2025-09-02 04:00:00 +0000",
            "2025-09-02 23:46:11 +0200",
            "2025/09/02",
            "2025-09-02T04:00:00",
            "2025-9-2",
            "2025-9-02T04:00:00.000Z",
            "2025-09-2 04:00:00 +0000",
            "September 2, 2025",
            "Sep 2, 2025",
            "2 September 2025",
            "2 Sep 2025",
        ] {
            assert_eq!(parse(text).map(|d| d.day), Some(day), "{text}");
        }
        let jan13 = NaiveDate::from_ymd_opt(2026, 1, 13).unwrap();
        assert_eq!(parse("2026-1-13T00:00:00.000Z").map(|d| d.day), Some(jan13));
        assert!(parse("2 Sept 2025").is_none());
        assert!(parse("2025-13-01").is_none());
        // Ambiguous day/month orders stay errors.
        assert!(parse("02/03/2025").is_none());
        assert!(parse("2/3/2025").is_none());
    }

    #[test]
    fn keeps_offset_of_rfc3339_dates() {
        let d = parse("2013-05-08 23:46:11 +0200").unwrap();
        assert_eq!(
            d.datetime.unwrap().to_rfc3339(),
            "2013-05-08T23:46:11+02:00"
        );
    }

    #[test]
    fn a_plain_day_before_an_unreadable_time_is_kept() {
        let day = leading_day("2023-01-29 18:30:22 2023 -0800").unwrap();
        assert_eq!(day.day.to_string(), "2023-01-29");
        assert!(day.datetime.is_none());
        assert!(leading_day("2023-01-29x").is_none());
        assert!(leading_day("29-01-2023 10:00").is_none());
        assert!(leading_day("2023-02-30 10:00").is_none());
    }

    #[test]
    fn jekyll_file_name_prefix() {
        let (d, rest) = from_file_stem("2014-05-06-jekyll-turns-2-0-0").unwrap();
        assert_eq!(d.day, NaiveDate::from_ymd_opt(2014, 5, 6).unwrap());
        assert_eq!(rest, "jekyll-turns-2-0-0");
        assert!(from_file_stem("2014-05-06").is_none());
        assert!(from_file_stem("notes-2014-05-06-x").is_none());
    }

    #[test]
    fn written_out_per_language() {
        let day = NaiveDate::from_ymd_opt(2025, 9, 2).unwrap();
        assert_eq!(written(day, "en"), "2 September 2025");
        assert_eq!(written(day, "en-US"), "September 2, 2025");
        assert_eq!(written(day, "ko"), "2025년 9월 2일");
        assert_eq!(written(day, "ja"), "2025年9月2日");
        assert_eq!(written(day, "de"), "2. September 2025");
        assert_eq!(written(day, "xx"), "2025-09-02");
    }
}
