//! Byte scanning eight bytes at a time (SWAR), for the JSON reader and writer and for the
//! strings of an HTML page's push scripts: all need the next byte that is a control
//! character, `"` or `\`.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A mask with the high bit set in each byte of `w` that is below 0x20, `"` or `\`
/// (exact for the lowest such byte, which is all callers look at).
#[inline]
fn special_mask(w: u64) -> u64 {
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    below_space | has_zero(w ^ (ONES * b'"' as u64)) | has_zero(w ^ (ONES * b'\\' as u64))
}

/// True when any byte of the word is a control character, `"` or `\`.
#[inline]
pub(crate) fn word_is_special(w: u64) -> bool {
    special_mask(w) != 0
}

/// The index of the first byte at or after `from` that is a control character, `"` or
/// `\`, if any.
#[inline]
pub(crate) fn find_special(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(word) = bytes.get(i..i + 8) {
        let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8])); // ok: the slice has 8 bytes
        let mask = special_mask(w);
        if mask != 0 {
            return Some(i + (mask.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i.min(bytes.len())..]
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
        .map(|p| i + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_special_byte_anywhere() {
        let base = b"abcdefghijklmnopqrstuvwxyz0123456789".to_vec();
        for at in 0..base.len() {
            for special in [b'"', b'\\', b'\n', 0u8, 0x1f] {
                let mut s = base.clone();
                s[at] = special;
                assert_eq!(find_special(&s, 0), Some(at));
            }
        }
        assert_eq!(find_special(b"no specials, \xc3\xa9 \xff", 0), None);
        assert_eq!(find_special(b"a\"b\"", 2), Some(3));
    }
}
