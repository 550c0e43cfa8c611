//! The Vietnamese calendar of days off: the lunar calendar (computed from the moon's
//! and the sun's positions for UTC+7, not typed), the public holidays of the Labour
//! Code 2019, art. 112 — Tết Dương lịch, Tết Nguyên đán (5 days), Giỗ Tổ Hùng Vương
//! (10/3 âm lịch), 30/4, 1/5, Quốc khánh (2/9 and the day beside it) — with a holiday
//! on a weekend taken on the next working day, and the days the government swaps or
//! adds each year ([`PUBLISHED`]), which an office may extend as data.
//!
//! The lunar conversion follows the standard astronomical method (mean new moons
//! with the periodic terms of Meeus, the sun's longitude for the solar terms; a
//! month with no major solar term is the leap month).
//!
//! The government's yearly swaps are a table ([`PUBLISHED`]) tested day for day against
//! 2024–2026; offices add their own days.

use std::collections::{BTreeMap, HashMap};
use std::f64::consts::PI;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Vietnam's time zone, hours east of UTC.
const TZ: f64 = 7.0;
/// Julian day number of 0001-01-01 (proleptic Gregorian) minus one.
const JD_CE: i64 = 1_721_425;

fn jd(d: NaiveDate) -> i64 {
    i64::from(d.num_days_from_ce()) + JD_CE
}

fn from_jd(jd: i64) -> NaiveDate {
    i32::try_from(jd - JD_CE).ok().and_then(NaiveDate::from_num_days_from_ce_opt).unwrap_or(NaiveDate::MIN)
}

/// Julian date of the `k`-th new moon after 1900-01-01.
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let (t2, t3) = (t * t, t * t * t);
    let dr = PI / 180.0;
    let mut jd1 = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3;
    jd1 += 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * dr).sin();
    let m = (359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3) * dr;
    let mpr = (306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3) * dr;
    let f = (21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3) * dr;
    let c1 = (0.1734 - 0.000_393 * t) * m.sin() + 0.0021 * (2.0 * m).sin() - 0.4068 * mpr.sin()
        + 0.0161 * (2.0 * mpr).sin()
        - 0.0004 * (3.0 * mpr).sin()
        + 0.0104 * (2.0 * f).sin()
        - 0.0051 * (m + mpr).sin()
        - 0.0074 * (m - mpr).sin()
        + 0.0004 * (2.0 * f + m).sin()
        - 0.0004 * (2.0 * f - m).sin()
        - 0.0006 * (2.0 * f + mpr).sin()
        + 0.0010 * (2.0 * f - mpr).sin()
        + 0.0005 * (2.0 * mpr + m).sin();
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    jd1 + c1 - delta_t
}

/// The local day (Julian day number) of the `k`-th new moon.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k) + 0.5 + TZ / 24.0).floor() as i64
}

/// Which of the twelve 30° sectors of the ecliptic the sun is in at the start of a
/// local day.
fn sun_sector(day: i64) -> i64 {
    let t = (day as f64 - 0.5 - TZ / 24.0 - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let dl = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin()
        + (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin()
        + 0.000_290 * (dr * 3.0 * m).sin();
    let l = ((l0 + dl) * dr).rem_euclid(2.0 * PI);
    (l / PI * 6.0).floor() as i64
}

/// The first day of the lunar month holding the winter solstice of `year`.
fn month_11(year: i32) -> i64 {
    let off = NaiveDate::from_ymd_opt(year, 12, 31).map(jd).unwrap_or_default() - 2_415_021;
    let k = (off as f64 / 29.530_588_853).floor() as i64;
    let nm = new_moon_day(k);
    if sun_sector(nm) >= 9 { new_moon_day(k - 1) } else { nm }
}

/// Months from month 11 to the leap month (the first with no major solar term).
fn leap_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853 + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i));
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i));
        if arc == last || i >= 14 {
            return i - 1;
        }
    }
}

/// The solar date of lunar `day`/`month` of lunar `year` (`leap`: the leap month of
/// that number); `None` when that leap month does not exist.
pub fn lunar_to_solar(day: u32, month: u32, year: i32, leap: bool) -> Option<NaiveDate> {
    if !(1..=30).contains(&day) || !(1..=12).contains(&month) {
        return None;
    }
    let (a11, b11) =
        if month < 11 { (month_11(year - 1), month_11(year)) } else { (month_11(year), month_11(year + 1)) };
    let k = (0.5 + (a11 as f64 - 2_415_021.076_998_695) / 29.530_588_853).floor() as i64;
    let mut off = (i64::from(month) - 11).rem_euclid(12);
    if b11 - a11 > 365 {
        let leap_off = leap_offset(a11);
        let leap_month = (leap_off - 2).rem_euclid(12);
        if leap && i64::from(month) != leap_month {
            return None;
        }
        if leap || off >= leap_off {
            off += 1;
        }
    } else if leap {
        return None;
    }
    Some(from_jd(new_moon_day(k + off) + i64::from(day) - 1))
}

/// Tết Nguyên đán (1 tháng Giêng) of lunar `year`.
pub fn lunar_new_year(year: i32) -> NaiveDate {
    lunar_to_solar(1, 1, year, false).unwrap_or(NaiveDate::MIN)
}

/// Why a day is off or on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Day {
    /// A public holiday (or the working day that makes up for one on a weekend).
    Holiday(&'static str),
    /// A working day the government moved onto a weekend (làm bù).
    MadeUp(&'static str),
}

/// Days the government swapped or added, as published for civil servants
/// (`true`: a day off; `false`: a working day). Offices add later years as data.
pub const PUBLISHED: &[(i32, u32, u32, bool, &str)] = &[
    // 2024: Tết from 29 tháng Chạp to mùng 5; 29/4 swapped with Saturday 4/5.
    (2024, 2, 8, true, "Tết Nguyên đán"),
    (2024, 2, 15, false, "Tết Nguyên đán"),
    (2024, 4, 29, true, "Hoán đổi dịp 30/4"),
    (2024, 5, 4, false, "Làm bù cho ngày 29/4"),
    // 2025: Tết from 28 tháng Chạp to mùng 3 (and the weekends); 2/5 swapped with 26/4.
    (2025, 1, 27, true, "Tết Nguyên đán"),
    (2025, 2, 3, false, "Tết Nguyên đán"),
    (2025, 5, 2, true, "Hoán đổi dịp 30/4"),
    (2025, 4, 26, false, "Làm bù cho ngày 2/5"),
    // 2026: 2/1 swapped with 10/1 (12729/VPCP-KGVX); 31/8 swapped with 22/8.
    (2026, 1, 2, true, "Hoán đổi dịp Tết Dương lịch"),
    (2026, 1, 10, false, "Làm bù cho ngày 2/1"),
    (2026, 8, 31, true, "Hoán đổi dịp Quốc khánh"),
    (2026, 8, 22, false, "Làm bù cho ngày 31/8"),
];

/// The public holidays of `year` by the Labour Code, each with its name; a holiday
/// on a weekend (or on another holiday) is taken on the next working day.
pub fn statutory(year: i32) -> BTreeMap<NaiveDate, &'static str> {
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d).unwrap_or(NaiveDate::MIN);
    let tet = lunar_new_year(year);
    let mut days: Vec<(NaiveDate, &'static str)> = vec![(ymd(1, 1), "Tết Dương lịch")];
    // Five days: the last day of the old year and mùng 1 to mùng 4.
    days.extend((-1..4).map(|n| (tet + Duration::days(n), "Tết Nguyên đán")));
    days.push((lunar_to_solar(10, 3, year, false).unwrap_or(NaiveDate::MIN), "Giỗ Tổ Hùng Vương"));
    days.push((ymd(4, 30), "Ngày Chiến thắng"));
    days.push((ymd(5, 1), "Ngày Quốc tế Lao động"));
    // Quốc khánh: 2/9 and the day beside it that joins the weekend (Thủ tướng decides
    // each year; a year that differs is corrected in PUBLISHED).
    let national = ymd(9, 2);
    let beside = match national.weekday() {
        Weekday::Mon | Weekday::Thu | Weekday::Sun => ymd(9, 3),
        _ => ymd(9, 1),
    };
    days.push((beside.min(national), "Quốc khánh"));
    days.push((beside.max(national), "Quốc khánh"));
    days.sort();
    let mut off = BTreeMap::new();
    for (d, name) in days {
        let mut at = d;
        if weekend(at) || off.contains_key(&at) {
            off.entry(at).or_insert(name);
            // Taken on the next working day that is not already a holiday.
            at += Duration::days(1);
            while weekend(at) || off.contains_key(&at) {
                at += Duration::days(1);
            }
        }
        off.insert(at, name);
    }
    off
}

/// The official calendar of `year`: the statutory holidays and the published swaps.
fn official_year(year: i32) -> BTreeMap<NaiveDate, Day> {
    let mut days: BTreeMap<NaiveDate, Day> = statutory(year).into_iter().map(|(d, n)| (d, Day::Holiday(n))).collect();
    for &(y, m, d, is_off, name) in PUBLISHED {
        if y != year {
            continue;
        }
        let Some(date) = NaiveDate::from_ymd_opt(y, m, d) else { continue };
        if is_off {
            days.insert(date, Day::Holiday(name));
        } else {
            days.insert(date, Day::MadeUp(name));
        }
    }
    days
}

/// One year's days that are not plain weekdays and weekends.
type Year = BTreeMap<NaiveDate, Day>;

/// What the official calendar says of `d` (computed once per year and kept).
pub fn official(d: NaiveDate) -> Option<Day> {
    static YEARS: OnceLock<Mutex<HashMap<i32, Arc<Year>>>> = OnceLock::new();
    let years = YEARS.get_or_init(Default::default);
    let year = {
        let mut map = years.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(map.entry(d.year()).or_insert_with(|| Arc::new(official_year(d.year()))))
    };
    year.get(&d).copied()
}

/// Whether `d` is a weekend day.
pub fn weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn tet_and_gio_to_fall_on_the_published_dates() {
        // Lịch vạn niên: Tết Quý Mão, Giáp Thìn, Ất Tỵ, Bính Ngọ, Đinh Mùi.
        assert_eq!(lunar_new_year(2023), d(2023, 1, 22));
        assert_eq!(lunar_new_year(2024), d(2024, 2, 10));
        assert_eq!(lunar_new_year(2025), d(2025, 1, 29));
        assert_eq!(lunar_new_year(2026), d(2026, 2, 17));
        assert_eq!(lunar_new_year(2027), d(2027, 2, 6));
        // Giỗ Tổ Hùng Vương, 10/3 âm lịch (2023 has a leap second month before it).
        assert_eq!(lunar_to_solar(10, 3, 2023, false), Some(d(2023, 4, 29)));
        assert_eq!(lunar_to_solar(10, 3, 2024, false), Some(d(2024, 4, 18)));
        assert_eq!(lunar_to_solar(10, 3, 2025, false), Some(d(2025, 4, 7)));
        assert_eq!(lunar_to_solar(10, 3, 2026, false), Some(d(2026, 4, 26)));
        // 2023's leap month is the second; there is no leap third month.
        assert_eq!(lunar_to_solar(1, 2, 2023, true), Some(d(2023, 3, 22)));
        assert_eq!(lunar_to_solar(1, 3, 2023, true), None);
        assert_eq!(lunar_to_solar(1, 1, 2024, true), None);
        // Rằm tháng Giêng 2025 and 23 tháng Chạp (ông Công ông Táo) before Tết 2026.
        assert_eq!(lunar_to_solar(15, 1, 2025, false), Some(d(2025, 2, 12)));
        assert_eq!(lunar_to_solar(23, 12, 2025, false), Some(d(2026, 2, 10)));
    }

    /// Weekdays the official calendar has off, as the reminders look them up.
    fn weekdays_off(y: i32) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut at = d(y, 1, 1);
        while at.year() == y {
            if !weekend(at) && matches!(official(at), Some(Day::Holiday(_))) {
                out.push(at);
            }
            at += Duration::days(1);
        }
        out
    }

    fn made_up(y: i32) -> Vec<NaiveDate> {
        official_year(y)
            .into_iter()
            .filter(|(d, k)| weekend(*d) && matches!(k, Day::MadeUp(_)))
            .map(|(d, _)| d)
            .collect()
    }

    #[test]
    fn the_published_calendars_of_2024_to_2026_come_out_day_for_day() {
        // Civil servants, 2024: 1/1; Tết 8–14/2; Giỗ Tổ 18/4; 27/4–1/5 with Saturday 4/5
        // worked; Quốc khánh 31/8–3/9.
        assert_eq!(
            weekdays_off(2024),
            [(1, 1), (2, 8), (2, 9), (2, 12), (2, 13), (2, 14), (4, 18), (4, 29), (4, 30), (5, 1), (9, 2), (9, 3)]
                .map(|(m, day)| d(2024, m, day))
        );
        assert_eq!(made_up(2024), [d(2024, 5, 4)]);
        // 2025: 1/1; Tết 25/1–2/2; Giỗ Tổ 7/4; 30/4–4/5 with Saturday 26/4 worked;
        // Quốc khánh 30/8–2/9.
        assert_eq!(
            weekdays_off(2025),
            [(1, 1), (1, 27), (1, 28), (1, 29), (1, 30), (1, 31), (4, 7), (4, 30), (5, 1), (5, 2), (9, 1), (9, 2)]
                .map(|(m, day)| d(2025, m, day))
        );
        assert_eq!(made_up(2025), [d(2025, 4, 26)]);
        // 2026: 1/1–4/1 with Saturday 10/1 worked; Tết 14/2–22/2; Giỗ Tổ on Sunday 26/4
        // taken on Monday 27/4; 30/4–3/5; Quốc khánh 29/8–2/9 with Saturday 22/8 worked.
        assert_eq!(
            weekdays_off(2026),
            [
                (1, 1),
                (1, 2),
                (2, 16),
                (2, 17),
                (2, 18),
                (2, 19),
                (2, 20),
                (4, 27),
                (4, 30),
                (5, 1),
                (8, 31),
                (9, 1),
                (9, 2)
            ]
            .map(|(m, day)| d(2026, m, day))
        );
        assert_eq!(made_up(2026), [d(2026, 1, 10), d(2026, 8, 22)]);
    }

    #[test]
    fn a_holiday_on_a_weekend_is_taken_on_the_next_working_day() {
        // 2023: Giỗ Tổ on Saturday 29/4, 30/4 Sunday, 1/5 Monday: 1/5 to 3/5 off.
        let off = statutory(2023);
        let may: Vec<NaiveDate> = off.keys().copied().filter(|x| x.month() == 5 && !weekend(*x)).collect();
        assert_eq!(may, [d(2023, 5, 1), d(2023, 5, 2), d(2023, 5, 3)]);
        // Quốc khánh 2023 on a Saturday: 1/9 beside it, 4/9 in its place.
        assert!(off.contains_key(&d(2023, 9, 1)) && off.contains_key(&d(2023, 9, 4)));
        assert!(matches!(official(d(2027, 2, 8)), Some(Day::Holiday("Tết Nguyên đán"))), "Tết 2027 is computed");
    }
}
