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

/// Copies the bytes from `from` up to the first control character, `"` or `\` onto
/// `out`, and returns that byte's index; `None` when there is none (what was copied then
/// runs to the end). Eight bytes are copied at a time, the word that holds the special
/// byte whole and then cut back: between a flight's many escapes the runs are short, and
/// a copy call per run cost more than the scan.
#[inline]
pub(crate) fn copy_until_special(bytes: &[u8], from: usize, out: &mut Vec<u8>) -> Option<usize> {
    let mut i = from;
    while let Some(word) = bytes.get(i..i + 8) {
        let word: [u8; 8] = word.try_into().unwrap_or([0; 8]); // ok: the slice has 8 bytes
        let mask = special_mask(u64::from_le_bytes(word));
        out.extend_from_slice(&word);
        if mask != 0 {
            let kept = (mask.trailing_zeros() / 8) as usize;
            out.truncate(out.len() - 8 + kept);
            return Some(i + kept);
        }
        i += 8;
    }
    let rest = &bytes[i.min(bytes.len())..];
    let at = rest
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\');
    out.extend_from_slice(&rest[..at.unwrap_or(rest.len())]);
    at.map(|p| i + p)
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

    #[test]
    fn copies_up_to_the_first_special_byte_anywhere() {
        let base = b"abcdefghijklmnopqrstuvwxyz0123456789".to_vec();
        for from in [0, 3] {
            for at in from..base.len() {
                for special in [b'"', b'\\', b'\n', 0x1f] {
                    let mut s = base.clone();
                    s[at] = special;
                    let mut out = b"kept:".to_vec();
                    assert_eq!(copy_until_special(&s, from, &mut out), Some(at));
                    assert_eq!(out[5..], s[from..at]);
                }
            }
        }
        let mut out = Vec::new();
        let plain = "no specials, \u{e9} \u{1f600} at all".as_bytes();
        assert_eq!(copy_until_special(plain, 2, &mut out), None);
        assert_eq!(out, plain[2..]);
    }
}
