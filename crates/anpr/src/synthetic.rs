//! Generated plates and reads for tests and `grens bench anpr`: plates in the formats of BE, NL,
//! LU, FR and DE, and camera reads that are exact, one look-alike away, two away, or unrelated.

use crate::matcher::Groups;
use crate::plate::{code_of, formats, Plate};

/// SplitMix64 (`rand_xoshiro`): small, fast, deterministic in its seed.
#[derive(Debug, Clone)]
pub struct Rng(rand_xoshiro::SplitMix64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        use rand_core::SeedableRng;
        Rng(rand_xoshiro::SplitMix64::seed_from_u64(seed))
    }

    pub fn next_u64(&mut self) -> u64 {
        rand_core::RngCore::next_u64(&mut self.0)
    }

    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// The countries plates are generated for, with their share of a hotlist (in percent).
pub const COUNTRIES: [(&str, usize); 5] = [("BE", 30), ("NL", 30), ("FR", 20), ("DE", 15), ("LU", 5)];

/// A random plate of `country` in one of its formats.
pub fn plate(country: &str, rng: &mut Rng) -> Plate {
    let f = formats(country);
    let pattern = f.get(rng.below(f.len().max(1))).copied().unwrap_or("@@-###-@@");
    let mut text = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        let mut count = 1;
        if chars.peek() == Some(&'{') {
            let spec: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
            let (m, n) = spec.split_once(',').unwrap_or(("1", "1"));
            let (m, n): (usize, usize) = (m.parse().unwrap_or(1), n.parse().unwrap_or(1));
            count = m + rng.below(n - m + 1);
        }
        for _ in 0..count {
            match c {
                '@' => text.push(char::from(b'A' + rng.below(26) as u8)),
                '#' => text.push(char::from(b'0' + rng.below(10) as u8)),
                ' ' | '-' => {}
                other => text.push(other),
            }
        }
    }
    Plate::parse(&text).unwrap_or_else(|_| Plate::from_ascii(b"AA00").unwrap_or_else(|| unreachable!()))
}

/// A country drawn by [`COUNTRIES`]'s shares.
pub fn country(rng: &mut Rng) -> &'static str {
    let mut roll = rng.below(100);
    for (c, share) in COUNTRIES {
        if roll < share {
            return c;
        }
        roll -= share;
    }
    "BE"
}

/// `plate` with `n` characters (at distinct positions) replaced by a look-alike of `groups`;
/// `None` when it has fewer than `n` characters that have a look-alike.
pub fn lookalike(plate: Plate, n: usize, groups: &[&str], rng: &mut Rng) -> Option<Plate> {
    let chars: Vec<char> = plate.to_string().chars().collect();
    let confusable: Vec<usize> = (0..chars.len())
        .filter(|i| groups.iter().any(|g| g.contains(chars[*i])))
        .collect();
    if confusable.len() < n {
        return None;
    }
    let mut positions = confusable;
    let mut out = plate;
    for k in 0..n {
        let pick = k + rng.below(positions.len() - k);
        positions.swap(k, pick);
        let at = positions[k];
        let group = groups.iter().find(|g| g.contains(chars[at]))?;
        let others: Vec<char> = group.chars().filter(|c| *c != chars[at]).collect();
        let replacement = others.get(rng.below(others.len()))?;
        out = out.with_code(at, code_of(*replacement)?);
    }
    Some(out)
}

/// A hotlist of `n` distinct plates (distinct even under look-alikes, so a generated read has one
/// right answer), with their countries.
pub fn hotlist(n: usize, seed: u64) -> Vec<(Plate, &'static str)> {
    let groups = Groups::industry();
    let mut rng = Rng::new(seed);
    let mut seen = std::collections::HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let c = country(&mut rng);
        let p = plate(c, &mut rng);
        if seen.insert(groups.canonical(p)) {
            out.push((p, c));
        }
    }
    out
}

/// What a generated read is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadKind {
    /// A hotlist plate as it is.
    Exact,
    /// One look-alike character away from a hotlist plate.
    Lookalike,
    /// Two look-alike characters away: must not match.
    TwoAway,
    /// Any other plate (nearly always not on the hotlist).
    Other,
}

/// `m` reads: `percent_on_list` of them of `on_list` kind (about a hotlist plate), the rest
/// unrelated plates; with what each is.
pub fn reads(
    hotlist: &[(Plate, &str)],
    m: usize,
    on_list: ReadKind,
    percent_on_list: usize,
    seed: u64,
) -> Vec<(Plate, ReadKind, usize)> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(m);
    while out.len() < m {
        if !hotlist.is_empty() && rng.below(100) < percent_on_list {
            let i = rng.below(hotlist.len());
            let p = hotlist[i].0;
            let read = match on_list {
                ReadKind::Exact => Some(p),
                ReadKind::Lookalike => lookalike(p, 1, &Groups::DEFAULT, &mut rng),
                ReadKind::TwoAway => lookalike(p, 2, &Groups::DEFAULT, &mut rng),
                ReadKind::Other => None,
            };
            if let Some(r) = read {
                out.push((r, on_list, i));
            }
            continue;
        }
        let c = country(&mut rng);
        out.push((plate(c, &mut rng), ReadKind::Other, usize::MAX));
    }
    out
}
