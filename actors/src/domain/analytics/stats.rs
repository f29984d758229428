//! The statistics analytics needs: mean, sample standard deviation, Pearson's r, and
//! the plain-language label of a correlation.

use super::EPSILON;

/// Sample standard deviation (n − 1 in the denominator); 0 for fewer than 2 values or
/// when all values are equal.
pub fn sample_std_dev(values: &[f64]) -> f64 {
    if values.len() < 2 || all_equal(values) {
        return 0.0;
    }
    let m = mean(values);
    let squares: f64 = values.iter().map(|v| (v - m).powi(2)).sum();
    (squares / (values.len() - 1) as f64).sqrt()
}

/// Pearson's correlation coefficient of paired values, clamped to [-1, 1]. `None` with
/// fewer than 2 pairs, when either side has zero variance (all values equal), or when
/// the slices differ in length.
pub fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    if xs.len() != ys.len() || xs.len() < 2 || all_equal(xs) || all_equal(ys) {
        return None;
    }
    let (mx, my) = (mean(xs), mean(ys));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let (dx, dy) = (x - mx, y - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    let denominator = (sxx * syy).sqrt();
    if denominator == 0.0 || !denominator.is_finite() {
        return None;
    }
    Some((sxy / denominator).clamp(-1.0, 1.0))
}

pub(super) fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

pub(super) fn all_equal(values: &[f64]) -> bool {
    values
        .first()
        .is_none_or(|first| values.iter().all(|v| v == first))
}

/// Mean that is 0 for an empty group.
pub(super) fn mean_of(sum: f64, count: u32) -> f64 {
    if count == 0 {
        0.0
    } else {
        sum / f64::from(count)
    }
}

/// "strong positive", "moderate negative", "weak positive", … or "none" for |r| < 0.1.
pub(super) fn correlation_label(coefficient: f64) -> String {
    let strength = coefficient.abs();
    let strength = if strength >= 0.5 - EPSILON {
        "strong"
    } else if strength >= 0.3 - EPSILON {
        "moderate"
    } else if strength >= 0.1 - EPSILON {
        "weak"
    } else {
        return "none".to_owned();
    };
    let direction = if coefficient > 0.0 {
        "positive"
    } else {
        "negative"
    };
    format!("{strength} {direction}")
}
