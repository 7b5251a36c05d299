//! The seed and the random stream of SAMPLING-SPEC §2: SHA-256 key derivation and the ChaCha20
//! keystream read as little-endian 64-bit words, with unbiased `below(m)`.

use std::fmt;
use std::num::NonZeroU64;
use std::str::FromStr;

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{SPEC_VERSION, SamplingError};

/// The auditor's seed: 1 to 128 Unicode scalar values, kept exactly as typed (no trimming, no
/// case folding, no normalisation), because the key is derived from its UTF-8 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Seed(String);

impl Seed {
    /// Longest seed, in characters (Unicode scalar values, not bytes).
    pub const MAX_CHARS: usize = 128;

    pub fn new(text: impl Into<String>) -> Result<Seed, SamplingError> {
        let text = text.into();
        match text.chars().count() {
            0 => Err(SamplingError::EmptySeed),
            chars if chars > Self::MAX_CHARS => Err(SamplingError::SeedTooLong { chars }),
            _ => Ok(Seed(text)),
        }
    }

    /// Proposes a seed of 20 decimal digits (leading zeros kept) when the auditor gives none.
    /// The caller passes the operating system's generator; the engine never reaches for one.
    pub fn propose<R: RngCore + ?Sized>(rng: &mut R) -> Seed {
        // 10^20 > 2^64, so draw two 10-digit halves, each without bias.
        const TEN_DIGITS: NonZeroU64 = NonZeroU64::new(10_000_000_000).expect("non-zero");
        let high = uniform_below(TEN_DIGITS, || rng.next_u64());
        let low = uniform_below(TEN_DIGITS, || rng.next_u64());
        Seed(format!("{high:010}{low:010}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Seed {
    type Err = SamplingError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Seed::new(s)
    }
}

impl TryFrom<String> for Seed {
    type Error = SamplingError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Seed::new(text)
    }
}

impl From<Seed> for String {
    fn from(seed: Seed) -> String {
        seed.0
    }
}

/// `SHA-256("tickmark-sample-v1" || 0x00 || seed [|| 0x00 || label])`: the stream key of the
/// whole selection (no label) or of one stratum (its label).
pub fn derive_key(seed: &Seed, stratum: Option<&str>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(SPEC_VERSION.as_bytes());
    hasher.update([0u8]);
    hasher.update(seed.as_str().as_bytes());
    if let Some(label) = stratum {
        hasher.update([0u8]);
        hasher.update(label.as_bytes());
    }
    hasher.finalize().into()
}

/// The ChaCha20 keystream under a derived key (nonce zero, block counter from 0), read as
/// consecutive little-endian `u64` words.
#[derive(Debug, Clone)]
pub struct Stream(ChaCha20Rng);

impl Stream {
    /// The stream of a whole selection (`random`, `systematic`).
    pub fn new(seed: &Seed) -> Stream {
        Stream(ChaCha20Rng::from_seed(derive_key(seed, None)))
    }

    /// The stream of stratum `label` in a stratified selection.
    pub fn for_stratum(seed: &Seed, label: &str) -> Stream {
        Stream(ChaCha20Rng::from_seed(derive_key(seed, Some(label))))
    }

    /// The next word `w_i` of the stream.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniform integer in `0..m`, by rejection (SAMPLING-SPEC §2).
    pub fn below(&mut self, m: NonZeroU64) -> u64 {
        uniform_below(m, || self.0.next_u64())
    }
}

/// Draws words until one `x < 2^64 - (2^64 mod m)` and returns `x mod m`: the accepted range is
/// a whole number of copies of `0..m`, so every residue is equally likely.
fn uniform_below(m: NonZeroU64, mut next_word: impl FnMut() -> u64) -> u64 {
    let m = m.get();
    // 2^64 mod m, as (2^64 - m) mod m, without 128-bit arithmetic.
    let excess = m.wrapping_neg() % m;
    loop {
        let x = next_word();
        // With no excess every word is accepted (m is a power of two).
        if excess == 0 || x < excess.wrapping_neg() {
            return x % m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_rejects_words_in_the_incomplete_last_copy() {
        // m = 3: 2^64 mod 3 = 1, so only u64::MAX is rejected.
        let three = NonZeroU64::new(3).unwrap();
        let mut words = [u64::MAX, u64::MAX - 1].into_iter();
        assert_eq!(uniform_below(three, || words.next().unwrap()), (u64::MAX - 1) % 3);
        // m = 2^63 + 1: 2^64 mod m = 2^63 - 1, so 2^63 + 1 and above are rejected.
        let big = NonZeroU64::new((1 << 63) + 1).unwrap();
        let mut words = [(1 << 63) + 1, 5].into_iter();
        assert_eq!(uniform_below(big, || words.next().unwrap()), 5);
        let mut words = [1 << 63].into_iter();
        assert_eq!(uniform_below(big, || words.next().unwrap()), 1 << 63);
    }

    #[test]
    fn below_one_is_always_zero_and_powers_of_two_accept_every_word() {
        let mut words = [u64::MAX].into_iter();
        assert_eq!(uniform_below(NonZeroU64::MIN, || words.next().unwrap()), 0);
        let mut words = [u64::MAX].into_iter();
        let eight = NonZeroU64::new(8).unwrap();
        assert_eq!(uniform_below(eight, || words.next().unwrap()), 7);
    }

    #[test]
    fn stream_words_are_the_little_endian_chacha20_keystream() {
        // With a zero key, zero nonce and block counter 0 the ChaCha20 keystream begins
        // 76 b8 e0 ad a0 f1 3d 90 (RFC 8439, Appendix A.1, test vector #1); the first word is
        // those eight bytes read little-endian.
        let mut rng = ChaCha20Rng::from_seed([0u8; 32]);
        assert_eq!(rng.next_u64(), u64::from_le_bytes([0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90]));
    }
}
