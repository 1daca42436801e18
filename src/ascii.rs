//! Runs of plain ASCII, found sixteen and eight bytes at a time: the CSV scanner and the quoted-printable encoder skip
//! the bytes that need nothing of them, and the text wrapper tells a line of one-column characters.

/// How many bytes at the start of `bytes` are tab or printable ASCII (space to `~`) other than `except`.
pub(crate) fn printable_run(bytes: &[u8], except: u8) -> usize {
    let mut n = plain_prefix(bytes, except);
    // One by one from the first byte that stopped the fast tests: a tab is plain, but stops them.
    while n < bytes.len()
        && bytes[n] != except
        && (bytes[n] == b'\t' || (0x20..0x7f).contains(&bytes[n]))
    {
        n += 1;
    }
    n
}

/// Whether every byte is printable ASCII, space to `~` (a tab is not).
pub(crate) fn all_printable(bytes: &[u8]) -> bool {
    plain_prefix(bytes, 0x7f) == bytes.len()
}

/// How many bytes at the start of `bytes` are printable ASCII other than `except` (a tab stops it).
fn plain_prefix(bytes: &[u8], except: u8) -> usize {
    let stop = |b: u8| b.wrapping_sub(0x20) > 0x5e || b == except;
    let mut n = 0;
    // Long plain stretches sixteen bytes at a time, in a form the compiler turns into one vector comparison.
    while let Some(block) = bytes.get(n..n + 16) {
        let mut sixteen = [0u8; 16];
        sixteen.copy_from_slice(block);
        if sixteen.iter().fold(false, |any, &b| any | stop(b)) {
            break;
        }
        n += 16;
    }
    // Then eight at a time, where the lowest flagged byte of a word is exactly the first that stops the run; the last
    // word overlaps the one before it (its bytes below `n` are plain) instead of leaving a tail.
    while n < bytes.len() && bytes.len() >= 8 {
        let at = n.min(bytes.len() - 8);
        let mut eight = [0u8; 8];
        eight.copy_from_slice(&bytes[at..at + 8]);
        let stops = stops(u64::from_le_bytes(eight), except);
        if stops != 0 {
            return at + (stops.trailing_zeros() / 8) as usize;
        }
        n = at + 8;
    }
    while n < bytes.len() && !stop(bytes[n]) {
        n += 1;
    }
    n
}

/// The high bit of each byte of `x` that is below space, above `~`, or `except`: exact for the lowest such byte (the
/// usual bit tricks; their false positives lie only above a true one).
fn stops(x: u64, except: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    below_space | (x & HIGH) | zero(x ^ (ONES * u64::from(except))) | zero(x ^ (ONES * 0x7f))
}

#[cfg(test)]
mod tests {
    use super::{all_printable, printable_run};

    #[test]
    fn runs_stop_at_the_first_byte_that_is_not_plain() {
        for except in [b'=', b'"'] {
            for stop in [except, b'\n', b'\r', 0x7f, 0x80, 0xc3, 0x1f, 0] {
                for at in 0..44 {
                    let mut bytes = vec![b'a'; 48];
                    bytes[at] = stop;
                    assert_eq!(printable_run(&bytes, except), at, "byte {stop:#x} at {at}");
                }
            }
        }
        assert_eq!(printable_run(b"tab\tand ~ spaces", b'='), 16);
        let long_tab = [&b"x".repeat(20)[..], b"\t", &b"y".repeat(20), b"="].concat();
        assert_eq!(printable_run(&long_tab, b'='), 41);
        assert_eq!(printable_run(b"a=b\"c", b'"'), 3);
    }

    #[test]
    fn printable_means_space_to_tilde() {
        for stop in [b'\t', b'\n', 0x7f, 0x80, 0xc3, 0x1f, 0] {
            for at in 0..44 {
                let mut bytes = vec![b' '; 44];
                bytes[at] = stop;
                assert!(!all_printable(&bytes), "byte {stop:#x} at {at}");
                assert!(all_printable(&bytes[..at]));
            }
        }
        assert!(all_printable(b" !~=\"a"));
    }
}
