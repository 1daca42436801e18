//! Runs of plain ASCII, found eight bytes at a time: the CSV scanner and the quoted-printable encoder both skip the
//! bytes that need nothing of them.

/// How many bytes at the start of `bytes` are tab or printable ASCII (space to `~`) other than `except`: eight at a
/// time while no byte of eight can be anything else, then one by one.
pub(crate) fn printable_run(bytes: &[u8], except: u8) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Whether some byte of `x` is zero, exactly (the usual bit trick; its false positives lie only above a true one).
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    let mut n = 0;
    while let Some(word) = bytes.get(n..n + 8) {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let x = u64::from_le_bytes(eight);
        // A tab stops the eight-byte steps too; the bytes after it are taken one by one.
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH != 0;
        if below_space
            || x & HIGH != 0
            || has_zero(x ^ (ONES * u64::from(except)))
            || has_zero(x ^ (ONES * 0x7f))
        {
            break;
        }
        n += 8;
    }
    while n < bytes.len()
        && bytes[n] != except
        && (bytes[n] == b'\t' || (0x20..0x7f).contains(&bytes[n]))
    {
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::printable_run;

    #[test]
    fn runs_stop_at_the_first_byte_that_is_not_plain() {
        for except in [b'=', b'"'] {
            for stop in [except, b'\n', b'\r', 0x7f, 0x80, 0xc3, 0x1f, 0] {
                for at in 0..20 {
                    let mut bytes = vec![b'a'; 24];
                    bytes[at] = stop;
                    assert_eq!(printable_run(&bytes, except), at, "byte {stop:#x} at {at}");
                }
            }
        }
        assert_eq!(printable_run(b"tab\tand ~ spaces", b'='), 16);
        assert_eq!(printable_run(b"a=b\"c", b'"'), 3);
    }
}
