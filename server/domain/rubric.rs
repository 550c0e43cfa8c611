//! Self-score → completion rating: bands with inclusive or exclusive bounds.
//!
//! The bands are data per plan. Two presets ship: the reference report's
//! (xuất sắc above 90) and the 2026 state rule (xuất sắc from 90).
//!
//! Rubrics are data: bands checked to cover 0–100 exactly once. Each new issuer gets both
//! presets, the reference report's as its default. The proposed rating is computed from
//! the score; an override needs a reason and is stored beside it.

use serde::{Deserialize, Serialize};

/// Lowest and highest self-score.
pub const SCORE_RANGE: std::ops::RangeInclusive<i32> = 0..=100;

/// One rating band: scores between `lower` and `upper` get `label`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// The rating printed, e.g. "Hoàn thành xuất sắc nhiệm vụ".
    pub label: String,
    /// Lower bound; `None` means no lower bound.
    pub lower: Option<i32>,
    /// Whether a score equal to `lower` belongs to this band.
    pub lower_inclusive: bool,
    /// Upper bound; `None` means no upper bound.
    pub upper: Option<i32>,
    /// Whether a score equal to `upper` belongs to this band.
    pub upper_inclusive: bool,
}

impl Band {
    /// Whether `score` falls in this band.
    pub fn contains(&self, score: i32) -> bool {
        let above = match self.lower {
            None => true,
            Some(l) if self.lower_inclusive => score >= l,
            Some(l) => score > l,
        };
        let below = match self.upper {
            None => true,
            Some(u) if self.upper_inclusive => score <= u,
            Some(u) => score < u,
        };
        above && below
    }
}

/// An ordered set of bands covering every score from 0 to 100 exactly once.
#[derive(Debug, Clone, PartialEq)]
pub struct Rubric {
    bands: Vec<Band>,
}

/// Why a set of bands is not a usable rubric.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RubricError {
    /// No band at all.
    #[error("a rubric needs at least one band")]
    Empty,
    /// The band at this index (from 0) has a blank label.
    #[error("band {0} has an empty label")]
    EmptyLabel(usize),
    /// The lowest score from 0 to 100 that no band covers.
    #[error("no band covers the score {0}")]
    Gap(i32),
    /// Two bands both cover a score.
    #[error("the score {score} falls in both \"{first}\" and \"{second}\"")]
    Overlap {
        /// The lowest score two bands cover.
        score: i32,
        /// The label of the first band covering it.
        first: String,
        /// The label of the second band covering it.
        second: String,
    },
}

impl Rubric {
    /// Checks that the bands cover 0–100 with no gap and no overlap.
    pub fn new(bands: Vec<Band>) -> Result<Rubric, RubricError> {
        if bands.is_empty() {
            return Err(RubricError::Empty);
        }
        if let Some(i) = bands.iter().position(|b| b.label.trim().is_empty()) {
            return Err(RubricError::EmptyLabel(i));
        }
        for score in SCORE_RANGE {
            let mut hits = bands.iter().filter(|b| b.contains(score));
            match (hits.next(), hits.next()) {
                (None, _) => return Err(RubricError::Gap(score)),
                (Some(a), Some(b)) => {
                    return Err(RubricError::Overlap { score, first: a.label.clone(), second: b.label.clone() });
                }
                _ => {}
            }
        }
        Ok(Rubric { bands })
    }

    /// The bands, in order.
    pub fn bands(&self) -> &[Band] {
        &self.bands
    }

    /// The rating the rubric proposes for a score in 0–100.
    pub fn rate(&self, score: i32) -> Option<&str> {
        self.bands.iter().find(|b| b.contains(score)).map(|b| b.label.as_str())
    }

    /// Whether `label` is one of this rubric's ratings.
    pub fn has_label(&self, label: &str) -> bool {
        self.bands.iter().any(|b| b.label == label)
    }

    /// The reference report's rubric: xuất sắc > 90; tốt 70–90; hoàn thành 50–<70.
    pub fn reference() -> Rubric {
        Rubric::new(vec![
            band(XUAT_SAC, Some((90, false)), None),
            band(TOT, Some((70, true)), Some((90, true))),
            band(HOAN_THANH, Some((50, true)), Some((70, false))),
            band(KHONG_HOAN_THANH, None, Some((50, false))),
        ])
        .expect("the reference rubric covers 0–100")
    }

    /// The state rule from 2026 (Nghị định 335/2025): xuất sắc ≥ 90; tốt 70–<90.
    pub fn state_2026() -> Rubric {
        Rubric::new(vec![
            band(XUAT_SAC, Some((90, true)), None),
            band(TOT, Some((70, true)), Some((90, false))),
            band(HOAN_THANH, Some((50, true)), Some((70, false))),
            band(KHONG_HOAN_THANH, None, Some((50, false))),
        ])
        .expect("the 2026 rubric covers 0–100")
    }
}

const XUAT_SAC: &str = "Hoàn thành xuất sắc nhiệm vụ";
const TOT: &str = "Hoàn thành tốt nhiệm vụ";
const HOAN_THANH: &str = "Hoàn thành nhiệm vụ";
const KHONG_HOAN_THANH: &str = "Không hoàn thành nhiệm vụ";

fn band(label: &str, lower: Option<(i32, bool)>, upper: Option<(i32, bool)>) -> Band {
    Band {
        label: label.to_owned(),
        lower: lower.map(|l| l.0),
        lower_inclusive: lower.is_some_and(|l| l.1),
        upper: upper.map(|u| u.0),
        upper_inclusive: upper.is_some_and(|u| u.1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_rubric_rates_the_reference_scores_as_printed() {
        let r = Rubric::reference();
        for (score, label) in [(100, XUAT_SAC), (97, XUAT_SAC), (91, XUAT_SAC), (90, TOT), (80, TOT)] {
            assert_eq!(r.rate(score), Some(label), "score {score}");
        }
        assert_eq!(r.rate(70), Some(TOT));
        assert_eq!(r.rate(69), Some(HOAN_THANH));
        assert_eq!(r.rate(50), Some(HOAN_THANH));
        assert_eq!(r.rate(49), Some(KHONG_HOAN_THANH));
        assert_eq!(r.rate(0), Some(KHONG_HOAN_THANH));
    }

    #[test]
    fn the_two_presets_disagree_exactly_at_ninety() {
        let (a, b) = (Rubric::reference(), Rubric::state_2026());
        let differing: Vec<i32> = SCORE_RANGE.filter(|s| a.rate(*s) != b.rate(*s)).collect();
        assert_eq!(differing, vec![90]);
    }

    #[test]
    fn gaps_and_overlaps_are_refused() {
        let gap = vec![band("A", Some((50, false)), None), band("B", None, Some((50, false)))];
        assert_eq!(Rubric::new(gap), Err(RubricError::Gap(50)));
        let overlap = vec![band("A", Some((50, true)), None), band("B", None, Some((50, true)))];
        assert!(matches!(Rubric::new(overlap), Err(RubricError::Overlap { score: 50, .. })));
        assert_eq!(Rubric::new(vec![]), Err(RubricError::Empty));
    }
}
