//! Who befriends whom among seeded users, by index: a ring in which every user has
//! `--friends K` friends (as far as the number of users allows), and the optional star
//! of the fan-out benchmark. Pure, so the shapes are tested without a database.

use std::collections::HashSet;

/// Friend pairs of `n` users where each has `k` friends: every user befriends the
/// next `k / 2` around the ring (and so also the previous `k / 2`), and for an odd
/// `k` the user half-way round. With `k >= n - 1` everyone befriends everyone. When
/// `n` and `k` are both odd, one user has `k - 1` friends (the half-way pairs cannot
/// cover an odd number of users). No pair appears twice, in either order.
pub(super) fn ring_pairs(n: usize, k: u32) -> Vec<(usize, usize)> {
    let k = k as usize;
    if n < 2 || k == 0 {
        return Vec::new();
    }
    if k >= n - 1 {
        return (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .collect();
    }
    let mut pairs: Vec<(usize, usize)> = (1..=k / 2)
        .flat_map(|step| (0..n).map(move |i| (i, (i + step) % n)))
        .collect();
    if k % 2 == 1 {
        let half = n / 2;
        pairs.extend((0..half).map(|i| (i, i + half)));
    }
    pairs
}

/// Friend pairs of a star among `users` users: the first befriends the next `n`
/// (capped at the others there are), minus pairs that `existing` has already in
/// either order, so a friendship is neither inserted nor counted twice.
pub(super) fn star_pairs(users: usize, n: u32, existing: &[(usize, usize)]) -> Vec<(usize, usize)> {
    if users == 0 {
        return Vec::new();
    }
    let known: HashSet<usize> = existing
        .iter()
        .filter_map(|&(a, b)| match (a, b) {
            (0, other) | (other, 0) => Some(other),
            _ => None,
        })
        .collect();
    (1..users)
        .take(n as usize)
        .filter(|friend| !known.contains(friend))
        .map(|friend| (0, friend))
        .collect()
}

/// For each of `users` users, the user its hugs go to: its first friend in `pairs`
/// (the next user around the ring, for two friends or more), or the next user when
/// it has none. `None` for a lone user.
pub(super) fn hug_recipients(users: usize, pairs: &[(usize, usize)]) -> Vec<Option<usize>> {
    let mut first: Vec<Option<usize>> = vec![None; users];
    for &(a, b) in pairs {
        first[a].get_or_insert(b);
    }
    for &(a, b) in pairs {
        first[b].get_or_insert(a);
    }
    (0..users)
        .map(|i| first[i].or((users > 1).then(|| (i + 1) % users)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Friends per user, after checking that no pair repeats or befriends itself.
    fn degrees(n: usize, pairs: &[(usize, usize)]) -> Vec<usize> {
        let distinct: HashSet<(usize, usize)> =
            pairs.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
        assert_eq!(distinct.len(), pairs.len(), "a pair twice: {pairs:?}");
        assert!(pairs.iter().all(|(a, b)| a != b), "a self-pair: {pairs:?}");
        let mut degree = vec![0; n];
        for &(a, b) in pairs {
            degree[a] += 1;
            degree[b] += 1;
        }
        degree
    }

    #[test]
    fn every_user_has_k_friends_as_far_as_n_allows() {
        for n in 0..40 {
            for k in 0..10u32 {
                let pairs = ring_pairs(n, k);
                let degree = degrees(n, &pairs);
                let want = (k as usize).min(n.saturating_sub(1));
                let short = degree.iter().filter(|&&d| d + 1 == want).count();
                let exact = degree.iter().filter(|&&d| d == want).count();
                assert_eq!(exact + short, n, "n={n} k={k}: {degree:?}");
                assert!(short <= 1, "n={n} k={k}: {degree:?}");
                if short == 1 {
                    assert!(n % 2 == 1 && want % 2 == 1, "n={n} k={k}: {degree:?}");
                }
            }
        }
    }

    #[test]
    fn small_rings_count_each_friendship_once() {
        assert_eq!(ring_pairs(4, 3).len(), 6, "4 users, everyone friends");
        assert_eq!(ring_pairs(2, 5), [(0, 1)]);
        assert!(ring_pairs(1, 3).is_empty());
        assert_eq!(ring_pairs(200, 6).len(), 600);
        assert!(ring_pairs(6, 2).contains(&(5, 0)), "the ring wraps");
    }

    #[test]
    fn star_befriends_the_first_user_with_the_next_n_once() {
        let star = star_pairs(6, 4, &[]);
        assert_eq!(star, vec![(0, 1), (0, 2), (0, 3), (0, 4)]);
        // A ring of 2 friends each has 0–1 (forwards) and 5–0 (wrapping).
        let ring = ring_pairs(6, 2);
        assert_eq!(star_pairs(6, 5, &ring), vec![(0, 2), (0, 3), (0, 4)]);
        assert_eq!(star_pairs(6, 100, &[]).len(), 5, "capped at the others");
        assert!(star_pairs(1, 3, &[]).is_empty());
        assert!(star_pairs(0, 3, &[]).is_empty());
    }

    #[test]
    fn hugs_go_to_a_friend() {
        let ring = ring_pairs(6, 2);
        assert_eq!(
            hug_recipients(6, &ring),
            [Some(1), Some(2), Some(3), Some(4), Some(5), Some(0)]
        );
        let matching = ring_pairs(4, 1);
        assert_eq!(
            hug_recipients(4, &matching),
            [Some(2), Some(3), Some(0), Some(1)]
        );
        assert_eq!(hug_recipients(3, &[]), [Some(1), Some(2), Some(0)]);
        assert_eq!(hug_recipients(1, &[]), [None]);
    }
}
