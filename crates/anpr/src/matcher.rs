//! The matcher: every hotlist plate under its *canonical* form — each character replaced by the
//! first of its look-alike group (O, D and Q become 0; I becomes 1 …) — in one open-addressing
//! table. A read is canonicalised the same way and looked up with one probe: every entry that
//! could be a look-alike of it is under that key, and the confusions are then counted exactly
//! (positions where read and entry differ). So look-alike matching costs what exact matching
//! costs, instead of one lookup per variant of the read.
//!
//! Memory per entry (measured by `grens bench anpr`): the table at ≤ 0.75 load (8-byte key and
//! 4-byte entry number per slot) and the entry itself (8-byte plate, 4-byte validity).

use crate::plate::{code_of, Plate};

/// Look-alike groups: characters a camera confuses with each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groups {
    /// For each code (1–36), the code of its group's first member.
    canonical: [u8; 64],
}

impl Groups {
    /// The industry's default groups: 0/O/D/Q, 1/I, 2/Z, 5/S, 8/B, 6/G.
    pub const DEFAULT: [&'static str; 6] = ["0ODQ", "1I", "2Z", "5S", "8B", "6G"];

    /// No look-alikes: only exact matches.
    pub fn none() -> Groups {
        let mut canonical = [0u8; 64];
        for (i, c) in canonical.iter_mut().enumerate() {
            *c = i as u8;
        }
        Groups { canonical }
    }

    pub fn industry() -> Groups {
        // The default groups are valid by construction.
        Groups::new(&Groups::DEFAULT).unwrap_or_else(|_| Groups::none())
    }

    /// Groups from strings of characters ("0ODQ"); groups that share a character are merged.
    pub fn new<S: AsRef<str>>(groups: &[S]) -> Result<Groups, String> {
        let mut g = Groups::none();
        for group in groups {
            let codes: Vec<u8> = group
                .as_ref()
                .chars()
                .map(|c| {
                    code_of(c.to_ascii_uppercase())
                        .ok_or_else(|| format!("look-alike group '{}': '{c}' is not a letter or digit", group.as_ref()))
                })
                .collect::<Result<_, _>>()?;
            let Some(first) = codes.first() else {
                continue;
            };
            // Union: every member's current group joins the first member's.
            let target = g.canonical[*first as usize];
            for code in &codes {
                let old = g.canonical[*code as usize];
                for c in g.canonical.iter_mut() {
                    if *c == old {
                        *c = target;
                    }
                }
            }
        }
        Ok(g)
    }

    /// The plate with every character replaced by its group's representative.
    pub fn canonical(&self, plate: Plate) -> u64 {
        let mut packed = plate.packed();
        let mut out = 0u64;
        let mut shift = 0;
        while packed != 0 {
            out |= u64::from(self.canonical[(packed & 63) as usize]) << shift;
            packed >>= 6;
            shift += 6;
        }
        out
    }
}

/// One hotlist entry matched by a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// The entry's number, as [`Matcher::insert`] returned it.
    pub entry: u32,
    /// Characters of the read that are look-alikes of the entry's (0: an exact match).
    pub confusions: u8,
}

/// Bit 0 of each 6-bit character position.
const LOW_BITS: u64 = {
    let mut m = 0u64;
    let mut i = 0;
    while i < 10 {
        m |= 1 << (6 * i);
        i += 1;
    }
    m
};

/// Positions where two plates of one length differ.
fn differing(a: u64, b: u64) -> u32 {
    let x = a ^ b;
    let any = x | x >> 1 | x >> 2 | x >> 3 | x >> 4 | x >> 5;
    (any & LOW_BITS).count_ones()
}

fn spread(key: u64) -> u64 {
    let mut z = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Validity "never ends".
pub const FOREVER: u32 = u32::MAX;

/// The matcher. Entries are numbered in insertion order; removing one leaves its number unused.
#[derive(Debug, Clone)]
pub struct Matcher {
    groups: Groups,
    max_confusions: u8,
    /// Canonical keys (0: empty slot) and the entry each slot holds.
    slots: Vec<u64>,
    slot_entries: Vec<u32>,
    plates: Vec<u64>,
    /// Until when each entry is valid, in seconds since 1970 (u32 lasts until 2106); 0 once removed.
    valid_until: Vec<u32>,
    live: usize,
}

impl Matcher {
    /// A matcher that accepts up to `max_confusions` look-alike characters of `groups`.
    pub fn new(groups: Groups, max_confusions: u8) -> Matcher {
        Matcher {
            groups,
            max_confusions,
            slots: vec![0; 16],
            slot_entries: vec![0; 16],
            plates: Vec::new(),
            valid_until: Vec::new(),
            live: 0,
        }
    }

    /// The default: industry groups, one confusion.
    pub fn lookalike() -> Matcher {
        Matcher::new(Groups::industry(), 1)
    }

    /// Exact matches only.
    pub fn exact() -> Matcher {
        Matcher::new(Groups::none(), 0)
    }

    /// Entries that are still in (removed ones are not counted).
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// How many entry numbers were handed out (the next one is this).
    pub fn entries(&self) -> usize {
        self.plates.len()
    }

    /// Makes room for `additional` more entries without growing on the way.
    pub fn reserve(&mut self, additional: usize) {
        let needed = (self.plates.len() + additional) * 4 / 3 + 1;
        if needed > self.slots.len() {
            self.rehash(needed.next_power_of_two());
        }
        self.plates.reserve_exact(additional);
        self.valid_until.reserve_exact(additional);
    }

    /// Adds `plate`, valid until `valid_until` (seconds since 1970; [`FOREVER`] for no end);
    /// returns its entry number.
    pub fn insert(&mut self, plate: Plate, valid_until: u32) -> u32 {
        if (self.plates.len() + 1) * 4 > self.slots.len() * 3 {
            self.rehash(self.slots.len() * 2);
        }
        let entry = u32::try_from(self.plates.len()).unwrap_or(u32::MAX);
        self.plates.push(plate.packed());
        self.valid_until.push(valid_until.max(1));
        self.place(self.groups.canonical(plate), entry);
        self.live += 1;
        entry
    }

    /// Stops matching an entry (withdrawn or expired): at once, for every read after this call.
    pub fn remove(&mut self, entry: u32) -> bool {
        match self.valid_until.get_mut(entry as usize) {
            Some(v) if *v != 0 => {
                *v = 0;
                self.live -= 1;
                true
            }
            _ => false,
        }
    }

    fn place(&mut self, key: u64, entry: u32) {
        let mask = self.slots.len() - 1;
        let mut i = spread(key) as usize & mask;
        while self.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = key;
        self.slot_entries[i] = entry;
    }

    fn rehash(&mut self, size: usize) {
        self.slots = vec![0; size];
        self.slot_entries = vec![0; size];
        for (entry, plate) in self.plates.clone().into_iter().enumerate() {
            if self.valid_until[entry] != 0 {
                if let Some(p) = Plate::from_packed(plate) {
                    self.place(self.groups.canonical(p), u32::try_from(entry).unwrap_or(u32::MAX));
                }
            }
        }
    }

    /// The entries `read` matches at `now` (seconds since 1970), appended to `out`.
    pub fn check(&self, read: Plate, now: u32, out: &mut Vec<Hit>) {
        let key = self.groups.canonical(read);
        let mask = self.slots.len() - 1;
        self.probe(key, read.packed(), spread(key) as usize & mask, now, out);
    }

    fn probe(&self, key: u64, read: u64, mut i: usize, now: u32, out: &mut Vec<Hit>) {
        let mask = self.slots.len() - 1;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return;
            }
            if slot == key {
                let entry = self.slot_entries[i];
                let e = entry as usize;
                if self.valid_until[e] >= now && self.valid_until[e] != 0 {
                    let confusions = differing(self.plates[e], read);
                    if confusions <= u32::from(self.max_confusions) {
                        out.push(Hit {
                            entry,
                            confusions: confusions as u8,
                        });
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// [`Matcher::check`] for many reads at once: the table slots of a group of reads are
    /// fetched before any is examined, so the processor waits for their memory in parallel.
    /// Appends (index of the read in `reads`, hit).
    pub fn check_batch(&self, reads: &[Plate], now: u32, out: &mut Vec<(usize, Hit)>) {
        const GROUP: usize = 16;
        let mask = self.slots.len() - 1;
        let mut hits = Vec::new();
        for (g, group) in reads.chunks(GROUP).enumerate() {
            let mut keys = [0u64; GROUP];
            let mut at = [0usize; GROUP];
            let mut first = [0u64; GROUP];
            for (j, read) in group.iter().enumerate() {
                keys[j] = self.groups.canonical(*read);
                at[j] = spread(keys[j]) as usize & mask;
            }
            // Independent loads: issued together.
            for j in 0..group.len() {
                first[j] = self.slots[at[j]];
            }
            for (j, read) in group.iter().enumerate() {
                if first[j] == 0 {
                    continue;
                }
                hits.clear();
                self.probe(keys[j], read.packed(), at[j], now, &mut hits);
                out.extend(hits.iter().map(|h| (g * GROUP + j, *h)));
            }
        }
    }

    /// Until when an entry is valid (seconds since 1970); `None` once removed.
    pub fn valid_until(&self, entry: u32) -> Option<u32> {
        self.valid_until.get(entry as usize).copied().filter(|v| *v != 0)
    }

    /// The plate of an entry.
    pub fn plate(&self, entry: u32) -> Option<Plate> {
        self.plates.get(entry as usize).and_then(|p| Plate::from_packed(*p))
    }

    /// Bytes on the heap (capacities of the arrays).
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * 8
            + self.slot_entries.capacity() * 4
            + self.plates.capacity() * 8
            + self.valid_until.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plate(s: &str) -> Plate {
        Plate::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn hits(m: &Matcher, read: &str) -> Vec<Hit> {
        let mut out = Vec::new();
        m.check(plate(read), 1000, &mut out);
        out
    }

    #[test]
    fn exact_lookalike_and_two_confusions() {
        let mut m = Matcher::lookalike();
        let e = m.insert(plate("1-ABC-123"), FOREVER);
        assert_eq!(
            hits(&m, "1ABC123"),
            [Hit {
                entry: e,
                confusions: 0
            }]
        );
        assert_eq!(
            hits(&m, "I-ABC-123"),
            [Hit {
                entry: e,
                confusions: 1
            }]
        );
        assert_eq!(
            hits(&m, "1-A8C-123"),
            [Hit {
                entry: e,
                confusions: 1
            }]
        );
        assert!(hits(&m, "I-A8C-123").is_empty(), "two confusions away");
        assert!(hits(&m, "1-ABC-124").is_empty(), "4 is no look-alike of 3");
        assert!(hits(&m, "1-ABC-1234").is_empty());
        let exact = {
            let mut m = Matcher::exact();
            m.insert(plate("1-ABC-123"), FOREVER);
            m
        };
        assert!(hits(&exact, "I-ABC-123").is_empty());
        assert_eq!(hits(&exact, "1 abc 123").len(), 1);
    }

    #[test]
    fn every_default_group_is_a_look_alike() {
        for group in Groups::DEFAULT {
            let chars: Vec<char> = group.chars().collect();
            for a in &chars {
                for b in &chars {
                    let mut m = Matcher::lookalike();
                    m.insert(plate(&format!("AA{a}123")), FOREVER);
                    let found = hits(&m, &format!("AA{b}123"));
                    assert_eq!(found.len(), 1, "{a} / {b}");
                    assert_eq!(found[0].confusions, u8::from(a != b));
                }
            }
        }
    }

    #[test]
    fn removal_expiry_and_growth() {
        let mut m = Matcher::lookalike();
        let entries: Vec<u32> = (0..1000).map(|i| m.insert(plate(&format!("AB{i:04}")), 2000)).collect();
        assert_eq!(m.len(), 1000);
        assert_eq!(hits(&m, "AB0042").len(), 1);
        assert!(m.remove(entries[42]));
        assert!(!m.remove(entries[42]));
        assert!(hits(&m, "AB0042").is_empty());
        let mut out = Vec::new();
        m.check(plate("AB0043"), 2001, &mut out);
        assert!(out.is_empty(), "expired");
        // Confusable plates are both found.
        let mut m = Matcher::lookalike();
        m.insert(plate("AB1O0"), FOREVER);
        m.insert(plate("AB100"), FOREVER);
        assert_eq!(hits(&m, "AB100").len(), 2);
        assert_eq!(hits(&m, "AB1OO").len(), 1);
    }

    #[test]
    fn batches_find_what_single_checks_find() {
        let mut m = Matcher::lookalike();
        for i in 0..500 {
            m.insert(plate(&format!("XY{i:03}Z")), FOREVER);
        }
        let reads: Vec<Plate> = (0..100)
            .map(|i| plate(&format!("XY{:03}{}", i * 7, if i % 2 == 0 { 'Z' } else { '2' })))
            .collect();
        let mut batch = Vec::new();
        m.check_batch(&reads, 0, &mut batch);
        let mut single = Vec::new();
        for (i, r) in reads.iter().enumerate() {
            let mut h = Vec::new();
            m.check(*r, 0, &mut h);
            single.extend(h.into_iter().map(|h| (i, h)));
        }
        assert_eq!(batch, single);
        assert_eq!(batch.len(), 72);
    }

    #[test]
    fn groups_are_configurable_and_merged() {
        let g = Groups::new(&["0O", "OD", "8B"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.canonical(plate("D")), g.canonical(plate("0")));
        assert!(Groups::new(&["0*"]).is_err());
    }
}
