//! Blocking keys and the persons filed under each: sorted flat arrays (compressed rows), with a
//! small tag beside every posting so a query can pass over postings without reading persons.

/// Keys, the persons under each, and a tag per posting.
pub(super) struct Postings<T> {
    /// Sorted and unique; `key_ends[k]` is where key `k`'s persons end in `persons`.
    keys: Vec<u64>,
    key_ends: Vec<u32>,
    persons: Vec<u32>,
    tags: Vec<T>,
    /// Inserted since the last [`Postings::finish`].
    pending: Vec<(u64, u32, T)>,
}

impl<T: Copy + Ord> Postings<T> {
    pub(super) fn new() -> Self {
        Postings {
            keys: Vec::new(),
            key_ends: Vec::new(),
            persons: Vec::new(),
            tags: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Files `person` under `key` with `tag`; seen by queries at once, fast after [`Self::finish`].
    pub(super) fn add(&mut self, key: u64, person: u32, tag: T) {
        self.pending.push((key, person, tag));
    }

    /// Moves the pending postings into the sorted arrays.
    pub(super) fn finish(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut all: Vec<(u64, u32, T)> = Vec::with_capacity(self.persons.len() + self.pending.len());
        let mut start = 0usize;
        for (k, end) in self.keys.iter().zip(&self.key_ends) {
            let end = *end as usize;
            all.extend((start..end).map(|i| (*k, self.persons[i], self.tags[i])));
            start = end;
        }
        all.append(&mut self.pending);
        all.sort_unstable();
        self.keys.clear();
        self.key_ends.clear();
        self.persons.clear();
        self.tags.clear();
        let end_here = |persons: &Vec<u32>| u32::try_from(persons.len()).unwrap_or(u32::MAX);
        for (k, p, tag) in all {
            if self.keys.last() != Some(&k) {
                if !self.keys.is_empty() {
                    self.key_ends.push(end_here(&self.persons));
                }
                self.keys.push(k);
            }
            self.persons.push(p);
            self.tags.push(tag);
        }
        if !self.keys.is_empty() {
            self.key_ends.push(end_here(&self.persons));
        }
        self.keys.shrink_to_fit();
        self.key_ends.shrink_to_fit();
        self.persons.shrink_to_fit();
        self.tags.shrink_to_fit();
        self.pending = Vec::new();
    }

    /// Bytes held on the heap (capacities).
    pub(super) fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 8
            + self.key_ends.capacity() * 4
            + self.persons.capacity() * 4
            + self.tags.capacity() * std::mem::size_of::<T>()
            + self.pending.capacity() * std::mem::size_of::<(u64, u32, T)>()
    }

    /// Appends to `out` the persons under `key` whose tag `wanted` accepts.
    pub(super) fn persons_under(&self, key: u64, wanted: impl Fn(T) -> bool, out: &mut Vec<u32>) {
        // Keys are uniform hashes: guess the position, then search a narrowing window.
        let n = self.keys.len();
        if n > 0 {
            let guess = ((u128::from(key) * n as u128) >> 64) as usize;
            let slack = 64.max(n >> 12);
            let lo = guess.saturating_sub(slack);
            let hi = (guess + slack).min(n);
            let found = match self.keys[lo..hi].binary_search(&key) {
                Ok(i) => Some(lo + i),
                Err(i) if (i == 0 && lo > 0) || (i == hi - lo && hi < n) => self.keys.binary_search(&key).ok(),
                Err(_) => None,
            };
            if let Some(i) = found {
                let start = if i == 0 { 0 } else { self.key_ends[i - 1] as usize };
                let end = self.key_ends[i] as usize;
                out.extend((start..end).filter(|j| wanted(self.tags[*j])).map(|j| self.persons[j]));
            }
        }
        out.extend(
            self.pending
                .iter()
                .filter(|(k, _, t)| *k == key && wanted(*t))
                .map(|(_, p, _)| *p),
        );
    }
}
